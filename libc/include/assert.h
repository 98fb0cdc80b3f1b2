/* SPDX-License-Identifier: ISC */
/*
 * assert.h -- Morgana's freestanding C library: assertions.
 *
 * A failed assert() prints "assertion failed: EXPR (FILE:LINE, FUNC)" and a newline on
 * the console and ends the unikernel through abort(). With NDEBUG defined before this
 * header is included, assert() evaluates nothing. Like C's, this header has no include
 * guard, so that NDEBUG can change between inclusions.
 */
#undef assert
#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
#define assert(expr) \
	((expr) ? (void)0 : mg_libc_assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif

#ifndef MORGANA_LIBC_ASSERT_H
#define MORGANA_LIBC_ASSERT_H

#define static_assert _Static_assert

_Noreturn void mg_libc_assert_fail(const char *expr, const char *file, int line,
				   const char *func);

#endif /* MORGANA_LIBC_ASSERT_H */
