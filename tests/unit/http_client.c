/* SPDX-License-Identifier: ISC */
/*
 * http_client.c -- the client side: request writing (and what it refuses), response
 * heads and their body framing (RFC 9112 6.3), body readers for each framing, and a
 * round trip through the server's connection.
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

static struct mg_http_client_response resp;

static int
parse(const char *text, bool head)
{
	return mg_http_parse_response(text, strlen(text), &mg_http_default_limits, head, &resp);
}

static void
requests_are_written_with_host_and_length(void **state)
{
	static const char *const headers[] = { "Accept: */*", "X-Trace: 1", NULL };
	char buf[256];
	long n;

	(void)state;
	n = mg_http_client_request(buf, sizeof(buf), "GET", "example.org", "/a?b", NULL, NULL,
				   0);
	assert_int_equal(n, strlen("GET /a?b HTTP/1.1\r\nHost: example.org\r\n\r\n"));
	assert_memory_equal(buf, "GET /a?b HTTP/1.1\r\nHost: example.org\r\n\r\n", (size_t)n);
	n = mg_http_client_request(buf, sizeof(buf), "POST", "h:8080", "/p", headers, "xyz", 3);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "POST /p HTTP/1.1\r\nHost: h:8080\r\nAccept: */*\r\n"
				 "X-Trace: 1\r\nContent-Length: 3\r\n\r\nxyz");
	/* An empty body still says Content-Length: 0. */
	n = mg_http_client_request(buf, sizeof(buf), "PUT", "h", "/", NULL, "", 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "Content-Length: 0\r\n\r\n"));
}

static void
request_writer_refuses_injection_and_overflow(void **state)
{
	static const char *const crlf[] = { "X: a\r\nY: b", NULL };
	static const char *const nocolon[] = { "X", NULL };
	static const char *const badname[] = { "X Y: z", NULL };
	char buf[64];

	(void)state;
	assert_int_equal(mg_http_client_request(buf, sizeof(buf), "GET", "h", "/a b", NULL,
						NULL, 0), -EINVAL);
	assert_int_equal(mg_http_client_request(buf, sizeof(buf), "GET", "h", "/\r\n", NULL,
						NULL, 0), -EINVAL);
	assert_int_equal(mg_http_client_request(buf, sizeof(buf), "G T", "h", "/", NULL, NULL,
						0), -EINVAL);
	assert_int_equal(mg_http_client_request(buf, sizeof(buf), "GET", "h\n", "/", NULL, NULL,
						0), -EINVAL);
	assert_int_equal(mg_http_client_request(buf, sizeof(buf), "GET", "h", "/", crlf, NULL,
						0), -EINVAL);
	assert_int_equal(mg_http_client_request(buf, sizeof(buf), "GET", "h", "/", nocolon,
						NULL, 0), -EINVAL);
	assert_int_equal(mg_http_client_request(buf, sizeof(buf), "GET", "h", "/", badname,
						NULL, 0), -EINVAL);
	assert_int_equal(mg_http_client_request(buf, 20, "GET", "h", "/", NULL, NULL, 0),
			 -ENOSPC);
}

static void
response_heads_give_status_and_framing(void **state)
{
	const char *text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

	(void)state;
	assert_int_equal(parse(text, false), (int)(strlen(text) - 5));
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.reason.len, 2);
	assert_int_equal(resp.body_kind, MG_HTTP_BODY_LENGTH);
	assert_int_equal(resp.content_length, 5);
	assert_true(resp.keep_alive);
	assert_true(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false) > 0);
	assert_int_equal(resp.body_kind, MG_HTTP_BODY_CHUNKED);
	assert_true(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false) > 0);
	assert_int_equal(resp.body_kind, MG_HTTP_BODY_CLOSE);
	assert_false(resp.keep_alive);
	assert_true(parse("HTTP/1.1 200 OK\r\n\r\n", false) > 0);
	assert_int_equal(resp.body_kind, MG_HTTP_BODY_CLOSE);
	assert_true(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true) > 0);
	assert_int_equal(resp.body_kind, MG_HTTP_BODY_NONE);
	assert_true(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", false) > 0);
	assert_int_equal(resp.body_kind, MG_HTTP_BODY_NONE);
	assert_true(parse("HTTP/1.1 204 \r\n\r\n", false) > 0);
	assert_int_equal(resp.body_kind, MG_HTTP_BODY_NONE);
	assert_int_equal(resp.reason.len, 0);
	assert_true(parse("HTTP/1.1 100 Continue\r\n\r\n", false) > 0);
	assert_int_equal(resp.body_kind, MG_HTTP_BODY_NONE);
	assert_true(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false) > 0);
	assert_false(resp.keep_alive);
	assert_true(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
			  false) > 0);
	assert_false(resp.keep_alive);
	assert_true(parse("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", false) > 0);
	assert_int_equal(resp.status, 404);
}

static void
bad_response_heads_are_refused(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 600 X\r\n\r\n",
		"HTTP/1.1200 OK\r\n\r\n", "HTTX/1.1 200 OK\r\n\r\n", "HTTP/1.1 200 O\x01K\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Field: x\r\n\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], false) != -EBADMSG) {
			print_error("accepted: %s\n", bad[i]);
			fail();
		}
	assert_int_equal(parse("HTTP/2.0 200 OK\r\n\r\n", false), -ENOTSUP);
}

static void
incomplete_response_heads_need_more(void **state)
{
	const char *text = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";

	(void)state;
	for (size_t i = 0; i < strlen(text); i++)
		assert_int_equal(mg_http_parse_response(text, i, &mg_http_default_limits, false,
							&resp), 0);
}

/* Read a body through reader from text, split every `step` bytes. */
static int
read_all(struct mg_http_body_reader *r, const char *text, size_t len, size_t step,
	 char *out, size_t *out_len, size_t *consumed)
{
	size_t off = 0, total = 0;
	int rc = 0;

	while (off < len) {
		size_t n = len - off < step ? len - off : step, used, made;
		rc = mg_http_body_read(r, text + off, n, &used, out + total, 4096 - total, &made);
		if (rc < 0)
			return rc;
		off += used;
		total += made;
		if (rc == 1)
			break;
	}
	*out_len = total;
	*consumed = off;
	return rc;
}

static void
body_readers_handle_each_framing_at_any_split(void **state)
{
	char out[4096];
	size_t made, used;

	(void)state;
	for (size_t step = 1; step < 40; step++) {
		struct mg_http_body_reader r;
		const char *chunked = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nHTTP/1.1";

		assert_true(parse("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", false) > 0);
		mg_http_body_reader_init(&r, &resp, 100);
		assert_int_equal(read_all(&r, "hello worldHTTP/1.1", 19, step, out, &made, &used),
				 1);
		assert_int_equal(made, 11);
		assert_int_equal(used, 11);
		assert_memory_equal(out, "hello world", 11);

		assert_true(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false) >
			    0);
		mg_http_body_reader_init(&r, &resp, 100);
		assert_int_equal(read_all(&r, chunked, strlen(chunked), step, out, &made, &used),
				 1);
		assert_int_equal(made, 11);
		assert_int_equal(used, strlen(chunked) - 8);
		assert_memory_equal(out, "hello world", 11);
	}
}

static void
close_delimited_bodies_end_at_eof_and_others_do_not(void **state)
{
	struct mg_http_body_reader r;
	char out[64];
	size_t used, made;

	(void)state;
	assert_true(parse("HTTP/1.0 200 OK\r\n\r\n", false) > 0);
	mg_http_body_reader_init(&r, &resp, 10);
	assert_int_equal(mg_http_body_read(&r, "abc", 3, &used, out, sizeof(out), &made), 0);
	assert_int_equal(made, 3);
	assert_int_equal(mg_http_body_eof(&r), 1);
	mg_http_body_reader_init(&r, &resp, 10);
	assert_int_equal(mg_http_body_read(&r, "0123456789x", 11, &used, out, sizeof(out),
					   &made), -EFBIG);

	assert_true(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false) > 0);
	mg_http_body_reader_init(&r, &resp, 10);
	assert_int_equal(mg_http_body_read(&r, "abc", 3, &used, out, sizeof(out), &made), 0);
	assert_int_equal(mg_http_body_eof(&r), -EBADMSG);
	assert_true(parse("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", false) > 0);
	mg_http_body_reader_init(&r, &resp, 10);
	assert_int_equal(mg_http_body_read(&r, "abc", 3, &used, out, sizeof(out), &made),
			 -EFBIG);
	assert_true(parse("HTTP/1.1 204 No Content\r\n\r\n", false) > 0);
	mg_http_body_reader_init(&r, &resp, 10);
	assert_int_equal(mg_http_body_read(&r, "next", 4, &used, out, sizeof(out), &made), 1);
	assert_int_equal(used, 0);
}

/* The client's request through the server's connection, and its answer back. */
static int
io_send(void *ctx, const void *data, size_t len, size_t *taken)
{
	struct { char b[4096]; size_t n; } *sink = ctx;

	assert_true(sink->n + len <= sizeof(sink->b));
	memcpy(sink->b + sink->n, data, len);
	sink->n += len;
	*taken = len;
	return 0;
}

static void
io_close(void *ctx)
{
	(void)ctx;
}

static int
upper_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *out)
{
	char up[64];

	(void)arg;
	if (req->body_len > sizeof(up))
		return -EINVAL;
	for (size_t i = 0; i < req->body_len; i++)
		up[i] = (char)(req->body[i] >= 'a' && req->body[i] <= 'z' ? req->body[i] - 32
									   : req->body[i]);
	return mg_http_resp_write(out, up, req->body_len);
}

static void
client_and_server_round_trip(void **state)
{
	static const struct mg_http_io io = { io_send, io_close };
	static const struct mg_http_route route = { "/up", true, MG_HTTP_POST, upper_handler,
						    NULL };
	static struct mg_http_conn conn;
	static struct { char b[4096]; size_t n; } sink;
	struct mg_http_server srv;
	struct mg_http_body_reader r;
	char req[256], body[64];
	size_t used, made;
	long n;
	int head;

	(void)state;
	mg_http_server_init(&srv);
	srv.routes = &route;
	srv.route_count = 1;
	mg_http_conn_init(&conn, &srv, &io, &sink, 0);
	n = mg_http_client_request(req, sizeof(req), "POST", "h", "/up", NULL, "shout", 5);
	assert_true(n > 0);
	assert_int_equal(mg_http_conn_input(&conn, req, (size_t)n, 1), (size_t)n);
	head = mg_http_parse_response(sink.b, sink.n, &mg_http_default_limits, false, &resp);
	assert_true(head > 0);
	assert_int_equal(resp.status, 200);
	mg_http_body_reader_init(&r, &resp, sizeof(body));
	assert_int_equal(mg_http_body_read(&r, sink.b + head, sink.n - (size_t)head, &used, body,
					   sizeof(body), &made), 1);
	assert_int_equal(made, 5);
	assert_memory_equal(body, "SHOUT", 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requests_are_written_with_host_and_length),
		cmocka_unit_test(request_writer_refuses_injection_and_overflow),
		cmocka_unit_test(response_heads_give_status_and_framing),
		cmocka_unit_test(bad_response_heads_are_refused),
		cmocka_unit_test(incomplete_response_heads_need_more),
		cmocka_unit_test(body_readers_handle_each_framing_at_any_split),
		cmocka_unit_test(close_delimited_bodies_end_at_eof_and_others_do_not),
		cmocka_unit_test(client_and_server_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
