/* SPDX-License-Identifier: ISC */
/*
 * tcp_buf.c -- the byte rings behind send and receive buffers, and the receiver's list
 * of out-of-order ranges.
 *
 * A ring's memory exists only while it holds bytes: an idle connection keeps none.
 * Out-of-order data is written straight into the receive ring at its place after the
 * in-order bytes, so filling a hole only moves indices, never data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/runtime.h>

#include "tcp_internal.h"

static int ring_alloc(struct tcp_ring *r, uint32_t cap);

static int
ring_alloc(struct tcp_ring *r, uint32_t cap)
{
	if (r->buf != NULL)
		return 0;
	r->buf = malloc(cap);
	if (r->buf == NULL)
		return -ENOMEM;
	r->cap = cap;
	r->head = 0;
	r->len = 0;
	return 0;
}

uint32_t
tcp_ring_room(const struct tcp_ring *r, uint32_t cap)
{
	return cap - r->len;
}

int
tcp_ring_write_at(struct tcp_ring *r, uint32_t cap, uint32_t off, const void *data,
		  uint32_t len)
{
	uint32_t pos, first;
	int err;

	if (len == 0)
		return 0;
	if ((err = ring_alloc(r, cap)) != 0)
		return err;
	if (off > r->cap || len > r->cap - off)
		return -ENOSPC;
	pos = (r->head + off) % r->cap;
	first = r->cap - pos < len ? r->cap - pos : len;
	memcpy(r->buf + pos, data, first);
	memcpy(r->buf, (const uint8_t *)data + first, len - first);
	return 0;
}

int
tcp_ring_append(struct tcp_ring *r, uint32_t cap, const void *data, uint32_t len)
{
	int err = tcp_ring_write_at(r, cap, r->len, data, len);

	if (err == 0)
		r->len += len;
	return err;
}

void
tcp_ring_read_at(const struct tcp_ring *r, uint32_t off, void *out, uint32_t len)
{
	uint32_t pos, first;

	if (len == 0)
		return;
	pos = (r->head + off) % r->cap;
	first = r->cap - pos < len ? r->cap - pos : len;
	memcpy(out, r->buf + pos, first);
	memcpy((uint8_t *)out + first, r->buf, len - first);
}

void
tcp_ring_consume(struct tcp_ring *r, uint32_t len)
{
	if (len > r->len)
		len = r->len;
	if (len == 0)
		return;
	r->head = (r->head + len) % r->cap;
	r->len -= len;
}

void
tcp_ring_free(struct tcp_ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
	r->head = 0;
	r->len = 0;
}

bool
tcp_ranges_add(struct tcp_range *r, unsigned *count, unsigned max, uint32_t left,
	       uint32_t right, uint64_t stamp)
{
	unsigned i, j, n = *count;

	for (i = 0; i < n && seq_lt(r[i].right, left); i++)
		;
	/* r[i] is the first range that ends at or after left: merge what overlaps. */
	for (j = i; j < n && seq_leq(r[j].left, right); j++) {
		left = seq_min(left, r[j].left);
		right = seq_max(right, r[j].right);
	}
	if (j > i) {
		r[i] = (struct tcp_range){ left, right, stamp };
		memmove(&r[i + 1], &r[j], (n - j) * sizeof(*r));
		*count = n - (j - i - 1);
		return true;
	}
	if (n == max)
		return false;
	memmove(&r[i + 1], &r[i], (n - i) * sizeof(*r));
	r[i] = (struct tcp_range){ left, right, stamp };
	*count = n + 1;
	return true;
}

/* The stamp says which range changed last, so that the first SACK block names the
 * newest data (RFC 2018 4). */
bool
tcp_ooo_add(struct mg_tcp_conn *c, uint32_t left, uint32_t right)
{
	return tcp_ranges_add(c->ooo, &c->ooo_count, TCP_OOO_MAX, left, right, mg_now_ns());
}

uint32_t
tcp_ooo_advance(struct mg_tcp_conn *c, uint32_t rcv_nxt)
{
	struct tcp_range *r = c->ooo;
	unsigned drop = 0;

	while (drop < c->ooo_count && seq_leq(r[drop].left, rcv_nxt)) {
		rcv_nxt = seq_max(rcv_nxt, r[drop].right);
		drop++;
	}
	if (drop > 0) {
		memmove(r, r + drop, (c->ooo_count - drop) * sizeof(*r));
		c->ooo_count -= drop;
	}
	return rcv_nxt;
}
