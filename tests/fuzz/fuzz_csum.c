/* SPDX-License-Identifier: ISC */
/*
 * fuzz_csum.c -- the checksum's fast path against the obvious one, at every split of
 * the input into two even pieces, and the incremental update against recomputation.
 */
#include <string.h>

#include <morgana/net_wire.h>

#include "fuzz.h"

static uint16_t
slow_csum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int
all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t want = slow_csum(data, size);
	size_t cut = size > 0 ? ((data[0] * 2u) % (size + 1)) & ~(size_t)1 : 0;

	FUZZ_CHECK(mg_csum(data, size) == want);
	FUZZ_CHECK(mg_csum_finish(mg_csum_partial(data + cut, size - cut,
			mg_csum_partial(data, cut, 0))) == want);
	if (size >= 8 && size % 2 == 0) {
		uint8_t copy[4096];
		size_t n = size < sizeof(copy) ? size : sizeof(copy);
		uint16_t c = slow_csum(data, n), old = mg_get_be16(data + 2), new_val;

		memcpy(copy, data, n);
		new_val = mg_get_be16(data + 4) ^ mg_get_be16(data + 6);
		mg_put_be16(copy + 2, new_val);
		/*
		 * The update equals recomputation, except over data that is all zero after
		 * the change: recomputation gives 0xffff, the update 0x0000 (both mean zero
		 * in ones' complement). A real header is never all zero (version, length).
		 */
		if (!all_zero(copy, n))
			FUZZ_CHECK(mg_csum_update16(c, old, new_val) == slow_csum(copy, n));
	}
	return 0;
}
