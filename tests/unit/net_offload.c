/* SPDX-License-Identifier: ISC */
/*
 * net_offload.c -- the stack over a device with offloads (netdev.h, plat.h): what the
 * virtio-net header says on the frames it sends (super-segments, checksums left to the
 * device, plain frames), checksums completed in software for a device without checksum
 * offload, and received frames treated as their header says.
 *
 * Each scenario is an app main run by fake_run(); CHECK() records the failing line.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/net.h>
#include <morgana/runtime.h>
#include <morgana/udp.h>

#include "fake_plat.h"

#define US		0x0a000002u	/* 10.0.0.2, the stack */
#define PEER		0x0a000001u	/* 10.0.0.1, the test */
#define QUEUE		8
#define ALL		(MG_PLAT_NET_VNET_HDR | MG_PLAT_NET_CSUM | MG_PLAT_NET_TSO4 | \
			 MG_PLAT_NET_GUEST_CSUM | MG_PLAT_NET_GUEST_TSO4)
#define ETH		MG_ETH_HDR_LEN
#define VH		MG_VNET_HDR_LEN

static const struct mg_mac us_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct mg_mac peer_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };

struct frame {
	size_t len;
	uint8_t b[MG_PLAT_NET_FRAME_MAX];
};

static struct frame *in_q, *out_q;
static size_t in_head, in_tail, out_count;
static uint32_t dev_offloads;
static int fail_line;
static unsigned udp_delivered;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fail_line = __LINE__; \
			return 1; \
		} \
	} while (0)

static int
link_read(struct mg_netdev *dev, struct mg_plat_frame *frames, size_t count, size_t *got)
{
	(void)dev;
	*got = 0;
	while (*got < count && in_head < in_tail) {
		struct frame *f = &in_q[in_head++];

		memcpy(frames[*got].buf, f->b, f->len);
		frames[*got].len = f->len;
		(*got)++;
	}
	return *got > 0 ? 0 : -EAGAIN;
}

static int
link_write(struct mg_netdev *dev, const struct mg_plat_frame *frames, size_t count,
	   size_t *sent)
{
	(void)dev;
	for (*sent = 0; *sent < count && out_count < QUEUE; (*sent)++) {
		out_q[out_count].len = frames[*sent].len;
		memcpy(out_q[out_count].b, frames[*sent].buf, frames[*sent].len);
		out_count++;
	}
	return 0;
}

static const struct mg_netdev_ops link_ops = { .read = link_read, .write = link_write };
static struct mg_netdev dev;
static struct mg_net *net;

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	in_q = calloc(QUEUE, sizeof(*in_q));
	out_q = calloc(QUEUE, sizeof(*out_q));
	in_head = in_tail = out_count = 0;
	fail_line = 0;
	udp_delivered = 0;
	return in_q == NULL || out_q == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(in_q);
	free(out_q);
	return 0;
}

static int
stack_up(void)
{
	struct mg_net_config cfg = { .addr = US, .prefix_len = 24 };

	memset(&dev, 0, sizeof(dev));
	dev.ops = &link_ops;
	dev.mac = us_mac;
	dev.mtu = 1500;
	dev.offloads = dev_offloads;
	if (mg_netdev_init(&dev, 0, 0) != 0 || mg_net_create(&dev, &cfg, &net) != 0)
		return -1;
	mg_netdev_flush(&dev);
	out_count = 0;		/* the gratuitous ARP */
	return 0;
}

static void
stack_down(void)
{
	mg_net_destroy(net);
	mg_netdev_fini(&dev);
}

/* Queue a frame for the stack: vh (if the device has the header), Ethernet, ip_len
 * bytes of IPv4 at ip. */
static void
inject(const struct mg_vnet_hdr *vh, uint16_t type, const uint8_t *ip, size_t ip_len)
{
	struct frame *f = &in_q[in_tail++];
	struct mg_eth_hdr eth = { .dst = us_mac, .src = peer_mac, .type = type };
	size_t at = 0;

	if (dev_offloads != 0) {
		(void)mg_vnet_hdr_emit(f->b, VH, vh);
		at = VH;
	}
	(void)mg_eth_emit(f->b + at, ETH, &eth);
	memcpy(f->b + at + ETH, ip, ip_len);
	f->len = at + ETH + ip_len;
}

/* The peer answers the stack's ARP request for it, so that output flows. */
static void
resolve_peer(void)
{
	struct mg_arp a = { .op = MG_ARP_REPLY, .sha = peer_mac, .spa = PEER, .tha = us_mac,
			    .tpa = US };
	struct mg_vnet_hdr none = { 0 };
	uint8_t b[MG_ARP_LEN];

	(void)mg_arp_emit(b, sizeof(b), &a);
	inject(&none, MG_ETHERTYPE_ARP, b, sizeof(b));
	mg_netdev_poll(&dev, 4);
}

/* A TCP segment of payload_len bytes in a fresh packet, checksum left to the device. */
static struct mg_pkt *
tcp_packet(size_t payload_len, uint16_t gso_size)
{
	struct mg_tcp_hdr h = { .sport = 80, .dport = 4000, .seq = 1, .ack = 1,
				.flags = MG_TCP_ACK, .window = 100 };
	struct mg_pkt *p = mg_ipv4_alloc_size(net, MG_TCP_HDR_LEN + payload_len);
	uint8_t *b;

	if (p == NULL || (b = mg_pkt_put(p, MG_TCP_HDR_LEN + payload_len)) == NULL)
		return NULL;
	for (size_t i = 0; i < payload_len; i++)
		b[MG_TCP_HDR_LEN + i] = (uint8_t)(i * 13);
	(void)mg_tcp_emit_offload(b, MG_TCP_HDR_LEN, &h, US, PEER, MG_TCP_HDR_LEN + payload_len);
	p->off.csum = MG_PKT_CSUM_PARTIAL;
	p->off.csum_start = (uint32_t)mg_pkt_headroom(p);
	p->off.csum_offset = 16;
	if (gso_size != 0) {
		p->off.gso_type = MG_PKT_GSO_TCPV4;
		p->off.gso_size = gso_size;
	}
	return p;
}

/* --- sending ------------------------------------------------------------------------------ */

static int
super_segment_main(int argc, char **argv)
{
	struct mg_vnet_hdr vh;
	const uint8_t *f;
	size_t len;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	CHECK(mg_ipv4_output(net, tcp_packet(60000, 1448), PEER, MG_IP_PROTO_TCP) == 0);
	mg_netdev_flush(&dev);
	out_count = 0;		/* the ARP request; the super-segment waits for the answer */
	resolve_peer();
	mg_netdev_flush(&dev);
	CHECK(out_count == 1 && dev.stats.tx_gso_frames == 1);
	f = out_q[0].b;
	len = out_q[0].len;
	CHECK(len == VH + ETH + 20 + 20 + 60000);
	CHECK(mg_vnet_hdr_parse(f, len, &vh) == 0);
	CHECK(vh.flags == MG_VNET_F_NEEDS_CSUM && vh.gso_type == MG_VNET_GSO_TCPV4);
	CHECK(vh.gso_size == 1448 && vh.hdr_len == ETH + 40);
	CHECK(vh.csum_start == ETH + 20 && vh.csum_offset == 16);
	CHECK(mg_get_be16(f + VH + ETH + 2) == 60040);
	/* The device's part: sum from csum_start, then the segment verifies. */
	mg_put_be16(out_q[0].b + VH + ETH + 20 + 16,
		    mg_csum_finish(mg_csum_partial(f + VH + ETH + 20, 60020, 0)));
	CHECK(mg_l4_csum_ok(f + VH + ETH + 20, 60020, US, PEER, MG_IP_PROTO_TCP));

	/* Datagrams that ask nothing of the device go with a zero header. */
	CHECK(mg_ipv4_send(net, PEER, MG_IP_PROTO_UDP, "12345678", 8, NULL, 0) == 0);
	mg_netdev_flush(&dev);
	CHECK(out_count == 2);
	CHECK(mg_vnet_hdr_parse(out_q[1].b, out_q[1].len, &vh) == 0);
	CHECK(vh.flags == 0 && vh.gso_type == 0 && vh.csum_start == 0 && vh.gso_size == 0);
	stack_down();
	return 0;
}

static void
a_super_segment_leaves_whole_with_a_tcpv4_header_and_the_pseudo_header_sum(void **state)
{
	(void)state;
	dev_offloads = ALL;
	assert_int_equal(fake_run(super_segment_main, ""), 0);
	assert_int_equal(fail_line, 0);
}

static int
no_csum_offload_main(int argc, char **argv)
{
	struct mg_pkt *p;
	const uint8_t *f;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	resolve_peer();
	mg_netdev_flush(&dev);
	out_count = 0;
	CHECK(mg_ipv4_output(net, tcp_packet(1000, 0), PEER, MG_IP_PROTO_TCP) == 0);
	mg_netdev_flush(&dev);
	CHECK(out_count == 1 && dev.stats.tx_csum_sw == 1);
	f = out_q[0].b;
	CHECK(out_q[0].len == ETH + 20 + 20 + 1000);
	CHECK(mg_l4_csum_ok(f + ETH + 20, 1020, US, PEER, MG_IP_PROTO_TCP));
	/* A super-segment has no device to cut it. */
	CHECK((p = tcp_packet(1000, 500)) != NULL);
	CHECK(mg_ipv4_output(net, p, PEER, MG_IP_PROTO_TCP) == -EMSGSIZE);
	CHECK(dev.stats.tx_drop_too_long == 1);
	stack_down();
	return 0;
}

static void
without_checksum_offload_the_stack_completes_the_checksum(void **state)
{
	(void)state;
	dev_offloads = 0;
	assert_int_equal(fake_run(no_csum_offload_main, ""), 0);
	assert_int_equal(fail_line, 0);
}

/* --- receiving ---------------------------------------------------------------------------- */

static void
count_udp(void *arg, struct mg_udp_sock *s, const struct mg_udp_dgram *d)
{
	(void)arg;
	(void)s;
	(void)d;
	udp_delivered++;
}

/* A UDP datagram from the peer to port 7; csum: 0 right, 1 wrong, 2 pseudo-header only. */
static size_t
udp_datagram(uint8_t *ip, int csum)
{
	struct mg_ipv4_hdr h = { .total_len = 20 + 8 + 4, .id = 1, .ttl = 64,
				 .proto = MG_IP_PROTO_UDP, .src = PEER, .dst = US };
	struct mg_udp_hdr u = { .sport = 1000, .dport = 7, .len = 12 };

	(void)mg_ipv4_emit(ip, 20, &h);
	memcpy(ip + 28, "ping", 4);
	(void)mg_udp_emit(ip + 20, 8, &u, PEER, US, mg_csum_partial(ip + 28, 4, 0));
	if (csum == 1)
		ip[27] ^= 0x5a;
	if (csum == 2)
		mg_put_be16(ip + 26, (uint16_t)mg_csum_pseudo_ipv4(PEER, US, MG_IP_PROTO_UDP, 12));
	return 32;
}

static int
receive_main(int argc, char **argv)
{
	struct mg_vnet_hdr none = { 0 }, valid = { .flags = MG_VNET_F_DATA_VALID };
	struct mg_vnet_hdr partial = { .flags = MG_VNET_F_NEEDS_CSUM, .csum_start = ETH + 20,
				       .csum_offset = 6 };
	struct mg_vnet_hdr elsewhere = { .flags = MG_VNET_F_NEEDS_CSUM, .csum_start = ETH + 20,
					 .csum_offset = 0 };
	struct mg_vnet_hdr bad = { .flags = 0 };
	struct mg_udp_sock *s;
	uint8_t ip[64];

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	CHECK(mg_udp_bind(net, 7, count_udp, NULL, &s) == 0);
	inject(&none, MG_ETHERTYPE_IPV4, ip, udp_datagram(ip, 0));
	inject(&none, MG_ETHERTYPE_IPV4, ip, udp_datagram(ip, 1));
	inject(&valid, MG_ETHERTYPE_IPV4, ip, udp_datagram(ip, 1));
	inject(&partial, MG_ETHERTYPE_IPV4, ip, udp_datagram(ip, 2));
	/* NEEDS_CSUM naming another field: completed as asked, then checked as usual. */
	inject(&elsewhere, MG_ETHERTYPE_IPV4, ip, udp_datagram(ip, 2));
	inject(&bad, MG_ETHERTYPE_IPV4, ip, udp_datagram(ip, 0));
	in_q[in_tail - 1].b[0] = 0x80;	/* an unknown flag */
	mg_netdev_poll(&dev, 4);
	CHECK(udp_delivered == 3);
	CHECK(mg_net_counters(net)->udp.drop_bad_csum == 2);
	CHECK(dev.stats.rx_drop_bad_hdr == 1);
	CHECK(mg_udp_close(s) == 0);
	stack_down();
	return 0;
}

static void
received_frames_are_checked_as_their_header_says(void **state)
{
	(void)state;
	dev_offloads = ALL;
	assert_int_equal(fake_run(receive_main, ""), 0);
	assert_int_equal(fail_line, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			a_super_segment_leaves_whole_with_a_tcpv4_header_and_the_pseudo_header_sum,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			without_checksum_offload_the_stack_completes_the_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(received_frames_are_checked_as_their_header_says,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
