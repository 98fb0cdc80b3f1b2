/* SPDX-License-Identifier: ISC */
/*
 * http_conn.c -- the server connection state machine over a fake transport: answers,
 * pipelining, keep-alive and close, backpressure (a transport that takes a few bytes at
 * a time), every deadline, 100-continue, streamed bodies, routing, and the static-file
 * handler on a hand-made kv store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/http.h>

#define SEC 1000000000ull

/* The fake transport: collects what it is given, up to budget bytes per call. */
struct fake {
	char out[256 * 1024];
	size_t len;
	size_t budget;		/* 0: unlimited */
	bool blocked;		/* take nothing at all */
	int closes;
	int fail;		/* send returns this if non-zero */
};

static int
fake_send(void *ctx, const void *data, size_t len, size_t *taken)
{
	struct fake *f = ctx;
	size_t n = len;

	if (f->fail != 0)
		return f->fail;
	if (f->blocked)
		n = 0;
	else if (f->budget != 0 && n > f->budget)
		n = f->budget;
	assert_true(f->len + n < sizeof(f->out));
	memcpy(f->out + f->len, data, n);
	f->len += n;
	f->out[f->len] = '\0';
	*taken = n;
	return 0;
}

static void
fake_close(void *ctx)
{
	((struct fake *)ctx)->closes++;
}

static const struct mg_http_io fake_io = { fake_send, fake_close };

static int
hello_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	resp->content_type = "text/plain";
	return mg_http_resp_printf(resp, "hello %.*s", (int)req->path.len, req->path.p);
}

static int
echo_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	if (req->body_len > sizeof(resp->buf)) {
		/* Larger than the response buffer: answer with its length and checksum. */
		unsigned sum = 0;
		for (size_t i = 0; i < req->body_len; i++)
			sum = sum * 31 + (unsigned char)req->body[i];
		return mg_http_resp_printf(resp, "len %zu sum %u", req->body_len, sum);
	}
	return mg_http_resp_write(resp, req->body, req->body_len);
}

static int
fail_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	(void)req;
	(void)resp;
	return -EIO;
}

static long
count_stream(void *arg, char *buf, size_t cap)
{
	int *left = arg;

	(void)cap;
	if (*left == 0)
		return 0;
	(*left)--;
	memcpy(buf, "hello", 5);
	return 5;
}

static int stream_left;

static int
stream_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	(void)req;
	stream_left = 2;
	resp->stream = count_stream;
	resp->stream_arg = &stream_left;
	return 0;
}

/* A tiny store: "index.html", "docs/index.html", "app.js" with a gzip variant. */
static const unsigned char store_data[] = "<h1>home</h1>docs!var a=1;GZIPPED";
static const struct mg_kv_file store_files[] = {
	{ .path = "app.js", .path_len = 6, .offset = 18, .size = 8, .flags = MG_KV_HAS_GZIP,
	  .gz_offset = 26, .gz_size = 7, .mtime = 784111777, .etag = "\"js\"" },
	{ .path = "docs/index.html", .path_len = 15, .offset = 13, .size = 5,
	  .mtime = 784111777, .etag = "\"docs\"" },
	{ .path = "index.html", .path_len = 10, .offset = 0, .size = 13, .mtime = 784111777,
	  .etag = "\"home\"" },
};
static const struct mg_kv_store store = { .name = "site", .data = store_data,
					  .data_size = sizeof(store_data) - 1, .count = 3,
					  .files = store_files };
static struct mg_http_static site = { .store = &store, .prefix = "/" };

static const struct mg_http_route routes[] = {
	{ "/hello", true, 0, hello_handler, NULL },
	{ "/echo", true, MG_HTTP_POST | MG_HTTP_PUT, echo_handler, NULL },
	{ "/fail", true, 0, fail_handler, NULL },
	{ "/stream", true, 0, stream_handler, NULL },
	{ "/api", false, 0, hello_handler, NULL },
	{ "/", false, 0, mg_http_static_handler, &site },
};

static int64_t
fixed_time(void *arg)
{
	(void)arg;
	return 784111777;
}

struct fixture {
	struct mg_http_server srv;
	struct mg_http_conn conn;
	struct fake io;
};

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	mg_http_server_init(&fx->srv);
	fx->srv.routes = routes;
	fx->srv.route_count = sizeof(routes) / sizeof(routes[0]);
	fx->srv.unix_time = fixed_time;
	mg_http_conn_init(&fx->conn, &fx->srv, &fake_io, &fx->io, 0);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	free(*state);
	return 0;
}

static void
feed(struct fixture *fx, const char *text, uint64_t now)
{
	size_t len = strlen(text);

	assert_int_equal(mg_http_conn_input(&fx->conn, text, len, now), len);
}

static void
get_is_answered_and_the_connection_kept(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_string_equal(fx->io.out, "HTTP/1.1 200 OK\r\n"
					"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
					"Content-Type: text/plain\r\n"
					"Content-Length: 12\r\n\r\n"
					"hello /hello");
	assert_int_equal(fx->io.closes, 0);
	assert_int_equal(fx->conn.state, MG_HTTP_CONN_HEAD);
	assert_int_equal(mg_http_conn_deadline(&fx->conn), 1 + fx->srv.idle_timeout_ns);
	assert_int_equal(fx->conn.stats.requests, 1);
}

static void
pipelined_requests_are_answered_in_order_then_closed(void **state)
{
	struct fixture *fx = *state;
	const char *p;

	feed(fx, "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"
		 "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd"
		 "GET /api/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		 "GET /never HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	p = strstr(fx->io.out, "hello /hello");
	assert_non_null(p);
	p = strstr(p, "\r\n\r\nabcd");
	assert_non_null(p);
	p = strstr(p, "Connection: close\r\n\r\nhello /api/x");
	assert_non_null(p);
	assert_null(strstr(fx->io.out, "never"));
	assert_int_equal(fx->io.closes, 1);
	assert_true(mg_http_conn_closed(&fx->conn));
	assert_int_equal(mg_http_conn_input(&fx->conn, "x", 1, 2), 0);
}

static void
one_byte_at_a_time_gives_the_same_answer(void **state)
{
	struct fixture *fx = *state;
	const char *text = "\r\nPOST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
			   "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n";

	for (size_t i = 0; text[i] != '\0'; i++)
		assert_int_equal(mg_http_conn_input(&fx->conn, text + i, 1, i), 1);
	assert_non_null(strstr(fx->io.out, "Content-Length: 5\r\n\r\nabcde"));
	assert_int_equal(fx->conn.stats.requests, 1);
}

static void
backpressure_holds_input_and_resumes(void **state)
{
	struct fixture *fx = *state;
	static struct fixture ref;
	const char *text = "GET /hello HTTP/1.1\r\nHost: h\r\n\r\nGET /index.html HTTP/1.1\r\n"
			   "Host: h\r\n\r\nGET /docs/ HTTP/1.1\r\nHost: h\r\n\r\n";
	int rounds = 0;

	/* What an unlimited transport gets. */
	mg_http_server_init(&ref.srv);
	ref.srv = fx->srv;
	mg_http_conn_init(&ref.conn, &ref.srv, &fake_io, &ref.io, 0);
	feed(&ref, text, 1);
	/* Seven bytes per call, and the transport is full after each call. */
	fx->io.budget = 7;
	feed(fx, text, 1);
	while (fx->conn.state != MG_HTTP_CONN_HEAD || fx->conn.in_len > 0) {
		assert_true(++rounds < 10000);
		mg_http_conn_writable(&fx->conn, 2);
	}
	assert_int_equal(fx->io.len, ref.io.len);
	assert_memory_equal(fx->io.out, ref.io.out, ref.io.len);
}

static void
head_gets_the_length_but_no_body(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "HEAD /index.html HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "Content-Length: 13\r\n"));
	assert_non_null(strstr(fx->io.out, "ETag: \"home\"\r\n"));
	assert_int_equal(fx->io.len, strstr(fx->io.out, "\r\n\r\n") + 4 - fx->io.out);
}

static void
bad_request_is_answered_and_closed(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 400 Bad Request\r\n", 26) == 0);
	assert_non_null(strstr(fx->io.out, "Connection: close\r\n"));
	assert_int_equal(fx->io.closes, 1);
	assert_int_equal(fx->conn.stats.errors, 1);
}

static void
bad_request_line_is_refused_before_the_head_ends(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "GET / HTTP/3.0\r\nHost: h\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 505 ", 13) == 0);
	assert_true(mg_http_conn_closed(&fx->conn));
}

static void
header_deadline_answers_408(void **state)
{
	struct fixture *fx = *state;
	uint64_t t = 5 * SEC;

	feed(fx, "GET / HTTP/1.1\r\nHost: h\r\n", t);
	assert_int_equal(mg_http_conn_deadline(&fx->conn), t + fx->srv.header_timeout_ns);
	/* Trickling bytes does not move the deadline. */
	feed(fx, "X-A: 1\r\n", t + 9 * SEC);
	mg_http_conn_tick(&fx->conn, t + fx->srv.header_timeout_ns - 1);
	assert_int_equal(fx->io.len, 0);
	mg_http_conn_tick(&fx->conn, t + fx->srv.header_timeout_ns);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 408 Request Timeout\r\n", 30) == 0);
	assert_int_equal(fx->io.closes, 1);
	assert_int_equal(fx->conn.stats.timeouts, 1);
}

static void
idle_keep_alive_connection_closes_silently(void **state)
{
	struct fixture *fx = *state;
	size_t len;

	/* Even before the first request, a silent connection is dropped. */
	mg_http_conn_tick(&fx->conn, fx->srv.header_timeout_ns);
	assert_int_equal(fx->io.closes, 1);
	assert_int_equal(fx->io.len, 0);

	mg_http_conn_init(&fx->conn, &fx->srv, &fake_io, &fx->io, 0);
	fx->io.closes = 0;
	feed(fx, "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	len = fx->io.len;
	mg_http_conn_tick(&fx->conn, fx->srv.idle_timeout_ns);
	assert_int_equal(fx->io.closes, 0);
	mg_http_conn_tick(&fx->conn, 1 + fx->srv.idle_timeout_ns);
	assert_int_equal(fx->io.closes, 1);
	assert_int_equal(fx->io.len, len);
}

static void
stuck_output_is_dropped_after_the_send_deadline(void **state)
{
	struct fixture *fx = *state;

	fx->io.blocked = true;
	feed(fx, "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_int_equal(fx->conn.state, MG_HTTP_CONN_SEND);
	mg_http_conn_tick(&fx->conn, fx->srv.send_timeout_ns);
	assert_int_equal(fx->io.closes, 0);
	mg_http_conn_tick(&fx->conn, 1 + fx->srv.send_timeout_ns);
	assert_int_equal(fx->io.closes, 1);
	assert_true(mg_http_conn_closed(&fx->conn));
}

static void
transport_failure_aborts_without_close(void **state)
{
	struct fixture *fx = *state;

	fx->io.fail = -EPIPE;
	feed(fx, "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_true(mg_http_conn_closed(&fx->conn));
	assert_int_equal(fx->io.closes, 0);
}

static void
routes_give_404_405_and_500(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "GET /apix HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 404 ", 13) == 0);
	fx->io.len = 0;
	feed(fx, "GET /api/deep/er HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "hello /api/deep/er"));
	fx->io.len = 0;
	feed(fx, "DELETE /echo HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 405 ", 13) == 0);
	assert_non_null(strstr(fx->io.out, "Allow: POST, PUT\r\n"));
	fx->io.len = 0;
	feed(fx, "POST /hello HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "Allow: GET, HEAD\r\n"));
	fx->io.len = 0;
	feed(fx, "GET /fail HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 500 ", 13) == 0);
	assert_false(mg_http_conn_closed(&fx->conn));
}

static void
streams_go_chunked_to_1_1_and_by_close_to_1_0(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "GET /stream HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "Transfer-Encoding: chunked\r\n\r\n"
					   "5\r\nhello\r\n5\r\nhello\r\n0\r\n\r\n"));
	assert_null(strstr(fx->io.out, "Content-Length"));
	assert_int_equal(fx->io.closes, 0);
	fx->io.len = 0;
	feed(fx, "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "Connection: close\r\n\r\nhellohello"));
	assert_null(strstr(fx->io.out, "Transfer-Encoding"));
	assert_int_equal(fx->io.closes, 1);
}

static void
expect_100_continue_is_answered_before_the_body(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
		 "Content-Length: 3\r\n\r\n", 1);
	assert_string_equal(fx->io.out, "HTTP/1.1 100 Continue\r\n\r\n");
	feed(fx, "xyz", 2);
	assert_non_null(strstr(fx->io.out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(fx->io.out, "\r\n\r\nxyz"));
}

static void
chunked_body_larger_than_the_buffer_encoded_is_decoded(void **state)
{
	struct fixture *fx = *state;
	char piece[16], want[64];
	unsigned sum = 0;
	size_t body = fx->srv.limits.body_max;

	feed(fx, "PUT /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 1);
	/* 16 KiB of one-byte chunks: 96 KiB encoded, three times the input buffer. */
	for (size_t i = 0; i < body; i++) {
		char c = (char)('a' + i % 26);
		size_t len = (size_t)snprintf(piece, sizeof(piece), "1\r\n%c\r\n", c);
		assert_int_equal(mg_http_conn_input(&fx->conn, piece, len, 2), len);
		sum = sum * 31 + (unsigned char)c;
	}
	feed(fx, "0\r\n\r\n", 3);
	(void)snprintf(want, sizeof(want), "len %zu sum %u", body, sum);
	assert_non_null(strstr(fx->io.out, want));
}

static void
eof_answers_what_is_buffered_then_closes(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "GET /hello HTTP/1.1\r\nHost: h\r\n\r\nGET /api HTTP/1.1\r\nHost: h\r\n\r\nGET /",
	     1);
	mg_http_conn_eof(&fx->conn, 2);
	assert_non_null(strstr(fx->io.out, "hello /hello"));
	assert_non_null(strstr(fx->io.out, "hello /api"));
	assert_int_equal(fx->io.closes, 1);
}

static void
eof_while_sending_still_answers_the_buffered_requests(void **state)
{
	struct fixture *fx = *state;
	int rounds = 0;

	fx->io.blocked = true;
	feed(fx, "GET /hello HTTP/1.1\r\nHost: h\r\n\r\nGET /api HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	mg_http_conn_eof(&fx->conn, 2);
	assert_int_equal(fx->io.closes, 0);
	fx->io.blocked = false;
	fx->io.budget = 5;
	while (!mg_http_conn_closed(&fx->conn)) {
		assert_true(++rounds < 1000);
		mg_http_conn_writable(&fx->conn, 3);
	}
	assert_non_null(strstr(fx->io.out, "hello /hello"));
	assert_non_null(strstr(fx->io.out, "hello /api"));
	assert_int_equal(fx->io.closes, 1);
}

static void
static_files_index_redirect_and_404(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "Content-Type: text/html; charset=utf-8\r\n"));
	assert_non_null(strstr(fx->io.out, "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT\r\n"));
	assert_non_null(strstr(fx->io.out, "Accept-Ranges: bytes\r\n"));
	assert_non_null(strstr(fx->io.out, "\r\n\r\n<h1>home</h1>"));
	fx->io.len = 0;
	feed(fx, "GET /docs?x=1 HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 301 ", 13) == 0);
	assert_non_null(strstr(fx->io.out, "Location: /docs/?x=1\r\n"));
	fx->io.len = 0;
	feed(fx, "GET /docs/ HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "\r\n\r\ndocs!"));
	fx->io.len = 0;
	feed(fx, "GET /%64ocs/index%2Ehtml HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "\r\n\r\ndocs!"));
	static const char *const bad[] = { "/../index.html", "/docs/../index.html",
					   "/./index.html", "//index.html", "/docs//",
					   "/index.html%00", "/%2", "/nope" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];
		fx->io.len = 0;
		(void)snprintf(text, sizeof(text), "GET %s HTTP/1.1\r\nHost: h\r\n\r\n", bad[i]);
		feed(fx, text, 1);
		if (strncmp(fx->io.out, "HTTP/1.1 404 ", 13) != 0) {
			print_error("%s: %.40s\n", bad[i], fx->io.out);
			fail();
		}
	}
}

static void
static_files_gzip_range_and_304(void **state)
{
	struct fixture *fx = *state;

	feed(fx, "GET /app.js HTTP/1.1\r\nHost: h\r\nAccept-Encoding: br, gzip\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "ETag: \"js-gz\"\r\n"));
	assert_non_null(strstr(fx->io.out, "Vary: Accept-Encoding\r\nContent-Encoding: gzip\r\n"));
	assert_non_null(strstr(fx->io.out, "\r\n\r\nGZIPPED"));
	fx->io.len = 0;
	feed(fx, "GET /app.js HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	assert_non_null(strstr(fx->io.out, "ETag: \"js\"\r\n"));
	assert_non_null(strstr(fx->io.out, "Vary: Accept-Encoding\r\n"));
	assert_null(strstr(fx->io.out, "Content-Encoding"));
	assert_non_null(strstr(fx->io.out, "\r\n\r\nvar a=1;"));
	fx->io.len = 0;
	feed(fx, "GET /index.html HTTP/1.1\r\nHost: h\r\nRange: bytes=4-7\r\n\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 206 ", 13) == 0);
	assert_non_null(strstr(fx->io.out, "Content-Range: bytes 4-7/13\r\n"
					   "Content-Length: 4\r\n\r\nhome"));
	fx->io.len = 0;
	feed(fx, "GET /index.html HTTP/1.1\r\nHost: h\r\nRange: bytes=13-\r\n\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 416 ", 13) == 0);
	assert_non_null(strstr(fx->io.out, "Content-Range: bytes */13\r\n"));
	fx->io.len = 0;
	feed(fx, "GET /index.html HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"home\"\r\n\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 304 ", 13) == 0);
	assert_non_null(strstr(fx->io.out, "ETag: \"home\"\r\n"));
	assert_null(strstr(fx->io.out, "Content-Length"));
	assert_int_equal(fx->io.len, strstr(fx->io.out, "\r\n\r\n") + 4 - fx->io.out);
	fx->io.len = 0;
	/* Range is for GET only; HEAD gets the plain length. */
	feed(fx, "HEAD /index.html HTTP/1.1\r\nHost: h\r\nRange: bytes=4-7\r\n\r\n", 1);
	assert_true(strncmp(fx->io.out, "HTTP/1.1 200 ", 13) == 0);
	assert_non_null(strstr(fx->io.out, "Content-Length: 13\r\n"));
}

static void
response_headers_are_bounded_and_checked(void **state)
{
	static struct mg_http_response resp;
	char value[200];
	int rc = 0;

	(void)state;
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	assert_int_equal(mg_http_resp_header(&resp, "X-Bad", "a\nb"), -EINVAL);
	assert_int_equal(mg_http_resp_header(&resp, "X Bad", "a"), -EINVAL);
	for (int i = 0; i < 100 && rc == 0; i++)
		rc = mg_http_resp_header(&resp, "X-Fill", value);
	assert_int_equal(rc, -ENOSPC);
	assert_true(resp.headers_len <= sizeof(resp.headers));
	resp.buf_len = sizeof(resp.buf) - 2;
	assert_int_equal(mg_http_resp_write(&resp, "abc", 3), -ENOSPC);
	assert_int_equal(mg_http_resp_printf(&resp, "abc"), -ENOSPC);
	assert_int_equal(mg_http_resp_printf(&resp, "a"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(get_is_answered_and_the_connection_kept),
		T(pipelined_requests_are_answered_in_order_then_closed),
		T(one_byte_at_a_time_gives_the_same_answer),
		T(backpressure_holds_input_and_resumes),
		T(head_gets_the_length_but_no_body),
		T(bad_request_is_answered_and_closed),
		T(bad_request_line_is_refused_before_the_head_ends),
		T(header_deadline_answers_408),
		T(idle_keep_alive_connection_closes_silently),
		T(stuck_output_is_dropped_after_the_send_deadline),
		T(transport_failure_aborts_without_close),
		T(routes_give_404_405_and_500),
		T(streams_go_chunked_to_1_1_and_by_close_to_1_0),
		T(expect_100_continue_is_answered_before_the_body),
		T(chunked_body_larger_than_the_buffer_encoded_is_decoded),
		T(eof_answers_what_is_buffered_then_closes),
		T(eof_while_sending_still_answers_the_buffered_requests),
		T(static_files_index_redirect_and_404),
		T(static_files_gzip_range_and_304),
		cmocka_unit_test(response_headers_are_bounded_and_checked),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
