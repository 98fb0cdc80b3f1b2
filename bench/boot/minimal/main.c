/* SPDX-License-Identifier: ISC */
/*
 * minimal -- the unikernel bench/boot starts: main returns 0, so the run measures only
 * boot and exit. With the argument "boot-time" it prints the monotonic clock as main
 * begins, which on hvt counts from the image's first instruction: the guest's own boot
 * time (docs/performance.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <morgana/runtime.h>

int
main(int argc, char **argv)
{
	uint64_t at_main = mg_now_ns();

	if (argc > 1 && strcmp(argv[1], "boot-time") == 0)
		printf("first instruction to main: %llu ns\n", (unsigned long long)at_main);
	return 0;
}
