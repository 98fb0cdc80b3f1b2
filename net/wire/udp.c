/* SPDX-License-Identifier: ISC */
/* udp.c -- UDP header codec (RFC 768). */
#include <errno.h>

#include <morgana/net_wire.h>

int
mg_udp_parse(const void *buf, size_t len, struct mg_udp_hdr *h)
{
	const uint8_t *p = buf;

	if (len < MG_UDP_HDR_LEN)
		return -EINVAL;
	h->sport = mg_get_be16(p);
	h->dport = mg_get_be16(p + 2);
	h->len = mg_get_be16(p + 4);
	h->csum = mg_get_be16(p + 6);
	if (h->len < MG_UDP_HDR_LEN || h->len > len)
		return -EINVAL;
	return 0;
}

int
mg_udp_emit(void *buf, size_t len, const struct mg_udp_hdr *h, uint32_t src, uint32_t dst,
	    uint32_t payload_sum)
{
	uint8_t *p = buf;
	uint16_t csum;

	if (len < MG_UDP_HDR_LEN)
		return -ENOSPC;
	if (h->len < MG_UDP_HDR_LEN)
		return -EINVAL;
	mg_put_be16(p, h->sport);
	mg_put_be16(p + 2, h->dport);
	mg_put_be16(p + 4, h->len);
	mg_put_be16(p + 6, 0);
	csum = mg_csum_finish(mg_csum_partial(p, MG_UDP_HDR_LEN,
			      mg_csum_add(payload_sum, mg_csum_pseudo_ipv4(src, dst,
					  MG_IP_PROTO_UDP, h->len))));
	/* Zero means "no checksum" in UDP; its ones'-complement twin is sent instead. */
	mg_put_be16(p + 6, csum == 0 ? 0xffff : csum);
	return MG_UDP_HDR_LEN;
}
