/* SPDX-License-Identifier: ISC */
/*
 * fuzz_stack.c -- the whole receive path (Ethernet, ARP, IPv4, reassembly, ICMP, UDP)
 * fed with sequences of frames over a test device: no crash, no leak, no packet lost
 * from the pool, whatever arrives.
 *
 * Input: frames, each a 2-byte big-endian length then that many bytes; a flag bit in the
 * length's top bit asks the harness to fix the IPv4 header checksum (and the ICMP or
 * UDP checksum) first, so that the fuzzer reaches the code behind the checksums.
 * The platform is stub_plat.c's; the clock ticks a millisecond per frame.
 */
#include <errno.h>
#include <string.h>

#include <morgana/net.h>
#include <morgana/udp.h>

#include "fuzz.h"

#define FRAME_MAX	1514
#define FIX_CSUMS	0x8000

static const uint8_t *feed;
static size_t feed_len;
static uint64_t frames_out;

/* Recompute the checksums a frame claims, where it is IPv4 (+ ICMP or UDP). */
static void
fix_checksums(uint8_t *f, size_t len)
{
	struct mg_ipv4_hdr h;
	uint8_t *ip = f + MG_ETH_HDR_LEN, *l4;
	size_t l4_len;

	if (len < MG_ETH_HDR_LEN + MG_IPV4_HDR_LEN || mg_get_be16(f + 12) != MG_ETHERTYPE_IPV4)
		return;
	if (mg_ipv4_parse(ip, len - MG_ETH_HDR_LEN, &h) != 0)
		return;
	mg_put_be16(ip + 10, 0);
	mg_put_be16(ip + 10, mg_csum(ip, h.hdr_len));
	l4 = ip + h.hdr_len;
	l4_len = (size_t)h.total_len - h.hdr_len;
	if (h.frag_off != 0 || h.mf)
		return;
	if (h.proto == MG_IP_PROTO_ICMP && l4_len >= MG_ICMP_HDR_LEN) {
		mg_put_be16(l4 + 2, 0);
		mg_put_be16(l4 + 2, mg_csum(l4, l4_len));
	} else if (h.proto == MG_IP_PROTO_UDP && l4_len >= MG_UDP_HDR_LEN) {
		mg_put_be16(l4 + 6, 0);
		mg_put_be16(l4 + 6, mg_csum_finish(mg_csum_partial(l4, l4_len,
			     mg_csum_pseudo_ipv4(h.src, h.dst, MG_IP_PROTO_UDP,
						 (uint16_t)l4_len))));
	}
}

static int
fuzz_read(struct mg_netdev *dev, struct mg_plat_frame *frames, size_t count, size_t *got)
{
	(void)dev;
	*got = 0;
	while (*got < count && feed_len >= 2) {
		uint16_t word = mg_get_be16(feed);
		size_t len = word & 0x7fff;

		feed += 2;
		feed_len -= 2;
		if (len > feed_len)
			len = feed_len;
		if (len > FRAME_MAX)
			len = FRAME_MAX;
		memcpy(frames[*got].buf, feed, len);
		if (word & FIX_CSUMS)
			fix_checksums(frames[*got].buf, len);
		frames[*got].len = len;
		feed += len;
		feed_len -= len;
		(*got)++;
		fuzz_clock_ns += 1000000;
	}
	return *got > 0 ? 0 : -EAGAIN;
}

static int
fuzz_write(struct mg_netdev *dev, const struct mg_plat_frame *frames, size_t count,
	   size_t *sent)
{
	(void)dev;
	for (size_t i = 0; i < count; i++)
		FUZZ_CHECK(frames[i].len >= MG_ETH_HDR_LEN && frames[i].len <= FRAME_MAX);
	frames_out += count;
	*sent = count;
	return 0;
}

static void
sink(void *arg, struct mg_udp_sock *s, const struct mg_udp_dgram *d)
{
	(void)arg;
	(void)mg_udp_sendto(s, d->src, d->sport, d->data, d->len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mg_netdev_ops ops = { .read = fuzz_read, .write = fuzz_write };
	struct mg_net_config cfg = { .addr = 0x0a000002, .prefix_len = 24,
				     .gateway = 0x0a000001 };
	struct mg_udp_sock *echo, *queue;
	struct mg_netdev dev;
	struct mg_net *net;

	memset(&dev, 0, sizeof(dev));
	dev.ops = &ops;
	dev.mtu = 1500;
	memcpy(dev.mac.b, "\x02\0\0\0\0\x02", 6);
	FUZZ_CHECK(mg_netdev_init(&dev, 64, 64) == 0);
	FUZZ_CHECK(mg_net_create(&dev, &cfg, &net) == 0);
	FUZZ_CHECK(mg_udp_bind(net, 7, sink, NULL, &echo) == 0);
	FUZZ_CHECK(mg_udp_bind(net, 9, NULL, NULL, &queue) == 0);
	feed = data;
	feed_len = size;
	while (feed_len >= 2) {
		mg_netdev_poll(&dev, 4);
		mg_netdev_flush(&dev);
	}
	mg_netdev_flush(&dev);
	FUZZ_CHECK(mg_udp_close(queue) == 0 && mg_udp_close(echo) == 0);
	mg_net_destroy(net);
	/* Packets still waiting for ARP went back to the pool with the stack. */
	FUZZ_CHECK(dev.pool.in_use == 0);
	mg_netdev_fini(&dev);
	return 0;
}
