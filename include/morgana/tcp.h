/* SPDX-License-Identifier: ISC */
/*
 * tcp.h -- TCP (RFC 9293) on a stack (net.h).
 *
 * What it speaks: the full state machine, simultaneous open and close included; window
 * scaling and timestamps (RFC 7323); SACK (RFC 2018) with SACK-based loss recovery
 * (RFC 6675), NewReno (RFC 6582) towards peers without SACK; retransmission timeouts per
 * RFC 6298 (Karn's rule, exponential backoff); CUBIC (RFC 9438) or NewReno (RFC 5681)
 * congestion control; delayed ACKs; Nagle's algorithm (off with mg_tcp_set_nodelay());
 * zero-window probing; keepalive; the MSS clamped to the link's MTU; the protections
 * of RFC 5961 (challenge ACKs for blind RST, SYN and data injection); initial sequence
 * numbers per RFC 6528; a bounded SYN backlog per listener and SYN cookies when it is
 * full; a bounded TIME_WAIT table; random ephemeral ports (RFC 6056) that are reused
 * from TIME_WAIT when every port is taken.
 *
 * Bounds: connections (max_conns), TIME_WAIT entries (timewait_max), half-open and
 * not-yet-accepted connections per listener (backlog), bytes buffered per connection
 * and direction (sndbuf, rcvbuf). Buffers are allocated when data is there and freed
 * when it is gone, so an idle connection costs only its control block.
 *
 * Two ways to use a connection, which may be mixed:
 *  - fibers: mg_tcp_accept(), mg_tcp_dial(), mg_tcp_read() and mg_tcp_write() block the
 *    calling fiber only, until done or until a deadline on the mg_now_ns() clock
 *    (MG_FOREVER: none);
 *  - callbacks (mg_tcp_set_callbacks(), mg_tcp_listen()'s accept callback): called from
 *    the event loop, outside any fiber, after the stack has finished with the segment or
 *    timer that caused them. They MUST NOT block; they use the non-blocking calls
 *    mg_tcp_recv() and mg_tcp_send(), and may close the connection.
 *
 * A connection handle (struct mg_tcp_conn *) belongs to the application from
 * mg_tcp_connect()/mg_tcp_dial()/accept until mg_tcp_close() or mg_tcp_abort(); after
 * that the stack finishes the connection on its own (FIN handshake, TIME_WAIT) and the
 * handle MUST NOT be used. A connection that was reset or timed out stays readable as
 * "closed with an error" until the application closes it.
 *
 * Counters: struct mg_net_counters' tcp part (net.h). While tracing is on (trace.h),
 * the stack also records the MG_TRACE_TCP_* counters below as MG_TRACE_COUNTER events.
 */
#ifndef MORGANA_TCP_H
#define MORGANA_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/net.h>
#include <morgana/random.h>

#define MG_TCP_DEFAULT_BUF		(256 * 1024)
#define MG_TCP_MAX_BUF			(16 * 1024 * 1024)
#define MG_TCP_DEFAULT_MAX_CONNS	65536
#define MG_TCP_DEFAULT_TIMEWAIT_MAX	16384
#define MG_TCP_DEFAULT_BACKLOG		128
#define MG_TCP_EPHEMERAL_LO		49152	/* default range [LO, 65535] */

/* Trace counter ids of the TCP counters most traces want (struct mg_trace_event.fiber of
 * MG_TRACE_COUNTER events); every other counter has one too, MG_NET_COUNTER_ID (net.h). */
enum mg_trace_tcp_counter {
	MG_TRACE_TCP_SEGS_IN = MG_NET_COUNTER_ID(tcp, rx),
	MG_TRACE_TCP_SEGS_OUT = MG_NET_COUNTER_ID(tcp, tx),
	MG_TRACE_TCP_BYTES_QUEUED = MG_NET_COUNTER_ID(tcp, bytes_queued),
	MG_TRACE_TCP_BYTES_SENT = MG_NET_COUNTER_ID(tcp, bytes_sent),
	MG_TRACE_TCP_BYTES_ACKED = MG_NET_COUNTER_ID(tcp, bytes_acked),
	MG_TRACE_TCP_RETRANSMITS = MG_NET_COUNTER_ID(tcp, retransmits),
};

enum mg_tcp_cc {
	MG_TCP_CC_CUBIC = 0,		/* RFC 9438, the default */
	MG_TCP_CC_NEWRENO,		/* RFC 5681 + RFC 6582 */
};

/* Settings of one TCP instance; a zero field means the default in brackets. */
struct mg_tcp_config {
	uint32_t sndbuf, rcvbuf;	/* bytes per connection, <= MG_TCP_MAX_BUF [256 KiB] */
	uint64_t rto_min_ns;		/* 200 ms .. 1 s [200 ms] */
	uint64_t rto_max_ns;		/* [60 s] */
	uint64_t rto_initial_ns;	/* before the first RTT sample [1 s] */
	uint64_t delack_ns;		/* delayed-ACK timeout, < 500 ms [40 ms] */
	uint64_t msl_ns;		/* TIME_WAIT lasts 2 MSL [30 s] */
	uint64_t fin_wait2_ns;		/* FIN_WAIT_2 after close, before giving up [60 s] */
	uint32_t max_retries;		/* retransmissions before a connection times out [15] */
	uint32_t syn_retries;		/* SYN retransmissions of mg_tcp_connect() [6] */
	uint32_t max_conns;		/* connections at once, any state [65536] */
	uint32_t timewait_max;		/* TIME_WAIT entries; the oldest is dropped [16384] */
	uint16_t ephemeral_lo, ephemeral_hi;	/* local ports of mg_tcp_connect() [49152..65535] */
	uint32_t challenge_acks_per_sec;	/* per connection, RFC 5961 [10] */
	enum mg_tcp_cc cc;
	bool no_sack, no_timestamps, no_wscale;	/* do not offer these options */
	bool no_syncookies;		/* with a full backlog, drop SYNs instead */
	/* Where the secret, hash key and ephemeral ports come from; NULL: mg_random_*().
	 * Simulations pass a seeded generator to be repeatable. MUST outlive the instance. */
	struct mg_rng *rng;
};

struct mg_tcp;
struct mg_tcp_conn;
struct mg_tcp_listener;

enum mg_tcp_state {
	MG_TCP_CLOSED = 0, MG_TCP_LISTEN, MG_TCP_SYN_SENT, MG_TCP_SYN_RECEIVED,
	MG_TCP_ESTABLISHED, MG_TCP_FIN_WAIT_1, MG_TCP_FIN_WAIT_2, MG_TCP_CLOSE_WAIT,
	MG_TCP_CLOSING, MG_TCP_LAST_ACK, MG_TCP_TIME_WAIT,
};

/*
 * Start TCP on net (registers the IPv4 protocol handler). cfg may be NULL (defaults).
 * Returns 0, -EINVAL (a setting out of range), -EBUSY (TCP already runs on net) or
 * -ENOMEM.
 */
int mg_tcp_create(struct mg_net *net, const struct mg_tcp_config *cfg, struct mg_tcp **out);

/* Stop TCP: every connection is freed without a word to its peer (no RST), listeners
 * and TIME_WAIT entries too. No fiber may be blocked on any of them; handles die. */
void mg_tcp_destroy(struct mg_tcp *tcp);

struct mg_net *mg_tcp_net(struct mg_tcp *tcp);

/* --- passive open ----------------------------------------------------------------------- */

typedef void (*mg_tcp_accept_cb)(void *arg, struct mg_tcp_listener *l,
				 struct mg_tcp_conn *c);

/*
 * Listen on port (not 0). At most backlog (0: MG_TCP_DEFAULT_BACKLOG) connections may
 * be half-open, and at most backlog established but not yet accepted. Beyond the first
 * bound SYNs are answered with SYN cookies (unless the config says no_syncookies), beyond
 * the second the handshake's last ACK is dropped (the peer retries). With accept non-NULL
 * every new connection goes to accept(arg, l, c) and belongs to the application from
 * then on; otherwise fibers take them with mg_tcp_accept().
 * Returns 0, -EINVAL, -EADDRINUSE or -ENOMEM.
 */
int mg_tcp_listen(struct mg_tcp *tcp, uint16_t port, unsigned backlog, mg_tcp_accept_cb accept,
		  void *arg, struct mg_tcp_listener **out);

/*
 * From a fiber: wait for an established connection on l and hand it over. Returns 0,
 * -ETIMEDOUT, or -EINVAL (l has an accept callback).
 */
int mg_tcp_accept(struct mg_tcp_listener *l, struct mg_tcp_conn **out, uint64_t deadline_ns);

/* Stop listening: connections not yet accepted are reset. Returns 0, or -EBUSY (and does
 * nothing) while a fiber waits in mg_tcp_accept(). */
int mg_tcp_unlisten(struct mg_tcp_listener *l);

/* --- active open ------------------------------------------------------------------------ */

/*
 * Start connecting to dst:dport from a random ephemeral port; never blocks. The
 * handshake's outcome arrives as the connected or closed callback, or through
 * mg_tcp_wait_connected(). Returns 0, -EINVAL, -EADDRNOTAVAIL (no local port free for
 * this destination), -ENFILE (max_conns reached), -ENETUNREACH or -ENOMEM.
 */
int mg_tcp_connect(struct mg_tcp *tcp, uint32_t dst, uint16_t dport, struct mg_tcp_conn **out);

/* The same from local port lport (0: a random ephemeral port, as mg_tcp_connect());
 * -EADDRINUSE if that 4-tuple is taken. Two sides connecting to each other's port at
 * once meet in a simultaneous open (RFC 9293 3.5). */
int mg_tcp_connect_from(struct mg_tcp *tcp, uint16_t lport, uint32_t dst, uint16_t dport,
			struct mg_tcp_conn **out);

/* From a fiber: wait until c is established (0), refused (-ECONNREFUSED), timed out
 * (-ETIMEDOUT) or the deadline passed (-ETIMEDOUT too; c is still connecting). */
int mg_tcp_wait_connected(struct mg_tcp_conn *c, uint64_t deadline_ns);

/* mg_tcp_connect() + mg_tcp_wait_connected(); on failure the connection is aborted and
 * *out is not set. */
int mg_tcp_dial(struct mg_tcp *tcp, uint32_t dst, uint16_t dport, uint64_t deadline_ns,
		struct mg_tcp_conn **out);

/* --- data ------------------------------------------------------------------------------- */

/*
 * From a fiber: wait until c has data, then copy up to size bytes into buf. Returns the
 * number of bytes (>= 1), 0 at the end of the stream (the peer sent FIN), -ECONNRESET,
 * -ETIMEDOUT (the connection timed out, or the deadline passed), -ENOTCONN (never
 * established) or -EINVAL.
 */
long mg_tcp_read(struct mg_tcp_conn *c, void *buf, size_t size, uint64_t deadline_ns);

/*
 * From a fiber: queue all len bytes for sending, waiting for room in the send buffer as
 * often as needed. Returns len, or the bytes queued before an error or the deadline if
 * any, else -ETIMEDOUT, -EPIPE (after mg_tcp_shutdown()), -ECONNRESET, -ENOTCONN.
 */
long mg_tcp_write(struct mg_tcp_conn *c, const void *buf, size_t len, uint64_t deadline_ns);

/* Non-blocking: like mg_tcp_read() and mg_tcp_write() but -EAGAIN instead of waiting;
 * mg_tcp_send() queues what fits and returns how much that was. */
long mg_tcp_recv(struct mg_tcp_conn *c, void *buf, size_t size);
long mg_tcp_send(struct mg_tcp_conn *c, const void *buf, size_t len);

/* Bytes ready to read; bytes of room in the send buffer. */
size_t mg_tcp_readable(const struct mg_tcp_conn *c);
size_t mg_tcp_writable(const struct mg_tcp_conn *c);

/* Send FIN once the queued data is out; reading goes on. Returns 0, -ENOTCONN. */
int mg_tcp_shutdown(struct mg_tcp_conn *c);

/*
 * Give the handle back. Queued data is still delivered and the connection closed with
 * FIN, unless received data was left unread: then the peer gets a RST (RFC 9293
 * 3.6.1 recommends telling it that data was lost). Returns 0, or -EBUSY (and does
 * nothing) while a fiber is blocked on c.
 */
int mg_tcp_close(struct mg_tcp_conn *c);

/* Reset the connection (RST) and give the handle back; -EBUSY as above. */
int mg_tcp_abort(struct mg_tcp_conn *c);

/* --- options and callbacks ------------------------------------------------------------- */

void mg_tcp_set_nodelay(struct mg_tcp_conn *c, bool nodelay);
/* Probe after idle_ns without traffic, every interval_ns, count times, then time out.
 * idle_ns 0 turns keepalive off (the default). */
void mg_tcp_set_keepalive(struct mg_tcp_conn *c, uint64_t idle_ns, uint64_t interval_ns,
			  unsigned count);

struct mg_tcp_callbacks {
	void (*connected)(void *arg, struct mg_tcp_conn *c);	/* active open done */
	void (*readable)(void *arg, struct mg_tcp_conn *c);	/* data or end of stream */
	void (*writable)(void *arg, struct mg_tcp_conn *c);	/* send buffer has room */
	/* Reset, timed out or refused (err < 0), or finished cleanly (0) after both FINs.
	 * The application still owns c and MUST close it. */
	void (*closed)(void *arg, struct mg_tcp_conn *c, int err);
};

/* Any member may be NULL. The callbacks are copied. */
void mg_tcp_set_callbacks(struct mg_tcp_conn *c, const struct mg_tcp_callbacks *cb,
			  void *arg);

struct mg_tcp_info {
	enum mg_tcp_state state;
	uint32_t local_addr, remote_addr;
	uint16_t local_port, remote_port;
	uint16_t mss;			/* payload bytes per segment we send */
	bool sack, timestamps, wscale;	/* negotiated */
	uint32_t cwnd, ssthresh;	/* bytes */
	uint32_t snd_wnd, rcv_wnd;
	uint64_t srtt_ns, rto_ns;
	uint64_t retransmits, bytes_acked, bytes_received;
};

void mg_tcp_info(const struct mg_tcp_conn *c, struct mg_tcp_info *info);
const char *mg_tcp_state_name(enum mg_tcp_state s);

/* Live connections (all states but TIME_WAIT), TIME_WAIT entries. */
size_t mg_tcp_conn_count(const struct mg_tcp *tcp);
size_t mg_tcp_timewait_count(const struct mg_tcp *tcp);

#endif /* MORGANA_TCP_H */
