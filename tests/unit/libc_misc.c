/* SPDX-License-Identifier: ISC */
/*
 * libc_misc.c -- the rest of the guest libc: ctype against glibc for every byte, qsort
 * against glibc and against inputs built to make quicksort quadratic, bsearch,
 * setjmp/longjmp, assert, abort, and errno numbers/strerror against Linux's.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libc_mgc.h"

/* --- ctype --------------------------------------------------------------------------- */

static void
test_ctype_matches_glibc_c_locale_for_every_byte_and_eof(void **state)
{
	static const struct {
		const char *name;
		int (*ours)(int);
		int (*glibc)(int);
	} classes[] = {
		{ "isalnum", mgc_isalnum, isalnum }, { "isalpha", mgc_isalpha, isalpha },
		{ "isblank", mgc_isblank, isblank }, { "iscntrl", mgc_iscntrl, iscntrl },
		{ "isdigit", mgc_isdigit, isdigit }, { "isgraph", mgc_isgraph, isgraph },
		{ "islower", mgc_islower, islower }, { "isprint", mgc_isprint, isprint },
		{ "ispunct", mgc_ispunct, ispunct }, { "isspace", mgc_isspace, isspace },
		{ "isupper", mgc_isupper, isupper }, { "isxdigit", mgc_isxdigit, isxdigit },
	};

	(void)state;
	for (int c = EOF; c <= 255; c++) {
		for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
			if (!classes[i].ours(c) != !classes[i].glibc(c))
				fail_msg("%s(%d): glibc %d, ours %d", classes[i].name, c,
					 classes[i].glibc(c), classes[i].ours(c));
		assert_int_equal(mgc_tolower(c), tolower(c));
		assert_int_equal(mgc_toupper(c), toupper(c));
	}
	/* Outside unsigned char and EOF: no class, case unchanged (glibc: undefined). */
	for (int c = -300; c < EOF; c += 7) {
		assert_false(mgc_isprint(c) || mgc_iscntrl(c) || mgc_isspace(c));
		assert_int_equal(mgc_tolower(c), c);
	}
	assert_false(mgc_isalpha(256 + 'a'));
	assert_int_equal(mgc_toupper(256 + 'a'), 256 + 'a');
}

/* --- qsort and bsearch ------------------------------------------------------------------- */

static size_t elem_size;
static size_t comparisons;

static int
compare_bytes(const void *a, const void *b)
{
	comparisons++;
	return memcmp(a, b, elem_size);
}

/* Element bytes are a function of the key, so equal keys are identical elements and
 * an unstable sort's output is still unique. Key bytes come first, big-endian. */
static void
encode(unsigned char *e, uint32_t key)
{
	for (size_t j = 0; j < elem_size; j++)
		e[j] = j < 4 && j < elem_size ? (unsigned char)(key >> (8 * (elem_size < 4 ?
							elem_size - 1 - j : 3 - j)))
					  : (unsigned char)(key * 31 + j);
}

enum pattern { RANDOM, SORTED, REVERSED, EQUAL, ORGAN_PIPE, SAWTOOTH, FEW_UNIQUE, PATTERNS };

static uint32_t
pattern_key(enum pattern p, size_t i, size_t n)
{
	switch (p) {
	case SORTED: return (uint32_t)i;
	case REVERSED: return (uint32_t)(n - i);
	case EQUAL: return 7;
	case ORGAN_PIPE: return (uint32_t)(i < n / 2 ? i : n - i);
	case SAWTOOTH: return (uint32_t)(i % 17);
	case FEW_UNIQUE: return (uint32_t)lt_below(4);
	default: return (uint32_t)lt_rand();
	}
}

static void
test_qsort_matches_glibc_on_every_pattern_and_element_size(void **state)
{
	static const size_t sizes[] = { 1, 3, 4, 8, 13, 24, 40 };
	static const size_t counts[] = { 0, 1, 2, 3, 15, 16, 17, 100, 1000, 5000 };

	(void)state;
	for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]); ci++) {
			for (int p = 0; p < PATTERNS; p++) {
				size_t n = counts[ci];
				unsigned char *want, *got;
				elem_size = sizes[si];
				want = malloc(n * elem_size + 1);
				got = malloc(n * elem_size + 1);
				assert_non_null(want);
				assert_non_null(got);
				for (size_t i = 0; i < n; i++)
					encode(want + i * elem_size, pattern_key(p, i, n));
				memcpy(got, want, n * elem_size);
				qsort(want, n, elem_size, compare_bytes);
				comparisons = 0;
				mgc_qsort(got, n, elem_size, compare_bytes);
				if (memcmp(want, got, n * elem_size) != 0)
					fail_msg("qsort of %zu elements of %zu bytes, pattern %d",
						 n, elem_size, p);
				if (n > 1 && comparisons > 3 * n * (size_t)log2((double)n) + 3 * n)
					fail_msg("qsort: %zu comparisons for %zu elements, "
						 "pattern %d", comparisons, n, p);
				free(want);
				free(got);
			}
		}
	}
}

/*
 * McIlroy's adversary ("A Killer Adversary for Quicksort", 1999): the comparison
 * function decides the values as the sort asks, always so as to make the pivot
 * a bad one. Any quicksort without a fallback goes quadratic.
 */
static int *adv_value;
static int adv_solid, adv_candidate, adv_gas;

static int
compare_adversary(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	comparisons++;
	if (adv_value[x] == adv_gas && adv_value[y] == adv_gas)
		adv_value[x == adv_candidate ? x : y] = adv_solid++;
	if (adv_value[x] == adv_gas)
		adv_candidate = x;
	else if (adv_value[y] == adv_gas)
		adv_candidate = y;
	return (adv_value[x] > adv_value[y]) - (adv_value[x] < adv_value[y]);
}

static void
test_qsort_stays_n_log_n_against_a_killer_adversary(void **state)
{
	const int n = 20000;
	int *items = malloc(n * sizeof(int));

	(void)state;
	adv_value = malloc(n * sizeof(int));
	assert_non_null(items);
	assert_non_null(adv_value);
	adv_gas = n;
	adv_solid = 0;
	adv_candidate = 0;
	for (int i = 0; i < n; i++) {
		items[i] = i;
		adv_value[i] = adv_gas;
	}
	comparisons = 0;
	mgc_qsort(items, n, sizeof(int), compare_adversary);
	printf("# qsort vs adversary: %zu comparisons for n=%d (n log2 n = %.0f)\n",
	       comparisons, n, n * log2(n));
	assert_true(comparisons < 6 * (size_t)(n * log2(n)));
	for (int i = 1; i < n; i++)
		assert_true(adv_value[items[i - 1]] <= adv_value[items[i]]);
	free(items);
	free(adv_value);
}

static int
compare_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void
test_bsearch_finds_exactly_the_present_keys(void **state)
{
	(void)state;
	for (int round = 0; round < 200; round++) {
		size_t n = lt_below(300);
		int a[300];
		for (size_t i = 0; i < n; i++)
			a[i] = (int)lt_below(round % 2 ? 100 : 1000);
		qsort(a, n, sizeof(int), compare_int);
		for (int key = -1; key <= 1001; key++) {
			int *got = mgc_bsearch(&key, a, n, sizeof(int), compare_int);
			int *want = bsearch(&key, a, n, sizeof(int), compare_int);
			assert_int_equal(got == NULL, want == NULL);
			if (got != NULL) {	/* any of several equal elements will do */
				assert_true(got >= a && got < a + n);
				assert_int_equal(*got, key);
			}
		}
	}
}

/* --- setjmp/longjmp ----------------------------------------------------------------- */

static __attribute__((noinline)) _Noreturn void
clobber_and_jump(mgc_jmp_buf env, int depth, int val)
{
	/* Go deeper through a function pointer: GCC otherwise sees a noreturn function
	 * that calls itself and calls it infinite recursion. */
	static void (*volatile again)(unsigned long *, int, int) = clobber_and_jump;
	if (depth > 0)
		again(env, depth - 1, val);
	/* Trash every callee-saved register: longjmp must bring back the setjmp-time ones. */
	__asm__ volatile("mov $-1, %%rbx\n\tmov $-1, %%r12\n\tmov $-1, %%r13\n\t"
			 "mov $-1, %%r14\n\tmov $-1, %%r15"
			 ::: "rbx", "r12", "r13", "r14", "r15", "memory");
	mgc_longjmp(env, val);
}

static __attribute__((noinline)) long
values_survive_longjmp(long seed, int depth, int val, int *returned)
{
	mgc_jmp_buf env;
	/* Live across setjmp and never changed after it: C says they keep their values.
	 * With this many, several sit in callee-saved registers. */
	long a = seed * 3, b = seed ^ 0x55, c = seed + 7, d = seed * seed, e = ~seed;
	long f = seed << 3, g = seed - 11, h = seed / 3 + 1;
	int r = mgc_setjmp(env);

	if (r == 0)
		clobber_and_jump(env, depth, val);
	*returned = r;
	return a + 2 * b + 3 * c + 5 * d + 7 * e + 11 * f + 13 * g + 17 * h;
}

static void
test_longjmp_returns_value_and_restores_registers(void **state)
{
	(void)state;
	for (int round = 0; round < 100; round++) {
		long seed = (long)(lt_rand() >> 36);	/* small enough that nothing overflows */
		int returned = 0, depth = (int)lt_below(40), val = (int)lt_below(1000);
		long want = seed * 3 + 2 * (seed ^ 0x55) + 3 * (seed + 7) + 5 * (seed * seed) +
			    7 * ~seed + 11 * (seed << 3) + 13 * (seed - 11) + 17 * (seed / 3 + 1);
		assert_int_equal(values_survive_longjmp(seed, depth, val, &returned), want);
		assert_int_equal(returned, val == 0 ? 1 : val);
	}
}

static void
test_setjmp_returns_zero_first_and_can_be_reused(void **state)
{
	mgc_jmp_buf env;
	volatile int passes = 0;

	(void)state;
	int r = mgc_setjmp(env);
	passes++;
	if (passes == 1) {
		assert_int_equal(r, 0);
		clobber_and_jump(env, 3, 0);	/* 0 arrives as 1 */
	}
	if (passes == 2) {
		assert_int_equal(r, 1);
		clobber_and_jump(env, 0, -7);
	}
	assert_int_equal(passes, 3);
	assert_int_equal(r, -7);
}

/* --- assert, abort ------------------------------------------------------------------- */

#define mg_libc_assert_fail mgc_mg_libc_assert_fail
#include "../../libc/include/assert.h"

static int assert_line;

static __attribute__((noinline)) void
check_is_one(int x)
{
	assert_line = __LINE__ + 1;
	assert(x == 1);
}

#define NDEBUG
#include "../../libc/include/assert.h"

static __attribute__((noinline)) int
unchecked(int x)
{
	assert(x++ == 1);	/* with NDEBUG: not even evaluated */
	return x;
}

#undef NDEBUG
#include "../../libc/include/assert.h"

static void
test_assert_prints_expression_place_and_aborts(void **state)
{
	char want[256];

	(void)state;
	check_is_one(1);
	LT_EXPECT_ABORT(check_is_one(2), "assertion failed: x == 1");
	snprintf(want, sizeof(want), "assertion failed: x == 1 (%s:%d, check_is_one)\n",
		 __FILE__, assert_line);
	assert_string_equal(lt_console, want);
	assert_int_equal(unchecked(5), 5);
}

static void
test_abort_prints_nothing(void **state)
{
	(void)state;
	LT_EXPECT_ABORT(mgc_abort(), "");
	assert_int_equal(lt_console_len, 0);
}

/* --- errno ---------------------------------------------------------------------------- */

static void
test_errno_numbers_are_linux_and_strerror_names_them(void **state)
{
	/* glibc's values, named by glibc's macros: our table must agree entry by entry. */
#define E(x) { x, #x }
	static const struct { int num; const char *name; } errors[] = {
		E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
		E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT),
		E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR),
		E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ENOSPC),
		E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK),
		E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP), E(ENOMSG),
		E(EIDRM), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR), E(ENOLINK), E(EPROTO),
		E(EMULTIHOP), E(EBADMSG), E(EOVERFLOW), E(EILSEQ), E(EUSERS), E(ENOTSOCK),
		E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT),
		E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT),
		E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
		E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
		E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT), E(ECONNREFUSED),
		E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS), E(ESTALE),
		E(EDQUOT), E(ECANCELED), E(EOWNERDEAD), E(ENOTRECOVERABLE),
	};
#undef E

	(void)state;
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		assert_string_equal(mgc_strerror(errors[i].num), errors[i].name);
	assert_string_equal(mgc_strerror(EWOULDBLOCK), "EAGAIN");
	assert_string_equal(mgc_strerror(0), "Success");
	assert_string_equal(mgc_strerror(-3), "Unknown error -3");
	assert_string_equal(mgc_strerror(41), "Unknown error 41");
	assert_string_equal(mgc_strerror(4096), "Unknown error 4096");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctype_matches_glibc_c_locale_for_every_byte_and_eof),
		cmocka_unit_test(test_qsort_matches_glibc_on_every_pattern_and_element_size),
		cmocka_unit_test(test_qsort_stays_n_log_n_against_a_killer_adversary),
		cmocka_unit_test(test_bsearch_finds_exactly_the_present_keys),
		cmocka_unit_test(test_longjmp_returns_value_and_restores_registers),
		cmocka_unit_test(test_setjmp_returns_zero_first_and_can_be_reused),
		cmocka_unit_test(test_assert_prints_expression_place_and_aborts),
		cmocka_unit_test(test_abort_prints_nothing),
		cmocka_unit_test(test_errno_numbers_are_linux_and_strerror_names_them),
	};

	lt_seed("libc_misc");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
