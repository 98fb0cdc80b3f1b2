/* SPDX-License-Identifier: ISC */
/* Property: code is not writable. A store into the unikernel's own text faults (a page
 * fault on a tender, SIGSEGV on unix) instead of changing the program. */
#include <stdint.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	volatile uint8_t *text = (volatile uint8_t *)(uintptr_t)&main;

	(void)argc;
	(void)argv;
	printf("writing to text at %p\n", (void *)(uintptr_t)text);
	*text = 0xc3;	/* ret */
	printf("FAIL: the write to text went through\n");
	return 0;
}
