/* SPDX-License-Identifier: ISC */
/*
 * libc_string.c -- the guest libc's mem* and str* functions against glibc's, on random
 * buffers at random alignments and lengths. Results are compared as C defines them:
 * pointers as offsets, comparisons by sign, and whole arenas after every write so that
 * a stray byte outside the destination is caught too.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "libc_mgc.h"

#define ARENA 4096
#define ROUNDS 20000

static unsigned char want[ARENA] __attribute__((aligned(64)));
static unsigned char got[ARENA] __attribute__((aligned(64)));
static unsigned char heap_arena[1 << 20] __attribute__((aligned(64)));

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

static void
fill_random(unsigned char *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		a[i] = (unsigned char)lt_rand();
}

/* Same random bytes in both arenas. */
static void
arenas_random(void)
{
	fill_random(want, ARENA);
	memcpy(got, want, ARENA);
}

static size_t
random_len(void)
{
	return lt_below(4) == 0 ? lt_below(1500) : lt_below(70);
}

static void
assert_arenas_equal(const char *what, size_t a, size_t b, size_t n)
{
	if (memcmp(want, got, ARENA) != 0)
		fail_msg("%s(+%zu, +%zu, %zu): arenas differ", what, a, b, n);
}

static void
test_memcpy_memmove_memset_match_glibc(void **state)
{
	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		size_t n = random_len();
		size_t dst = lt_below(ARENA - n + 1), src = lt_below(ARENA - n + 1);
		arenas_random();
		switch (lt_below(3)) {
		case 0:
			/* memcpy needs disjoint ranges: move src out of the way if not. */
			if (dst < src + n && src < dst + n)
				src = dst + n <= ARENA - n ? dst + n : 0;
			if (dst < src + n && src < dst + n)
				continue;
			memcpy(want + dst, want + src, n);
			assert_ptr_equal(mgc_memcpy(got + dst, got + src, n), got + dst);
			assert_arenas_equal("memcpy", dst, src, n);
			break;
		case 1: {
			/* Overlap on purpose, in both directions. */
			size_t shift = lt_below(17);
			if (dst + shift <= ARENA - n)
				src = dst + shift;
			if (lt_below(2)) {
				size_t t = dst;
				dst = src, src = t;
			}
			memmove(want + dst, want + src, n);
			assert_ptr_equal(mgc_memmove(got + dst, got + src, n), got + dst);
			assert_arenas_equal("memmove", dst, src, n);
			break;
		}
		default: {
			int c = (int)lt_rand();
			memset(want + dst, c, n);
			assert_ptr_equal(mgc_memset(got + dst, c, n), got + dst);
			assert_arenas_equal("memset", dst, (size_t)c, n);
			break;
		}
		}
	}
}

static void
test_memcmp_memchr_match_glibc(void **state)
{
	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		size_t n = random_len(), a = lt_below(ARENA - n + 1), b = lt_below(ARENA - n + 1);
		int c;
		fill_random(want, ARENA);
		memmove(want + b, want + a, n);
		if (n > 0 && lt_below(4) != 0)		/* usually one difference */
			want[b + lt_below(n)] = (unsigned char)lt_rand();
		c = n > 0 ? want[a + lt_below(n)] : (int)lt_below(256);
		if (lt_below(3) == 0)
			c = (int)lt_rand();		/* often absent, and above 255 */
		assert_int_equal(sign(mgc_memcmp(want + a, want + b, n)),
				 sign(memcmp(want + a, want + b, n)));
		assert_ptr_equal(mgc_memchr(want + a, c, n), memchr(want + a, c, n));
	}
}

/* A NUL-terminated random string over a small alphabet (so that matches happen) at a
 * random offset of arena; returns it. */
static char *
random_string(unsigned char *arena, size_t *len_out)
{
	static const char alphabet[] = "abcABC-, \xe9\x80";
	size_t len = random_len() % 300, at = lt_below(ARENA - len - 1);
	char *s = (char *)arena + at;

	for (size_t i = 0; i < len; i++)
		s[i] = alphabet[lt_below(sizeof(alphabet) - 1)];
	s[len] = '\0';
	if (len_out != NULL)
		*len_out = len;
	return s;
}

static void
test_string_queries_match_glibc(void **state)
{
	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		size_t len, n = lt_below(320);
		char *s, *t;
		fill_random(want, ARENA);
		s = random_string(want, &len);
		t = s;
		if (lt_below(2)) {		/* t: an edited copy or prefix of s */
			t = (char *)want + lt_below(ARENA - len - 1);
			memmove(t, s, len + 1);
			if (len > 0 && lt_below(2))
				t[lt_below(len)] = "aBz\x80"[lt_below(4)];
		} else if (lt_below(2)) {
			t = random_string(want, NULL);
		}
		if (s + len >= t && s <= t + strlen(t))	/* overlapping edits: skip */
			continue;
		int c = lt_below(5) == 0 ? 0 : "abcABCz\xe9"[lt_below(8)];

		assert_int_equal(mgc_strlen(s), strlen(s));
		assert_int_equal(mgc_strnlen(s, n), strnlen(s, n));
		assert_int_equal(sign(mgc_strcmp(s, t)), sign(strcmp(s, t)));
		assert_int_equal(sign(mgc_strncmp(s, t, n)), sign(strncmp(s, t, n)));
		assert_int_equal(sign(mgc_strcasecmp(s, t)), sign(strcasecmp(s, t)));
		assert_int_equal(sign(mgc_strncasecmp(s, t, n)), sign(strncasecmp(s, t, n)));
		assert_ptr_equal(mgc_strchr(s, c), strchr(s, c));
		assert_ptr_equal(mgc_strrchr(s, c), strrchr(s, c));
		char needle[8];
		size_t nl = lt_below(5);
		size_t from = len > nl ? lt_below(len - nl + 1) : 0;
		snprintf(needle, sizeof(needle), "%.*s", (int)nl, s + from);
		if (lt_below(3) == 0 && nl > 0)
			needle[lt_below(nl)] = 'C';
		assert_ptr_equal(mgc_strstr(s, needle), strstr(s, needle));
		assert_int_equal(mgc_strspn(s, needle), strspn(s, needle));
		assert_int_equal(mgc_strcspn(s, needle), strcspn(s, needle));
	}
}

static void
test_string_copies_match_glibc(void **state)
{
	static unsigned char source[ARENA];

	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		size_t len, n = lt_below(80);
		fill_random(source, ARENA);
		const char *src = random_string(source, &len);
		if (len > 350)
			continue;
		/* Room for strcat: a destination string of up to 300 bytes plus src. */
		size_t dst_at = lt_below(ARENA - 700);
		fill_random(want, ARENA);
		want[dst_at + lt_below(300)] = '\0';
		memcpy(got, want, ARENA);
		char *wd = (char *)want + dst_at, *gd = (char *)got + dst_at;
		switch (lt_below(4)) {
		case 0:
			assert_ptr_equal(mgc_strcpy(gd, src), gd);
			strcpy(wd, src);
			break;
		case 1:
			assert_ptr_equal(mgc_strncpy(gd, src, n), gd);
			strncpy(wd, src, n);
			break;
		case 2:
			assert_ptr_equal(mgc_strcat(gd, src), gd);
			strcat(wd, src);
			break;
		default:
			assert_ptr_equal(mgc_strncat(gd, src, n), gd);
			strncat(wd, src, n);
			break;
		}
		assert_arenas_equal("str*cpy/cat", dst_at, len, n);
	}
}

static void
test_strtok_r_matches_glibc(void **state)
{
	(void)state;
	for (int i = 0; i < 5000; i++) {
		char a[200], b[200], *wsave = NULL, *gsave = NULL;
		const char *delims[] = { ",", ", ", "-a", "", "abcABC-, " };
		const char *delim = delims[lt_below(5)];
		size_t len;
		fill_random(want, ARENA);
		const char *s = random_string(want, &len);
		snprintf(a, sizeof(a), "%s", s);
		memcpy(b, a, sizeof(a));
		char *wt = strtok_r(a, delim, &wsave), *gt = mgc_strtok_r(b, delim, &gsave);
		for (;;) {
			assert_int_equal(wt == NULL, gt == NULL);
			if (wt == NULL)
				break;
			assert_int_equal(wt - a, gt - b);
			wt = strtok_r(NULL, delim, &wsave);
			gt = mgc_strtok_r(NULL, delim, &gsave);
		}
		assert_memory_equal(a, b, sizeof(a));
	}
}

static void
test_strdup_strndup_copy_into_the_heap(void **state)
{
	(void)state;
	assert_int_equal(mgc_mg_heap_init(heap_arena, sizeof(heap_arena)), 0);
	for (int i = 0; i < 2000; i++) {
		size_t len, n = lt_below(400);
		char *s = random_string(want, &len);
		char *d = mgc_strdup(s), *e = mgc_strndup(s, n);
		assert_non_null(d);
		assert_non_null(e);
		assert_true((unsigned char *)d >= heap_arena &&
			    (unsigned char *)d < heap_arena + sizeof(heap_arena));
		assert_string_equal(d, s);
		assert_int_equal(strlen(e), len < n ? len : n);
		assert_memory_equal(e, s, strlen(e));
		mgc_free(d);
		mgc_free(e);
	}
	struct mg_heap_stats st;
	mgc_mg_heap_stats(&st);
	assert_int_equal(st.allocations, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_memmove_memset_match_glibc),
		cmocka_unit_test(test_memcmp_memchr_match_glibc),
		cmocka_unit_test(test_string_queries_match_glibc),
		cmocka_unit_test(test_string_copies_match_glibc),
		cmocka_unit_test(test_strtok_r_matches_glibc),
		cmocka_unit_test(test_strdup_strndup_copy_into_the_heap),
	};

	lt_seed("libc_string");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
