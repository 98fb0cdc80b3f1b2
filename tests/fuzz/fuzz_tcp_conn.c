/* SPDX-License-Identifier: ISC */
/*
 * fuzz_tcp_conn.c -- TCP's state machine against a peer the fuzzer plays.
 *
 * The stack (10.0.0.2) listens on port 7 with an echo application and connects out to
 * the peer (10.0.0.1) port 80. The input is a script: two bytes of settings (congestion
 * control, options offered, buffer sizes, backlog), then steps -- segments from one of
 * the peer's five connections (from ports 40000-40003 to 7, and from 80 to the stack's
 * port), with sequence and acknowledgment numbers relative to what the stack last said
 * so that they land in and around its windows; raw headers with any options; ICMP
 * errors about a connection; time passing, or jumping to the next timer; and the
 * application writing, reading, shutting down, closing, aborting and connecting again.
 *
 * Properties, whatever the script:
 *  - no crash, leak or undefined behaviour (ASan, UBSan);
 *  - every frame the stack sends is well formed, with right checksums;
 *  - data arrives intact: every byte the peer sends is pat(its sequence number), so the
 *    application must read pat(irs + 1 + k) at stream offset k; the echo sends it back,
 *    and the active connection's application writes pat(iss + 1 + k), so every byte
 *    the stack sends must be what belongs at its place in the stream;
 *  - after each step every connection's bookkeeping holds together (una <= nxt, SACK
 *    and out-of-order ranges inside the windows and in order, buffers within bounds);
 *  - a 4-tuple never has two connections the application holds;
 *  - at the end, with the stack torn down, every packet is back in the pool and no timer
 *    is left armed.
 *
 * To read what a script does: FUZZ_TCP_TRACE=1 build/fuzz/fuzz_tcp_conn FILE prints each
 * segment both ways. tcp_conn_seeds.py writes the seeds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include <morgana/list.h>
#include <morgana/net.h>
#include <morgana/random.h>
#include <morgana/tcp.h>

#include "../../net/tcp_internal.h"
#include "../../runtime/internal.h"
#include "fuzz.h"

#define OUR_ADDR	0x0a000002u
#define PEER_ADDR	0x0a000001u
#define MTU		1500
#define FRAME_MAX	(MTU + MG_ETH_HDR_LEN)
#define INBOX_MAX	16
#define ECHO_PORT	7
#define PASSIVE		4		/* peers 0..3 connect to ECHO_PORT */
#define ACTIVE		PASSIVE		/* peer 4 is the one the stack connects to */
#define PEERS		(PASSIVE + 1)
#define STEPS_MAX	256

static const struct mg_mac our_mac = { { 0x02, 0, 0, 0, 0, 0x02 } };
static const struct mg_mac peer_mac = { { 0x02, 0, 0, 0, 0, 0x01 } };

/* What the peer knows of one connection, and the application's side of it. */
struct peer {
	uint16_t port, lport;		/* the peer's, the stack's (0: none yet) */
	uint32_t isn;			/* the peer's SYNs carry isn + a step's offset */
	bool seen, acked;		/* the stack has sent on this 4-tuple; an ACK */
	uint32_t ack_seen;		/* its last acknowledgment number */
	uint32_t nxt_seen;		/* its highest sequence number sent, + length */
	uint32_t ts_val, ts_seen;	/* the peer's timestamp clock; the stack's last */
	struct mg_tcp_conn *c;		/* the application's handle, or NULL */
	bool have_isn;			/* iss, irs are the current connection's */
	uint32_t iss, irs;
	uint64_t read_off, write_off;	/* stream bytes the application read, wrote */
	uint8_t buf[2048];		/* echo: buf[off, len) still to send back */
	size_t off, len;
	bool eof;
};

struct script {
	const uint8_t *p;
	size_t n;
};

static struct peer peers[PEERS];
static uint8_t inbox[INBOX_MAX][FRAME_MAX];
static size_t inbox_len[INBOX_MAX], inbox_head, inbox_count;
static struct mg_tcp *tcp;
static struct mg_tcp_listener *listener;
static bool tracing;

/* The peer's payload: each byte a function of its sequence number. */
static uint8_t
pat(uint32_t seq)
{
	return (uint8_t)((seq * 2654435761u) >> 24);
}

static uint8_t
u8(struct script *s)
{
	if (s->n == 0)
		return 0;
	s->n--;
	return *s->p++;
}

static uint16_t
u16(struct script *s)
{
	return (uint16_t)(u8(s) << 8 | u8(s));
}

/* With FUZZ_TCP_TRACE set: one line per segment, who sent it first. */
static void
trace_tcp(const char *who, const uint8_t *seg, size_t len)
{
	static const char names[] = "FSRPAU";
	struct mg_tcp_hdr h;
	char flags[7];
	size_t n = 0;

	if (!tracing)
		return;
	if (mg_tcp_parse(seg, len, &h) != 0) {
		fprintf(stderr, "%-6s malformed TCP header, %zu bytes\n", who, len);
		return;
	}
	for (unsigned i = 0; i < 6; i++)
		if (h.flags & (1u << i))
			flags[n++] = names[i];
	flags[n] = '\0';
	fprintf(stderr, "%-6s %5u > %-5u %-6s seq %10" PRIu32 " ack %10" PRIu32
		" win %5u len %4zu%s%s sack %u t=%" PRIu64 " ms\n", who, h.sport, h.dport, flags,
		h.seq, h.ack, h.window, len - h.hdr_len, h.opts.has_ts ? " ts" : "",
		h.opts.has_mss ? " mss" : "", h.opts.sack_count, fuzz_clock_ns / 1000000);
}

/* --- the device: frames in from the inbox, frames out checked and looked at -------------- */

static void
inbox_push(const uint8_t *frame, size_t len)
{
	size_t slot;

	if (inbox_count == INBOX_MAX)
		return;		/* a full wire drops */
	slot = (inbox_head + inbox_count++) % INBOX_MAX;
	memcpy(inbox[slot], frame, len);
	inbox_len[slot] = len;
}

static int
dev_read(struct mg_netdev *dev, struct mg_plat_frame *frames, size_t count, size_t *got)
{
	(void)dev;
	*got = 0;
	while (*got < count && inbox_count > 0) {
		memcpy(frames[*got].buf, inbox[inbox_head], inbox_len[inbox_head]);
		frames[*got].len = inbox_len[inbox_head];
		inbox_head = (inbox_head + 1) % INBOX_MAX;
		inbox_count--;
		(*got)++;
	}
	return *got > 0 ? 0 : -EAGAIN;
}

static void
answer_arp(const uint8_t *frame, size_t len)
{
	struct mg_eth_hdr e = { .dst = our_mac, .src = peer_mac, .type = MG_ETHERTYPE_ARP };
	struct mg_arp a, r;
	uint8_t out[MG_ETH_HDR_LEN + MG_ARP_LEN];

	FUZZ_CHECK(mg_arp_parse(frame + MG_ETH_HDR_LEN, len - MG_ETH_HDR_LEN, &a) == 0);
	FUZZ_CHECK(a.spa == OUR_ADDR);
	if (a.op != MG_ARP_REQUEST || a.tpa != PEER_ADDR)
		return;
	r = (struct mg_arp){ .op = MG_ARP_REPLY, .sha = peer_mac, .spa = PEER_ADDR,
			     .tha = our_mac, .tpa = OUR_ADDR };
	FUZZ_CHECK(mg_eth_emit(out, sizeof(out), &e) == MG_ETH_HDR_LEN);
	FUZZ_CHECK(mg_arp_emit(out + MG_ETH_HDR_LEN, MG_ARP_LEN, &r) == MG_ARP_LEN);
	inbox_push(out, sizeof(out));
}

static struct peer *
peer_of(uint16_t lport, uint16_t rport)
{
	for (unsigned i = 0; i < PEERS; i++)
		if (peers[i].lport == lport && peers[i].port == rport)
			return &peers[i];
	return NULL;
}

/* A segment the stack sent: well formed; the peer takes note of its numbers; its data is
 * what belongs at that place in the stream. */
static void
look_at_tcp(const uint8_t *seg, size_t len, const struct mg_ipv4_hdr *ip)
{
	struct mg_tcp_hdr h;
	struct peer *p;
	uint32_t data_len, seq_len, data_seq, shift;

	FUZZ_CHECK(mg_l4_csum_ok(seg, len, ip->src, ip->dst, MG_IP_PROTO_TCP));
	FUZZ_CHECK(mg_tcp_parse(seg, len, &h) == 0);
	trace_tcp("stack", seg, len);
	p = peer_of(h.sport, h.dport);
	if (p == NULL || (h.flags & MG_TCP_RST))
		return;		/* a port nobody uses, a connection left behind, or a reset */
	data_len = (uint32_t)(len - h.hdr_len);
	seq_len = data_len + !!(h.flags & MG_TCP_SYN) + !!(h.flags & MG_TCP_FIN);
	if ((h.flags & MG_TCP_SYN) || !p->seen || seq_gt(h.seq + seq_len, p->nxt_seen))
		p->nxt_seen = h.seq + seq_len;
	p->seen = true;
	if (h.flags & MG_TCP_ACK) {
		p->ack_seen = h.ack;
		p->acked = true;
	}
	if (h.opts.has_ts)
		p->ts_seen = h.opts.ts_val;
	if (data_len == 0)
		return;
	FUZZ_CHECK(p->have_isn);
	data_seq = h.seq + !!(h.flags & MG_TCP_SYN);
	shift = p == &peers[ACTIVE] ? 0 : p->irs - p->iss;
	for (uint32_t i = 0; i < data_len; i++)
		FUZZ_CHECK(seg[h.hdr_len + i] == pat(data_seq + i + shift));
}

static int
dev_write(struct mg_netdev *dev, const struct mg_plat_frame *frames, size_t count,
	  size_t *sent)
{
	(void)dev;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *f = frames[i].buf;
		size_t len = frames[i].len;
		struct mg_eth_hdr e;
		struct mg_ipv4_hdr ip;

		FUZZ_CHECK(len >= MG_ETH_HDR_LEN && len <= FRAME_MAX);
		FUZZ_CHECK(mg_eth_parse(f, len, &e) == 0 && mg_mac_eq(&e.src, &our_mac));
		if (e.type == MG_ETHERTYPE_ARP) {
			answer_arp(f, len);
			continue;
		}
		FUZZ_CHECK(e.type == MG_ETHERTYPE_IPV4 && mg_mac_eq(&e.dst, &peer_mac));
		FUZZ_CHECK(mg_ipv4_parse(f + MG_ETH_HDR_LEN, len - MG_ETH_HDR_LEN, &ip) == 0);
		FUZZ_CHECK(mg_ipv4_csum_ok(f + MG_ETH_HDR_LEN, ip.hdr_len));
		FUZZ_CHECK(ip.src == OUR_ADDR && ip.dst == PEER_ADDR && !ip.mf && ip.frag_off == 0);
		if (ip.proto == MG_IP_PROTO_TCP)
			look_at_tcp(f + MG_ETH_HDR_LEN + ip.hdr_len, ip.total_len - ip.hdr_len, &ip);
		else
			FUZZ_CHECK(ip.proto == MG_IP_PROTO_ICMP &&
				   mg_csum(f + MG_ETH_HDR_LEN + ip.hdr_len,
					   ip.total_len - ip.hdr_len) == 0);
	}
	*sent = count;
	return 0;
}

/* --- the application: echo on the passive connections, a writer on the active one ----- */

static void
check_read(struct peer *p, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK(buf[i] == pat(p->irs + 1 + (uint32_t)(p->read_off + i)));
	p->read_off += len;
}

static void
app_close(struct peer *p)
{
	FUZZ_CHECK(mg_tcp_close(p->c) == 0);
	p->c = NULL;
}

/* Send what is pending, then read more, until the connection has to wait. */
static void
echo_pump(void *arg, struct mg_tcp_conn *c)
{
	struct peer *p = arg;
	long n;

	FUZZ_CHECK(p->c == c);
	while (!p->eof || p->off < p->len) {
		if (p->off < p->len) {
			if ((n = mg_tcp_send(c, p->buf + p->off, p->len - p->off)) <= 0)
				break;
			p->off += (size_t)n;
			continue;
		}
		n = mg_tcp_recv(c, p->buf, sizeof(p->buf));
		if (n < 0)
			break;
		if (n == 0) {
			p->eof = true;
			(void)mg_tcp_shutdown(c);
			break;
		}
		check_read(p, p->buf, (size_t)n);
		p->off = 0;
		p->len = (size_t)n;
	}
}

static void
active_read(void *arg, struct mg_tcp_conn *c)
{
	struct peer *p = arg;
	uint8_t buf[4096];
	long n;

	FUZZ_CHECK(p->c == c);
	while ((n = mg_tcp_recv(c, buf, sizeof(buf))) > 0)
		check_read(p, buf, (size_t)n);
}

static void
active_connected(void *arg, struct mg_tcp_conn *c)
{
	struct peer *p = arg;

	FUZZ_CHECK(p->c == c && c->state >= MG_TCP_ESTABLISHED);
	p->irs = c->irs;
}

static void
on_closed(void *arg, struct mg_tcp_conn *c, int err)
{
	struct peer *p = arg;

	(void)err;
	FUZZ_CHECK(p->c == c && c->state == MG_TCP_CLOSED);
	app_close(p);
}

static const struct mg_tcp_callbacks echo_cb = {
	.readable = echo_pump, .writable = echo_pump, .closed = on_closed,
};
static const struct mg_tcp_callbacks active_cb = {
	.connected = active_connected, .readable = active_read, .closed = on_closed,
};

static void
on_accept(void *arg, struct mg_tcp_listener *l, struct mg_tcp_conn *c)
{
	struct peer *p = peer_of(c->lport, c->rport);

	(void)arg;
	(void)l;
	FUZZ_CHECK(p != NULL && p != &peers[ACTIVE]);
	/* One connection per 4-tuple: one the application still holds must be over, its
	 * end merely not yet told. */
	if (p->c != NULL) {
		FUZZ_CHECK(p->c->state == MG_TCP_CLOSED);
		app_close(p);
	}
	p->c = c;
	p->have_isn = true;
	p->iss = c->iss;
	p->irs = c->irs;
	p->read_off = 0;
	p->off = p->len = 0;
	p->eof = false;
	mg_tcp_set_callbacks(c, &echo_cb, p);
	echo_pump(p, c);
}

static void
active_connect(void)
{
	struct peer *p = &peers[ACTIVE];
	struct mg_tcp_conn *c;

	if (p->c != NULL || mg_tcp_connect(tcp, PEER_ADDR, 80, &c) != 0)
		return;
	p->c = c;
	p->lport = c->lport;
	p->seen = p->acked = false;
	p->have_isn = true;
	p->iss = c->iss;
	p->read_off = p->write_off = 0;
	mg_tcp_set_callbacks(c, &active_cb, p);
}

static void
active_write(struct peer *p, uint32_t want)
{
	uint8_t buf[1024];
	long n;

	while (want > 0) {
		uint32_t chunk = want < sizeof(buf) ? want : sizeof(buf);

		for (uint32_t i = 0; i < chunk; i++)
			buf[i] = pat(p->iss + 1 + (uint32_t)(p->write_off + i));
		if ((n = mg_tcp_send(p->c, buf, chunk)) <= 0)
			return;
		p->write_off += (uint64_t)n;
		want -= (uint32_t)n;
	}
}

static void
step_app(struct script *s)
{
	struct peer *p = &peers[u8(s) % PEERS];
	uint8_t what = u8(s) % 8;
	uint16_t arg = u16(s);

	if (p == &peers[ACTIVE] && what == 6) {
		active_connect();
		return;
	}
	if (p->c == NULL)
		return;
	switch (what) {
	case 0:
		if (p == &peers[ACTIVE])
			active_write(p, arg + 1u);
		break;
	case 1:
		(void)mg_tcp_shutdown(p->c);
		break;
	case 2:
		app_close(p);
		break;
	case 3:
		FUZZ_CHECK(mg_tcp_abort(p->c) == 0);
		p->c = NULL;
		break;
	case 4:
		mg_tcp_set_nodelay(p->c, arg & 1);
		break;
	case 5:
		mg_tcp_set_keepalive(p->c, (arg & 0xff) * 100000000ull,
				     (arg >> 8) * 10000000ull + 1, 1 + arg % 4);
		break;
	default:
		if (p == &peers[ACTIVE])
			active_read(p, p->c);
		else
			echo_pump(p, p->c);
		break;
	}
}

/* --- the peer's frames ------------------------------------------------------------------ */

#define L4_OFF	(MG_ETH_HDR_LEN + MG_IPV4_HDR_LEN)

/* Put an IPv4 packet from the peer (payload already at frame + 34) on the wire. */
static void
send_ip(uint8_t *frame, uint8_t proto, size_t payload_len)
{
	struct mg_eth_hdr e = { .dst = our_mac, .src = peer_mac, .type = MG_ETHERTYPE_IPV4 };
	struct mg_ipv4_hdr ip = { .total_len = (uint16_t)(MG_IPV4_HDR_LEN + payload_len),
				  .df = true, .ttl = 64, .proto = proto, .src = PEER_ADDR,
				  .dst = OUR_ADDR };

	if (proto == MG_IP_PROTO_TCP)
		trace_tcp("peer", frame + L4_OFF, payload_len);
	FUZZ_CHECK(mg_eth_emit(frame, MG_ETH_HDR_LEN, &e) == MG_ETH_HDR_LEN);
	FUZZ_CHECK(mg_ipv4_emit(frame + MG_ETH_HDR_LEN, MG_IPV4_HDR_LEN, &ip) == MG_IPV4_HDR_LEN);
	inbox_push(frame, MG_ETH_HDR_LEN + MG_IPV4_HDR_LEN + payload_len);
}

/* The peer's payload for a segment at seq: pat() of each byte's sequence number. */
static uint32_t
fill_payload(uint8_t *to, uint32_t seq, size_t len)
{
	for (size_t i = 0; i < len; i++)
		to[i] = pat(seq + (uint32_t)i);
	return mg_csum_partial(to, len, 0);
}

/* The numbers of a segment of p: seq relative to what the stack acknowledged last (to
 * the peer's ISN for a SYN), ack relative to the stack's highest sequence number. */
static void
segment_numbers(struct script *s, const struct peer *p, uint8_t flags, struct mg_tcp_hdr *h)
{
	int16_t dseq = (int16_t)u16(s), dack = (int16_t)u16(s);

	if ((flags & MG_TCP_SYN) || !p->acked)
		h->seq = p->isn + (uint32_t)(int32_t)dseq + ((flags & MG_TCP_SYN) ? 0 : 1);
	else
		h->seq = p->ack_seen + (uint32_t)(int32_t)dseq;
	h->ack = p->nxt_seen + (uint32_t)(int32_t)dack;
	h->flags = flags & (MG_TCP_FIN | MG_TCP_SYN | MG_TCP_RST | MG_TCP_PSH | MG_TCP_ACK |
			    MG_TCP_URG);
	h->window = u16(s);
	h->sport = p->port;
	h->dport = p->lport;
}

static void
step_segment(struct script *s)
{
	static uint8_t frame[FRAME_MAX];
	struct peer *p = &peers[u8(s) % PEERS];
	uint8_t flags = u8(s), opt;
	struct mg_tcp_hdr h = { 0 };
	size_t len, room;
	uint32_t sum, data_seq;
	int hl;

	segment_numbers(s, p, flags, &h);
	opt = u8(s);
	if (opt & 1) {
		h.opts.has_mss = true;
		h.opts.mss = u16(s);
	}
	if (opt & 2) {
		h.opts.has_wscale = true;
		h.opts.wscale = u8(s) % 16;
	}
	h.opts.sack_permitted = opt & 4;
	if (opt & 8) {
		h.opts.has_ts = true;
		p->ts_val += u8(s);
		h.opts.ts_val = p->ts_val;
		h.opts.ts_ecr = p->ts_seen + (uint32_t)(int32_t)(int8_t)u8(s);
	}
	if (opt & 16) {
		h.opts.sack_count = 1 + u8(s) % 3;
		for (unsigned i = 0; i < h.opts.sack_count; i++) {
			h.opts.sack[i].left = p->nxt_seen + (uint32_t)(int32_t)(int16_t)u16(s);
			h.opts.sack[i].right = h.opts.sack[i].left + u16(s);
		}
	}
	len = u16(s);
	if (p->lport == 0)
		return;		/* the stack has not connected yet */
	if ((hl = mg_tcp_hdr_len(&h)) < 0) {
		h.opts.sack_count = 0;	/* too many options with the SACK blocks */
		hl = mg_tcp_hdr_len(&h);
	}
	room = MTU - MG_IPV4_HDR_LEN - (size_t)hl;
	len = len > room ? room : len;
	data_seq = h.seq + !!(h.flags & MG_TCP_SYN);
	sum = fill_payload(frame + L4_OFF + hl, data_seq, len);
	FUZZ_CHECK(mg_tcp_emit(frame + L4_OFF, (size_t)hl, &h, PEER_ADDR, OUR_ADDR,
			       (size_t)hl + len, sum) == hl);
	if (opt & 32)
		frame[L4_OFF + 16] ^= 1;	/* a bad checksum */
	send_ip(frame, MG_IP_PROTO_TCP, (size_t)hl + len);
}

/* A header written byte by byte: any options, well formed or not. */
static void
step_raw(struct script *s)
{
	static uint8_t frame[FRAME_MAX];
	struct peer *p = &peers[u8(s) % PEERS];
	uint8_t flags = u8(s), *t = frame + L4_OFF;
	struct mg_tcp_hdr h = { 0 };
	size_t opt_len = u8(s) % 41, hl, len;
	uint32_t sum;

	segment_numbers(s, p, flags, &h);
	hl = MG_TCP_HDR_LEN + (opt_len + 3) / 4 * 4;
	memset(t, 0, hl);
	for (size_t i = 0; i < opt_len; i++)
		t[MG_TCP_HDR_LEN + i] = u8(s);
	len = u8(s);
	if (p->lport == 0)
		return;
	mg_put_be16(t, h.sport);
	mg_put_be16(t + 2, h.dport);
	mg_put_be32(t + 4, h.seq);
	mg_put_be32(t + 8, h.ack);
	t[12] = (uint8_t)(hl / 4 << 4);
	t[13] = h.flags;
	mg_put_be16(t + 14, h.window);
	(void)fill_payload(t + hl, h.seq + !!(h.flags & MG_TCP_SYN), len);
	sum = mg_csum_pseudo_ipv4(PEER_ADDR, OUR_ADDR, MG_IP_PROTO_TCP, (uint16_t)(hl + len));
	mg_put_be16(t + 16, mg_csum_finish(mg_csum_partial(t, hl + len, sum)));
	send_ip(frame, MG_IP_PROTO_TCP, hl + len);
}

/* An ICMP error about one of the stack's segments to p (path MTU, unreachable, TTL). */
static void
step_icmp(struct script *s)
{
	static const uint8_t kinds[][2] = {
		{ MG_ICMP_UNREACH, MG_ICMP_UNREACH_NEEDFRAG }, { MG_ICMP_UNREACH, MG_ICMP_UNREACH_PORT },
		{ MG_ICMP_UNREACH, MG_ICMP_UNREACH_PROTO }, { MG_ICMP_UNREACH, MG_ICMP_UNREACH_HOST },
		{ MG_ICMP_TIME_EXCEEDED, 0 },
	};
	static uint8_t frame[FRAME_MAX];
	struct peer *p = &peers[u8(s) % PEERS];
	const uint8_t *kind = kinds[u8(s) % (sizeof(kinds) / sizeof(kinds[0]))];
	uint16_t mtu = u16(s);
	uint32_t seq = p->nxt_seen + (uint32_t)(int32_t)(int16_t)u16(s);
	struct mg_icmp_hdr h = { .type = kind[0], .code = kind[1], .rest = mtu };
	struct mg_ipv4_hdr quoted = { .total_len = MTU, .df = true, .ttl = 1,
				      .proto = MG_IP_PROTO_TCP, .src = OUR_ADDR,
				      .dst = PEER_ADDR };
	uint8_t *body = frame + L4_OFF + MG_ICMP_HDR_LEN;

	if (p->lport == 0)
		return;
	FUZZ_CHECK(mg_ipv4_emit(body, MG_IPV4_HDR_LEN, &quoted) == MG_IPV4_HDR_LEN);
	mg_put_be16(body + MG_IPV4_HDR_LEN, p->lport);
	mg_put_be16(body + MG_IPV4_HDR_LEN + 2, p->port);
	mg_put_be32(body + MG_IPV4_HDR_LEN + 4, seq);
	FUZZ_CHECK(mg_icmp_emit(frame + L4_OFF, MG_ICMP_HDR_LEN, &h,
				mg_csum_partial(body, MG_IPV4_HDR_LEN + 8, 0)) == MG_ICMP_HDR_LEN);
	send_ip(frame, MG_IP_PROTO_ICMP, MG_ICMP_HDR_LEN + MG_IPV4_HDR_LEN + 8);
}

/* --- the run ---------------------------------------------------------------------------- */

static void
check_conn(const struct mg_tcp_conn *c)
{
	FUZZ_CHECK(c->rbuf.len <= c->rcvbuf && c->sbuf.len <= c->sndbuf);
	FUZZ_CHECK(c->sacked_count <= TCP_SACK_MAX && c->ooo_count <= TCP_OOO_MAX);
	if (c->state < MG_TCP_SYN_RECEIVED)
		return;
	FUZZ_CHECK(seq_leq(c->snd_una, c->snd_nxt));
	FUZZ_CHECK(c->cwnd > 0 || c->state == MG_TCP_SYN_RECEIVED);
	FUZZ_CHECK(seq_leq(c->snd_nxt, c->sbuf_seq + c->sbuf.len + 1));
	for (unsigned i = 0; i < c->sacked_count; i++) {
		const struct tcp_range *r = &c->sacked[i];

		FUZZ_CHECK(seq_lt(r->left, r->right) && seq_leq(c->snd_una, r->left) &&
			   seq_leq(r->right, c->snd_nxt));
		FUZZ_CHECK(i == 0 || seq_leq(c->sacked[i - 1].right, r->left));
	}
	for (unsigned i = 0; i < c->ooo_count; i++) {
		const struct tcp_range *r = &c->ooo[i];

		FUZZ_CHECK(seq_lt(r->left, r->right) && seq_gt(r->left, c->rcv_nxt));
		FUZZ_CHECK(r->right - c->rcv_nxt <= c->rcvbuf);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(seq_leq(r->right, c->ooo[j].left) ||
				   seq_leq(c->ooo[j].right, r->left));
	}
}

static void
check_list(struct mg_list *head)
{
	for (struct mg_list *n = head->next; n != head; n = n->next)
		check_conn(mg_container_of(n, struct mg_tcp_conn, link));
}

/* Let the stack take what is on the wire and do what is due, until the wire is quiet. */
static void
run_stack(struct mg_netdev *dev)
{
	for (int i = 0; i < 8; i++) {
		mg_rt_timers_run(fuzz_clock_ns);
		mg_netdev_poll(dev, 4);
		mg_netdev_flush(dev);
		if (inbox_count == 0)
			break;
	}
	check_list(&tcp->all);
	check_list(&listener->syn_q);
	check_list(&listener->accept_q);
}

static void
step(struct script *s)
{
	uint64_t next;

	switch (u8(s) % 8) {
	case 0: case 1: case 2:
		step_segment(s);
		break;
	case 3:
		step_raw(s);
		break;
	case 4:
		step_icmp(s);
		break;
	case 5:
		fuzz_clock_ns += u16(s) * 1000000ull;
		break;
	case 6:
		if (mg_rt_timers_next(&next) && next > fuzz_clock_ns)
			fuzz_clock_ns = next;
		break;
	default:
		step_app(s);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct mg_netdev_ops ops = { .read = dev_read, .write = dev_write };
	static const uint8_t seed[32];
	struct mg_net_config ncfg = { .addr = OUR_ADDR, .prefix_len = 24, .gateway = PEER_ADDR };
	struct script s = { data, size };
	uint8_t set = u8(&s), bufs = u8(&s);
	struct mg_rng rng;
	struct mg_tcp_config cfg = {
		.cc = (set & 1) ? MG_TCP_CC_NEWRENO : MG_TCP_CC_CUBIC,
		.no_sack = set & 2, .no_timestamps = set & 4, .no_wscale = set & 8,
		.no_syncookies = set & 16,
		.sndbuf = 4096u << (bufs % 7), .rcvbuf = 4096u << (bufs / 7 % 7),
		.rng = &rng,
	};
	struct mg_netdev dev;
	struct mg_net *net;
	uint64_t next;

	tracing = getenv("FUZZ_TCP_TRACE") != NULL;
	mg_rng_init(&rng, seed);
	fuzz_clock_ns = 1000000000ull;
	inbox_head = inbox_count = 0;
	memset(peers, 0, sizeof(peers));
	for (unsigned i = 0; i < PEERS; i++) {
		peers[i].port = (uint16_t)(i == ACTIVE ? 80 : 40000 + i);
		peers[i].lport = i == ACTIVE ? 0 : ECHO_PORT;
		peers[i].isn = 0x10000000u * (i + 1);
		peers[i].ts_val = 1000;
	}
	memset(&dev, 0, sizeof(dev));
	dev.ops = &ops;
	dev.mtu = MTU;
	dev.mac = our_mac;
	FUZZ_CHECK(mg_netdev_init(&dev, 64, 64) == 0);
	FUZZ_CHECK(mg_net_create(&dev, &ncfg, &net) == 0);
	FUZZ_CHECK(mg_tcp_create(net, &cfg, &tcp) == 0);
	FUZZ_CHECK(mg_tcp_listen(tcp, ECHO_PORT, 1 + (set >> 5), on_accept, NULL,
				 &listener) == 0);
	active_connect();
	run_stack(&dev);
	for (unsigned n = 0; n < STEPS_MAX && s.n > 0; n++) {
		step(&s);
		run_stack(&dev);
	}
	mg_tcp_destroy(tcp);
	mg_net_destroy(net);
	FUZZ_CHECK(dev.pool.in_use == 0);
	mg_netdev_fini(&dev);
	FUZZ_CHECK(!mg_rt_timers_next(&next));
	return 0;
}
