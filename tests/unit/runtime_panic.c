/* SPDX-License-Identifier: ISC */
/*
 * runtime_panic.c -- panics: the message, where it happened, a backtrace; and the
 * runtime's own panics (stack canary, blocking outside a fiber).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/fiber.h>
#include <morgana/panic.h>
#include <morgana/runtime.h>
#include <morgana/timer.h>

#include "../../runtime/internal.h"
#include "fake_plat.h"

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

/* Frames listed in the backtrace: lines "  #N 0x...". */
static int
count_frames(const char *out)
{
	const char *bt = strstr(out, "backtrace:\n");
	int n = 0;

	if (bt == NULL)
		return -1;
	for (const char *p = bt; (p = strstr(p, "\n  #")) != NULL; p++)
		n++;
	return n;
}

static void deep(int depth);
/* Through a volatile pointer: a real call per level, and no "infinite recursion" alarm
 * (every path ends in a panic). */
static void (*volatile deep_next)(int) = deep;

static __attribute__((noinline)) void
deep(int depth)
{
	if (depth == 0)
		mg_panic("boom %d", 7);
	deep_next(depth - 1);
	__asm__ volatile("");	/* not a tail call: keep each frame */
}

static int
panic_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	deep(5);
	return 0;
}

static void
panic_prints_the_message_the_fiber_and_a_backtrace_then_aborts(void **state)
{
	const char *out;

	(void)state;
	assert_int_equal(fake_run(panic_main, ""), FAKE_ABORTED);
	out = fake_console();
	assert_memory_equal(out, "PANIC: boom 7\nin fiber 'main' (id 1)\nbacktrace:\n", 48);
	/* deep x6, panic_main, main_fiber, fiber_entry; the walk ends at the stack's top. */
	assert_in_range(count_frames(out), 8, MG_PANIC_MAX_FRAMES);
}

static struct mg_timer bad_timer;

static void
yields_in_a_callback(void *arg)
{
	(void)arg;
	mg_fiber_yield();
}

static int
callback_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mg_timer_init(&bad_timer, yields_in_a_callback, NULL);
	mg_timer_arm(&bad_timer, 0);
	mg_sleep_ns(1000);
	return 0;
}

static void
blocking_outside_a_fiber_panics_in_the_loop_with_a_backtrace(void **state)
{
	const char *out;

	(void)state;
	assert_int_equal(fake_run(callback_main, ""), FAKE_ABORTED);
	out = fake_console();
	assert_non_null(strstr(out, "PANIC: mg_fiber_yield called outside a fiber"));
	assert_non_null(strstr(out, "in the scheduler loop\n"));
	assert_true(count_frames(out) >= 2);
}

static int
smasher(void *arg)
{
	uintptr_t lo, hi;

	(void)arg;
	if (!mg_rt_stack_bounds(&lo, &hi))
		return 1;
	/* What a deep recursion would do: write into the bottom of the stack. */
	*(volatile char *)lo = 0;
	mg_fiber_yield();
	return 0;
}

static int
overflow_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return mg_fiber_join(mg_fiber_spawn("smasher", smasher, NULL, 0), NULL);
}

static void
a_fiber_that_writes_into_its_stack_canary_panics_by_name(void **state)
{
	(void)state;
	assert_int_equal(fake_run(overflow_main, ""), FAKE_ABORTED);
	assert_non_null(strstr(fake_console(),
			       "PANIC: fiber 'smasher' (id 2) overflowed its 65536-byte stack"));
}

static int
exit_in_panic_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mg_panic("first");
}

static void
the_runtime_starts_cleanly_after_a_panic(void **state)
{
	(void)state;
	assert_int_equal(fake_run(exit_in_panic_main, ""), FAKE_ABORTED);
	fake_console_clear();
	/* The recursion guard was re-armed: a second panic prints in full. */
	assert_int_equal(fake_run(exit_in_panic_main, ""), FAKE_ABORTED);
	assert_non_null(strstr(fake_console(), "PANIC: first\n"));
	assert_null(strstr(fake_console(), "again"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(
			panic_prints_the_message_the_fiber_and_a_backtrace_then_aborts, setup),
		cmocka_unit_test_setup(blocking_outside_a_fiber_panics_in_the_loop_with_a_backtrace,
				       setup),
		cmocka_unit_test_setup(a_fiber_that_writes_into_its_stack_canary_panics_by_name,
				       setup),
		cmocka_unit_test_setup(the_runtime_starts_cleanly_after_a_panic, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
