/* SPDX-License-Identifier: ISC */
/*
 * fake_plat.h -- a platform for unit tests of the runtime.
 *
 * The clock is a variable that only mg_plat_yield() moves (to the deadline, or to the
 * time of the next scripted input), so tests of sleeps and timers are exact and instant.
 * Console output is captured. mg_plat_exit() and mg_plat_abort() jump back into
 * fake_run(), so a test can start the runtime as often as it likes.
 */
#ifndef FAKE_PLAT_H
#define FAKE_PLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/plat.h>

#define FAKE_CLOCK_START	1000000000ull	/* the clock at fake_reset() */
#define FAKE_ABORTED		(-1000)		/* fake_run(): mg_plat_abort() was called */
#define FAKE_STUCK		(-1001)		/* fake_run(): yield forever, nothing to come */
#define FAKE_MAX_INPUTS		64

extern uint64_t fake_clock_ns;
extern size_t fake_yield_calls;
extern uint64_t fake_last_deadline;
/* Called at the start of every mg_plat_yield(), with its deadline. */
extern void (*fake_yield_hook)(uint64_t deadline_ns);

/* Clock back to FAKE_CLOCK_START, console and inputs emptied, hook cleared. */
void fake_reset(void);

/* Report handle h ready once, at the first mg_plat_yield() that reaches at_ns. */
void fake_input_at(uint64_t at_ns, mg_plat_handle h);

/* Start the runtime with app_main and cmdline; returns the exit status, FAKE_ABORTED or
 * FAKE_STUCK. The boot seed is fixed; the app name is "test-app". */
int fake_run(int (*app_main)(int argc, char **argv), const char *cmdline);

/* Everything written to the console since fake_reset(), NUL-terminated. */
const char *fake_console(void);
size_t fake_console_len(void);
void fake_console_clear(void);

#endif /* FAKE_PLAT_H */
