/* SPDX-License-Identifier: ISC */
/*
 * http_head.c -- building heads and the pure rules behind responses: the bounded
 * writer, HTTP dates both ways, content types, entity-tag comparison, the precondition
 * order of RFC 9110 13.2.2, If-Range, and Range interpretation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <morgana/http.h>

#define RFC_EXAMPLE_TIME 784111777	/* Sun, 06 Nov 1994 08:49:37 GMT */

static struct mg_http_request req;

static void
request(const char *text)
{
	assert_true(mg_http_parse_request(text, strlen(text), &mg_http_default_limits, &req) >
		    0);
}

static struct mg_http_str
S(const char *s)
{
	return (struct mg_http_str){ s, strlen(s) };
}

static void
writer_builds_a_head_and_stops_at_its_end(void **state)
{
	char buf[64];
	struct mg_http_writer w;

	(void)state;
	mg_http_writer_init(&w, buf, sizeof(buf));
	mg_http_write_status(&w, 404);
	mg_http_write_header(&w, "Content-Length", "0");
	assert_false(w.overflow);
	assert_int_equal(w.len, strlen("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"));
	assert_memory_equal(buf, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n", w.len);
	mg_http_write_header(&w, "X-Long", "01234567890123456789");
	assert_true(w.overflow);
	/* Once overflowed, nothing more is written, even what would fit. */
	mg_http_write_bytes(&w, "x", 1);
	assert_int_equal(w.len, strlen("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"));
}

static void
writer_refuses_fields_that_would_split_the_head(void **state)
{
	char buf[256];
	struct mg_http_writer w;

	(void)state;
	mg_http_writer_init(&w, buf, sizeof(buf));
	mg_http_write_header(&w, "X", "a\r\nInjected: 1");
	assert_true(w.overflow);
	mg_http_writer_init(&w, buf, sizeof(buf));
	mg_http_write_header(&w, "X: Y", "v");
	assert_true(w.overflow);
	mg_http_writer_init(&w, buf, sizeof(buf));
	mg_http_write_header(&w, "", "v");
	assert_true(w.overflow);
}

static void
reasons_are_known_or_unknown(void **state)
{
	(void)state;
	assert_string_equal(mg_http_reason(200), "OK");
	assert_string_equal(mg_http_reason(416), "Range Not Satisfiable");
	assert_string_equal(mg_http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(mg_http_reason(299), "Unknown");
}

static void
dates_format_as_imf_fixdate(void **state)
{
	char out[MG_HTTP_DATE_SIZE];

	(void)state;
	assert_int_equal(mg_http_date_format(RFC_EXAMPLE_TIME, out), 0);
	assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
	assert_int_equal(mg_http_date_format(0, out), 0);
	assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
	assert_int_equal(mg_http_date_format(951782400, out), 0);	/* leap day */
	assert_string_equal(out, "Tue, 29 Feb 2000 00:00:00 GMT");
	assert_int_equal(mg_http_date_format(253402300799, out), 0);
	assert_string_equal(out, "Fri, 31 Dec 9999 23:59:59 GMT");
	assert_int_equal(mg_http_date_format(-1, out), -EINVAL);
	assert_int_equal(mg_http_date_format(253402300800, out), -EINVAL);
}

static void
dates_parse_in_all_three_formats(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(mg_http_date_parse(S("Sun, 06 Nov 1994 08:49:37 GMT").p, 29, &t), 0);
	assert_int_equal(t, RFC_EXAMPLE_TIME);
	t = 0;
	assert_int_equal(mg_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", 30, &t), 0);
	assert_int_equal(t, RFC_EXAMPLE_TIME);
	t = 0;
	assert_int_equal(mg_http_date_parse("Sun Nov  6 08:49:37 1994", 24, &t), 0);
	assert_int_equal(t, RFC_EXAMPLE_TIME);
}

static void
dates_round_trip_over_the_range(void **state)
{
	char out[MG_HTTP_DATE_SIZE];
	int64_t t;

	(void)state;
	for (int64_t x = 0; x < 253402300799; x += 86399 * 367 + 12345) {
		assert_int_equal(mg_http_date_format(x, out), 0);
		assert_int_equal(mg_http_date_parse(out, strlen(out), &t), 0);
		assert_int_equal(t, x);
	}
}

static void
bad_dates_are_refused(void **state)
{
	static const char *const bad[] = {
		"Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT",
		"Sun, 32 Jan 1994 08:49:37 GMT", "Sun, 29 Feb 2100 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:37 GMT",
		"Sun, 06 Nov 1969 08:49:37 GMT", "Sun,  6 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 PST", "Sun Nov 6 08:49:37 1994 ", "", "yesterday",
		"Sun, 06 Nov 1994 08:49:3x GMT",
	};
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mg_http_date_parse(bad[i], strlen(bad[i]), &t) != -EINVAL) {
			print_error("accepted '%s'\n", bad[i]);
			fail();
		}
}

static void
content_types_come_from_the_last_extension(void **state)
{
	(void)state;
	assert_string_equal(mg_http_content_type("a/index.HTML", 12), "text/html; charset=utf-8");
	assert_string_equal(mg_http_content_type("x.tar.gz", 8), "application/gzip");
	assert_string_equal(mg_http_content_type("style.css", 9), "text/css; charset=utf-8");
	assert_string_equal(mg_http_content_type("README", 6), "application/octet-stream");
	assert_string_equal(mg_http_content_type("a.b/README", 10), "application/octet-stream");
	assert_string_equal(mg_http_content_type("x.unknownext", 12), "application/octet-stream");
	assert_string_equal(mg_http_content_type(".png", 4), "image/png");
}

static void
etags_compare_strongly_and_weakly(void **state)
{
	struct mg_http_str list;

	(void)state;
	list = S("\"a\", W/\"b\" ,\"c\"");
	assert_true(mg_http_etag_match(&list, "\"a\"", false));
	assert_true(mg_http_etag_match(&list, "\"c\"", false));
	assert_false(mg_http_etag_match(&list, "\"b\"", false));	/* W/ never strong */
	assert_true(mg_http_etag_match(&list, "\"b\"", true));
	assert_true(mg_http_etag_match(&list, "W/\"a\"", true));
	assert_false(mg_http_etag_match(&list, "W/\"a\"", false));
	assert_false(mg_http_etag_match(&list, "\"d\"", true));
	list = S("*");
	assert_true(mg_http_etag_match(&list, "\"anything\"", false));
	list = S("a, \"b");
	assert_false(mg_http_etag_match(&list, "\"b\"", true));
	assert_false(mg_http_etag_match(&list, NULL, true));
}

static void
preconditions_follow_the_rfc_order(void **state)
{
	const int64_t mtime = RFC_EXAMPLE_TIME;

	(void)state;
	request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 200);
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"e\"\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 304);
	request("HEAD / HTTP/1.1\r\nHost: h\r\nIf-None-Match: W/\"e\"\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 304);
	request("PUT / HTTP/1.1\r\nHost: h\r\nIf-None-Match: *\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 412);
	/* If-None-Match wins over If-Modified-Since, even when it says "changed". */
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"old\"\r\n"
		"If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 200);
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 304);
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime + 1), 200);
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", -1), 200);
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: not a date\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 200);
	request("POST / HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 200);
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-Match: \"x\"\r\nIf-None-Match: \"e\"\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 412);
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-Match: W/\"e\"\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 412);
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-Match: \"e\"\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 200);
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-Unmodified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n\r\n");
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime), 412);
	assert_int_equal(mg_http_preconditions(&req, "\"e\"", mtime - 1), 200);
}

static void
if_range_needs_a_strong_match_or_the_exact_date(void **state)
{
	(void)state;
	request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	assert_true(mg_http_if_range(&req, "\"e\"", 5));
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-Range: \"e\"\r\n\r\n");
	assert_true(mg_http_if_range(&req, "\"e\"", 5));
	assert_false(mg_http_if_range(&req, "\"f\"", 5));
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-Range: W/\"e\"\r\n\r\n");
	assert_false(mg_http_if_range(&req, "\"e\"", 5));
	request("GET / HTTP/1.1\r\nHost: h\r\nIf-Range: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n");
	assert_true(mg_http_if_range(&req, "\"e\"", 1445412480));
	assert_false(mg_http_if_range(&req, "\"e\"", 1445412481));
}

static void
ranges_are_interpreted_against_the_size(void **state)
{
	static const struct {
		const char *value;
		uint64_t size;
		enum mg_http_range_kind kind;
		uint64_t first, last;
	} cases[] = {
		{ "bytes=0-99", 1000, MG_HTTP_RANGE_ONE, 0, 99 },
		{ "bytes=10-10", 1000, MG_HTTP_RANGE_ONE, 10, 10 },
		{ "bytes=900-2000", 1000, MG_HTTP_RANGE_ONE, 900, 999 },
		{ "bytes=990-", 1000, MG_HTTP_RANGE_ONE, 990, 999 },
		{ "bytes=-100", 1000, MG_HTTP_RANGE_ONE, 900, 999 },
		{ "bytes=-5000", 1000, MG_HTTP_RANGE_ONE, 0, 999 },
		{ "BYTES= 5-6 ", 1000, MG_HTTP_RANGE_ONE, 5, 6 },
		{ "bytes=1000-", 1000, MG_HTTP_RANGE_UNSATISFIABLE, 0, 0 },
		{ "bytes=-0", 1000, MG_HTTP_RANGE_UNSATISFIABLE, 0, 0 },
		{ "bytes=0-0", 0, MG_HTTP_RANGE_UNSATISFIABLE, 0, 0 },
		{ "bytes=0-1,5-6", 1000, MG_HTTP_RANGE_MULTI, 0, 0 },
		{ "bytes=0-1,5000-6000", 1000, MG_HTTP_RANGE_ONE, 0, 1 },
		{ "bytes=5-4", 1000, MG_HTTP_RANGE_NONE, 0, 0 },
		{ "bytes=a-b", 1000, MG_HTTP_RANGE_NONE, 0, 0 },
		{ "bytes=-", 1000, MG_HTTP_RANGE_NONE, 0, 0 },
		{ "bytes=", 1000, MG_HTTP_RANGE_NONE, 0, 0 },
		{ "bytes=5", 1000, MG_HTTP_RANGE_NONE, 0, 0 },
		{ "items=0-5", 1000, MG_HTTP_RANGE_NONE, 0, 0 },
		{ "bytes=99999999999999999999-", 1000, MG_HTTP_RANGE_NONE, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mg_http_str v = S(cases[i].value);
		uint64_t first = 0, last = 0;
		enum mg_http_range_kind kind = mg_http_range_parse(&v, cases[i].size, &first, &last);
		if (kind != cases[i].kind ||
		    (kind == MG_HTTP_RANGE_ONE && (first != cases[i].first ||
						   last != cases[i].last))) {
			print_error("'%s' of %llu: kind %d %llu-%llu\n", cases[i].value,
				    (unsigned long long)cases[i].size, kind,
				    (unsigned long long)first, (unsigned long long)last);
			fail();
		}
	}
}

static void
too_many_ranges_are_ignored(void **state)
{
	char value[1024] = "bytes=";
	struct mg_http_str v;
	uint64_t a, b;

	(void)state;
	for (int i = 0; i < 65; i++)
		(void)snprintf(value + strlen(value), sizeof(value) - strlen(value), "%d-%d,",
			       i, i);
	v = S(value);
	assert_int_equal(mg_http_range_parse(&v, 1000, &a, &b), MG_HTTP_RANGE_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writer_builds_a_head_and_stops_at_its_end),
		cmocka_unit_test(writer_refuses_fields_that_would_split_the_head),
		cmocka_unit_test(reasons_are_known_or_unknown),
		cmocka_unit_test(dates_format_as_imf_fixdate),
		cmocka_unit_test(dates_parse_in_all_three_formats),
		cmocka_unit_test(dates_round_trip_over_the_range),
		cmocka_unit_test(bad_dates_are_refused),
		cmocka_unit_test(content_types_come_from_the_last_extension),
		cmocka_unit_test(etags_compare_strongly_and_weakly),
		cmocka_unit_test(preconditions_follow_the_rfc_order),
		cmocka_unit_test(if_range_needs_a_strong_match_or_the_exact_date),
		cmocka_unit_test(ranges_are_interpreted_against_the_size),
		cmocka_unit_test(too_many_ranges_are_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
