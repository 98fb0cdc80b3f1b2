/* SPDX-License-Identifier: ISC */
/*
 * runtime_timer.c -- timers: arm, cancel, re-arm, and many random timers against a
 * sorted model, both on the heap alone and through the running loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/fiber.h>
#include <morgana/random.h>
#include <morgana/runtime.h>
#include <morgana/timer.h>

#include "../../runtime/internal.h"
#include "fake_plat.h"

#define MS 1000000ull
#define MANY 3000

struct rec {
	struct mg_timer t;
	uint64_t want;		/* the deadline it was last armed for */
	uint64_t seq;		/* model of arming order */
	bool armed;		/* model of armed state */
	uint64_t fired_at;
	int fired;
};

static struct rec recs[MANY];
static int fire_log[MANY * 2];
static size_t fire_count;
static uint64_t model_seq;

static void
record_fire(void *arg)
{
	struct rec *r = arg;

	r->fired++;
	r->fired_at = mg_now_ns();
	if (fire_count < sizeof(fire_log) / sizeof(fire_log[0]))
		fire_log[fire_count++] = (int)(r - recs);
}

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	mg_rt_timers_reset();
	memset(recs, 0, sizeof(recs));
	fire_count = 0;
	model_seq = 0;
	for (int i = 0; i < MANY; i++)
		mg_timer_init(&recs[i].t, record_fire, &recs[i]);
	return 0;
}

static int
by_deadline_then_seq(const void *a, const void *b)
{
	const struct rec *x = &recs[*(const int *)a], *y = &recs[*(const int *)b];

	if (x->want != y->want)
		return x->want < y->want ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Random arms, re-arms and cancels; returns the model's expected firing order. */
static size_t
random_operations(struct mg_rng *rng, uint64_t base, int *expect)
{
	size_t n = 0;

	for (int op = 0; op < MANY * 3; op++) {
		struct rec *r = &recs[mg_rng_below(rng, MANY)];

		if (mg_rng_below(rng, 4) == 0) {
			mg_timer_cancel(&r->t);
			r->armed = false;
		} else {
			r->want = base + MS * mg_rng_below(rng, 100);	/* many ties */
			r->seq = model_seq++;
			r->armed = true;
			mg_timer_arm(&r->t, r->want);
		}
		assert_int_equal(mg_timer_armed(&r->t), r->armed);
	}
	for (int i = 0; i < MANY; i++)
		if (recs[i].armed)
			expect[n++] = i;
	qsort(expect, n, sizeof(*expect), by_deadline_then_seq);
	return n;
}

static void
random_timers_fire_in_deadline_then_arming_order_on_the_heap(void **state)
{
	static int expect[MANY];
	struct mg_rng rng;
	uint8_t seed[32] = { 1, 2, 3 };
	size_t n;
	uint64_t deadline;

	(void)state;
	mg_rng_init(&rng, seed);
	n = random_operations(&rng, 1000, expect);
	/* Step time forward in uneven steps; nothing may fire before its deadline. */
	for (uint64_t now = 0; now <= 1000 + 100 * MS; now += 777777) {
		mg_rt_timers_run(now);
		if (mg_rt_timers_next(&deadline))
			assert_true(deadline > now);
	}
	mg_rt_timers_run(UINT64_MAX);
	assert_false(mg_rt_timers_next(&deadline));
	assert_int_equal(fire_count, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(fire_log[i], expect[i]);
		assert_int_equal(recs[expect[i]].fired, 1);
	}
}

static int loop_expect[MANY];
static size_t loop_expect_n;

static int
random_loop_main(int argc, char **argv)
{
	struct mg_rng rng;
	uint8_t seed[32] = { 9 };

	(void)argc;
	(void)argv;
	mg_rng_init(&rng, seed);
	loop_expect_n = random_operations(&rng, mg_now_ns(), loop_expect);
	mg_sleep_ns(200 * MS);
	return 0;
}

static void
random_timers_fire_in_order_and_on_time_through_the_loop(void **state)
{
	(void)state;
	assert_int_equal(fake_run(random_loop_main, ""), 0);
	assert_int_equal(fire_count, loop_expect_n);
	for (size_t i = 0; i < loop_expect_n; i++) {
		const struct rec *r = &recs[loop_expect[i]];

		assert_int_equal(fire_log[i], loop_expect[i]);
		assert_int_equal(r->fired_at, r->want);	/* the fake clock is exact */
	}
}

static int
arm_cancel_rearm_main(int argc, char **argv)
{
	uint64_t t0 = mg_now_ns();
	struct rec *a = &recs[0], *b = &recs[1], *c = &recs[2];

	(void)argc;
	(void)argv;
	mg_timer_arm(&a->t, t0 + 10 * MS);
	mg_timer_arm(&b->t, t0 + 5 * MS);
	mg_timer_cancel(&b->t);
	mg_timer_cancel(&b->t);		/* twice is harmless */
	mg_timer_arm(&c->t, t0 + 50 * MS);
	mg_timer_arm(&c->t, t0 + 2 * MS);	/* re-armed earlier */
	mg_timer_arm(&a->t, t0 + 20 * MS);	/* re-armed later */
	mg_sleep_ns(30 * MS);
	if (a->fired != 1 || a->fired_at != t0 + 20 * MS)
		return 1;
	if (b->fired != 0 || mg_timer_armed(&b->t))
		return 2;
	if (c->fired != 1 || c->fired_at != t0 + 2 * MS)
		return 3;
	return fire_log[0] == 2 && fire_log[1] == 0 ? 0 : 4;
}

static void
cancel_prevents_firing_and_rearm_moves_the_deadline(void **state)
{
	(void)state;
	assert_int_equal(fake_run(arm_cancel_rearm_main, ""), 0);
}

static struct mg_timer periodic;
static int periodic_count;
static uint64_t periodic_start;

static void
periodic_fire(void *arg)
{
	(void)arg;
	periodic_count++;
	if (mg_now_ns() != periodic_start + (uint64_t)periodic_count * MS)
		periodic_count = -1000;
	else if (periodic_count < 5)
		mg_timer_arm(&periodic, mg_now_ns() + MS);
}

static int
periodic_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	periodic_count = 0;
	periodic_start = mg_now_ns();
	mg_timer_init(&periodic, periodic_fire, NULL);
	mg_timer_arm(&periodic, periodic_start + MS);
	mg_sleep_ns(10 * MS);
	return periodic_count;
}

static void
a_callback_can_rearm_its_own_timer(void **state)
{
	(void)state;
	assert_int_equal(fake_run(periodic_main, ""), 5);
}

static struct mg_timer hog;
static int hog_count;

static void
hog_fire(void *arg)
{
	(void)arg;
	if (++hog_count < 1000)
		mg_timer_arm(&hog, 0);	/* always already due */
}

static int
hog_main(int argc, char **argv)
{
	int passes = 0;

	(void)argc;
	(void)argv;
	hog_count = 0;
	mg_timer_init(&hog, hog_fire, NULL);
	mg_timer_arm(&hog, 0);
	while (hog_count < 1000 && passes < 5000) {
		mg_fiber_yield();	/* fibers keep running meanwhile */
		passes++;
	}
	return hog_count == 1000 && passes >= 999 ? 0 : 1;
}

static void
a_timer_rearmed_in_the_past_fires_once_per_pass_and_cannot_starve_fibers(void **state)
{
	(void)state;
	assert_int_equal(fake_run(hog_main, ""), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(random_timers_fire_in_deadline_then_arming_order_on_the_heap,
				       setup),
		cmocka_unit_test_setup(random_timers_fire_in_order_and_on_time_through_the_loop,
				       setup),
		cmocka_unit_test_setup(cancel_prevents_firing_and_rearm_moves_the_deadline, setup),
		cmocka_unit_test_setup(a_callback_can_rearm_its_own_timer, setup),
		cmocka_unit_test_setup(
			a_timer_rearmed_in_the_past_fires_once_per_pass_and_cannot_starve_fibers,
			setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
