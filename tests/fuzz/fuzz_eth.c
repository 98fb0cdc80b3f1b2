/* SPDX-License-Identifier: ISC */
/* fuzz_eth.c -- Ethernet and ARP parsers: no crash, and what parses re-emits the same. */
#include <string.h>

#include <morgana/net_wire.h>

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_eth_hdr h;
	struct mg_arp a;
	uint8_t out[MG_ARP_LEN];

	if (mg_eth_parse(data, size, &h) == 0) {
		FUZZ_CHECK(size >= MG_ETH_HDR_LEN && h.type >= 0x0600);
		FUZZ_CHECK(mg_eth_emit(out, sizeof(out), &h) == MG_ETH_HDR_LEN);
		FUZZ_CHECK(memcmp(out, data, MG_ETH_HDR_LEN) == 0);
	}
	if (mg_arp_parse(data, size, &a) == 0) {
		FUZZ_CHECK(size >= MG_ARP_LEN);
		FUZZ_CHECK(mg_arp_emit(out, sizeof(out), &a) == MG_ARP_LEN);
		FUZZ_CHECK(memcmp(out, data, MG_ARP_LEN) == 0);
	}
	return 0;
}
