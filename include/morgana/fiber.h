/* SPDX-License-Identifier: ISC */
/*
 * fiber.h -- cooperative threads and wait queues.
 *
 * A fiber is a function running on its own stack. Fibers are never preempted: a fiber
 * runs until it yields, blocks (sleep, wait queue, join) or returns, and then the
 * scheduler runs the next ready fiber, first-in first-out. The application's main() is
 * the first fiber, named "main", with id 1.
 *
 * Stacks have no guard page: a canary at the bottom of each stack is checked whenever
 * the fiber switches out, and the runtime panics naming the fiber if it was overwritten.
 * Keep big buffers off fiber stacks.
 *
 * Every call that blocks or yields MUST be made from a fiber; calling one from a timer
 * callback, an input callback or a flush hook panics.
 */
#ifndef MORGANA_FIBER_H
#define MORGANA_FIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/list.h>

struct mg_fiber;

#define MG_FIBER_DEFAULT_STACK	(64 * 1024)	/* stack_size 0 means this */
#define MG_FIBER_MAIN_STACK	(256 * 1024)	/* main() gets more: apps start there */
#define MG_FIBER_MIN_STACK	(8 * 1024)	/* smaller requests are rounded up */
#define MG_FIBER_MAX_STACK	(64 * 1024 * 1024)
#define MG_FIBER_NAME_MAX	32		/* longer names are truncated */

/*
 * Create a fiber that runs fn(arg) on a stack of stack_size bytes (0: the default) and
 * make it ready; it first runs when the caller yields or blocks. Its return value (or
 * mg_fiber_exit()'s argument) is its status. name is copied.
 * Returns NULL if memory runs out or stack_size > MG_FIBER_MAX_STACK.
 *
 * Every fiber MUST be either joined or detached, exactly once, so that its memory is
 * freed; a fiber that is neither is kept until the unikernel exits.
 */
struct mg_fiber *mg_fiber_spawn(const char *name, int (*fn)(void *arg), void *arg,
				size_t stack_size);

/*
 * Wait until f has finished, store its status in *status (if status is not NULL) and
 * free f. Returns 0, -EDEADLK (f is the caller), or -EINVAL (f is NULL, main, detached,
 * or already being joined by another fiber).
 */
int mg_fiber_join(struct mg_fiber *f, int *status);

/* Let f's memory be freed as soon as it finishes; f MUST NOT be used afterwards.
 * Detaching main, or a fiber already detached or being joined, is a no-op. */
void mg_fiber_detach(struct mg_fiber *f);

/* Go to the back of the ready queue: every fiber ready now runs once before the caller
 * continues. */
void mg_fiber_yield(void);

/* Finish the calling fiber with status, as if its function had returned it. */
_Noreturn void mg_fiber_exit(int status);

/* The calling fiber, or NULL outside any fiber (in loop callbacks). */
struct mg_fiber *mg_fiber_self(void);

const char *mg_fiber_name(const struct mg_fiber *f);

/* A number that names f in logs and traces: main is 1, then 2, 3, ... in spawn order. */
uint32_t mg_fiber_id(const struct mg_fiber *f);

/* Block the calling fiber until the monotonic clock (mg_now_ns()) reaches at least
 * now + ns, resp. deadline_ns. Never returns early; a deadline in the past still lets
 * the other ready fibers run once. */
void mg_sleep_ns(uint64_t ns);
void mg_sleep_until(uint64_t deadline_ns);

/*
 * Wait queues: a list of fibers waiting for something. Embed one in whatever they wait
 * for. A waitq MUST be empty when its memory is reused.
 */
struct mg_waitq {
	struct mg_list waiters;
};

void mg_waitq_init(struct mg_waitq *q);

/*
 * Block the calling fiber on q until it is woken (returns 0) or the monotonic clock
 * reaches deadline_ns (returns -ETIMEDOUT; MG_FOREVER: no timeout). A deadline already
 * passed returns -ETIMEDOUT at once without blocking. Wake-ups are not remembered: check
 * the condition you wait for before and after waiting.
 */
int mg_waitq_wait(struct mg_waitq *q, uint64_t deadline_ns);

/* Make the longest-waiting fiber on q ready; false if q was empty. */
bool mg_waitq_wake_one(struct mg_waitq *q);

/* Make every fiber waiting on q ready, in the order they started waiting. */
void mg_waitq_wake_all(struct mg_waitq *q);

static inline bool
mg_waitq_empty(const struct mg_waitq *q)
{
	return mg_list_empty(&q->waiters);
}

#endif /* MORGANA_FIBER_H */
