/* SPDX-License-Identifier: ISC */
/* Property: the stack is not executable. Jumping to instructions written into a local
 * array faults on the instruction fetch. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static __attribute__((noinline)) int
run_local(void)
{
	static const uint8_t code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
	volatile uint8_t buf[16];
	int (*fn)(void);

	for (size_t i = 0; i < sizeof(code); i++)
		buf[i] = code[i];
	fn = (int (*)(void))(uintptr_t)buf;
	printf("calling stack at %p\n", (void *)(uintptr_t)buf);
	return fn();
}

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("FAIL: stack ran and returned %d\n", run_local());
	return 0;
}
