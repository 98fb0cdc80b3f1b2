/* SPDX-License-Identifier: ISC */
/*
 * net_stack.c -- the stack end to end over a test link: frames go in through a netdev
 * whose driver reads from a queue the test fills, and come out into a capture the test
 * inspects. Runs on the runtime's fake platform, so ARP retries and reassembly timeouts
 * happen in simulated time, instantly.
 *
 * Each scenario is an app main run by fake_run(); CHECK() inside it records the failing
 * line and returns, and the cmocka test asserts on what came back.
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

#include <morgana/fiber.h>
#include <morgana/net.h>
#include <morgana/runtime.h>
#include <morgana/trace.h>
#include <morgana/udp.h>

#include "fake_plat.h"

#define SEC		1000000000ull
#define US		0x0a000002u	/* 10.0.0.2, the stack */
#define PEER		0x0a000001u	/* 10.0.0.1, the test */
#define MTU		1500
#define MAX_FRAMES	256

static const struct mg_mac us_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct mg_mac peer_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };

/* --- the test link ---------------------------------------------------------------------- */

struct frame {
	size_t len;
	uint8_t b[MTU + 14];
};

static struct frame *in_q, *out_q;	/* MAX_FRAMES each */
static size_t in_head, in_tail, out_count;
static int fail_line;

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
	for (*sent = 0; *sent < count && out_count < MAX_FRAMES; (*sent)++) {
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
	in_q = calloc(MAX_FRAMES, sizeof(*in_q));
	out_q = calloc(MAX_FRAMES, sizeof(*out_q));
	in_head = in_tail = out_count = 0;
	fail_line = 0;
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

/* Bring up the link and the stack at 10.0.0.2/24, gateway 10.0.0.254. */
static int
stack_up(void)
{
	struct mg_net_config cfg = { .addr = US, .prefix_len = 24, .gateway = 0x0a0000fe };

	memset(&dev, 0, sizeof(dev));
	dev.ops = &link_ops;
	dev.mac = us_mac;
	dev.mtu = MTU;
	if (mg_netdev_init(&dev, 256, 0) != 0)
		return -1;
	return mg_net_create(&dev, &cfg, &net);
}

static void
stack_down(void)
{
	mg_net_destroy(net);
	mg_netdev_fini(&dev);
}

/* Put a frame on the wire towards the stack and let it read. */
static void
inject(const void *frame, size_t len)
{
	struct frame *f;

	if (in_head == in_tail)
		in_head = in_tail = 0;
	if (in_tail == MAX_FRAMES)
		return;		/* the test's own bound; the checks will notice */
	f = &in_q[in_tail++];

	memcpy(f->b, frame, len);
	f->len = len < 60 ? 60 : len;	/* Ethernet pads to the minimum */
	if (len < 60)
		memset(f->b + len, 0, 60 - len);
	mg_netdev_poll(&dev, 8);
}

/* Send what the stack queued and forget what was captured before. */
static void
flush(void)
{
	mg_netdev_flush(&dev);
}

/* Build peer -> us: Ethernet + IPv4 (fragment fields given) around l4. */
static size_t
build_ip(uint8_t *out, uint8_t proto, uint16_t id, uint16_t frag_off, bool mf,
	 const void *l4, size_t l4_len)
{
	struct mg_eth_hdr eth = { .dst = us_mac, .src = peer_mac, .type = MG_ETHERTYPE_IPV4 };
	struct mg_ipv4_hdr ip = { .total_len = (uint16_t)(20 + l4_len), .id = id,
				  .frag_off = frag_off, .mf = mf, .ttl = 64, .proto = proto,
				  .src = PEER, .dst = US };

	mg_eth_emit(out, 14, &eth);
	mg_ipv4_emit(out + 14, 20, &ip);
	memcpy(out + 34, l4, l4_len);
	return 34 + l4_len;
}

static size_t
build_arp(uint8_t *out, uint16_t op, uint32_t spa, uint32_t tpa, struct mg_mac eth_dst)
{
	struct mg_eth_hdr eth = { .dst = eth_dst, .src = peer_mac, .type = MG_ETHERTYPE_ARP };
	struct mg_arp a = { .op = op, .sha = peer_mac, .spa = spa, .tpa = tpa };

	if (op == MG_ARP_REPLY)
		a.tha = us_mac;
	mg_eth_emit(out, 14, &eth);
	mg_arp_emit(out + 14, MG_ARP_LEN, &a);
	return 14 + MG_ARP_LEN;
}

/* An ICMP echo request with len bytes of payload. */
static size_t
build_echo(uint8_t *out, size_t len, uint16_t seq)
{
	struct mg_icmp_hdr h = { .type = MG_ICMP_ECHO_REQUEST, .rest = 0x4d470000u | seq };

	for (size_t i = 0; i < len; i++)
		out[8 + i] = (uint8_t)(i * 13 + seq);
	mg_icmp_emit(out, 8, &h, mg_csum_partial(out + 8, len, 0));
	return 8 + len;
}

/* Parse captured frame i as IPv4; NULL unless it is one. */
static const uint8_t *
out_ipv4(size_t i, struct mg_ipv4_hdr *h)
{
	struct mg_eth_hdr eth;

	if (i >= out_count || mg_eth_parse(out_q[i].b, out_q[i].len, &eth) != 0 ||
	    eth.type != MG_ETHERTYPE_IPV4 ||
	    mg_ipv4_parse(out_q[i].b + 14, out_q[i].len - 14, h) != 0 ||
	    !mg_ipv4_csum_ok(out_q[i].b + 14, h->hdr_len))
		return NULL;
	return out_q[i].b + 14;
}

static bool
out_arp(size_t i, struct mg_arp *a)
{
	struct mg_eth_hdr eth;

	return i < out_count && mg_eth_parse(out_q[i].b, out_q[i].len, &eth) == 0 &&
	       eth.type == MG_ETHERTYPE_ARP &&
	       mg_arp_parse(out_q[i].b + 14, out_q[i].len - 14, a) == 0;
}

/* Teach the stack the peer's MAC (it answers the peer's request and learns it). */
static int
resolve_peer(void)
{
	uint8_t f[64];
	struct mg_arp a;

	inject(f, build_arp(f, MG_ARP_REQUEST, PEER, US, MG_MAC_BROADCAST));
	flush();
	CHECK(out_arp(out_count - 1, &a) && a.op == MG_ARP_REPLY && a.tpa == PEER);
	out_count = 0;
	return 0;
}

/* --- ARP -------------------------------------------------------------------------------- */

static int
arp_main(int argc, char **argv)
{
	uint8_t f[64];
	struct mg_arp a;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	flush();
	/* The gratuitous ARP: a broadcast request for our own address. */
	CHECK(out_count == 1 && out_arp(0, &a) && a.op == MG_ARP_REQUEST && a.spa == US &&
	      a.tpa == US);
	CHECK(memcmp(out_q[0].b, MG_MAC_BROADCAST.b, 6) == 0);
	out_count = 0;
	/* A request for another host is not answered. */
	inject(f, build_arp(f, MG_ARP_REQUEST, PEER, 0x0a000009, MG_MAC_BROADCAST));
	flush();
	CHECK(out_count == 0 && mg_net_counters(net)->arp.drop_not_for_us == 1);
	/* A request for us is answered, to the asker, with our MAC. */
	inject(f, build_arp(f, MG_ARP_REQUEST, PEER, US, MG_MAC_BROADCAST));
	flush();
	CHECK(out_count == 1 && out_arp(0, &a) && a.op == MG_ARP_REPLY);
	CHECK(mg_mac_eq(&a.sha, &us_mac) && a.spa == US && a.tpa == PEER);
	CHECK(memcmp(out_q[0].b, peer_mac.b, 6) == 0);
	/* Someone else claiming our address is counted, not believed. */
	inject(f, build_arp(f, MG_ARP_REPLY, US, US, us_mac));
	CHECK(mg_net_counters(net)->arp.conflicts == 1);
	stack_down();
	return 0;
}

static void
arp_answers_only_for_our_address_and_announces_itself(void **state)
{
	int status = fake_run(arp_main, "");

	(void)state;
	if (fail_line != 0)
		fail_msg("CHECK failed at %s:%d", __FILE__, fail_line);
	assert_int_equal(status, 0);
}

static int
arp_retry_main(int argc, char **argv)
{
	const struct mg_net_counters *c;
	uint8_t f[64], payload[8] = { 0 };
	struct mg_arp a;
	size_t requests = 0;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	c = mg_net_counters(net);
	flush();
	out_count = 0;
	/* Two datagrams to an unknown neighbour wait for one resolution. */
	CHECK(mg_ipv4_send(net, 0x0a000005, 200, payload, 8, NULL, 0) == 0);
	CHECK(mg_ipv4_send(net, 0x0a000005, 200, payload, 8, NULL, 0) == 0);
	mg_sleep_ns(10 * SEC);
	for (size_t i = 0; i < out_count; i++) {
		CHECK(out_arp(i, &a) && a.op == MG_ARP_REQUEST && a.tpa == 0x0a000005);
		requests++;
	}
	CHECK(requests == MG_NET_ARP_TRIES);
	CHECK(c->arp.resolve_failures == 1 && c->arp.drop_unresolved == 2);
	/* Off-link goes to the gateway; it answers and the waiting datagram leaves. */
	out_count = 0;
	CHECK(mg_ipv4_send(net, 0x08080808, 200, payload, 8, NULL, 0) == 0);
	flush();
	CHECK(out_count == 1 && out_arp(0, &a) && a.tpa == 0x0a0000fe);
	inject(f, build_arp(f, MG_ARP_REPLY, 0x0a0000fe, US, us_mac));
	flush();
	{
		struct mg_ipv4_hdr h;

		CHECK(out_count == 2 && out_ipv4(1, &h) != NULL && h.dst == 0x08080808);
		CHECK(memcmp(out_q[1].b, peer_mac.b, 6) == 0);
	}
	stack_down();
	return 0;
}

static void
arp_retries_then_drops_what_waited_and_routes_via_gateway(void **state)
{
	int status = fake_run(arp_retry_main, "");

	(void)state;
	if (fail_line != 0)
		fail_msg("CHECK failed at %s:%d", __FILE__, fail_line);
	assert_int_equal(status, 0);
}

/* Learn neighbour ip (it asks for our address) and forget what the stack answered. */
static void
learn_neighbour(uint32_t ip)
{
	uint8_t f[64];

	inject(f, build_arp(f, MG_ARP_REQUEST, ip, US, MG_MAC_BROADCAST));
	flush();
	out_count = 0;
}

static int
arp_cache_main(int argc, char **argv)
{
	const struct mg_net_counters *c;
	uint8_t payload[8] = { 0 };
	struct mg_ipv4_hdr h;
	struct mg_arp a;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	c = mg_net_counters(net);
	flush();
	out_count = 0;
	/* The cache holds MG_NET_ARP_CACHE neighbours; one more evicts the oldest. */
	for (uint32_t i = 0; i < MG_NET_ARP_CACHE; i++) {
		learn_neighbour(0x0a000010 + i);
		mg_sleep_ns(SEC / 100);		/* each a little younger than the last */
	}
	CHECK(c->arp.cache_evictions == 0);
	learn_neighbour(0x0a0000c8);
	CHECK(c->arp.cache_evictions == 1);
	/* The newcomer is known: a datagram to it leaves at once. The oldest is gone: a
	 * datagram to it waits for a request. */
	CHECK(mg_ipv4_send(net, 0x0a0000c8, 200, payload, 8, NULL, 0) == 0);
	CHECK(mg_ipv4_send(net, 0x0a000010, 200, payload, 8, NULL, 0) == 0);
	flush();
	CHECK(out_count == 2 && out_ipv4(0, &h) != NULL && h.dst == 0x0a0000c8);
	CHECK(out_arp(1, &a) && a.op == MG_ARP_REQUEST && a.tpa == 0x0a000010);
	/* An entry lives MG_NET_ARP_TTL_NS: then the neighbour is asked again. */
	mg_sleep_ns(MG_NET_ARP_TTL_NS + SEC);
	CHECK(c->arp.resolve_failures == 1);	/* 0x0a000010 never answered */
	out_count = 0;
	CHECK(mg_ipv4_send(net, 0x0a0000c8, 200, payload, 8, NULL, 0) == 0);
	flush();
	CHECK(out_count == 1 && out_arp(0, &a) && a.op == MG_ARP_REQUEST &&
	      a.tpa == 0x0a0000c8);
	/* With every entry waiting for an answer, a new destination finds no room: its
	 * datagram is dropped and counted, nothing grows. */
	out_count = 0;
	for (uint32_t i = 1; i < MG_NET_ARP_CACHE; i++)
		CHECK(mg_ipv4_send(net, 0x0a000050 + i, 200, payload, 8, NULL, 0) == 0);
	CHECK(mg_ipv4_send(net, 0x0a0000f0, 200, payload, 8, NULL, 0) == -ENOBUFS);
	CHECK(c->arp.drop_pending_full == 1);
	flush();
	CHECK(out_count == MG_NET_ARP_CACHE - 1);
	stack_down();
	return 0;
}

static void
arp_cache_is_bounded_and_entries_expire(void **state)
{
	int status = fake_run(arp_cache_main, "");

	(void)state;
	if (fail_line != 0)
		fail_msg("CHECK failed at %s:%d", __FILE__, fail_line);
	assert_int_equal(status, 0);
}

/* --- ICMP and fragments ----------------------------------------------------------------- */

static int
ping_main(int argc, char **argv)
{
	static uint8_t f[2048], msg[4100], back[4100];
	const struct mg_net_counters *c;
	size_t len, got = 0;
	struct mg_ipv4_hdr h;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	c = mg_net_counters(net);
	CHECK(resolve_peer() == 0);
	/* A small ping is answered with the same id, sequence and payload. */
	len = build_echo(msg, 56, 1);
	inject(f, build_ip(f, MG_IP_PROTO_ICMP, 1, 0, false, msg, len));
	flush();
	CHECK(out_count == 1 && out_ipv4(0, &h) != NULL && h.dst == PEER && h.src == US);
	CHECK(out_q[0].b[34] == MG_ICMP_ECHO_REPLY && mg_csum(out_q[0].b + 34, len) == 0);
	CHECK(memcmp(out_q[0].b + 38, msg + 4, len - 4) == 0);
	/* 4000 bytes in three fragments, last first: reassembled, answered in fragments. */
	out_count = 0;
	len = build_echo(msg, 4000, 2);
	inject(f, build_ip(f, MG_IP_PROTO_ICMP, 2, 2960, false, msg + 2960, len - 2960));
	inject(f, build_ip(f, MG_IP_PROTO_ICMP, 2, 0, true, msg, 1480));
	inject(f, build_ip(f, MG_IP_PROTO_ICMP, 2, 1480, true, msg + 1480, 1480));
	flush();
	CHECK(c->ipv4.reasm_ok == 1 && c->icmp.tx_echo_replies == 2);
	CHECK(out_count == 3);
	for (size_t i = 0; i < out_count; i++) {
		const uint8_t *ip = out_ipv4(i, &h);

		CHECK(ip != NULL && out_q[i].len <= MTU + 14);
		CHECK(h.mf == (i < 2) && h.frag_off == got);
		memcpy(back + h.frag_off, ip + 20, h.total_len - 20u);
		got += h.total_len - 20u;
	}
	CHECK(got == len && back[0] == MG_ICMP_ECHO_REPLY && mg_csum(back, len) == 0);
	CHECK(memcmp(back + 8, msg + 8, len - 8) == 0);
	/* Overlapping fragments drop the datagram. */
	out_count = 0;
	inject(f, build_ip(f, MG_IP_PROTO_ICMP, 3, 0, true, msg, 1480));
	inject(f, build_ip(f, MG_IP_PROTO_ICMP, 3, 1472, false, msg + 1472, 64));
	flush();
	CHECK(c->ipv4.reasm_overlap == 1 && out_count == 0);
	/* A lone fragment is given up after the timeout. */
	inject(f, build_ip(f, MG_IP_PROTO_ICMP, 4, 0, true, msg, 1480));
	mg_sleep_ns(MG_NET_REASM_TIMEOUT_NS + SEC);
	CHECK(c->ipv4.reasm_timeout == 1 && out_count == 0);
	/* A bad ICMP checksum is counted and not answered. */
	len = build_echo(msg, 56, 5);
	msg[20] ^= 0xff;
	inject(f, build_ip(f, MG_IP_PROTO_ICMP, 5, 0, false, msg, len));
	flush();
	CHECK(c->icmp.drop_bad_csum == 1 && out_count == 0);
	stack_down();
	return 0;
}

static void
ping_is_answered_and_fragments_are_reassembled_or_refused(void **state)
{
	int status = fake_run(ping_main, "");

	(void)state;
	if (fail_line != 0)
		fail_msg("CHECK failed at %s:%d", __FILE__, fail_line);
	assert_int_equal(status, 0);
}

/* --- UDP and unreachables ----------------------------------------------------------------- */

static size_t
build_udp(uint8_t *out, uint16_t dport, const char *text)
{
	struct mg_udp_hdr h = { .sport = 5555, .dport = dport,
				.len = (uint16_t)(8 + strlen(text)) };

	memcpy(out + 8, text, strlen(text));
	mg_udp_emit(out, 8, &h, PEER, US, mg_csum_partial(out + 8, strlen(text), 0));
	return h.len;
}

static int
udp_main(int argc, char **argv)
{
	static uint8_t f[2048], d[256];
	const struct mg_net_counters *c;
	struct mg_udp_sock *s;
	struct mg_ipv4_hdr h;
	char buf[16];
	uint32_t src;
	uint16_t sport;
	size_t len;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	c = mg_net_counters(net);
	CHECK(resolve_peer() == 0);
	CHECK(mg_udp_bind(net, 7, NULL, NULL, &s) == 0);
	CHECK(mg_udp_bind(net, 7, NULL, NULL, &s) == -EADDRINUSE);
	/* Queued datagrams are read by a fiber, in order, truncated to the buffer. */
	len = build_udp(d, 7, "hello");
	inject(f, build_ip(f, MG_IP_PROTO_UDP, 1, 0, false, d, len));
	len = build_udp(d, 7, "a longer datagram");
	inject(f, build_ip(f, MG_IP_PROTO_UDP, 2, 0, false, d, len));
	CHECK(mg_udp_recvfrom(s, buf, sizeof(buf), &src, &sport, MG_FOREVER) == 5);
	CHECK(memcmp(buf, "hello", 5) == 0 && src == PEER && sport == 5555);
	CHECK(mg_udp_recvfrom(s, buf, 4, NULL, NULL, MG_FOREVER) == 4);
	CHECK(mg_udp_recvfrom(s, buf, sizeof(buf), NULL, NULL, mg_now_ns() + SEC) ==
	      -ETIMEDOUT);
	/* A corrupted checksum is dropped and counted. */
	len = build_udp(d, 7, "hello");
	d[9] ^= 1;
	inject(f, build_ip(f, MG_IP_PROTO_UDP, 3, 0, false, d, len));
	CHECK(c->udp.drop_bad_csum == 1);
	/* Sending: the datagram leaves with a checksum that verifies. */
	out_count = 0;
	CHECK(mg_udp_sendto(s, PEER, 9, "pong", 4) == 0);
	flush();
	CHECK(out_count == 1 && out_ipv4(0, &h) != NULL && h.proto == MG_IP_PROTO_UDP);
	CHECK(mg_l4_csum_ok(out_q[0].b + 34, 12, US, PEER, MG_IP_PROTO_UDP));
	/* Closed ports get port unreachables, at most a burst of them at once. */
	out_count = 0;
	for (int i = 0; i < 50; i++) {
		len = build_udp(d, 4242, "x");
		inject(f, build_ip(f, MG_IP_PROTO_UDP, (uint16_t)(10 + i), 0, false, d, len));
	}
	flush();
	CHECK(c->udp.drop_no_port == 50);
	CHECK(c->icmp.tx_unreach == MG_NET_ICMP_BURST && out_count == MG_NET_ICMP_BURST);
	CHECK(c->icmp.unreach_rate_limited == 50 - MG_NET_ICMP_BURST);
	CHECK(out_q[0].b[34] == MG_ICMP_UNREACH && out_q[0].b[35] == MG_ICMP_UNREACH_PORT);
	/* An unknown protocol gets a protocol unreachable once the bucket refills. */
	mg_sleep_ns(SEC);
	out_count = 0;
	inject(f, build_ip(f, 99, 99, 0, false, "abcdefgh", 8));
	flush();
	CHECK(c->ipv4.drop_unknown_proto == 1 && out_count == 1);
	CHECK(out_q[0].b[34] == MG_ICMP_UNREACH && out_q[0].b[35] == MG_ICMP_UNREACH_PROTO);
	CHECK(mg_udp_close(s) == 0);
	/* Port 0 binds distinct ephemeral ports. */
	{
		struct mg_udp_sock *e1, *e2;

		CHECK(mg_udp_bind(net, 0, NULL, NULL, &e1) == 0);
		CHECK(mg_udp_bind(net, 0, NULL, NULL, &e2) == 0);
		CHECK(mg_udp_local_port(e1) >= MG_UDP_EPHEMERAL_LO);
		CHECK(mg_udp_local_port(e2) >= MG_UDP_EPHEMERAL_LO);
		CHECK(mg_udp_local_port(e1) != mg_udp_local_port(e2));
		CHECK(mg_udp_close(e1) == 0 && mg_udp_close(e2) == 0);
	}
	stack_down();
	return 0;
}

static void
udp_delivers_verifies_and_refuses_with_rate_limited_unreachables(void **state)
{
	int status = fake_run(udp_main, "");

	(void)state;
	if (fail_line != 0)
		fail_msg("CHECK failed at %s:%d", __FILE__, fail_line);
	assert_int_equal(status, 0);
}

static int proto_calls;

static void
proto_handler(void *arg, struct mg_net *n, const struct mg_ipv4_rx *rx)
{
	(void)n;
	if (arg == &proto_calls && rx->proto == MG_IP_PROTO_TCP && rx->len == 20 &&
	    rx->src == PEER)
		proto_calls++;
}

static int errors_seen;
static struct mg_icmp_error last_error;

static void
error_handler(void *arg, struct mg_net *n, const struct mg_icmp_error *e)
{
	(void)n;
	if (arg == &errors_seen) {
		errors_seen++;
		last_error = *e;
	}
}

/* A destination unreachable from PEER quoting a TCP datagram from src to 10.0.0.99. */
static size_t
build_icmp_error(uint8_t *out, uint32_t src, uint8_t code, uint16_t mtu)
{
	struct mg_ipv4_hdr q = { .total_len = 40, .ttl = 64, .proto = MG_IP_PROTO_TCP,
				 .src = src, .dst = 0x0a000063 };
	struct mg_icmp_hdr h = { .type = MG_ICMP_UNREACH, .code = code, .rest = mtu };
	uint8_t msg[8 + 28];

	mg_ipv4_emit(msg + 8, 20, &q);
	mg_put_be16(msg + 28, 40000);
	mg_put_be16(msg + 30, 80);
	mg_put_be32(msg + 32, 12345);
	mg_icmp_emit(msg, 8, &h, mg_csum_partial(msg + 8, 28, 0));
	return build_ip(out, MG_IP_PROTO_ICMP, 77, 0, false, msg, sizeof(msg));
}

static int
proto_main(int argc, char **argv)
{
	static uint8_t f[256], seg[20];

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	CHECK(mg_ipv4_register(net, MG_IP_PROTO_TCP, proto_handler, &proto_calls) == 0);
	CHECK(mg_ipv4_register(net, MG_IP_PROTO_TCP, proto_handler, NULL) == -EBUSY);
	CHECK(mg_ipv4_register(net, MG_IP_PROTO_UDP, proto_handler, NULL) == -EBUSY);
	inject(f, build_ip(f, MG_IP_PROTO_TCP, 1, 0, false, seg, sizeof(seg)));
	CHECK(proto_calls == 1);
	/* Not for us: another destination address. */
	build_ip(f, MG_IP_PROTO_TCP, 2, 0, false, seg, sizeof(seg));
	mg_put_be32(f + 14 + 16, 0x0a000007);
	mg_put_be16(f + 14 + 10, 0);
	mg_put_be16(f + 14 + 10, mg_csum(f + 14, 20));
	inject(f, 54);
	CHECK(proto_calls == 1 && mg_net_counters(net)->ipv4.drop_not_for_us == 1);
	/* ICMP errors quoting our TCP datagrams go to the TCP error handler. */
	CHECK(mg_icmp_register_error(net, MG_IP_PROTO_TCP, error_handler, &errors_seen) == 0);
	CHECK(mg_icmp_register_error(net, MG_IP_PROTO_TCP, error_handler, NULL) == -EBUSY);
	inject(f, build_icmp_error(f, US, MG_ICMP_UNREACH_NEEDFRAG, 1400));
	CHECK(errors_seen == 1 && last_error.next_hop_mtu == 1400);
	CHECK(last_error.src == US && last_error.dst == 0x0a000063);
	CHECK(last_error.proto == MG_IP_PROTO_TCP && last_error.l4_len == 8);
	CHECK(mg_get_be16(last_error.l4) == 40000 && last_error.reporter == PEER);
	/* One quoting somebody else's datagram is dropped. */
	inject(f, build_icmp_error(f, 0x0a000077, MG_ICMP_UNREACH_PORT, 0));
	CHECK(errors_seen == 1 && mg_net_counters(net)->icmp.drop_bad_quote == 1);
	CHECK(mg_icmp_register_error(net, MG_IP_PROTO_TCP, NULL, NULL) == 0);
	mg_ipv4_unregister(net, MG_IP_PROTO_TCP);
	stack_down();
	return 0;
}

static void
registered_protocols_receive_their_datagrams(void **state)
{
	int status = fake_run(proto_main, "");

	(void)state;
	if (fail_line != 0)
		fail_msg("CHECK failed at %s:%d", __FILE__, fail_line);
	assert_int_equal(status, 0);
}

/* --- counters: by name and in the trace ring ---------------------------------------------- */

/* The last value the trace ring recorded for counter id, or -1 if it recorded none. */
static long long
traced_value(const struct mg_trace_event *ev, size_t n, uint32_t id)
{
	long long v = -1;

	for (size_t i = 0; i < n; i++)
		if (ev[i].kind == MG_TRACE_COUNTER && ev[i].fiber == id)
			v = (long long)ev[i].arg;
	return v;
}

static int
counters_main(int argc, char **argv)
{
	static struct mg_trace_event ev[256];
	static struct mg_net_counter list[256];
	static uint8_t f[256], msg[64];
	size_t total, n, len;
	uint64_t v;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	CHECK(resolve_peer() == 0);
	/* Every counter has a distinct name and trace id, and the id names it back. */
	total = mg_net_counters_list(net, NULL, 0);
	CHECK(total > 90 && total <= 256 && mg_net_counters_list(net, list, 256) == total);
	for (size_t i = 0; i < total; i++) {
		CHECK(mg_net_counter_name(list[i].trace_id) == list[i].name);
		CHECK(mg_net_counter_get(net, list[i].name, &v) == 0 && v == list[i].value);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(list[i].name, list[j].name) != 0);
	}
	CHECK(mg_net_counter_get(net, "ipv4.no_such_counter", &v) == -ENOENT);
	CHECK(mg_net_counter_name(MG_TRACE_NET_COUNTERS + 0xff) == NULL);
	CHECK(strcmp(mg_net_counter_name(MG_NET_COUNTER_ID(ipv4, drop_bad_csum)),
		     "ipv4.drop_bad_csum") == 0);
	/* A ping with a corrupted IPv4 header checksum, and a frame of an unknown type. */
	CHECK(mg_trace_start(256) == 0);
	len = build_echo(msg, 8, 1);
	build_ip(f, MG_IP_PROTO_ICMP, 1, 0, false, msg, len);
	f[14 + 10] ^= 0x55;
	inject(f, 34 + len);
	f[12] = 0x88;
	f[13] = 0xb5;		/* an IEEE "local experimental" ethertype */
	inject(f, 60);
	mg_trace_stop();
	n = mg_trace_read(ev, 256);
	/* Both drops are in the struct, by name, and in the trace ring with their value. */
	CHECK(mg_net_counters(net)->ipv4.drop_bad_csum == 1);
	CHECK(mg_net_counter_get(net, "ipv4.drop_bad_csum", &v) == 0 && v == 1);
	CHECK(traced_value(ev, n, MG_NET_COUNTER_ID(ipv4, drop_bad_csum)) == 1);
	CHECK(mg_net_counter_get(net, "eth.drop_unknown_type", &v) == 0 && v == 1);
	CHECK(traced_value(ev, n, MG_NET_COUNTER_ID(eth, drop_unknown_type)) == 1);
	/* The device's counters are traced too; nothing was answered. */
	CHECK(mg_net_counter_get(net, "dev.rx_frames", &v) == 0 &&
	      traced_value(ev, n, MG_NETDEV_COUNTER_ID(rx_frames)) == (long long)v);
	CHECK(traced_value(ev, n, MG_NET_COUNTER_ID(icmp, rx_echo_requests)) == -1);
	stack_down();
	return 0;
}

static void
malformed_drops_show_in_the_counters_and_the_trace_ring(void **state)
{
	int status = fake_run(counters_main, "");

	(void)state;
	if (fail_line != 0)
		fail_msg("CHECK failed at %s:%d", __FILE__, fail_line);
	assert_int_equal(status, 0);
}

/* --- the device layer --------------------------------------------------------------------- */

static struct mg_pkt *held[600];
static size_t held_count;

static void
hold_frame(void *arg, struct mg_pkt *frame)
{
	(void)arg;
	if (held_count < 600)
		held[held_count++] = frame;
	else
		mg_pkt_free(frame);
}

static int
netdev_main(int argc, char **argv)
{
	struct mg_pkt *p;
	size_t queued = 0;

	(void)argc;
	(void)argv;
	memset(&dev, 0, sizeof(dev));
	dev.ops = &link_ops;
	dev.mtu = MTU;
	CHECK(mg_netdev_init(&dev, 600, 300) == 0);
	/* The queue is bounded; beyond it frames are refused and counted. */
	for (int i = 0; i < 310; i++) {
		p = mg_netdev_alloc(&dev);
		CHECK(p != NULL);
		memset(mg_pkt_put(p, 60), 0, 60);
		queued += mg_netdev_send(&dev, p) == 0;
	}
	CHECK(queued == 300 && dev.stats.tx_drop_queue_full == 10);
	/* Too long a frame is refused. */
	p = mg_netdev_alloc(&dev);
	mg_pkt_put(p, MTU + 15);
	CHECK(mg_netdev_send(&dev, p) == -EMSGSIZE && dev.stats.tx_drop_too_long == 1);
	/* The loop flushes before blocking, in batches: the link takes MAX_FRAMES, the
	 * rest waits for the retry timer. */
	mg_fiber_yield();
	CHECK(out_count == MAX_FRAMES && dev.stats.tx_frames == MAX_FRAMES);
	CHECK(dev.stats.tx_batches == (MAX_FRAMES + MG_NETDEV_BATCH - 1) / MG_NETDEV_BATCH);
	out_count = 0;
	mg_sleep_ns(SEC / 100);
	CHECK(out_count == 300 - MAX_FRAMES && dev.txq_len == 0);
	CHECK(dev.pool.in_use == 0);
	/* With every packet held by the receiver, input is still read (not left to spin
	 * the loop) and dropped, and counted. */
	mg_netdev_set_receiver(&dev, hold_frame, NULL, NULL);
	for (int i = 0; i < 610; i++)
		inject(out_q[0].b, 60);
	CHECK(held_count == 600 && dev.pool.in_use == 600);
	CHECK(dev.stats.rx_drop_nobuf == 10 && in_head == in_tail);
	for (size_t i = 0; i < held_count; i++)
		mg_pkt_free(held[i]);
	CHECK(dev.pool.in_use == 0);
	mg_netdev_fini(&dev);
	return 0;
}

static void
netdev_batches_bounds_and_retries_output(void **state)
{
	int status = fake_run(netdev_main, "");

	(void)state;
	if (fail_line != 0)
		fail_msg("CHECK failed at %s:%d", __FILE__, fail_line);
	assert_int_equal(status, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			arp_answers_only_for_our_address_and_announces_itself, setup, teardown),
		cmocka_unit_test_setup_teardown(
			arp_retries_then_drops_what_waited_and_routes_via_gateway, setup,
			teardown),
		cmocka_unit_test_setup_teardown(arp_cache_is_bounded_and_entries_expire, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			ping_is_answered_and_fragments_are_reassembled_or_refused, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			udp_delivers_verifies_and_refuses_with_rate_limited_unreachables, setup,
			teardown),
		cmocka_unit_test_setup_teardown(registered_protocols_receive_their_datagrams,
						setup, teardown),
		cmocka_unit_test_setup_teardown(netdev_batches_bounds_and_retries_output, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			malformed_drops_show_in_the_counters_and_the_trace_ring, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
