/* SPDX-License-Identifier: ISC */
/* Property: main's stack has a guard page. Unbounded recursion in main faults when it
 * reaches the guard, instead of running on into the memory below the stack. */
#include <stdint.h>
#include <stdio.h>

#include <morgana/runtime.h>

/* Never reached; volatile so the compiler cannot call the recursion infinite. */
static volatile uint64_t max_depth = UINT64_MAX;

static __attribute__((noinline)) uint64_t
recurse(uint64_t depth)
{
	volatile uint8_t frame[256];

	if (depth == max_depth)
		return 0;
	frame[0] = (uint8_t)depth;
	/* Not a tail call: the frame stays live across the call. */
	return recurse(depth + 1) + frame[0];
}

int
main(int argc, char **argv)
{
	const struct mg_plat_boot_info *info = mg_boot_info();

	(void)argc;
	(void)argv;
	if (info->main_stack == 0) {
		printf("FAIL: the platform gave main no guarded stack\n");
		return 1;
	}
	printf("main's stack: %#lx..%#lx, guard page below\n", (unsigned long)info->main_stack,
	       (unsigned long)(info->main_stack + info->main_stack_size));
	printf("FAIL: recursion ended: %llu\n", (unsigned long long)recurse(0));
	return 0;
}
