/* SPDX-License-Identifier: ISC */
/*
 * runtime_trace.c -- the trace ring: what the scheduler records, wrapping, and silence
 * when tracing is off.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/fiber.h>
#include <morgana/trace.h>

#include "fake_plat.h"

#define MS 1000000ull

static struct mg_trace_event events[256];

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

static int
napper(void *arg)
{
	(void)arg;
	mg_sleep_ns(MS);
	return 7;
}

static int
traced_main(int argc, char **argv)
{
	struct mg_fiber *f = mg_fiber_spawn("napper", napper, NULL, 0);

	(void)argc;
	(void)argv;
	return mg_fiber_join(f, NULL);
}

static size_t
find(size_t from, size_t n, uint32_t kind, uint32_t fiber, uint64_t arg)
{
	for (size_t i = from; i < n; i++)
		if (events[i].kind == kind && events[i].fiber == fiber && events[i].arg == arg)
			return i;
	fail_msg("no event kind %u fiber %u arg %llu after #%zu", kind, fiber,
		 (unsigned long long)arg, from);
	return n;
}

static void
the_scheduler_records_spawn_switch_block_wake_and_exit_in_order(void **state)
{
	size_t n, i;

	(void)state;
	assert_int_equal(mg_trace_start(256), 0);
	assert_int_equal(fake_run(traced_main, ""), 0);
	mg_trace_stop();
	n = mg_trace_read(events, 256);
	assert_true(n > 0);
	/* main (1) spawns napper (2) and joins it; napper sleeps, wakes, exits with 7. */
	i = find(0, n, MG_TRACE_SPAWN, 1, 0);
	i = find(i, n, MG_TRACE_SWITCH, 1, 0);
	i = find(i, n, MG_TRACE_SPAWN, 2, 1);
	i = find(i, n, MG_TRACE_BLOCK, 1, MG_TRACE_BLOCK_JOIN);
	i = find(i, n, MG_TRACE_SWITCH, 2, 0);
	i = find(i, n, MG_TRACE_BLOCK, 2, MG_TRACE_BLOCK_SLEEP);
	i = find(i, n, MG_TRACE_WAKE, 2, 0);	/* by the timer, from the loop */
	assert_int_equal(events[i].ts_ns, FAKE_CLOCK_START + MS);
	i = find(i, n, MG_TRACE_EXIT, 2, 7);
	i = find(i, n, MG_TRACE_WAKE, 1, 2);	/* the exit wakes the joiner */
	i = find(i, n, MG_TRACE_EXIT, 1, 0);
	for (size_t j = 1; j < n; j++)
		assert_true(events[j].ts_ns >= events[j - 1].ts_ns);
	assert_int_equal(mg_trace_overwritten(), 0);
	assert_int_equal(mg_trace_read(events, 256), 0);	/* reading consumed them */
}

static void
nothing_is_recorded_while_tracing_is_off(void **state)
{
	(void)state;
	assert_int_equal(mg_trace_start(16), 0);
	mg_trace_stop();
	assert_int_equal(fake_run(traced_main, ""), 0);
	mg_trace(MG_TRACE_COUNTER, 1, 2);
	assert_int_equal(mg_trace_read(events, 256), 0);
}

static void
a_full_ring_overwrites_the_oldest_and_counts_them(void **state)
{
	(void)state;
	assert_int_equal(mg_trace_start(4), 0);
	for (uint32_t i = 0; i < 10; i++)
		mg_trace(MG_TRACE_COUNTER, i, 100 + i);
	assert_int_equal(mg_trace_overwritten(), 6);
	assert_int_equal(mg_trace_read(events, 3), 3);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(events[i].kind, MG_TRACE_COUNTER);
		assert_int_equal(events[i].fiber, 6 + i);
		assert_int_equal(events[i].arg, 106 + i);
	}
	mg_trace(MG_TRACE_COUNTER, 10, 110);	/* wraps the write position again */
	assert_int_equal(mg_trace_read(events, 256), 2);
	assert_int_equal(events[0].fiber, 9);
	assert_int_equal(events[1].fiber, 10);
	mg_trace_stop();
}

static void
a_ring_size_out_of_range_is_refused_and_leaves_tracing_off(void **state)
{
	(void)state;
	assert_int_equal(mg_trace_start(0), -EINVAL);
	assert_int_equal(mg_trace_start((size_t)MG_TRACE_MAX_EVENTS + 1), -EINVAL);
	assert_false(mg_trace_on);
	assert_int_equal(mg_trace_start(8), 0);	/* a new ring drops the old one's events */
	mg_trace(MG_TRACE_COUNTER, 1, 1);
	assert_int_equal(mg_trace_start(8), 0);
	assert_int_equal(mg_trace_read(events, 256), 0);
	mg_trace_stop();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(
			the_scheduler_records_spawn_switch_block_wake_and_exit_in_order, setup),
		cmocka_unit_test_setup(nothing_is_recorded_while_tracing_is_off, setup),
		cmocka_unit_test_setup(a_full_ring_overwrites_the_oldest_and_counts_them, setup),
		cmocka_unit_test_setup(a_ring_size_out_of_range_is_refused_and_leaves_tracing_off,
				       setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
