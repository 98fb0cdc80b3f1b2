/* SPDX-License-Identifier: ISC */
/*
 * dns_tcp.c -- lib/dns over TCP (service_tcp.c, and resolve.c's fallback): the service
 * on side 1 of two stacks joined by the simulated link (tcp_sim.h), raw TCP clients or
 * the stub resolver on side 0, on the fake platform's virtual clock, so idle timeouts
 * take no time.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/dns.h>
#include <morgana/fiber.h>
#include <morgana/runtime.h>

#include "fake_plat.h"
#include "tcp_sim.h"

#define MS		1000000ull
#define SEC		1000000000ull
#define HOSTS		4000	/* names in the zone: its AXFR needs several messages */
#define IDLE		(3 * SEC)

static struct {
	struct sim s;
	struct mg_dns_server engine;
	struct mg_dns_zone *zone;
	struct mg_dns_service *svc;
	struct mg_dns_tcp_config cfg;
	struct mg_tcp_config server_tcp, client_tcp;
	bool no_service_tcp;
	int (*scenario)(void);
	char why[200];
} t;

static uint8_t msg[MG_DNS_TCP_MAX];

#define FAIL(...) do { snprintf(t.why, sizeof(t.why), __VA_ARGS__); return 1; } while (0)

/* example.com. with a big TXT RRset (over 512 octets) and HOSTS names. */
static char *
zone_text(size_t *len)
{
	static const char head[] =
		"$ORIGIN example.com.\n$TTL 1h\n"
		"@ IN SOA ns1 hostmaster 7 2h 30m 2w 300\n"
		"  IN NS ns1\n"
		"ns1 IN A 192.0.2.53\n"
		"www IN A 192.0.2.80\n";
	size_t cap = sizeof(head) + 8 * 200 + HOSTS * 40, n;
	char *text = malloc(cap);

	assert_non_null(text);
	n = (size_t)snprintf(text, cap, "%s", head);
	for (int i = 0; i < 8; i++) {
		n += (size_t)snprintf(text + n, cap - n, "big IN TXT \"%d", i);
		memset(text + n, 'a' + i, 150);
		n += 150;
		n += (size_t)snprintf(text + n, cap - n, "\"\n");
	}
	for (int i = 0; i < HOSTS; i++)
		n += (size_t)snprintf(text + n, cap - n, "h%d IN A 10.0.%d.%d\n", i, i / 256,
				      i % 256);
	*len = n;
	return text;
}

static int
scenario_main(int argc, char **argv)
{
	int rc;

	(void)argc;
	(void)argv;
	if (sim_open(&t.s, 11, NULL, &t.client_tcp, &t.server_tcp) != 0)
		FAIL("sim_open");
	if (mg_dns_service_start(t.s.net[1], &t.engine, MG_DNS_PORT, &t.svc) != 0)
		FAIL("service_start");
	if (!t.no_service_tcp && mg_dns_service_tcp(t.svc, t.s.tcp[1], &t.cfg) != 0)
		FAIL("service_tcp");
	rc = t.scenario();
	mg_dns_service_stop(t.svc);
	/* Let the connections finish before the stacks go. */
	mg_sleep_ns(120 * SEC);
	sim_close(&t.s);
	return rc;
}

/* Clear the settings; a test changes some, then calls run(). */
static void
prepare(void)
{
	memset(&t, 0, sizeof(t));
	t.cfg.idle_ns = IDLE;
}

static void
run(int (*scenario)(void))
{
	char err[256], *text;
	size_t len;
	int rc;

	text = zone_text(&len);
	rc = mg_dns_zone_parse("example.com.zone", text, len, "example.com.", &t.zone, err,
			       sizeof(err));
	free(text);
	if (rc != 0)
		fail_msg("zone: %s", err);
	mg_dns_server_init(&t.engine);
	assert_int_equal(mg_dns_server_add_zone(&t.engine, t.zone), 0);
	t.scenario = scenario;
	fake_reset();
	rc = fake_run(scenario_main, "");
	mg_dns_zone_free(t.zone);
	if (rc != 0)
		print_message("# %s %.200s\n", t.why, fake_console());
	assert_int_equal(rc, 0);
}

/* A query for name/type with id, behind its two-octet length; returns the total. */
static size_t
framed_query(uint8_t *out, size_t cap, uint16_t id, const char *name, uint16_t type)
{
	struct mg_dns_writer w;
	struct mg_dns_header h = { .id = id, .qdcount = 1 };
	uint8_t wire[MG_DNS_NAME_MAX];
	size_t wire_len;

	if (mg_dns_name_from_text(name, strlen(name), NULL, wire, &wire_len) != 0 ||
	    mg_dns_writer_init(&w, out + 2, cap - 2) != 0 ||
	    mg_dns_put_question(&w, wire, type, MG_DNS_C_IN) != 0)
		return 0;
	mg_dns_writer_header(&w, &h);
	out[0] = (uint8_t)(w.len >> 8);
	out[1] = (uint8_t)w.len;
	return w.len + 2;
}

static int
read_exact(struct mg_tcp_conn *c, uint8_t *buf, size_t len)
{
	while (len > 0) {
		long n = mg_tcp_read(c, buf, len, mg_now_ns() + 30 * SEC);

		if (n <= 0)
			return n == 0 ? -ECONNRESET : (int)n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The next message from c into msg; its length, or a negative errno. */
static long
read_msg(struct mg_tcp_conn *c, struct mg_dns_reader *r)
{
	uint8_t prefix[2];
	size_t len;
	int err;

	if ((err = read_exact(c, prefix, 2)) != 0)
		return err;
	len = (size_t)prefix[0] << 8 | prefix[1];
	if ((err = read_exact(c, msg, len)) != 0)
		return err;
	if (mg_dns_reader_init(r, msg, len) != 0)
		return -EBADMSG;
	return (long)len;
}

static int
dial(struct mg_tcp_conn **c)
{
	return mg_tcp_dial(t.s.tcp[0], SIM_ADDR1, MG_DNS_PORT, mg_now_ns() + 10 * SEC, c);
}

/* --- several queries per connection, pipelined ---------------------------------------- */

static int
pipelined(void)
{
	const struct mg_dns_service_stats *st = mg_dns_service_stats(t.svc);
	static uint8_t out[4096];
	struct mg_dns_reader r;
	struct mg_tcp_conn *c;
	size_t len = 0;
	long n;

	if (dial(&c) != 0)
		FAIL("dial");
	/* Three queries in one write, the third split across two writes. */
	len += framed_query(out + len, sizeof(out) - len, 1, "www.example.com.", MG_DNS_T_A);
	len += framed_query(out + len, sizeof(out) - len, 2, "big.example.com.", MG_DNS_T_TXT);
	len += framed_query(out + len, sizeof(out) - len, 3, "nothing.example.com.",
			    MG_DNS_T_A);
	if (mg_tcp_write(c, out, len - 5, MG_FOREVER) != (long)(len - 5))
		FAIL("write");
	mg_sleep_ns(50 * MS);
	if (mg_tcp_write(c, out + len - 5, 5, MG_FOREVER) != 5)
		FAIL("write the rest");
	if (read_msg(c, &r) < 0 || r.hdr.id != 1 || r.hdr.ancount != 1 ||
	    MG_DNS_RCODE(r.hdr.flags) != MG_DNS_R_NOERROR)
		FAIL("first answer");
	/* Eight TXT of 150 octets: over 512, whole over TCP and without TC. */
	if ((n = read_msg(c, &r)) < 1200 || r.hdr.id != 2 || r.hdr.ancount != 8 ||
	    (r.hdr.flags & MG_DNS_F_TC))
		FAIL("second answer: %ld octets, %u RRs", n, r.hdr.ancount);
	if (read_msg(c, &r) < 0 || r.hdr.id != 3 ||
	    MG_DNS_RCODE(r.hdr.flags) != MG_DNS_R_NXDOMAIN)
		FAIL("third answer");
	/* The connection stays open for more. */
	mg_sleep_ns(IDLE / 2);
	len = framed_query(out, sizeof(out), 4, "www.example.com.", MG_DNS_T_A);
	if (mg_tcp_write(c, out, len, MG_FOREVER) != (long)len || read_msg(c, &r) < 0 ||
	    r.hdr.id != 4)
		FAIL("fourth answer");
	if (st->tcp_connections != 1 || st->tcp_queries != 4 || st->tcp_responses != 4 ||
	    st->tcp_active != 1)
		FAIL("counters: %llu conns %llu queries", (unsigned long long)st->tcp_connections,
		     (unsigned long long)st->tcp_queries);
	/* Our FIN: the server closes its side after the answers. */
	if (mg_tcp_shutdown(c) != 0 || mg_tcp_read(c, out, 1, mg_now_ns() + 5 * SEC) != 0)
		FAIL("no FIN from the server");
	(void)mg_tcp_close(c);
	mg_sleep_ns(MS);
	if (st->tcp_active != 0 || st->tcp_timeouts != 0)
		FAIL("still %llu active", (unsigned long long)st->tcp_active);
	return 0;
}

static void
service_answers_pipelined_queries_in_order_on_one_connection(void **state)
{
	(void)state;
	prepare();
	run(pipelined);
}

/* --- AXFR --------------------------------------------------------------------------- */

static int
axfr(void)
{
	uint8_t out[512];
	struct mg_dns_reader r;
	struct mg_dns_rr rr;
	struct mg_tcp_conn *c;
	size_t len, records = 0, messages = 0;
	uint16_t first = 0, last = 0;

	if (dial(&c) != 0)
		FAIL("dial");
	len = framed_query(out, sizeof(out), 9, "example.com.", MG_DNS_T_AXFR);
	len += framed_query(out + len, sizeof(out) - len, 10, "www.example.com.", MG_DNS_T_A);
	if (mg_tcp_write(c, out, len, MG_FOREVER) != (long)len)
		FAIL("write");
	for (;;) {
		if (read_msg(c, &r) < 0)
			FAIL("message %zu", messages);
		if (r.hdr.id == 10)
			break;	/* the query behind the transfer, answered after it */
		if (r.hdr.id != 9 || MG_DNS_RCODE(r.hdr.flags) != 0 || r.hdr.ancount == 0)
			FAIL("transfer message %zu: id %u", messages, r.hdr.id);
		if (messages == 0 && mg_dns_read_question(&r, &(struct mg_dns_question){ 0 }))
			FAIL("question");
		messages++;
		for (unsigned i = 0; i < r.hdr.ancount; i++, records++) {
			if (mg_dns_read_rr(&r, &rr) != 0)
				FAIL("rr");
			if (records == 0)
				first = rr.type;
			last = rr.type;
		}
	}
	if (first != MG_DNS_T_SOA || last != MG_DNS_T_SOA ||
	    records != mg_dns_zone_records(t.zone) + 1 || messages < 2)
		FAIL("%zu records in %zu messages, %u..%u", records, messages, first, last);
	(void)mg_tcp_close(c);
	return 0;
}

static void
service_sends_axfr_in_several_messages_soa_first_and_last(void **state)
{
	(void)state;
	prepare();
	run(axfr);
}

/* --- a client that pipelines and does not read ------------------------------------------ */

#define SLOW_QUERIES 400

static int
slow_reader(void)
{
	const struct mg_dns_service_stats *st = mg_dns_service_stats(t.svc);
	static uint8_t out[SLOW_QUERIES * 40];
	struct mg_dns_reader r;
	struct mg_tcp_conn *c;
	uint64_t answered;
	size_t len = 0;

	if (dial(&c) != 0)
		FAIL("dial");
	for (uint16_t i = 0; i < SLOW_QUERIES; i++)
		len += framed_query(out + len, sizeof(out) - len, i, "big.example.com.",
				    MG_DNS_T_TXT);
	if (mg_tcp_write(c, out, len, mg_now_ns() + SEC) != (long)len)
		FAIL("write");
	/* Every answer is over 1 KiB: a few fill both windows, then the server waits,
	 * holding the rest of the queries unread, for less than its idle timeout. */
	mg_sleep_ns(IDLE - SEC);
	answered = st->tcp_queries;
	if (answered == 0 || answered >= SLOW_QUERIES / 10)
		FAIL("%llu queries answered for a client that reads nothing",
		     (unsigned long long)answered);
	/* Reading resumes it; every answer comes, in order. */
	for (uint16_t i = 0; i < SLOW_QUERIES; i++)
		if (read_msg(c, &r) < 0 || r.hdr.id != i || r.hdr.ancount != 8)
			FAIL("answer %u", i);
	if (st->tcp_queries != SLOW_QUERIES || st->tcp_timeouts != 0)
		FAIL("%llu queries, %llu timeouts", (unsigned long long)st->tcp_queries,
		     (unsigned long long)st->tcp_timeouts);
	/* Once more, and this time the client never reads: the idle timeout ends it. */
	if (mg_tcp_write(c, out, len, mg_now_ns() + SEC) != (long)len)
		FAIL("write again");
	mg_sleep_ns(IDLE + SEC);
	if (st->tcp_timeouts != 1 || st->tcp_active != 0)
		FAIL("a reader that stopped was not timed out");
	(void)mg_tcp_abort(c);
	return 0;
}

static void
service_stops_reading_while_a_client_does_not_read(void **state)
{
	(void)state;
	prepare();
	t.server_tcp.sndbuf = 8 * 1024;
	t.client_tcp.rcvbuf = 8 * 1024;
	run(slow_reader);
}

/* --- bounds and bad input ------------------------------------------------------------- */

static int
conn_bound(void)
{
	const struct mg_dns_service_stats *st = mg_dns_service_stats(t.svc);
	struct mg_tcp_conn *c[3];
	struct mg_dns_reader r;
	uint8_t out[128], byte;
	size_t len;

	for (int i = 0; i < 3; i++)
		if (dial(&c[i]) != 0)
			FAIL("dial %d", i);
	/* The third is reset as soon as the server takes it. */
	if (mg_tcp_read(c[2], &byte, 1, mg_now_ns() + 5 * SEC) != -ECONNRESET)
		FAIL("the connection over the bound was not reset");
	if (st->tcp_refused != 1 || st->tcp_active != 2)
		FAIL("refused %llu", (unsigned long long)st->tcp_refused);
	len = framed_query(out, sizeof(out), 5, "www.example.com.", MG_DNS_T_A);
	for (int i = 0; i < 2; i++)
		if (mg_tcp_write(c[i], out, len, MG_FOREVER) != (long)len ||
		    read_msg(c[i], &r) < 0 || r.hdr.id != 5)
			FAIL("query on connection %d", i);
	/* Once one is gone, a new one is served. */
	(void)mg_tcp_close(c[0]);
	(void)mg_tcp_close(c[2]);
	mg_sleep_ns(100 * MS);
	if (dial(&c[0]) != 0 || mg_tcp_write(c[0], out, len, MG_FOREVER) != (long)len ||
	    read_msg(c[0], &r) < 0)
		FAIL("a connection after one closed");
	(void)mg_tcp_close(c[0]);
	(void)mg_tcp_close(c[1]);
	return 0;
}

static void
service_resets_connections_over_its_bound(void **state)
{
	(void)state;
	prepare();
	t.cfg.max_conns = 2;
	run(conn_bound);
}

/* The server's side of c ended: FIN (0) or RST, within the deadline. */
static bool
ended(struct mg_tcp_conn *c, uint64_t within_ns)
{
	uint8_t sink[256];
	long n;

	do
		n = mg_tcp_read(c, sink, sizeof(sink), mg_now_ns() + within_ns);
	while (n > 0);
	return n == 0 || n == -ECONNRESET;
}

static int
bad_input(void)
{
	const struct mg_dns_service_stats *st = mg_dns_service_stats(t.svc);
	static const uint8_t half[] = { 0, 40, 0x12, 0x34, 0, 0, 0, 1 };
	static const uint8_t short_msg[] = { 0, 5, 1, 2, 3, 4, 5 };
	static const uint8_t empty[] = { 0, 0 };
	uint8_t out[512], garbage[300];
	struct mg_dns_reader r;
	struct mg_tcp_conn *c;
	uint64_t start;
	size_t len;

	/* Half a message, then nothing: closed by the idle timeout, not before. */
	if (dial(&c) != 0 || mg_tcp_write(c, half, sizeof(half), MG_FOREVER) != sizeof(half))
		FAIL("half");
	start = mg_now_ns();
	if (!ended(c, 2 * IDLE) || mg_now_ns() - start < IDLE - 100 * MS ||
	    st->tcp_timeouts != 1)
		FAIL("half a message: ended after %llu ms, %llu timeouts",
		     (unsigned long long)((mg_now_ns() - start) / MS),
		     (unsigned long long)st->tcp_timeouts);
	(void)mg_tcp_close(c);

	/* A good query, then a message shorter than a header: the answer, then the end. */
	len = framed_query(out, sizeof(out), 6, "www.example.com.", MG_DNS_T_A);
	memcpy(out + len, short_msg, sizeof(short_msg));
	if (dial(&c) != 0 || mg_tcp_write(c, out, len + sizeof(short_msg), MG_FOREVER) <= 0 ||
	    read_msg(c, &r) < 0 || r.hdr.id != 6 || !ended(c, SEC) || st->tcp_dropped != 1)
		FAIL("a message shorter than a header");
	(void)mg_tcp_close(c);

	/* A zero length is no message either. */
	if (dial(&c) != 0 || mg_tcp_write(c, empty, sizeof(empty), MG_FOREVER) != 2 ||
	    !ended(c, SEC) || st->tcp_dropped != 2)
		FAIL("a zero length");
	(void)mg_tcp_close(c);

	/* A malformed question is FORMERR, and the connection goes on. */
	len = framed_query(out, sizeof(out), 7, "www.example.com.", MG_DNS_T_A);
	out[1] = 14;	/* the header and two octets of the question */
	len = 16;
	len += framed_query(out + len, sizeof(out) - len, 8, "www.example.com.", MG_DNS_T_A);
	if (dial(&c) != 0 || mg_tcp_write(c, out, len, MG_FOREVER) != (long)len ||
	    read_msg(c, &r) < 0 || r.hdr.id != 7 ||
	    MG_DNS_RCODE(r.hdr.flags) != MG_DNS_R_FORMERR || read_msg(c, &r) < 0 ||
	    r.hdr.id != 8 || MG_DNS_RCODE(r.hdr.flags) != MG_DNS_R_NOERROR)
		FAIL("FORMERR on a connection");
	(void)mg_tcp_close(c);

	/* Garbage: a length that promises more than comes, then silence; or not. */
	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (uint8_t)(i * 151 + 7);
	if (dial(&c) != 0 || mg_tcp_write(c, garbage, sizeof(garbage), MG_FOREVER) <= 0 ||
	    !ended(c, 2 * IDLE))
		FAIL("garbage");
	(void)mg_tcp_close(c);

	/* Through all of it the server kept serving. */
	len = framed_query(out, sizeof(out), 9, "www.example.com.", MG_DNS_T_A);
	if (dial(&c) != 0 || mg_tcp_write(c, out, len, MG_FOREVER) != (long)len ||
	    read_msg(c, &r) < 0 || r.hdr.id != 9)
		FAIL("a query after the bad ones");
	(void)mg_tcp_close(c);
	mg_sleep_ns(100 * MS);
	if (st->tcp_active != 0)
		FAIL("%llu connections left", (unsigned long long)st->tcp_active);
	return 0;
}

static void
service_closes_stalled_short_and_garbage_streams_and_keeps_serving(void **state)
{
	(void)state;
	prepare();
	run(bad_input);
}

/* --- the resolver's fallback ---------------------------------------------------------- */

static int
resolver_fallback(void)
{
	static uint8_t buf[4096];
	struct mg_dns_resolve_opts o = { .no_edns = true, .tcp = t.s.tcp[0] };
	struct mg_dns_reply reply;

	if (mg_dns_resolve(t.s.net[0], SIM_ADDR1, "big.example.com", MG_DNS_T_TXT, &o, buf,
			   sizeof(buf), &reply) != 0)
		FAIL("resolve over TCP");
	if (!reply.over_tcp || reply.truncated || reply.rcode != MG_DNS_R_NOERROR ||
	    reply.len < 1200 || reply.msg != buf)
		FAIL("reply: tcp %d tc %d len %zu", reply.over_tcp, reply.truncated, reply.len);
	for (size_t i = 0; i < 8; i++)
		if (mg_dns_stub_answer(&reply.q, reply.msg, reply.len, i, &(uint32_t){ 0 },
				       msg, sizeof(msg), &(size_t){ 0 }) != 0)
			FAIL("answer %zu", i);
	/* An answer that fits over UDP stays there. */
	if (mg_dns_resolve(t.s.net[0], SIM_ADDR1, "www.example.com", MG_DNS_T_A, &o, buf,
			   sizeof(buf), &reply) != 0 || reply.over_tcp)
		FAIL("a small answer went over TCP");
	/* Too big for the caller's buffer even over TCP: the truncated one stays. */
	if (mg_dns_resolve(t.s.net[0], SIM_ADDR1, "big.example.com", MG_DNS_T_TXT, &o, buf,
			   600, &reply) != -EMSGSIZE || !reply.truncated || reply.msg != buf)
		FAIL("a buffer too small for the TCP answer");
	/* TCP is off: as before, -EMSGSIZE. */
	o.tcp = NULL;
	if (mg_dns_resolve(t.s.net[0], SIM_ADDR1, "big.example.com", MG_DNS_T_TXT, &o, buf,
			   sizeof(buf), &reply) != -EMSGSIZE || !reply.truncated)
		FAIL("without TCP");
	/* TCP of another stack is a mistake. */
	o.tcp = t.s.tcp[1];
	if (mg_dns_resolve(t.s.net[0], SIM_ADDR1, "big.example.com", MG_DNS_T_TXT, &o, buf,
			   sizeof(buf), &reply) != -EINVAL)
		FAIL("TCP of another stack");
	return 0;
}

static void
resolver_asks_again_over_tcp_after_tc(void **state)
{
	(void)state;
	prepare();
	run(resolver_fallback);
}

static int
resolver_refused(void)
{
	static uint8_t buf[4096];
	struct mg_dns_resolve_opts o = { .no_edns = true, .tcp = t.s.tcp[0] };
	struct mg_dns_reply reply;

	if (mg_dns_resolve(t.s.net[0], SIM_ADDR1, "big.example.com", MG_DNS_T_TXT, &o, buf,
			   sizeof(buf), &reply) != -ECONNREFUSED || reply.msg != NULL)
		FAIL("a server without TCP");
	return 0;
}

static void
resolver_reports_a_server_without_tcp(void **state)
{
	(void)state;
	prepare();
	t.no_service_tcp = true;
	run(resolver_refused);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(service_answers_pipelined_queries_in_order_on_one_connection),
		cmocka_unit_test(service_sends_axfr_in_several_messages_soa_first_and_last),
		cmocka_unit_test(service_stops_reading_while_a_client_does_not_read),
		cmocka_unit_test(service_resets_connections_over_its_bound),
		cmocka_unit_test(service_closes_stalled_short_and_garbage_streams_and_keeps_serving),
		cmocka_unit_test(resolver_asks_again_over_tcp_after_tc),
		cmocka_unit_test(resolver_reports_a_server_without_tcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
