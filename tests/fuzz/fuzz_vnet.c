/* SPDX-License-Identifier: ISC */
/* fuzz_vnet.c -- the virtio-net header codec: what parses names a checksum field inside
 * the frame and re-emits to the same 12 bytes. */
#include <string.h>

#include <morgana/net_wire.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_vnet_hdr h, g;
	uint8_t out[MG_VNET_HDR_LEN];

	if (mg_vnet_hdr_parse(data, size, &h) != 0)
		return 0;
	FUZZ_CHECK(size >= MG_VNET_HDR_LEN);
	if (h.flags & MG_VNET_F_NEEDS_CSUM)
		FUZZ_CHECK((size_t)h.csum_start + h.csum_offset + 2 <= size - MG_VNET_HDR_LEN);
	FUZZ_CHECK(h.gso_type == MG_VNET_GSO_NONE || h.gso_size != 0);
	FUZZ_CHECK(mg_vnet_hdr_emit(out, sizeof(out), &h) == MG_VNET_HDR_LEN);
	FUZZ_CHECK(memcmp(out, data, MG_VNET_HDR_LEN) == 0);
	if (!(h.flags & MG_VNET_F_NEEDS_CSUM)) {
		FUZZ_CHECK(mg_vnet_hdr_parse(out, sizeof(out), &g) == 0);
		FUZZ_CHECK(memcmp(&g, &h, sizeof(g)) == 0);
	}
	return 0;
}
