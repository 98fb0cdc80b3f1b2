/* SPDX-License-Identifier: ISC */
/*
 * tender_args.c -- the command line every tender shares (tender/common/setup.c):
 * options up to IMAGE, what each sets, and what is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../tender/common/tender.h"

static const struct mg_tender tender = {
	.name = "morgana-test", .mem_min_mb = 2, .mem_max_mb = 1024, .mem_default_mb = 32,
};

/* Parse the words given (the tender's name is added in front). */
#define PARSE(a, ...) parse(a, (char *[]){ "morgana-test", __VA_ARGS__, NULL })

static int
parse(struct mg_tender_args *a, char **argv)
{
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	memset(a, 0xa5, sizeof(*a));
	return mg_tender_parse_args(&tender, argc, argv, a);
}

static void
defaults_then_image_and_its_arguments(void **state)
{
	struct mg_tender_args a;

	(void)state;
	assert_int_equal(PARSE(&a, "app.hvt", "--mem=4", "x"), MG_TENDER_GO);
	assert_int_equal(a.mem_size, 32ull << 20);
	assert_false(a.net_offload_off);
	assert_int_equal(a.dev_count, 0);
	assert_string_equal(a.image, "app.hvt");
	assert_int_equal(a.argc, 2);
	assert_string_equal(a.argv[0], "--mem=4");	/* the guest's, not ours */
}

static void
net_offload_on_and_off_each_mean_what_they_say(void **state)
{
	struct mg_tender_args a;

	(void)state;
	assert_int_equal(PARSE(&a, "--net-offload=off", "app"), MG_TENDER_GO);
	assert_true(a.net_offload_off);
	assert_int_equal(PARSE(&a, "--net-offload=on", "app"), MG_TENDER_GO);
	assert_false(a.net_offload_off);
	/* The last one counts. */
	assert_int_equal(PARSE(&a, "--net-offload=off", "--net-offload=on", "app"),
			 MG_TENDER_GO);
	assert_false(a.net_offload_off);
	assert_int_equal(PARSE(&a, "--net-offload=on", "--net-offload=off", "app"),
			 MG_TENDER_GO);
	assert_true(a.net_offload_off);
	assert_int_equal(PARSE(&a, "--net-offload=no", "app"), MG_TENDER_EXIT_USAGE);
}

static void
memory_and_devices(void **state)
{
	struct mg_tender_args a;

	(void)state;
	assert_int_equal(PARSE(&a, "--mem=8", "--net:service=tap0", "--block:disk=d.img",
			       "--", "app"), MG_TENDER_GO);
	assert_int_equal(a.mem_size, 8ull << 20);
	assert_int_equal(a.dev_count, 2);
	assert_string_equal(a.image, "app");
	assert_int_equal(a.argc, 0);
	assert_int_equal(PARSE(&a, "--mem=1", "app"), MG_TENDER_EXIT_USAGE);
	assert_int_equal(PARSE(&a, "--net:service", "app"), MG_TENDER_EXIT_USAGE);
	assert_int_equal(PARSE(&a, "--mem=8"), MG_TENDER_EXIT_USAGE);	/* no image */
	assert_int_equal(PARSE(&a, "--help"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_then_image_and_its_arguments),
		cmocka_unit_test(net_offload_on_and_off_each_mean_what_they_say),
		cmocka_unit_test(memory_and_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
