/* SPDX-License-Identifier: ISC */
/*
 * libc_strto.c -- the guest libc's strtol/strtoul/strtoll/strtoull/strtoimax/strtoumax
 * and atoi against glibc's on random strings: white space, signs, 0x and 0 prefixes,
 * every base, overflow, garbage. Compares value, errno and endptr.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libc_mgc.h"

static void
append_random(char *s, size_t cap, const char *const *choices, size_t n)
{
	const char *pick = choices[lt_below(n)];

	if (strlen(s) + strlen(pick) < cap)
		strcat(s, pick);
}
#define APPEND(s, arr) append_random(s, sizeof(s), arr, sizeof(arr) / sizeof(arr[0]))

static void
random_number_string(char *s, size_t cap)
{
	static const char *const spaces[] = { "", "", " ", "  \t", "\n\v\f\r ", "\x85" };
	static const char *const signs[] = { "", "", "+", "-", "+-", "--" };
	static const char *const prefixes[] = { "", "", "0", "0x", "0X", "0x0", "00", "0b" };
	static const char *const tails[] = { "", "", " ", "x", "g", "z", "-1", "\xff", ".5" };
	static const char digits[] =
		"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char body[80];
	size_t len = lt_below(4) == 0 ? lt_below(70) : lt_below(22);
	size_t alphabet = lt_below(3) == 0 ? 10 : lt_below(2) == 0 ? 16 : sizeof(digits) - 1;

	for (size_t i = 0; i < len; i++)
		body[i] = digits[lt_below(alphabet)];
	body[len] = '\0';
	s[0] = '\0';
	char tmp[160] = "";
	APPEND(tmp, spaces);
	APPEND(tmp, signs);
	APPEND(tmp, prefixes);
	strcat(tmp, body);
	APPEND(tmp, tails);
	snprintf(s, cap, "%s", tmp);
}

static int
random_base(void)
{
	static const int bases[] = { 0, 0, 10, 10, 16, 16, 8, 2, 36, 1, 37, -1, 100 };

	return lt_below(3) == 0 ? (int)(2 + lt_below(35)) :
				   bases[lt_below(sizeof(bases) / sizeof(bases[0]))];
}

/*
 * One function pair, compared on one input. With an invalid base (undefined in C) glibc
 * leaves *endptr alone; ours sets it to the string, as when there is no number.
 */
#define COMPARE(host_fn, our_fn, fmt)							\
	do {										\
		char *want_end = NULL, *got_end = NULL;					\
		int want_errno, got_errno;						\
		errno = 0;								\
		__auto_type want = host_fn(s, &want_end, base);				\
		want_errno = errno;							\
		mgc_errno = 0;								\
		__auto_type got = our_fn(s, &got_end, base);				\
		got_errno = mgc_errno;							\
		if (base < 0 || base == 1 || base > 36) {				\
			assert_ptr_equal(got_end, s);					\
			want_end = got_end;						\
		}									\
		if (want != got || want_end != got_end || want_errno != got_errno)	\
			fail_msg(#our_fn "(\"%s\", base %d): glibc " fmt " end +%td "	\
				 "errno %d, ours " fmt " end +%td errno %d", s, base,	\
				 want, want_end - s, want_errno, got, got_end - s,	\
				 got_errno);						\
	} while (0)

static void
test_random_strings_match_glibc(void **state)
{
	char s[128];

	(void)state;
	for (int i = 0; i < 50000; i++) {
		int base = random_base();
		random_number_string(s, sizeof(s));
		COMPARE(strtol, mgc_strtol, "%ld");
		COMPARE(strtoul, mgc_strtoul, "%lu");
		COMPARE(strtoll, mgc_strtoll, "%lld");
		COMPARE(strtoull, mgc_strtoull, "%llu");
		COMPARE(strtoimax, mgc_strtoimax, "%jd");
		COMPARE(strtoumax, mgc_strtoumax, "%ju");
	}
}

static void
test_edges_match_glibc(void **state)
{
	static const struct { const char *s; int base; } cases[] = {
		{ "9223372036854775807", 10 }, { "9223372036854775808", 10 },
		{ "-9223372036854775808", 10 }, { "-9223372036854775809", 10 },
		{ "18446744073709551615", 10 }, { "18446744073709551616", 10 },
		{ "-18446744073709551615", 10 }, { "-18446744073709551616", 10 },
		{ "-1", 10 }, { "0x", 16 }, { "0x", 0 }, { "0xg", 0 }, { "0X1f", 0 },
		{ "0x1f", 10 }, { "0x1f", 16 }, { "017", 0 }, { "08", 0 }, { "0", 0 },
		{ "", 10 }, { "   ", 10 }, { "-", 10 }, { "+", 0 }, { " -0x", 0 },
		{ "zz", 36 }, { "ZZ", 36 }, { "1", 1 }, { "1", 37 }, { "10", -2 },
		{ "0x7fffffffffffffff", 0 }, { "0xffffffffffffffffff", 0 },
		{ "1111111111111111111111111111111111111111111111111111111111111111", 2 },
		{ "11111111111111111111111111111111111111111111111111111111111111111", 2 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *s = cases[i].s;
		int base = cases[i].base;
		COMPARE(strtol, mgc_strtol, "%ld");
		COMPARE(strtoul, mgc_strtoul, "%lu");
		COMPARE(strtoll, mgc_strtoll, "%lld");
		COMPARE(strtoull, mgc_strtoull, "%llu");
	}
}

static void
test_null_endptr_is_allowed(void **state)
{
	(void)state;
	assert_int_equal(mgc_strtol(" 42x", NULL, 10), 42);
	assert_int_equal(mgc_strtoul("7", NULL, 1), 0);
}

static void
test_atoi_family_matches_glibc(void **state)
{
	static const char *const inputs[] = {
		"0", "42", "-42", "  +17abc", "2147483647", "-2147483648", "x1", "",
		"9223372036854775807", "-9223372036854775808", " \t\n12 34",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		assert_int_equal(mgc_atoi(inputs[i]), atoi(inputs[i]));
		assert_int_equal(mgc_atol(inputs[i]), atol(inputs[i]));
		assert_int_equal(mgc_atoll(inputs[i]), atoll(inputs[i]));
	}
}

static void
test_abs_family(void **state)
{
	(void)state;
	assert_int_equal(mgc_abs(-5), 5);
	assert_int_equal(mgc_abs(INT_MAX), INT_MAX);
	assert_int_equal(mgc_abs(0), 0);
	assert_int_equal(mgc_labs(LONG_MIN + 1), LONG_MAX);
	assert_int_equal(mgc_llabs(-7LL), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_strings_match_glibc),
		cmocka_unit_test(test_edges_match_glibc),
		cmocka_unit_test(test_null_endptr_is_allowed),
		cmocka_unit_test(test_atoi_family_matches_glibc),
		cmocka_unit_test(test_abs_family),
	};

	lt_seed("libc_strto");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
