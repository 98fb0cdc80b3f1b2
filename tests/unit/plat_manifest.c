/* SPDX-License-Identifier: ISC */
/*
 * plat_manifest.c -- unit tests of mg_manifest_check() and mg_manifest_find(): every defect
 * a hostile image could carry is refused with a reason, and random bytes never crash it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plat_test.h"

static void
valid(struct mg_manifest *m)
{
	manifest_init(m, "hello-world_2");
	manifest_add(m, "service", MG_DEVICE_NET);
	manifest_add(m, "disk_0", MG_DEVICE_BLOCK);
}

/* Check m is refused and the reason mentions needle. */
static void
assert_refused(const struct mg_manifest *m, const char *needle)
{
	char why[256] = "";

	assert_int_equal(mg_manifest_check(m, why, sizeof(why)), -EINVAL);
	if (strstr(why, needle) == NULL)
		fail_msg("reason '%s' does not mention '%s'", why, needle);
	assert_null(strchr(why, '\n'));
}

static void
test_valid_manifests_pass(void **state)
{
	struct mg_manifest m;
	char why[128] = "untouched";
	char name[8];
	unsigned i;

	(void)state;
	valid(&m);
	assert_int_equal(mg_manifest_check(&m, why, sizeof(why)), 0);
	assert_int_equal(mg_manifest_check(&m, NULL, 0), 0);

	manifest_init(&m, "a");
	assert_int_equal(mg_manifest_check(&m, NULL, 0), 0);

	/* Full table, and names that use every byte but the NUL. */
	manifest_init(&m, "abcdefghijklmnopqrstuvwxyz01234");
	for (i = 0; i < MG_MANIFEST_MAX_DEVICES; i++) {
		snprintf(name, sizeof(name), "d%u", i);
		manifest_add(&m, name, i % 2 ? MG_DEVICE_NET : MG_DEVICE_BLOCK);
	}
	memset(m.devices[0].name, 'z', MG_NAME_MAX - 1);
	assert_int_equal(mg_manifest_check(&m, why, sizeof(why)), 0);
}

static void
test_bad_version_is_refused(void **state)
{
	struct mg_manifest m;

	(void)state;
	valid(&m);
	m.version = 2;
	assert_refused(&m, "version 2");
	m.version = 0;
	assert_refused(&m, "version 0");
}

static void
test_too_many_devices_are_refused(void **state)
{
	struct mg_manifest m;

	(void)state;
	valid(&m);
	m.device_count = MG_MANIFEST_MAX_DEVICES + 1;
	assert_refused(&m, "33 devices");
	m.device_count = UINT32_MAX;
	assert_refused(&m, "at most 32");
}

static void
test_empty_names_are_refused(void **state)
{
	struct mg_manifest m;

	(void)state;
	valid(&m);
	m.app_name[0] = '\0';
	assert_refused(&m, "application name is empty");
	valid(&m);
	memset(m.devices[1].name, 0, MG_NAME_MAX);
	assert_refused(&m, "device 1's name is empty");
}

static void
test_unterminated_names_are_refused(void **state)
{
	struct mg_manifest m;

	(void)state;
	valid(&m);
	memset(m.app_name, 'a', MG_NAME_MAX);
	assert_refused(&m, "application name is not NUL-terminated");
	valid(&m);
	memset(m.devices[0].name, 'x', MG_NAME_MAX);
	assert_refused(&m, "device 0's name is not NUL-terminated");
}

static void
test_bad_characters_are_refused(void **state)
{
	static const char bad_device[] = { 'A', '-', ' ', '.', '/', '\n', '\x7f', '\xff' };
	static const char bad_app[] = { 'A', ' ', '.', '/', '\x1b', '\xc3' };
	struct mg_manifest m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_device); i++) {
		valid(&m);
		m.devices[1].name[2] = bad_device[i];
		assert_refused(&m, "device 1's name has a disallowed character");
	}
	for (i = 0; i < sizeof(bad_app); i++) {
		valid(&m);
		m.app_name[0] = bad_app[i];
		assert_refused(&m, "application name has a disallowed character");
	}
}

static void
test_duplicate_names_are_refused(void **state)
{
	struct mg_manifest m;

	(void)state;
	valid(&m);
	manifest_add(&m, "service", MG_DEVICE_BLOCK);
	assert_refused(&m, "'service' is declared twice");
	/* A prefix is a different name. */
	valid(&m);
	manifest_add(&m, "serv", MG_DEVICE_NET);
	assert_int_equal(mg_manifest_check(&m, NULL, 0), 0);
}

static void
test_unknown_device_type_is_refused(void **state)
{
	struct mg_manifest m;

	(void)state;
	valid(&m);
	m.devices[0].type = 0;
	assert_refused(&m, "unknown type 0");
	m.devices[0].type = 3;
	assert_refused(&m, "unknown type 3");
}

static void
test_nonzero_reserved_is_refused(void **state)
{
	struct mg_manifest m;

	(void)state;
	valid(&m);
	m.devices[1].reserved = 0x80000000u;
	assert_refused(&m, "reserved field 0x80000000");
}

static void
test_null_manifest_and_tiny_reason_buffers_are_safe(void **state)
{
	struct mg_manifest m;
	char why[4] = "zzz";

	(void)state;
	assert_int_equal(mg_manifest_check(NULL, NULL, 0), -EINVAL);
	valid(&m);
	m.version = 7;
	assert_int_equal(mg_manifest_check(&m, why, 1), -EINVAL);
	assert_string_equal(why, "");
	assert_int_equal(mg_manifest_check(&m, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "man");
}

static void
test_find_matches_whole_names_only(void **state)
{
	struct mg_manifest m;

	(void)state;
	valid(&m);
	assert_ptr_equal(mg_manifest_find(&m, "service"), &m.devices[0]);
	assert_ptr_equal(mg_manifest_find(&m, "disk_0"), &m.devices[1]);
	assert_null(mg_manifest_find(&m, "serv"));
	assert_null(mg_manifest_find(&m, "service2"));
	assert_null(mg_manifest_find(&m, ""));
	assert_null(mg_manifest_find(&m, NULL));
	assert_null(mg_manifest_find(NULL, "service"));
	/* Devices past the count are not declared, whatever their slot holds. */
	strcpy(m.devices[2].name, "ghost");
	m.devices[2].type = MG_DEVICE_NET;
	assert_null(mg_manifest_find(&m, "ghost"));
}

/*
 * Whatever bytes come in, the check must not crash (ASan watches), and whatever it accepts
 * must really have terminated, findable, unique names.
 */
static void
check_accepted_is_sound(const struct mg_manifest *m)
{
	uint32_t i;

	assert_true(m->device_count <= MG_MANIFEST_MAX_DEVICES);
	assert_true(memchr(m->app_name, '\0', MG_NAME_MAX) != NULL);
	for (i = 0; i < m->device_count; i++) {
		assert_true(memchr(m->devices[i].name, '\0', MG_NAME_MAX) != NULL);
		assert_ptr_equal(mg_manifest_find(m, m->devices[i].name), &m->devices[i]);
	}
}

static void
test_random_bytes_never_crash(void **state)
{
	uint64_t seed = 0x6d6f7267616e61;
	struct mg_manifest m;
	uint8_t *raw = (uint8_t *)&m;
	char why[64];
	unsigned round, accepted = 0;
	size_t i, flips;

	(void)state;
	for (round = 0; round < 20000; round++) {
		if (round % 4 == 0) {
			for (i = 0; i < sizeof(m); i++)
				raw[i] = (uint8_t)test_rand(&seed);
		} else {
			/* Mutations of a valid manifest reach the deeper checks. */
			valid(&m);
			m.device_count = test_rand(&seed) % 5;
			for (i = 0; i < m.device_count; i++) {
				snprintf(m.devices[i].name, MG_NAME_MAX, "d%u",
					 test_rand(&seed) % 4);
				m.devices[i].type = 1 + test_rand(&seed) % 2;
			}
			for (flips = test_rand(&seed) % 3; flips > 0; flips--)
				raw[test_rand(&seed) % 256] = (uint8_t)test_rand(&seed);
		}
		if (mg_manifest_check(&m, why, sizeof(why)) == 0) {
			accepted++;
			check_accepted_is_sound(&m);
		}
	}
	/* The mutations must have produced both outcomes, or the test checked nothing. */
	assert_true(accepted > 100);
	assert_true(accepted < 20000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_manifests_pass),
		cmocka_unit_test(test_bad_version_is_refused),
		cmocka_unit_test(test_too_many_devices_are_refused),
		cmocka_unit_test(test_empty_names_are_refused),
		cmocka_unit_test(test_unterminated_names_are_refused),
		cmocka_unit_test(test_bad_characters_are_refused),
		cmocka_unit_test(test_duplicate_names_are_refused),
		cmocka_unit_test(test_unknown_device_type_is_refused),
		cmocka_unit_test(test_nonzero_reserved_is_refused),
		cmocka_unit_test(test_null_manifest_and_tiny_reason_buffers_are_safe),
		cmocka_unit_test(test_find_matches_whole_names_only),
		cmocka_unit_test(test_random_bytes_never_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
