/* SPDX-License-Identifier: ISC */
/* eth.c -- Ethernet II header codec. */
#include <errno.h>
#include <string.h>

#include <morgana/net_wire.h>

int
mg_eth_parse(const void *buf, size_t len, struct mg_eth_hdr *h)
{
	const uint8_t *p = buf;

	if (len < MG_ETH_HDR_LEN)
		return -EINVAL;
	memcpy(h->dst.b, p, 6);
	memcpy(h->src.b, p + 6, 6);
	h->type = mg_get_be16(p + 12);
	/* Values below 0x0600 are IEEE 802.3 lengths, not EtherTypes. */
	if (h->type < 0x0600)
		return -EINVAL;
	return 0;
}

int
mg_eth_emit(void *buf, size_t len, const struct mg_eth_hdr *h)
{
	uint8_t *p = buf;

	if (len < MG_ETH_HDR_LEN)
		return -ENOSPC;
	if (h->type < 0x0600)
		return -EINVAL;
	memcpy(p, h->dst.b, 6);
	memcpy(p + 6, h->src.b, 6);
	mg_put_be16(p + 12, h->type);
	return MG_ETH_HDR_LEN;
}
