/* SPDX-License-Identifier: ISC */
/*
 * runtime_loop.c -- mg_runtime_start() and the event loop: exit status, argv and runtime
 * flags, input dispatch, flush hooks, yield deadlines and deadlock detection.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/fiber.h>
#include <morgana/log.h>
#include <morgana/random.h>
#include <morgana/runtime.h>

#include "fake_plat.h"

#define MS 1000000ull

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* --- exit status ----------------------------------------------------------------------- */

static int
long_sleeper(void *arg)
{
	(void)arg;
	mg_sleep_ns(60000 * MS);
	return 1;
}

static int
status_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	mg_fiber_spawn("sleeper", long_sleeper, NULL, 0);
	mg_fiber_yield();
	return 42;
}

static void
mains_status_is_the_exit_status_while_others_still_sleep(void **state)
{
	(void)state;
	assert_int_equal(fake_run(status_main, ""), 42);
	assert_true(fake_clock_ns < FAKE_CLOCK_START + 60000 * MS);
}

/* --- argv and runtime flags ------------------------------------------------------------ */

static char seen[16][64];
static int seen_argc;

static int
argv_main(int argc, char **argv)
{
	seen_argc = argc;
	for (int i = 0; i < argc && i < 16; i++)
		snprintf(seen[i], sizeof(seen[i]), "%s", argv[i]);
	return argv[argc] == NULL ? 0 : 1;
}

static void
argv0_is_the_app_name_and_words_follow_the_quoting_rules(void **state)
{
	(void)state;
	assert_int_equal(fake_run(argv_main, "one \"two words\" '' \"it's\" 'back\\slash'"), 0);
	assert_int_equal(seen_argc, 6);
	assert_string_equal(seen[0], "test-app");
	assert_string_equal(seen[1], "one");
	assert_string_equal(seen[2], "two words");
	assert_string_equal(seen[3], "");
	assert_string_equal(seen[4], "it's");
	assert_string_equal(seen[5], "back\\slash");
}

MG_LOG_SOURCE(flag_log, "flagtest");

static int
flags_main(int argc, char **argv)
{
	int bad = argv_main(argc, argv);

	return bad != 0 ? -1 : mg_log_enabled(&flag_log, MG_LOG_DEBUG);
}

static void
runtime_flags_are_applied_and_removed_up_to_a_double_dash(void **state)
{
	(void)state;
	assert_int_equal(fake_run(flags_main,
				  "-l warn a -lflagtest:debug b --logs=other:error -- -l x"),
			 1);
	assert_int_equal(seen_argc, 6);
	assert_string_equal(seen[1], "a");
	assert_string_equal(seen[2], "b");
	assert_string_equal(seen[3], "--");
	assert_string_equal(seen[4], "-l");
	assert_string_equal(seen[5], "x");
	/* The next start begins with the default levels again. */
	assert_int_equal(fake_run(flags_main, ""), 0);
}

static void
a_bad_log_spec_exits_64_with_one_line(void **state)
{
	(void)state;
	assert_int_equal(fake_run(argv_main, "-l loud"), 64);
	assert_int_equal(count_lines(fake_console()), 1);
	assert_non_null(strstr(fake_console(), "test-app: bad log spec 'loud'"));
	fake_console_clear();
	assert_int_equal(fake_run(argv_main, "a -l"), 64);
	assert_int_equal(count_lines(fake_console()), 1);
	assert_non_null(strstr(fake_console(), "-l needs a log spec"));
}

static void
an_unterminated_quote_exits_64_with_one_line(void **state)
{
	(void)state;
	assert_int_equal(fake_run(argv_main, "a 'b"), 64);
	assert_int_equal(count_lines(fake_console()), 1);
	assert_non_null(strstr(fake_console(), "unterminated quote"));
}

/* --- input dispatch ---------------------------------------------------------------------- */

static struct mg_waitq input_q;
static int input_calls[MG_PLAT_HANDLE_MAX];

static void
on_input(void *arg)
{
	input_calls[(uintptr_t)arg]++;
	mg_waitq_wake_all(&input_q);
}

static int
input_main(int argc, char **argv)
{
	uint64_t t0 = mg_now_ns();

	(void)argc;
	(void)argv;
	memset(input_calls, 0, sizeof(input_calls));
	mg_waitq_init(&input_q);
	if (mg_runtime_watch(MG_PLAT_HANDLE_MAX, on_input, NULL) != -EINVAL ||
	    mg_runtime_watch(3, NULL, NULL) != -EINVAL)
		return 1;
	if (mg_runtime_watch(3, on_input, (void *)3) != 0 ||
	    mg_runtime_watch(3, on_input, (void *)3) != -EBUSY ||
	    mg_runtime_watch(63, on_input, (void *)63) != 0)
		return 2;
	fake_input_at(t0 + 5 * MS, 3);
	fake_input_at(t0 + 6 * MS, 7);	/* not watched: ignored */
	fake_input_at(t0 + 8 * MS, 63);
	/* Nothing else can wake main: only the watched handles keep this from a deadlock. */
	if (mg_waitq_wait(&input_q, MG_FOREVER) != 0 || mg_now_ns() != t0 + 5 * MS)
		return 3;
	if (mg_waitq_wait(&input_q, MG_FOREVER) != 0 || mg_now_ns() != t0 + 8 * MS)
		return 4;
	mg_runtime_unwatch(3);
	mg_runtime_unwatch(3);
	mg_runtime_unwatch(63);
	fake_input_at(t0 + 9 * MS, 3);
	mg_sleep_ns(5 * MS);
	return input_calls[3] == 1 && input_calls[63] == 1 && input_calls[7] == 0 ? 0 : 5;
}

static void
a_watched_handles_callback_runs_when_the_platform_reports_it_ready(void **state)
{
	(void)state;
	assert_int_equal(fake_run(input_main, ""), 0);
}

/* --- flush hooks and yield deadlines ----------------------------------------------------- */

static struct mg_runtime_hook hook_a, hook_b;
static int flushes_since_yield, flushes_total, hooks_missed;
static char hook_order[8];
static size_t hook_order_len;

static void
flush(void *arg)
{
	flushes_since_yield++;
	flushes_total++;
	if (hook_order_len < sizeof(hook_order) - 1)
		hook_order[hook_order_len++] = *(const char *)arg;
}

static void
check_flushed(uint64_t deadline)
{
	(void)deadline;
	if (flushes_since_yield == 0)
		hooks_missed++;
	flushes_since_yield = 0;
}

static void
on_nothing(void *arg)
{
	(void)arg;
}

static int
hooks_main(int argc, char **argv)
{
	static char a = 'a', b = 'b';
	uint64_t t0 = mg_now_ns();
	size_t calls;

	(void)argc;
	(void)argv;
	mg_runtime_add_flush_hook(&hook_a, flush, &a);
	mg_runtime_add_flush_hook(&hook_b, flush, &b);
	mg_sleep_ns(3 * MS);
	if (fake_last_deadline != t0 + 3 * MS)
		return 1;	/* blocked exactly until the timer */
	mg_fiber_spawn("t", long_sleeper, NULL, 0);
	calls = fake_yield_calls;
	mg_fiber_yield();
	mg_fiber_yield();
	if (fake_yield_calls != calls)
		return 2;	/* fibers were ready and no input watched: no platform call */
	mg_runtime_watch(5, on_nothing, NULL);
	mg_fiber_yield();
	if (fake_yield_calls != calls + 1 || fake_last_deadline != 0)
		return 3;	/* fibers were ready: input only polled */
	mg_runtime_unwatch(5);
	mg_runtime_remove_flush_hook(&hook_b);
	mg_runtime_remove_flush_hook(&hook_b);
	flushes_total = 0;
	return 0;
}

static void
flush_hooks_run_in_order_before_every_block_and_at_exit_and_busy_passes_skip_the_platform(
	void **state)
{
	(void)state;
	flushes_since_yield = flushes_total = hooks_missed = 0;
	hook_order_len = 0;
	memset(hook_order, 0, sizeof(hook_order));
	fake_yield_hook = check_flushed;
	assert_int_equal(fake_run(hooks_main, ""), 0);
	assert_int_equal(hooks_missed, 0);
	assert_true(fake_yield_calls >= 2);
	assert_memory_equal(hook_order, "abab", 4);
	assert_int_equal(flushes_total, 1);	/* hook a, once more after main returned */
}

/* --- deadlock ---------------------------------------------------------------------------- */

static int
blocked_worker(void *arg)
{
	return mg_waitq_wait(arg, MG_FOREVER);
}

static int
deadlock_main(int argc, char **argv)
{
	struct mg_waitq q;
	struct mg_fiber *f;

	(void)argc;
	(void)argv;
	mg_waitq_init(&q);
	f = mg_fiber_spawn("worker", blocked_worker, &q, 0);
	mg_fiber_join(f, NULL);
	return 0;
}

static void
everything_blocked_forever_panics_with_deadlock(void **state)
{
	(void)state;
	assert_int_equal(fake_run(deadlock_main, ""), FAKE_ABORTED);
	assert_non_null(strstr(fake_console(), "PANIC: deadlock: "));
	assert_non_null(strstr(fake_console(), "main #1 (join)"));
	assert_non_null(strstr(fake_console(), "worker #2 (waitq)"));
}

/* --- boot info, clock, global random ------------------------------------------------------ */

static int
boot_main(int argc, char **argv)
{
	const struct mg_plat_boot_info *info = mg_boot_info();
	uint32_t a, b;

	(void)argc;
	(void)argv;
	if (info == NULL || strcmp(info->manifest->app_name, "test-app") != 0)
		return 1;
	if (mg_now_ns() != fake_clock_ns)
		return 2;
	a = mg_random_u32();
	b = mg_random_u32();
	if (a == b && mg_random_u64() == mg_random_u64())
		return 3;
	for (int i = 0; i < 1000; i++)
		if (mg_random_below(10) >= 10)
			return 4;
	return 0;
}

static void
main_sees_boot_info_the_platform_clock_and_a_seeded_random(void **state)
{
	(void)state;
	assert_int_equal(fake_run(boot_main, ""), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(mains_status_is_the_exit_status_while_others_still_sleep,
				       setup),
		cmocka_unit_test_setup(argv0_is_the_app_name_and_words_follow_the_quoting_rules,
				       setup),
		cmocka_unit_test_setup(runtime_flags_are_applied_and_removed_up_to_a_double_dash,
				       setup),
		cmocka_unit_test_setup(a_bad_log_spec_exits_64_with_one_line, setup),
		cmocka_unit_test_setup(an_unterminated_quote_exits_64_with_one_line, setup),
		cmocka_unit_test_setup(
			a_watched_handles_callback_runs_when_the_platform_reports_it_ready, setup),
		cmocka_unit_test_setup(
			flush_hooks_run_in_order_before_every_block_and_at_exit_and_busy_passes_skip_the_platform,
			setup),
		cmocka_unit_test_setup(everything_blocked_forever_panics_with_deadlock, setup),
		cmocka_unit_test_setup(main_sees_boot_info_the_platform_clock_and_a_seeded_random,
				       setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
