/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ipv4.c -- the IPv4 parser: no crash or overread, everything it accepts is
 * self-consistent, and emitting what it parsed gives a header that parses to the same
 * fields with a right checksum.
 */
#include <string.h>

#include <morgana/net_wire.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_ipv4_hdr h, g;
	uint8_t out[MG_IPV4_HDR_LEN];

	if (mg_ipv4_parse(data, size, &h) != 0)
		return 0;
	(void)mg_ipv4_csum_ok(data, h.hdr_len);
	FUZZ_CHECK(h.hdr_len >= MG_IPV4_HDR_LEN && h.hdr_len <= MG_IPV4_HDR_MAX);
	FUZZ_CHECK(h.hdr_len <= h.total_len && h.total_len <= size);
	FUZZ_CHECK((size_t)h.frag_off + h.total_len <= MG_IPV4_MAX_LEN);
	FUZZ_CHECK(h.frag_off % 8 == 0);
	/* Re-emit without options: the payload keeps its length. */
	h.total_len = (uint16_t)(h.total_len - h.hdr_len + MG_IPV4_HDR_LEN);
	FUZZ_CHECK(mg_ipv4_emit(out, sizeof(out), &h) == MG_IPV4_HDR_LEN);
	FUZZ_CHECK(mg_ipv4_csum_ok(out, sizeof(out)));
	/* The emitted header alone is shorter than total_len says; parse it with room. */
	{
		static uint8_t room[MG_IPV4_MAX_LEN];

		memcpy(room, out, sizeof(out));
		FUZZ_CHECK(mg_ipv4_parse(room, h.total_len, &g) == 0);
	}
	FUZZ_CHECK(g.total_len == h.total_len && g.id == h.id && g.df == h.df &&
		   g.mf == h.mf && g.frag_off == h.frag_off && g.ttl == h.ttl &&
		   g.proto == h.proto && g.src == h.src && g.dst == h.dst && g.tos == h.tos);
	return 0;
}
