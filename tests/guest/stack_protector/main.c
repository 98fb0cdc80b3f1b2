/* SPDX-License-Identifier: ISC */
/* Property: a write past the end of a stack buffer is caught by the stack protector when
 * the function returns, and the unikernel ends abnormally instead of running on. */
#include <stdio.h>
#include <string.h>

/* Volatile so the compiler cannot see the overflow coming and refuse to build. */
static volatile size_t overflow_len = 64;

static __attribute__((noinline)) void
smash(void)
{
	char buf[16];
	memset(buf, 'A', overflow_len);
	__asm__ volatile("" : : "r"(buf) : "memory");
}

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("smashing\n");
	smash();
	printf("FAIL: survived a smashed stack\n");
	return 0;
}
