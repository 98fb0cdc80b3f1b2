/* SPDX-License-Identifier: ISC */
/* ipv4.c -- IPv4 header codec (RFC 791). Options are checked for syntax and skipped. */
#include <errno.h>

#include <morgana/net_wire.h>

#define IPV4_FLAG_RESERVED	0x8000
#define IPV4_FLAG_DF		0x4000
#define IPV4_FLAG_MF		0x2000
#define IPV4_OFFSET_MASK	0x1fff
#define IPV4_OPT_EOL		0
#define IPV4_OPT_NOP		1

static int options_check(const uint8_t *opt, size_t len);

/* Every option but EOL and NOP carries a length byte that covers the whole option. */
static int
options_check(const uint8_t *opt, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (opt[i] == IPV4_OPT_EOL)
			return 0;
		if (opt[i] == IPV4_OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return -EINVAL;
		i += opt[i + 1];
	}
	return 0;
}

int
mg_ipv4_parse(const void *buf, size_t len, struct mg_ipv4_hdr *h)
{
	const uint8_t *p = buf;
	uint16_t frag;

	if (len < MG_IPV4_HDR_LEN || (p[0] >> 4) != 4)
		return -EINVAL;
	h->hdr_len = (uint8_t)((p[0] & 0x0f) * 4);
	if (h->hdr_len < MG_IPV4_HDR_LEN || h->hdr_len > len)
		return -EINVAL;
	h->tos = p[1];
	h->total_len = mg_get_be16(p + 2);
	if (h->total_len < h->hdr_len || h->total_len > len)
		return -EINVAL;
	h->id = mg_get_be16(p + 4);
	frag = mg_get_be16(p + 6);
	if (frag & IPV4_FLAG_RESERVED)
		return -EINVAL;
	h->df = (frag & IPV4_FLAG_DF) != 0;
	h->mf = (frag & IPV4_FLAG_MF) != 0;
	h->frag_off = (uint16_t)((frag & IPV4_OFFSET_MASK) * 8);
	if ((size_t)h->frag_off + h->total_len > (size_t)MG_IPV4_MAX_LEN)
		return -EINVAL;
	h->ttl = p[8];
	h->proto = p[9];
	h->csum = mg_get_be16(p + 10);
	h->src = mg_get_be32(p + 12);
	h->dst = mg_get_be32(p + 16);
	return options_check(p + MG_IPV4_HDR_LEN, h->hdr_len - MG_IPV4_HDR_LEN);
}

bool
mg_ipv4_csum_ok(const void *buf, size_t hdr_len)
{
	return mg_csum(buf, hdr_len) == 0;
}

int
mg_ipv4_emit(void *buf, size_t len, const struct mg_ipv4_hdr *h)
{
	uint8_t *p = buf;
	uint16_t frag;

	if (len < MG_IPV4_HDR_LEN)
		return -ENOSPC;
	if (h->total_len < MG_IPV4_HDR_LEN || (h->frag_off & 7) != 0 ||
	    (size_t)h->frag_off + h->total_len - MG_IPV4_HDR_LEN > MG_IPV4_MAX_LEN -
	    MG_IPV4_HDR_LEN)
		return -EINVAL;
	frag = (uint16_t)((h->frag_off / 8) | (h->df ? IPV4_FLAG_DF : 0) |
			  (h->mf ? IPV4_FLAG_MF : 0));
	p[0] = 0x45;
	p[1] = h->tos;
	mg_put_be16(p + 2, h->total_len);
	mg_put_be16(p + 4, h->id);
	mg_put_be16(p + 6, frag);
	p[8] = h->ttl;
	p[9] = h->proto;
	mg_put_be16(p + 10, 0);
	mg_put_be32(p + 12, h->src);
	mg_put_be32(p + 16, h->dst);
	mg_put_be16(p + 10, mg_csum(p, MG_IPV4_HDR_LEN));
	return MG_IPV4_HDR_LEN;
}
