/* SPDX-License-Identifier: ISC */
/*
 * trace.h -- a ring of scheduler (and later network) events, for seeing what happened.
 *
 * While tracing is on, the runtime records every fiber spawn, switch, block, wake-up and
 * exit into a fixed-size ring; other modules add counters. When the ring is full the
 * oldest event is overwritten and counted. Off (the default), mg_trace() costs one
 * predicted branch.
 *
 * Event meaning by kind (fiber = the fiber the event is about, arg = the detail):
 *	SPAWN	fiber = new fiber, arg = the spawning fiber (0: the loop)
 *	SWITCH	fiber = fiber switched to, arg = 0
 *	BLOCK	fiber = fiber that blocked, arg = enum mg_trace_block
 *	WAKE	fiber = fiber made ready, arg = the waking fiber (0: the loop)
 *	EXIT	fiber = fiber that finished, arg = its status (as uint32_t)
 *	COUNTER	fiber = counter id, arg = its new value
 */
#ifndef MORGANA_TRACE_H
#define MORGANA_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mg_trace_kind {
	MG_TRACE_SPAWN = 1,
	MG_TRACE_SWITCH,
	MG_TRACE_BLOCK,
	MG_TRACE_WAKE,
	MG_TRACE_EXIT,
	MG_TRACE_COUNTER,
};

enum mg_trace_block {
	MG_TRACE_BLOCK_SLEEP = 1,
	MG_TRACE_BLOCK_WAITQ,
	MG_TRACE_BLOCK_JOIN,
};

struct mg_trace_event {
	uint64_t ts_ns;		/* mg_now_ns() when it happened */
	uint32_t kind;		/* enum mg_trace_kind */
	uint32_t fiber;
	uint64_t arg;
};

#define MG_TRACE_MAX_EVENTS (16u * 1024 * 1024)

/*
 * Start recording into a new ring of events entries (1..MG_TRACE_MAX_EVENTS), dropping
 * any earlier ring and what it held. Returns 0, -EINVAL or -ENOMEM (tracing is then off).
 */
int mg_trace_start(size_t events);

/* Stop recording; what was recorded stays readable until the next mg_trace_start(). */
void mg_trace_stop(void);

/* Move up to max events, oldest first, out of the ring into out; returns how many. */
size_t mg_trace_read(struct mg_trace_event *out, size_t max);

/* Events lost because the ring was full, since mg_trace_start(). */
uint64_t mg_trace_overwritten(void);

extern bool mg_trace_on;
void mg_trace_record(uint32_t kind, uint32_t fiber, uint64_t arg);

static inline void
mg_trace(enum mg_trace_kind kind, uint32_t fiber, uint64_t arg)
{
	if (__builtin_expect(mg_trace_on, 0))
		mg_trace_record(kind, fiber, arg);
}

#endif /* MORGANA_TRACE_H */
