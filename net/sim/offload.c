/* SPDX-License-Identifier: ISC */
/*
 * offload.c -- the simulated link's device with offloads: on the sending side the TSO
 * and checksum offload of a NIC (or Linux's GSO behind a TAP), on the receiving side
 * GRO and checksum checking. The rules follow Linux's (tcp_gso_segment(),
 * tcp_gro_receive()), so that the stack over the simulated link meets what a TAP
 * hands it, and the seeded loss sweeps run with offloads too.
 */
#include <errno.h>
#include <string.h>

#include <morgana/plat.h>

#include "offload.h"

#define ETH	MG_ETH_HDR_LEN
/* Flags that may differ between coalesced segments (on the last or first only). */
#define GRO_FREE_FLAGS	(MG_TCP_CWR | MG_TCP_FIN | MG_TCP_PSH)

/* Where the parts of an Ethernet + IPv4 + TCP frame lie. */
struct tcp4 {
	size_t ihl, thl;	/* IP and TCP header lengths */
	size_t total;		/* IP total length */
	size_t payload;		/* TCP payload bytes */
	uint32_t src, dst, seq;
	uint8_t flags;
};

static bool parse_tcp4(const uint8_t *f, size_t len, struct tcp4 *t);
static bool l4_csum_ok(const uint8_t *f, size_t len);
static void fix_ip_header(uint8_t *ip, size_t ihl, size_t total, uint16_t id);
static void tcp_csum_whole(uint8_t *f, const struct tcp4 *t, size_t seg_payload);
static bool gro_fits(const uint8_t *a, const struct tcp4 *ta, const uint8_t *b,
		     const struct tcp4 *tb);

/* An unfragmented TCP/IPv4 frame with sound lengths. */
static bool
parse_tcp4(const uint8_t *f, size_t len, struct tcp4 *t)
{
	const uint8_t *ip = f + ETH;

	if (len < ETH + MG_IPV4_HDR_LEN + MG_TCP_HDR_LEN || mg_get_be16(f + 12) != 0x0800 ||
	    (ip[0] >> 4) != 4 || ip[9] != MG_IP_PROTO_TCP || (mg_get_be16(ip + 6) & 0x3fff) != 0)
		return false;
	t->ihl = (size_t)(ip[0] & 0xf) * 4;
	t->total = mg_get_be16(ip + 2);
	if (t->ihl < MG_IPV4_HDR_LEN || t->total > len - ETH ||
	    t->total < t->ihl + MG_TCP_HDR_LEN)
		return false;
	t->thl = (size_t)(ip[t->ihl + 12] >> 4) * 4;
	if (t->thl < MG_TCP_HDR_LEN || t->ihl + t->thl > t->total)
		return false;
	t->payload = t->total - t->ihl - t->thl;
	t->src = mg_get_be32(ip + 12);
	t->dst = mg_get_be32(ip + 16);
	t->seq = mg_get_be32(ip + t->ihl + 4);
	t->flags = ip[t->ihl + 13];
	return true;
}

/* The TCP or UDP checksum of an unfragmented IPv4 frame is there and right. */
static bool
l4_csum_ok(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH;
	size_t ihl, total;

	if (len < ETH + MG_IPV4_HDR_LEN || mg_get_be16(f + 12) != 0x0800 || (ip[0] >> 4) != 4 ||
	    (mg_get_be16(ip + 6) & 0x3fff) != 0)
		return false;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	total = mg_get_be16(ip + 2);
	if (ihl < MG_IPV4_HDR_LEN || total > len - ETH || total < ihl + 8)
		return false;
	if (ip[9] == MG_IP_PROTO_UDP && mg_get_be16(ip + ihl + 6) == 0)
		return false;
	if (ip[9] != MG_IP_PROTO_TCP && ip[9] != MG_IP_PROTO_UDP)
		return false;
	return mg_l4_csum_ok(ip + ihl, total - ihl, mg_get_be32(ip + 12), mg_get_be32(ip + 16),
			     ip[9]);
}

static void
fix_ip_header(uint8_t *ip, size_t ihl, size_t total, uint16_t id)
{
	mg_put_be16(ip + 2, (uint16_t)total);
	mg_put_be16(ip + 4, id);
	mg_put_be16(ip + 10, 0);
	mg_put_be16(ip + 10, mg_csum(ip, ihl));
}

/* The whole TCP checksum of frame f, whose segment carries seg_payload bytes. */
static void
tcp_csum_whole(uint8_t *f, const struct tcp4 *t, size_t seg_payload)
{
	uint8_t *tcp = f + ETH + t->ihl;
	size_t seg_len = t->thl + seg_payload;

	mg_put_be16(tcp + 16, 0);
	mg_put_be16(tcp + 16, mg_csum_finish(mg_csum_partial(tcp, seg_len,
			mg_csum_pseudo_ipv4(t->src, t->dst, MG_IP_PROTO_TCP, (uint16_t)seg_len))));
}

int
sim_offload_send(const uint8_t *frame, size_t len, uint8_t *scratch, sim_emit_fn emit,
		 void *arg)
{
	uint8_t tmpl[ETH + MG_IPV4_HDR_MAX + MG_TCP_HDR_MAX];
	struct mg_vnet_hdr h;
	struct tcp4 t;
	size_t hdrs, off = 0, mss;
	uint16_t id;

	if (mg_vnet_hdr_parse(frame, len, &h) != 0 || len > MG_PLAT_NET_FRAME_MAX)
		return -EINVAL;
	len -= MG_VNET_HDR_LEN;
	memcpy(scratch, frame + MG_VNET_HDR_LEN, len);
	if (h.gso_type == MG_VNET_GSO_NONE) {
		if (h.flags & MG_VNET_F_NEEDS_CSUM)
			mg_put_be16(scratch + h.csum_start + h.csum_offset,
				    mg_csum_finish(mg_csum_partial(scratch + h.csum_start,
								   len - h.csum_start, 0)));
		emit(arg, scratch, len);
		return 0;
	}
	if ((h.gso_type & (uint8_t)~MG_VNET_GSO_ECN) != MG_VNET_GSO_TCPV4 ||
	    !parse_tcp4(scratch, len, &t))
		return -EINVAL;
	hdrs = ETH + t.ihl + t.thl;
	mss = h.gso_size;
	memcpy(tmpl, scratch, hdrs);
	id = mg_get_be16(tmpl + ETH + 4);
	/*
	 * Segment k is built in place: its headers go just before its payload, over
	 * bytes of earlier segments that were already emitted.
	 */
	for (size_t k = 0; off < t.payload || k == 0; k++) {
		size_t n = t.payload - off < mss ? t.payload - off : mss;
		uint8_t *seg = scratch + off, *tcp = seg + ETH + t.ihl;
		bool last = off + n >= t.payload;

		memcpy(seg, tmpl, hdrs);
		fix_ip_header(seg + ETH, t.ihl, t.ihl + t.thl + n, (uint16_t)(id + k));
		mg_put_be32(tcp + 4, t.seq + (uint32_t)off);
		if (!last)
			tcp[13] &= (uint8_t)~(MG_TCP_FIN | MG_TCP_PSH);
		if (k > 0)
			tcp[13] &= (uint8_t)~MG_TCP_CWR;
		tcp_csum_whole(seg, &t, n);
		emit(arg, seg, hdrs + n);
		off += n;
		if (n == 0)
			break;
	}
	return 0;
}

/* b may follow a (its last segment so far described by ta) in one coalesced frame. */
static bool
gro_fits(const uint8_t *a, const struct tcp4 *ta, const uint8_t *b, const struct tcp4 *tb)
{
	const uint8_t *ia = a + ETH, *ib = b + ETH;

	if (tb->ihl != ta->ihl || tb->thl != ta->thl || memcmp(a, b, ETH) != 0)
		return false;
	/* IP: version to TOS, flags to protocol, addresses, options alike. */
	if (memcmp(ia, ib, 2) != 0 || memcmp(ia + 6, ib + 6, 4) != 0 ||
	    memcmp(ia + 12, ib + 12, ta->ihl - 12) != 0)
		return false;
	ia += ta->ihl;
	ib += tb->ihl;
	/* TCP: ports, ACK, flags but the free ones, window, options alike. */
	if (memcmp(ia, ib, 4) != 0 || memcmp(ia + 8, ib + 8, 5) != 0 ||
	    ((ia[13] ^ ib[13]) & (uint8_t)~GRO_FREE_FLAGS) != 0 || memcmp(ia + 14, ib + 14, 2) != 0 ||
	    memcmp(ia + MG_TCP_HDR_LEN, ib + MG_TCP_HDR_LEN, ta->thl - MG_TCP_HDR_LEN) != 0)
		return false;
	return (ib[13] & MG_TCP_CWR) == 0;
}

size_t
sim_offload_receive(const uint8_t *const *frames, const size_t *lens, size_t count,
		    uint8_t *out, size_t out_len, size_t *used)
{
	struct mg_vnet_hdr h = { 0 };
	const uint8_t *f = frames[0];
	uint8_t *merged = out + MG_VNET_HDR_LEN, *ip, *tcp;
	struct tcp4 first, last, next;
	size_t len = lens[0], total;

	*used = 1;
	if (len > out_len - MG_VNET_HDR_LEN)
		len = out_len - MG_VNET_HDR_LEN;
	memcpy(merged, f, len);
	if (!l4_csum_ok(f, lens[0])) {
		(void)mg_vnet_hdr_emit(out, MG_VNET_HDR_LEN, &h);
		return MG_VNET_HDR_LEN + len;
	}
	h.flags = MG_VNET_F_DATA_VALID;
	if (!parse_tcp4(f, lens[0], &first) || first.payload == 0 ||
	    (first.flags & (MG_TCP_SYN | MG_TCP_RST | MG_TCP_URG | MG_TCP_FIN | MG_TCP_PSH))) {
		(void)mg_vnet_hdr_emit(out, MG_VNET_HDR_LEN, &h);
		return MG_VNET_HDR_LEN + len;
	}
	last = first;
	total = first.total;
	len = ETH + first.total;
	while (*used < count && last.payload == first.payload &&
	       !(last.flags & (MG_TCP_FIN | MG_TCP_PSH))) {
		const uint8_t *g = frames[*used];

		if (!parse_tcp4(g, lens[*used], &next) || !l4_csum_ok(g, lens[*used]) ||
		    next.payload == 0 || next.payload > first.payload ||
		    next.seq != last.seq + (uint32_t)last.payload ||
		    !gro_fits(f, &first, g, &next) || total + next.payload > MG_IPV4_MAX_LEN ||
		    len + next.payload > out_len - MG_VNET_HDR_LEN)
			break;
		memcpy(merged + len, g + ETH + next.ihl + next.thl, next.payload);
		len += next.payload;
		total += next.payload;
		last = next;
		(*used)++;
	}
	if (*used > 1) {
		ip = merged + ETH;
		tcp = ip + first.ihl;
		fix_ip_header(ip, first.ihl, total, mg_get_be16(ip + 4));
		tcp[13] |= last.flags & (MG_TCP_FIN | MG_TCP_PSH);
		/* As Linux's GRO leaves it: the pseudo-header sum, the rest to do. */
		mg_put_be16(tcp + 16, (uint16_t)mg_csum_pseudo_ipv4(first.src, first.dst,
				MG_IP_PROTO_TCP, (uint16_t)(total - first.ihl)));
		h = (struct mg_vnet_hdr){
			.flags = MG_VNET_F_NEEDS_CSUM, .gso_type = MG_VNET_GSO_TCPV4,
			.hdr_len = (uint16_t)(ETH + first.ihl + first.thl),
			.gso_size = (uint16_t)first.payload,
			.csum_start = (uint16_t)(ETH + first.ihl), .csum_offset = 16,
		};
	}
	(void)mg_vnet_hdr_emit(out, MG_VNET_HDR_LEN, &h);
	return MG_VNET_HDR_LEN + len;
}
