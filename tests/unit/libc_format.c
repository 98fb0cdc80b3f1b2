/* SPDX-License-Identifier: ISC */
/*
 * libc_format.c -- the guest libc's snprintf/printf against glibc's, on thousands of
 * random formats (flags, widths, precisions, length modifiers, conversions, extreme
 * values) and buffer sizes, comparing the output bytes and the return value.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "libc_mgc.h"

#define MAX_ARGS 12
#define BUF 1024

static const char *const strings[] = {
	"", "a", "hello", "Morgana unikernel", "with\ttab and\nnewline", "%d %s %%",
	"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
	"\xc3\xa9t\xc3\xa9", "(null)",
};

/* A value biased towards the edges where formatting goes wrong. */
static uint64_t
random_value(void)
{
	static const uint64_t edges[] = {
		0, 1, 7, 8, 9, 10, 15, 16, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0xffffffffffffffffull, (uint64_t)-2, (uint64_t)INT_MIN,
		(uint64_t)LLONG_MIN + 1,
	};

	switch (lt_below(4)) {
	case 0: return edges[lt_below(sizeof(edges) / sizeof(edges[0]))];
	case 1: return lt_below(1000);
	case 2: return (uint64_t)-(int64_t)lt_below(1000);
	default: return lt_rand() >> lt_below(64);
	}
}

static uint64_t
random_count_arg(void)
{
	/* Negative widths mean '-'; negative precisions mean "none". */
	return (uint64_t)(int64_t)((int)lt_below(61) - 20);
}

/*
 * Append one random directive that C defines (no undefined flag/conversion mixes) to
 * fmt, and its arguments to args. Every argument is passed as a 64-bit word: on x86_64
 * an int argument occupies the same slot, and both implementations read it the same way.
 */
static void
random_directive(char *fmt, uint64_t *args, int *nargs)
{
	static const char convs[] = "diuoxXcsp";
	static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "j", "t" };
	char conv = convs[lt_below(sizeof(convs) - 1)];
	bool integer = strchr("diuoxX", conv) != NULL;
	const char *flags = integer ? (strchr("oxX", conv) ? "-+ #0" : "-+ 0") : "-";
	char *f = fmt + strlen(fmt);

	*f++ = '%';
	for (int n = (int)lt_below(4); n > 0; n--)
		*f++ = flags[lt_below(strlen(flags))];
	switch (lt_below(3)) {
	case 0: break;
	case 1: f += sprintf(f, "%d", (int)lt_below(40)); break;
	default: *f++ = '*'; args[(*nargs)++] = random_count_arg(); break;
	}
	if (integer || conv == 's') {
		switch (lt_below(4)) {
		case 0: break;
		case 1: *f++ = '.'; break;
		case 2: f += sprintf(f, ".%d", (int)lt_below(30)); break;
		default: *f++ = '.'; *f++ = '*'; args[(*nargs)++] = random_count_arg(); break;
		}
	}
	if (integer)
		f += sprintf(f, "%s", lengths[lt_below(8)]);
	*f++ = conv;
	*f = '\0';
	if (conv == 's')
		args[(*nargs)++] =
			(uintptr_t)strings[lt_below(sizeof(strings) / sizeof(strings[0]))];
	else if (conv == 'p' && lt_below(8) == 0)
		args[(*nargs)++] = 0;
	else
		args[(*nargs)++] = random_value();
}

static void
random_format(char *fmt, uint64_t *args, int *nargs)
{
	static const char *const texts[] = {
		"", "x", " = ", "%%", "[", "]\n", "long literal text ",
	};

	fmt[0] = '\0';
	*nargs = 0;
	for (int n = 1 + (int)lt_below(3); n > 0; n--) {
		strcat(fmt, texts[lt_below(sizeof(texts) / sizeof(texts[0]))]);
		random_directive(fmt, args, nargs);
	}
	strcat(fmt, texts[lt_below(sizeof(texts) / sizeof(texts[0]))]);
}

/* Format with both libraries into buffers of size bytes and compare everything. */
static void
compare_one(const char *fmt, const uint64_t *a, size_t size)
{
	char want[BUF], got[BUF];
	int want_ret, got_ret;

	memset(want, 0x5a, sizeof(want));
	memset(got, 0x5a, sizeof(got));
	want_ret = snprintf(want, size, fmt, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
			    a[8], a[9], a[10], a[11]);
	got_ret = mgc_snprintf(size ? got : NULL, size, fmt, a[0], a[1], a[2], a[3], a[4],
			       a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
	if (want_ret != got_ret || memcmp(want, got, sizeof(want)) != 0)
		fail_msg("format \"%s\" size %zu: glibc %d \"%s\", ours %d \"%s\"", fmt, size,
			 want_ret, size ? want : "", got_ret, size ? got : "");
}

static void
test_random_formats_match_glibc(void **state)
{
	char fmt[256];
	uint64_t args[MAX_ARGS];
	int nargs;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		int len;
		memset(args, 0, sizeof(args));
		random_format(fmt, args, &nargs);
		assert_true(nargs <= MAX_ARGS);
		len = snprintf(NULL, 0, fmt, args[0], args[1], args[2], args[3], args[4],
			       args[5], args[6], args[7], args[8], args[9], args[10], args[11]);
		assert_true(len >= 0 && len < BUF);
		compare_one(fmt, args, BUF);
		compare_one(fmt, args, 0);
		compare_one(fmt, args, 1 + lt_below((size_t)len + 2));
	}
}

/* The edges spelled out, so that they are covered whatever the seed. */
static void
test_edge_cases_match_glibc(void **state)
{
	static const struct { const char *fmt; uint64_t arg; } cases[] = {
		{ "%d", (uint64_t)INT_MIN }, { "%lld", (uint64_t)LLONG_MIN },
		{ "%ld", (uint64_t)LONG_MAX }, { "%llu", ULLONG_MAX }, { "%hhd", 255 },
		{ "%hhu", 0x1ff }, { "%hd", 0x18000 }, { "%.0d", 0 }, { "%+.0d", 0 },
		{ "% .0d", 0 }, { "%5.0d", 0 }, { "%#o", 0 }, { "%#.0o", 0 }, { "%#.3o", 8 },
		{ "%#x", 0 }, { "%#X", 255 }, { "%#5.3x", 1 }, { "%-05d", 42 },
		{ "%+05d", -42 }, { "%08.3d", -7 }, { "% 05d", 7 }, { "%-+8d|", 3 },
		{ "%zd", (uint64_t)-1 }, { "%zu", (uint64_t)-1 }, { "%td", (uint64_t)-5 },
		{ "%jx", ULLONG_MAX }, { "%p", 0 }, { "%10p", 0 }, { "%-10p|", 0x1234 },
		{ "%p", 0xdeadbeef }, { "%c", 'A' }, { "%-3c|", 'z' }, { "%c", 0 },
		{ "%%", 0 }, { "100%%%d", 1 }, { "%o", ULLONG_MAX }, { "%#llo", ULLONG_MAX },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t a[MAX_ARGS] = { cases[i].arg };
		for (size_t size = 0; size < 30; size++)
			compare_one(cases[i].fmt, a, size);
		compare_one(cases[i].fmt, a, BUF);
	}
}

static void
test_strings_and_precision_match_glibc(void **state)
{
	uint64_t a[MAX_ARGS] = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		a[0] = (uintptr_t)strings[i];
		compare_one("%s", a, BUF);
		compare_one("[%10s]", a, BUF);
		compare_one("[%-10s]", a, BUF);
		compare_one("[%.3s]", a, BUF);
		compare_one("[%.0s]", a, BUF);
		compare_one("[%12.5s]", a, 7);
	}
	/* NULL for %s is undefined in C; ours prints what glibc prints. */
	a[0] = 0;
	compare_one("[%s]", a, BUF);
	compare_one("[%.3s]", a, BUF);
	compare_one("[%8s]", a, BUF);
}

static int
call_vsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = mgc_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

static void
test_vsnprintf_consumes_arguments_in_order(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(call_vsnprintf(buf, sizeof(buf), "%d-%s-%lld-%c", 1, "two", 3LL, '4'),
			 9);
	assert_string_equal(buf, "1-two-3-4");
}

static void
test_floats_print_placeholder_and_keep_arguments(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(mgc_snprintf(buf, sizeof(buf), "%f %d %.3e %d %Lg %s", 1.5, 7, 2.0,
				      8, (long double)3.0, "end"),
			 (int)strlen("<float> 7 <float> 8 <float> end"));
	assert_string_equal(buf, "<float> 7 <float> 8 <float> end");
	assert_int_equal(mgc_snprintf(buf, sizeof(buf), "[%10f]", 0.0), 12);
	assert_string_equal(buf, "[   <float>]");
}

static void
test_unsupported_conversions_print_literally(void **state)
{
	char buf[64];
	int n = 5;

	(void)state;
	assert_int_equal(mgc_snprintf(buf, sizeof(buf), "a%nb%d", (void *)&n, 3), 5);
	assert_string_equal(buf, "a%nb3");
	assert_int_equal(n, 5);
	assert_int_equal(mgc_snprintf(buf, sizeof(buf), "%y|%5"), 5);
	assert_string_equal(buf, "%y|%5");
	assert_int_equal(mgc_snprintf(buf, sizeof(buf), "%lc|%ls|%d", 'x', (void *)buf, 4), 9);
	assert_string_equal(buf, "%lc|%ls|4");
	/* Flags and width on %% are ignored, as glibc does (compared by hand: ASan's
	 * printf interceptor complains about the format). */
	assert_int_equal(mgc_snprintf(buf, sizeof(buf), "[%5%][%-3%]"), 6);
	assert_string_equal(buf, "[%][%]");
}

static void
test_output_over_int_max_returns_minus_one(void **state)
{
	(void)state;
	mgc_errno = 0;
	assert_int_equal(mgc_snprintf(NULL, 0, "%2147483647d%d", 1, 2), -1);
	assert_int_equal(mgc_errno, EOVERFLOW);
	mgc_errno = 0;
	assert_int_equal(mgc_snprintf(NULL, 0, "%2147483648d", 1), -1);
	assert_int_equal(mgc_errno, EOVERFLOW);
	/* Padding nobody will see is counted, not produced: this must be quick. */
	assert_int_equal(mgc_snprintf(NULL, 0, "%2147483646d", 1), INT_MAX - 1);
}

static void
test_printf_writes_whole_output_to_console(void **state)
{
	char want[2000];
	int n;

	(void)state;
	lt_console_reset();
	assert_int_equal(mgc_printf("x=%d %s\n", 42, "ok"), 8);
	assert_string_equal(lt_console, "x=42 ok\n");

	/* Longer than printf's buffer: reaches the console in pieces, all of it. */
	lt_console_reset();
	n = snprintf(want, sizeof(want), "%1500d|%s", 9, "tail");
	assert_int_equal(mgc_printf("%1500d|%s", 9, "tail"), n);
	assert_int_equal(lt_console_len, (size_t)n);
	assert_string_equal(lt_console, want);

	lt_console_reset();
	assert_true(mgc_puts("line") >= 0);
	assert_int_equal(mgc_putchar('!'), '!');
	assert_int_equal(mgc_putchar(0x1ff), 0xff);
	assert_int_equal(lt_console_len, 7);
	assert_memory_equal(lt_console, "line\n!\xff", 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_formats_match_glibc),
		cmocka_unit_test(test_edge_cases_match_glibc),
		cmocka_unit_test(test_strings_and_precision_match_glibc),
		cmocka_unit_test(test_vsnprintf_consumes_arguments_in_order),
		cmocka_unit_test(test_floats_print_placeholder_and_keep_arguments),
		cmocka_unit_test(test_unsupported_conversions_print_literally),
		cmocka_unit_test(test_output_over_int_max_returns_minus_one),
		cmocka_unit_test(test_printf_writes_whole_output_to_console),
	};

	lt_seed("libc_format");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
