/* SPDX-License-Identifier: ISC */
/* Property: page 0 is not mapped. Reading through a null (or small) pointer faults
 * instead of returning whatever lies at address 0. */
#include <stdint.h>
#include <stdio.h>

/* Volatile so the compiler cannot see the null dereference and turn it into a trap. */
static volatile uintptr_t address = 8;

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("reading address %#lx\n", (unsigned long)address);
	printf("FAIL: read %llx from page 0\n",
	       (unsigned long long)*(volatile uint64_t *)address);
	return 0;
}
