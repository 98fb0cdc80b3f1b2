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
static void timer_fire(void *arg);

/* Frames for our MAC or broadcast; ARP and IPv4 go up, the rest is counted and freed. */
static void
eth_input(void *arg, struct mg_pkt *frame)
{
	struct mg_net *net = arg;
	struct mg_eth_hdr eth;
	struct mg_mac bcast = MG_MAC_BROADCAST;

	net->c.eth.rx++;
	if (mg_eth_parse(frame->data, frame->len, &eth) != 0) {
		net->c.eth.drop_malformed++;
		goto out;
	}
	if (!mg_mac_eq(&eth.dst, &net->dev->mac) && !mg_mac_eq(&eth.dst, &bcast)) {
		net->c.eth.drop_not_for_us++;
		goto out;
	}
	switch (eth.type) {
	case MG_ETHERTYPE_ARP:
		mg_arp_input(net, frame->data + MG_ETH_HDR_LEN, frame->len - MG_ETH_HDR_LEN);
		break;
	case MG_ETHERTYPE_IPV4:
		mg_ipv4_input(net, frame->data + MG_ETH_HDR_LEN, frame->len - MG_ETH_HDR_LEN);
		break;
	default:
		net->c.eth.drop_unknown_type++;
		break;
	}
out:
	mg_pkt_free(frame);
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
	mg_netdev_set_receiver(dev, eth_input, net);
	mg_arp_announce(net);
	*out = net;
	return 0;
}

void
mg_net_destroy(struct mg_net *net)
{
	if (net == NULL)
		return;
	mg_netdev_set_receiver(net->dev, NULL, NULL);
	mg_timer_cancel(&net->timer);
	mg_arp_flush_all(net);
	mg_reasm_free_all(net);
	free(net);
}

const struct mg_net_counters *
mg_net_counters(const struct mg_net *net)
{
	return &net->c;
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

/* Every counter by name, for mg_net_counters_format(). */
#define C(layer, name) { #layer "." #name, offsetof(struct mg_net_counters, layer.name) }
static const struct {
	const char *name;
	size_t offset;
} counter_names[] = {
	C(eth, rx), C(eth, tx), C(eth, drop_malformed), C(eth, drop_not_for_us),
	C(eth, drop_unknown_type),
	C(arp, rx_requests), C(arp, rx_replies), C(arp, tx_requests), C(arp, tx_replies),
	C(arp, drop_malformed), C(arp, drop_unsupported), C(arp, drop_not_for_us),
	C(arp, cache_evictions), C(arp, resolve_failures), C(arp, drop_pending_full),
	C(arp, drop_unresolved), C(arp, conflicts),
	C(ipv4, rx), C(ipv4, tx), C(ipv4, drop_malformed), C(ipv4, drop_bad_csum),
	C(ipv4, drop_not_for_us), C(ipv4, drop_bad_src), C(ipv4, drop_unknown_proto),
	C(ipv4, drop_no_route), C(ipv4, drop_too_big), C(ipv4, drop_nobuf),
	C(ipv4, frags_rx), C(ipv4, frags_tx), C(ipv4, reasm_ok), C(ipv4, reasm_timeout),
	C(ipv4, reasm_overlap), C(ipv4, reasm_no_slot), C(ipv4, reasm_bad),
	C(icmp, rx), C(icmp, tx), C(icmp, rx_echo_requests), C(icmp, tx_echo_replies),
	C(icmp, drop_malformed), C(icmp, drop_bad_csum), C(icmp, tx_unreach),
	C(icmp, unreach_rate_limited), C(icmp, rx_errors), C(icmp, drop_bad_quote),
	C(udp, rx), C(udp, tx), C(udp, drop_malformed), C(udp, drop_bad_csum),
	C(udp, drop_no_port), C(udp, drop_queue_full), C(udp, drop_nobuf),
	C(tcp, rx), C(tcp, tx), C(tcp, drop_malformed), C(tcp, drop_bad_csum),
	C(tcp, drop_no_conn), C(tcp, drop_out_of_window), C(tcp, drop_paws),
	C(tcp, drop_backlog), C(tcp, drop_accept_queue), C(tcp, drop_ooo_full),
	C(tcp, drop_max_conns), C(tcp, drop_nobuf), C(tcp, active_opens),
	C(tcp, passive_opens), C(tcp, established), C(tcp, resets_rx), C(tcp, resets_tx),
	C(tcp, conn_timeouts), C(tcp, retransmits), C(tcp, fast_retransmits),
	C(tcp, timeouts), C(tcp, challenge_acks), C(tcp, challenge_acks_limited),
	C(tcp, syncookies_sent), C(tcp, syncookies_ok), C(tcp, syncookies_bad),
	C(tcp, zero_window_probes), C(tcp, keepalive_probes), C(tcp, timewait_evicted),
	C(tcp, timewait_reused), C(tcp, bytes_queued), C(tcp, bytes_sent),
	C(tcp, bytes_retransmitted), C(tcp, bytes_acked), C(tcp, bytes_received),
};
#undef C

size_t
mg_net_counters_format(const struct mg_net *net, char *buf, size_t size)
{
	const struct mg_netdev_stats *d = &net->dev->stats;
	size_t used = 0;
	int n;

	n = snprintf(buf, size, "dev.rx_frames %llu\ndev.tx_frames %llu\ndev.rx_batches %llu\n"
		     "dev.tx_batches %llu\n", (unsigned long long)d->rx_frames,
		     (unsigned long long)d->tx_frames, (unsigned long long)d->rx_batches,
		     (unsigned long long)d->tx_batches);
	used += n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < sizeof(counter_names) / sizeof(counter_names[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)&net->c + counter_names[i].offset, sizeof(v));
		if (v == 0)
			continue;
		n = snprintf(used < size ? buf + used : NULL, used < size ? size - used : 0,
			     "%s %llu\n", counter_names[i].name, (unsigned long long)v);
		used += n > 0 ? (size_t)n : 0;
	}
	return used;
}
