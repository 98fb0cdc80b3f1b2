/* SPDX-License-Identifier: ISC */
/*
 * trace.c -- the trace ring.
 *
 * A ring of any size: head is where the next event goes, count how many are held.
 * Recording never fails and never allocates; a full ring drops its oldest event.
 */
#include <errno.h>
#include <stdlib.h>

#include <morgana/runtime.h>
#include <morgana/trace.h>

bool mg_trace_on;

static struct {
	struct mg_trace_event *ring;
	size_t size;
	size_t head;	/* index of the next event to write */
	size_t count;	/* events held, <= size */
	uint64_t overwritten;
} trace;

int
mg_trace_start(size_t events)
{
	struct mg_trace_event *ring;

	mg_trace_on = false;
	if (events == 0 || events > MG_TRACE_MAX_EVENTS)
		return -EINVAL;
	ring = calloc(events, sizeof(*ring));
	if (ring == NULL)
		return -ENOMEM;
	free(trace.ring);
	trace.ring = ring;
	trace.size = events;
	trace.head = 0;
	trace.count = 0;
	trace.overwritten = 0;
	mg_trace_on = true;
	return 0;
}

void
mg_trace_stop(void)
{
	mg_trace_on = false;
}

void
mg_trace_record(uint32_t kind, uint32_t fiber, uint64_t arg)
{
	struct mg_trace_event *e;

	if (trace.ring == NULL)
		return;
	e = &trace.ring[trace.head];
	e->ts_ns = mg_now_ns();
	e->kind = kind;
	e->fiber = fiber;
	e->arg = arg;
	trace.head = trace.head + 1 == trace.size ? 0 : trace.head + 1;
	if (trace.count == trace.size)
		trace.overwritten++;
	else
		trace.count++;
}

size_t
mg_trace_read(struct mg_trace_event *out, size_t max)
{
	size_t n = max < trace.count ? max : trace.count;
	size_t oldest = (trace.head + trace.size - trace.count) % (trace.size ? trace.size : 1);

	for (size_t i = 0; i < n; i++)
		out[i] = trace.ring[(oldest + i) % trace.size];
	trace.count -= n;
	return n;
}

uint64_t
mg_trace_overwritten(void)
{
	return trace.overwritten;
}
