/* SPDX-License-Identifier: ISC */
/*
 * internal.h -- what the files of the stack share: struct mg_net and the calls between
 * layers. Nothing here is public; applications and TCP use net.h.
 */
#ifndef MORGANA_NET_INTERNAL_H
#define MORGANA_NET_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <morgana/list.h>
#include <morgana/log.h>
#include <morgana/net.h>
#include <morgana/timer.h>
#include <morgana/trace.h>

/*
 * Every counter of struct mg_net_counters moves through these, so that while tracing is
 * on each change is also an MG_TRACE_COUNTER event (id MG_NET_COUNTER_ID, the new value).
 */
#define NET_COUNT_N(net, layer, name, n) \
	net_count(&(net)->c.layer.name, (n), MG_NET_COUNTER_ID(layer, name))
#define NET_COUNT(net, layer, name) NET_COUNT_N(net, layer, name, 1)

static inline void
net_count(uint64_t *counter, uint64_t n, uint32_t trace_id)
{
	if (n == 0)
		return;
	*counter += n;
	mg_trace(MG_TRACE_COUNTER, trace_id, *counter);
}

enum arp_state {
	ARP_FREE = 0,
	ARP_PENDING,		/* request sent, packets may wait in `waiting` */
	ARP_RESOLVED,
};

struct arp_entry {
	enum arp_state state;
	uint32_t ip;
	struct mg_mac mac;
	uint64_t deadline_ns;	/* RESOLVED: expiry; PENDING: next retry */
	uint8_t tries;
	struct mg_list waiting;	/* IPv4 packets (data = IP header) for this address */
	size_t waiting_count;
};

struct reasm_range {
	uint16_t start, end;	/* payload bytes [start, end) */
};

struct reasm_slot {
	bool used;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint64_t deadline_ns;
	size_t total;		/* payload length once the last fragment came, else 0 */
	size_t received;	/* payload bytes held (ranges never overlap) */
	size_t nranges;
	struct reasm_range ranges[MG_NET_REASM_FRAGS];
	uint8_t hdr[MG_IPV4_HDR_MAX];	/* the first fragment's header */
	size_t hdr_len;
	uint8_t *buf;		/* MG_IPV4_MAX_LEN bytes, while used */
};

struct proto_handler {
	mg_ipv4_handler fn;
	void *arg;
	mg_icmp_error_handler error_fn;
	void *error_arg;
};

struct mg_net {
	struct mg_netdev *dev;
	struct mg_net_config cfg;
	uint32_t netmask, subnet_bcast;
	struct mg_net_counters c;
	struct proto_handler proto[256];
	struct arp_entry arp[MG_NET_ARP_CACHE];
	size_t arp_waiting_total;
	struct reasm_slot reasm[MG_NET_REASM_SLOTS];
	struct mg_timer timer;		/* ARP retries and reassembly timeouts */
	uint16_t ip_id;
	uint64_t icmp_credit_ns, icmp_last_ns;
	struct mg_list udp_socks;
	uint16_t udp_next_port;		/* 0: not drawn yet */
	void (*batch_end)(void *arg);	/* TCP's, after each batch of frames */
	void *batch_end_arg;
};

extern struct mg_log_source mg_net_log;

/* Re-arm net->timer for the earliest ARP or reassembly deadline. */
void mg_net_schedule(struct mg_net *net);
/* fn(arg) after the last frame of each batch the device delivers (NULL: none). */
void mg_net_set_batch_end(struct mg_net *net, void (*fn)(void *arg), void *arg);

/* arp.c */
void mg_arp_input(struct mg_net *net, const uint8_t *buf, size_t len);
/* Send the IPv4 packet pkt (data = IP header) to next_hop's MAC; takes pkt. */
int mg_arp_output(struct mg_net *net, struct mg_pkt *pkt, uint32_t next_hop);
void mg_arp_announce(struct mg_net *net);
/* Retries and failures due by now; the earliest deadline still ahead (or MG_FOREVER). */
uint64_t mg_arp_tick(struct mg_net *net, uint64_t now);
void mg_arp_flush_all(struct mg_net *net);

/* ipv4.c */
/* l4_csum_ok: the device vouched for the transport checksum (netdev offloads). */
void mg_ipv4_input(struct mg_net *net, const uint8_t *buf, size_t len, bool l4_csum_ok);
void mg_ipv4_deliver(struct mg_net *net, const struct mg_ipv4_rx *rx);

/* reasm.c */
void mg_reasm_input(struct mg_net *net, const struct mg_ipv4_hdr *h, const uint8_t *buf);
uint64_t mg_reasm_tick(struct mg_net *net, uint64_t now);
void mg_reasm_free_all(struct mg_net *net);

/* icmp.c */
void mg_icmp_input(struct mg_net *net, const struct mg_ipv4_rx *rx);

/* udp.c */
void mg_udp_input(struct mg_net *net, const struct mg_ipv4_rx *rx);

#endif /* MORGANA_NET_INTERNAL_H */
