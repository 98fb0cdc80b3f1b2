/* SPDX-License-Identifier: ISC */
/*
 * libc_headers.c -- compiled, never run: the guest libc's headers as guest code sees
 * them (freestanding variant, -Wall -Werror). -Wformat checks every PRI* macro against
 * its type through printf's format attribute; the static assertions pin down the ABI
 * facts the implementation relies on. Built with build/freestanding/libc-prefixed.o.
 */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <morgana/heap.h>

static_assert(sizeof(jmp_buf) == 64, "setjmp.S stores 8 registers");
static_assert(INT_MAX == 2147483647 && LONG_MAX == 9223372036854775807L, "LP64 limits");
static_assert(EOF == -1 && EWOULDBLOCK == EAGAIN && ENOTSUP == EOPNOTSUPP, "aliases");

void libc_headers_use(void);

void
libc_headers_use(void)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%" PRId8 "%" PRIi16 "%" PRIu32 "%" PRIx64 "%" PRIX64,
		 (int8_t)1, (int16_t)2, (uint32_t)3, (uint64_t)4, (uint64_t)5);
	snprintf(buf, sizeof(buf), "%" PRIdLEAST8 "%" PRIuLEAST16 "%" PRIxLEAST32
		 "%" PRIdLEAST64, (int_least8_t)1, (uint_least16_t)2, (uint_least32_t)3,
		 (int_least64_t)4);
	snprintf(buf, sizeof(buf), "%" PRIdFAST8 "%" PRIdFAST16 "%" PRIuFAST32
		 "%" PRIxFAST64, (int_fast8_t)1, (int_fast16_t)2, (uint_fast32_t)3,
		 (uint_fast64_t)4);
	snprintf(buf, sizeof(buf), "%" PRIdMAX "%" PRIuMAX "%" PRIdPTR "%" PRIxPTR "%zu%td",
		 (intmax_t)1, (uintmax_t)2, (intptr_t)3, (uintptr_t)4, sizeof(buf),
		 (ptrdiff_t)5);
	printf("%s %d\n", strerror(ENOMEM), isalpha('a') + abs(-1) + (int)strlen(buf));
	assert(buf[0] != '\0');
}
