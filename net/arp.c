/* SPDX-License-Identifier: ISC */
/*
 * arp.c -- address resolution (RFC 826) for the stack's one interface.
 *
 * The cache is a small array: resolved entries expire after MG_NET_ARP_TTL_NS, pending
 * ones hold the packets waiting for the answer (bounded per entry and in total) and are
 * retried every MG_NET_ARP_RETRY_NS, MG_NET_ARP_TRIES times. We answer only for our
 * own address, and learn a sender's address only when the packet was for us or we
 * already knew the sender (RFC 826's merge rule), so strangers cannot fill the cache.
 */
#include <errno.h>
#include <string.h>

#include <morgana/runtime.h>

#include "internal.h"

static struct arp_entry *arp_find(struct mg_net *net, uint32_t ip);
static struct arp_entry *arp_slot(struct mg_net *net);
static int arp_send(struct mg_net *net, uint16_t op, const struct mg_mac *eth_dst,
		    const struct mg_mac *tha, uint32_t tpa);
static void arp_resolved(struct mg_net *net, struct arp_entry *e, const struct mg_mac *mac);
static void arp_drop_waiting(struct mg_net *net, struct arp_entry *e);
static int eth_send(struct mg_net *net, struct mg_pkt *pkt, const struct mg_mac *dst,
		    uint16_t type);

static struct arp_entry *
arp_find(struct mg_net *net, uint32_t ip)
{
	for (size_t i = 0; i < MG_NET_ARP_CACHE; i++)
		if (net->arp[i].state != ARP_FREE && net->arp[i].ip == ip)
			return &net->arp[i];
	return NULL;
}

/* A free entry, else the resolved entry closest to expiry (counted); NULL if every
 * entry is pending. */
static struct arp_entry *
arp_slot(struct mg_net *net)
{
	struct arp_entry *victim = NULL;
	uint64_t now = mg_now_ns();

	for (size_t i = 0; i < MG_NET_ARP_CACHE; i++) {
		struct arp_entry *e = &net->arp[i];

		if (e->state == ARP_FREE)
			return e;
		if (e->state == ARP_RESOLVED && e->deadline_ns <= now)
			return e;
		if (e->state == ARP_RESOLVED &&
		    (victim == NULL || e->deadline_ns < victim->deadline_ns))
			victim = e;
	}
	if (victim != NULL)
		NET_COUNT(net, arp, cache_evictions);
	return victim;
}

/* Prepend an Ethernet header and queue the frame; takes pkt. */
static int
eth_send(struct mg_net *net, struct mg_pkt *pkt, const struct mg_mac *dst, uint16_t type)
{
	struct mg_eth_hdr eth = { .dst = *dst, .src = net->dev->mac, .type = type };
	uint8_t *p = mg_pkt_push(pkt, MG_ETH_HDR_LEN);

	if (p == NULL) {
		mg_pkt_free(pkt);
		return -ENOBUFS;
	}
	(void)mg_eth_emit(p, MG_ETH_HDR_LEN, &eth);
	NET_COUNT(net, eth, tx);
	return mg_netdev_send(net->dev, pkt);
}

static int
arp_send(struct mg_net *net, uint16_t op, const struct mg_mac *eth_dst,
	 const struct mg_mac *tha, uint32_t tpa)
{
	struct mg_arp a = { .op = op, .sha = net->dev->mac, .spa = net->cfg.addr,
			    .tha = *tha, .tpa = tpa };
	struct mg_pkt *pkt = mg_netdev_alloc(net->dev);
	uint8_t *p;

	if (pkt == NULL)
		return -ENOBUFS;
	p = mg_pkt_put(pkt, MG_ARP_LEN);
	(void)mg_arp_emit(p, MG_ARP_LEN, &a);
	if (op == MG_ARP_REQUEST)
		NET_COUNT(net, arp, tx_requests);
	else
		NET_COUNT(net, arp, tx_replies);
	return eth_send(net, pkt, eth_dst, MG_ETHERTYPE_ARP);
}

/* A gratuitous ARP: a request for our own address, so neighbours update their caches
 * and anyone else using it can notice. */
void
mg_arp_announce(struct mg_net *net)
{
	struct mg_mac zero = { { 0 } }, bcast = MG_MAC_BROADCAST;

	(void)arp_send(net, MG_ARP_REQUEST, &bcast, &zero, net->cfg.addr);
}

static void
arp_resolved(struct mg_net *net, struct arp_entry *e, const struct mg_mac *mac)
{
	struct mg_list *node;

	e->state = ARP_RESOLVED;
	e->mac = *mac;
	e->deadline_ns = mg_now_ns() + MG_NET_ARP_TTL_NS;
	while ((node = mg_list_pop_front(&e->waiting)) != NULL) {
		e->waiting_count--;
		net->arp_waiting_total--;
		(void)eth_send(net, mg_container_of(node, struct mg_pkt, link), mac,
			       MG_ETHERTYPE_IPV4);
	}
}

static void
arp_drop_waiting(struct mg_net *net, struct arp_entry *e)
{
	struct mg_list *node;

	while ((node = mg_list_pop_front(&e->waiting)) != NULL) {
		mg_pkt_free(mg_container_of(node, struct mg_pkt, link));
		NET_COUNT(net, arp, drop_unresolved);
		net->arp_waiting_total--;
	}
	e->waiting_count = 0;
}

void
mg_arp_input(struct mg_net *net, const uint8_t *buf, size_t len)
{
	struct arp_entry *e;
	struct mg_arp a;
	bool for_us;
	int err;

	if ((err = mg_arp_parse(buf, len, &a)) != 0) {
		if (err == -ENOTSUP)
			NET_COUNT(net, arp, drop_unsupported);
		else
			NET_COUNT(net, arp, drop_malformed);
		return;
	}
	if (a.op == MG_ARP_REQUEST)
		NET_COUNT(net, arp, rx_requests);
	else
		NET_COUNT(net, arp, rx_replies);
	if (a.spa == net->cfg.addr && !mg_mac_eq(&a.sha, &net->dev->mac)) {
		NET_COUNT(net, arp, conflicts);
		mg_log_warn(&mg_net_log, "arp: another host claims our address");
		return;
	}
	/* Group or zero sender addresses would poison the cache. */
	if (mg_mac_is_group(&a.sha) || a.spa == 0 || a.spa == MG_IPV4_BROADCAST) {
		NET_COUNT(net, arp, drop_malformed);
		return;
	}
	for_us = a.tpa == net->cfg.addr;
	e = arp_find(net, a.spa);
	if (e == NULL && for_us && (e = arp_slot(net)) != NULL) {
		arp_drop_waiting(net, e);
		e->ip = a.spa;
	}
	if (e != NULL)
		arp_resolved(net, e, &a.sha);
	if (!for_us) {
		NET_COUNT(net, arp, drop_not_for_us);
		return;
	}
	if (a.op == MG_ARP_REQUEST)
		(void)arp_send(net, MG_ARP_REPLY, &a.sha, &a.sha, a.spa);
}

int
mg_arp_output(struct mg_net *net, struct mg_pkt *pkt, uint32_t next_hop)
{
	struct mg_mac bcast = MG_MAC_BROADCAST, zero = { { 0 } };
	struct arp_entry *e;
	uint64_t now = mg_now_ns();

	if (next_hop == MG_IPV4_BROADCAST || next_hop == net->subnet_bcast)
		return eth_send(net, pkt, &bcast, MG_ETHERTYPE_IPV4);
	e = arp_find(net, next_hop);
	if (e != NULL && e->state == ARP_RESOLVED && e->deadline_ns > now)
		return eth_send(net, pkt, &e->mac, MG_ETHERTYPE_IPV4);
	if (e == NULL || e->state == ARP_RESOLVED) {
		if (e == NULL && (e = arp_slot(net)) == NULL)
			goto full;
		e->state = ARP_PENDING;
		e->ip = next_hop;
		e->tries = 1;
		e->deadline_ns = now + MG_NET_ARP_RETRY_NS;
		(void)arp_send(net, MG_ARP_REQUEST, &bcast, &zero, next_hop);
		mg_net_schedule(net);
	}
	if (e->waiting_count >= MG_NET_ARP_PENDING_PER ||
	    net->arp_waiting_total >= MG_NET_ARP_PENDING)
		goto full;
	mg_list_push_back(&e->waiting, &pkt->link);
	e->waiting_count++;
	net->arp_waiting_total++;
	return 0;
full:
	NET_COUNT(net, arp, drop_pending_full);
	mg_pkt_free(pkt);
	return -ENOBUFS;
}

uint64_t
mg_arp_tick(struct mg_net *net, uint64_t now)
{
	struct mg_mac bcast = MG_MAC_BROADCAST, zero = { { 0 } };
	uint64_t next = MG_FOREVER;

	for (size_t i = 0; i < MG_NET_ARP_CACHE; i++) {
		struct arp_entry *e = &net->arp[i];

		if (e->state != ARP_PENDING)
			continue;
		if (e->deadline_ns <= now) {
			if (e->tries >= MG_NET_ARP_TRIES) {
				NET_COUNT(net, arp, resolve_failures);
				arp_drop_waiting(net, e);
				e->state = ARP_FREE;
				continue;
			}
			e->tries++;
			e->deadline_ns = now + MG_NET_ARP_RETRY_NS;
			(void)arp_send(net, MG_ARP_REQUEST, &bcast, &zero, e->ip);
		}
		if (e->deadline_ns < next)
			next = e->deadline_ns;
	}
	return next;
}

void
mg_arp_flush_all(struct mg_net *net)
{
	for (size_t i = 0; i < MG_NET_ARP_CACHE; i++) {
		arp_drop_waiting(net, &net->arp[i]);
		net->arp[i].state = ARP_FREE;
	}
}
