/* SPDX-License-Identifier: ISC */
/*
 * counters.c -- the stack's counters by name: one table maps every field of
 * struct mg_netdev_stats and struct mg_net_counters to its "layer.name" and trace id,
 * and the listing, lookup and text rendering all walk it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <morgana/net.h>

#include "internal.h"

/* Trace ids are the field's position after a base; each struct must fit in 256 ids. */
_Static_assert(sizeof(struct mg_net_counters) / sizeof(uint64_t) < 0x100,
	       "net counters overflow their trace id range");
_Static_assert(sizeof(struct mg_netdev_stats) / sizeof(uint64_t) < 0x100,
	       "device counters overflow their trace id range");

struct counter_def {
	const char *name;
	bool dev;		/* in struct mg_netdev_stats, else in struct mg_net_counters */
	size_t offset;
};

#define D(name) { "dev." #name, true, offsetof(struct mg_netdev_stats, name) }
#define C(layer, name) { #layer "." #name, false, offsetof(struct mg_net_counters, layer.name) }
static const struct counter_def counter_defs[] = {
	D(rx_frames), D(rx_bytes), D(tx_frames), D(tx_bytes), D(rx_batches), D(tx_batches),
	D(rx_drop_nobuf), D(rx_errors), D(tx_drop_queue_full), D(tx_drop_too_long),
	D(tx_errors), D(rx_drop_bad_hdr), D(rx_gso_frames), D(tx_gso_frames), D(tx_csum_sw),
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
	C(tcp, timeouts), C(tcp, tlp_probes), C(tcp, tlp_losses), C(tcp, challenge_acks),
	C(tcp, challenge_acks_limited),
	C(tcp, syncookies_sent), C(tcp, syncookies_ok), C(tcp, syncookies_bad),
	C(tcp, zero_window_probes), C(tcp, keepalive_probes), C(tcp, timewait_evicted),
	C(tcp, timewait_reused), C(tcp, pmtu_updates), C(tcp, pmtu_ignored),
	C(tcp, bytes_queued), C(tcp, bytes_sent),
	C(tcp, bytes_retransmitted), C(tcp, bytes_acked), C(tcp, bytes_received),
	C(tcp, acks_coalesced), C(tcp, tx_wait_big),
};
#undef C
#undef D

#define COUNTER_DEFS (sizeof(counter_defs) / sizeof(counter_defs[0]))

/* A field missing from the table would be invisible by name: the table covers both
 * structs exactly (each field is one uint64_t). */
_Static_assert(COUNTER_DEFS == (sizeof(struct mg_net_counters) +
				sizeof(struct mg_netdev_stats)) / sizeof(uint64_t),
	       "counter_defs must name every counter");

static uint32_t
def_trace_id(const struct counter_def *d)
{
	return (uint32_t)((d->dev ? MG_TRACE_NETDEV_COUNTERS : MG_TRACE_NET_COUNTERS) +
			  d->offset / sizeof(uint64_t));
}

static uint64_t
def_value(const struct mg_net *net, const struct counter_def *d)
{
	const char *base = d->dev ? (const char *)&net->dev->stats : (const char *)&net->c;
	uint64_t v;

	memcpy(&v, base + d->offset, sizeof(v));
	return v;
}

const struct mg_net_counters *
mg_net_counters(const struct mg_net *net)
{
	return &net->c;
}

size_t
mg_net_counters_list(const struct mg_net *net, struct mg_net_counter *out, size_t max)
{
	for (size_t i = 0; i < COUNTER_DEFS && i < max; i++) {
		out[i].name = counter_defs[i].name;
		out[i].trace_id = def_trace_id(&counter_defs[i]);
		out[i].value = def_value(net, &counter_defs[i]);
	}
	return COUNTER_DEFS;
}

int
mg_net_counter_get(const struct mg_net *net, const char *name, uint64_t *value)
{
	for (size_t i = 0; i < COUNTER_DEFS; i++) {
		if (strcmp(counter_defs[i].name, name) == 0) {
			*value = def_value(net, &counter_defs[i]);
			return 0;
		}
	}
	return -ENOENT;
}

const char *
mg_net_counter_name(uint32_t trace_id)
{
	for (size_t i = 0; i < COUNTER_DEFS; i++)
		if (def_trace_id(&counter_defs[i]) == trace_id)
			return counter_defs[i].name;
	return NULL;
}

size_t
mg_net_counters_format(const struct mg_net *net, char *buf, size_t size)
{
	size_t used = 0;

	if (size > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < COUNTER_DEFS; i++) {
		uint64_t v = def_value(net, &counter_defs[i]);
		int n;

		if (v == 0)
			continue;
		n = snprintf(used < size ? buf + used : NULL, used < size ? size - used : 0,
			     "%s %llu\n", counter_defs[i].name, (unsigned long long)v);
		used += n > 0 ? (size_t)n : 0;
	}
	return used;
}
