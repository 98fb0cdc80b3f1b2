/* SPDX-License-Identifier: ISC */
/*
 * plat_args.c -- unit tests of the unix target's flag parser and command-line quoting:
 * each kind of mistake gets its one-line message, good command lines parse, and the
 * quoted command line splits back, by /bin/sh itself, into the same arguments.
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

#include "../../platform/unix/unix.h"
#include "plat_test.h"

#define MAX_ARGS 16

static struct mg_manifest hello;
static struct mg_unix_config cfg;
static char err[MG_UNIX_ERR_MAX];

static int
setup(void **state)
{
	(void)state;
	manifest_init(&hello, "hello");
	manifest_add(&hello, "service", MG_DEVICE_NET);
	manifest_add(&hello, "disk", MG_DEVICE_BLOCK);
	return 0;
}

/* Parse "hello" followed by the NULL-terminated arguments against m. */
static int
parse(const struct mg_manifest *m, ...)
{
	static char *argv[MAX_ARGS + 1];
	va_list ap;
	int argc = 0;

	argv[argc++] = (char *)"hello";
	va_start(ap, m);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	memset(err, 0, sizeof(err));
	return mg_unix_parse_args(m, argc, argv, &cfg, err, sizeof(err));
}

#define assert_refusal(msg, ...) do {						\
		assert_int_equal(parse(__VA_ARGS__, NULL), -EINVAL);		\
		assert_string_equal(err, (msg));				\
	} while (0)

static void
test_missing_value_says_what_is_expected(void **state)
{
	(void)state;
	assert_refusal("hello: --net:service: needs =TAPIF; expected --net:service=TAPIF",
		       &hello, "--net:service");
	assert_refusal("hello: --net:service=: needs =TAPIF; expected --net:service=TAPIF",
		       &hello, "--net:service=");
	assert_refusal("hello: --block:disk: needs =PATH; expected --block:disk=PATH",
		       &hello, "--net:service=tap0", "--block:disk");
}

static void
test_missing_device_name_is_refused(void **state)
{
	(void)state;
	assert_refusal("hello: --net: no device name; expected --net:NAME=TAPIF",
		       &hello, "--net");
	assert_refusal("hello: --net:: no device name; expected --net:NAME=TAPIF",
		       &hello, "--net:");
	assert_refusal("hello: --net=tap0: no device name; expected --net:NAME=TAPIF",
		       &hello, "--net=tap0");
	assert_refusal("hello: --block:=x.img: no device name; expected --block:NAME=PATH",
		       &hello, "--block:=x.img");
}

static void
test_unknown_device_lists_the_declared_ones(void **state)
{
	struct mg_manifest empty;

	(void)state;
	assert_refusal("hello: --net:eth0=tap0: no device 'eth0' is declared in "
		       "unikernel.conf; declared: service (net), disk (block)",
		       &hello, "--net:eth0=tap0");
	/* A prefix of a declared name is another name. */
	assert_refusal("hello: --block:dis=a: no device 'dis' is declared in "
		       "unikernel.conf; declared: service (net), disk (block)",
		       &hello, "--block:dis=a");
	manifest_init(&empty, "hello");
	assert_refusal("hello: --block:disk=a.img: no device 'disk' is declared in "
		       "unikernel.conf; declared: none", &empty, "--block:disk=a.img");
}

static void
test_device_given_twice_is_refused(void **state)
{
	(void)state;
	assert_refusal("hello: --net:service=tap1: device 'service' is already attached "
		       "by --net:service=tap0; expected one --net:service flag",
		       &hello, "--net:service=tap0", "--net:service=tap1");
	assert_refusal("hello: --block:disk=b: device 'disk' is already attached by "
		       "--block:disk=a; expected one --block:disk flag",
		       &hello, "--block:disk=a", "--net:service=t", "--block:disk=b");
}

static void
test_wrong_kind_of_flag_names_the_right_one(void **state)
{
	(void)state;
	assert_refusal("hello: --block:service=x.img: 'service' is a net device; expected "
		       "--net:service=TAPIF", &hello, "--block:service=x.img");
	assert_refusal("hello: --net:disk=tap0: 'disk' is a block device; expected "
		       "--block:disk=PATH", &hello, "--net:disk=tap0");
}

static void
test_declared_device_not_attached_is_refused(void **state)
{
	(void)state;
	assert_refusal("hello: net device 'service' is declared in unikernel.conf but not "
		       "attached: add --net:service=TAPIF", &hello, "--block:disk=d.img");
	assert_int_equal(parse(&hello, NULL), -EINVAL);
	assert_string_equal(err, "hello: net device 'service' is declared in unikernel.conf "
			    "but not attached: add --net:service=TAPIF");
	/* Flags after the app's arguments started are the app's, so still missing. */
	assert_refusal("hello: block device 'disk' is declared in unikernel.conf but not "
		       "attached: add --block:disk=PATH",
		       &hello, "--net:service=tap0", "--", "--block:disk=d.img");
}

static void
test_overlong_interface_name_is_refused(void **state)
{
	(void)state;
	assert_refusal("hello: --net:service=abcdefghijklmnop: interface name is 16 bytes "
		       "long; expected at most 15",
		       &hello, "--net:service=abcdefghijklmnop", "--block:disk=d");
	assert_int_equal(parse(&hello, "--net:service=abcdefghijklmno", "--block:disk=d",
			       NULL), 0);
}

static void
test_bad_mem_is_refused(void **state)
{
	static const char *const bad[] = {
		"--mem=", "--mem=abc", "--mem=0", "--mem=-1", "--mem=12x", "--mem=1048577",
		"--mem=99999999999999999999", "--mem= 5", "--mem=0x10",
	};
	char expected[200];
	size_t i;

	(void)state;
	assert_refusal("hello: --mem: needs a size; expected --mem=MB", &hello, "--mem");
	assert_refusal("hello: --mem=: needs a size; expected --mem=MB", &hello, "--mem=");
	for (i = 2; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(expected, sizeof(expected), "hello: %s: not a size in megabytes; "
			 "expected --mem=MB with MB from 1 to 1048576", bad[i]);
		assert_refusal(expected, &hello, bad[i]);
	}
	assert_refusal("hello: --mem=64: --mem is already given as --mem=32; expected it at "
		       "most once", &hello, "--mem=32", "--mem=64");
}

static void
test_net_offload_is_on_unless_turned_off(void **state)
{
	(void)state;
	assert_int_equal(parse(&hello, "--net:service=t0", "--block:disk=d", NULL), 0);
	assert_false(cfg.net_offload_off);
	assert_int_equal(parse(&hello, "--net-offload=off", "--net:service=t0", "--block:disk=d",
			       NULL), 0);
	assert_true(cfg.net_offload_off);
	assert_int_equal(parse(&hello, "--net-offload=off", "--net-offload=on",
			       "--net:service=t0", "--block:disk=d", NULL), 0);
	assert_false(cfg.net_offload_off);
	assert_refusal("hello: --net-offload=no: expected --net-offload=on or --net-offload=off",
		       &hello, "--net-offload=no");
	assert_refusal("hello: --net-offload: expected --net-offload=on or --net-offload=off",
		       &hello, "--net-offload");
}

static void
test_messages_stay_on_one_printable_line(void **state)
{
	(void)state;
	assert_refusal("hello: --net:a?b=x: no device 'a?b' is declared in unikernel.conf; "
		       "declared: service (net), disk (block)", &hello, "--net:a\nb=x");
	assert_refusal("hello: --mem=?[2J: not a size in megabytes; expected --mem=MB with MB "
		       "from 1 to 1048576", &hello, "--mem=\x1b[2J");
}

static void
test_good_flags_parse_in_any_order(void **state)
{
	(void)state;
	assert_int_equal(parse(&hello, "--block:disk=/tmp/d.img", "--mem=64",
			       "--net:service=tap0", NULL), 0);
	assert_string_equal(cfg.attach[0], "tap0");
	assert_string_equal(cfg.flag[0], "--net:service=tap0");
	assert_string_equal(cfg.attach[1], "/tmp/d.img");
	assert_int_equal(cfg.mem_mb, 64);
	assert_int_equal(cfg.app_argc, 0);

	/* A value may itself contain '=' and ':'. */
	assert_int_equal(parse(&hello, "--net:service=t0", "--block:disk=a=b:c", NULL), 0);
	assert_string_equal(cfg.attach[1], "a=b:c");
	assert_int_equal(cfg.mem_mb, 0);
	assert_int_equal(parse(&hello, "--net:service=t0", "--block:disk=d", "--mem=1048576",
			       NULL), 0);
	assert_int_equal(cfg.mem_mb, 1048576);
}

static void
test_double_dash_is_consumed_and_ends_the_flags(void **state)
{
	(void)state;
	assert_int_equal(parse(&hello, "--net:service=t0", "--block:disk=d", "--", "--mem=5",
			       "--", "x", NULL), 0);
	assert_int_equal(cfg.app_argc, 3);
	assert_string_equal(cfg.app_argv[0], "--mem=5");
	assert_string_equal(cfg.app_argv[1], "--");
	assert_string_equal(cfg.app_argv[2], "x");
	assert_null(cfg.app_argv[3]);
	assert_int_equal(cfg.mem_mb, 0);

	assert_int_equal(parse(&hello, "--net:service=t0", "--block:disk=d", "--", NULL), 0);
	assert_int_equal(cfg.app_argc, 0);
}

static void
test_first_other_argument_starts_the_app_arguments(void **state)
{
	(void)state;
	assert_int_equal(parse(&hello, "--net:service=t0", "--block:disk=d",
			       "--ipv4=10.0.0.2/24", "--mem=5", "-l", "debug", NULL), 0);
	assert_int_equal(cfg.app_argc, 4);
	assert_string_equal(cfg.app_argv[0], "--ipv4=10.0.0.2/24");
	assert_string_equal(cfg.app_argv[1], "--mem=5");
	assert_int_equal(cfg.mem_mb, 0);
	/* Longer words that merely start like our flags belong to the app. */
	assert_int_equal(parse(&hello, "--net:service=t0", "--block:disk=d", "--network=x",
			       "--blocks", "--memory=1", NULL), 0);
	assert_int_equal(cfg.app_argc, 3);
	assert_string_equal(cfg.app_argv[0], "--network=x");
}

static void
test_no_arguments_at_all_parse_when_nothing_is_declared(void **state)
{
	struct mg_manifest empty;
	char *argv[] = { NULL };

	(void)state;
	manifest_init(&empty, "app");
	assert_int_equal(mg_unix_parse_args(&empty, 0, argv, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.app_argc, 0);
	assert_int_equal(mg_unix_parse_args(&empty, 1, (char *[]){ "app", NULL }, &cfg, err,
					    sizeof(err)), 0);
	assert_int_equal(cfg.app_argc, 0);
}

/* Random argv made of the pieces flags are built from: never a crash, always one line. */
static void
test_random_command_lines_never_crash(void **state)
{
	static const char *const pieces[] = {
		"--net", "--block", "--mem", ":", "=", "service", "disk", "--", "tap0", "1",
		"0", "\n", "\xff", "abcdefghijklmnopqrstuvwxyz", "x",
	};
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	uint64_t seed = 42;
	char words[MAX_ARGS][128];
	char *argv[MAX_ARGS + 1];
	unsigned round, ok = 0;
	int argc, i, rc;

	(void)state;
	for (round = 0; round < 30000; round++) {
		argv[0] = (char *)"hello";
		argc = 1 + (int)(test_rand(&seed) % (MAX_ARGS - 1));
		i = 1;
		/* Half the time start well, so that later words reach the deeper checks. */
		if (round % 2 == 0 && argc > 3) {
			argv[i++] = (char *)"--net:service=tap0";
			argv[i++] = (char *)"--block:disk=d.img";
		}
		for (; i < argc; i++) {
			words[i][0] = '\0';
			for (unsigned n = test_rand(&seed) % 5; n > 0; n--)
				strcat(words[i], pieces[test_rand(&seed) % npieces]);
			argv[i] = words[i];
		}
		argv[argc] = NULL;
		rc = mg_unix_parse_args(&hello, argc, argv, &cfg, err, sizeof(err));
		if (rc == 0) {
			ok++;
			assert_non_null(cfg.attach[0]);
			assert_non_null(cfg.attach[1]);
			assert_true(cfg.app_argc >= 0 && cfg.app_argc < argc);
			assert_null(cfg.app_argv[cfg.app_argc]);
		} else {
			assert_int_equal(rc, -EINVAL);
			assert_memory_equal(err, "hello: ", 7);
			for (i = 0; err[i] != '\0'; i++)
				assert_true((unsigned char)err[i] >= 0x20);
		}
	}
	assert_true(ok > 0);
}

/*
 * Split cmdline with the real /bin/sh (`set -- CMDLINE`) into NUL-separated words in
 * out. Returns the number of bytes sh printed, or -1.
 */
static long
sh_split(const char *cmdline, char *out, size_t out_len)
{
	static char script[8192];
	FILE *sh;
	size_t n;

	if ((size_t)snprintf(script, sizeof(script), "set -- %s; for a; do printf '%%s\\0' "
			     "\"$a\"; done", cmdline) >= sizeof(script))
		return -1;
	sh = popen(script, "r");
	if (sh == NULL)
		return -1;
	n = fread(out, 1, out_len, sh);
	if (pclose(sh) != 0)
		return -1;
	return (long)n;
}

/* Quote args, let sh split them again, and compare. */
static void
assert_round_trip(char **args, int count)
{
	char quoted[2048], split[2048];
	long n, at = 0;
	int i;

	assert_int_equal(mg_unix_quote_args(args, count, quoted, sizeof(quoted)), 0);
	assert_int_equal(mg_unix_quoted_size(args, count), strlen(quoted) + 1);
	n = sh_split(quoted, split, sizeof(split));
	assert_true(n >= 0);
	for (i = 0; i < count; i++) {
		assert_true(at < n);
		assert_string_equal(split + at, args[i]);
		at += (long)strlen(args[i]) + 1;
	}
	assert_int_equal(at, n);
}

static void
test_quoting_round_trips_through_sh(void **state)
{
	char *args[] = { "a b", "it's", "", "\"x\\", "''", "$HOME `id` *", "tab\there",
			 "'", "\n", "--mem=5" };
	char words[4][24], *random_args[4];
	uint64_t seed = 7;
	char out[64];
	int round, i, k;

	(void)state;
	assert_int_equal(mg_unix_quote_args(args, 3, out, sizeof(out)), 0);
	assert_string_equal(out, "'a b' 'it'\\''s' ''");
	assert_int_equal(mg_unix_quoted_size(args, 3), strlen(out) + 1);
	assert_int_equal(mg_unix_quote_args(args, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(mg_unix_quoted_size(args, 0), 1);

	assert_round_trip(args, sizeof(args) / sizeof(args[0]));
	/* Any bytes but NUL survive. */
	for (round = 0; round < 50; round++) {
		for (i = 0; i < 4; i++) {
			for (k = 0; k < (int)(test_rand(&seed) % 23); k++)
				words[i][k] = (char)(1 + test_rand(&seed) % 255);
			words[i][k] = '\0';
			random_args[i] = words[i];
		}
		assert_round_trip(random_args, 4);
	}
}

static void
test_quoting_refuses_a_short_buffer(void **state)
{
	char *args[] = { "it's" };
	char out[16];

	(void)state;
	memset(out, 'Z', sizeof(out));
	assert_int_equal(mg_unix_quote_args(args, 1, out, 9), -ENOSPC);
	assert_int_equal(mg_unix_quote_args(args, 1, out, 10), 0);
	assert_string_equal(out, "'it'\\''s'");
	assert_int_equal(out[10], 'Z');
	assert_int_equal(mg_unix_quote_args(args, 1, out, 0), -ENOSPC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_value_says_what_is_expected),
		cmocka_unit_test(test_missing_device_name_is_refused),
		cmocka_unit_test(test_unknown_device_lists_the_declared_ones),
		cmocka_unit_test(test_device_given_twice_is_refused),
		cmocka_unit_test(test_wrong_kind_of_flag_names_the_right_one),
		cmocka_unit_test(test_declared_device_not_attached_is_refused),
		cmocka_unit_test(test_overlong_interface_name_is_refused),
		cmocka_unit_test(test_bad_mem_is_refused),
		cmocka_unit_test(test_net_offload_is_on_unless_turned_off),
		cmocka_unit_test(test_messages_stay_on_one_printable_line),
		cmocka_unit_test(test_good_flags_parse_in_any_order),
		cmocka_unit_test(test_double_dash_is_consumed_and_ends_the_flags),
		cmocka_unit_test(test_first_other_argument_starts_the_app_arguments),
		cmocka_unit_test(test_no_arguments_at_all_parse_when_nothing_is_declared),
		cmocka_unit_test(test_random_command_lines_never_crash),
		cmocka_unit_test(test_quoting_round_trips_through_sh),
		cmocka_unit_test(test_quoting_refuses_a_short_buffer),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
