/* SPDX-License-Identifier: ISC */
/* fuzz_icmp.c -- the ICMP parser and emitter: parse, re-emit with a fresh checksum over
 * the same body, and the message must then verify. */
#include <string.h>

#include <morgana/net_wire.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[70000];
	struct mg_icmp_hdr h, g;

	if (size > sizeof(msg) || mg_icmp_parse(data, size, &h) != 0)
		return 0;
	memcpy(msg, data, size);
	FUZZ_CHECK(mg_icmp_emit(msg, size, &h, mg_csum_partial(msg + MG_ICMP_HDR_LEN,
				size - MG_ICMP_HDR_LEN, 0)) == MG_ICMP_HDR_LEN);
	FUZZ_CHECK(mg_csum(msg, size) == 0);
	FUZZ_CHECK(mg_icmp_parse(msg, size, &g) == 0);
	FUZZ_CHECK(g.type == h.type && g.code == h.code && g.rest == h.rest);
	return 0;
}
