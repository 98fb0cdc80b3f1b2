/* SPDX-License-Identifier: ISC */
/* fuzz_udp.c -- the UDP parser and emitter: what parses re-emits to a datagram whose
 * checksum verifies for the same addresses and fails for others. */
#include <string.h>

#include <morgana/net_wire.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t d[70000];
	struct mg_udp_hdr h, g;
	uint32_t src = 0x0a000001, dst = 0x0a000002;

	if (size > sizeof(d) || mg_udp_parse(data, size, &h) != 0)
		return 0;
	FUZZ_CHECK(h.len >= MG_UDP_HDR_LEN && h.len <= size);
	(void)mg_l4_csum_ok(data, h.len, src, dst, MG_IP_PROTO_UDP);
	memcpy(d, data, h.len);
	FUZZ_CHECK(mg_udp_emit(d, h.len, &h, src, dst, mg_csum_partial(d + MG_UDP_HDR_LEN,
			       h.len - MG_UDP_HDR_LEN, 0)) == MG_UDP_HDR_LEN);
	FUZZ_CHECK(mg_l4_csum_ok(d, h.len, src, dst, MG_IP_PROTO_UDP));
	FUZZ_CHECK(mg_udp_parse(d, h.len, &g) == 0);
	FUZZ_CHECK(g.sport == h.sport && g.dport == h.dport && g.len == h.len && g.csum != 0);
	return 0;
}
