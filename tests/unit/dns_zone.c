/* SPDX-License-Identifier: ISC */
/*
 * Zone files: the corpus of tests/dns/zones/{good,bad} (each file's first line says
 * what to expect), the example zone of tests/dns/dig.sh, and the parser's details.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/dns.h>

#include "../../lib/dns/dns_int.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;

	assert_non_null(f);
	buf = malloc(1 << 20);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	buf[*len] = 0;
	return buf;
}

static int
parse(const char *text, struct mg_dns_zone **z, char *err, size_t cap)
{
	return mg_dns_zone_parse("t.zone", text, strlen(text), "example.com.", z, err, cap);
}

/* Runs fn on every *.zone file in dir; returns how many there were. */
static int
each_zone(const char *dir, void (*fn)(const char *path, const char *text, size_t len))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[512];
		size_t len;
		if (!strstr(e->d_name, ".zone"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		char *text = slurp(path, &len);
		fn(path, text, len);
		free(text);
		n++;
	}
	closedir(d);
	return n;
}

static void
check_bad(const char *path, const char *text, size_t len)
{
	char want[256], err[512], prefix[600];
	struct mg_dns_zone *z = NULL;
	const char *nl = strchr(text, '\n');

	assert_true(strncmp(text, "; expect: ", 10) == 0 && nl);
	snprintf(want, sizeof want, "%.*s", (int)(nl - text - 10), text + 10);
	int rc = mg_dns_zone_parse(path, text, len, "example.com.", &z, err, sizeof err);
	if (rc == 0 || !strstr(err, want)) {
		print_error("%s: want error containing '%s', got %d '%s'\n", path, want, rc, err);
		fail();
	}
	assert_null(z);
	/* Messages start with the file's name: FILE:LINE: or FILE: for the whole zone. */
	snprintf(prefix, sizeof prefix, "%s:", path);
	assert_true(strncmp(err, prefix, strlen(prefix)) == 0);
}

static void
test_zone_errors_name_file_line_and_reason(void **state)
{
	(void)state;
	assert_true(each_zone("tests/dns/zones/bad", check_bad) >= 25);
}

static void
check_good(const char *path, const char *text, size_t len)
{
	struct mg_dns_zone *z;
	char err[512];
	unsigned want;

	assert_int_equal(sscanf(text, "; expect-records: %u", &want), 1);
	int rc = mg_dns_zone_parse(path, text, len, "example.com.", &z, err, sizeof err);
	if (rc) {
		print_error("%s: %s\n", path, err);
		fail();
	}
	assert_int_equal(mg_dns_zone_records(z), want);
	mg_dns_zone_free(z);
}

static void
test_zone_corpus_of_valid_files_parses(void **state)
{
	(void)state;
	assert_true(each_zone("tests/dns/zones/good", check_good) >= 5);
}

static void
test_zone_example_has_every_record_and_empty_non_terminals(void **state)
{
	struct mg_dns_zone *z;
	char err[256];
	size_t len;
	char *text = slurp("tests/dns/zones/example.com.zone", &len);

	(void)state;
	assert_int_equal(mg_dns_zone_parse("example.com.zone", text, len, "example.com.", &z,
					   err, sizeof err), 0);
	assert_int_equal(mg_dns_zone_records(z), 55);
	/* ent.example.com and b.ent.example.com exist without records. */
	assert_true(mg_dns_zone_names(z) > 40);
	mg_dns_zone_free(z);
	free(text);
}

/* The RDATA of the only record of type at owner (text form), or fail. */
static const struct dns_rec *
record(const struct mg_dns_zone *z, const char *owner, uint16_t type)
{
	uint8_t name[MG_DNS_NAME_MAX];
	size_t len;

	assert_int_equal(mg_dns_name_from_text(owner, strlen(owner), NULL, name, &len), 0);
	for (size_t i = 0; i < z->nrecs; i++)
		if (z->recs[i].type == type && mg_dns_name_equal(z->nodes[z->recs[i].node].name,
								 name))
			return &z->recs[i];
	fail_msg("no %u record at %s", type, owner);
	return NULL;
}

static void
test_zone_parses_escapes_parentheses_units_and_inheritance(void **state)
{
	struct mg_dns_zone *z;
	char err[256];
	const char *text =
		"$TTL 1h30m\n"
		"@ IN SOA ns hm ( 7 ; serial\n 1h 2m\n 3d 5 )\n"
		"  NS ns\n"			/* owner inherited */
		"a\\.b 10 IN A 192.0.2.1\n"
		"  IN 20 AAAA 2001:db8::1:2\n"	/* class before TTL */
		"t TXT \"x\\\"y\" \\065\\066 \"\"\n"
		"c CAA 0 issue \"ca.example\"\n"
		"s SRV 1 2 3 @\n";
	const struct dns_rec *r;

	(void)state;
	assert_int_equal(parse(text, &z, err, sizeof err), 0);
	r = record(z, "example.com.", MG_DNS_T_SOA);
	assert_int_equal(r->ttl, 5400);
	assert_int_equal(dns_get32(r->data + r->len - 20), 7);
	assert_int_equal(dns_get32(r->data + r->len - 16), 3600);
	assert_int_equal(dns_get32(r->data + r->len - 12), 120);
	assert_int_equal(dns_get32(r->data + r->len - 8), 3 * 86400);
	assert_int_equal(dns_get32(r->data + r->len - 4), 5);
	r = record(z, "a\\.b.example.com.", MG_DNS_T_AAAA);
	assert_int_equal(r->ttl, 20);
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [13] = 1, [15] = 2 };
	assert_memory_equal(r->data, v6, 16);
	r = record(z, "t.example.com.", MG_DNS_T_TXT);
	assert_int_equal(r->len, 8);
	assert_memory_equal(r->data, "\3x\"y\2AB\0", 8);
	r = record(z, "c.example.com.", MG_DNS_T_CAA);
	assert_memory_equal(r->data, "\0\5issueca.example", 17);
	r = record(z, "s.example.com.", MG_DNS_T_SRV);
	assert_memory_equal(r->data, "\0\1\0\2\0\3\7example\3com\0", 19);
	mg_dns_zone_free(z);
}

static void
test_zone_ttl_units(void **state)
{
	uint32_t t;

	(void)state;
	assert_int_equal(mg_dns_ttl_from_text("1h30m", 5, &t), 0);
	assert_int_equal(t, 5400);
	assert_int_equal(mg_dns_ttl_from_text("1W2d3H4M5s", 10, &t), 0);
	assert_int_equal(t, 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
	assert_int_equal(mg_dns_ttl_from_text("2147483647", 10, &t), 0);
	assert_int_equal(mg_dns_ttl_from_text("2147483648", 10, &t), -EINVAL);
	assert_int_equal(mg_dns_ttl_from_text("h", 1, &t), -EINVAL);
	assert_int_equal(mg_dns_ttl_from_text("1y", 2, &t), -EINVAL);
	assert_int_equal(mg_dns_ttl_from_text("", 0, &t), -EINVAL);
}

static void
test_zone_apex_of_a_different_origin(void **state)
{
	struct mg_dns_zone *z;
	char err[256];
	const char *text = "$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns.example.net.\n";

	(void)state;
	assert_int_equal(mg_dns_zone_parse("r.zone", text, strlen(text), "2.0.192.in-addr.arpa.",
					   &z, err, sizeof err), 0);
	assert_memory_equal(mg_dns_zone_apex(z), "\0012\0010\003192\007in-addr\004arpa", 22);
	mg_dns_zone_free(z);
	assert_int_equal(mg_dns_zone_parse("r.zone", text, strlen(text), "relative", &z, err,
					   sizeof err), -EINVAL);
	assert_non_null(strstr(err, "not an absolute domain name"));
}

static void
test_zone_unterminated_last_line_and_crlf(void **state)
{
	struct mg_dns_zone *z;
	char err[256];
	const char *text = "$TTL 60\r\n@ SOA ns hm 1 2 3 4 5\r\n@ NS ns\r\nwww A 192.0.2.1";

	(void)state;
	assert_int_equal(parse(text, &z, err, sizeof err), 0);
	assert_int_equal(mg_dns_zone_records(z), 3);
	mg_dns_zone_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_errors_name_file_line_and_reason),
		cmocka_unit_test(test_zone_corpus_of_valid_files_parses),
		cmocka_unit_test(test_zone_example_has_every_record_and_empty_non_terminals),
		cmocka_unit_test(test_zone_parses_escapes_parentheses_units_and_inheritance),
		cmocka_unit_test(test_zone_ttl_units),
		cmocka_unit_test(test_zone_apex_of_a_different_origin),
		cmocka_unit_test(test_zone_unterminated_last_line_and_crlf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
