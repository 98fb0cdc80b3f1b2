/* SPDX-License-Identifier: ISC */
/*
 * net_tcp_more.c -- simulated scenarios for the rest of TCP's behaviours: keepalive,
 * the MSS clamped to the link's MTU, path MTU discovery, Nagle's algorithm and
 * TCP_NODELAY, delayed ACKs, one ACK per batch of arriving segments, backpressure
 * through the callback API, and the trace ring's TCP counters.
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
#include <morgana/trace.h>

#include "fake_plat.h"
#include "tcp_sim.h"

#define MS	1000000ull
#define SEC	1000000000ull

static struct {
	int err[4];
	uint64_t count[8];
	uint64_t t[4];
	struct mg_net_counters c[2];
	struct mg_tcp_info info;
} res;

static int (*scenario)(struct sim *s);
static struct mg_tcp_config tcp_cfg[2];

static int
scenario_main(int argc, char **argv)
{
	struct mg_sim_link_config link = { .delay_ns = 10 * MS };
	struct sim s;
	int rc;

	(void)argc;
	(void)argv;
	if (sim_open(&s, 7, &link, &tcp_cfg[0], &tcp_cfg[1]) != 0)
		return 100;
	rc = scenario(&s);
	for (unsigned i = 0; i < 2; i++)
		res.c[i] = *mg_net_counters(s.net[i]);
	sim_close(&s);
	return rc;
}

static int
run(int (*fn)(struct sim *s), const struct mg_tcp_config *t0, const struct mg_tcp_config *t1)
{
	int rc;

	memset(&res, 0, sizeof(res));
	memset(tcp_cfg, 0, sizeof(tcp_cfg));
	if (t0 != NULL)
		tcp_cfg[0] = *t0;
	if (t1 != NULL)
		tcp_cfg[1] = *t1;
	scenario = fn;
	fake_reset();
	rc = fake_run(scenario_main, "");
	sim_mtu = 1500;
	if (rc != 0)
		print_message("# scenario: %d %s\n", rc, fake_console());
	return rc;
}

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

static int
establish(struct sim *s, struct mg_tcp_conn **client, struct mg_tcp_conn **server)
{
	struct acceptor a = { 0 };
	struct mg_fiber *f;
	int err;

	if ((err = mg_tcp_listen(s->tcp[1], SIM_PORT, 0, NULL, NULL, &a.l)) != 0)
		return err;
	f = mg_fiber_spawn("accept", accept_one, &a, 0);
	err = mg_tcp_dial(s->tcp[0], SIM_ADDR1, SIM_PORT, mg_now_ns() + 60 * SEC, client);
	mg_fiber_join(f, NULL);
	*server = a.c;
	return err != 0 ? err : a.err;
}

/* --- keepalive ------------------------------------------------------------------------- */

static bool cut;

static bool
drop_when_cut(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	(void)arg;
	(void)from;
	(void)frame;
	(void)len;
	return cut;
}

static int
keepalive(struct sim *s)
{
	struct mg_tcp_conn *client, *server;
	uint64_t t0;
	char b;

	cut = false;
	mg_sim_link_set_filter(s->link, drop_when_cut, NULL);
	if (establish(s, &client, &server) != 0)
		return 1;
	mg_tcp_set_keepalive(client, 10 * SEC, 1 * SEC, 3);
	/* Answered probes keep an idle connection alive... */
	res.err[0] = (int)mg_tcp_read(client, &b, 1, mg_now_ns() + 35 * SEC);
	res.count[0] = mg_net_counters(s->net[0])->tcp.keepalive_probes;
	mg_tcp_info(client, &res.info);
	/* ...unanswered ones end it: idle + count * interval after the last segment. */
	cut = true;
	t0 = mg_now_ns();
	res.err[1] = (int)mg_tcp_read(client, &b, 1, MG_FOREVER);
	res.t[0] = mg_now_ns() - t0;
	(void)mg_tcp_close(client);
	(void)mg_tcp_abort(server);
	return 0;
}

static void
keepalive_probes_an_idle_peer_and_gives_up_when_it_is_gone(void **state)
{
	(void)state;
	assert_int_equal(run(keepalive, NULL, NULL), 0);
	assert_int_equal(res.err[0], -ETIMEDOUT);	/* our deadline, not the connection */
	assert_int_equal(res.info.state, MG_TCP_ESTABLISHED);
	assert_true(res.count[0] >= 3);
	assert_int_equal(res.err[1], -ETIMEDOUT);
	assert_true(res.t[0] >= 3 * SEC && res.t[0] <= 14 * SEC);
	assert_int_equal(res.c[0].tcp.conn_timeouts, 1);
}

/* --- MSS --------------------------------------------------------------------------------- */

static struct {
	size_t max_frame;
	uint16_t syn_mss[2];
	unsigned syns;
} mss;

static bool
record_sizes(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;

	(void)arg;
	(void)from;
	if (len > mss.max_frame)
		mss.max_frame = len;
	if (sim_parse(frame, len, &seg) && (seg.h.flags & MG_TCP_SYN) && seg.h.opts.has_mss &&
	    mss.syns < 2)
		mss.syn_mss[mss.syns++] = seg.h.opts.mss;
	return false;
}

static int
transfer(struct sim *s, size_t bytes)
{
	static uint8_t buf[8192];
	struct mg_tcp_conn *client, *server;
	size_t got = 0;

	if (establish(s, &client, &server) != 0)
		return 1;
	for (size_t off = 0; off < bytes; off += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = sim_pattern(9, off + i);
		if (mg_tcp_write(client, buf, sizeof(buf), MG_FOREVER) != (long)sizeof(buf))
			return 2;
		while (got < off + sizeof(buf)) {
			long n = mg_tcp_read(server, buf, sizeof(buf), mg_now_ns() + 10 * SEC);

			if (n <= 0)
				return 3;
			for (long i = 0; i < n; i++)
				if (buf[i] != sim_pattern(9, got + (size_t)i))
					return 4;
			got += (size_t)n;
		}
	}
	res.count[0] = got;
	mg_tcp_info(client, &res.info);
	(void)mg_tcp_close(client);
	(void)mg_tcp_close(server);
	return 0;
}

static int
small_mtu_transfer(struct sim *s)
{
	memset(&mss, 0, sizeof(mss));
	mg_sim_link_set_filter(s->link, record_sizes, NULL);
	return transfer(s, 256 * 1024);
}

static void
the_mss_follows_the_link_mtu_and_nothing_is_fragmented(void **state)
{
	(void)state;
	sim_mtu = 1000;
	assert_int_equal(run(small_mtu_transfer, NULL, NULL), 0);
	assert_int_equal(res.count[0], 256 * 1024);
	assert_int_equal(mss.syn_mss[0], 960);
	assert_int_equal(mss.syn_mss[1], 960);
	assert_int_equal(res.info.mss, 960 - 12);	/* timestamps take 12 */
	assert_int_equal(mss.max_frame, 1014);
	assert_int_equal(res.c[0].ipv4.frags_tx + res.c[1].ipv4.frags_tx, 0);
}

/* --- path MTU discovery ------------------------------------------------------------------- */

#define ROUTER		0x0a0000feu	/* 10.0.0.254: a router between the sides ... */
#define PATH_MTU	1000		/* ... whose next link carries this much */

static struct {
	struct sim *sim;
	unsigned too_big, icmp_sent, data_without_df;
	size_t max_frame_after;		/* largest frame side 0 sent once it lowered its MSS */
} pmtu;

/* The router's answer to a datagram it cannot forward: ICMP "fragmentation needed"
 * quoting the datagram's header and 8 bytes, the sequence number moved by seq_delta. */
static void
send_needfrag(const uint8_t *frame, uint32_t seq_delta)
{
	struct mg_eth_hdr eth = { .dst = { { 2, 0, 0, 0, 0, 1 } },
				  .src = { { 2, 0, 0, 0, 0, 2 } }, .type = MG_ETHERTYPE_IPV4 };
	struct mg_ipv4_hdr ip = { .total_len = 20 + 8 + 28, .id = 7, .ttl = 64,
				  .proto = MG_IP_PROTO_ICMP, .src = ROUTER, .dst = SIM_ADDR0 };
	struct mg_icmp_hdr icmp = { .type = MG_ICMP_UNREACH, .code = MG_ICMP_UNREACH_NEEDFRAG,
				    .rest = PATH_MTU };
	uint8_t f[14 + 20 + 8 + 28];

	memcpy(f + 42, frame + 14, 28);
	mg_put_be32(f + 42 + 24, mg_get_be32(f + 42 + 24) + seq_delta);
	mg_eth_emit(f, 14, &eth);
	mg_ipv4_emit(f + 14, 20, &ip);
	mg_icmp_emit(f + 34, 8, &icmp, mg_csum_partial(f + 42, 28, 0));
	(void)mg_sim_link_inject(pmtu.sim->link, 0, f, sizeof(f), MS);
}

/* The router: side 0's datagrams above PATH_MTU are dropped and answered; the first
 * answer quotes a sequence number far outside the flight, as a blind forger would. */
static bool
narrow_link(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;
	struct mg_ipv4_hdr ip;

	(void)arg;
	if (from != 0 || !sim_parse(frame, len, &seg) ||
	    mg_ipv4_parse(frame + 14, len - 14, &ip) != 0)
		return false;
	if (seg.len > 0 && !ip.df)
		pmtu.data_without_df++;
	if (mg_net_counters(pmtu.sim->net[0])->tcp.pmtu_updates > 0 &&
	    len > pmtu.max_frame_after)
		pmtu.max_frame_after = len;
	if (ip.total_len <= PATH_MTU)
		return false;
	pmtu.too_big++;
	send_needfrag(frame, pmtu.icmp_sent++ == 0 ? 0x40000000u : 0);
	return true;
}

/* A second connection to the same peer, on another port: 4000 bytes each way. */
static int
second_connection(struct sim *s)
{
	static uint8_t buf[4000];
	struct acceptor a = { 0 };
	struct mg_tcp_conn *client;
	struct mg_fiber *f;
	size_t got = 0;
	int err;

	if ((err = mg_tcp_listen(s->tcp[1], SIM_PORT + 1, 0, NULL, NULL, &a.l)) != 0)
		return err;
	f = mg_fiber_spawn("accept", accept_one, &a, 0);
	err = mg_tcp_dial(s->tcp[0], SIM_ADDR1, SIM_PORT + 1, mg_now_ns() + 60 * SEC, &client);
	mg_fiber_join(f, NULL);
	if (err != 0 || a.err != 0)
		return 5;
	mg_tcp_info(client, &res.info);
	if (mg_tcp_write(client, buf, sizeof(buf), MG_FOREVER) != (long)sizeof(buf))
		return 6;
	while (got < sizeof(buf)) {
		long n = mg_tcp_read(a.c, buf, sizeof(buf), mg_now_ns() + 10 * SEC);

		if (n <= 0)
			return 7;
		got += (size_t)n;
	}
	res.count[1] = got;
	(void)mg_tcp_close(client);
	(void)mg_tcp_close(a.c);
	return 0;
}

static int
narrow_path_transfer(struct sim *s)
{
	int rc;

	memset(&pmtu, 0, sizeof(pmtu));
	pmtu.sim = s;
	mg_sim_link_set_filter(s->link, narrow_link, NULL);
	if ((rc = transfer(s, 256 * 1024)) != 0)
		return rc;
	res.count[2] = res.info.mss;
	res.count[3] = pmtu.too_big;
	return second_connection(s);
}

static void
fragmentation_needed_lowers_the_segment_size_and_the_data_gets_through(void **state)
{
	(void)state;
	assert_int_equal(run(narrow_path_transfer, NULL, NULL), 0);
	assert_int_equal(res.count[0], 256 * 1024);
	/* The forged message changed nothing; the genuine one lowered the MSS once. */
	assert_int_equal(res.c[0].tcp.pmtu_ignored, 1);
	assert_int_equal(res.c[0].tcp.pmtu_updates, 1);
	assert_int_equal(res.count[2], PATH_MTU - 40 - 12);
	assert_true(res.count[3] >= 2);
	/* A new connection to the same peer starts at the path MTU learnt: nothing of it
	 * is too big for the router. */
	assert_int_equal(res.count[1], 4000);
	assert_int_equal(res.info.mss, PATH_MTU - 40 - 12);
	assert_int_equal(pmtu.too_big, res.count[3]);
	assert_int_equal(pmtu.max_frame_after, 14 + PATH_MTU);
	assert_int_equal(pmtu.data_without_df, 0);	/* data segments carry DF */
	assert_int_equal(res.c[0].ipv4.frags_tx, 0);
}

/* --- Nagle and delayed ACKs ---------------------------------------------------------------- */

static struct {
	unsigned data_segs;
	uint64_t data_at, ack_at;
	uint32_t data_end;
} ng;

static bool
record_nagle(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;

	(void)arg;
	if (!sim_parse(frame, len, &seg))
		return false;
	if (from == 0 && seg.len > 0) {
		ng.data_segs++;
		ng.data_at = mg_now_ns();
		ng.data_end = seg.h.seq + (uint32_t)seg.len;
	} else if (from == 1 && seg.len == 0 && seg.h.ack == ng.data_end && ng.ack_at == 0) {
		ng.ack_at = mg_now_ns();
	}
	return false;
}

static bool nodelay;

static int
small_writes(struct sim *s)
{
	struct mg_tcp_conn *client, *server;
	char buf[32];
	size_t got = 0;

	if (establish(s, &client, &server) != 0)
		return 1;
	memset(&ng, 0, sizeof(ng));
	mg_sim_link_set_filter(s->link, record_nagle, NULL);
	mg_tcp_set_nodelay(client, nodelay);
	for (int i = 0; i < 20; i++)
		if (mg_tcp_send(client, "x", 1) != 1)
			return 2;
	while (got < 20) {
		long n = mg_tcp_read(server, buf, sizeof(buf), mg_now_ns() + 5 * SEC);

		if (n <= 0)
			return 3;
		got += (size_t)n;
	}
	mg_sleep_ns(SEC);
	res.count[0] = ng.data_segs;
	/* A lone small segment on an idle connection: its ACK is delayed. */
	memset(&ng, 0, sizeof(ng));
	(void)mg_tcp_send(client, "y", 1);
	mg_sleep_ns(SEC);
	res.t[0] = ng.ack_at - ng.data_at;
	(void)mg_tcp_close(client);
	(void)mg_tcp_close(server);
	return 0;
}

static void
nagle_coalesces_small_writes_and_nodelay_sends_each(void **state)
{
	(void)state;
	nodelay = false;
	assert_int_equal(run(small_writes, NULL, NULL), 0);
	assert_int_equal(res.count[0], 2);	/* the first byte, then the other 19 */
	nodelay = true;
	assert_int_equal(run(small_writes, NULL, NULL), 0);
	assert_int_equal(res.count[0], 20);
}

static void
a_lone_segment_is_acked_after_the_delayed_ack_timeout(void **state)
{
	struct mg_tcp_config t1 = { .delack_ns = 100 * MS };

	(void)state;
	nodelay = false;
	assert_int_equal(run(small_writes, NULL, &t1), 0);
	/* 10 ms to the server, 100 ms held, 10 ms back; seen where it is sent. */
	assert_true(res.t[0] >= 110 * MS && res.t[0] <= 112 * MS);
}

/* --- one ACK per batch ------------------------------------------------------------------------ */

#define FLIGHT_SEGS	10	/* the initial window: one flight, arriving at one instant */

static struct {
	unsigned data_segs, acks;
	uint32_t first_seq, last_ack;
} bt;

static bool
record_batch(void *arg, unsigned from, const uint8_t *frame, size_t len)
{
	struct sim_seg seg;

	(void)arg;
	if (!sim_parse(frame, len, &seg))
		return false;
	if (from == 0 && seg.len > 0) {
		if (bt.data_segs++ == 0)
			bt.first_seq = seg.h.seq;
	} else if (from == 1 && seg.len == 0 && bt.data_segs > 0) {
		bt.acks++;
		bt.last_ack = seg.h.ack;
	}
	return false;
}

static int
one_flight(struct sim *s)
{
	static uint8_t buf[FLIGHT_SEGS * 1448];
	struct mg_tcp_conn *client, *server;
	size_t got = 0;

	if (establish(s, &client, &server) != 0)
		return 1;
	memset(&bt, 0, sizeof(bt));
	mg_sim_link_set_filter(s->link, record_batch, NULL);
	mg_tcp_set_nodelay(client, true);
	if (mg_tcp_send(client, buf, sizeof(buf)) != (long)sizeof(buf))
		return 2;
	while (got < sizeof(buf)) {
		long n = mg_tcp_read(server, buf, sizeof(buf), mg_now_ns() + 5 * SEC);

		if (n <= 0)
			return 3;
		got += (size_t)n;
	}
	mg_sleep_ns(SEC);
	mg_tcp_info(client, &res.info);
	res.count[0] = bt.data_segs;
	res.count[1] = bt.acks;
	res.count[2] = bt.last_ack - bt.first_seq;
	(void)mg_tcp_close(client);
	(void)mg_tcp_close(server);
	return 0;
}

static void
segments_arriving_in_one_batch_get_one_cumulative_ack(void **state)
{
	(void)state;
	assert_int_equal(run(one_flight, NULL, NULL), 0);
	assert_int_equal(res.count[0], FLIGHT_SEGS);
	assert_int_equal(res.count[1], 1);	/* not one per second segment: five */
	assert_int_equal(res.count[2], FLIGHT_SEGS * 1448);
	assert_int_equal(res.c[1].tcp.acks_coalesced, FLIGHT_SEGS / 2 - 1);
	/* And the sender's slow start counts all it covers: the window doubled. */
	assert_int_equal(res.info.cwnd, 2 * FLIGHT_SEGS * res.info.mss);
}

/* --- backpressure through callbacks --------------------------------------------------------- */

#define PUSH_BYTES (200 * 1024)

static struct {
	size_t sent;
	unsigned eagain, writable_calls;
	bool shut;
} bp;

static void
push(void *arg, struct mg_tcp_conn *c)
{
	static uint8_t buf[1000];

	(void)arg;
	bp.writable_calls++;
	while (bp.sent < PUSH_BYTES) {
		size_t n = PUSH_BYTES - bp.sent < sizeof(buf) ? PUSH_BYTES - bp.sent : sizeof(buf);
		long w;

		for (size_t i = 0; i < n; i++)
			buf[i] = sim_pattern(3, bp.sent + i);
		w = mg_tcp_send(c, buf, n);
		if (w == -EAGAIN) {
			bp.eagain++;
			return;
		}
		if (w <= 0)
			return;
		bp.sent += (size_t)w;
	}
	if (!bp.shut)
		bp.shut = mg_tcp_shutdown(c) == 0;
}

static int
backpressure(struct sim *s)
{
	static const struct mg_tcp_callbacks cb = { .writable = push };
	struct mg_tcp_conn *client, *server;
	static uint8_t buf[4096];
	size_t got = 0;

	memset(&bp, 0, sizeof(bp));
	if (establish(s, &client, &server) != 0)
		return 1;
	mg_tcp_set_callbacks(client, &cb, NULL);
	bp.writable_calls--;
	push(NULL, client);
	mg_sleep_ns(5 * SEC);		/* the server is not reading yet */
	res.count[0] = bp.sent;
	for (;;) {
		long n = mg_tcp_read(server, buf, sizeof(buf), mg_now_ns() + 10 * SEC);

		if (n <= 0) {
			res.err[0] = (int)n;
			break;
		}
		for (long i = 0; i < n; i++)
			if (buf[i] != sim_pattern(3, got + (size_t)i))
				return 2;
		got += (size_t)n;
	}
	res.count[1] = got;
	res.count[2] = bp.eagain;
	res.count[3] = bp.writable_calls;
	(void)mg_tcp_close(client);
	(void)mg_tcp_close(server);
	return 0;
}

static void
a_full_send_buffer_says_eagain_and_the_writable_callback_resumes(void **state)
{
	struct mg_tcp_config small = { .sndbuf = 8192, .rcvbuf = 8192 };

	(void)state;
	assert_int_equal(run(backpressure, &small, &small), 0);
	assert_true(res.count[0] <= 8192 + 8192);	/* both buffers full, then it stopped */
	assert_int_equal(res.count[1], PUSH_BYTES);
	assert_int_equal(res.err[0], 0);		/* end of stream after everything */
	assert_true(res.count[2] >= 1);
	assert_true(res.count[3] >= 1);
}

/* --- trace ----------------------------------------------------------------------------------- */

static int
traced_transfer(struct sim *s)
{
	static struct mg_trace_event ev[4096];
	size_t n;
	int rc;

	if (mg_trace_start(1 << 16) != 0)
		return 1;
	rc = transfer(s, 64 * 1024);
	mg_sleep_ns(SEC);		/* the last ACKs */
	mg_trace_stop();
	n = mg_trace_read(ev, 4096);
	while (n > 0) {
		for (size_t i = 0; i < n; i++) {
			if (ev[i].kind != MG_TRACE_COUNTER)
				continue;
			if (ev[i].fiber == MG_TRACE_TCP_BYTES_ACKED)
				res.count[1] = ev[i].arg;
			if (ev[i].fiber == MG_TRACE_TCP_BYTES_QUEUED)
				res.count[2] = ev[i].arg;
			if (ev[i].fiber == MG_TRACE_TCP_SEGS_OUT)
				res.count[3]++;
		}
		n = mg_trace_read(ev, 4096);
	}
	return rc;
}

static void
tcp_counters_are_written_to_the_trace_ring(void **state)
{
	(void)state;
	assert_int_equal(run(traced_transfer, NULL, NULL), 0);
	assert_int_equal(res.count[1], 64 * 1024);	/* the client's bytes acked */
	assert_int_equal(res.count[2], 64 * 1024);
	assert_true(res.count[3] >= 45);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keepalive_probes_an_idle_peer_and_gives_up_when_it_is_gone),
		cmocka_unit_test(the_mss_follows_the_link_mtu_and_nothing_is_fragmented),
		cmocka_unit_test(
			fragmentation_needed_lowers_the_segment_size_and_the_data_gets_through),
		cmocka_unit_test(nagle_coalesces_small_writes_and_nodelay_sends_each),
		cmocka_unit_test(a_lone_segment_is_acked_after_the_delayed_ack_timeout),
		cmocka_unit_test(segments_arriving_in_one_batch_get_one_cumulative_ack),
		cmocka_unit_test(a_full_send_buffer_says_eagain_and_the_writable_callback_resumes),
		cmocka_unit_test(tcp_counters_are_written_to_the_trace_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
