/* SPDX-License-Identifier: ISC */
/*
 * http_tcp.c -- HTTP over Morgana's TCP (lib/http/serve_tcp.c, lib/http/client_tcp.c):
 * the server glue on one stack and the fiber client (or raw TCP) on the other, over the
 * simulated link, on the fake platform's virtual clock.
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

#include <morgana/fiber.h>
#include <morgana/http.h>
#include <morgana/runtime.h>

#include "fake_plat.h"
#include "tcp_sim.h"

#define SEC		1000000000ull
#define BIG_SIZE	(300 * 1024)
#define HTTP_PORT	80

static char big[BIG_SIZE];
static char body[BIG_SIZE + 1024];
static unsigned log_lines, log_408, log_503;

static int
hello(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	(void)req;
	resp->content_type = "text/plain";
	return mg_http_resp_printf(resp, "hello\n");
}

static int
big_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	(void)req;
	resp->body = big;
	resp->body_len = sizeof(big);
	return 0;
}

static long
stream_fill(void *arg, char *buf, size_t cap)
{
	unsigned *left = arg;

	if (*left == 0 || cap < 8)
		return 0;
	(*left)--;
	memcpy(buf, "chunk!\n", 7);
	return 7;
}

static int
stream_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	unsigned left = 3;

	(void)arg;
	(void)req;
	memcpy(resp->buf, &left, sizeof(left));
	resp->stream = stream_fill;
	resp->stream_arg = resp->buf;
	return 0;
}

static int
echo(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	return mg_http_resp_write(resp, req->body, req->body_len);
}

static void
count_log(void *arg, const struct mg_http_log_entry *e)
{
	(void)arg;
	log_lines++;
	log_408 += e->status == 408;
	log_503 += e->status == 503;
}

static const struct mg_http_route routes[] = {
	{ "/hello", true, 0, hello, NULL },
	{ "/big", true, 0, big_handler, NULL },
	{ "/stream", true, 0, stream_handler, NULL },
	{ "/echo", true, MG_HTTP_POST, echo, NULL },
};

static struct {
	struct sim s;
	struct mg_http_server srv;
	struct mg_http_tcp_server *server;
	struct mg_http_tcp_config cfg;
	int (*scenario)(void);
	char why[200];
} t;

#define FAIL(...) do { snprintf(t.why, sizeof(t.why), __VA_ARGS__); return 1; } while (0)

static int
scenario_main(int argc, char **argv)
{
	int rc;

	(void)argc;
	(void)argv;
	if (sim_open(&t.s, 7, NULL, NULL, NULL) != 0)
		FAIL("sim_open");
	if (mg_http_tcp_serve(t.s.tcp[1], &t.srv, &t.cfg, &t.server) != 0)
		FAIL("serve");
	rc = t.scenario();
	mg_http_tcp_stop(t.server);
	/* Let the client side's connections finish before the stacks go. */
	mg_sleep_ns(120 * SEC);
	sim_close(&t.s);
	return rc;
}

static void
run(int (*scenario)(void), unsigned max_conns)
{
	int rc;

	memset(&t, 0, sizeof(t));
	log_lines = log_408 = log_503 = 0;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i * 7 % 26);
	mg_http_server_init(&t.srv);
	t.srv.routes = routes;
	t.srv.route_count = sizeof(routes) / sizeof(routes[0]);
	t.srv.header_timeout_ns = 2 * SEC;
	t.srv.log = count_log;
	t.cfg.port = HTTP_PORT;
	t.cfg.max_conns = max_conns;
	t.scenario = scenario;
	fake_reset();
	rc = fake_run(scenario_main, "");
	if (rc != 0)
		print_message("# %s %.200s\n", t.why, fake_console());
	assert_int_equal(rc, 0);
}

static int
get(struct mg_http_client *cl, const char *target, struct mg_http_client_result *res)
{
	return mg_http_client_fetch(cl, "GET", target, NULL, NULL, 0, body, sizeof(body), res,
				    mg_now_ns() + 60 * SEC);
}

static int
keepalive_chunked_post_and_big(void)
{
	struct mg_http_client *cl;
	struct mg_http_client_result res;
	static char upload[6000];	/* within the response buffer */
	struct mg_http_tcp_stats st;
	int rc;

	if (mg_http_client_open(t.s.tcp[0], SIM_ADDR1, HTTP_PORT, "sim", &cl) != 0)
		FAIL("client_open");
	if ((rc = get(cl, "/hello", &res)) != 0 || res.head.status != 200 ||
	    res.body_len != 6 || memcmp(body, "hello\n", 6) != 0 || res.reused)
		FAIL("first GET: %d status %d len %zu", rc, res.head.status, res.body_len);
	if ((rc = get(cl, "/hello", &res)) != 0 || !res.reused)
		FAIL("second GET not over the kept connection: %d", rc);
	if ((rc = get(cl, "/stream", &res)) != 0 || res.head.body_kind != MG_HTTP_BODY_CHUNKED ||
	    res.body_len != 21 || memcmp(body, "chunk!\nchunk!\nchunk!\n", 21) != 0)
		FAIL("chunked GET: %d kind %d len %zu", rc, res.head.body_kind, res.body_len);
	for (size_t i = 0; i < sizeof(upload); i++)
		upload[i] = (char)i;
	rc = mg_http_client_fetch(cl, "POST", "/echo", NULL, upload, sizeof(upload), body,
				  sizeof(body), &res, mg_now_ns() + 60 * SEC);
	if (rc != 0 || res.head.status != 200 || res.body_len != sizeof(upload) ||
	    memcmp(body, upload, sizeof(upload)) != 0)
		FAIL("POST echo: %d status %d len %zu", rc, res.head.status, res.body_len);
	if ((rc = get(cl, "/big", &res)) != 0 || res.body_len != BIG_SIZE ||
	    memcmp(body, big, BIG_SIZE) != 0)
		FAIL("big GET: %d len %zu", rc, res.body_len);
	rc = mg_http_client_fetch(cl, "GET", "/big", NULL, NULL, 0, body, 1000, &res,
				  mg_now_ns() + 60 * SEC);
	if (rc != -EFBIG)
		FAIL("a body over the cap: %d", rc);
	/* The server closes an idle kept connection after 5 s; the client opens another. */
	if ((rc = get(cl, "/hello", &res)) != 0 || res.head.status != 200)
		FAIL("GET after -EFBIG: %d", rc);
	mg_sleep_ns(6 * SEC);
	if ((rc = get(cl, "/hello", &res)) != 0 || res.head.status != 200)
		FAIL("GET after the server's idle close: %d", rc);
	mg_http_client_close(cl);
	mg_http_tcp_stats(t.server, &st);
	if (st.requests != 8 || log_lines != 8)
		FAIL("requests %llu, log lines %u", (unsigned long long)st.requests, log_lines);
	return 0;
}

static void
keepalive_chunked_post_and_big_bodies_round_trip(void **state)
{
	(void)state;
	run(keepalive_chunked_post_and_big, 0);
}

/* Read from a raw connection until the peer closes; the bytes into body. */
static long
read_all(struct mg_tcp_conn *c)
{
	size_t got = 0;

	for (;;) {
		long n = mg_tcp_read(c, body + got, sizeof(body) - 1 - got, mg_now_ns() + 30 * SEC);
		if (n <= 0) {
			body[got] = '\0';
			return n == 0 ? (long)got : n;
		}
		got += (size_t)n;
	}
}

static int
slow_head_cut_off(void)
{
	static const char part[] = "GET /hello HTTP/1.1\r\nHost: s";
	struct mg_http_client *cl;
	struct mg_http_client_result res;
	struct mg_tcp_conn *slow;
	uint64_t start = mg_now_ns();
	long n;

	if (mg_tcp_dial(t.s.tcp[0], SIM_ADDR1, HTTP_PORT, mg_now_ns() + 10 * SEC, &slow) != 0 ||
	    mg_tcp_write(slow, part, sizeof(part) - 1, MG_FOREVER) != sizeof(part) - 1)
		FAIL("slow client setup");
	if (mg_http_client_open(t.s.tcp[0], SIM_ADDR1, HTTP_PORT, "sim", &cl) != 0 ||
	    get(cl, "/hello", &res) != 0 || res.head.status != 200)
		FAIL("another client is not served while one is slow");
	/* A byte every half second does not extend the 2 s deadline. */
	for (int i = 0; i < 3; i++) {
		mg_sleep_ns(SEC / 2);
		(void)mg_tcp_write(slow, "x", 1, MG_FOREVER);
	}
	n = read_all(slow);
	if (n <= 0 || strncmp(body, "HTTP/1.1 408 ", 13) != 0)
		FAIL("the slow client got %ld bytes: %.40s", n, body);
	if (mg_now_ns() - start < 2 * SEC || mg_now_ns() - start > 3 * SEC)
		FAIL("cut off after %llu ms", (unsigned long long)((mg_now_ns() - start) / 1000000));
	(void)mg_tcp_close(slow);
	mg_http_client_close(cl);
	return log_408 == 1 ? 0 : 1;
}

static void
a_slow_head_gets_408_at_its_deadline_while_others_are_served(void **state)
{
	(void)state;
	run(slow_head_cut_off, 0);
}

static int
refusal_past_max_conns(void)
{
	struct mg_tcp_conn *held[2];
	struct mg_http_client *cl;
	struct mg_http_client_result res;
	struct mg_http_tcp_stats st;
	int rc;

	for (int i = 0; i < 2; i++)
		if (mg_tcp_dial(t.s.tcp[0], SIM_ADDR1, HTTP_PORT, mg_now_ns() + 10 * SEC,
				&held[i]) != 0)
			FAIL("dial %d", i);
	mg_sleep_ns(SEC / 10);
	if (mg_http_client_open(t.s.tcp[0], SIM_ADDR1, HTTP_PORT, "sim", &cl) != 0)
		FAIL("client_open");
	rc = get(cl, "/hello", &res);
	if (rc != 0 || res.head.status != 503)
		FAIL("third connection: %d status %d", rc, res.head.status);
	for (int i = 0; i < 2; i++)
		(void)mg_tcp_close(held[i]);
	mg_sleep_ns(SEC / 10);
	if ((rc = get(cl, "/hello", &res)) != 0 || res.head.status != 200)
		FAIL("after the others closed: %d status %d", rc, res.head.status);
	mg_http_client_close(cl);
	mg_http_tcp_stats(t.server, &st);
	if (st.refused != 1 || log_503 != 1)
		FAIL("refused %llu, logged %u", (unsigned long long)st.refused, log_503);
	return 0;
}

static void
connections_past_max_conns_get_503_and_later_ones_are_served(void **state)
{
	(void)state;
	run(refusal_past_max_conns, 2);
}

static int
pipelined_then_close(void)
{
	static const char reqs[] = "GET /hello HTTP/1.1\r\nHost: s\r\n\r\n"
				   "GET /big HTTP/1.1\r\nHost: s\r\n\r\n"
				   "GET /hello HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n"
				   "GET /hello HTTP/1.1\r\nHost: s\r\n\r\n";
	struct mg_tcp_conn *c;
	long n;
	const char *p;
	int answers = 0;

	if (mg_tcp_dial(t.s.tcp[0], SIM_ADDR1, HTTP_PORT, mg_now_ns() + 10 * SEC, &c) != 0 ||
	    mg_tcp_write(c, reqs, sizeof(reqs) - 1, MG_FOREVER) != sizeof(reqs) - 1)
		FAIL("setup");
	/* Read slowly first, so that the big answer fills TCP's buffers (backpressure). */
	mg_sleep_ns(2 * SEC);
	n = read_all(c);
	if (n < BIG_SIZE)
		FAIL("read %ld bytes", n);
	for (p = body; (p = strstr(p, "HTTP/1.1 200 OK")) != NULL; p++)
		answers++;
	(void)mg_tcp_close(c);
	/* The request after "Connection: close" is not answered, and there was no reset. */
	if (answers != 3)
		FAIL("%d answers", answers);
	return 0;
}

static void
pipelined_answers_come_in_order_and_close_ends_them_without_a_reset(void **state)
{
	(void)state;
	run(pipelined_then_close, 0);
}

/* The glue aborts a connection from inside the accept callback when it has no memory
 * for it; TCP must not touch the connection after that (ASan sees it if it does). */
static unsigned aborted_in_accept;

static void
abort_at_once(void *arg, struct mg_tcp_listener *l, struct mg_tcp_conn *c)
{
	(void)arg;
	(void)l;
	aborted_in_accept++;
	(void)mg_tcp_abort(c);
}

static int
abort_in_accept(void)
{
	struct mg_tcp_listener *l;
	struct mg_tcp_conn *c;
	char byte;

	if (mg_tcp_listen(t.s.tcp[1], 81, 0, abort_at_once, NULL, &l) != 0)
		FAIL("listen");
	for (int i = 0; i < 3; i++) {
		if (mg_tcp_dial(t.s.tcp[0], SIM_ADDR1, 81, mg_now_ns() + 10 * SEC, &c) != 0)
			FAIL("dial %d", i);
		if (mg_tcp_read(c, &byte, 1, mg_now_ns() + 10 * SEC) != -ECONNRESET)
			FAIL("connection %d was not reset", i);
		(void)mg_tcp_close(c);
	}
	(void)mg_tcp_unlisten(l);
	return aborted_in_accept == 3 ? 0 : 1;
}

static void
an_accept_callback_may_abort_the_connection_it_is_given(void **state)
{
	(void)state;
	aborted_in_accept = 0;
	run(abort_in_accept, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keepalive_chunked_post_and_big_bodies_round_trip),
		cmocka_unit_test(a_slow_head_gets_408_at_its_deadline_while_others_are_served),
		cmocka_unit_test(connections_past_max_conns_get_503_and_later_ones_are_served),
		cmocka_unit_test(pipelined_answers_come_in_order_and_close_ends_them_without_a_reset),
		cmocka_unit_test(an_accept_callback_may_abort_the_connection_it_is_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
