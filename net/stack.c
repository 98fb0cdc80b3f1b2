/* SPDX-License-Identifier: ISC */
/*
 * stack.c -- the stack object: creation, the Ethernet demultiplexer, the one timer that
 * drives ARP and reassembly, counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/net.h>
#include <morgana/runtime.h>

#include "internal.h"

struct mg_log_source mg_net_log = { "net", MG_LOG_UNRESOLVED, 0 };

static void eth_input(void *arg, struct mg_pkt *frame);
static void eth_input_end(void *arg);
static void timer_fire(void *arg);
static bool rx_l4_csum_ok(struct mg_pkt *frame);

/*
 * Whether the device vouched for the transport checksum of the IPv4 frame: DATA_VALID,
 * or NEEDS_CSUM at the TCP or UDP checksum of an unfragmented datagram (it came from the
 * host itself, intact, with the field holding only the pseudo-header sum). A
 * NEEDS_CSUM anywhere else is completed here, as the device would have, so that the
 * transport's own check decides.
 */
static bool
rx_l4_csum_ok(struct mg_pkt *frame)
{
	const uint8_t *ip = frame->data + MG_ETH_HDR_LEN;
	size_t start, end, ip_len = frame->len - MG_ETH_HDR_LEN;
	uint16_t want = 0;

	if (frame->off.csum == MG_PKT_CSUM_VALID)
		return true;
	if (frame->off.csum != MG_PKT_CSUM_PARTIAL)
		return false;
	/* netdev checked that the field lies inside the frame. */
	start = frame->off.csum_start - mg_pkt_headroom(frame);
	if (ip_len >= MG_IPV4_HDR_LEN && (ip[0] >> 4) == 4 &&
	    (mg_get_be16(ip + 6) & 0x3fff) == 0) {
		want = ip[9] == MG_IP_PROTO_TCP ? 16 : ip[9] == MG_IP_PROTO_UDP ? 6 : 0;
		if (want != 0 && start == MG_ETH_HDR_LEN + (size_t)(ip[0] & 0xf) * 4 &&
		    frame->off.csum_offset == want)
			return true;
	}
	end = frame->len;
	mg_put_be16(frame->data + start + frame->off.csum_offset,
		    mg_csum_finish(mg_csum_partial(frame->data + start, end - start, 0)));
	frame->off.csum = MG_PKT_CSUM_NONE;
	return false;
}

/* Frames for our MAC or broadcast; ARP and IPv4 go up, the rest is counted and freed. */
static void
eth_input(void *arg, struct mg_pkt *frame)
{
	struct mg_net *net = arg;
	struct mg_eth_hdr eth;
	struct mg_mac bcast = MG_MAC_BROADCAST;

	NET_COUNT(net, eth, rx);
	if (mg_eth_parse(frame->data, frame->len, &eth) != 0) {
		NET_COUNT(net, eth, drop_malformed);
		goto out;
	}
	if (!mg_mac_eq(&eth.dst, &net->dev->mac) && !mg_mac_eq(&eth.dst, &bcast)) {
		NET_COUNT(net, eth, drop_not_for_us);
		goto out;
	}
	switch (eth.type) {
	case MG_ETHERTYPE_ARP:
		mg_arp_input(net, frame->data + MG_ETH_HDR_LEN, frame->len - MG_ETH_HDR_LEN);
		break;
	case MG_ETHERTYPE_IPV4:
		mg_ipv4_input(net, frame->data + MG_ETH_HDR_LEN, frame->len - MG_ETH_HDR_LEN,
			      rx_l4_csum_ok(frame));
		break;
	default:
		NET_COUNT(net, eth, drop_unknown_type);
		break;
	}
out:
	mg_pkt_free(frame);
}

/* The end of a batch of frames: the transport answers what it held back. */
static void
eth_input_end(void *arg)
{
	struct mg_net *net = arg;

	if (net->batch_end != NULL)
		net->batch_end(net->batch_end_arg);
}

void
mg_net_set_batch_end(struct mg_net *net, void (*fn)(void *arg), void *arg)
{
	net->batch_end = fn;
	net->batch_end_arg = arg;
}

static void
timer_fire(void *arg)
{
	mg_net_schedule(arg);
}

void
mg_net_schedule(struct mg_net *net)
{
	uint64_t now = mg_now_ns();
	uint64_t a = mg_arp_tick(net, now), r = mg_reasm_tick(net, now);
	uint64_t next = a < r ? a : r;

	if (next == MG_FOREVER)
		mg_timer_cancel(&net->timer);
	else
		mg_timer_arm(&net->timer, next);
}

int
mg_net_create(struct mg_netdev *dev, const struct mg_net_config *cfg, struct mg_net **out)
{
	struct mg_net *net;

	if (dev == NULL || cfg == NULL || cfg->addr == 0 || cfg->prefix_len > 32)
		return -EINVAL;
	net = calloc(1, sizeof(*net));
	if (net == NULL)
		return -ENOMEM;
	net->dev = dev;
	net->cfg = *cfg;
	net->netmask = cfg->prefix_len == 0 ? 0 : ~0u << (32 - cfg->prefix_len);
	net->subnet_bcast = cfg->prefix_len <= 30 ? (cfg->addr | ~net->netmask)
						  : MG_IPV4_BROADCAST;
	for (size_t i = 0; i < MG_NET_ARP_CACHE; i++)
		mg_list_init(&net->arp[i].waiting);
	mg_list_init(&net->udp_socks);
	mg_timer_init(&net->timer, timer_fire, net);
	net->icmp_credit_ns = MG_NET_ICMP_BURST * (1000000000ull / MG_NET_ICMP_PER_SEC);
	net->icmp_last_ns = mg_now_ns();
	net->ip_id = (uint16_t)mg_now_ns();
	mg_netdev_set_receiver(dev, eth_input, eth_input_end, net);
	mg_arp_announce(net);
	*out = net;
	return 0;
}

void
mg_net_destroy(struct mg_net *net)
{
	if (net == NULL)
		return;
	mg_netdev_set_receiver(net->dev, NULL, NULL, NULL);
	mg_timer_cancel(&net->timer);
	mg_arp_flush_all(net);
	mg_reasm_free_all(net);
	free(net);
}

struct mg_netdev *
mg_net_dev(struct mg_net *net)
{
	return net->dev;
}

const struct mg_net_config *
mg_net_config(const struct mg_net *net)
{
	return &net->cfg;
}

uint32_t
mg_net_ipv4_addr(const struct mg_net *net)
{
	return net->cfg.addr;
}

uint16_t
mg_net_mtu(const struct mg_net *net)
{
	return net->dev->mtu;
}
