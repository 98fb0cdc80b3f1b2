/* SPDX-License-Identifier: ISC */
/* Property: writable data is not executable. Jumping to instructions stored in a global
 * variable faults on the instruction fetch. */
#include <stdint.h>
#include <stdio.h>

/* mov $42, %eax; ret -- what would run if data were executable. */
static uint8_t code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };

int
main(int argc, char **argv)
{
	int (*fn)(void) = (int (*)(void))(uintptr_t)code;

	(void)argc;
	(void)argv;
	printf("calling data at %p\n", (void *)(uintptr_t)code);
	printf("FAIL: data ran and returned %d\n", fn());
	return 0;
}
