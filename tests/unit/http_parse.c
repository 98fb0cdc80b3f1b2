/* SPDX-License-Identifier: ISC */
/*
 * http_parse.c -- the request parser and the chunked decoder: well-formed requests
 * and their fields, every limit at and past its edge, each class of malformed request
 * with the status it must get, incremental input (every split), pipelining.
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

static struct mg_http_request req;

static int
parse(const char *text)
{
	return mg_http_parse_request(text, strlen(text), &mg_http_default_limits, &req);
}

static bool
str_is(struct mg_http_str s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

/* The request must be refused with status. */
static void
expect_status(const char *text, int status)
{
	int rc = parse(text);

	if (rc != -EBADMSG || req.error_status != status) {
		print_error("request %.60s...: rc %d status %d, want %d\n", text, rc,
			    req.error_status, status);
		fail();
	}
	assert_non_null(req.error_reason);
}

static void
simple_get_is_parsed_with_its_fields(void **state)
{
	const char *text = "GET /a/b?x=1&y HTTP/1.1\r\nHost: example.org\r\n"
			   "Accept:  text/html \r\nX-Empty:\r\n\r\nNEXT";
	const struct mg_http_str *v;

	(void)state;
	assert_int_equal(parse(text), (int)(strstr(text, "NEXT") - text));
	assert_int_equal(req.method, MG_HTTP_GET);
	assert_true(str_is(req.method_name, "GET"));
	assert_true(str_is(req.target, "/a/b?x=1&y"));
	assert_true(str_is(req.path, "/a/b"));
	assert_true(str_is(req.query, "x=1&y"));
	assert_int_equal(req.version_minor, 1);
	assert_true(str_is(req.host, "example.org"));
	assert_int_equal(req.header_count, 3);
	v = mg_http_header_get(req.headers, req.header_count, "ACCEPT");
	assert_non_null(v);
	assert_true(str_is(*v, "text/html"));
	v = mg_http_header_get(req.headers, req.header_count, "x-empty");
	assert_non_null(v);
	assert_int_equal(v->len, 0);
	assert_true(req.keep_alive);
	assert_false(req.chunked);
	assert_false(req.has_length);
}

static void
bare_lf_line_endings_are_accepted(void **state)
{
	(void)state;
	assert_int_equal(parse("GET / HTTP/1.1\nHost: h\n\n"), 24);
	assert_true(str_is(req.host, "h"));
}

static void
empty_lines_before_the_request_are_skipped(void **state)
{
	(void)state;
	assert_int_equal(parse("\r\n\r\nGET / HTTP/1.0\r\n\r\n"), 22);
	assert_int_equal(req.version_minor, 0);
	assert_int_equal(parse("\r"), 0);
}

static void
incomplete_heads_need_more_at_every_split(void **state)
{
	const char *text = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
	size_t len = strlen(text);

	(void)state;
	for (size_t i = 0; i < len; i++)
		assert_int_equal(mg_http_parse_request(text, i, &mg_http_default_limits, &req),
				 0);
	assert_int_equal(mg_http_parse_request(text, len, &mg_http_default_limits, &req),
			 (int)len);
	assert_true(req.has_length);
	assert_int_equal(req.content_length, 3);
}

static void
pipelined_requests_parse_one_after_another(void **state)
{
	const char *text = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
			   "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
			   "GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
	size_t off = 0;
	int rc;

	(void)state;
	for (int i = 1; i <= 3; i++) {
		char path[4];
		rc = mg_http_parse_request(text + off, strlen(text + off),
					   &mg_http_default_limits, &req);
		assert_true(rc > 0);
		(void)snprintf(path, sizeof(path), "/%d", i);
		assert_true(str_is(req.path, path));
		assert_int_equal(req.keep_alive, i < 3);
		off += (size_t)rc;
	}
	assert_int_equal(off, strlen(text));
}

static void
absolute_form_and_asterisk_targets(void **state)
{
	(void)state;
	assert_true(parse("GET http://Example.com:8080/p?q HTTP/1.1\r\nHost: other\r\n\r\n") > 0);
	assert_true(str_is(req.host, "Example.com:8080"));
	assert_true(str_is(req.path, "/p"));
	assert_true(str_is(req.query, "q"));
	assert_true(parse("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n") > 0);
	assert_true(str_is(req.path, "/"));
	assert_true(parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n") > 0);
	assert_true(str_is(req.path, "*"));
	expect_status("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_status("GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_status("GET http:///p HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_status("GET p HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

static void
keep_alive_follows_version_and_connection(void **state)
{
	(void)state;
	assert_true(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n") > 0);
	assert_true(req.keep_alive);
	assert_true(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, Close\r\n\r\n") > 0);
	assert_false(req.keep_alive);
	assert_true(parse("GET / HTTP/1.0\r\n\r\n") > 0);
	assert_false(req.keep_alive);
	assert_true(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n") > 0);
	assert_true(req.keep_alive);
	/* A later minor version is served as 1.1. */
	assert_true(parse("GET / HTTP/1.7\r\nHost: h\r\n\r\n") > 0);
	assert_int_equal(req.version_minor, 1);
}

static void
request_line_limit_is_414_at_one_past(void **state)
{
	struct mg_http_limits lim = mg_http_default_limits;
	char text[128];

	(void)state;
	lim.request_line_max = 20;
	/* "GET /aaaaaaa HTTP/1.1" is 21 bytes. */
	(void)snprintf(text, sizeof(text), "GET /aaaaaa HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_true(mg_http_parse_request(text, strlen(text), &lim, &req) > 0);
	(void)snprintf(text, sizeof(text), "GET /aaaaaaa HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(mg_http_parse_request(text, strlen(text), &lim, &req), -EBADMSG);
	assert_int_equal(req.error_status, 414);
	/* Without a line end yet: refused once it cannot fit any more. */
	assert_int_equal(mg_http_parse_request("GET /aaaaaaaaaaaaaaaa", 21, &lim, &req), 0);
	assert_int_equal(mg_http_parse_request("GET /aaaaaaaaaaaaaaaaa", 22, &lim, &req),
			 -EBADMSG);
	assert_int_equal(req.error_status, 414);
}

static void
head_size_limit_is_431(void **state)
{
	struct mg_http_limits lim = mg_http_default_limits;
	const char *ok = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";	/* 27 bytes */

	(void)state;
	lim.head_max = 27;
	assert_int_equal(mg_http_parse_request(ok, strlen(ok), &lim, &req), 27);
	lim.head_max = 26;
	assert_int_equal(mg_http_parse_request(ok, strlen(ok), &lim, &req), -EBADMSG);
	assert_int_equal(req.error_status, 431);
	/* Incomplete but already too big. */
	assert_int_equal(mg_http_parse_request("GET / HTTP/1.1\r\nX: aaaaaaaaaaaa", 31, &lim,
					       &req), -EBADMSG);
	assert_int_equal(req.error_status, 431);
}

static void
header_count_limit_is_431(void **state)
{
	struct mg_http_limits lim = mg_http_default_limits;
	const char *text = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n";

	(void)state;
	lim.header_count_max = 3;
	assert_true(mg_http_parse_request(text, strlen(text), &lim, &req) > 0);
	lim.header_count_max = 2;
	assert_int_equal(mg_http_parse_request(text, strlen(text), &lim, &req), -EBADMSG);
	assert_int_equal(req.error_status, 431);
}

static void
body_limit_is_413_for_content_length(void **state)
{
	struct mg_http_limits lim = mg_http_default_limits;
	const char *text = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n";

	(void)state;
	lim.body_max = 101;
	assert_true(mg_http_parse_request(text, strlen(text), &lim, &req) > 0);
	lim.body_max = 100;
	assert_int_equal(mg_http_parse_request(text, strlen(text), &lim, &req), -EBADMSG);
	assert_int_equal(req.error_status, 413);
}

static void
versions_other_than_1_x_are_505_and_garbage_400(void **state)
{
	(void)state;
	expect_status("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505);
	expect_status("GET / HTTP/0.9\r\n\r\n", 505);
	expect_status("GET / HTTP/1.1x\r\nHost: h\r\n\r\n", 400);
	expect_status("GET / HTTP/11\r\nHost: h\r\n\r\n", 400);
	expect_status("GET / http/1.1\r\nHost: h\r\n\r\n", 400);
	expect_status("GET /\r\n\r\n", 400);
}

static void
request_line_syntax_errors_are_400(void **state)
{
	(void)state;
	expect_status("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400);	/* two spaces */
	expect_status("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400);	/* trailing space */
	expect_status("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400);	/* not a token */
	expect_status(" GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_status("GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_status("GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_status("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_status("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

static void
field_syntax_errors_are_400(void **state)
{
	(void)state;
	expect_status("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400);
	{
		static const char nul[] = "GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n";
		assert_int_equal(mg_http_parse_request(nul, sizeof(nul) - 1,
						       &mg_http_default_limits, &req), -EBADMSG);
		assert_int_equal(req.error_status, 400);
	}
	expect_status("GET / HTTP/1.1\r\nHost: h\r\nX(: v\r\n\r\n", 400);
	/* obs-text and HTAB in values are fine. */
	assert_true(parse("GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9\tok\r\n\r\n") > 0);
}

static void
host_rules_are_enforced(void **state)
{
	(void)state;
	expect_status("GET / HTTP/1.1\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400);
	assert_true(parse("GET / HTTP/1.0\r\n\r\n") > 0);	/* 1.0 needs none */
}

static void
content_length_rules(void **state)
{
	(void)state;
	assert_true(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n"
			  "Content-Length: 5\r\n\r\n") > 0);
	assert_int_equal(req.content_length, 5);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		      400);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 6\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\n"
		      "Content-Length: 99999999999999999999999\r\n\r\n", 400);
}

static void
transfer_encoding_rules(void **state)
{
	(void)state;
	assert_true(parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n") > 0);
	assert_true(req.chunked);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
		      "Transfer-Encoding: chunked\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
		      400);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		      501);
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n", 400);
	expect_status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
}

static void
methods_expect_and_unknowns(void **state)
{
	(void)state;
	expect_status("BREW / HTTP/1.1\r\nHost: h\r\n\r\n", 501);
	expect_status("get / HTTP/1.1\r\nHost: h\r\n\r\n", 501);	/* case-sensitive */
	expect_status("POST / HTTP/1.1\r\nHost: h\r\nExpect: tea\r\n\r\n", 417);
	assert_true(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n"
			  "Content-Length: 1\r\n\r\n") > 0);
	assert_true(req.expect_continue);
	assert_true(parse("DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n") > 0);
	assert_int_equal(req.method, MG_HTTP_DELETE);
}

static void
token_lists_are_matched_by_element(void **state)
{
	(void)state;
	assert_true(parse("GET / HTTP/1.1\r\nHost: h\r\nX: a, ,b ,  c\r\nX: d\r\n\r\n") > 0);
	assert_true(mg_http_header_has_token(req.headers, req.header_count, "x", "B"));
	assert_true(mg_http_header_has_token(req.headers, req.header_count, "x", "d"));
	assert_false(mg_http_header_has_token(req.headers, req.header_count, "x", "a, b"));
	assert_false(mg_http_header_has_token(req.headers, req.header_count, "y", "a"));
}

/* ---- chunked decoder ---- */

static const char chunked_body[] = "4\r\nWiki\r\n5;ext=1;x=\"y\"\r\npedia\r\n"
				   "E\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\nNEXT";
static const char chunked_plain[] = "Wikipedia in\r\n\r\nchunks.";

static void
chunked_decodes_the_reference_example(void **state)
{
	struct mg_http_chunked ch;
	char out[64];
	size_t used, made;

	(void)state;
	mg_http_chunked_init(&ch, 1000);
	assert_int_equal(mg_http_chunked_decode(&ch, chunked_body, sizeof(chunked_body) - 1,
						&used, out, sizeof(out), &made), 1);
	assert_int_equal(used, strstr(chunked_body, "NEXT") - chunked_body);
	assert_int_equal(made, strlen(chunked_plain));
	assert_memory_equal(out, chunked_plain, made);
}

static void
chunked_gives_the_same_at_every_two_way_split(void **state)
{
	size_t len = strstr(chunked_body, "NEXT") - chunked_body;

	(void)state;
	for (size_t split = 0; split <= len; split++) {
		struct mg_http_chunked ch;
		char out[64];
		size_t used, made, total = 0;
		int rc;

		mg_http_chunked_init(&ch, 1000);
		rc = mg_http_chunked_decode(&ch, chunked_body, split, &used, out, sizeof(out),
					    &made);
		assert_int_equal(rc, split == len ? 1 : 0);
		assert_int_equal(used, split);
		total = made;
		rc = mg_http_chunked_decode(&ch, chunked_body + split, len - split, &used,
					    out + total, sizeof(out) - total, &made);
		assert_int_equal(rc, 1);
		total += made;
		assert_int_equal(total, strlen(chunked_plain));
		assert_memory_equal(out, chunked_plain, total);
	}
}

static void
chunked_decodes_in_place(void **state)
{
	struct mg_http_chunked ch;
	char buf[sizeof(chunked_body)];
	size_t used, made;

	(void)state;
	memcpy(buf, chunked_body, sizeof(buf));
	mg_http_chunked_init(&ch, 1000);
	assert_int_equal(mg_http_chunked_decode(&ch, buf, sizeof(buf) - 1, &used, buf,
						sizeof(buf), &made), 1);
	assert_memory_equal(buf, chunked_plain, made);
}

static void
chunked_stops_when_out_is_full_and_resumes(void **state)
{
	struct mg_http_chunked ch;
	char out[64];
	size_t used, made, off = 0, total = 0;
	size_t len = strstr(chunked_body, "NEXT") - chunked_body;
	int rc = 0;

	(void)state;
	mg_http_chunked_init(&ch, 1000);
	while (rc == 0) {
		/* One byte of room at a time. */
		rc = mg_http_chunked_decode(&ch, chunked_body + off, len - off, &used,
					    out + total, 1, &made);
		assert_true(rc >= 0);
		off += used;
		total += made;
		assert_true(total <= strlen(chunked_plain));
	}
	assert_int_equal(total, strlen(chunked_plain));
	assert_memory_equal(out, chunked_plain, total);
}

static void
chunked_refuses_bad_syntax(void **state)
{
	static const char *const bad[] = {
		"x\r\n", "\r\n", "4\r\nWikiX\r\n", "4\r\nWiki\rX", "4 x\r\nWikiZ",
		"4;\x01\r\n", "0\r\n\rX", "0\r\r\n", "4\x01\r\n", "-1\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mg_http_chunked ch;
		char out[64];
		size_t used, made;
		int rc;

		mg_http_chunked_init(&ch, 1000);
		rc = mg_http_chunked_decode(&ch, bad[i], strlen(bad[i]), &used, out,
					    sizeof(out), &made);
		if (rc != -EBADMSG) {
			print_error("case %zu: rc %d\n", i, rc);
			fail();
		}
	}
}

static void
chunked_enforces_its_maximum_and_line_bounds(void **state)
{
	struct mg_http_chunked ch;
	char out[64], line[5000];
	size_t used, made;

	(void)state;
	mg_http_chunked_init(&ch, 10);
	assert_int_equal(mg_http_chunked_decode(&ch, "a\r\n0123456789\r\n0\r\n\r\n", 21, &used,
						out, sizeof(out), &made), 1);
	mg_http_chunked_init(&ch, 10);
	assert_int_equal(mg_http_chunked_decode(&ch, "b\r\n", 3, &used, out, sizeof(out),
						&made), -EFBIG);
	mg_http_chunked_init(&ch, 10);
	assert_int_equal(mg_http_chunked_decode(&ch, "6\r\n012345\r\n5\r\n", 14, &used, out,
						sizeof(out), &made), -EFBIG);
	mg_http_chunked_init(&ch, UINT64_MAX);
	assert_int_equal(mg_http_chunked_decode(&ch, "fffffffffffffffff", 17, &used, out,
						sizeof(out), &made), -EFBIG);
	memset(line, '0', sizeof(line));
	mg_http_chunked_init(&ch, 10);
	assert_int_equal(mg_http_chunked_decode(&ch, line, sizeof(line), &used, out,
						sizeof(out), &made), -EBADMSG);
	line[0] = '1';
	line[1] = ';';
	mg_http_chunked_init(&ch, 10);
	assert_int_equal(mg_http_chunked_decode(&ch, line, sizeof(line), &used, out,
						sizeof(out), &made), -EBADMSG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(simple_get_is_parsed_with_its_fields),
		cmocka_unit_test(bare_lf_line_endings_are_accepted),
		cmocka_unit_test(empty_lines_before_the_request_are_skipped),
		cmocka_unit_test(incomplete_heads_need_more_at_every_split),
		cmocka_unit_test(pipelined_requests_parse_one_after_another),
		cmocka_unit_test(absolute_form_and_asterisk_targets),
		cmocka_unit_test(keep_alive_follows_version_and_connection),
		cmocka_unit_test(request_line_limit_is_414_at_one_past),
		cmocka_unit_test(head_size_limit_is_431),
		cmocka_unit_test(header_count_limit_is_431),
		cmocka_unit_test(body_limit_is_413_for_content_length),
		cmocka_unit_test(versions_other_than_1_x_are_505_and_garbage_400),
		cmocka_unit_test(request_line_syntax_errors_are_400),
		cmocka_unit_test(field_syntax_errors_are_400),
		cmocka_unit_test(host_rules_are_enforced),
		cmocka_unit_test(content_length_rules),
		cmocka_unit_test(transfer_encoding_rules),
		cmocka_unit_test(methods_expect_and_unknowns),
		cmocka_unit_test(token_lists_are_matched_by_element),
		cmocka_unit_test(chunked_decodes_the_reference_example),
		cmocka_unit_test(chunked_gives_the_same_at_every_two_way_split),
		cmocka_unit_test(chunked_decodes_in_place),
		cmocka_unit_test(chunked_stops_when_out_is_full_and_resumes),
		cmocka_unit_test(chunked_refuses_bad_syntax),
		cmocka_unit_test(chunked_enforces_its_maximum_and_line_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
