/* SPDX-License-Identifier: ISC */
/*
 * malloc.c -- the guest heap: a two-level segregated fit (TLSF) allocator.
 *
 * Blocks tile the region from its start to its end; the end itself acts as a block in
 * use, so nothing merges past it, without a header there: initialising the heap writes
 * only its first block, and the far end of guest memory stays untouched until used
 * (every first touch of a page costs a VM exit on hvt). Sizes are counted in 16-byte
 * units and include the block's 16-byte header. Free blocks sit on
 * one of FL_COUNT x SL_COUNT lists: the first level is the power of two of the size, the
 * second splits that range into SL_COUNT equal slices; two bitmaps say which lists are
 * non-empty, so finding a fitting block is a couple of bit scans. A request is rounded
 * up to the start of the next list, so any block found fits without walking a list.
 *
 * Invariants: no two free blocks are neighbours (free merges at once); every header's
 * prev_size is the size of the block before it; every header's check word matches.
 * Every header this file reads on behalf of a caller's pointer is verified first.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/heap.h>
#include <morgana/plat.h>

#define UNIT		16u
#define SL_LOG2		5u
#define SL_COUNT	(1u << SL_LOG2)
#define FL_COUNT	(32u - SL_LOG2 + 1u)	/* sizes below 2^32 units */
#define MIN_UNITS	2u			/* header + room for the free-list links */
#define MAX_UNITS	0xffffffffu
#define STATE_USED	0x55534544u		/* "USED" */
#define STATE_FREE	0x46524545u		/* "FREE" */

struct block {
	uint32_t size;		/* units, header included */
	uint32_t prev_size;	/* units of the block just before; 0 for the first */
	uint32_t state;		/* STATE_USED or STATE_FREE */
	uint32_t check;		/* check_word(): catches overwritten and made-up headers */
	/* Only in free blocks, in what is otherwise the payload: */
	struct block *next_free, *prev_free;
};
#define HEADER		16u
_Static_assert(__builtin_offsetof(struct block, next_free) == HEADER, "header is 16 bytes");

static struct {
	bool ready;
	uintptr_t start, end;		/* all blocks */
	struct block *first;
	uint32_t fl_map;
	uint32_t sl_map[FL_COUNT];
	struct block *lists[FL_COUNT][SL_COUNT];
	size_t free_bytes, free_blocks, allocations;
} heap;

static _Noreturn void
heap_fail(const char *fmt, ...)
{
	char msg[192];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	if ((size_t)len > sizeof(msg) - 2)
		len = sizeof(msg) - 2;
	msg[len++] = '\n';
	mg_plat_console_write(msg, (size_t)len);
	abort();
}

static uint32_t
check_word(const struct block *b)
{
	uint64_t x = (uintptr_t)b ^ ((uint64_t)b->size << 32 | b->prev_size) ^
		     (b->state * 0x9e3779b97f4a7c15ull);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return (uint32_t)x;
}

static void
set_header(struct block *b, uint32_t size, uint32_t prev_size, uint32_t state)
{
	b->size = size;
	b->prev_size = prev_size;
	b->state = state;
	b->check = check_word(b);
}

static struct block *
at_unit(struct block *b, int64_t units)
{
	return (struct block *)((uintptr_t)b + (uintptr_t)(units * UNIT));
}

/*
 * The header at b, verified: inside the heap, check word intact, a known state and a
 * size that stays inside the heap. what and ptr name the caller's operation in the
 * message if it is not.
 */
static struct block *
verified(struct block *b, const char *what, const void *ptr)
{
	uintptr_t a = (uintptr_t)b;

	if (a < heap.start || a + HEADER > heap.end || (a & (UNIT - 1)) != 0)
		heap_fail("heap: %s(%p): pointer not from the heap", what, ptr);
	if (b->check != check_word(b) || (b->state != STATE_USED && b->state != STATE_FREE) ||
	    b->size == 0 || b->size > (heap.end - a) / UNIT)
		heap_fail("heap: %s(%p): block header at %p corrupted (buffer overrun, or "
			  "a pointer malloc never returned)", what, ptr, (void *)b);
	return b;
}

/* The block after b, verified; NULL if b is the last one. */
static struct block *
next_of(struct block *b, const char *what, const void *ptr)
{
	struct block *n = at_unit(b, b->size);

	if ((uintptr_t)n == heap.end)
		return NULL;
	n = verified(n, what, ptr);
	if (n->prev_size != b->size)
		heap_fail("heap: %s(%p): block at %p and its neighbour at %p disagree on its "
			  "size (overrun past the end of the block?)", what, ptr, (void *)b,
			  (void *)n);
	return n;
}

static struct block *
prev_of(struct block *b, const char *what, const void *ptr)
{
	struct block *p;

	if (b->prev_size == 0)
		return NULL;
	p = verified(at_unit(b, -(int64_t)b->prev_size), what, ptr);
	if (p->size != b->prev_size)
		heap_fail("heap: %s(%p): block at %p and its neighbour at %p disagree on "
			  "the neighbour's size", what, ptr, (void *)b, (void *)p);
	return p;
}

/* Tell the block after b, if any, b's size. */
static void
update_next(struct block *b)
{
	struct block *n = at_unit(b, b->size);

	if ((uintptr_t)n != heap.end)
		set_header(n, n->size, b->size, n->state);
}

/* The list holding free blocks of size units. */
static void
list_of(uint32_t units, unsigned *fl, unsigned *sl)
{
	unsigned log2;

	if (units < SL_COUNT) {
		*fl = 0;
		*sl = units;
		return;
	}
	log2 = 31u - (unsigned)__builtin_clz(units);
	*fl = log2 - SL_LOG2 + 1;
	*sl = (units >> (log2 - SL_LOG2)) - SL_COUNT;
}

/* The smallest list start >= units: every block on that list or above fits. */
static uint64_t
round_to_list(uint64_t units)
{
	unsigned log2;

	if (units < SL_COUNT)
		return units;
	log2 = 63u - (unsigned)__builtin_clzll(units);
	return (units + (1ull << (log2 - SL_LOG2)) - 1) & ~((1ull << (log2 - SL_LOG2)) - 1);
}

static void
list_insert(struct block *b)
{
	unsigned fl, sl;

	list_of(b->size, &fl, &sl);
	b->prev_free = NULL;
	b->next_free = heap.lists[fl][sl];
	if (b->next_free != NULL)
		b->next_free->prev_free = b;
	heap.lists[fl][sl] = b;
	heap.fl_map |= 1u << fl;
	heap.sl_map[fl] |= 1u << sl;
	heap.free_bytes += (size_t)b->size * UNIT;
	heap.free_blocks++;
}

static void
list_remove(struct block *b)
{
	unsigned fl, sl;

	list_of(b->size, &fl, &sl);
	if (b->prev_free != NULL)
		b->prev_free->next_free = b->next_free;
	else
		heap.lists[fl][sl] = b->next_free;
	if (b->next_free != NULL)
		b->next_free->prev_free = b->prev_free;
	if (heap.lists[fl][sl] == NULL) {
		heap.sl_map[fl] &= ~(1u << sl);
		if (heap.sl_map[fl] == 0)
			heap.fl_map &= ~(1u << fl);
	}
	heap.free_bytes -= (size_t)b->size * UNIT;
	heap.free_blocks--;
}

/* A free block of at least units, taken off its list; NULL if there is none. */
static struct block *
take_fitting(uint64_t units)
{
	uint64_t rounded = round_to_list(units);
	unsigned fl, sl;
	uint32_t sl_bits, fl_bits;
	struct block *b;

	if (rounded > MAX_UNITS)
		return NULL;
	list_of((uint32_t)rounded, &fl, &sl);
	sl_bits = heap.sl_map[fl] & (~0u << sl);
	if (sl_bits == 0) {
		fl_bits = fl + 1 < 32 ? heap.fl_map & (~0u << (fl + 1)) : 0;
		if (fl_bits == 0)
			return NULL;
		fl = (unsigned)__builtin_ctz(fl_bits);
		sl_bits = heap.sl_map[fl];
	}
	sl = (unsigned)__builtin_ctz(sl_bits);
	b = heap.lists[fl][sl];
	list_remove(b);
	return b;
}

/*
 * Make b (allocated, or just taken off its list) units long, freeing the tail if it is
 * big enough to be a block, merged with a free right neighbour.
 */
static void
trim(struct block *b, uint32_t units, const char *what, const void *ptr)
{
	struct block *next = next_of(b, what, ptr), *tail;
	uint32_t rest = b->size - units;

	if (rest < MIN_UNITS)
		return;
	if (next != NULL && next->state == STATE_FREE) {
		list_remove(next);
		rest += next->size;
	}
	set_header(b, units, b->prev_size, STATE_USED);
	tail = at_unit(b, units);
	set_header(tail, rest, units, STATE_FREE);
	update_next(tail);
	list_insert(tail);
}

/* Request size in bytes -> block size in units; 0 if it cannot be a block. */
static uint64_t
units_for(size_t size)
{
	uint64_t units;

	if (size > (uint64_t)(MAX_UNITS - 1) * UNIT)
		return 0;
	units = ((uint64_t)size + UNIT - 1) / UNIT + 1;
	return units < MIN_UNITS ? MIN_UNITS : units;
}

int
mg_heap_init(void *base, size_t size)
{
	uintptr_t start = ((uintptr_t)base + UNIT - 1) & ~(uintptr_t)(UNIT - 1);
	uint64_t units;

	if (base == NULL || size < 128 || start - (uintptr_t)base > size - 128)
		return -EINVAL;
	units = (size - (start - (uintptr_t)base)) / UNIT;
	if (units > MAX_UNITS)
		units = MAX_UNITS;
	/* Before the first call the state is all zero already (static storage); clearing
	 * its 7 KiB of lists again would only touch their pages. */
	if (heap.ready)
		memset(&heap, 0, sizeof(heap));
	heap.start = start;
	heap.end = start + units * UNIT;
	heap.first = (struct block *)start;
	set_header(heap.first, (uint32_t)units, 0, STATE_FREE);
	list_insert(heap.first);
	heap.ready = true;
	return 0;
}

void *
malloc(size_t size)
{
	uint64_t units = units_for(size);
	struct block *b;

	if (!heap.ready || units == 0 || (b = take_fitting(units)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	set_header(b, b->size, b->prev_size, STATE_USED);
	trim(b, (uint32_t)units, "malloc", NULL);
	heap.allocations++;
	return (char *)b + HEADER;
}

void *
calloc(size_t nmemb, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(nmemb, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(total);
	if (p != NULL)
		memset(p, 0, total);
	return p;
}

/* The allocated block of a caller's pointer; aborts on anything else. */
static struct block *
block_of(void *ptr, const char *what)
{
	struct block *b;

	if (!heap.ready || (uintptr_t)ptr < heap.start + HEADER || (uintptr_t)ptr >= heap.end)
		heap_fail("heap: %s(%p): pointer not from the heap", what, ptr);
	b = verified((struct block *)((uintptr_t)ptr - HEADER), what, ptr);
	if (b->state == STATE_FREE)
		heap_fail("heap: %s(%p): block already freed (double free or use after free)",
			  what, ptr);
	(void)next_of(b, what, ptr);
	(void)prev_of(b, what, ptr);
	return b;
}

void
free(void *ptr)
{
	struct block *b, *prev, *next;

	if (ptr == NULL)
		return;
	b = block_of(ptr, "free");
	heap.allocations--;
	prev = prev_of(b, "free", ptr);
	next = next_of(b, "free", ptr);
	if (prev != NULL && prev->state == STATE_FREE) {
		list_remove(prev);
		/* The swallowed header keeps saying FREE, so a second free() is caught. */
		set_header(b, b->size, b->prev_size, STATE_FREE);
		prev->size += b->size;
		b = prev;
	}
	if (next != NULL && next->state == STATE_FREE) {
		list_remove(next);
		b->size += next->size;
	}
	set_header(b, b->size, b->prev_size, STATE_FREE);
	update_next(b);
	list_insert(b);
}

void *
realloc(void *ptr, size_t size)
{
	uint64_t units;
	struct block *b, *next;
	void *fresh;
	size_t old_bytes;

	if (ptr == NULL)
		return malloc(size);
	if (size == 0) {
		free(ptr);
		return NULL;
	}
	b = block_of(ptr, "realloc");
	units = units_for(size);
	if (units == 0) {
		errno = ENOMEM;
		return NULL;
	}
	if (units <= b->size) {
		trim(b, (uint32_t)units, "realloc", ptr);
		return ptr;
	}
	next = next_of(b, "realloc", ptr);
	if (next != NULL && next->state == STATE_FREE &&
	    (uint64_t)b->size + next->size >= units) {
		list_remove(next);
		set_header(b, b->size + next->size, b->prev_size, STATE_USED);
		update_next(b);
		trim(b, (uint32_t)units, "realloc", ptr);
		return ptr;
	}
	fresh = malloc(size);
	if (fresh == NULL)
		return NULL;
	old_bytes = (size_t)(b->size - 1) * UNIT;
	memcpy(fresh, ptr, old_bytes);
	free(ptr);
	return fresh;
}

void *
aligned_alloc(size_t alignment, size_t size)
{
	uint64_t units = units_for(size), extra;
	struct block *b, *gap_block;
	uintptr_t payload;
	uint32_t gap;

	if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	if (alignment <= UNIT)
		return malloc(size);
	/* Room to move the payload up to an aligned address, leaving either no gap or a
	 * gap that can stand as a free block of its own. */
	extra = alignment / UNIT + MIN_UNITS;
	if (!heap.ready || units == 0 || units + extra > MAX_UNITS ||
	    (b = take_fitting(units + extra)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	payload = ((uintptr_t)b + HEADER + alignment - 1) & ~(uintptr_t)(alignment - 1);
	gap = (uint32_t)((payload - HEADER - (uintptr_t)b) / UNIT);
	if (gap != 0 && gap < MIN_UNITS)
		gap += (uint32_t)(alignment / UNIT);
	if (gap != 0) {
		/* b's left neighbour is in use (no two free blocks touch), so the gap
		 * stands alone. */
		gap_block = b;
		b = at_unit(b, gap);
		set_header(b, gap_block->size - gap, gap, STATE_USED);
		set_header(gap_block, gap, gap_block->prev_size, STATE_FREE);
		list_insert(gap_block);
		update_next(b);
	} else {
		set_header(b, b->size, b->prev_size, STATE_USED);
	}
	trim(b, (uint32_t)units, "aligned_alloc", NULL);
	heap.allocations++;
	return (char *)b + HEADER;
}

int
posix_memalign(void **memptr, size_t alignment, size_t size)
{
	void *p;

	if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
		return EINVAL;
	p = aligned_alloc(alignment, size);
	if (p == NULL)
		return ENOMEM;
	*memptr = p;
	return 0;
}

void
mg_heap_stats(struct mg_heap_stats *stats)
{
	unsigned fl, sl;
	uint64_t list_start;

	memset(stats, 0, sizeof(*stats));
	if (!heap.ready)
		return;
	stats->size = heap.end - heap.start;
	stats->free = heap.free_bytes;
	stats->used = stats->size - stats->free;
	stats->allocations = heap.allocations;
	stats->free_blocks = heap.free_blocks;
	if (heap.fl_map == 0)
		return;
	/* A request fits iff its rounded size is at most the start of the highest
	 * non-empty list (see take_fitting), whatever the blocks on that list hold. */
	fl = 31u - (unsigned)__builtin_clz(heap.fl_map);
	sl = 31u - (unsigned)__builtin_clz(heap.sl_map[fl]);
	list_start = fl == 0 ? sl : (uint64_t)(SL_COUNT + sl) << (fl - 1);
	stats->largest_free = (size_t)(list_start - 1) * UNIT;
}

/* Every free list holds exactly the free blocks of its size class. */
static void
check_lists(size_t walked_free)
{
	size_t listed = 0;

	for (unsigned fl = 0; fl < FL_COUNT; fl++) {
		if (((heap.fl_map >> fl) & 1) != (heap.sl_map[fl] != 0))
			heap_fail("heap: check: first-level bitmap wrong at %u", fl);
		for (unsigned sl = 0; sl < SL_COUNT; sl++) {
			struct block *b = heap.lists[fl][sl], *prev = NULL;
			if (((heap.sl_map[fl] >> sl) & 1) != (b != NULL))
				heap_fail("heap: check: bitmap wrong for list %u/%u", fl, sl);
			for (; b != NULL; prev = b, b = b->next_free, listed++) {
				unsigned bfl, bsl;
				verified(b, "check", b);
				list_of(b->size, &bfl, &bsl);
				if (b->state != STATE_FREE || bfl != fl || bsl != sl ||
				    b->prev_free != prev)
					heap_fail("heap: check: block %p misfiled on list %u/%u",
						  (void *)b, fl, sl);
				if (listed > walked_free)
					heap_fail("heap: check: free lists hold more blocks "
						  "than the heap");
			}
		}
	}
	if (listed != walked_free)
		heap_fail("heap: check: %zu free blocks, %zu on lists", walked_free, listed);
}

void
mg_heap_check(void)
{
	struct block *b, *prev = NULL;
	size_t free_blocks = 0, free_bytes = 0, used_blocks = 0;

	if (!heap.ready)
		return;
	for (b = heap.first; (uintptr_t)b != heap.end; prev = b, b = at_unit(b, b->size)) {
		verified(b, "check", b);
		if (b->prev_size != (prev != NULL ? prev->size : 0))
			heap_fail("heap: check: block %p: wrong prev_size", (void *)b);
		if (b->state == STATE_FREE) {
			if (prev != NULL && prev->state == STATE_FREE)
				heap_fail("heap: check: free blocks %p and %p not merged",
					  (void *)prev, (void *)b);
			free_blocks++;
			free_bytes += (size_t)b->size * UNIT;
		} else {
			used_blocks++;
		}
	}
	if (free_blocks != heap.free_blocks || free_bytes != heap.free_bytes ||
	    used_blocks != heap.allocations)
		heap_fail("heap: check: counters disagree with the blocks");
	check_lists(free_blocks);
}
