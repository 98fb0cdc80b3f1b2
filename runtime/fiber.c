/* SPDX-License-Identifier: ISC */
/*
 * fiber.c -- fibers, the ready queue, sleeping and wait queues.
 *
 * The scheduler runs on the stack the platform booted on. Every switch goes through it:
 * a fiber that yields or blocks switches back to the scheduler, which picks the next
 * ready fiber. That costs two switches instead of one, and buys simple rules: a finished
 * fiber's stack is freed only from the scheduler's stack, the stack canary is checked in
 * one place, and loop callbacks (timers, input, flush hooks) always run outside fibers.
 *
 * Sanitizers and valgrind must be told about stack switches or they report nonsense:
 * AddressSanitizer through __sanitizer_{start,finish}_switch_fiber around every switch,
 * valgrind by registering each fiber stack.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/fiber.h>
#include <morgana/panic.h>
#include <morgana/runtime.h>
#include <morgana/timer.h>
#include <morgana/trace.h>

#include "internal.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#define ASAN_START_SWITCH(save, bottom, size) \
	__sanitizer_start_switch_fiber((save), (bottom), (size))
#define ASAN_FINISH_SWITCH(save, bottom, size) \
	__sanitizer_finish_switch_fiber((save), (bottom), (size))
#else
#define ASAN_START_SWITCH(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#define ASAN_FINISH_SWITCH(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define HAVE_VALGRIND 1
#endif
#endif

#define STACK_ALIGN	64
#define CANARY_BYTES	64
#define CANARY_BYTE	0xc5
#define DESCRIBE_MAX	8	/* fibers named in a deadlock message */

enum fiber_state {
	FIBER_READY,
	FIBER_RUNNING,
	FIBER_BLOCKED,
	FIBER_DONE,
};

struct mg_fiber {
	/* First, so that the list of all fibers points at their starts and leak checkers
	 * see fibers left at exit as reachable, not "possibly lost". */
	struct mg_list all;	/* on sched.all while allocated */
	struct mg_list link;	/* on the ready queue or on one wait queue */
	void *sp;		/* saved stack pointer while not running */
	unsigned char *stack;
	size_t stack_size;
	bool stack_borrowed;	/* the platform's (main's guarded stack): not freed */
	int (*fn)(void *arg);
	void *arg;
	uint32_t id;
	enum fiber_state state;
	enum mg_trace_block blocked_on;
	bool detached;
	bool joined;		/* a fiber has started to join this one */
	bool timed_out;
	int status;
	struct mg_waitq joiner;	/* the one fiber joining this one */
	struct mg_timer timer;	/* sleep and wait timeouts */
	unsigned valgrind_id;
	void *asan_fake_stack;
	char name[MG_FIBER_NAME_MAX];
};

static struct sched {
	struct mg_list ready;
	size_t ready_count;
	struct mg_list all;
	struct mg_fiber *current;
	void *sp;		/* the scheduler's own saved stack pointer */
	uint32_t next_id;
	uintptr_t boot_frame;	/* highest frame of the scheduler's stack, for backtraces */
	const void *asan_bottom;	/* the scheduler's stack, as ASan reported it */
	size_t asan_size;
} sched = {
	.ready = MG_LIST_INIT(sched.ready),
	.all = MG_LIST_INIT(sched.all),
	.next_id = 1,
};

static void fiber_entry(struct mg_fiber *f) __attribute__((noreturn, used));
static _Noreturn void fiber_finish(struct mg_fiber *f, int status);
static void fiber_free(struct mg_fiber *f);
static void fiber_timer_fired(void *arg);

static struct mg_fiber *
need_fiber(const char *what)
{
	if (sched.current == NULL)
		mg_panic("%s called outside a fiber (from a loop callback?)", what);
	return sched.current;
}

static uint32_t
current_id(void)
{
	return sched.current != NULL ? sched.current->id : 0;
}

static void
canary_fill(struct mg_fiber *f)
{
	memset(f->stack, CANARY_BYTE, CANARY_BYTES);
}

/* Not through memcmp: an overflowing fiber may have left ASan stack poison there. */
__attribute__((no_sanitize_address)) static bool
canary_intact(const struct mg_fiber *f)
{
	const volatile unsigned char *p = f->stack;

	for (size_t i = 0; i < CANARY_BYTES; i++)
		if (p[i] != CANARY_BYTE)
			return false;
	return true;
}

/* A new fiber's saved frame (see switch.S): registers zero but r12/r13, the caller's
 * floating-point control state, and a return into mg_rt_ctx_entry. */
static void
fiber_frame_init(struct mg_fiber *f)
{
	uint32_t mxcsr;
	uint16_t fpucw;
	uint64_t *sp = (uint64_t *)(void *)(f->stack + f->stack_size);

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(fpucw));
	sp -= 2;	/* a zero "caller" slot, keeps the entry 16-byte aligned */
	sp[0] = 0;
	sp[1] = 0;
	sp -= 8;
	sp[0] = mxcsr | (uint64_t)fpucw << 32;
	sp[1] = 0;				/* r15 */
	sp[2] = 0;				/* r14 */
	sp[3] = (uint64_t)(uintptr_t)f;		/* r13: entry argument */
	sp[4] = (uint64_t)(uintptr_t)fiber_entry; /* r12: entry function */
	sp[5] = 0;				/* rbx */
	sp[6] = 0;				/* rbp: ends backtraces */
	sp[7] = (uint64_t)(uintptr_t)mg_rt_ctx_entry;
	f->sp = sp;
}

static struct mg_fiber *
fiber_create(const char *name, int (*fn)(void *), void *arg, size_t stack_size,
	     unsigned char *given_stack)
{
	struct mg_fiber *f;

	if (fn == NULL || (given_stack == NULL && stack_size > MG_FIBER_MAX_STACK))
		return NULL;
	if (stack_size == 0)
		stack_size = MG_FIBER_DEFAULT_STACK;
	if (stack_size < MG_FIBER_MIN_STACK)
		stack_size = MG_FIBER_MIN_STACK;
	stack_size = (stack_size + STACK_ALIGN - 1) & ~(size_t)(STACK_ALIGN - 1);

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->stack = given_stack != NULL ? given_stack : aligned_alloc(STACK_ALIGN, stack_size);
	f->stack_borrowed = given_stack != NULL;
	if (f->stack == NULL) {
		free(f);
		return NULL;
	}
	f->stack_size = stack_size;
	f->fn = fn;
	f->arg = arg;
	f->id = sched.next_id++;
	snprintf(f->name, sizeof(f->name), "%s", name != NULL ? name : "fiber");
	mg_list_init(&f->link);
	mg_waitq_init(&f->joiner);
	mg_timer_init(&f->timer, fiber_timer_fired, f);
	/* A borrowed stack is main's from the platform, with a guard page below it
	 * (plat.h): an overflow faults there. No canary, so boot need not touch the stack's
	 * far end either (on hvt a first touch costs a shadow page fault, 5-9 us). */
	if (!f->stack_borrowed)
		canary_fill(f);
	fiber_frame_init(f);
#ifdef HAVE_VALGRIND
	f->valgrind_id = VALGRIND_STACK_REGISTER(f->stack, f->stack + stack_size);
#endif
	mg_list_push_back(&sched.all, &f->all);
	f->state = FIBER_READY;
	mg_list_push_back(&sched.ready, &f->link);
	sched.ready_count++;
	mg_trace(MG_TRACE_SPAWN, f->id, current_id());
	return f;
}

struct mg_fiber *
mg_fiber_spawn(const char *name, int (*fn)(void *arg), void *arg, size_t stack_size)
{
	return fiber_create(name, fn, arg, stack_size, NULL);
}

/* Give f's memory back, without touching any list or timer it may be on. */
static void
fiber_release(struct mg_fiber *f)
{
#ifdef HAVE_VALGRIND
	VALGRIND_STACK_DEREGISTER(f->valgrind_id);
#endif
	if (!f->stack_borrowed)
		free(f->stack);
	free(f);
}

static void
fiber_free(struct mg_fiber *f)
{
	mg_timer_cancel(&f->timer);
	mg_list_remove(&f->link);
	mg_list_remove(&f->all);
	fiber_release(f);
}

/* Make a blocked fiber ready; anything else is left alone. */
static void
fiber_wake(struct mg_fiber *f)
{
	if (f->state != FIBER_BLOCKED)
		return;
	mg_timer_cancel(&f->timer);
	f->state = FIBER_READY;
	mg_list_push_back(&sched.ready, &f->link);
	sched.ready_count++;
	mg_trace(MG_TRACE_WAKE, f->id, current_id());
}

/* Scheduler side: run f until it switches back. */
static void
fiber_run(struct mg_fiber *f)
{
	void *fake_stack = NULL;

	sched.current = f;
	f->state = FIBER_RUNNING;
	mg_trace(MG_TRACE_SWITCH, f->id, 0);
	ASAN_START_SWITCH(&fake_stack, f->stack, f->stack_size);
	mg_rt_ctx_switch(&sched.sp, f->sp);
	ASAN_FINISH_SWITCH(fake_stack, NULL, NULL);
	sched.current = NULL;
	if (!f->stack_borrowed && !canary_intact(f))
		mg_panic("fiber '%s' (id %u) overflowed its %zu-byte stack", f->name, f->id,
			 f->stack_size);
	if (f->state == FIBER_DONE && f->detached)
		fiber_free(f);
}

/* Fiber side: give the CPU back to the scheduler; returns when next run. */
static void
fiber_switch_out(struct mg_fiber *f)
{
	/* A finished fiber never returns: let ASan drop its fake stack. */
	void **save = f->state == FIBER_DONE ? NULL : &f->asan_fake_stack;

	ASAN_START_SWITCH(save, sched.asan_bottom, sched.asan_size);
	mg_rt_ctx_switch(&f->sp, sched.sp);
	ASAN_FINISH_SWITCH(f->asan_fake_stack, &sched.asan_bottom, &sched.asan_size);
}

static void
fiber_entry(struct mg_fiber *f)
{
	/* The first switch into f came from the scheduler: remember its stack for ASan. */
	ASAN_FINISH_SWITCH(NULL, &sched.asan_bottom, &sched.asan_size);
	fiber_finish(f, f->fn(f->arg));
}

static _Noreturn void
fiber_finish(struct mg_fiber *f, int status)
{
	f->status = status;
	f->state = FIBER_DONE;
	mg_trace(MG_TRACE_EXIT, f->id, (uint32_t)status);
	mg_waitq_wake_all(&f->joiner);
	fiber_switch_out(f);
	mg_panic("finished fiber '%s' was resumed", f->name);
}

static void
fiber_block(struct mg_fiber *f, enum mg_trace_block why)
{
	f->state = FIBER_BLOCKED;
	f->blocked_on = why;
	mg_trace(MG_TRACE_BLOCK, f->id, why);
	fiber_switch_out(f);
}

/* Sleep deadline or wait timeout reached. */
static void
fiber_timer_fired(void *arg)
{
	struct mg_fiber *f = arg;

	if (f->state != FIBER_BLOCKED)
		return;
	if (mg_list_linked(&f->link)) {	/* still on a wait queue: a timeout */
		mg_list_remove(&f->link);
		f->timed_out = true;
	}
	fiber_wake(f);
}

void
mg_fiber_yield(void)
{
	struct mg_fiber *f = need_fiber("mg_fiber_yield");

	f->state = FIBER_READY;
	mg_list_push_back(&sched.ready, &f->link);
	sched.ready_count++;
	fiber_switch_out(f);
}

_Noreturn void
mg_fiber_exit(int status)
{
	fiber_finish(need_fiber("mg_fiber_exit"), status);
}

struct mg_fiber *
mg_fiber_self(void)
{
	return sched.current;
}

const char *
mg_fiber_name(const struct mg_fiber *f)
{
	return f != NULL ? f->name : "(loop)";
}

uint32_t
mg_fiber_id(const struct mg_fiber *f)
{
	return f != NULL ? f->id : 0;
}

int
mg_fiber_join(struct mg_fiber *f, int *status)
{
	struct mg_fiber *self = need_fiber("mg_fiber_join");

	if (f == self)
		return -EDEADLK;
	if (f == NULL || f->id == 1 || f->detached || f->joined)
		return -EINVAL;
	f->joined = true;
	while (f->state != FIBER_DONE) {
		mg_list_push_back(&f->joiner.waiters, &self->link);
		fiber_block(self, MG_TRACE_BLOCK_JOIN);
	}
	if (status != NULL)
		*status = f->status;
	fiber_free(f);
	return 0;
}

void
mg_fiber_detach(struct mg_fiber *f)
{
	if (f == NULL || f->id == 1 || f->detached || f->joined)
		return;
	if (f->state == FIBER_DONE) {
		fiber_free(f);
		return;
	}
	f->detached = true;
}

void
mg_sleep_until(uint64_t deadline_ns)
{
	struct mg_fiber *f = need_fiber("mg_sleep");

	do {
		mg_timer_arm(&f->timer, deadline_ns);
		fiber_block(f, MG_TRACE_BLOCK_SLEEP);
	} while (mg_now_ns() < deadline_ns);
}

void
mg_sleep_ns(uint64_t ns)
{
	uint64_t now = mg_now_ns();

	mg_sleep_until(ns > MG_FOREVER - now ? MG_FOREVER : now + ns);
}

void
mg_waitq_init(struct mg_waitq *q)
{
	mg_list_init(&q->waiters);
}

int
mg_waitq_wait(struct mg_waitq *q, uint64_t deadline_ns)
{
	struct mg_fiber *f = need_fiber("mg_waitq_wait");

	if (deadline_ns != MG_FOREVER && mg_now_ns() >= deadline_ns)
		return -ETIMEDOUT;
	f->timed_out = false;
	mg_list_push_back(&q->waiters, &f->link);
	if (deadline_ns != MG_FOREVER)
		mg_timer_arm(&f->timer, deadline_ns);
	fiber_block(f, MG_TRACE_BLOCK_WAITQ);
	return f->timed_out ? -ETIMEDOUT : 0;
}

bool
mg_waitq_wake_one(struct mg_waitq *q)
{
	struct mg_list *node = mg_list_pop_front(&q->waiters);

	if (node == NULL)
		return false;
	fiber_wake(mg_container_of(node, struct mg_fiber, link));
	return true;
}

void
mg_waitq_wake_all(struct mg_waitq *q)
{
	while (mg_waitq_wake_one(q))
		;
}

/* --- the scheduler's side, called by loop.c ------------------------------------------ */

/*
 * Forget every fiber of an earlier run. Only tests start the runtime more than once;
 * the fibers left over were abandoned by an exit, so no stack being freed is in use.
 */
void
mg_rt_fibers_reset(void *boot_frame)
{
	struct mg_list *node, *tmp;

	/* Their wait queues and timers may live on stacks freed here: touch none. */
	mg_list_for_each_safe(node, tmp, &sched.all)
		fiber_release(mg_container_of(node, struct mg_fiber, all));
	mg_list_init(&sched.all);
	mg_list_init(&sched.ready);
	sched.ready_count = 0;
	sched.current = NULL;
	sched.next_id = 1;
	sched.boot_frame = (uintptr_t)boot_frame;
}

struct mg_fiber *
mg_rt_fiber_spawn_main(int (*fn)(void *arg), void *arg, void *stack, size_t stack_size)
{
	/* A given stack is taken as it is: rounding it would step off its end. */
	if (stack != NULL && ((uintptr_t)stack % STACK_ALIGN != 0 ||
			      stack_size % STACK_ALIGN != 0 || stack_size < MG_FIBER_MIN_STACK))
		return NULL;
	return fiber_create("main", fn, arg, stack != NULL ? stack_size : MG_FIBER_MAIN_STACK,
			    stack);
}

/*
 * Run each fiber that is ready now once, in order; fibers that become ready meanwhile
 * wait for the next pass, so timers and input get their turn. Stops early when
 * main_fiber finishes. Returns true if fibers are still ready.
 */
bool
mg_rt_fibers_run_pass(const struct mg_fiber *main_fiber)
{
	size_t n = sched.ready_count;

	while (n-- > 0 && main_fiber->state != FIBER_DONE) {
		struct mg_list *node = mg_list_pop_front(&sched.ready);

		sched.ready_count--;
		fiber_run(mg_container_of(node, struct mg_fiber, link));
	}
	return sched.ready_count > 0;
}

bool
mg_rt_fiber_done(const struct mg_fiber *f, int *status)
{
	if (f->state != FIBER_DONE)
		return false;
	*status = f->status;
	return true;
}

/* "main (join), worker (waitq), ..." for the deadlock message. */
void
mg_rt_fibers_describe_blocked(char *buf, size_t len)
{
	static const char *const why[] = {
		[MG_TRACE_BLOCK_SLEEP] = "sleep",
		[MG_TRACE_BLOCK_WAITQ] = "waitq",
		[MG_TRACE_BLOCK_JOIN] = "join",
	};
	struct mg_list *node, *tmp;
	size_t used = 0, shown = 0, blocked = 0;

	buf[0] = '\0';
	mg_list_for_each_safe(node, tmp, &sched.all) {
		const struct mg_fiber *f = mg_container_of(node, struct mg_fiber, all);
		int n;

		if (f->state != FIBER_BLOCKED)
			continue;
		blocked++;
		if (shown == DESCRIBE_MAX || used >= len)
			continue;
		n = snprintf(buf + used, len - used, "%s%s #%u (%s)", shown ? ", " : "",
			     f->name, f->id, why[f->blocked_on]);
		used += n > 0 ? (size_t)n : 0;
		shown++;
	}
	if (blocked > shown && used < len)
		snprintf(buf + used, len - used, " and %zu more", blocked - shown);
}

/* The stack the caller runs on: a fiber's, or the scheduler's from the caller up to
 * mg_runtime_start()'s frame. False before the runtime started. */
bool
mg_rt_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
	if (sched.current != NULL) {
		*lo = (uintptr_t)sched.current->stack;
		*hi = (uintptr_t)sched.current->stack + sched.current->stack_size;
		return true;
	}
	if (sched.boot_frame == 0)
		return false;
	*lo = 0;
	*hi = sched.boot_frame + 2 * sizeof(void *);
	return true;
}
