/* SPDX-License-Identifier: ISC */
/*
 * assert.c -- what a failed assert() does: say which, where, and abort.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

void
mg_libc_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	printf("assertion failed: %s (%s:%d, %s)\n", expr, file, line, func);
	abort();
}
