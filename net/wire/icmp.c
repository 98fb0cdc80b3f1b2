/* SPDX-License-Identifier: ISC */
/* icmp.c -- ICMPv4 header codec (RFC 792). */
#include <errno.h>

#include <morgana/net_wire.h>

int
mg_icmp_parse(const void *buf, size_t len, struct mg_icmp_hdr *h)
{
	const uint8_t *p = buf;

	if (len < MG_ICMP_HDR_LEN)
		return -EINVAL;
	h->type = p[0];
	h->code = p[1];
	h->csum = mg_get_be16(p + 2);
	h->rest = mg_get_be32(p + 4);
	return 0;
}

int
mg_icmp_emit(void *buf, size_t len, const struct mg_icmp_hdr *h, uint32_t body_sum)
{
	uint8_t *p = buf;

	if (len < MG_ICMP_HDR_LEN)
		return -ENOSPC;
	p[0] = h->type;
	p[1] = h->code;
	mg_put_be16(p + 2, 0);
	mg_put_be32(p + 4, h->rest);
	mg_put_be16(p + 2, mg_csum_finish(mg_csum_partial(p, MG_ICMP_HDR_LEN, body_sum)));
	return MG_ICMP_HDR_LEN;
}
