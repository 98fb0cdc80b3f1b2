/* SPDX-License-Identifier: ISC */
/*
 * hello -- the first unikernel: greets, echoes its arguments, then starts four fibers that
 * sleep for different times and report as they wake. Run it with
 *
 *	morgana run -t unix examples/hello -- a b
 */
#include <stdint.h>
#include <stdio.h>

#include <morgana/fiber.h>
#include <morgana/runtime.h>

#define MS (1000ull * 1000)

struct sleeper {
	const char *name;
	uint64_t sleep_ns;
};

static int
sleeper_run(void *arg)
{
	const struct sleeper *s = arg;
	uint64_t start = mg_now_ns();

	mg_sleep_ns(s->sleep_ns);
	printf("fiber %s woke after %llu ms\n", s->name,
	       (unsigned long long)((mg_now_ns() - start) / MS));
	return 0;
}

int
main(int argc, char **argv)
{
	/* Spawned longest first, so the wake-up order shows the timers at work. */
	static struct sleeper sleepers[] = {
		{ "d", 40 * MS }, { "c", 30 * MS }, { "b", 20 * MS }, { "a", 10 * MS },
	};
	struct mg_fiber *fibers[4];

	printf("Hello from Morgana\n");
	for (int i = 1; i < argc; i++)
		printf("argv[%d] = %s\n", i, argv[i]);

	for (int i = 0; i < 4; i++) {
		fibers[i] = mg_fiber_spawn(sleepers[i].name, sleeper_run, &sleepers[i], 0);
		if (fibers[i] == NULL) {
			printf("hello: out of memory for fiber %s\n", sleepers[i].name);
			return 1;
		}
	}
	for (int i = 0; i < 4; i++)
		mg_fiber_join(fibers[i], NULL);
	printf("all fibers done\n");
	return 0;
}
