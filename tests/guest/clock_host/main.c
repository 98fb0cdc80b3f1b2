/* SPDX-License-Identifier: ISC */
/*
 * Property: the clocks agree with the host's. The wall clock is at most 1 s behind the
 * host's wall clock (argv[1], in ns since the epoch, read by the test runner just before
 * the start) and at most 5 s ahead (the start itself, on a busy host), and across a 200 ms
 * sleep the monotonic clock advances as much as the wall clock does, within 10 ms (TSC
 * frequency and scaling right).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <morgana/fiber.h>
#include <morgana/plat.h>
#include <morgana/runtime.h>

#define MS 1000000ll
#define SLEEP_NS (200 * MS)
/* The two clocks are read between two monotonic readings at most this far apart, so that
 * the host taking the CPU away between the readings does not count as drift. */
#define PAIR_SPAN_NS (1 * MS)
#define PAIR_TRIES 100

/* Reads both clocks at (nearly) one instant: the monotonic time is the middle of two
 * readings around the wall clock's. */
static void
read_clocks(int64_t *mono, int64_t *wall)
{
	for (int try = 0; try < PAIR_TRIES; try++) {
		int64_t before = (int64_t)mg_now_ns();
		*wall = (int64_t)mg_plat_clock_wall();
		int64_t after = (int64_t)mg_now_ns();
		*mono = before + (after - before) / 2;
		if (after - before <= PAIR_SPAN_NS)
			return;
	}
}

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
	read_clocks(&mono0, &wall0);
	skew = wall0 - host;
	printf("wall clock - host clock at start: %lld us\n", (long long)(skew / 1000));
	if (skew < -1000 * MS || skew > 5000 * MS) {
		printf("FAIL: the wall clock is more than 1 s behind or 5 s ahead of the host's\n");
		return 1;
	}
	mg_sleep_ns(SLEEP_NS);
	read_clocks(&mono1, &wall1);
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
