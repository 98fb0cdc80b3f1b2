/* SPDX-License-Identifier: ISC */
/*
 * fuzz_tcp.c -- the TCP header and option parser: no crash on any bytes; options it
 * accepts re-emit (in our layout) to a header that parses to the same options, and the
 * checksum over header and payload verifies.
 */
#include <string.h>

#include <morgana/net_wire.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t seg[70000];
	struct mg_tcp_hdr h, g;
	size_t payload;
	int hl;

	if (size > sizeof(seg) || mg_tcp_parse(data, size, &h) != 0)
		return 0;
	FUZZ_CHECK(h.hdr_len >= MG_TCP_HDR_LEN && h.hdr_len <= size);
	FUZZ_CHECK(h.opts.sack_count <= MG_TCP_SACK_MAX && h.opts.wscale <= MG_TCP_WSCALE_MAX);
	hl = mg_tcp_hdr_len(&h);
	if (hl < 0)
		return 0;	/* SACK with every other option does not fit: refused, fine */
	payload = size - h.hdr_len;
	if ((size_t)hl + payload > UINT16_MAX)
		return 0;
	memcpy(seg + hl, data + h.hdr_len, payload);
	FUZZ_CHECK(mg_tcp_emit(seg, (size_t)hl, &h, 1, 2, (size_t)hl + payload,
			       mg_csum_partial(seg + hl, payload, 0)) == hl);
	FUZZ_CHECK(mg_l4_csum_ok(seg, (size_t)hl + payload, 1, 2, MG_IP_PROTO_TCP));
	FUZZ_CHECK(mg_tcp_parse(seg, (size_t)hl + payload, &g) == 0);
	FUZZ_CHECK(g.sport == h.sport && g.dport == h.dport && g.seq == h.seq &&
		   g.ack == h.ack && g.flags == h.flags && g.window == h.window);
	FUZZ_CHECK(g.opts.has_mss == h.opts.has_mss && g.opts.mss == h.opts.mss);
	FUZZ_CHECK(g.opts.has_wscale == h.opts.has_wscale && g.opts.wscale == h.opts.wscale);
	FUZZ_CHECK(g.opts.sack_permitted == h.opts.sack_permitted);
	FUZZ_CHECK(g.opts.has_ts == h.opts.has_ts && g.opts.ts_val == h.opts.ts_val &&
		   g.opts.ts_ecr == h.opts.ts_ecr);
	FUZZ_CHECK(g.opts.sack_count == h.opts.sack_count);
	FUZZ_CHECK(memcmp(g.opts.sack, h.opts.sack, sizeof(g.opts.sack[0]) *
			  g.opts.sack_count) == 0);
	return 0;
}
