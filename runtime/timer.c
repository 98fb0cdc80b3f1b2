/* SPDX-License-Identifier: ISC */
/*
 * timer.c -- armed timers in an intrusive pairing heap.
 *
 * A pairing heap needs no array (so arming never allocates and never fails), inserts in
 * O(1) and removes the minimum or any node in O(log n) amortised. Each node links to its
 * first child and its next sibling; `prev` is the previous sibling, or the parent for a
 * first child, which is what removing an arbitrary node needs.
 *
 * Nothing here recurses: the heap may hold any number of timers.
 */
#include <stddef.h>

#include <morgana/timer.h>

#include "internal.h"

static struct {
	struct mg_timer *root;
	size_t armed;
	uint64_t seq;	/* arming order, breaks ties between equal deadlines */
} heap;

static bool
timer_before(const struct mg_timer *a, const struct mg_timer *b)
{
	if (a->deadline_ns != b->deadline_ns)
		return a->deadline_ns < b->deadline_ns;
	return a->seq < b->seq;
}

/* Join two heap roots (each without siblings); returns the new root. */
static struct mg_timer *
meld(struct mg_timer *a, struct mg_timer *b)
{
	struct mg_timer *tmp;

	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	if (timer_before(b, a)) {
		tmp = a;
		a = b;
		b = tmp;
	}
	b->prev = a;
	b->next = a->child;
	if (a->child != NULL)
		a->child->prev = b;
	a->child = b;
	a->next = NULL;
	a->prev = NULL;
	return a;
}

/*
 * The standard two-pass merge of a sibling list: meld neighbours pairwise left to right,
 * then meld the pairs right to left. Pass one stacks the pairs through `next`, so pass
 * two pops them last first.
 */
static struct mg_timer *
merge_siblings(struct mg_timer *first)
{
	struct mg_timer *pairs = NULL, *a, *b, *result;

	while (first != NULL) {
		a = first;
		b = a->next;
		first = b != NULL ? b->next : NULL;
		a->next = a->prev = NULL;
		if (b != NULL)
			b->next = b->prev = NULL;
		a = meld(a, b);
		a->next = pairs;
		pairs = a;
	}
	if (pairs == NULL)
		return NULL;
	result = pairs;
	pairs = pairs->next;
	result->next = NULL;
	while (pairs != NULL) {
		a = pairs;
		pairs = pairs->next;
		a->next = NULL;
		result = meld(result, a);
	}
	return result;
}

static void
heap_remove(struct mg_timer *t)
{
	struct mg_timer *sub;

	if (t == heap.root) {
		heap.root = merge_siblings(t->child);
	} else {
		if (t->prev->child == t)
			t->prev->child = t->next;
		else
			t->prev->next = t->next;
		if (t->next != NULL)
			t->next->prev = t->prev;
		sub = merge_siblings(t->child);
		heap.root = meld(heap.root, sub);
	}
	if (heap.root != NULL)
		heap.root->prev = NULL;
	t->child = t->next = t->prev = NULL;
	t->armed = false;
	heap.armed--;
}

void
mg_timer_init(struct mg_timer *t, void (*fn)(void *arg), void *arg)
{
	t->deadline_ns = 0;
	t->seq = 0;
	t->child = t->next = t->prev = NULL;
	t->fn = fn;
	t->arg = arg;
	t->armed = false;
}

void
mg_timer_arm(struct mg_timer *t, uint64_t deadline_ns)
{
	if (t->armed)
		heap_remove(t);
	t->deadline_ns = deadline_ns;
	t->seq = heap.seq++;
	t->armed = true;
	heap.armed++;
	heap.root = meld(heap.root, t);
}

void
mg_timer_cancel(struct mg_timer *t)
{
	if (t->armed)
		heap_remove(t);
}

bool
mg_timer_armed(const struct mg_timer *t)
{
	return t->armed;
}

/* Forget every armed timer of an earlier run (tests start the runtime repeatedly); the
 * timers themselves may be gone, so they are not touched. */
void
mg_rt_timers_reset(void)
{
	heap.root = NULL;
	heap.armed = 0;
}

/*
 * Fire the timers due at now_ns, earliest first. At most as many as were armed on entry
 * fire, so a callback that keeps re-arming itself in the past cannot hold the loop.
 */
void
mg_rt_timers_run(uint64_t now_ns)
{
	size_t budget = heap.armed;

	while (budget-- > 0 && heap.root != NULL && heap.root->deadline_ns <= now_ns) {
		struct mg_timer *t = heap.root;

		heap_remove(t);
		t->fn(t->arg);
	}
}

bool
mg_rt_timers_next(uint64_t *deadline_ns)
{
	if (heap.root == NULL)
		return false;
	*deadline_ns = heap.root->deadline_ns;
	return true;
}
