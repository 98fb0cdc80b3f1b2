/* SPDX-License-Identifier: ISC */
/*
 * timer.h -- one-shot timers on the monotonic clock.
 *
 * A struct mg_timer lives wherever its owner puts it; arming never allocates. Armed
 * timers are kept in an intrusive pairing heap ordered by deadline, then by the order
 * they were armed, so timers with equal deadlines fire in arming order.
 *
 * The callback runs from the scheduler loop, outside any fiber, once the monotonic clock
 * has reached the deadline (never before; possibly later). It MUST NOT block; it may
 * arm, re-arm or cancel any timer, including its own, wake fibers and spawn fibers.
 * The timer is disarmed before its callback is called.
 */
#ifndef MORGANA_TIMER_H
#define MORGANA_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct mg_timer {
	/* Private to the runtime. */
	uint64_t deadline_ns;
	uint64_t seq;
	struct mg_timer *child, *next, *prev;
	void (*fn)(void *arg);
	void *arg;
	bool armed;
};

/* Set up t to call fn(arg); t starts disarmed. MUST NOT be called on an armed timer. */
void mg_timer_init(struct mg_timer *t, void (*fn)(void *arg), void *arg);

/* Arm t to fire at deadline_ns (mg_now_ns() clock); an armed t is moved to the new
 * deadline. A deadline in the past fires on the next loop pass. */
void mg_timer_arm(struct mg_timer *t, uint64_t deadline_ns);

/* Disarm t; a no-op if it is not armed. After this its callback will not run. */
void mg_timer_cancel(struct mg_timer *t);

bool mg_timer_armed(const struct mg_timer *t);

#endif /* MORGANA_TIMER_H */
