/* SPDX-License-Identifier: ISC */
/*
 * hvt_ring.c -- the ring data allocator of morgana/hvt_ring.h, driven by a simulated
 * producer and consumer: frames always lie inside the data, never wrap, never overlap a
 * frame still in flight, a frame as large as the data fits once the ring is empty, and a
 * full ring says so instead of overwriting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/hvt_ring.h>

#define DATA	(16u * 1024)

struct frame {
	uint32_t off, len;
};

static uint64_t rng = 88172645463325252ull;

static uint32_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void
assert_disjoint(const struct frame *a, const struct frame *b)
{
	uint64_t a_end = a->off + mg_hvt_ring_round(a->len);
	uint64_t b_end = b->off + mg_hvt_ring_round(b->len);

	if (a->off < b_end && b->off < a_end)
		fail_msg("frames [%u, +%u) and [%u, +%u) overlap", a->off, a->len, b->off,
			 b->len);
}

static void
test_frames_stay_inside_and_never_overlap_in_flight_ones(void **state)
{
	static struct mg_hvt_ring_alloc a;
	static struct frame slot[MG_HVT_RING_SLOTS];
	uint32_t prod = 0, cons = 0, full = 0;

	(void)state;
	mg_hvt_ring_alloc_init(&a, DATA);
	for (int step = 0; step < 200000; step++) {
		if (next_random() % 2 == 0 && prod - cons < MG_HVT_RING_SLOTS) {
			uint32_t len = 14 + next_random() % (next_random() % 4 ? 1500 : DATA - 14);
			int64_t off = mg_hvt_ring_reserve(&a, len, prod == cons);

			if (off < 0) {
				full++;
				continue;
			}
			assert_true(off % MG_HVT_RING_ALIGN == 0);
			assert_true((uint64_t)off + len <= DATA);
			slot[prod % MG_HVT_RING_SLOTS] = (struct frame){ (uint32_t)off, len };
			for (uint32_t i = cons; i != prod; i++)
				assert_disjoint(&slot[i % MG_HVT_RING_SLOTS],
						&slot[prod % MG_HVT_RING_SLOTS]);
			mg_hvt_ring_commit(&a, prod, len);
			prod++;
		} else if (cons != prod) {
			cons += 1 + next_random() % (prod - cons);
			mg_hvt_ring_release(&a, cons - 1);
		}
	}
	assert_true(full > 0);	/* the walk did fill the ring */
}

static void
test_a_frame_as_large_as_the_data_fits_in_an_empty_ring(void **state)
{
	static struct mg_hvt_ring_alloc a;

	(void)state;
	mg_hvt_ring_alloc_init(&a, DATA);
	assert_int_equal(mg_hvt_ring_reserve(&a, 100, true), 0);
	mg_hvt_ring_commit(&a, 0, 100);
	assert_int_equal(mg_hvt_ring_reserve(&a, DATA, false), -1);
	mg_hvt_ring_release(&a, 0);
	assert_int_equal(mg_hvt_ring_reserve(&a, DATA, true), 0);
	assert_int_equal(mg_hvt_ring_reserve(&a, DATA + 1, true), -1);
}

static void
test_a_frame_that_would_cross_the_end_starts_over_at_zero(void **state)
{
	static struct mg_hvt_ring_alloc a;
	int64_t off;

	(void)state;
	mg_hvt_ring_alloc_init(&a, DATA);
	assert_int_equal(mg_hvt_ring_reserve(&a, DATA - 1000, true), 0);
	mg_hvt_ring_commit(&a, 0, DATA - 1000);
	assert_int_equal(mg_hvt_ring_reserve(&a, 2000, false), -1);	/* no room yet */
	mg_hvt_ring_release(&a, 0);
	/* Not empty by the producer's count (say one more frame is queued): still fits. */
	off = mg_hvt_ring_reserve(&a, 2000, false);
	assert_int_equal(off, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames_stay_inside_and_never_overlap_in_flight_ones),
		cmocka_unit_test(test_a_frame_as_large_as_the_data_fits_in_an_empty_ring),
		cmocka_unit_test(test_a_frame_that_would_cross_the_end_starts_over_at_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
