/* SPDX-License-Identifier: ISC */
/* Property: read-only data is not writable. A store into a const object faults instead
 * of changing it. */
#include <stdint.h>
#include <stdio.h>

static const uint64_t constant = 0x1122334455667788ull;

int
main(int argc, char **argv)
{
	/* Through an integer, so the compiler cannot see the const object written. */
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)&constant;

	(void)argc;
	(void)argv;
	printf("writing to rodata at %p (holds %llx)\n", (void *)(uintptr_t)p,
	       (unsigned long long)*p);
	*p = 0;
	printf("FAIL: the write to rodata went through (%llx)\n", (unsigned long long)*p);
	return 0;
}
