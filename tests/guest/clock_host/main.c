/* SPDX-License-Identifier: ISC */
/*
 * Property: the clocks agree with the host's. The wall clock is within 1 s of the host's
 * wall clock (argv[1], in ns since the epoch, read by the test runner just before the
 * start), and across a 200 ms sleep the monotonic clock advances as much as the wall
 * clock does, within 10 ms (TSC frequency and scaling right).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <morgana/fiber.h>
#include <morgana/plat.h>
#include <morgana/runtime.h>

#define MS 1000000ll
#define SLEEP_NS (200 * MS)

int
main(int argc, char **argv)
{
	int64_t host, wall0, wall1, mono0, mono1, skew, drift;
	char *end;

	if (argc != 2) {
		printf("FAIL: usage: clock-host HOST_WALL_NS\n");
		return 64;
	}
	host = (int64_t)strtoull(argv[1], &end, 10);
	if (*end != '\0' || host <= 0) {
		printf("FAIL: bad host time '%s'\n", argv[1]);
		return 64;
	}
	wall0 = (int64_t)mg_plat_clock_wall();
	mono0 = (int64_t)mg_now_ns();
	skew = wall0 - host;
	printf("wall clock - host clock at start: %lld us\n", (long long)(skew / 1000));
	if (skew < -1000 * MS || skew > 1000 * MS) {
		printf("FAIL: the wall clock is more than 1 s off the host's\n");
		return 1;
	}
	mg_sleep_ns(SLEEP_NS);
	mono1 = (int64_t)mg_now_ns();
	wall1 = (int64_t)mg_plat_clock_wall();
	drift = (mono1 - mono0) - (wall1 - wall0);
	printf("over the sleep: monotonic %lld us, wall %lld us\n",
	       (long long)((mono1 - mono0) / 1000), (long long)((wall1 - wall0) / 1000));
	if (mono1 - mono0 < SLEEP_NS) {
		printf("FAIL: monotonic clock advanced less than the sleep\n");
		return 1;
	}
	if (drift < -10 * MS || drift > 10 * MS) {
		printf("FAIL: monotonic and wall clocks disagree by %lld us\n",
		       (long long)(drift / 1000));
		return 1;
	}
	printf("clocks agree with the host\n");
	return 0;
}
