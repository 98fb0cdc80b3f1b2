/* SPDX-License-Identifier: ISC */
/*
 * runtime_fiber.c -- fibers: ordering, join, detach, sleep and wait queues, on the fake
 * platform (exact clock). Also the binary valgrind checks, so it is fiber-heavy.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/fiber.h>
#include <morgana/random.h>
#include <morgana/runtime.h>

#include "fake_plat.h"

#define MS 1000000ull

static char order[256];
static size_t order_len;

static void
note(char c)
{
	if (order_len < sizeof(order) - 1)
		order[order_len++] = c;
	order[order_len] = '\0';
}

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	order_len = 0;
	order[0] = '\0';
	return 0;
}

/* --- ordering -------------------------------------------------------------------------- */

static int
note_arg(void *arg)
{
	note(*(const char *)arg);
	return 0;
}

static int
spawn_order_main(int argc, char **argv)
{
	static char tags[] = "abcdef";
	struct mg_fiber *f[6];

	(void)argc;
	(void)argv;
	for (int i = 0; i < 6; i++)
		f[i] = mg_fiber_spawn("t", note_arg, (void *)&tags[i], 0);
	note('M');	/* spawned fibers have not run yet */
	for (int i = 0; i < 6; i++)
		if (mg_fiber_join(f[i], NULL) != 0)
			return 1;
	note('M');
	return 0;
}

static void
spawned_fibers_run_in_spawn_order_after_the_caller_blocks(void **state)
{
	(void)state;
	assert_int_equal(fake_run(spawn_order_main, ""), 0);
	assert_string_equal(order, "MabcdefM");
}

static int
yielder(void *arg)
{
	for (int i = 0; i < 3; i++) {
		note(*(const char *)arg);
		mg_fiber_yield();
	}
	return *(const char *)arg;
}

static int
yield_main(int argc, char **argv)
{
	static char tags[] = "abc";
	struct mg_fiber *f[3];

	(void)argc;
	(void)argv;
	for (int i = 0; i < 3; i++)
		f[i] = mg_fiber_spawn("y", yielder, (void *)&tags[i], 0);
	note('M');
	mg_fiber_yield();
	note('M');
	for (int i = 0; i < 3; i++) {
		int status = -1;

		if (mg_fiber_join(f[i], &status) != 0 || status != tags[i])
			return 10 + i;
	}
	return 0;
}

static void
yield_lets_every_ready_fiber_run_once_fifo(void **state)
{
	(void)state;
	assert_int_equal(fake_run(yield_main, ""), 0);
	assert_string_equal(order, "MabcMabcabc");
}

/* --- join, exit, detach ---------------------------------------------------------------- */

static int
exits_early(void *arg)
{
	(void)arg;
	mg_fiber_exit(77);
}

static int
returns_arg(void *arg)
{
	mg_fiber_yield();
	return (int)(intptr_t)arg;
}

static int
join_main(int argc, char **argv)
{
	struct mg_fiber *a = mg_fiber_spawn("a", returns_arg, (void *)(intptr_t)-5, 0);
	struct mg_fiber *b = mg_fiber_spawn("b", exits_early, NULL, 0);
	int sa = 0, sb = 0;

	(void)argc;
	(void)argv;
	if (a == NULL || b == NULL)
		return 1;
	mg_fiber_yield();	/* b finishes before it is joined */
	if (mg_fiber_join(b, &sb) != 0 || sb != 77)
		return 2;
	if (mg_fiber_join(a, &sa) != 0 || sa != -5)
		return 3;
	return 0;
}

static void
join_returns_the_status_of_return_and_of_exit(void **state)
{
	(void)state;
	assert_int_equal(fake_run(join_main, ""), 0);
}

static struct mg_fiber *join_target;
static int second_join_result;

static int
second_joiner(void *arg)
{
	(void)arg;
	second_join_result = mg_fiber_join(join_target, NULL);
	return 0;
}

static int
sleeps_1ms(void *arg)
{
	(void)arg;
	mg_sleep_ns(MS);
	return 0;
}

static int
join_errors_main(int argc, char **argv)
{
	struct mg_fiber *other;

	(void)argc;
	(void)argv;
	if (mg_fiber_join(mg_fiber_self(), NULL) != -EDEADLK)
		return 1;
	if (mg_fiber_join(NULL, NULL) != -EINVAL)
		return 2;
	join_target = mg_fiber_spawn("target", sleeps_1ms, NULL, 0);
	other = mg_fiber_spawn("second", second_joiner, NULL, 0);
	mg_fiber_yield();	/* target sleeps, `other` starts joining it */
	if (mg_fiber_join(join_target, NULL) != -EINVAL)
		return 4;	/* a second joiner is refused */
	return mg_fiber_join(other, NULL) == 0 && second_join_result == 0 ? 0 : 5;
}

static void
join_refuses_self_null_and_a_second_joiner(void **state)
{
	(void)state;
	assert_int_equal(fake_run(join_errors_main, ""), 0);
}

static int
main_is_not_joinable_worker(void *arg)
{
	return mg_fiber_join(arg, NULL) == -EINVAL ? 0 : 1;
}

static int
main_join_main(int argc, char **argv)
{
	struct mg_fiber *f = mg_fiber_spawn("w", main_is_not_joinable_worker, mg_fiber_self(), 0);
	int status = -1;

	(void)argc;
	(void)argv;
	mg_fiber_detach(mg_fiber_self());	/* a no-op */
	return mg_fiber_join(f, &status) == 0 ? status : 9;
}

static void
main_cannot_be_joined_or_detached(void **state)
{
	(void)state;
	assert_int_equal(fake_run(main_join_main, ""), 0);
}

static int detached_ran;

static int
detached_body(void *arg)
{
	(void)arg;
	mg_sleep_ns(MS);
	detached_ran++;
	return 0;
}

static int
detach_main(int argc, char **argv)
{
	struct mg_fiber *done = mg_fiber_spawn("quick", note_arg, "q", 0);

	(void)argc;
	(void)argv;
	mg_fiber_yield();
	mg_fiber_detach(done);	/* already finished: freed now */
	for (int i = 0; i < 50; i++)
		mg_fiber_detach(mg_fiber_spawn("later", detached_body, NULL, 0));
	mg_sleep_ns(2 * MS);
	return detached_ran;
}

static void
detached_fibers_run_to_the_end_and_are_freed(void **state)
{
	(void)state;
	detached_ran = 0;
	/* Leaks would be reported by LeakSanitizer and valgrind. */
	assert_int_equal(fake_run(detach_main, ""), 50);
	assert_string_equal(order, "q");
}

static int
ids_main(int argc, char **argv)
{
	struct mg_fiber *self = mg_fiber_self(), *f;
	char longname[100];

	(void)argc;
	(void)argv;
	if (mg_fiber_id(self) != 1 || strcmp(mg_fiber_name(self), "main") != 0)
		return 1;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	f = mg_fiber_spawn(longname, note_arg, "i", 0);
	if (mg_fiber_id(f) != 2 || strlen(mg_fiber_name(f)) != MG_FIBER_NAME_MAX - 1)
		return 2;
	if (mg_fiber_spawn("huge", note_arg, "h", (size_t)MG_FIBER_MAX_STACK + 1) != NULL)
		return 3;
	if (mg_fiber_spawn("nofn", NULL, NULL, 0) != NULL)
		return 4;
	return mg_fiber_join(f, NULL);
}

static void
main_is_fiber_one_and_names_are_copied_and_bounded(void **state)
{
	(void)state;
	assert_int_equal(fake_run(ids_main, ""), 0);
}

/* --- sleep ----------------------------------------------------------------------------- */

#define SLEEPERS 200

static struct sleeper {
	uint64_t deadline;
	uint64_t woke;
	int rank;
} sleepers[SLEEPERS];
static int wake_rank;

static int
sleeper_body(void *arg)
{
	struct sleeper *s = arg;

	mg_sleep_until(s->deadline);
	s->woke = mg_now_ns();
	s->rank = wake_rank++;
	return 0;
}

static int
sleep_order_main(int argc, char **argv)
{
	struct mg_fiber *f[SLEEPERS];
	struct mg_rng rng;
	uint8_t seed[32] = { 42 };

	(void)argc;
	(void)argv;
	mg_rng_init(&rng, seed);
	wake_rank = 0;
	for (int i = 0; i < SLEEPERS; i++) {
		/* Few distinct deadlines, so ties are common. */
		sleepers[i].deadline = mg_now_ns() + MS * mg_rng_below(&rng, 50);
		f[i] = mg_fiber_spawn("sleeper", sleeper_body, &sleepers[i], 16 * 1024);
		if (f[i] == NULL)
			return 1;
	}
	for (int i = 0; i < SLEEPERS; i++)
		mg_fiber_join(f[i], NULL);
	return 0;
}

static void
sleepers_wake_in_deadline_order_and_never_early(void **state)
{
	(void)state;
	assert_int_equal(fake_run(sleep_order_main, ""), 0);
	for (int i = 0; i < SLEEPERS; i++) {
		/* The fake clock moves exactly to each deadline. */
		assert_int_equal(sleepers[i].woke, sleepers[i].deadline);
		for (int j = 0; j < SLEEPERS; j++) {
			if (sleepers[j].deadline < sleepers[i].deadline ||
			    (sleepers[j].deadline == sleepers[i].deadline && j < i))
				assert_true(sleepers[j].rank < sleepers[i].rank);
		}
	}
}

static int
zero_sleep_main(int argc, char **argv)
{
	struct mg_fiber *f = mg_fiber_spawn("t", note_arg, "t", 0);
	uint64_t before = mg_now_ns();

	(void)argc;
	(void)argv;
	mg_sleep_ns(0);		/* lets t run, takes no time */
	note('M');
	mg_sleep_until(before - 1);
	if (mg_now_ns() != before)
		return 1;
	return mg_fiber_join(f, NULL);
}

static void
a_sleep_in_the_past_lets_others_run_and_returns(void **state)
{
	(void)state;
	assert_int_equal(fake_run(zero_sleep_main, ""), 0);
	assert_string_equal(order, "tM");
}

/* --- wait queues ----------------------------------------------------------------------- */

static struct mg_waitq wq;
static int woken_count;

static int
waiter(void *arg)
{
	int err = mg_waitq_wait(&wq, MG_FOREVER);

	note(*(const char *)arg);
	if (err == 0)
		woken_count++;
	return err;
}

static int
waitq_main(int argc, char **argv)
{
	static char tags[] = "abcd";
	struct mg_fiber *f[4];

	(void)argc;
	(void)argv;
	mg_waitq_init(&wq);
	woken_count = 0;
	if (mg_waitq_wake_one(&wq))
		return 1;	/* nobody waits yet */
	for (int i = 0; i < 4; i++)
		f[i] = mg_fiber_spawn("w", waiter, (void *)&tags[i], 0);
	mg_fiber_yield();	/* all four wait now */
	if (mg_waitq_empty(&wq) || !mg_waitq_wake_one(&wq))
		return 2;
	mg_fiber_yield();
	note('M');
	mg_waitq_wake_all(&wq);
	if (!mg_waitq_empty(&wq))
		return 3;
	for (int i = 0; i < 4; i++)
		if (mg_fiber_join(f[i], NULL) != 0)
			return 4;
	return woken_count;
}

static void
waitq_wakes_one_in_fifo_order_then_all(void **state)
{
	(void)state;
	assert_int_equal(fake_run(waitq_main, ""), 4);
	assert_string_equal(order, "aMbcd");
}

static int
waker(void *arg)
{
	mg_sleep_ns(3 * MS);
	mg_waitq_wake_one(arg);
	return 0;
}

static int
timeout_main(int argc, char **argv)
{
	struct mg_waitq q;
	uint64_t t0 = mg_now_ns();
	struct mg_fiber *w;

	(void)argc;
	(void)argv;
	mg_waitq_init(&q);
	/* Nobody wakes: times out exactly at the deadline. */
	if (mg_waitq_wait(&q, t0 + 5 * MS) != -ETIMEDOUT || mg_now_ns() != t0 + 5 * MS)
		return 1;
	if (!mg_waitq_empty(&q))
		return 2;
	/* A deadline already passed: no blocking at all. */
	if (mg_waitq_wait(&q, t0) != -ETIMEDOUT || mg_now_ns() != t0 + 5 * MS)
		return 3;
	/* Woken before the deadline: 0, and the timeout must not fire later. */
	w = mg_fiber_spawn("waker", waker, &q, 0);
	t0 = mg_now_ns();
	if (mg_waitq_wait(&q, t0 + 10 * MS) != 0 || mg_now_ns() != t0 + 3 * MS)
		return 4;
	if (mg_fiber_join(w, NULL) != 0)
		return 5;
	mg_sleep_ns(20 * MS);	/* a stale timeout would wake this sleep early */
	if (mg_now_ns() != t0 + 23 * MS)
		return 6;
	return 0;
}

static void
waitq_wait_times_out_at_the_deadline_or_returns_when_woken(void **state)
{
	(void)state;
	assert_int_equal(fake_run(timeout_main, ""), 0);
}

/* --- many fibers, for valgrind and ASan ------------------------------------------------ */

#define CROWD 300

static struct mg_waitq crowd_q;
static int crowd_done;

static int
crowd_member(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	char scratch[512];

	memset(scratch, (int)i, sizeof(scratch));
	for (int round = 0; round < 5; round++) {
		mg_fiber_yield();
		if (i % 3 == 0)
			mg_sleep_ns((i % 7) * 100000);
		else if (mg_waitq_wait(&crowd_q, mg_now_ns() + (i % 5) * 100000) == 0)
			scratch[round] ^= 1;
		mg_waitq_wake_one(&crowd_q);
	}
	crowd_done++;
	return scratch[100] == (char)i ? 0 : 1;
}

static int
crowd_main(int argc, char **argv)
{
	struct mg_fiber *f[CROWD];
	int bad = 0;

	(void)argc;
	(void)argv;
	mg_waitq_init(&crowd_q);
	crowd_done = 0;
	for (uintptr_t i = 0; i < CROWD; i++)
		if ((f[i] = mg_fiber_spawn("crowd", crowd_member, (void *)i, 0)) == NULL)
			return -1;
	for (int i = 0; i < CROWD; i++) {
		int status = 1;

		mg_fiber_join(f[i], &status);
		bad += status;
	}
	return bad == 0 && crowd_done == CROWD ? 0 : 1;
}

static void
hundreds_of_fibers_sleep_wait_and_finish_cleanly(void **state)
{
	(void)state;
	assert_int_equal(fake_run(crowd_main, ""), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(spawned_fibers_run_in_spawn_order_after_the_caller_blocks,
				       setup),
		cmocka_unit_test_setup(yield_lets_every_ready_fiber_run_once_fifo, setup),
		cmocka_unit_test_setup(join_returns_the_status_of_return_and_of_exit, setup),
		cmocka_unit_test_setup(join_refuses_self_null_and_a_second_joiner, setup),
		cmocka_unit_test_setup(main_cannot_be_joined_or_detached, setup),
		cmocka_unit_test_setup(detached_fibers_run_to_the_end_and_are_freed, setup),
		cmocka_unit_test_setup(main_is_fiber_one_and_names_are_copied_and_bounded, setup),
		cmocka_unit_test_setup(sleepers_wake_in_deadline_order_and_never_early, setup),
		cmocka_unit_test_setup(a_sleep_in_the_past_lets_others_run_and_returns, setup),
		cmocka_unit_test_setup(waitq_wakes_one_in_fifo_order_then_all, setup),
		cmocka_unit_test_setup(waitq_wait_times_out_at_the_deadline_or_returns_when_woken,
				       setup),
		cmocka_unit_test_setup(hundreds_of_fibers_sleep_wait_and_finish_cleanly, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
