/* SPDX-License-Identifier: ISC */
/*
 * heap.h -- the guest heap behind malloc() (freestanding targets only).
 *
 * The guest libc's malloc, calloc, realloc, aligned_alloc, posix_memalign and free manage
 * one region of memory, handed over once at start-up by mg_heap_init() (the runtime
 * passes mg_plat_boot_info.heap_start/heap_size). The allocator is a two-level
 * segregated fit (TLSF): every call takes constant time, whatever the heap holds; free
 * neighbours are merged at once, and a block handed out is split down to the request
 * rounded up to 16 bytes (plus its header).
 *
 * Every block carries a 16-byte header with a check word over its size, its neighbour's
 * size and its state. free() and realloc() verify it and abort with a message naming the
 * fault (double free, pointer not from the heap, header overwritten) rather than carry
 * on with a corrupted heap. Nothing is thread-safe: there is one thread of execution.
 *
 * On the unix target the host C library owns memory and none of this exists.
 */
#ifndef MORGANA_HEAP_H
#define MORGANA_HEAP_H

#include <stddef.h>

/*
 * Hand [base, base + size) to the allocator. base is rounded up to 16 bytes; at most
 * 64 GiB of the region is used. Any earlier heap is forgotten (its blocks MUST NOT be
 * used or freed afterwards). Only the first 32 bytes of the region are written: the rest
 * is first touched when handed out. Returns 0, or -EINVAL if the region is too small to
 * hold even one block (under 128 bytes) or base is NULL.
 */
int mg_heap_init(void *base, size_t size);

struct mg_heap_stats {
	size_t size;		/* bytes managed, headers included */
	size_t used;		/* bytes in allocated blocks, headers included */
	size_t free;		/* bytes in free blocks, headers included */
	size_t largest_free;	/* the largest malloc() that would succeed now */
	size_t allocations;	/* blocks allocated now */
	size_t free_blocks;	/* free blocks now (fragmentation) */
};

/* Fill *stats; all zero before mg_heap_init(). Constant time. */
void mg_heap_stats(struct mg_heap_stats *stats);

/*
 * Walk every block and verify headers, neighbour links and free lists; abort with a
 * message naming the first inconsistency. O(blocks): for tests and debugging.
 */
void mg_heap_check(void);

#endif /* MORGANA_HEAP_H */
