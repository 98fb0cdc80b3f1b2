/* SPDX-License-Identifier: ISC */
/*
 * net_tcp_rfc.c -- one simulated scenario per TCP behaviour the RFCs ask for:
 * simultaneous open and close, RFC 5961's challenge ACKs, SYN cookies under a full
 * backlog, zero-window probing, RTO backoff, SACK recovery that resends only the holes,
 * the TIME_WAIT bound, and 70,000 sequential connections through a small port range.
 *
 * Each scenario runs inside the runtime on the fake platform and records what it saw
 * in `res`; the test then checks it (cmocka's asserts must not jump out of a fiber).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/fiber.h>
#include <morgana/runtime.h>

#include "fake_plat.h"
#include "tcp_sim.h"

#define MS	1000000ull
#define SEC	1000000000ull
#define MAX_TIMES 64

static struct {
	int err[4];
	enum mg_tcp_state state[2];
	struct mg_net_counters c[2];
	size_t tw[2], conns[2];
	char data[2][64];
	uint64_t times[MAX_TIMES];	/* when the segments of interest were sent */
	size_t ntimes;
	uint64_t count[4];
	struct mg_tcp_info info;
} res;

/* --- the harness ------------------------------------------------------------------------ */

static int (*scenario)(struct sim *s);
static struct mg_sim_link_config link_cfg;
static struct mg_tcp_config tcp_cfg[2];

static int
scenario_main(int argc, char **argv)
{
	struct sim s;
	int rc;

	(void)argc;
	(void)argv;
	if (sim_open(&s, 42, &link_cfg, &tcp_cfg[0], &tcp_cfg[1]) != 0)
		return 100;
	rc = scenario(&s);
	for (unsigned i = 0; i < 2; i++) {
		res.c[i] = *mg_net_counters(s.net[i]);
		res.tw[i] = mg_tcp_timewait_count(s.tcp[i]);
		res.conns[i] = mg_tcp_conn_count(s.tcp[i]);
	}
	sim_close(&s);
	return rc;
}

/* Run fn over a link delaying 10 ms each way (or link if given). */
static int
run(int (*fn)(struct sim *s), const struct mg_sim_link_config *link,
    const struct mg_tcp_config *t0, const struct mg_tcp_config *t1)
{
	int rc;

	memset(&res, 0, sizeof(res));
	memset(&link_cfg, 0, sizeof(link_cfg));
	link_cfg.delay_ns = 10 * MS;
	if (link != NULL)
		link_cfg = *link;
	memset(tcp_cfg, 0, sizeof(tcp_cfg));
	if (t0 != NULL)
		tcp_cfg[0] = *t0;
	if (t1 != NULL)
		tcp_cfg[1] = *t1;
	scenario = fn;
	fake_reset();
	rc = fake_run(scenario_main, "");
	if (rc != 0)
		print_message("# scenario: %d %s\n", rc, fake_console());
	return rc;
}

static void
wait_closed(struct sim *s, uint64_t limit_ns)
{
	uint64_t end = mg_now_ns() + limit_ns;

	while ((mg_tcp_conn_count(s->tcp[0]) > 0 || mg_tcp_conn_count(s->tcp[1]) > 0) &&
	       mg_now_ns() < end)
		mg_sleep_ns(10 * MS);
}

/* Server side of a connection: accept one, keep it in *out. */
struct acceptor {
	struct mg_tcp_listener *l;
	struct mg_tcp_conn *c;
	int err;
};

static int
accept_one(void *arg)
{
	struct acceptor *a = arg;

	a->err = mg_tcp_accept(a->l, &a->c, mg_now_ns() + 60 * SEC);
	return a->err;
}

/* Establish a connection side 0 -> side 1:SIM_PORT; *client and *server set. */
static int
establish(struct sim *s, unsigned backlog, struct mg_tcp_conn **client,
	  struct mg_tcp_conn **server, struct mg_tcp_listener **lp)
{
	struct acceptor a = { 0 };
	struct mg_fiber *f;
	int err;

	if ((err = mg_tcp_listen(s->tcp[1], SIM_PORT, backlog, NULL, NULL, &a.l)) != 0)
		return err;
	f = mg_fiber_spawn("accept", accept_one, &a, 0);
	err = mg_tcp_dial(s->tcp[0], SIM_ADDR1, SIM_PORT, mg_now_ns() + 60 * SEC, client);
	mg_fiber_join(f, NULL);
	if (err == 0)
		err = a.err;
	*server = a.c;
	if (lp != NULL)
		*lp = a.l;
	return err;
}

/* --- simultaneous open and close (RFC 9293 3.5, 3.6) ------------------------------------ */

static int
simultaneous(struct sim *s, bool close_too)
{
	struct mg_tcp_conn *a, *b;
	char buf[16];

	res.err[0] = mg_tcp_connect_from(s->tcp[0], 4000, SIM_ADDR1, 5000, &a);
	res.err[1] = mg_tcp_connect_from(s->tcp[1], 5000, SIM_ADDR0, 4000, &b);
	if (res.err[0] || res.err[1])
		return 1;
	res.err[0] = mg_tcp_wait_connected(a, mg_now_ns() + 10 * SEC);
	res.err[1] = mg_tcp_wait_connected(b, mg_now_ns() + 10 * SEC);
	if (res.err[0] || res.err[1])
		return 2;
	(void)mg_tcp_write(a, "ping", 4, MG_FOREVER);
	(void)mg_tcp_write(b, "pong", 4, MG_FOREVER);
	memset(buf, 0, sizeof(buf));
	if (mg_tcp_read(b, buf, 4, mg_now_ns() + 10 * SEC) == 4)
		memcpy(res.data[1], buf, 4);
	if (mg_tcp_read(a, buf, 4, mg_now_ns() + 10 * SEC) == 4)
		memcpy(res.data[0], buf, 4);
	res.state[0] = (mg_tcp_info(a, &res.info), res.info.state);
	res.state[1] = (mg_tcp_info(b, &res.info), res.info.state);
	if (close_too) {
		/* Both FINs cross: FIN_WAIT_1 -> CLOSING -> TIME_WAIT on both sides. */
		(void)mg_tcp_shutdown(a);
		(void)mg_tcp_shutdown(b);
		res.err[2] = (int)mg_tcp_read(a, buf, sizeof(buf), mg_now_ns() + 10 * SEC);
		res.err[3] = (int)mg_tcp_read(b, buf, sizeof(buf), mg_now_ns() + 10 * SEC);
	}
	(void)mg_tcp_close(a);
	(void)mg_tcp_close(b);
	wait_closed(s, 10 * SEC);
	return 0;
}

static int
simultaneous_open(struct sim *s)
{
	return simultaneous(s, false);
}

static int
simultaneous_close(struct sim *s)
{
	return simultaneous(s, true);
}

static void
simultaneous_open_makes_one_connection_without_a_listener(void **state)
{
	(void)state;
	assert_int_equal(run(simultaneous_open, NULL, NULL, NULL), 0);
	assert_int_equal(res.state[0], MG_TCP_ESTABLISHED);
	assert_int_equal(res.state[1], MG_TCP_ESTABLISHED);
	assert_string_equal(res.data[1], "ping");
	assert_string_equal(res.data[0], "pong");
	assert_int_equal(res.c[0].tcp.passive_opens + res.c[1].tcp.passive_opens, 0);
	assert_int_equal(res.c[0].tcp.active_opens + res.c[1].tcp.active_opens, 2);
	assert_int_equal(res.c[0].tcp.resets_tx + res.c[1].tcp.resets_tx, 0);
}

static void
simultaneous_close_leaves_both_sides_in_time_wait(void **state)
{
	(void)state;
	assert_int_equal(run(simultaneous_close, NULL, NULL, NULL), 0);
	assert_int_equal(res.err[2], 0);	/* end of stream on both */
	assert_int_equal(res.err[3], 0);
	assert_int_equal(res.tw[0], 1);
	assert_int_equal(res.tw[1], 1);
	assert_int_equal(res.conns[0] + res.conns[1], 0);
	assert_int_equal(res.c[0].tcp.resets_tx + res.c[1].tcp.resets_tx, 0);
}

/* --- RFC 5961: blind RST, SYN and data injection ----------------------------------------- */

static struct sim_seg last_from[2];

static bool
record_last(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;

	(void)arg;
	if (sim_parse(frame, len, &seg))
		last_from[from] = seg;
	return false;
}

/* A connection with "hello" delivered and all quiet; what the server expects next, from
 * the client's last segment, for segments injected as if the client sent them. */
static int
establish_for_injection(struct sim *s, struct mg_tcp_conn **client,
			struct mg_tcp_conn **server, uint32_t *rcv_nxt, uint32_t *snd_nxt,
			uint16_t *cport)
{
	char buf[8];

	mg_sim_link_set_filter(s->link, record_last, NULL);
	if (establish(s, 0, client, server, NULL) != 0)
		return 1;
	(void)mg_tcp_write(*client, "hello", 5, MG_FOREVER);
	(void)mg_tcp_read(*server, buf, sizeof(buf), mg_now_ns() + SEC);
	mg_sleep_ns(SEC);
	*rcv_nxt = last_from[0].h.seq + (uint32_t)last_from[0].len;
	*snd_nxt = last_from[0].h.ack;
	*cport = last_from[0].h.sport;
	return 0;
}

static int
blind_attacks(struct sim *s)
{
	struct mg_tcp_conn *client, *server;
	uint32_t rcv_nxt, snd_nxt;
	uint16_t cport;
	char buf[8];

	if (establish_for_injection(s, &client, &server, &rcv_nxt, &snd_nxt, &cport) != 0)
		return 1;
#define INJECT(seq, ack, flags) \
	sim_inject_tcp(s, 1, SIM_ADDR0, cport, SIM_ADDR1, SIM_PORT, (seq), (ack), (flags), \
		       1000, NULL, 0)
	res.count[0] = mg_net_counters(s->net[1])->tcp.challenge_acks;
	(void)INJECT(rcv_nxt + 1000, 0, MG_TCP_RST);		/* in window, not exact */
	mg_sleep_ns(100 * MS);
	(void)INJECT(rcv_nxt + 77777, 0, MG_TCP_SYN);		/* SYN on a live connection */
	mg_sleep_ns(100 * MS);
	(void)INJECT(rcv_nxt, snd_nxt - 0x40000000u, MG_TCP_ACK);	/* ACK far too old */
	mg_sleep_ns(100 * MS);
	res.count[1] = mg_net_counters(s->net[1])->tcp.challenge_acks;
	(void)INJECT(rcv_nxt + 0x20000000u, 0, MG_TCP_RST);	/* outside the window */
	mg_sleep_ns(100 * MS);
	res.count[2] = mg_net_counters(s->net[1])->tcp.challenge_acks;
	mg_tcp_info(server, &res.info);
	res.state[0] = res.info.state;
	(void)INJECT(rcv_nxt, 0, MG_TCP_RST);			/* exact: resets */
#undef INJECT
	res.err[0] = (int)mg_tcp_read(server, buf, sizeof(buf), mg_now_ns() + SEC);
	mg_tcp_info(server, &res.info);
	res.state[1] = res.info.state;
	(void)mg_tcp_close(server);
	(void)mg_tcp_abort(client);
	return 0;
}

static void
blind_rst_syn_and_old_acks_get_challenge_acks_and_only_an_exact_rst_resets(void **state)
{
	(void)state;
	assert_int_equal(run(blind_attacks, NULL, NULL, NULL), 0);
	assert_int_equal(res.count[1] - res.count[0], 3);	/* RST, SYN, old ACK */
	assert_int_equal(res.count[2], res.count[1]);	/* out-of-window RST: silence */
	assert_int_equal(res.state[0], MG_TCP_ESTABLISHED);
	assert_int_equal(res.err[0], -ECONNRESET);
	assert_int_equal(res.state[1], MG_TCP_CLOSED);
	assert_int_equal(res.c[1].tcp.resets_rx, 1);
}

/* A confused peer: data out of order, then a FIN below it, at the next byte expected. */
static int
fin_below_out_of_order_data(struct sim *s)
{
	static const char junk[100] = "above the end of the stream";
	struct mg_tcp_conn *client, *server;
	uint32_t rcv_nxt, snd_nxt;
	uint16_t cport;
	char buf[8];

	if (establish_for_injection(s, &client, &server, &rcv_nxt, &snd_nxt, &cport) != 0)
		return 1;
	(void)sim_inject_tcp(s, 1, SIM_ADDR0, cport, SIM_ADDR1, SIM_PORT, rcv_nxt + 10, snd_nxt,
			     MG_TCP_ACK, 1000, junk, sizeof(junk));
	mg_sleep_ns(100 * MS);
	res.count[0] = last_from[1].h.opts.sack_count;	/* the hole is SACKed */
	(void)sim_inject_tcp(s, 1, SIM_ADDR0, cport, SIM_ADDR1, SIM_PORT, rcv_nxt, snd_nxt,
			     MG_TCP_FIN | MG_TCP_ACK, 1000, NULL, 0);
	mg_sleep_ns(100 * MS);
	res.count[1] = last_from[1].h.opts.sack_count;
	res.count[2] = last_from[1].h.ack - rcv_nxt;
	res.err[0] = (int)mg_tcp_read(server, buf, sizeof(buf), mg_now_ns() + SEC);
	(void)mg_tcp_abort(server);
	(void)mg_tcp_abort(client);
	return 0;
}

static void
data_above_a_fin_is_forgotten(void **state)
{
	(void)state;
	assert_int_equal(run(fin_below_out_of_order_data, NULL, NULL, NULL), 0);
	assert_int_equal(res.count[0], 1);
	assert_int_equal(res.count[1], 0);	/* no SACK for what lies past the end */
	assert_int_equal(res.count[2], 1);	/* the FIN is acked */
	assert_int_equal(res.err[0], 0);	/* end of stream, nothing after it */
}

/* --- SYN cookies --------------------------------------------------------------------------- */

static int
syn_flood_then_client(struct sim *s)
{
	struct mg_tcp_conn *client, *server;
	struct mg_tcp_listener *l;
	struct acceptor a = { 0 };
	struct mg_fiber *f;
	char buf[8] = { 0 };

	if (mg_tcp_listen(s->tcp[1], SIM_PORT, 4, NULL, NULL, &l) != 0)
		return 1;
	/* Half-open connections from addresses that never answer fill the backlog. */
	for (uint32_t i = 0; i < 4; i++)
		(void)sim_inject_tcp(s, 1, 0x0a000064u + i, 1111, SIM_ADDR1, SIM_PORT,
				     1000 * i, 0, MG_TCP_SYN, 1000, NULL, 0);
	mg_sleep_ns(10 * MS);
	a.l = l;
	f = mg_fiber_spawn("accept", accept_one, &a, 0);
	res.err[0] = mg_tcp_dial(s->tcp[0], SIM_ADDR1, SIM_PORT, mg_now_ns() + 30 * SEC,
				 &client);
	mg_fiber_join(f, NULL);
	res.err[1] = a.err;
	if (res.err[0] != 0 || res.err[1] != 0)
		return 0;
	server = a.c;
	mg_tcp_info(server, &res.info);
	(void)mg_tcp_write(client, "cookie", 6, MG_FOREVER);
	(void)mg_tcp_read(server, buf, 6, mg_now_ns() + SEC);
	memcpy(res.data[1], buf, 6);
	(void)mg_tcp_close(client);
	(void)mg_tcp_close(server);
	(void)mg_tcp_unlisten(l);
	return 0;
}

static void
a_full_backlog_answers_with_syn_cookies_and_the_client_gets_through(void **state)
{
	(void)state;
	assert_int_equal(run(syn_flood_then_client, NULL, NULL, NULL), 0);
	assert_int_equal(res.err[0], 0);
	assert_int_equal(res.err[1], 0);
	assert_int_equal(res.c[1].tcp.syncookies_sent, 1);
	assert_int_equal(res.c[1].tcp.syncookies_ok, 1);
	assert_string_equal(res.data[1], "cookie");
	/* The options travelled in the cookie's timestamp. */
	assert_true(res.info.sack);
	assert_true(res.info.wscale);
	assert_true(res.info.timestamps);
}

static void
without_cookies_a_full_backlog_drops_syns(void **state)
{
	struct mg_tcp_config t1 = { .no_syncookies = true, .syn_retries = 2 };

	(void)state;
	assert_int_equal(run(syn_flood_then_client, NULL, NULL, &t1), 0);
	assert_int_equal(res.c[1].tcp.syncookies_sent, 0);
	assert_true(res.c[1].tcp.drop_backlog >= 1);
	/* Once the half-open ones time out, the client's SYN retry gets in. */
	assert_int_equal(res.err[0], 0);
}

/* --- zero window ------------------------------------------------------------------------- */

static struct {
	uint32_t last_ack_from_1;
	bool seen;
} zw;

static bool
record_probes(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;

	(void)arg;
	if (!sim_parse(frame, len, &seg))
		return false;
	if (from == 1) {
		zw.last_ack_from_1 = seg.h.ack;
		zw.seen = true;
	} else if (zw.seen && seg.len == 0 && seg.h.seq + 1 == zw.last_ack_from_1 &&
		   res.ntimes < MAX_TIMES) {
		res.times[res.ntimes++] = mg_now_ns();
	}
	return false;
}

#define BULK_MAX	(256 * 1024)
static size_t bulk_len;		/* what bulk_writer writes; set before spawning it */

static int
bulk_writer(void *arg)
{
	static uint8_t buf[BULK_MAX];
	struct mg_tcp_conn *c = arg;

	for (size_t i = 0; i < bulk_len; i++)
		buf[i] = sim_pattern(5, i);
	return mg_tcp_write(c, buf, bulk_len, MG_FOREVER) == (long)bulk_len ? 0 : -1;
}

/* Side 0 writes len pattern bytes to side 1 through filter, which reads and checks them
 * all; res.count[0] = bytes read. Returns 0, 1 if no connection, 2 if a byte differed,
 * or the writer's error. */
static int
bulk_transfer(struct sim *s, mg_sim_filter filter, size_t len)
{
	struct mg_tcp_conn *client, *server;
	static uint8_t buf[16384];
	struct mg_fiber *w;
	uint64_t got = 0;
	int ws = -1;

	if (establish(s, 0, &client, &server, NULL) != 0)
		return 1;
	mg_sim_link_set_filter(s->link, filter, NULL);
	bulk_len = len;
	w = mg_fiber_spawn("writer", bulk_writer, client, 0);
	while (got < len) {
		long n = mg_tcp_read(server, buf, sizeof(buf), mg_now_ns() + 30 * SEC);

		if (n <= 0)
			break;
		for (long i = 0; i < n; i++)
			if (buf[i] != sim_pattern(5, got + (uint64_t)i))
				return 2;
		got += (uint64_t)n;
	}
	mg_fiber_join(w, &ws);
	res.count[0] = got;
	(void)mg_tcp_close(client);
	(void)mg_tcp_close(server);
	return ws;
}

static int
zero_window(struct sim *s)
{
	struct mg_tcp_conn *client, *server;
	static uint8_t buf[4096];
	struct mg_fiber *w;
	uint64_t got = 0;
	int ws = -1;

	memset(&zw, 0, sizeof(zw));
	if (establish(s, 0, &client, &server, NULL) != 0)
		return 1;
	mg_sim_link_set_filter(s->link, record_probes, NULL);
	bulk_len = 64 * 1024;
	w = mg_fiber_spawn("writer", bulk_writer, client, 0);
	mg_sleep_ns(30 * SEC);		/* the server does not read: its window closes */
	res.count[0] = mg_net_counters(s->net[0])->tcp.zero_window_probes;
	while (got < 64 * 1024) {
		long n = mg_tcp_read(server, buf, sizeof(buf), mg_now_ns() + 10 * SEC);

		if (n <= 0)
			break;
		for (long i = 0; i < n; i++)
			if (buf[i] != sim_pattern(5, got + (uint64_t)i))
				return 2;
		got += (uint64_t)n;
	}
	res.count[1] = got;
	mg_fiber_join(w, &ws);
	res.err[0] = ws;
	(void)mg_tcp_close(client);
	(void)mg_tcp_close(server);
	return 0;
}

static void
a_closed_window_is_probed_with_backoff_and_the_transfer_resumes(void **state)
{
	struct mg_tcp_config small = { .rcvbuf = 8192, .sndbuf = 8192 };

	(void)state;
	assert_int_equal(run(zero_window, NULL, &small, &small), 0);
	assert_true(res.count[0] >= 3);
	assert_true(res.ntimes >= 3);
	/* Each probe waits at least as long as the one before, and they back off. */
	for (size_t i = 2; i < res.ntimes; i++)
		assert_true(res.times[i] - res.times[i - 1] >= res.times[i - 1] - res.times[i - 2]);
	assert_true(res.times[2] - res.times[1] >= 2 * (res.times[1] - res.times[0]) - MS);
	assert_int_equal(res.count[1], 64 * 1024);
	assert_int_equal(res.err[0], 0);
}

/* --- RTO backoff ------------------------------------------------------------------------- */

static bool blackhole;

static bool
drop_from_0_when_blackholed(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;

	(void)arg;
	if (!blackhole || from != 0)
		return false;
	if (sim_parse(frame, len, &seg) && seg.len > 0 && res.ntimes < MAX_TIMES)
		res.times[res.ntimes++] = mg_now_ns();
	return true;
}

static int
rto_backoff(struct sim *s)
{
	struct mg_tcp_conn *client, *server;
	char buf[8];

	blackhole = false;
	mg_sim_link_set_filter(s->link, drop_from_0_when_blackholed, NULL);
	if (establish(s, 0, &client, &server, NULL) != 0)
		return 1;
	blackhole = true;
	(void)mg_tcp_write(client, "lost", 4, MG_FOREVER);
	res.err[0] = (int)mg_tcp_read(client, buf, sizeof(buf), MG_FOREVER);
	mg_tcp_info(client, &res.info);
	(void)mg_tcp_close(client);
	(void)mg_tcp_abort(server);
	return 0;
}

static void
retransmission_timeouts_double_until_the_connection_gives_up(void **state)
{
	struct mg_tcp_config t0 = { .max_retries = 6 };

	(void)state;
	assert_int_equal(run(rto_backoff, NULL, &t0, NULL), 0);
	assert_int_equal(res.ntimes, 7);		/* the first send and 6 retries */
	assert_true(res.times[1] - res.times[0] >= 200 * MS);	/* never below RTO min */
	for (size_t i = 2; i < res.ntimes; i++) {
		uint64_t prev = res.times[i - 1] - res.times[i - 2];
		uint64_t cur = res.times[i] - res.times[i - 1];

		assert_true(cur >= 2 * prev - MS && cur <= 2 * prev + MS);
	}
	assert_int_equal(res.err[0], -ETIMEDOUT);
	assert_int_equal(res.c[0].tcp.timeouts, 7);
	assert_int_equal(res.c[0].tcp.conn_timeouts, 1);
}

/* --- SACK recovery ----------------------------------------------------------------------- */

/* Where side 0's stream of data began, as a filter saw it. */
struct stream_start {
	uint32_t seq;
	bool seen;
};

/* Whether frame is a segment of side 0 carrying data; if so, parsed into seg, with off
 * its offset from the first data byte the filter saw (recorded in st). */
static bool
side0_data(unsigned from, const uint8_t *frame, size_t len, struct stream_start *st,
	   struct sim_seg *seg, uint32_t *off)
{
	if (from != 0 || !sim_parse(frame, len, seg) || seg->len == 0)
		return false;
	if (!st->seen) {
		st->seq = seg->h.seq;
		st->seen = true;
	}
	*off = seg->h.seq - st->seq;
	return true;
}

static struct {
	struct stream_start start;
	uint32_t max_end;
	uint32_t dropped[8];
	size_t ndropped;
	uint32_t resent[16];
	size_t nresent;
} sk;

static bool
drop_three_segments(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;
	uint32_t idx, off;

	(void)arg;
	if (!side0_data(from, frame, len, &sk.start, &seg, &off))
		return false;
	if (off + (uint32_t)seg.len <= sk.max_end) {	/* a retransmission */
		if (sk.nresent < 16)
			sk.resent[sk.nresent++] = seg.h.seq;
		return false;
	}
	sk.max_end = off + (uint32_t)seg.len;
	idx = off / (uint32_t)seg.len;
	if ((idx == 20 || idx == 21 || idx == 35) && sk.ndropped < 8) {
		sk.dropped[sk.ndropped++] = seg.h.seq;
		return true;
	}
	return false;
}

static int
sack_recovery(struct sim *s)
{
	memset(&sk, 0, sizeof(sk));
	return bulk_transfer(s, drop_three_segments, 64 * 1024);
}

static void
sack_recovery_resends_exactly_the_lost_segments(void **state)
{
	(void)state;
	assert_int_equal(run(sack_recovery, NULL, NULL, NULL), 0);
	assert_int_equal(res.count[0], 64 * 1024);
	assert_int_equal(sk.ndropped, 3);
	assert_int_equal(sk.nresent, 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(sk.resent[i], sk.dropped[i]);
	assert_int_equal(res.c[0].tcp.timeouts, 0);
	assert_true(res.c[0].tcp.fast_retransmits >= 1);
	assert_int_equal(res.c[0].tcp.retransmits, 3);
}

/* Drop segment 20 of the stream, and its first retransmission too. */
static struct {
	struct stream_start start;
	unsigned sends;
} lr;

static bool
drop_a_retransmission(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;
	uint32_t off;

	(void)arg;
	if (!side0_data(from, frame, len, &lr.start, &seg, &off) ||
	    off != 20 * (uint32_t)seg.len)
		return false;
	return ++lr.sends <= 2;
}

#define LR_BYTES	BULK_MAX

static int
lost_retransmission(struct sim *s)
{
	memset(&lr, 0, sizeof(lr));
	return bulk_transfer(s, drop_a_retransmission, LR_BYTES);
}

/* A retransmission is lost too. New data sent after it arrives and is SACKed -- as an
 * extension of the SACK block already above the hole, whose left edge lies below the
 * new data -- which shows the retransmission lost: it goes out again at once, with no
 * timeout. */
static void
a_lost_retransmission_is_found_when_later_data_arrives(void **state)
{
	(void)state;
	assert_int_equal(run(lost_retransmission, NULL, NULL, NULL), 0);
	assert_int_equal(res.count[0], LR_BYTES);
	assert_int_equal(lr.sends, 3);
	assert_int_equal(res.c[0].tcp.timeouts, 0);
}

/* --- tail loss probe (RFC 8985 7) -------------------------------------------------------- */

#define TAIL_BYTES	(8 * 1448)	/* one initial window of full segments */

static struct tail_drops {
	struct stream_start start;
	uint32_t max_end;
	uint32_t drop;		/* bit i: drop the first sending of segment i */
	unsigned dropped;
} tl;

/* Drop the first sending of the flight's segments (of 1448 bytes) whose bit is set in
 * tl.drop, by the segment that holds a frame's last byte. */
static bool
drop_first_sendings(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;
	uint32_t end, idx;

	(void)arg;
	if (!side0_data(from, frame, len, &tl.start, &seg, &end))
		return false;
	end += (uint32_t)seg.len;
	if (end <= tl.max_end)
		return false;		/* sent again */
	tl.max_end = end;
	idx = (end - 1) / 1448;
	if (idx < 32 && (tl.drop & (1u << idx))) {
		tl.dropped++;
		return true;
	}
	return false;
}

static int
tail_loss(struct sim *s)
{
	struct mg_tcp_conn *client, *server;
	static uint8_t buf[TAIL_BYTES];
	uint64_t got = 0;

	if (establish(s, 0, &client, &server, NULL) != 0)
		return 1;
	mg_sim_link_set_filter(s->link, drop_first_sendings, NULL);
	res.times[0] = mg_now_ns();
	if (mg_tcp_write(client, buf, sizeof(buf), MG_FOREVER) != (long)sizeof(buf))
		return 2;
	while (got < sizeof(buf)) {
		long n = mg_tcp_read(server, buf, sizeof(buf), mg_now_ns() + 30 * SEC);

		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	res.times[1] = mg_now_ns();
	res.count[0] = got;
	(void)mg_tcp_close(client);
	(void)mg_tcp_close(server);
	return 0;
}

/* tail_loss with the segments of mask dropped once each: all of them dropped, all the
 * data through, and no retransmission timeout. */
static void
tail_loss_without_timeout(uint32_t mask)
{
	tl = (struct tail_drops){ .drop = mask };
	assert_int_equal(run(tail_loss, NULL, NULL, NULL), 0);
	assert_int_equal(res.count[0], TAIL_BYTES);
	assert_int_equal(tl.dropped, __builtin_popcount(mask));
	assert_int_equal(res.c[0].tcp.timeouts, 0);
}

/* The last two segments of a flight are lost and no ACK would ever show it: a probe two
 * RTTs (40 ms) later draws a SACK that does, and recovery resends them well before the
 * 200 ms retransmission timeout. */
static void
a_lost_tail_is_found_by_a_probe_before_the_timeout(void **state)
{
	(void)state;
	tail_loss_without_timeout(1u << 6 | 1u << 7);
	assert_int_equal(res.c[0].tcp.tlp_probes, 1);
	assert_int_equal(res.c[0].tcp.tlp_losses, 1);
	assert_true(res.times[1] - res.times[0] < 150 * MS);
}

/* --- RFC 6675 NextSeg() rule 3 --------------------------------------------------------- */

/* Segments 1 and 6 of a flight of 8 are lost, and nothing follows: the first hole has
 * five segments SACKed above it and starts recovery, the second only one, too few to
 * count as lost by DupThresh, so RFC 6675 without its rule 3 would leave it to the
 * 200 ms timeout. Rule 3 resends it as soon as the window allows, right after the first. */
static void
a_hole_near_the_top_is_resent_without_a_timeout(void **state)
{
	(void)state;
	tail_loss_without_timeout(1u << 1 | 1u << 6);
	assert_int_equal(res.c[0].tcp.retransmits, 2);
	assert_true(res.times[1] - res.times[0] < 100 * MS);
}

/* --- TIME_WAIT and port reuse ------------------------------------------------------------ */

struct conn_loop {
	struct mg_tcp_listener *l;
	unsigned n;
	unsigned served;
	int err;
};

/* Server: accept, echo one byte, read to the end, close; n times. */
static int
serve_n(void *arg)
{
	struct conn_loop *cl = arg;
	char b;

	for (; cl->served < cl->n; cl->served++) {
		struct mg_tcp_conn *c;

		if ((cl->err = mg_tcp_accept(cl->l, &c, mg_now_ns() + 60 * SEC)) != 0)
			return cl->err;
		if (mg_tcp_read(c, &b, 1, mg_now_ns() + 10 * SEC) != 1 ||
		    mg_tcp_write(c, &b, 1, MG_FOREVER) != 1 ||
		    mg_tcp_read(c, &b, 1, mg_now_ns() + 10 * SEC) != 0)
			cl->err = -EPROTO;
		(void)mg_tcp_close(c);
		if (cl->err != 0)
			return cl->err;
	}
	return 0;
}

static unsigned sequential_n;

/* Client: connect, send a byte, read it back, close first (so TIME_WAIT is ours). */
static int
sequential(struct sim *s)
{
	struct conn_loop cl = { .n = sequential_n };
	struct mg_fiber *f;
	unsigned ok = 0;

	if (mg_tcp_listen(s->tcp[1], SIM_PORT, 0, NULL, NULL, &cl.l) != 0)
		return 1;
	f = mg_fiber_spawn("server", serve_n, &cl, 0);
	for (unsigned i = 0; i < sequential_n; i++) {
		struct mg_tcp_conn *c;
		char b = (char)i;
		int err = mg_tcp_dial(s->tcp[0], SIM_ADDR1, SIM_PORT, mg_now_ns() + 10 * SEC, &c);

		if (err != 0) {
			res.err[0] = err;
			break;
		}
		if (mg_tcp_write(c, &b, 1, MG_FOREVER) == 1 &&
		    mg_tcp_read(c, &b, 1, mg_now_ns() + 10 * SEC) == 1 && b == (char)i)
			ok++;
		(void)mg_tcp_close(c);
	}
	mg_fiber_join(f, NULL);
	res.err[1] = cl.err;
	res.count[0] = ok;
	wait_closed(s, 10 * SEC);
	(void)mg_tcp_unlisten(cl.l);
	return 0;
}

static void
time_wait_is_bounded_by_its_table(void **state)
{
	struct mg_tcp_config t0 = { .timewait_max = 8 };

	(void)state;
	sequential_n = 20;
	assert_int_equal(run(sequential, NULL, &t0, NULL), 0);
	assert_int_equal(res.count[0], 20);
	assert_int_equal(res.tw[0], 8);
	assert_int_equal(res.c[0].tcp.timewait_evicted, 12);
	assert_int_equal(res.tw[1], 0);		/* the server closed second */
}

static void
seventy_thousand_sequential_connections_reuse_ports(void **state)
{
	/* 1,000 ports for 70,000 connections: ports come back out of TIME_WAIT. */
	struct mg_tcp_config t0 = { .ephemeral_lo = 50000, .ephemeral_hi = 50999 };
	struct mg_sim_link_config fast = { .delay_ns = 100000 };

	(void)state;
	sequential_n = 70000;
	assert_int_equal(run(sequential, &fast, &t0, NULL), 0);
	assert_int_equal(res.err[0], 0);
	assert_int_equal(res.err[1], 0);
	assert_int_equal(res.count[0], 70000);
	assert_true(res.c[0].tcp.timewait_reused >= 60000);
	assert_int_equal(res.c[0].tcp.resets_tx + res.c[1].tcp.resets_tx, 0);
	assert_true(res.tw[0] <= 1000);
}

/* net_tcp_rfc_offload.c runs every scenario again over a link with offloads. */
#ifndef TCP_RFC_OFFLOAD
#define TCP_RFC_OFFLOAD false
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(simultaneous_open_makes_one_connection_without_a_listener),
		cmocka_unit_test(simultaneous_close_leaves_both_sides_in_time_wait),
		cmocka_unit_test(blind_rst_syn_and_old_acks_get_challenge_acks_and_only_an_exact_rst_resets),
		cmocka_unit_test(data_above_a_fin_is_forgotten),
		cmocka_unit_test(a_full_backlog_answers_with_syn_cookies_and_the_client_gets_through),
		cmocka_unit_test(without_cookies_a_full_backlog_drops_syns),
		cmocka_unit_test(a_closed_window_is_probed_with_backoff_and_the_transfer_resumes),
		cmocka_unit_test(retransmission_timeouts_double_until_the_connection_gives_up),
		cmocka_unit_test(sack_recovery_resends_exactly_the_lost_segments),
		cmocka_unit_test(a_lost_retransmission_is_found_when_later_data_arrives),
		cmocka_unit_test(a_lost_tail_is_found_by_a_probe_before_the_timeout),
		cmocka_unit_test(a_hole_near_the_top_is_resent_without_a_timeout),
		cmocka_unit_test(time_wait_is_bounded_by_its_table),
		cmocka_unit_test(seventy_thousand_sequential_connections_reuse_ports),
	};

	sim_offload = TCP_RFC_OFFLOAD;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
