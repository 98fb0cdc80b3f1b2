/* SPDX-License-Identifier: ISC */
/*
 * fuzz_http_chunked.c -- libFuzzer target for the chunked decoder. Properties: it never
 * reads or writes out of bounds (ASan), never produces more than max or than it
 * consumed, and decoding in one go or split at a point chosen by the data gives the
 * same result and the same bytes.
 *
 *	make fuzz-http && build/fuzz/fuzz_http_chunked -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/http.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char whole[1 << 16], split[1 << 16];
	struct mg_http_chunked a, b;
	size_t used_a, made_a, used_b1, made_b1, used_b2 = 0, made_b2 = 0, cut;
	const uint64_t max = 4096;
	int ra, rb;

	if (size < 1 || size > sizeof(whole))
		return 0;
	cut = data[0] % size;
	data++;
	size--;
	mg_http_chunked_init(&a, max);
	ra = mg_http_chunked_decode(&a, (const char *)data, size, &used_a, whole, sizeof(whole),
				    &made_a);
	if (used_a > size || made_a > max || made_a > used_a)
		abort();

	mg_http_chunked_init(&b, max);
	if (cut > size)
		cut = size;
	rb = mg_http_chunked_decode(&b, (const char *)data, cut, &used_b1, split, sizeof(split),
				    &made_b1);
	if (rb == 0 && used_b1 == cut)
		rb = mg_http_chunked_decode(&b, (const char *)data + cut, size - cut, &used_b2,
					    split + made_b1, sizeof(split) - made_b1, &made_b2);
	else
		used_b2 = made_b2 = 0;
	if (rb != ra)
		abort();
	if (ra >= 0 && (used_b1 + used_b2 != used_a || made_b1 + made_b2 != made_a ||
			memcmp(whole, split, made_a) != 0))
		abort();
	return 0;
}
