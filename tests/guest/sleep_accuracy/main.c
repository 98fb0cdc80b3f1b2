/* SPDX-License-Identifier: ISC */
/* Property: a sleep never ends early and ends soon after its deadline, for sleeps from a
 * microsecond to 50 ms, both in main and in several fibers at once. */
#include <stdint.h>
#include <stdio.h>

#include <morgana/fiber.h>
#include <morgana/runtime.h>

/* Generous: the test also runs under valgrind on a loaded 2-core machine. */
#define LATE_LIMIT_NS (40ull * 1000 * 1000)
/* A sleep may end late because the host did not run us (CI once saw 76 ms for 100 us on a
 * busy machine); a late sleep is tried again and fails only if it is late every time. A
 * timer that is really late -- a lost wake-up, a deadline rounded up -- is late each try. */
#define LATE_TRIES 4

static uint64_t durations_ns[] = { 1000, 100000, 1000000, 5000000, 20000000, 50000000 };
#define N_DURATIONS (sizeof(durations_ns) / sizeof(durations_ns[0]))

static int
check_sleep(uint64_t ns)
{
	for (int try = 1; try <= LATE_TRIES; try++) {
		uint64_t start = mg_now_ns();
		mg_sleep_ns(ns);
		uint64_t took = mg_now_ns() - start;
		if (took < ns) {
			printf("FAIL: sleep of %llu ns woke after %llu ns\n",
			       (unsigned long long)ns, (unsigned long long)took);
			return 1;
		}
		if (took <= ns + LATE_LIMIT_NS)
			return 0;
		printf("# sleep of %llu ns took %llu ns (try %d of %d)\n", (unsigned long long)ns,
		       (unsigned long long)took, try, LATE_TRIES);
	}
	printf("FAIL: sleep of %llu ns was late %d times in a row\n", (unsigned long long)ns,
	       LATE_TRIES);
	return 1;
}

static int
sleeper(void *arg)
{
	return check_sleep(*(const uint64_t *)arg);
}

int
main(int argc, char **argv)
{
	struct mg_fiber *fibers[N_DURATIONS];
	int failures = 0;

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < N_DURATIONS; i++)
		failures += check_sleep(durations_ns[i]);
	for (size_t i = 0; i < N_DURATIONS; i++) {
		fibers[i] = mg_fiber_spawn("sleeper", sleeper, &durations_ns[i], 0);
		if (fibers[i] == NULL)
			return 1;
	}
	for (size_t i = 0; i < N_DURATIONS; i++) {
		int status;
		if (mg_fiber_join(fibers[i], &status) != 0)
			return 1;
		failures += status;
	}
	if (failures == 0)
		printf("sleep ok\n");
	return failures != 0;
}
