/* SPDX-License-Identifier: ISC */
/*
 * conf.c -- unit tests of the unikernel.conf parser (tools/morgana/conf.c): good files
 * parse to what they say, every kind of error is reported on its own line, and no input
 * crashes it or makes it read outside its buffer.
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

#include "../../tools/morgana/conf.h"

/* Parse text (as a malloc'd copy of exactly its length, so the sanitizers see any read
 * past the end); returns the parser's result. */
static int
parse(const char *text, size_t len, struct mg_conf *conf, struct mg_conf_error *err)
{
	char *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, text, len);
	rc = mg_conf_parse(copy, len, conf, err);
	free(copy);
	return rc;
}

static struct mg_conf conf;	/* big (about 6 KiB): not on the stack of every test */

/* Expect text to fail on line `line` with a message containing `needle`. */
static void
expect_error(const char *text, size_t line, const char *needle)
{
	struct mg_conf_error err;

	assert_int_equal(parse(text, strlen(text), &conf, &err), -EINVAL);
	if (err.line != line || strstr(err.why, needle) == NULL)
		fail_msg("input [%s]: got line %zu '%s', expected line %zu with '%s'", text,
			 err.line, err.why, line, needle);
}

static void
expect_ok(const char *text)
{
	struct mg_conf_error err;

	if (parse(text, strlen(text), &conf, &err) != 0)
		fail_msg("input [%s] failed: line %zu: %s", text, err.line, err.why);
}

static void
minimal_file_gives_name_and_no_devices(void **state)
{
	(void)state;
	expect_ok("name = hello\n");
	assert_string_equal(conf.name, "hello");
	assert_int_equal(conf.name_line, 1);
	assert_int_equal(conf.device_count, 0);
	assert_int_equal(conf.kv_count, 0);
}

static void
full_file_keeps_devices_and_stores_in_order(void **state)
{
	(void)state;
	expect_ok("# a website\n"
		  "\n"
		  "   name=my-site_2   # the name\n"
		  "net = service\n"
		  "\tblock\t=\tdisk\t\n"
		  "kv = htdocs ./public#comment\n"
		  "net=mgmt\n"
		  "kv =  tls   certs/dir \n"
		  "   # indented comment\n");
	assert_string_equal(conf.name, "my-site_2");
	assert_int_equal(conf.name_line, 3);
	assert_int_equal(conf.device_count, 3);
	assert_string_equal(conf.devices[0].name, "service");
	assert_int_equal(conf.devices[0].type, MG_DEVICE_NET);
	assert_int_equal(conf.devices[0].line, 4);
	assert_string_equal(conf.devices[1].name, "disk");
	assert_int_equal(conf.devices[1].type, MG_DEVICE_BLOCK);
	assert_string_equal(conf.devices[2].name, "mgmt");
	assert_int_equal(conf.devices[2].type, MG_DEVICE_NET);
	assert_int_equal(conf.kv_count, 2);
	assert_string_equal(conf.kvs[0].store, "htdocs");
	assert_string_equal(conf.kvs[0].folder, "./public");
	assert_int_equal(conf.kvs[0].line, 6);
	assert_string_equal(conf.kvs[1].store, "tls");
	assert_string_equal(conf.kvs[1].folder, "certs/dir");
}

static void
crlf_and_missing_final_newline_are_accepted(void **state)
{
	(void)state;
	expect_ok("name = a\r\nnet = n0\r\n");
	assert_string_equal(conf.name, "a");
	assert_string_equal(conf.devices[0].name, "n0");
	expect_ok("net = x\nname = b");
	assert_string_equal(conf.name, "b");
	assert_int_equal(conf.name_line, 2);
}

static void
names_of_31_characters_fit_and_32_do_not(void **state)
{
	(void)state;
	expect_ok("name = abcdefghijklmnopqrstuvwxyz01234\n"
		  "net = abcdefghijklmnopqrstuvwxyz_1234\n");
	assert_int_equal(strlen(conf.name), 31);
	assert_int_equal(strlen(conf.devices[0].name), 31);
	expect_error("name = abcdefghijklmnopqrstuvwxyz012345\n", 1, "longer than 31");
	expect_error("name = a\nblock = abcdefghijklmnopqrstuvwxyz_12345\n", 2,
		     "longer than 31");
}

static void
unknown_key_is_reported_on_its_line(void **state)
{
	(void)state;
	expect_error("name = a\n\nnmae = b\n", 3, "unknown key 'nmae'");
	expect_error("# c\nNAME = a\n", 2, "unknown key 'NAME'");
}

static void
missing_equals_is_reported_on_its_line(void **state)
{
	(void)state;
	expect_error("name = a\nnet service\n", 2, "missing '=' after 'net'");
	expect_error("name\n", 1, "missing '='");
	expect_error("= a\n", 1, "missing key");
}

static void
missing_value_is_reported_on_its_line(void **state)
{
	(void)state;
	expect_error("name = a\nblock =   # nothing\n", 2, "missing value after 'block ='");
	expect_error("kv = store\n", 1, "missing folder after kv store 'store'");
}

static void
bad_name_names_the_offending_character(void **state)
{
	(void)state;
	expect_error("name = Hello\n", 1, "'H' is not allowed");
	expect_error("name = he.llo\n", 1, "'.' is not allowed");
	expect_error("name = a\nnet = eth-0\n", 2, "'-' is not allowed");
	expect_error("name = a\nnet = \xc3\xa9t\xc3\xa9\n", 2, "'\\xc3' is not allowed");
	expect_error("name = a\x01z\n", 1, "'\\x01' is not allowed");
	expect_error("name = a\nkv = Web ./w\n", 2, "'W' is not allowed");
}

static void
names_must_start_with_a_letter(void **state)
{
	(void)state;
	expect_error("name = 1app\n", 1, "must start with a letter");
	expect_error("name = -app\n", 1, "must start with a letter");
	expect_error("name = a\nnet = _n\n", 2, "must start with a letter");
}

static void
duplicates_are_reported_with_the_first_line(void **state)
{
	(void)state;
	expect_error("name = a\n# x\nname = b\n", 3, "first on line 1");
	expect_error("name = a\nnet = x\nblock = x\n", 3, "already declared on line 2");
	expect_error("name = a\nnet = x\nnet = y\n\nnet = x\n", 5, "already declared on line 2");
	expect_error("name = a\nkv = x ./x\nnet = x\n", 3, "already declared on line 2");
	expect_error("name = a\nblock = x\nkv = x ./x\n", 3, "already declared on line 2");
}

static void
missing_name_is_reported_for_the_whole_file(void **state)
{
	(void)state;
	expect_error("net = a\n", 0, "missing 'name = NAME'");
	expect_error("", 0, "missing 'name = NAME'");
	expect_error("# only a comment\n\n", 0, "missing 'name = NAME'");
}

static void
thirty_two_devices_fit_and_the_33rd_is_refused(void **state)
{
	char text[2048];
	size_t used;

	(void)state;
	used = (size_t)snprintf(text, sizeof(text), "name = many\n");
	for (unsigned i = 0; i < MG_MANIFEST_MAX_DEVICES; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s = d%u\n",
					 i % 2 ? "net" : "block", i);
	expect_ok(text);
	assert_int_equal(conf.device_count, MG_MANIFEST_MAX_DEVICES);
	(void)snprintf(text + used, sizeof(text) - used, "net = one_more\n");
	expect_error(text, MG_MANIFEST_MAX_DEVICES + 2, "too many devices (at most 32)");
}

static void
too_many_kv_stores_are_refused(void **state)
{
	char text[2048];
	size_t used;

	(void)state;
	used = (size_t)snprintf(text, sizeof(text), "name = many\n");
	for (unsigned i = 0; i < MG_CONF_MAX_KV; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "kv = s%u ./d%u\n", i,
					 i);
	expect_ok(text);
	assert_int_equal(conf.kv_count, MG_CONF_MAX_KV);
	(void)snprintf(text + used, sizeof(text) - used, "kv = last ./d\n");
	expect_error(text, MG_CONF_MAX_KV + 2, "too many kv stores");
}

static void
trailing_garbage_is_reported_on_its_line(void **state)
{
	(void)state;
	expect_error("name = a b\n", 1, "unexpected 'b' after 'a'");
	expect_error("name = a\nnet = x y z\n", 2, "unexpected 'y z' after 'x'");
	expect_error("name = a\nkv = s ./f extra\n", 2, "unexpected 'extra' after './f'");
}

static void
kv_folder_must_be_relative_and_printable(void **state)
{
	(void)state;
	expect_error("name = a\nkv = s /etc\n", 2, "must be a path relative");
	expect_error("name = a\nkv = s ./a\x7f\n", 2, "'\\x7f' is not allowed");
	expect_ok("name = a\nkv = s ../shared/www\n");
	assert_string_equal(conf.kvs[0].folder, "../shared/www");
}

static void
overlong_line_is_refused_but_512_bytes_fit(void **state)
{
	char text[1200];
	size_t n;

	(void)state;
	/* Line 2: "# " and 510 more bytes: exactly 512. */
	n = (size_t)snprintf(text, sizeof(text), "name = a\n# ");
	memset(text + n, 'x', 510);
	memcpy(text + n + 510, "\r\nnet = b\n", 11);
	expect_ok(text);
	text[n + 510] = 'x';	/* now 513 bytes before the "\n" */
	expect_error(text, 2, "longer than 512 bytes");
}

static void
nul_byte_is_reported_on_its_line(void **state)
{
	static const char text[] = "name = a\n\nnet = b\0c\n";
	struct mg_conf_error err;

	(void)state;
	assert_int_equal(parse(text, sizeof(text) - 1, &conf, &err), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.why, "NUL byte in column 8"));
}

static void
long_offending_values_are_shortened_in_messages(void **state)
{
	char text[600];
	struct mg_conf_error err;

	(void)state;
	memcpy(text, "name = ", 7);
	memset(text + 7, 'A', 400);
	assert_int_equal(parse(text, 407, &conf, &err), -EINVAL);
	assert_non_null(strstr(err.why, "..."));
	assert_true(strlen(err.why) < MG_CONF_WHY_MAX);
}

static void
app_name_check_matches_the_parser(void **state)
{
	char why[MG_CONF_WHY_MAX];

	(void)state;
	assert_int_equal(mg_conf_check_app_name("my-app_1", why, sizeof(why)), 0);
	assert_int_equal(mg_conf_check_app_name("", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "empty"));
	assert_int_equal(mg_conf_check_app_name("a/b", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "'/' is not allowed"));
	assert_int_equal(mg_conf_check_app_name("..", why, sizeof(why)), -EINVAL);
	assert_int_equal(mg_conf_check_device_name("eth0=tap0", 4, why, sizeof(why)), 0);
	assert_int_equal(mg_conf_check_device_name("e-0", 3, why, sizeof(why)), -EINVAL);
}

/* xorshift64*: a fixed seed makes every run test the same inputs. */
static uint64_t
next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* What any result must satisfy: success means a consistent struct, failure a message
 * on a line that exists. */
static void
check_result(const char *buf, size_t len, int rc, const struct mg_conf_error *err)
{
	size_t lines = 1;

	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	if (rc != 0) {
		assert_int_equal(rc, -EINVAL);
		assert_true(err->line <= lines);
		assert_true(strlen(err->why) > 0 && strlen(err->why) < MG_CONF_WHY_MAX);
		return;
	}
	assert_int_equal(mg_conf_check_app_name(conf.name, NULL, 0), 0);
	assert_true(conf.device_count <= MG_MANIFEST_MAX_DEVICES);
	assert_true(conf.kv_count <= MG_CONF_MAX_KV);
	for (size_t i = 0; i < conf.device_count; i++)
		assert_int_equal(mg_conf_check_device_name(conf.devices[i].name,
							   strlen(conf.devices[i].name),
							   NULL, 0), 0);
}

static void
random_garbage_never_crashes(void **state)
{
	/* Pieces that reach deep into the parser, mixed with arbitrary bytes. */
	static const char *const pieces[] = {
		"name", "net", "block", "kv", "=", " ", "\t", "\n", "\r", "#", "a", "z9",
		"./", "/", "-", "_", "\0", "\xff", "x y",
	};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct mg_conf_error err;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = next_random(&seed) % 1500, used = 0;
		char *buf = malloc(len ? len : 1);

		assert_non_null(buf);
		while (used < len) {
			uint64_t r = next_random(&seed);
			if (r % 3 == 0) {
				buf[used++] = (char)(r >> 8);
				continue;
			}
			const char *p = pieces[(r >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t n = p[0] == '\0' ? 1 : strlen(p);
			for (size_t i = 0; i < n && used < len; i++)
				buf[used++] = p[i];
		}
		check_result(buf, len, mg_conf_parse(buf, len, &conf, &err), &err);
		free(buf);
	}
}

static void
mutated_good_files_never_crash(void **state)
{
	static const char good[] = "name = web\nnet = service\nblock = disk\n"
				   "kv = htdocs ./public # site\n";
	uint64_t seed = 42;
	struct mg_conf_error err;
	int rc, accepted = 0;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		size_t len = sizeof(good) - 1;
		char *buf = malloc(len);

		assert_non_null(buf);
		memcpy(buf, good, len);
		for (int flips = 1 + (int)(next_random(&seed) % 4); flips > 0; flips--) {
			uint64_t r = next_random(&seed);
			buf[r % len] = (char)(r >> 32);
		}
		/* Sometimes cut it short too, anywhere. */
		if (next_random(&seed) % 4 == 0)
			len = next_random(&seed) % len;
		rc = mg_conf_parse(buf, len, &conf, &err);
		check_result(buf, len, rc, &err);
		accepted += rc == 0;
		free(buf);
	}
	/* Flips inside comments or values keep some files good: both paths were taken. */
	assert_in_range(accepted, 1, 19999);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minimal_file_gives_name_and_no_devices),
		cmocka_unit_test(full_file_keeps_devices_and_stores_in_order),
		cmocka_unit_test(crlf_and_missing_final_newline_are_accepted),
		cmocka_unit_test(names_of_31_characters_fit_and_32_do_not),
		cmocka_unit_test(unknown_key_is_reported_on_its_line),
		cmocka_unit_test(missing_equals_is_reported_on_its_line),
		cmocka_unit_test(missing_value_is_reported_on_its_line),
		cmocka_unit_test(bad_name_names_the_offending_character),
		cmocka_unit_test(names_must_start_with_a_letter),
		cmocka_unit_test(duplicates_are_reported_with_the_first_line),
		cmocka_unit_test(missing_name_is_reported_for_the_whole_file),
		cmocka_unit_test(thirty_two_devices_fit_and_the_33rd_is_refused),
		cmocka_unit_test(too_many_kv_stores_are_refused),
		cmocka_unit_test(trailing_garbage_is_reported_on_its_line),
		cmocka_unit_test(kv_folder_must_be_relative_and_printable),
		cmocka_unit_test(overlong_line_is_refused_but_512_bytes_fit),
		cmocka_unit_test(nul_byte_is_reported_on_its_line),
		cmocka_unit_test(long_offending_values_are_shortened_in_messages),
		cmocka_unit_test(app_name_check_matches_the_parser),
		cmocka_unit_test(random_garbage_never_crashes),
		cmocka_unit_test(mutated_good_files_never_crash),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
