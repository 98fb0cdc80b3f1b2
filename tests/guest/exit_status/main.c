/* SPDX-License-Identifier: ISC */
/* Property: the status main returns is the unikernel's exit status, even while other
 * fibers are still sleeping. */
#include <stddef.h>

#include <morgana/fiber.h>

static int
sleeper(void *arg)
{
	(void)arg;
	mg_sleep_ns(60ull * 1000 * 1000 * 1000);
	return 1;
}

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (mg_fiber_spawn("sleeper", sleeper, NULL, 0) == NULL)
		return 1;
	mg_fiber_yield();
	return 42;
}
