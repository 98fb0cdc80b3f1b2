/* SPDX-License-Identifier: ISC */
/*
 * tcp.c -- TCP header and option codec (RFC 9293; MSS; window scale and timestamps of
 * RFC 7323; SACK of RFC 2018).
 *
 * Options are emitted in the layout most stacks use, so that each multi-byte option
 * starts 4-byte aligned: MSS, NOP+WS, NOP+NOP+SACK-permitted (or SACK-permitted +
 * timestamps together), NOP+NOP+TS, NOP+NOP+SACK blocks.
 */
#include <errno.h>
#include <string.h>

#include <morgana/net_wire.h>

#define OPT_EOL		0
#define OPT_NOP		1
#define OPT_MSS		2
#define OPT_WSCALE	3
#define OPT_SACK_PERM	4
#define OPT_SACK	5
#define OPT_TS		8
#define OPTS_MAX	(MG_TCP_HDR_MAX - MG_TCP_HDR_LEN)

static int option_parse(const uint8_t *opt, uint8_t olen, struct mg_tcp_opts *o);
static size_t opts_emit(uint8_t *p, const struct mg_tcp_opts *o);
static void hdr_emit(uint8_t *p, int hdr_len, const struct mg_tcp_hdr *h);
static int emit_check(size_t len, const struct mg_tcp_hdr *h, size_t seg_len);

/* One option of olen bytes (kind and length included), length already bounded. */
static int
option_parse(const uint8_t *opt, uint8_t olen, struct mg_tcp_opts *o)
{
	switch (opt[0]) {
	case OPT_MSS:
		if (olen != 4)
			return -EINVAL;
		o->has_mss = true;
		o->mss = mg_get_be16(opt + 2);
		break;
	case OPT_WSCALE:
		if (olen != 3)
			return -EINVAL;
		o->has_wscale = true;
		o->wscale = opt[2] > MG_TCP_WSCALE_MAX ? MG_TCP_WSCALE_MAX : opt[2];
		break;
	case OPT_SACK_PERM:
		if (olen != 2)
			return -EINVAL;
		o->sack_permitted = true;
		break;
	case OPT_TS:
		if (olen != 10)
			return -EINVAL;
		o->has_ts = true;
		o->ts_val = mg_get_be32(opt + 2);
		o->ts_ecr = mg_get_be32(opt + 6);
		break;
	case OPT_SACK:
		if (olen < 10 || (olen - 2) % 8 != 0 || (olen - 2) / 8 > MG_TCP_SACK_MAX)
			return -EINVAL;
		o->sack_count = (uint8_t)((olen - 2) / 8);
		for (size_t i = 0; i < o->sack_count; i++) {
			o->sack[i].left = mg_get_be32(opt + 2 + 8 * i);
			o->sack[i].right = mg_get_be32(opt + 6 + 8 * i);
		}
		break;
	default:
		break;	/* unknown: skipped by its length */
	}
	return 0;
}

int
mg_tcp_opts_parse(const void *buf, size_t len, struct mg_tcp_opts *o)
{
	const uint8_t *p = buf;
	size_t i = 0;
	int err;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		if (p[i] == OPT_EOL)
			break;
		if (p[i] == OPT_NOP) {
			i++;
			continue;
		}
		if (len - i < 2 || p[i + 1] < 2 || p[i + 1] > len - i)
			return -EINVAL;
		if ((err = option_parse(p + i, p[i + 1], o)) != 0)
			return err;
		i += p[i + 1];
	}
	return 0;
}

int
mg_tcp_parse(const void *buf, size_t len, struct mg_tcp_hdr *h)
{
	const uint8_t *p = buf;

	if (len < MG_TCP_HDR_LEN)
		return -EINVAL;
	h->hdr_len = (uint8_t)((p[12] >> 4) * 4);
	if (h->hdr_len < MG_TCP_HDR_LEN || h->hdr_len > len)
		return -EINVAL;
	h->sport = mg_get_be16(p);
	h->dport = mg_get_be16(p + 2);
	h->seq = mg_get_be32(p + 4);
	h->ack = mg_get_be32(p + 8);
	h->flags = p[13];
	h->window = mg_get_be16(p + 14);
	h->csum = mg_get_be16(p + 16);
	h->urgent = mg_get_be16(p + 18);
	return mg_tcp_opts_parse(p + MG_TCP_HDR_LEN, h->hdr_len - MG_TCP_HDR_LEN, &h->opts);
}

int
mg_tcp_opts_len(const struct mg_tcp_opts *o)
{
	size_t len = 0;

	if (o->sack_count > MG_TCP_SACK_MAX)
		return -EINVAL;
	if (o->has_mss)
		len += 4;
	if (o->has_wscale)
		len += 4;
	if (o->sack_permitted)
		len += 4;
	if (o->has_ts)
		len += 12;
	if (o->sack_count > 0)
		len += 4 + 8u * o->sack_count;
	if (len > OPTS_MAX)
		return -EINVAL;
	return (int)len;
}

int
mg_tcp_hdr_len(const struct mg_tcp_hdr *h)
{
	int olen = mg_tcp_opts_len(&h->opts);

	return olen < 0 ? olen : MG_TCP_HDR_LEN + olen;
}

/* Write the options of o at p (mg_tcp_opts_len(o) bytes, already checked). */
static size_t
opts_emit(uint8_t *p, const struct mg_tcp_opts *o)
{
	size_t i = 0;

	if (o->has_mss) {
		p[i] = OPT_MSS;
		p[i + 1] = 4;
		mg_put_be16(p + i + 2, o->mss);
		i += 4;
	}
	if (o->has_wscale) {
		p[i] = OPT_NOP;
		p[i + 1] = OPT_WSCALE;
		p[i + 2] = 3;
		p[i + 3] = o->wscale > MG_TCP_WSCALE_MAX ? MG_TCP_WSCALE_MAX : o->wscale;
		i += 4;
	}
	if (o->sack_permitted) {
		p[i] = OPT_NOP;
		p[i + 1] = OPT_NOP;
		p[i + 2] = OPT_SACK_PERM;
		p[i + 3] = 2;
		i += 4;
	}
	if (o->has_ts) {
		p[i] = OPT_NOP;
		p[i + 1] = OPT_NOP;
		p[i + 2] = OPT_TS;
		p[i + 3] = 10;
		mg_put_be32(p + i + 4, o->ts_val);
		mg_put_be32(p + i + 8, o->ts_ecr);
		i += 12;
	}
	if (o->sack_count > 0) {
		p[i] = OPT_NOP;
		p[i + 1] = OPT_NOP;
		p[i + 2] = OPT_SACK;
		p[i + 3] = (uint8_t)(2 + 8 * o->sack_count);
		i += 4;
		for (size_t b = 0; b < o->sack_count; b++) {
			mg_put_be32(p + i, o->sack[b].left);
			mg_put_be32(p + i + 4, o->sack[b].right);
			i += 8;
		}
	}
	return i;
}

/* Header and options of h at p (hdr_len bytes, checked), checksum field zero. */
static void
hdr_emit(uint8_t *p, int hdr_len, const struct mg_tcp_hdr *h)
{
	mg_put_be16(p, h->sport);
	mg_put_be16(p + 2, h->dport);
	mg_put_be32(p + 4, h->seq);
	mg_put_be32(p + 8, h->ack);
	p[12] = (uint8_t)((hdr_len / 4) << 4);
	p[13] = h->flags;
	mg_put_be16(p + 14, h->window);
	mg_put_be16(p + 16, 0);
	mg_put_be16(p + 18, h->urgent);
	opts_emit(p + MG_TCP_HDR_LEN, &h->opts);
}

/* mg_tcp_hdr_len(h) if it fits in len and seg_len, else the error to return. */
static int
emit_check(size_t len, const struct mg_tcp_hdr *h, size_t seg_len)
{
	int hdr_len = mg_tcp_hdr_len(h);

	if (hdr_len < 0)
		return hdr_len;
	if (len < (size_t)hdr_len)
		return -ENOSPC;
	if (seg_len < (size_t)hdr_len || seg_len > UINT16_MAX)
		return -EINVAL;
	return hdr_len;
}

int
mg_tcp_emit(void *buf, size_t len, const struct mg_tcp_hdr *h, uint32_t src, uint32_t dst,
	    size_t seg_len, uint32_t payload_sum)
{
	uint8_t *p = buf;
	int hdr_len = emit_check(len, h, seg_len);
	uint32_t sum;

	if (hdr_len < 0)
		return hdr_len;
	hdr_emit(p, hdr_len, h);
	sum = mg_csum_add(payload_sum, mg_csum_pseudo_ipv4(src, dst, MG_IP_PROTO_TCP,
							   (uint16_t)seg_len));
	mg_put_be16(p + 16, mg_csum_finish(mg_csum_partial(p, (size_t)hdr_len, sum)));
	return hdr_len;
}

int
mg_tcp_emit_offload(void *buf, size_t len, const struct mg_tcp_hdr *h, uint32_t src,
		    uint32_t dst, size_t seg_len)
{
	uint8_t *p = buf;
	int hdr_len = emit_check(len, h, seg_len);

	if (hdr_len < 0)
		return hdr_len;
	hdr_emit(p, hdr_len, h);
	mg_put_be16(p + 16, (uint16_t)mg_csum_pseudo_ipv4(src, dst, MG_IP_PROTO_TCP,
							  (uint16_t)seg_len));
	return hdr_len;
}
