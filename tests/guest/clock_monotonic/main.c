/* SPDX-License-Identifier: ISC */
/* Property: the monotonic clock never goes backwards and advances; the wall clock is a
 * plausible date and advances with it. */
#include <stdint.h>
#include <stdio.h>

#include <morgana/fiber.h>
#include <morgana/plat.h>
#include <morgana/runtime.h>

#define READS 200000
#define YEAR_2024_NS (1704067200ull * 1000000000ull)

int
main(int argc, char **argv)
{
	uint64_t first = mg_now_ns(), prev = first;
	uint64_t wall0 = mg_plat_clock_wall();

	(void)argc;
	(void)argv;
	for (int i = 0; i < READS; i++) {
		uint64_t now = mg_now_ns();
		if (now < prev) {
			printf("FAIL: clock went back from %llu to %llu at read %d\n",
			       (unsigned long long)prev, (unsigned long long)now, i);
			return 1;
		}
		prev = now;
	}
	mg_sleep_ns(2 * 1000 * 1000);
	uint64_t last = mg_now_ns(), wall1 = mg_plat_clock_wall();
	if (last - first < 2 * 1000 * 1000) {
		printf("FAIL: monotonic clock advanced only %llu ns across a 2 ms sleep\n",
		       (unsigned long long)(last - first));
		return 1;
	}
	if (wall0 < YEAR_2024_NS || wall1 < wall0) {
		printf("FAIL: wall clock implausible: %llu then %llu\n",
		       (unsigned long long)wall0, (unsigned long long)wall1);
		return 1;
	}
	printf("clock ok\n");
	return 0;
}
