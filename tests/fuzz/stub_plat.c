/* SPDX-License-Identifier: ISC */
/*
 * stub_plat.c -- the least of the platform ABI (morgana/plat.h) the runtime and the
 * network stack need inside a libFuzzer target: a clock the harness moves itself
 * (fuzz_clock_ns), a console that swallows, and no devices (the harness brings its own
 * driver). Linked into the targets that drive the whole stack.
 */
#include <stdlib.h>

#include <morgana/plat.h>

#include "fuzz.h"

uint64_t fuzz_clock_ns = 1000000000ull;

void
mg_plat_console_write(const char *buf, size_t len)
{
	(void)buf;
	(void)len;
}

uint64_t
mg_plat_clock_monotonic(void)
{
	return fuzz_clock_ns;
}

uint64_t
mg_plat_clock_wall(void)
{
	return fuzz_clock_ns;
}

void
mg_plat_yield(uint64_t deadline_ns, mg_plat_handle_set *ready)
{
	(void)deadline_ns;
	*ready = 0;
}

_Noreturn void
mg_plat_exit(int status)
{
	(void)status;
	abort();
}

_Noreturn void
mg_plat_abort(void)
{
	abort();
}
