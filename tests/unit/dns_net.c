/* SPDX-License-Identifier: ISC */
/*
 * dns_net.c -- lib/dns on the network stack: the service on UDP port 53 and the stub
 * resolver, over a test link on the runtime's fake platform (simulated time, so
 * timeouts and retries take no time).
 *
 * The far end of the link is played by the test: frames the stack sends are captured;
 * ARP requests for the peer are answered; DNS queries to the peer's port 53 are answered
 * by a second engine after a millisecond of "wire", unless the scenario says to drop or
 * spoof. Each scenario is an app main run by fake_run(); CHECK() records the failing
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

#include <morgana/dns.h>
#include <morgana/fiber.h>
#include <morgana/net.h>
#include <morgana/runtime.h>
#include <morgana/timer.h>
#include <morgana/udp.h>

#include "fake_plat.h"

#define MS		1000000ull
#define SEC		1000000000ull
#define US		0x0a000002u	/* 10.0.0.2, the stack */
#define PEER		0x0a000001u	/* 10.0.0.1, the test's side */
#define MTU		1500
#define MAX_FRAMES	128

static const struct mg_mac us_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct mg_mac peer_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };

static const char zone_text[] =
	"$ORIGIN example.com.\n$TTL 1h\n"
	"@ IN SOA ns1 hostmaster 1 2h 30m 2w 300\n"
	"  IN NS ns1\n"
	"ns1 IN A 192.0.2.53\n"
	"www IN A 192.0.2.80\n"
	"    IN A 192.0.2.81\n"
	"alias IN CNAME www\n"
	"big IN TXT \"" /* four strings of 150 octets: more than 512 in all */
	"0123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789\"\n"
	"    IN TXT \"1123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789\"\n"
	"    IN TXT \"2123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789\"\n"
	"    IN TXT \"3123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789\"\n";

/* --- the link and the peer ------------------------------------------------------------ */

struct frame {
	size_t len;
	uint8_t b[MTU + 14];
};

static struct frame in_q[MAX_FRAMES], out_q[MAX_FRAMES];
static size_t in_head, in_tail, out_count;
static int fail_line;

/* How the peer treats the DNS queries it gets. */
static struct {
	unsigned queries;	/* DNS queries seen */
	unsigned drop_first;	/* ignore this many before answering */
	bool spoof;		/* before each answer, one with another ID and one from
				 * another port */
} peer;

static struct mg_dns_zone *zone;
static struct mg_dns_server peer_engine, our_engine;
static struct mg_netdev dev;
static struct mg_net *net;
static struct mg_timer wire_timer;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fail_line = __LINE__; \
			return 1; \
		} \
	} while (0)

static void
enqueue_in(const uint8_t *frame, size_t len)
{
	struct frame *f;

	if (in_head == in_tail)
		in_head = in_tail = 0;
	if (in_tail == MAX_FRAMES)
		return;		/* the test's own bound; the checks will notice */
	f = &in_q[in_tail++];
	memcpy(f->b, frame, len);
	f->len = len < 60 ? 60 : len;
	if (len < 60)
		memset(f->b + len, 0, 60 - len);
}

/* Ethernet + IPv4 + UDP around payload. */
static size_t
build_udp(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
	  const void *payload, size_t len)
{
	struct mg_eth_hdr eth = { .dst = dst == PEER ? peer_mac : us_mac,
				  .src = dst == PEER ? us_mac : peer_mac,
				  .type = MG_ETHERTYPE_IPV4 };
	struct mg_ipv4_hdr ip = { .total_len = (uint16_t)(28 + len), .ttl = 64,
				  .proto = MG_IP_PROTO_UDP, .src = src, .dst = dst };
	struct mg_udp_hdr u = { .sport = sport, .dport = dport, .len = (uint16_t)(8 + len) };

	mg_eth_emit(out, 14, &eth);
	mg_ipv4_emit(out + 14, 20, &ip);
	memcpy(out + 42, payload, len);
	mg_udp_emit(out + 34, 8, &u, src, dst, mg_csum_partial(payload, len, 0));
	return 42 + len;
}

/* The UDP datagram in f, or false. */
static bool
parse_udp(const struct frame *f, struct mg_ipv4_hdr *ip, struct mg_udp_hdr *u,
	  const uint8_t **payload, size_t *len)
{
	struct mg_eth_hdr eth;

	if (mg_eth_parse(f->b, f->len, &eth) != 0 || eth.type != MG_ETHERTYPE_IPV4 ||
	    mg_ipv4_parse(f->b + 14, f->len - 14, ip) != 0 || ip->proto != MG_IP_PROTO_UDP ||
	    mg_udp_parse(f->b + 14 + ip->hdr_len, ip->total_len - ip->hdr_len, u) != 0)
		return false;
	*payload = f->b + 14 + ip->hdr_len + 8;
	*len = (size_t)u->len - 8;
	return true;
}

/* The peer's DNS server: answer q (from the stack's sport) as the scenario says. */
static void
peer_answer(uint16_t sport, const uint8_t *q, size_t q_len)
{
	static uint8_t resp[1232], frame[MTU + 14];
	size_t len;

	if (++peer.queries <= peer.drop_first ||
	    mg_dns_respond(&peer_engine, q, q_len, MG_DNS_UDP, resp, sizeof(resp), &len,
			   NULL) != 0)
		return;
	if (peer.spoof) {
		resp[0] ^= 0x5a;
		enqueue_in(frame, build_udp(frame, PEER, US, 53, sport, resp, len));
		resp[0] ^= 0x5a;
		enqueue_in(frame, build_udp(frame, PEER, US, 5353, sport, resp, len));
	}
	enqueue_in(frame, build_udp(frame, PEER, US, 53, sport, resp, len));
}

static void
peer_arp(const uint8_t *frame, size_t len)
{
	struct mg_arp a, r;
	uint8_t out[64];
	struct mg_eth_hdr eth = { .dst = us_mac, .src = peer_mac, .type = MG_ETHERTYPE_ARP };

	if (mg_arp_parse(frame + 14, len - 14, &a) != 0 || a.op != MG_ARP_REQUEST ||
	    a.tpa != PEER)
		return;
	r = (struct mg_arp){ .op = MG_ARP_REPLY, .sha = peer_mac, .spa = PEER,
			     .tha = us_mac, .tpa = a.spa };
	mg_eth_emit(out, 14, &eth);
	mg_arp_emit(out + 14, MG_ARP_LEN, &r);
	enqueue_in(out, 14 + MG_ARP_LEN);
}

static int
link_read(struct mg_netdev *d, struct mg_plat_frame *frames, size_t count, size_t *got)
{
	(void)d;
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
link_write(struct mg_netdev *d, const struct mg_plat_frame *frames, size_t count,
	   size_t *sent)
{
	(void)d;
	for (*sent = 0; *sent < count; (*sent)++) {
		const struct mg_plat_frame *f = &frames[*sent];
		struct mg_eth_hdr eth;
		struct mg_ipv4_hdr ip;
		struct mg_udp_hdr u;
		const uint8_t *payload;
		size_t len;

		if (out_count < MAX_FRAMES) {
			out_q[out_count].len = f->len;
			memcpy(out_q[out_count].b, f->buf, f->len);
			out_count++;
		}
		if (mg_eth_parse(f->buf, f->len, &eth) != 0)
			continue;
		if (eth.type == MG_ETHERTYPE_ARP)
			peer_arp(f->buf, f->len);
		else if (parse_udp(&out_q[out_count - 1], &ip, &u, &payload, &len) &&
			 ip.dst == PEER && u.dport == 53)
			peer_answer(u.sport, payload, len);
	}
	/* What the peer sent arrives a millisecond later. */
	if (in_head < in_tail && !mg_timer_armed(&wire_timer))
		mg_timer_arm(&wire_timer, mg_now_ns() + MS);
	return 0;
}

static void
wire_deliver(void *arg)
{
	(void)arg;
	mg_netdev_poll(&dev, 8);
}

static const struct mg_netdev_ops link_ops = { .read = link_read, .write = link_write };

static int
stack_up(void)
{
	struct mg_net_config cfg = { .addr = US, .prefix_len = 24 };

	memset(&dev, 0, sizeof(dev));
	dev.ops = &link_ops;
	dev.mac = us_mac;
	dev.mtu = MTU;
	mg_timer_init(&wire_timer, wire_deliver, NULL);
	if (mg_netdev_init(&dev, 128, 0) != 0)
		return -1;
	return mg_net_create(&dev, &cfg, &net);
}

static void
stack_down(void)
{
	mg_timer_cancel(&wire_timer);
	mg_net_destroy(net);
	mg_netdev_fini(&dev);
}

static int
setup(void **state)
{
	char err[256];

	(void)state;
	fake_reset();
	in_head = in_tail = out_count = 0;
	fail_line = 0;
	memset(&peer, 0, sizeof(peer));
	if (mg_dns_zone_parse("example.com.zone", zone_text, sizeof(zone_text) - 1,
			      "example.com.", &zone, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	mg_dns_server_init(&peer_engine);
	mg_dns_server_init(&our_engine);
	return mg_dns_server_add_zone(&peer_engine, zone) ||
	       mg_dns_server_add_zone(&our_engine, zone) ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	mg_dns_zone_free(zone);
	return 0;
}

static void
expect_pass(int (*app)(int, char **))
{
	int status = fake_run(app, "");

	if (status != 0)
		fail_msg("scenario failed at line %d (status %d)", fail_line, status);
}

/* A query for name/type with id, in wire form; returns its length. */
static size_t
make_query(uint8_t *out, size_t cap, uint16_t id, const char *name, uint16_t type, bool edns)
{
	struct mg_dns_writer w;
	struct mg_dns_header h = { .id = id, .qdcount = 1, .arcount = edns };
	struct mg_dns_edns e = { .payload = 1232 };
	uint8_t wire[MG_DNS_NAME_MAX];
	size_t wire_len;

	assert_int_equal(mg_dns_name_from_text(name, strlen(name), NULL, wire, &wire_len), 0);
	assert_int_equal(mg_dns_writer_init(&w, out, cap), 0);
	assert_int_equal(mg_dns_put_question(&w, wire, type, MG_DNS_C_IN), 0);
	if (edns)
		assert_int_equal(mg_dns_put_opt(&w, &e), 0);
	mg_dns_writer_header(&w, &h);
	return w.len;
}

/* The index-th UDP frame captured from port 53 to the peer, or NULL. */
static const uint8_t *
response(size_t index, size_t *len, uint16_t *dport)
{
	for (size_t i = 0; i < out_count; i++) {
		struct mg_ipv4_hdr ip;
		struct mg_udp_hdr u;
		const uint8_t *p;

		if (parse_udp(&out_q[i], &ip, &u, &p, len) && u.sport == 53 && index-- == 0) {
			*dport = u.dport;
			return p;
		}
	}
	return NULL;
}

/* --- the service ------------------------------------------------------------------------ */

static int
service_main(int argc, char **argv)
{
	uint8_t q[300], frame[400];
	const struct mg_dns_service_stats *st;
	struct mg_dns_service *svc, *again;
	struct mg_dns_header h;
	struct mg_dns_reader r;
	const uint8_t *resp;
	char text[1024];
	uint16_t dport;
	size_t len, qlen;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	CHECK(mg_dns_service_start(net, &our_engine, MG_DNS_PORT, &svc) == 0);
	CHECK(mg_dns_service_start(net, &our_engine, MG_DNS_PORT, &again) == -EADDRINUSE);
	st = mg_dns_service_stats(svc);

	qlen = make_query(q, sizeof(q), 0x4242, "www.example.com.", MG_DNS_T_A, true);
	enqueue_in(frame, build_udp(frame, PEER, US, 5555, 53, q, qlen));
	mg_netdev_poll(&dev, 8);
	mg_sleep_ns(10 * MS);	/* ARP for the peer, then the response */
	CHECK((resp = response(0, &len, &dport)) != NULL && dport == 5555);
	CHECK(mg_dns_reader_init(&r, resp, len) == 0);
	h = r.hdr;
	CHECK(h.id == 0x4242 && (h.flags & MG_DNS_F_QR) && (h.flags & MG_DNS_F_AA) &&
	      MG_DNS_RCODE(h.flags) == MG_DNS_R_NOERROR && h.ancount == 2);
	CHECK(st->udp_queries == 1 && st->udp_responses == 1 && st->udp_dropped == 0);

	/* Less than a header: silence, counted; a pointer loop: FORMERR. */
	out_count = 0;
	enqueue_in(frame, build_udp(frame, PEER, US, 5555, 53, q, 5));
	memcpy(q + 12, "\xc0\x0c\x00\x01\x00\x01", 6);
	enqueue_in(frame, build_udp(frame, PEER, US, 5556, 53, q, 18));
	mg_netdev_poll(&dev, 8);
	mg_sleep_ns(MS);
	CHECK(response(1, &len, &dport) == NULL);
	CHECK((resp = response(0, &len, &dport)) != NULL && dport == 5556);
	CHECK(mg_dns_reader_init(&r, resp, len) == 0 &&
	      MG_DNS_RCODE(r.hdr.flags) == MG_DNS_R_FORMERR);
	CHECK(st->udp_queries == 3 && st->udp_responses == 2 && st->udp_dropped == 1);
	CHECK(our_engine.stats.formerr == 1 && our_engine.stats.dropped == 1);

	/* To the subnet's broadcast address, or from port 0: dropped. */
	qlen = make_query(q, sizeof(q), 7, "www.example.com.", MG_DNS_T_A, false);
	enqueue_in(frame, build_udp(frame, PEER, 0x0a0000ff, 5555, 53, q, qlen));
	enqueue_in(frame, build_udp(frame, PEER, US, 0, 53, q, qlen));
	out_count = 0;
	mg_netdev_poll(&dev, 8);
	mg_sleep_ns(MS);
	CHECK(response(0, &len, &dport) == NULL);
	CHECK(st->udp_queries == 5 && st->udp_dropped == 3);

	/* Too big for 512 octets without EDNS: TC, counted. */
	qlen = make_query(q, sizeof(q), 8, "big.example.com.", MG_DNS_T_TXT, false);
	enqueue_in(frame, build_udp(frame, PEER, US, 5555, 53, q, qlen));
	mg_netdev_poll(&dev, 8);
	mg_sleep_ns(MS);
	CHECK((resp = response(0, &len, &dport)) != NULL && len <= 512);
	CHECK(mg_dns_reader_init(&r, resp, len) == 0 && (r.hdr.flags & MG_DNS_F_TC));
	CHECK(st->udp_truncated == 1);

	CHECK(mg_dns_service_format(svc, text, sizeof(text)) < sizeof(text));
	CHECK(strstr(text, "dns.udp_queries 6\n") != NULL);
	CHECK(strstr(text, "dns.formerr 1\n") != NULL);
	CHECK(strstr(text, "dns.tcp_queries 0\n") != NULL);
	CHECK(mg_dns_service_format(svc, text, 10) > 10 && strlen(text) == 9);

	mg_dns_service_stop(svc);
	stack_down();
	return 0;
}

static void
service_answers_drops_and_counts(void **state)
{
	(void)state;
	expect_pass(service_main);
}

/* A batch of queries read in one device call goes out in one device write. */
static int
batch_main(int argc, char **argv)
{
	uint8_t q[300], frame[400];
	struct mg_dns_service *svc;
	uint64_t tx_batches, pool_empty;
	size_t len, qlen;
	uint16_t dport;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	CHECK(mg_dns_service_start(net, &our_engine, MG_DNS_PORT, &svc) == 0);
	qlen = make_query(q, sizeof(q), 1, "alias.example.com.", MG_DNS_T_A, true);
	enqueue_in(frame, build_udp(frame, PEER, US, 5555, 53, q, qlen));
	mg_netdev_poll(&dev, 8);
	mg_sleep_ns(10 * MS);	/* the peer's MAC is known from here on */

	out_count = 0;
	tx_batches = dev.stats.tx_batches;
	pool_empty = dev.pool.alloc_failures;
	for (uint16_t i = 0; i < MG_NETDEV_BATCH; i++) {
		qlen = make_query(q, sizeof(q), i, "alias.example.com.", MG_DNS_T_A, true);
		enqueue_in(frame, build_udp(frame, PEER, US, (uint16_t)(6000 + i), 53, q,
					    qlen));
	}
	mg_netdev_poll(&dev, 1);
	mg_sleep_ns(MS);
	for (size_t i = 0; i < MG_NETDEV_BATCH; i++)
		CHECK(response(i, &len, &dport) != NULL && dport == 6000 + i);
	CHECK(dev.stats.tx_batches == tx_batches + 1);
	CHECK(dev.pool.alloc_failures == pool_empty);
	CHECK(mg_dns_service_stats(svc)->udp_responses == 1 + MG_NETDEV_BATCH);
	mg_dns_service_stop(svc);
	stack_down();
	return 0;
}

static void
service_answers_a_receive_batch_in_one_device_write(void **state)
{
	(void)state;
	expect_pass(batch_main);
}

/* --- the resolver ----------------------------------------------------------------------- */

static int
resolve_main(int argc, char **argv)
{
	uint8_t buf[1232], rdata[64];
	struct mg_dns_reply reply;
	uint32_t addrs[4], ttl;
	size_t count, rdlen;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	CHECK(mg_dns_resolve_ipv4(net, PEER, "www.example.com", addrs, 4, &count) == 0);
	CHECK(count == 2 && addrs[0] == 0xc0000250u && addrs[1] == 0xc0000251u);
	CHECK(mg_dns_resolve_ipv4(net, PEER, "alias.example.com", addrs, 1, &count) == 0);
	CHECK(count == 1 && addrs[0] == 0xc0000250u);
	CHECK(mg_dns_resolve_ipv4(net, PEER, "nothing.example.com", addrs, 4, &count) ==
	      -ENOENT && count == 0);
	CHECK(mg_dns_resolve_ipv4(net, PEER, "example.org", addrs, 4, &count) == -EIO);

	CHECK(mg_dns_resolve(net, PEER, "nothing.example.com.", MG_DNS_T_A, NULL, buf,
			     sizeof(buf), &reply) == 0);
	CHECK(reply.rcode == MG_DNS_R_NXDOMAIN && reply.tries == 1 && reply.msg == buf);
	CHECK(mg_dns_resolve(net, PEER, "example.com", MG_DNS_T_SOA, NULL, buf, sizeof(buf),
			     &reply) == 0);
	CHECK(mg_dns_stub_answer(&reply.q, reply.msg, reply.len, 0, &ttl, rdata,
				 sizeof(rdata), &rdlen) == 0 && ttl == 3600);

	/* With EDNS the big RRset fits; without, it is truncated and needs TCP. */
	CHECK(mg_dns_resolve(net, PEER, "big.example.com", MG_DNS_T_TXT, NULL, buf,
			     sizeof(buf), &reply) == 0 && !reply.truncated);
	CHECK(mg_dns_resolve(net, PEER, "big.example.com", MG_DNS_T_TXT,
			     &(struct mg_dns_resolve_opts){ .no_edns = true }, buf,
			     sizeof(buf), &reply) == -EMSGSIZE);
	CHECK(reply.truncated && reply.rcode == MG_DNS_R_NOERROR && reply.len <= 512);
	/* A buffer of 512 octets advertises 512. */
	CHECK(mg_dns_resolve(net, PEER, "big.example.com", MG_DNS_T_TXT, NULL, buf, 512,
			     &reply) == -EMSGSIZE);

	/* The socket of each resolution was closed: the port is free again. */
	CHECK(mg_net_counters(net)->udp.drop_no_port == 0);
	stack_down();
	return 0;
}

static void
resolve_answers_through_cnames_and_reports_rcodes_and_truncation(void **state)
{
	(void)state;
	expect_pass(resolve_main);
}

static int
retry_main(int argc, char **argv)
{
	uint8_t buf[1232];
	struct mg_dns_reply reply;
	uint64_t start;

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);

	/* Two queries lost: the third try answers, after 1 s + 2 s of waiting. */
	peer.drop_first = 2;
	start = mg_now_ns();
	CHECK(mg_dns_resolve(net, PEER, "www.example.com", MG_DNS_T_A, NULL, buf, sizeof(buf),
			     &reply) == 0);
	CHECK(reply.tries == 3 && peer.queries == 3);
	CHECK(mg_now_ns() - start >= 3 * SEC && mg_now_ns() - start < 4 * SEC);

	/* Nobody answers: every try, then -ETIMEDOUT after 100 + 200 ms. */
	peer.queries = 0;
	peer.drop_first = 100;
	start = mg_now_ns();
	CHECK(mg_dns_resolve(net, PEER, "www.example.com", MG_DNS_T_A,
			     &(struct mg_dns_resolve_opts){ .tries = 2, .timeout_ns = 100 * MS },
			     buf, sizeof(buf), &reply) == -ETIMEDOUT);
	CHECK(peer.queries == 2 && reply.tries == 2);
	CHECK(mg_now_ns() - start >= 300 * MS && mg_now_ns() - start < 400 * MS);

	/* Answers with another ID or from another port are ignored; the real one wins. */
	peer.queries = 0;
	peer.drop_first = 0;
	peer.spoof = true;
	CHECK(mg_dns_resolve(net, PEER, "www.example.com", MG_DNS_T_A, NULL, buf, sizeof(buf),
			     &reply) == 0);
	CHECK(reply.tries == 1 && reply.rcode == MG_DNS_R_NOERROR && peer.queries == 1);
	stack_down();
	return 0;
}

static void
resolve_retries_with_doubling_timeouts_and_ignores_spoofs(void **state)
{
	(void)state;
	expect_pass(retry_main);
}

static int
bad_args_main(int argc, char **argv)
{
	uint8_t buf[1232];
	struct mg_dns_reply reply;
	char long_label[80];

	(void)argc;
	(void)argv;
	CHECK(stack_up() == 0);
	memset(long_label, 'a', 70);
	strcpy(long_label + 70, ".com");
	CHECK(mg_dns_resolve(net, PEER, "x.com", MG_DNS_T_A, NULL, buf, 511, &reply) ==
	      -EINVAL);
	CHECK(mg_dns_resolve(net, 0, "x.com", MG_DNS_T_A, NULL, buf, sizeof(buf), &reply) ==
	      -EINVAL);
	CHECK(mg_dns_resolve(net, PEER, long_label, MG_DNS_T_A, NULL, buf, sizeof(buf),
			     &reply) == -EINVAL);
	CHECK(mg_dns_resolve(net, PEER, "x.com", MG_DNS_T_A,
			     &(struct mg_dns_resolve_opts){ .edns_payload = 4096 }, buf,
			     sizeof(buf), &reply) == -EINVAL);
	CHECK(mg_dns_resolve(net, PEER, "x.com", MG_DNS_T_A,
			     &(struct mg_dns_resolve_opts){ .tries = 11 }, buf, sizeof(buf),
			     &reply) == -EINVAL);
	/* Off the subnet without a gateway: no route, at once. */
	CHECK(mg_dns_resolve(net, 0x08080808u, "x.com", MG_DNS_T_A, NULL, buf, sizeof(buf),
			     &reply) == -ENETUNREACH);
	CHECK(peer.queries == 0);
	stack_down();
	return 0;
}

static void
resolve_refuses_bad_arguments_and_unroutable_servers(void **state)
{
	(void)state;
	expect_pass(bad_args_main);
}

static void
dns_server_flag_is_taken_out_of_argv(void **state)
{
	char a0[] = "app", a1[] = "--dns-server=10.0.0.53", a2[] = "keep", a3[] = "--",
	     a4[] = "--dns-server=1.1.1.1";
	char *argv[] = { a0, a1, a2, a3, a4, NULL };
	char b1[] = "--dns-server", b2[] = "192.0.2.1", c1[] = "--dns-server=10.0.0.053",
	     d1[] = "--dns-server";
	char *argv2[] = { a0, b1, b2, NULL }, *argv3[] = { a0, c1, NULL },
	     *argv4[] = { a0, d1, NULL };
	uint32_t server = 0;
	int argc = 5;
	char why[128];

	(void)state;
	assert_int_equal(mg_dns_server_from_args(&argc, argv, &server, why, sizeof(why)), 0);
	assert_int_equal(server, 0x0a000035u);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[1], "keep");
	assert_string_equal(argv[3], "--dns-server=1.1.1.1");
	assert_null(argv[4]);

	argc = 3;
	assert_int_equal(mg_dns_server_from_args(&argc, argv2, &server, why, sizeof(why)), 0);
	assert_int_equal(server, 0xc0000201u);
	assert_int_equal(argc, 1);

	argc = 2;
	assert_int_equal(mg_dns_server_from_args(&argc, argv3, &server, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "10.0.0.053"));
	argc = 2;
	assert_int_equal(mg_dns_server_from_args(&argc, argv4, &server, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "needs an address"));
	assert_int_equal(server, 0xc0000201u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(service_answers_drops_and_counts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			service_answers_a_receive_batch_in_one_device_write, setup, teardown),
		cmocka_unit_test_setup_teardown(
			resolve_answers_through_cnames_and_reports_rcodes_and_truncation, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			resolve_retries_with_doubling_timeouts_and_ignores_spoofs, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			resolve_refuses_bad_arguments_and_unroutable_servers, setup, teardown),
		cmocka_unit_test(dns_server_flag_is_taken_out_of_argv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
