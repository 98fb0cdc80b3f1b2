/* SPDX-License-Identifier: ISC */
/*
 * libc_malloc.c -- the guest heap (TLSF malloc) under random load against a shadow model
 * of what every live block must hold, plus exhaustion, the exactness of
 * mg_heap_stats().largest_free, argument checks, and detection of heap corruption
 * (caught by turning mg_plat_abort() into a longjmp).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "libc_mgc.h"

#define ARENA_SIZE	(4u << 20)
#define SLOTS		600
#define OPS		40000

static unsigned char arena[ARENA_SIZE + 64] __attribute__((aligned(64)));

struct slot {
	unsigned char *p;	/* NULL when empty */
	size_t size;
	size_t align;
	uint8_t tag;		/* seeds the expected contents */
};
static struct slot slots[SLOTS];

static void
heap_fresh(size_t offset)
{
	assert_int_equal(mgc_mg_heap_init(arena + offset, ARENA_SIZE - offset), 0);
	memset(slots, 0, sizeof(slots));
}

static unsigned char
expected_byte(const struct slot *s, size_t i)
{
	return (unsigned char)(s->tag ^ (i * 131) ^ (i >> 8));
}

static void
slot_fill(struct slot *s)
{
	for (size_t i = 0; i < s->size; i++)
		s->p[i] = expected_byte(s, i);
}

static void
slot_verify(const struct slot *s, size_t upto)
{
	for (size_t i = 0; i < upto && i < s->size; i++)
		if (s->p[i] != expected_byte(s, i))
			fail_msg("block %p (size %zu): byte %zu changed", (void *)s->p, s->size, i);
}

/* A new block must be aligned, inside the arena and disjoint from every live block. */
static void
slot_check_placement(const struct slot *s)
{
	uintptr_t a = (uintptr_t)s->p;

	if (a % s->align != 0)
		fail_msg("block %p not aligned to %zu", (void *)s->p, s->align);
	if (s->p < arena || s->p + s->size > arena + sizeof(arena))
		fail_msg("block %p (size %zu) outside the heap", (void *)s->p, s->size);
	for (size_t i = 0; i < SLOTS; i++) {
		const struct slot *o = &slots[i];
		if (o == s || o->p == NULL)
			continue;
		if (s->p < o->p + (o->size ? o->size : 1) && o->p < s->p + (s->size ? s->size : 1))
			fail_msg("block %p (size %zu) overlaps %p (size %zu)", (void *)s->p,
				 s->size, (void *)o->p, o->size);
	}
}

static size_t
random_size(void)
{
	switch (lt_below(10)) {
	case 0: return lt_below(17);
	case 1: case 2: case 3: case 4: case 5: return lt_below(256);
	case 6: case 7: return lt_below(4096);
	case 8: return lt_below(65536);
	default: return lt_below(lt_below(32) == 0 ? 1u << 20 : 16384);
	}
}

static void
check_stats(size_t live)
{
	struct mg_heap_stats st;

	mgc_mg_heap_check();
	mgc_mg_heap_stats(&st);
	assert_int_equal(st.used + st.free, st.size);
	assert_int_equal(st.allocations, live);
	assert_true(st.largest_free <= st.free);
}

/* A plain malloc may fail only if the request exceeds what stats say would fit. */
static void
check_failure_justified(size_t size)
{
	struct mg_heap_stats st;

	mgc_mg_heap_stats(&st);
	if (size <= st.largest_free)
		fail_msg("malloc(%zu) failed with largest_free %zu", size, st.largest_free);
	assert_int_equal(mgc_errno, ENOMEM);
}

static void
op_allocate(struct slot *s)
{
	size_t size = random_size();
	unsigned kind = (unsigned)lt_below(5);

	s->size = size;
	s->align = 16;
	s->tag = (uint8_t)lt_rand();
	mgc_errno = 0;
	if (kind == 0) {
		s->p = mgc_calloc(1 + lt_below(4), size / 4 + 1);
		s->size = 0;
		if (s->p != NULL)	/* all of it zero */
			for (size_t i = 0; i < size / 4 + 1; i++)
				assert_int_equal(s->p[i], 0);
	} else if (kind == 1) {
		s->align = (size_t)1 << lt_below(13);
		s->p = mgc_aligned_alloc(s->align, size);
		if (s->align < 16)
			s->align = 16;
	} else {
		s->p = mgc_malloc(size);
		if (s->p == NULL)
			check_failure_justified(size);
	}
	if (s->p == NULL)
		return;
	slot_check_placement(s);
	slot_fill(s);
}

static void
op_realloc(struct slot *s)
{
	size_t size = lt_below(2) ? s->size / (1 + lt_below(4)) : s->size + random_size();
	unsigned char *p;

	if (size == 0)
		size = 1;
	mgc_errno = 0;
	p = mgc_realloc(s->p, size);
	if (p == NULL) {		/* failed: the old block must be intact */
		assert_int_equal(mgc_errno, ENOMEM);
		slot_verify(s, s->size);
		return;
	}
	s->p = p;
	slot_verify(s, size);
	s->size = size;
	s->align = 16;
	slot_check_placement(s);
	slot_fill(s);
}

static void
test_malloc_before_init_returns_null(void **state)
{
	struct mg_heap_stats st;
	void *p = &st;

	(void)state;
	assert_null(mgc_malloc(1));
	assert_null(mgc_calloc(1, 1));
	assert_null(mgc_aligned_alloc(64, 1));
	assert_null(mgc_realloc(NULL, 8));
	assert_int_equal(mgc_posix_memalign(&p, 64, 8), ENOMEM);
	mgc_free(NULL);
	mgc_mg_heap_stats(&st);
	assert_int_equal(st.size, 0);
	assert_int_equal(st.largest_free, 0);
	LT_EXPECT_ABORT(mgc_free(arena + 64), "not from the heap");
}

static void
test_heap_init_rejects_unusable_regions(void **state)
{
	(void)state;
	assert_int_equal(mgc_mg_heap_init(NULL, 1 << 20), -EINVAL);
	assert_int_equal(mgc_mg_heap_init(arena, 100), -EINVAL);
	assert_int_equal(mgc_mg_heap_init(arena + 1, 128), -EINVAL);
	assert_int_equal(mgc_mg_heap_init(arena, 128), 0);
	assert_non_null(mgc_malloc(16));
	assert_null(mgc_malloc(200));
	mgc_mg_heap_check();
}

static void
test_random_operations_keep_contents_and_never_overlap(void **state)
{
	size_t live = 0;

	(void)state;
	heap_fresh(lt_below(64));
	for (int op = 1; op <= OPS; op++) {
		struct slot *s = &slots[lt_below(SLOTS)];
		if (s->p == NULL) {
			op_allocate(s);
			live += s->p != NULL;
		} else if (lt_below(3) == 0) {
			op_realloc(s);
		} else {
			slot_verify(s, s->size);
			mgc_free(s->p);
			s->p = NULL;
			live--;
		}
		if (op % 2000 == 0) {
			check_stats(live);
			for (size_t i = 0; i < SLOTS; i++)
				if (slots[i].p != NULL)
					slot_verify(&slots[i], slots[i].size);
		}
	}
	for (size_t i = 0; i < SLOTS; i++)
		mgc_free(slots[i].p);
	check_stats(0);

	/* Everything merged back into one block. */
	struct mg_heap_stats st;
	mgc_mg_heap_stats(&st);
	assert_int_equal(st.free_blocks, 1);
}

static void
test_exhaustion_returns_null_and_frees_recover_everything(void **state)
{
	struct mg_heap_stats before, after;
	size_t n = 0;

	(void)state;
	heap_fresh(0);
	mgc_mg_heap_stats(&before);
	for (;;) {
		struct slot *s = &slots[n % SLOTS];
		void *p = mgc_malloc(1000);
		if (p == NULL)
			break;
		/* Keep the first SLOTS for freeing one by one; the rest go in bulk. */
		if (n < SLOTS)
			s->p = p;
		n++;
	}
	assert_int_equal(mgc_errno, ENOMEM);
	assert_true(n >= ARENA_SIZE / 1024 - 8);	/* 1000 bytes + header, rounded */
	assert_true(n <= ARENA_SIZE / 1008);
	assert_null(mgc_malloc(1000));
	/* Fill what is left at the end with the smallest blocks. */
	for (int i = 0; i < 100 && mgc_malloc(0) != NULL; i++)
		;
	assert_null(mgc_malloc(0));
	mgc_free(slots[7].p);
	assert_ptr_equal(mgc_malloc(900), slots[7].p);	/* the only hole */

	heap_fresh(0);
	mgc_mg_heap_stats(&after);
	assert_memory_equal(&before, &after, sizeof(before));
}

static void
test_largest_free_is_exactly_the_largest_malloc_that_succeeds(void **state)
{
	(void)state;
	heap_fresh(16);
	for (int round = 0; round < 300; round++) {
		struct slot *s = &slots[lt_below(SLOTS)];
		struct mg_heap_stats st;
		void *p;

		if (s->p == NULL) {
			s->size = random_size() * 4;
			s->p = mgc_malloc(s->size);
		} else {
			mgc_free(s->p);
			s->p = NULL;
		}
		mgc_mg_heap_stats(&st);
		if (st.largest_free == 0)
			continue;
		p = mgc_malloc(st.largest_free);
		if (p == NULL)
			fail_msg("malloc(largest_free = %zu) failed", st.largest_free);
		mgc_free(p);
		assert_null(mgc_malloc(st.largest_free + 1));
	}
}

static void
test_bad_arguments_fail_cleanly(void **state)
{
	void *p = NULL, *q;

	(void)state;
	heap_fresh(0);
	mgc_errno = 0;
	assert_null(mgc_calloc(SIZE_MAX / 2, 3));
	assert_int_equal(mgc_errno, ENOMEM);
	assert_null(mgc_calloc((size_t)1 << 32, (size_t)1 << 32));
	assert_null(mgc_malloc(SIZE_MAX));
	assert_null(mgc_malloc(SIZE_MAX - 15));
	assert_null(mgc_malloc(ARENA_SIZE));
	assert_null(mgc_aligned_alloc(SIZE_MAX / 2 + 1, 16));
	mgc_errno = 0;
	assert_null(mgc_aligned_alloc(48, 16));
	assert_int_equal(mgc_errno, EINVAL);
	assert_null(mgc_aligned_alloc(0, 16));
	assert_int_equal(mgc_posix_memalign(&p, 4, 16), EINVAL);
	assert_int_equal(mgc_posix_memalign(&p, 24, 16), EINVAL);
	assert_int_equal(mgc_posix_memalign(&p, 4096, SIZE_MAX), ENOMEM);
	assert_int_equal(mgc_posix_memalign(&p, 4096, 10), 0);
	assert_int_equal((uintptr_t)p % 4096, 0);
	mgc_free(p);

	/* A failed realloc leaves the block alone. */
	p = mgc_malloc(40);
	memset(p, 0x77, 40);
	assert_null(mgc_realloc(p, SIZE_MAX));
	assert_null(mgc_realloc(p, ARENA_SIZE));
	for (int i = 0; i < 40; i++)
		assert_int_equal(((unsigned char *)p)[i], 0x77);
	mgc_free(p);
	check_stats(0);

	/* malloc(0) is a real, unique block; realloc(p, 0) frees. */
	p = mgc_malloc(0);
	q = mgc_malloc(0);
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	mgc_free(q);
	assert_null(mgc_realloc(p, 0));
	check_stats(0);
	p = mgc_realloc(NULL, 24);
	assert_non_null(p);
	check_stats(1);
	mgc_free(p);
}

static void
test_corruption_aborts_naming_the_fault(void **state)
{
	unsigned char *p, *q, on_stack[32];

	(void)state;
	heap_fresh(0);
	p = mgc_malloc(64);
	mgc_free(p);
	LT_EXPECT_ABORT(mgc_free(p), "already freed");
	LT_EXPECT_ABORT(mgc_realloc(p, 10), "already freed");

	LT_EXPECT_ABORT(mgc_free(on_stack + 16), "not from the heap");
	p = mgc_malloc(64);
	LT_EXPECT_ABORT(mgc_free(p + 1), "not from the heap");
	memset(p, 0, 64);
	LT_EXPECT_ABORT(mgc_free(p + 32), "corrupted");

	/* Overrunning p by a few bytes reaches q's header: both frees notice. */
	heap_fresh(0);
	p = mgc_malloc(48);
	q = mgc_malloc(48);
	assert_ptr_equal(q, p + 64);
	memset(p, 'A', 52);
	LT_EXPECT_ABORT(mgc_free(q), "corrupted");
	LT_EXPECT_ABORT(mgc_free(p), "corrupted");
	LT_EXPECT_ABORT(mgc_realloc(p, 4000), "corrupted");

	/* Underrun into a block's own header. */
	heap_fresh(0);
	p = mgc_malloc(48);
	p[-3] ^= 1;
	LT_EXPECT_ABORT(mgc_free(p), "corrupted");

	/* A size field rewritten consistently with the check word is still caught by
	 * the neighbour that disagrees. Simulated by swapping two headers. */
	heap_fresh(0);
	p = mgc_malloc(48);
	q = mgc_malloc(96);
	unsigned char saved[16];
	memcpy(saved, p - 16, 16);
	memcpy(p - 16, q - 16, 16);
	LT_EXPECT_ABORT(mgc_free(p), "heap: free(");
	memcpy(p - 16, saved, 16);
	mgc_free(p);
	mgc_free(q);
	check_stats(0);
}

/* A region past what block sizes can express: the heap uses its first 64 GiB. Only a
 * few pages are ever touched, so a sparse mapping stands in for the memory. */
static void
test_huge_region_is_capped_and_serves_huge_blocks(void **state)
{
	const size_t region = (size_t)80 << 30, cap = (size_t)0xffffffff * 16;
	struct mg_heap_stats st;
	unsigned char *base, *p, *q;

	(void)state;
	base = mmap(NULL, region, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		printf("# skip: cannot map 80 GiB sparse (strict overcommit?): %s\n",
		       strerror(errno));
		skip();
	}
	assert_int_equal(mgc_mg_heap_init(base, region), 0);
	mgc_mg_heap_stats(&st);
	assert_int_equal(st.size, cap);
	p = mgc_malloc((size_t)40 << 30);
	assert_non_null(p);
	q = mgc_aligned_alloc((size_t)1 << 30, (size_t)1 << 30);
	assert_non_null(q);
	assert_int_equal((uintptr_t)q % ((size_t)1 << 30), 0);
	assert_true(q + ((size_t)1 << 30) <= base + cap);
	p[0] = 1;
	p[((size_t)40 << 30) - 1] = 2;
	mgc_free(p);
	mgc_free(q);
	mgc_mg_heap_check();
	mgc_mg_heap_stats(&st);
	assert_int_equal(st.free_blocks, 1);
	assert_int_equal(munmap(base, region), 0);
}

/*
 * Initialising writes the first block's header and free links and nothing else of the
 * region (on hvt each page touched costs a VM exit); the last block still serves,
 * splits and merges up to the region's very end.
 */
static void
test_init_touches_only_the_start_and_the_end_still_serves(void **state)
{
	struct mg_heap_stats st;
	unsigned char *p, *q;

	(void)state;
	memset(arena, 0xa5, sizeof(arena));
	assert_int_equal(mgc_mg_heap_init(arena, ARENA_SIZE), 0);
	for (size_t i = 32; i < ARENA_SIZE; i++)
		if (arena[i] != 0xa5)
			fail_msg("mg_heap_init wrote byte %zu of the region", i);
	mgc_mg_heap_stats(&st);
	assert_int_equal(st.size, ARENA_SIZE);
	assert_int_equal(st.free, ARENA_SIZE);
	/* The largest block ends at the region's end; freeing it merges all back. */
	p = mgc_malloc(64);
	assert_non_null(p);
	mgc_mg_heap_stats(&st);
	q = mgc_malloc(st.largest_free);
	assert_non_null(q);
	memset(q, 0x3c, st.largest_free);
	assert_true(q + st.largest_free <= arena + ARENA_SIZE);
	mgc_mg_heap_check();
	mgc_free(p);
	mgc_mg_heap_check();
	mgc_free(q);
	mgc_mg_heap_check();
	mgc_mg_heap_stats(&st);
	assert_int_equal(st.free, ARENA_SIZE);
	assert_int_equal(st.free_blocks, 1);
	assert_int_equal(st.allocations, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* Must stay first: nothing has called mg_heap_init() yet. */
		cmocka_unit_test(test_malloc_before_init_returns_null),
		cmocka_unit_test(test_heap_init_rejects_unusable_regions),
		cmocka_unit_test(test_random_operations_keep_contents_and_never_overlap),
		cmocka_unit_test(test_exhaustion_returns_null_and_frees_recover_everything),
		cmocka_unit_test(test_largest_free_is_exactly_the_largest_malloc_that_succeeds),
		cmocka_unit_test(test_bad_arguments_fail_cleanly),
		cmocka_unit_test(test_corruption_aborts_naming_the_fault),
		cmocka_unit_test(test_huge_region_is_capped_and_serves_huge_blocks),
		cmocka_unit_test(test_init_touches_only_the_start_and_the_end_still_serves),
	};

	lt_seed("libc_malloc");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
