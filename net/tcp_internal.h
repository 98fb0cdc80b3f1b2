/* SPDX-License-Identifier: ISC */
/*
 * tcp_internal.h -- what the files of TCP share: the control block, the instance, and
 * the calls between input, output, timers, congestion control and the API.
 *
 * Sequence numbers are compared modulo 2^32 with seq_lt() and friends, never with <.
 */
#ifndef MORGANA_NET_TCP_INTERNAL_H
#define MORGANA_NET_TCP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <morgana/fiber.h>
#include <morgana/list.h>
#include <morgana/tcp.h>
#include <morgana/timer.h>
#include <morgana/trace.h>

#include "internal.h"

#define TCP_HASH_BUCKETS	16384
#define TCP_OOO_MAX		32	/* out-of-order ranges a receiver keeps */
#define TCP_SACK_MAX		32	/* SACKed ranges a sender remembers */
#define TCP_DUPTHRESH		3
#define TCP_DEFAULT_MSS		536	/* peer's MSS when it sends none (RFC 9293 3.7.1) */
#define TCP_IW_SEGS		10	/* initial window, RFC 6928 */
/* A super-segment's payload: what a 65535-byte datagram holds after the largest headers. */
#define TCP_TSO_MAX		(MG_IPV4_MAX_LEN - MG_IPV4_HDR_LEN - MG_TCP_HDR_MAX)
#define TCP_MAX_WSCALE		14
#define TCP_PERSIST_MIN_NS	(200ull * 1000000)
#define TCP_PERSIST_MAX_NS	(60ull * 1000000000)
#define TCP_TS_HZ		1000	/* timestamp clock: 1 ms */
#define TCP_PAWS_IDLE_NS	(24ull * 24 * 3600 * 1000000000)	/* RFC 7323 5.5 */
#define TCP_COOKIE_SLOT_NS	(64ull * 1000000000)
#define TCP_PMTU_MIN		576	/* "fragmentation needed" below this is not believed */
#define TCP_PMTU_CACHE		16	/* destinations whose path MTU is remembered */
#define TCP_PMTU_EXPIRE_NS	(600ull * 1000000000)	/* then the link's again (RFC 1191 6.3) */
#define TCP_TLP_MIN_NS		(10ull * 1000000)	/* shortest probe timeout (as Linux) */
#define TCP_TLP_DELACK_NS	(200ull * 1000000)	/* RFC 8985 7.2's WCDelAckT */
#define TCP_PRF_ISN		1	/* domains of tcp_prf() */
#define TCP_PRF_TS		2
#define TCP_PRF_COOKIE		0x1000	/* + the time slot */

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }
static inline uint32_t seq_min(uint32_t a, uint32_t b) { return seq_lt(a, b) ? a : b; }

/* A byte ring; buf is allocated when the first byte arrives and freed when empty. */
struct tcp_ring {
	uint8_t *buf;
	uint32_t cap;		/* capacity once allocated */
	uint32_t head;		/* index of the first byte */
	uint32_t len;		/* bytes held from head on */
};

struct tcp_range {
	uint32_t left, right;	/* sequence numbers [left, right) */
	uint64_t stamp;		/* receiver: when last extended (most recent goes first) */
};

enum tcp_ca_state {
	CA_OPEN = 0,
	CA_RECOVERY,		/* fast recovery, RFC 6675 / RFC 6582 */
	CA_LOSS,		/* after a retransmission timeout */
};

/* What a segment carried, parsed once by tcp_input(). */
struct tcp_seg {
	struct mg_tcp_hdr h;
	uint32_t src, dst;
	const uint8_t *data;
	uint32_t len;		/* payload bytes */
	uint32_t seq_len;	/* len + SYN + FIN */
};

/* Pending application events, delivered by tcp_notify() once the stack is done. */
#define EV_CONNECTED	0x01
#define EV_READABLE	0x02
#define EV_WRITABLE	0x04
#define EV_CLOSED	0x08

struct mg_tcp_conn {
	struct mg_list hash_link;	/* in tcp->conns[] while it has a 4-tuple */
	struct mg_list link;		/* listener's syn/accept queue, or tcp->all */
	struct mg_list batch_link;	/* in tcp->ack_batch: ACK at the batch's end */
	struct mg_tcp *tcp;
	struct mg_tcp_listener *listener;	/* until accepted */
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	enum mg_tcp_state state;

	bool hashed, owned, app_closed, nodelay, accepted;
	bool sack_ok, ts_ok, ws_ok;
	bool fin_queued;		/* shutdown: FIN follows the send buffer */
	bool fin_rcvd;			/* end of stream reached by the reader */
	bool ack_now, rst_on_close;
	unsigned busy;			/* callbacks running: do not free */
	unsigned events;		/* EV_* not yet delivered */
	int err;			/* why it closed, for the reader: 0 or -errno */

	/* Send side. */
	uint32_t iss, snd_una, snd_nxt;	/* snd_nxt: highest sent + 1 (never rewound) */
	uint32_t snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
	uint32_t sbuf_seq;		/* sequence number of the first byte in sbuf */
	uint8_t snd_wscale, rcv_wscale;
	uint16_t mss;			/* payload per segment, options excluded */
	uint16_t peer_mss;
	struct tcp_ring sbuf;
	uint32_t sndbuf;

	/* Receive side. */
	uint32_t irs, rcv_nxt, rcv_adv;	/* rcv_adv: right edge of the window we sent */
	struct tcp_ring rbuf;
	uint32_t rcvbuf;
	struct tcp_range ooo[TCP_OOO_MAX];
	unsigned ooo_count;
	unsigned segs_unacked;		/* full segments received since our last ACK */

	/* Timestamps (RFC 7323). */
	uint32_t ts_offset, ts_recent;
	uint64_t ts_recent_ns;

	/* RTT and retransmission (RFC 6298). */
	uint64_t srtt_ns, rttvar_ns, rto_ns;
	bool rtt_timing;
	uint32_t rtt_seq;
	uint64_t rtt_start_ns;
	unsigned retries;		/* consecutive timeouts */
	uint64_t rto_deadline, delack_deadline, persist_deadline, keep_deadline,
		 close_deadline;
	unsigned persist_backoff;
	struct mg_timer timer;

	/* Loss recovery (RFC 6675, RFC 6582) and congestion control. */
	enum tcp_ca_state ca;
	struct tcp_range sacked[TCP_SACK_MAX];
	unsigned sacked_count;
	uint32_t recover, high_rxt, lost_end;
	uint32_t rxt_nxt;		/* snd_nxt when we last retransmitted */
	uint64_t tlp_deadline;		/* tail loss probe timeout (RFC 8985 7) */
	uint32_t tlp_start, tlp_end;	/* the probe's sequence range, while tlp_out */
	bool tlp_out, tlp_retrans;	/* a probe is out; it resent old data */
	unsigned dupacks;
	uint32_t cwnd, ssthresh;
	uint32_t cc_acc;		/* bytes acked toward the next increase */
	uint64_t cubic_epoch_ns;	/* 0: no epoch running */
	uint32_t cubic_wmax, cubic_origin;	/* bytes */
	uint64_t cubic_k_ms;
	uint32_t cubic_west;		/* Reno-friendly estimate, bytes */

	/* Keepalive. */
	uint64_t keep_idle_ns, keep_intvl_ns, last_rx_ns;
	unsigned keep_count, keep_sent;

	uint64_t retransmits, bytes_acked, bytes_received;
	uint16_t challenge_tokens;
	uint64_t challenge_refill_ns;

	/* Application side. */
	struct mg_waitq readers, writers;
	struct mg_tcp_callbacks cb;
	void *cb_arg;
};

struct mg_tcp_listener {
	struct mg_list link;		/* tcp->listeners */
	struct mg_tcp *tcp;
	uint16_t port;
	unsigned backlog;
	struct mg_list syn_q, accept_q;
	unsigned syn_count, accept_count;
	mg_tcp_accept_cb accept;
	void *arg;
	struct mg_waitq waiters;
};

/* A connection in TIME_WAIT, reduced to what is needed to answer for it. */
struct tcp_tw {
	struct mg_list hash_link, fifo_link;
	uint32_t laddr, raddr;
	uint16_t lport, rport;
	uint32_t snd_nxt, rcv_nxt, rcv_wnd;
	bool ts_ok;
	uint32_t ts_offset, ts_recent;
	uint64_t expire_ns;
};

struct mg_tcp {
	struct mg_net *net;
	struct mg_tcp_config cfg;
	uint8_t secret[32];		/* ISNs, cookies, timestamp offsets, hash (RFC 6528) */
	uint64_t hash_key;
	struct mg_list conns[TCP_HASH_BUCKETS];
	struct mg_list tws[TCP_HASH_BUCKETS];
	struct mg_list listeners;
	struct mg_list all;		/* connections not on a listener's queue */
	struct mg_list ack_batch;	/* connections owing an ACK when the batch ends */
	size_t conn_count;
	struct tcp_tw *tw_mem;
	struct mg_list tw_free, tw_fifo;
	size_t tw_count;
	struct mg_timer tw_timer;
	uint8_t rcv_wscale;		/* what we offer: enough for rcvbuf */
	struct {			/* path MTUs learnt, so new connections start there */
		uint32_t addr;
		uint16_t mtu;
		uint64_t expire_ns;
	} pmtu[TCP_PMTU_CACHE];
};

/* tcp.c */
uint32_t tcp_prf(const struct mg_tcp *tcp, uint32_t domain, uint32_t laddr, uint16_t lport,
		 uint32_t raddr, uint16_t rport);
uint32_t tcp_isn(const struct mg_tcp *tcp, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport);
/* The timestamp clock (ms), and plus c's offset: what c sends as TSval. */
uint32_t tcp_ts_clock(void);
uint32_t tcp_ts_now(const struct mg_tcp_conn *c);
void tcp_hash_insert(struct mg_tcp_conn *c);
void tcp_hash_remove(struct mg_tcp_conn *c);
struct mg_tcp_conn *tcp_conn_alloc(struct mg_tcp *tcp, uint32_t laddr, uint16_t lport,
				   uint32_t raddr, uint16_t rport);
/* The segment size c starts with: its peer's MSS or what the path carries (the link's
 * MTU, or less if a path MTU to the peer was learnt in the last TCP_PMTU_EXPIRE_NS),
 * whichever is less, minus the timestamp option if c uses it. */
uint16_t tcp_start_mss(const struct mg_tcp_conn *c);
/* The connection reached CLOSED: unhash, stop timers, wake everyone; err for readers. */
void tcp_set_closed(struct mg_tcp_conn *c, int err);
void tcp_enter_timewait(struct mg_tcp_conn *c);
/* Free c if nobody needs it any more; true if it was freed. */
bool tcp_maybe_free(struct mg_tcp_conn *c);
void tcp_established(struct mg_tcp_conn *c);
void tcp_notify(struct mg_tcp_conn *c);
/* Record events for the callbacks and wake the fibers waiting for them. */
void tcp_event(struct mg_tcp_conn *c, unsigned ev);
void tcp_input(void *arg, struct mg_net *net, const struct mg_ipv4_rx *rx);
/* Owe c's peer an ACK, sent by tcp_batch_end() when the batch of frames ends. */
void tcp_ack_at_batch_end(struct mg_tcp_conn *c);
void tcp_batch_end(void *arg);
struct tcp_tw *tcp_tw_lookup(struct mg_tcp *tcp, uint32_t laddr, uint16_t lport,
			     uint32_t raddr, uint16_t rport);
void tcp_tw_insert(struct mg_tcp *tcp, struct tcp_tw *tw);

/* tcp_listen.c */
void tcp_listen_input(struct mg_tcp *tcp, struct tcp_seg *s);
/* The same; a new connection's ISN must lie at or above isn_floor if has_floor. */
void tcp_listen_input_floor(struct mg_tcp *tcp, struct tcp_seg *s, bool has_floor,
			    uint32_t isn_floor);
bool tcp_listener_established(struct mg_tcp_conn *c);
void tcp_listener_deliver(struct mg_tcp_conn *c);
bool tcp_tw_input(struct mg_tcp *tcp, struct tcp_tw *tw, struct tcp_seg *s);
void tcp_tw_remove(struct mg_tcp *tcp, struct tcp_tw *tw);

/* tcp_input.c */
void tcp_conn_input(struct mg_tcp_conn *c, struct tcp_seg *s);
bool tcp_syn_options(struct mg_tcp_conn *c, const struct tcp_seg *s);

/* tcp_output.c */
void tcp_output(struct mg_tcp_conn *c);
int tcp_send_flags(struct mg_tcp_conn *c, uint32_t seq, uint8_t flags);
void tcp_send_ack(struct mg_tcp_conn *c);
void tcp_send_challenge_ack(struct mg_tcp_conn *c);
void tcp_send_syn(struct mg_tcp_conn *c);
void tcp_send_tail_probe(struct mg_tcp_conn *c);
/* RST (and ACK if ack_flag) answering a segment that has no connection. */
void tcp_send_reset(struct mg_tcp *tcp, const struct tcp_seg *s);
int tcp_send_raw(struct mg_tcp *tcp, uint32_t laddr, uint16_t lport, uint32_t raddr,
		 uint16_t rport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
		 const struct mg_tcp_opts *opts);
uint32_t tcp_rcv_window(const struct mg_tcp_conn *c);
/* Payload bytes one send may carry: a super-segment's worth with offloads, else the MSS. */
uint32_t tcp_send_max(const struct mg_tcp_conn *c);
uint32_t tcp_pipe(const struct mg_tcp_conn *c);
bool tcp_is_lost_from(const struct mg_tcp_conn *c, uint32_t seq);
void tcp_sack_update(struct mg_tcp_conn *c, const struct mg_tcp_opts *o);
void tcp_sack_trim(struct mg_tcp_conn *c);
void tcp_sack_lost_retransmits(struct mg_tcp_conn *c, const struct mg_tcp_opts *o);

/* tcp_timer.c */
void tcp_timer_fire(void *arg);
void tcp_timer_update(struct mg_tcp_conn *c);
void tcp_rtt_sample(struct mg_tcp_conn *c, uint64_t rtt_ns);
void tcp_rto_restart(struct mg_tcp_conn *c);
void tcp_tlp_arm(struct mg_tcp_conn *c);
void tcp_tw_fire(void *arg);

/* tcp_cc.c */
void tcp_cc_init(struct mg_tcp_conn *c);
void tcp_cc_on_ack(struct mg_tcp_conn *c, uint32_t acked, uint32_t flight_before);
void tcp_cc_on_loss(struct mg_tcp_conn *c);	/* entering recovery */
void tcp_cc_on_rto(struct mg_tcp_conn *c);

/* tcp_buf.c */
uint32_t tcp_ring_room(const struct tcp_ring *r, uint32_t cap);
int tcp_ring_append(struct tcp_ring *r, uint32_t cap, const void *data, uint32_t len);
/* Write len bytes at offset off from head without changing len (for out-of-order data). */
int tcp_ring_write_at(struct tcp_ring *r, uint32_t cap, uint32_t off, const void *data,
		      uint32_t len);
void tcp_ring_read_at(const struct tcp_ring *r, uint32_t off, void *out, uint32_t len);
void tcp_ring_consume(struct tcp_ring *r, uint32_t len);
void tcp_ring_free(struct tcp_ring *r);
/* Add [left, right) to the sorted, disjoint ranges r[0..*n), merging what touches;
 * false (nothing changed) if a new range is needed and *n == max. */
bool tcp_ranges_add(struct tcp_range *r, unsigned *n, unsigned max, uint32_t left,
		    uint32_t right, uint64_t stamp);
/* Record [left, right) as received out of order; false if it cannot be kept. */
bool tcp_ooo_add(struct mg_tcp_conn *c, uint32_t left, uint32_t right);
/* rcv_nxt moved: drop ranges now below it; returns the new rcv_nxt if the first range
 * became contiguous (and removes it). */
uint32_t tcp_ooo_advance(struct mg_tcp_conn *c, uint32_t rcv_nxt);

#endif /* MORGANA_NET_TCP_INTERNAL_H */
