/* SPDX-License-Identifier: ISC */
/*
 * net_wire.h -- pure codecs of the network protocols: Ethernet II, ARP, IPv4, ICMPv4,
 * UDP, TCP, the Internet checksum, and the virtio-net header of offloading devices.
 *
 * Every function here is a pure function over bytes: no I/O, no globals, no allocation.
 * They are what the stack (the .c files of net/), the tests and the tools share. Byte order is
 * converted here and nowhere else: every struct below holds host-order integers, and
 * IPv4 addresses are uint32_t in host order (10.0.0.1 is 0x0a000001).
 *
 * Conventions:
 *  - mg_X_parse(buf, len, &hdr) reads a header from the len bytes at buf. It checks the
 *    structure only -- lengths, versions, option syntax -- and returns 0, -EINVAL
 *    (truncated or malformed) or -ENOTSUP (well-formed but a variant we do not speak).
 *    Checksums are verified by separate calls, so that callers (and fuzzers) can tell a
 *    corrupt packet from a malformed one.
 *  - mg_X_emit(buf, len, &hdr, ...) writes the header at buf, which has room for len
 *    bytes, and returns the number of bytes written, or -ENOSPC if len is too small, or
 *    -EINVAL if hdr cannot be encoded. Nothing is written on error.
 *  - buf MAY be unaligned.
 */
#ifndef MORGANA_NET_WIRE_H
#define MORGANA_NET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- Internet checksum (RFC 1071, RFC 1624) -------------------------------------------
 *
 * A "partial sum" is the ones'-complement sum of big-endian 16-bit words, kept in a
 * uint32_t that callers combine with mg_csum_add(). Sums of pieces combine correctly only
 * if every piece but the last has an even length (the usual case: headers are even).
 * mg_csum_finish() folds a partial sum and complements it: the value to store in a
 * checksum field (with the field zero while summing). A packet whose checksum is right
 * sums, field included, to a partial sum that finishes to 0.
 */
uint32_t mg_csum_partial(const void *buf, size_t len, uint32_t sum);
uint32_t mg_csum_add(uint32_t a, uint32_t b);
uint16_t mg_csum_finish(uint32_t sum);
/* mg_csum_finish(mg_csum_partial(buf, len, 0)). */
uint16_t mg_csum(const void *buf, size_t len);
/* The partial sum of the IPv4 pseudo-header of RFC 793/768 (src, dst, 0, proto, len). */
uint32_t mg_csum_pseudo_ipv4(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/* RFC 1624 eqn. 3: the checksum after a 16-bit (32-bit) field changes from old to new.
 * Equal to recomputing it, except when every covered byte is zero afterwards (0x0000
 * instead of 0xffff); a header that covers its own checksum field never is. */
uint16_t mg_csum_update16(uint16_t csum, uint16_t old_val, uint16_t new_val);
uint16_t mg_csum_update32(uint16_t csum, uint32_t old_val, uint32_t new_val);

/* Big-endian loads and stores: the one place byte order is converted. */
static inline uint16_t
mg_get_be16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
mg_get_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline void
mg_put_be16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void
mg_put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* --- Ethernet II ------------------------------------------------------------------------ */
#define MG_ETH_HDR_LEN		14
#define MG_ETHERTYPE_IPV4	0x0800
#define MG_ETHERTYPE_ARP	0x0806

struct mg_mac {
	uint8_t b[6];
};

#define MG_MAC_BROADCAST ((struct mg_mac){ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } })

static inline bool
mg_mac_eq(const struct mg_mac *a, const struct mg_mac *b)
{
	return __builtin_memcmp(a->b, b->b, 6) == 0;
}

/* Group (multicast or broadcast) addresses have the low bit of the first byte set. */
static inline bool
mg_mac_is_group(const struct mg_mac *m)
{
	return (m->b[0] & 1) != 0;
}

struct mg_eth_hdr {
	struct mg_mac dst;
	struct mg_mac src;
	uint16_t type;		/* EtherType; 802.1Q tags are not interpreted */
};

/* -EINVAL if len < 14 or the type field is a length (< 0x0600, IEEE 802.3 framing). */
int mg_eth_parse(const void *buf, size_t len, struct mg_eth_hdr *h);
int mg_eth_emit(void *buf, size_t len, const struct mg_eth_hdr *h);

/* --- ARP (RFC 826), Ethernet + IPv4 only ----------------------------------------------- */
#define MG_ARP_LEN		28
#define MG_ARP_REQUEST		1
#define MG_ARP_REPLY		2

struct mg_arp {
	uint16_t op;		/* MG_ARP_REQUEST or MG_ARP_REPLY */
	struct mg_mac sha;	/* sender hardware address */
	uint32_t spa;		/* sender protocol address */
	struct mg_mac tha;
	uint32_t tpa;
};

/* -EINVAL if truncated or op is neither request nor reply; -ENOTSUP unless the hardware
 * type is Ethernet (1, length 6) and the protocol IPv4 (0x0800, length 4). */
int mg_arp_parse(const void *buf, size_t len, struct mg_arp *a);
int mg_arp_emit(void *buf, size_t len, const struct mg_arp *a);

/* --- IPv4 (RFC 791) --------------------------------------------------------------------- */
#define MG_IPV4_HDR_LEN		20	/* without options: what mg_ipv4_emit() writes */
#define MG_IPV4_HDR_MAX		60
#define MG_IPV4_MAX_LEN		65535	/* largest datagram, header included */
#define MG_IP_PROTO_ICMP	1
#define MG_IP_PROTO_TCP		6
#define MG_IP_PROTO_UDP		17
#define MG_IPV4_BROADCAST	0xffffffffu

struct mg_ipv4_hdr {
	uint8_t hdr_len;	/* bytes, options included (20..60); parse only */
	uint8_t tos;
	uint16_t total_len;	/* header + payload */
	uint16_t id;
	bool df, mf;		/* don't fragment, more fragments */
	uint16_t frag_off;	/* in bytes (a multiple of 8) */
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;		/* parse: as received; emit: ignored, computed */
	uint32_t src, dst;
};

/*
 * -EINVAL if: len < 20, version != 4, IHL < 5, the header or total_len does not fit in
 * len, total_len < header, the reserved flag is set, the fragment would end beyond 65535,
 * or the options are malformed (an option length < 2 or running past the header).
 * Bytes after total_len (Ethernet padding) are allowed; the caller trims them.
 * Options are checked for syntax and otherwise skipped.
 */
int mg_ipv4_parse(const void *buf, size_t len, struct mg_ipv4_hdr *h);
/* True if the hdr_len bytes of header at buf carry a right header checksum. */
bool mg_ipv4_csum_ok(const void *buf, size_t hdr_len);
/* Writes a 20-byte header with its checksum. -EINVAL if total_len < 20 or frag_off is
 * not a multiple of 8 or too large. */
int mg_ipv4_emit(void *buf, size_t len, const struct mg_ipv4_hdr *h);

/*
 * True if the segment of len bytes at buf, sent from src to dst with protocol proto,
 * carries a right TCP or UDP checksum (pseudo-header included). For UDP a zero checksum
 * field means "none" and is the caller's business.
 */
bool mg_l4_csum_ok(const void *buf, size_t len, uint32_t src, uint32_t dst, uint8_t proto);

/* --- ICMPv4 (RFC 792) ------------------------------------------------------------------- */
#define MG_ICMP_HDR_LEN		8
#define MG_ICMP_ECHO_REPLY	0
#define MG_ICMP_UNREACH		3
#define MG_ICMP_ECHO_REQUEST	8
#define MG_ICMP_TIME_EXCEEDED	11
#define MG_ICMP_UNREACH_NET	0
#define MG_ICMP_UNREACH_HOST	1
#define MG_ICMP_UNREACH_PROTO	2
#define MG_ICMP_UNREACH_PORT	3
#define MG_ICMP_UNREACH_NEEDFRAG 4

struct mg_icmp_hdr {
	uint8_t type, code;
	uint16_t csum;		/* parse: as received; emit: ignored, computed */
	uint32_t rest;		/* echo: id << 16 | seq; unreach: next-hop MTU in low 16 */
};

/* -EINVAL if len < 8. */
int mg_icmp_parse(const void *buf, size_t len, struct mg_icmp_hdr *h);
/* Writes the 8-byte header; the checksum covers it and a body whose partial sum is
 * body_sum (mg_csum_partial() of the bytes that follow the header). */
int mg_icmp_emit(void *buf, size_t len, const struct mg_icmp_hdr *h, uint32_t body_sum);

/* --- UDP (RFC 768) ---------------------------------------------------------------------- */
#define MG_UDP_HDR_LEN		8

struct mg_udp_hdr {
	uint16_t sport, dport;
	uint16_t len;		/* header + payload */
	uint16_t csum;		/* parse: as received (0 = none); emit: ignored, computed */
};

/* -EINVAL if len < 8, the length field < 8 or > len. Bytes past the length field are
 * not part of the datagram. */
int mg_udp_parse(const void *buf, size_t len, struct mg_udp_hdr *h);
/* Writes the header; h->len is the datagram's length (header + payload), the payload's
 * partial sum is payload_sum. A computed checksum of 0 is sent as 0xffff. */
int mg_udp_emit(void *buf, size_t len, const struct mg_udp_hdr *h, uint32_t src,
		uint32_t dst, uint32_t payload_sum);

/* --- TCP (RFC 9293) header and options (RFC 7323, RFC 2018) ------------------------- */
#define MG_TCP_HDR_LEN		20	/* without options */
#define MG_TCP_HDR_MAX		60
#define MG_TCP_FIN		0x01
#define MG_TCP_SYN		0x02
#define MG_TCP_RST		0x04
#define MG_TCP_PSH		0x08
#define MG_TCP_ACK		0x10
#define MG_TCP_URG		0x20
#define MG_TCP_ECE		0x40
#define MG_TCP_CWR		0x80
#define MG_TCP_SACK_MAX		4	/* blocks one header can carry */
#define MG_TCP_WSCALE_MAX	14

struct mg_tcp_sack_block {
	uint32_t left, right;
};

struct mg_tcp_opts {
	bool has_mss, has_wscale, sack_permitted, has_ts;
	uint16_t mss;
	uint8_t wscale;		/* parse: above 14 taken as 14 (RFC 7323 2.3) */
	uint32_t ts_val, ts_ecr;
	uint8_t sack_count;	/* blocks in sack[] */
	struct mg_tcp_sack_block sack[MG_TCP_SACK_MAX];
};

struct mg_tcp_hdr {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hdr_len;	/* bytes, options included; parse only (emit computes it) */
	uint8_t flags;		/* MG_TCP_* */
	uint16_t window;	/* as on the wire, unscaled */
	uint16_t csum;		/* parse: as received; emit: ignored, computed */
	uint16_t urgent;
	struct mg_tcp_opts opts;
};

/*
 * -EINVAL if: len < 20, data offset < 5 or past len, or an option is malformed (a length
 * below 2, running past the header, or the wrong length for MSS (4), window scale (3),
 * SACK-permitted (2), timestamps (10) or SACK (2 + 8n, n = 1..4)). Unknown options with a
 * sound length are skipped; parsing stops at EOL.
 */
int mg_tcp_parse(const void *buf, size_t len, struct mg_tcp_hdr *h);
/* Parse just the option bytes [buf, buf + len); same rules. */
int mg_tcp_opts_parse(const void *buf, size_t len, struct mg_tcp_opts *o);
/* Bytes the options of o take when emitted, padded to a multiple of 4; -EINVAL if they
 * exceed 40 or o->sack_count > MG_TCP_SACK_MAX. */
int mg_tcp_opts_len(const struct mg_tcp_opts *o);
/* 20 + mg_tcp_opts_len(&h->opts), or -EINVAL. */
int mg_tcp_hdr_len(const struct mg_tcp_hdr *h);
/*
 * Writes the header and options of h at buf and the checksum over the pseudo-header
 * (src, dst, seg_len), the header, and a payload of partial sum payload_sum.
 * seg_len is the whole segment's length (header + payload). Returns the header length.
 */
int mg_tcp_emit(void *buf, size_t len, const struct mg_tcp_hdr *h, uint32_t src,
		uint32_t dst, size_t seg_len, uint32_t payload_sum);
/*
 * The same, but for a device that completes the checksum (checksum offload): the field
 * holds the folded pseudo-header sum only, as virtio's NEEDS_CSUM expects, and the
 * checksum covers nothing else yet.
 */
int mg_tcp_emit_offload(void *buf, size_t len, const struct mg_tcp_hdr *h, uint32_t src,
			uint32_t dst, size_t seg_len);

/* --- virtio-net header (virtio 1.0 5.1.6, struct virtio_net_hdr_v1) -------------------
 *
 * What a TAP device opened with IFF_VNET_HDR (and a virtio-net device) puts before each
 * frame: 12 bytes, little-endian. csum_start and hdr_len count from the Ethernet header.
 */
#define MG_VNET_HDR_LEN			12
#define MG_VNET_F_NEEDS_CSUM		0x01	/* checksum at csum_start+offset to do */
#define MG_VNET_F_DATA_VALID		0x02	/* the device checked the checksum */
#define MG_VNET_GSO_NONE		0
#define MG_VNET_GSO_TCPV4		1
#define MG_VNET_GSO_UDP			3
#define MG_VNET_GSO_TCPV6		4
#define MG_VNET_GSO_UDP_L4		5
#define MG_VNET_GSO_ECN			0x80	/* flag on top of a TCP GSO type */

struct mg_vnet_hdr {
	uint8_t flags;		/* MG_VNET_F_* */
	uint8_t gso_type;	/* MG_VNET_GSO_*, ECN flag included */
	uint16_t hdr_len;	/* GSO: bytes of headers before the payload */
	uint16_t gso_size;	/* GSO: payload bytes per segment */
	uint16_t csum_start;	/* NEEDS_CSUM: where checksumming starts */
	uint16_t csum_offset;	/* NEEDS_CSUM: where the field is, from csum_start */
	uint16_t num_buffers;	/* mergeable receive buffers; 0 or 1 on a TAP */
};

/*
 * Parse the header at the front of a len-byte frame (header included). -EINVAL if
 * len < 12, NEEDS_CSUM names a field outside the frame, or a GSO type comes with
 * gso_size 0; -ENOTSUP for unknown flags or GSO types.
 */
int mg_vnet_hdr_parse(const void *buf, size_t len, struct mg_vnet_hdr *h);
/* Write h; 12, -ENOSPC, or -EINVAL for unknown flags or GSO types. */
int mg_vnet_hdr_emit(void *buf, size_t len, const struct mg_vnet_hdr *h);

#endif /* MORGANA_NET_WIRE_H */
