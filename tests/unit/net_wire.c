/* SPDX-License-Identifier: ISC */
/* net_wire.c -- vectors for the pure codecs of net/wire/, malformed inputs included. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/net_wire.h>

/* The checksum the slow, obvious way, to compare the fast path against. */
static uint16_t
ref_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
csum_matches_rfc1071_example(void **state)
{
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	/* RFC 1071 section 3: the sum is 0xddf2. */
	assert_int_equal(mg_csum_partial(b, sizeof(b), 0), 0xddf2);
	assert_int_equal(mg_csum(b, sizeof(b)), 0x220d);
}

static void
csum_fast_path_equals_reference_at_every_length_and_alignment(void **state)
{
	uint8_t buf[300];

	(void)state;
	srand(7);
	for (int round = 0; round < 20; round++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)(round == 0 ? 0xff : rand());
		for (size_t off = 0; off < 8; off++)
			for (size_t len = 0; len + off <= sizeof(buf); len += 1 + (len > 80) * 7)
				assert_int_equal(mg_csum(buf + off, len),
						 ref_csum(buf + off, len));
	}
}

static void
csum_of_pieces_equals_csum_of_whole_when_pieces_are_even(void **state)
{
	uint8_t buf[101];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t cut = 0; cut <= sizeof(buf); cut += 2) {
		uint32_t s = mg_csum_partial(buf + cut, sizeof(buf) - cut, 0);

		s = mg_csum_partial(buf, cut, s);
		assert_int_equal(mg_csum_finish(s), ref_csum(buf, sizeof(buf)));
	}
}

static void
csum_incremental_update_equals_recomputation(void **state)
{
	uint8_t buf[40];

	(void)state;
	srand(11);
	for (int round = 0; round < 2000; round++) {
		uint16_t csum, old16, new16 = (uint16_t)rand();
		uint32_t old32, new32 = (uint32_t)rand() << 1 ^ (uint32_t)rand();
		size_t at = (size_t)(rand() % 18) * 2;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rand();
		if (round % 5 == 0)
			memset(buf, 0, sizeof(buf));	/* the zero sums are the hard case */
		mg_put_be16(buf + 38, 0);
		csum = mg_csum(buf, sizeof(buf));
		old16 = mg_get_be16(buf + at);
		mg_put_be16(buf + at, new16);
		csum = mg_csum_update16(csum, old16, new16);
		assert_int_equal(csum, mg_csum(buf, 38));
		old32 = mg_get_be32(buf + at);
		mg_put_be32(buf + at, new32);
		csum = mg_csum_update32(csum, old32, new32);
		assert_int_equal(csum, mg_csum(buf, 38));
	}
}

static void
eth_roundtrips_and_refuses_short_or_8023_frames(void **state)
{
	struct mg_eth_hdr h = { .dst = MG_MAC_BROADCAST,
				.src = { { 2, 0, 0, 0, 0, 1 } }, .type = MG_ETHERTYPE_ARP };
	struct mg_eth_hdr g;
	uint8_t buf[MG_ETH_HDR_LEN];

	(void)state;
	assert_int_equal(mg_eth_emit(buf, sizeof(buf), &h), MG_ETH_HDR_LEN);
	assert_int_equal(buf[12], 0x08);
	assert_int_equal(buf[13], 0x06);
	assert_int_equal(mg_eth_parse(buf, sizeof(buf), &g), 0);
	assert_true(mg_mac_eq(&g.dst, &h.dst) && mg_mac_eq(&g.src, &h.src));
	assert_int_equal(g.type, MG_ETHERTYPE_ARP);
	assert_int_equal(mg_eth_parse(buf, 13, &g), -EINVAL);
	assert_int_equal(mg_eth_emit(buf, 13, &h), -ENOSPC);
	buf[12] = 0x05;
	buf[13] = 0xdc;		/* 1500: an 802.3 length */
	assert_int_equal(mg_eth_parse(buf, sizeof(buf), &g), -EINVAL);
}

static void
arp_roundtrips_and_refuses_other_hardware_and_ops(void **state)
{
	struct mg_arp a = { .op = MG_ARP_REQUEST, .sha = { { 2, 1, 2, 3, 4, 5 } },
			    .spa = 0x0a000001, .tpa = 0x0a000002 }, b;
	uint8_t buf[MG_ARP_LEN];

	(void)state;
	assert_int_equal(mg_arp_emit(buf, sizeof(buf), &a), MG_ARP_LEN);
	assert_int_equal(mg_arp_parse(buf, sizeof(buf), &b), 0);
	assert_int_equal(b.op, MG_ARP_REQUEST);
	assert_int_equal(b.spa, 0x0a000001);
	assert_int_equal(b.tpa, 0x0a000002);
	assert_memory_equal(b.sha.b, a.sha.b, 6);
	assert_int_equal(mg_arp_parse(buf, MG_ARP_LEN - 1, &b), -EINVAL);
	buf[7] = 3;
	assert_int_equal(mg_arp_parse(buf, sizeof(buf), &b), -EINVAL);
	buf[7] = 1;
	buf[4] = 8;	/* hardware address length */
	assert_int_equal(mg_arp_parse(buf, sizeof(buf), &b), -ENOTSUP);
	buf[4] = 6;
	buf[1] = 6;	/* IEEE 802 hardware type */
	assert_int_equal(mg_arp_parse(buf, sizeof(buf), &b), -ENOTSUP);
}

/* A well-known header: 192.168.0.1 -> 192.168.0.199, UDP, total 115, checksum 0xb861. */
static const uint8_t ipv4_vector[20] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static void
ipv4_parses_and_reemits_a_known_header(void **state)
{
	uint8_t buf[115] = { 0 }, out[20];
	struct mg_ipv4_hdr h;

	(void)state;
	memcpy(buf, ipv4_vector, 20);
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), 0);
	assert_true(mg_ipv4_csum_ok(buf, h.hdr_len));
	assert_int_equal(h.hdr_len, 20);
	assert_int_equal(h.total_len, 115);
	assert_true(h.df);
	assert_false(h.mf);
	assert_int_equal(h.ttl, 64);
	assert_int_equal(h.proto, MG_IP_PROTO_UDP);
	assert_int_equal(h.src, 0xc0a80001);
	assert_int_equal(h.dst, 0xc0a800c7);
	assert_int_equal(h.csum, 0xb861);
	assert_int_equal(mg_ipv4_emit(out, sizeof(out), &h), 20);
	assert_memory_equal(out, ipv4_vector, 20);
	buf[15] ^= 1;
	assert_false(mg_ipv4_csum_ok(buf, 20));
}

static void
ipv4_refuses_truncated_and_inconsistent_headers(void **state)
{
	uint8_t buf[115] = { 0 };
	struct mg_ipv4_hdr h;

	(void)state;
	memcpy(buf, ipv4_vector, 20);
	assert_int_equal(mg_ipv4_parse(buf, 19, &h), -EINVAL);
	assert_int_equal(mg_ipv4_parse(buf, 114, &h), -EINVAL);	/* total_len > len */
	buf[0] = 0x65;
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), -EINVAL);	/* version 6 */
	buf[0] = 0x44;
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), -EINVAL);	/* IHL 4 */
	buf[0] = 0x4f;
	assert_int_equal(mg_ipv4_parse(buf, 40, &h), -EINVAL);	/* IHL 15 > len */
	buf[0] = 0x45;
	mg_put_be16(buf + 2, 19);
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), -EINVAL);	/* total < hdr */
	mg_put_be16(buf + 2, 115);
	buf[6] = 0x80;
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), -EINVAL);	/* reserved flag */
	mg_put_be16(buf + 6, 0x1fff);	/* offset 65528 + 95 bytes: beyond 65535 */
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), -EINVAL);
	mg_put_be16(buf + 6, 0x2000 | 100);
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), 0);
	assert_true(h.mf);
	assert_int_equal(h.frag_off, 800);
}

static void
ipv4_options_with_length_0_1_or_overflowing_are_refused(void **state)
{
	uint8_t buf[40] = { 0 };
	struct mg_ipv4_hdr h;

	(void)state;
	memcpy(buf, ipv4_vector, 20);
	buf[0] = 0x46;		/* 4 bytes of options */
	mg_put_be16(buf + 2, 40);
	memcpy(buf + 20, (uint8_t[]){ 1, 1, 1, 0 }, 4);	/* NOPs, EOL */
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), 0);
	assert_int_equal(h.hdr_len, 24);
	memcpy(buf + 20, (uint8_t[]){ 0x94, 4, 0, 0 }, 4);	/* router alert */
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), 0);
	memcpy(buf + 20, (uint8_t[]){ 0x94, 0, 0, 0 }, 4);
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), -EINVAL);
	memcpy(buf + 20, (uint8_t[]){ 0x94, 1, 0, 0 }, 4);
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), -EINVAL);
	memcpy(buf + 20, (uint8_t[]){ 1, 1, 0x94, 4 }, 4);	/* runs past the header */
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), -EINVAL);
	memcpy(buf + 20, (uint8_t[]){ 1, 1, 1, 0x94 }, 4);	/* no room for a length */
	assert_int_equal(mg_ipv4_parse(buf, sizeof(buf), &h), -EINVAL);
}

static void
icmp_echo_checksum_covers_the_body(void **state)
{
	uint8_t msg[8 + 5] = { 0, 0, 0, 0, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o' };
	struct mg_icmp_hdr h = { .type = MG_ICMP_ECHO_REQUEST, .rest = 0x12340001 }, g;

	(void)state;
	assert_int_equal(mg_icmp_emit(msg, sizeof(msg), &h, mg_csum_partial(msg + 8, 5, 0)),
			 8);
	assert_int_equal(mg_csum(msg, sizeof(msg)), 0);
	assert_int_equal(mg_icmp_parse(msg, sizeof(msg), &g), 0);
	assert_int_equal(g.type, MG_ICMP_ECHO_REQUEST);
	assert_int_equal(g.rest, 0x12340001);
	assert_int_equal(mg_icmp_parse(msg, 7, &g), -EINVAL);
	assert_int_equal(mg_icmp_emit(msg, 7, &h, 0), -ENOSPC);
}

static void
udp_checksum_verifies_and_bad_lengths_are_refused(void **state)
{
	uint8_t d[8 + 3] = { 0, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c' };
	struct mg_udp_hdr h = { .sport = 1234, .dport = 7, .len = sizeof(d) }, g;

	(void)state;
	assert_int_equal(mg_udp_emit(d, sizeof(d), &h, 0x0a000001, 0x0a000002,
				     mg_csum_partial(d + 8, 3, 0)), 8);
	assert_true(mg_l4_csum_ok(d, sizeof(d), 0x0a000001, 0x0a000002, MG_IP_PROTO_UDP));
	assert_false(mg_l4_csum_ok(d, sizeof(d), 0x0a000001, 0x0a000003, MG_IP_PROTO_UDP));
	assert_int_equal(mg_udp_parse(d, sizeof(d), &g), 0);
	assert_int_equal(g.sport, 1234);
	assert_int_equal(g.dport, 7);
	assert_int_equal(g.len, 11);
	assert_int_equal(mg_udp_parse(d, 10, &g), -EINVAL);	/* length field > len */
	mg_put_be16(d + 4, 7);
	assert_int_equal(mg_udp_parse(d, sizeof(d), &g), -EINVAL);
	assert_int_equal(mg_udp_parse(d, 7, &g), -EINVAL);
}

static void
tcp_header_with_every_option_roundtrips(void **state)
{
	struct mg_tcp_hdr h = {
		.sport = 40000, .dport = 80, .seq = 0xfffffff0, .ack = 17,
		.flags = MG_TCP_SYN | MG_TCP_ACK, .window = 65535,
		.opts = { .has_mss = true, .mss = 1460, .has_wscale = true, .wscale = 7,
			  .sack_permitted = true, .has_ts = true, .ts_val = 1, .ts_ecr = 2 },
	}, g;
	uint8_t seg[60 + 4] = { 0 };
	int hl = mg_tcp_hdr_len(&h);

	(void)state;
	assert_int_equal(hl, 20 + 4 + 4 + 4 + 12);
	memcpy(seg + hl, "data", 4);
	assert_int_equal(mg_tcp_emit(seg, sizeof(seg), &h, 0x0a000001, 0x0a000002,
				     (size_t)hl + 4, mg_csum_partial(seg + hl, 4, 0)), hl);
	assert_true(mg_l4_csum_ok(seg, (size_t)hl + 4, 0x0a000001, 0x0a000002,
				  MG_IP_PROTO_TCP));
	assert_int_equal(mg_tcp_parse(seg, (size_t)hl + 4, &g), 0);
	assert_int_equal(g.hdr_len, hl);
	assert_int_equal(g.seq, 0xfffffff0);
	assert_int_equal(g.flags, MG_TCP_SYN | MG_TCP_ACK);
	assert_true(g.opts.has_mss && g.opts.mss == 1460);
	assert_true(g.opts.has_wscale && g.opts.wscale == 7);
	assert_true(g.opts.sack_permitted);
	assert_true(g.opts.has_ts && g.opts.ts_val == 1 && g.opts.ts_ecr == 2);
	assert_int_equal(g.opts.sack_count, 0);

	memset(&h.opts, 0, sizeof(h.opts));
	h.opts.has_ts = true;
	h.opts.sack_count = 3;
	for (int i = 0; i < 3; i++)
		h.opts.sack[i] = (struct mg_tcp_sack_block){ 100u * i, 100u * i + 50 };
	hl = mg_tcp_hdr_len(&h);
	assert_int_equal(hl, 20 + 12 + 4 + 24);
	assert_int_equal(mg_tcp_emit(seg, sizeof(seg), &h, 1, 2, (size_t)hl, 0), hl);
	assert_int_equal(mg_tcp_parse(seg, (size_t)hl, &g), 0);
	assert_int_equal(g.opts.sack_count, 3);
	assert_int_equal(g.opts.sack[2].right, 250);
	h.opts.sack_count = 4;	/* 12 + 4 + 32 = 48 > 40 */
	assert_int_equal(mg_tcp_hdr_len(&h), -EINVAL);
}

static void
tcp_malformed_options_are_refused(void **state)
{
	static const struct {
		uint8_t opt[8];
		int want;
	} cases[] = {
		{ { 2, 4, 5, 0xb4, 1, 1, 1, 0 }, 0 },		/* MSS 1460 */
		{ { 1, 1, 0, 0x99, 0x99, 0, 0, 0 }, 0 },	/* EOL stops parsing */
		{ { 0x22, 2, 1, 1, 1, 1, 1, 1 }, 0 },		/* unknown, sound length */
		{ { 2, 0, 0, 0, 0, 0, 0, 0 }, -EINVAL },	/* length 0 */
		{ { 2, 1, 0, 0, 0, 0, 0, 0 }, -EINVAL },	/* length 1 */
		{ { 1, 1, 1, 1, 8, 10, 0, 0 }, -EINVAL },	/* runs past the header */
		{ { 1, 1, 1, 1, 1, 1, 1, 8 }, -EINVAL },	/* no room for the length */
		{ { 2, 3, 5, 1, 1, 1, 1, 1 }, -EINVAL },	/* MSS with length 3 */
		{ { 3, 4, 7, 0, 1, 1, 1, 1 }, -EINVAL },	/* window scale, length 4 */
		{ { 4, 3, 0, 1, 1, 1, 1, 1 }, -EINVAL },	/* SACK-permitted, length 3 */
		{ { 5, 6, 0, 0, 0, 0, 1, 1 }, -EINVAL },	/* SACK with half a block */
	};
	struct mg_tcp_opts o;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(mg_tcp_opts_parse(cases[i].opt, 8, &o), cases[i].want);
	assert_int_equal(mg_tcp_opts_parse(cases[0].opt, 8, &o), 0);
	assert_int_equal(o.mss, 1460);
	/* A window scale above 14 is taken as 14 (RFC 7323 section 2.3). */
	assert_int_equal(mg_tcp_opts_parse((uint8_t[]){ 3, 3, 20, 0 }, 4, &o), 0);
	assert_int_equal(o.wscale, 14);
}

static void
tcp_bad_data_offset_is_refused(void **state)
{
	uint8_t seg[40] = { 0 };
	struct mg_tcp_hdr h;

	(void)state;
	seg[12] = 4 << 4;
	assert_int_equal(mg_tcp_parse(seg, sizeof(seg), &h), -EINVAL);
	seg[12] = 15 << 4;	/* 60 bytes > 40 */
	assert_int_equal(mg_tcp_parse(seg, sizeof(seg), &h), -EINVAL);
	seg[12] = 5 << 4;
	assert_int_equal(mg_tcp_parse(seg, 19, &h), -EINVAL);
	assert_int_equal(mg_tcp_parse(seg, 20, &h), 0);
}

/* A header in the byte layout of virtio 1.0 (little-endian), parsed and emitted back. */
static void
vnet_header_roundtrips_in_virtio_layout(void **state)
{
	static const uint8_t wire[MG_VNET_HDR_LEN] = {
		MG_VNET_F_NEEDS_CSUM, MG_VNET_GSO_TCPV4, 66, 0, 0xa8, 0x05, 34, 0, 16, 0, 0, 0,
	};
	uint8_t frame[100] = { 0 }, out[MG_VNET_HDR_LEN];
	struct mg_vnet_hdr h;

	(void)state;
	memcpy(frame, wire, sizeof(wire));
	assert_int_equal(mg_vnet_hdr_parse(frame, sizeof(frame), &h), 0);
	assert_int_equal(h.flags, MG_VNET_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, MG_VNET_GSO_TCPV4);
	assert_int_equal(h.hdr_len, 66);
	assert_int_equal(h.gso_size, 1448);
	assert_int_equal(h.csum_start, 34);
	assert_int_equal(h.csum_offset, 16);
	assert_int_equal(mg_vnet_hdr_emit(out, sizeof(out), &h), MG_VNET_HDR_LEN);
	assert_memory_equal(out, wire, sizeof(wire));
	assert_int_equal(mg_vnet_hdr_emit(out, MG_VNET_HDR_LEN - 1, &h), -ENOSPC);
	/* ECN on top of a TCP GSO type is known; DATA_VALID alone too. */
	frame[0] = MG_VNET_F_DATA_VALID;
	frame[1] = MG_VNET_GSO_TCPV4 | MG_VNET_GSO_ECN;
	assert_int_equal(mg_vnet_hdr_parse(frame, sizeof(frame), &h), 0);
}

static void
vnet_header_refuses_fields_outside_the_frame_and_unknown_types(void **state)
{
	uint8_t frame[12 + 50] = { 0 };
	struct mg_vnet_hdr h, bad = { .flags = 0x80 };

	(void)state;
	assert_int_equal(mg_vnet_hdr_parse(frame, MG_VNET_HDR_LEN - 1, &h), -EINVAL);
	assert_int_equal(mg_vnet_hdr_parse(frame, sizeof(frame), &h), 0);
	/* The checksum field must lie inside the 50 bytes after the header. */
	frame[0] = MG_VNET_F_NEEDS_CSUM;
	frame[6] = 34;
	frame[8] = 14;
	assert_int_equal(mg_vnet_hdr_parse(frame, sizeof(frame), &h), 0);
	frame[8] = 15;
	assert_int_equal(mg_vnet_hdr_parse(frame, sizeof(frame), &h), -EINVAL);
	frame[0] = 0;
	/* A GSO type needs a segment size. */
	frame[1] = MG_VNET_GSO_TCPV4;
	assert_int_equal(mg_vnet_hdr_parse(frame, sizeof(frame), &h), -EINVAL);
	frame[1] = 2;
	frame[4] = 1;
	assert_int_equal(mg_vnet_hdr_parse(frame, sizeof(frame), &h), -ENOTSUP);
	frame[1] = MG_VNET_GSO_UDP | MG_VNET_GSO_ECN;
	assert_int_equal(mg_vnet_hdr_parse(frame, sizeof(frame), &h), -ENOTSUP);
	frame[1] = 0;
	frame[0] = 0x04;
	assert_int_equal(mg_vnet_hdr_parse(frame, sizeof(frame), &h), -ENOTSUP);
	assert_int_equal(mg_vnet_hdr_emit(frame, sizeof(frame), &bad), -EINVAL);
}

/* What a device does with an offloaded TCP header: sum the segment over the field's
 * pseudo-header value; the result equals a fully checksummed emit. */
static void
tcp_offload_emit_completes_to_the_full_checksum(void **state)
{
	uint8_t a[MG_TCP_HDR_MAX + 300], b[MG_TCP_HDR_MAX + 300];
	struct mg_tcp_hdr h = { .sport = 80, .dport = 5555, .seq = 7, .ack = 9,
				.flags = MG_TCP_ACK | MG_TCP_PSH, .window = 512,
				.opts = { .has_ts = true, .ts_val = 1, .ts_ecr = 2 } };
	int hl;

	(void)state;
	for (size_t i = 0; i < 300; i++)
		a[MG_TCP_HDR_MAX + i] = b[MG_TCP_HDR_MAX + i] = (uint8_t)(i * 7);
	hl = mg_tcp_hdr_len(&h);
	memmove(a + hl, a + MG_TCP_HDR_MAX, 300);
	memmove(b + hl, b + MG_TCP_HDR_MAX, 300);
	assert_int_equal(mg_tcp_emit(a, sizeof(a), &h, 0x0a000001, 0x0a000002, (size_t)hl + 299,
				     mg_csum_partial(a + hl, 299, 0)), hl);
	assert_int_equal(mg_tcp_emit_offload(b, sizeof(b), &h, 0x0a000001, 0x0a000002,
					     (size_t)hl + 299), hl);
	assert_int_not_equal(mg_get_be16(b + 16), mg_get_be16(a + 16));
	mg_put_be16(b + 16, mg_csum_finish(mg_csum_partial(b, (size_t)hl + 299, 0)));
	assert_memory_equal(a, b, (size_t)hl + 299);
	assert_true(mg_l4_csum_ok(b, (size_t)hl + 299, 0x0a000001, 0x0a000002,
				  MG_IP_PROTO_TCP));
	assert_int_equal(mg_tcp_emit_offload(b, (size_t)hl - 1, &h, 1, 2, (size_t)hl), -ENOSPC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csum_matches_rfc1071_example),
		cmocka_unit_test(csum_fast_path_equals_reference_at_every_length_and_alignment),
		cmocka_unit_test(csum_of_pieces_equals_csum_of_whole_when_pieces_are_even),
		cmocka_unit_test(csum_incremental_update_equals_recomputation),
		cmocka_unit_test(eth_roundtrips_and_refuses_short_or_8023_frames),
		cmocka_unit_test(arp_roundtrips_and_refuses_other_hardware_and_ops),
		cmocka_unit_test(ipv4_parses_and_reemits_a_known_header),
		cmocka_unit_test(ipv4_refuses_truncated_and_inconsistent_headers),
		cmocka_unit_test(ipv4_options_with_length_0_1_or_overflowing_are_refused),
		cmocka_unit_test(icmp_echo_checksum_covers_the_body),
		cmocka_unit_test(udp_checksum_verifies_and_bad_lengths_are_refused),
		cmocka_unit_test(tcp_header_with_every_option_roundtrips),
		cmocka_unit_test(vnet_header_roundtrips_in_virtio_layout),
		cmocka_unit_test(vnet_header_refuses_fields_outside_the_frame_and_unknown_types),
		cmocka_unit_test(tcp_offload_emit_completes_to_the_full_checksum),
		cmocka_unit_test(tcp_malformed_options_are_refused),
		cmocka_unit_test(tcp_bad_data_offset_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
