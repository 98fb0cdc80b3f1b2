/* SPDX-License-Identifier: ISC */
/*
 * hvt_ring.h -- where a ring producer puts frame bytes: the allocator of the data area
 * of an hvt network ring (layout and rules in morgana/hvt_abi.h), shared by the guest
 * (producer of TX) and the tender (producer of RX). Header-only: both sides compile it
 * into their own world (freestanding guest, hosted tender).
 *
 * The producer keeps this state privately, never in the shared area: the consumer can
 * only tell it how far it got (cons), which the producer checks before calling
 * mg_hvt_ring_release(). Frames take consecutive bytes from a free-running position,
 * MG_HVT_RING_ALIGN apart; one that would cross the end of the data starts over at
 * offset 0 and the bytes skipped count as used until it is consumed. An empty ring starts
 * over at 0, so a frame of up to data_size bytes always fits once the consumer caught up.
 */
#ifndef MORGANA_HVT_RING_H
#define MORGANA_HVT_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <morgana/hvt_abi.h>

struct mg_hvt_ring_alloc {
	uint64_t head, tail;	/* free-running byte positions: next free, oldest in use */
	uint64_t start;		/* where the reserved frame begins (after any skip) */
	uint32_t size;		/* data_size */
	uint64_t end[MG_HVT_RING_SLOTS];	/* head after the frame of each slot */
};

static inline uint64_t
mg_hvt_ring_round(uint64_t len)
{
	return (len + MG_HVT_RING_ALIGN - 1) & ~(uint64_t)(MG_HVT_RING_ALIGN - 1);
}

static inline void
mg_hvt_ring_alloc_init(struct mg_hvt_ring_alloc *a, uint32_t size)
{
	a->head = a->tail = a->start = 0;
	a->size = size;
}

/*
 * Room for a frame of up to len bytes (empty: the consumer has every frame back). Returns
 * its offset in the data area, or -1 if there is no room until the consumer moves on.
 */
static inline int64_t
mg_hvt_ring_reserve(struct mg_hvt_ring_alloc *a, uint32_t len, bool empty)
{
	uint64_t need = mg_hvt_ring_round(len), pos;

	if (empty)
		a->head = a->tail = 0;
	pos = a->head % a->size;
	a->start = a->head;
	if (pos + need > a->size)
		a->start += a->size - pos;
	if (a->start + need - a->tail > a->size)
		return -1;
	return (int64_t)(a->start % a->size);
}

/* The reserved frame got len bytes (<= the len reserved) and is descriptor index. */
static inline void
mg_hvt_ring_commit(struct mg_hvt_ring_alloc *a, uint32_t index, uint32_t len)
{
	a->head = a->start + mg_hvt_ring_round(len);
	a->end[index % MG_HVT_RING_SLOTS] = a->head;
}

/* The consumer has taken every descriptor before index last + 1 (last was produced). */
static inline void
mg_hvt_ring_release(struct mg_hvt_ring_alloc *a, uint32_t last)
{
	a->tail = a->end[last % MG_HVT_RING_SLOTS];
}

#endif /* MORGANA_HVT_RING_H */
