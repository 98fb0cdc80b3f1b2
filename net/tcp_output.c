/* SPDX-License-Identifier: ISC */
/*
 * tcp_output.c -- building and sending segments, and deciding what to send: lost data
 * first (RFC 6675's NextSeg, driven by the SACK scoreboard, or NewReno's first
 * unacknowledged segment), then new data as the congestion and peer windows allow,
 * with Nagle's algorithm and sender-side silly window avoidance (RFC 9293 3.8.6.2.1).
 *
 * The loss model, one rule for SACK and non-SACK peers alike: the sequence space
 * [snd_una, snd_nxt) minus the SACKed ranges is a list of holes. A hole is lost when
 * more than (DupThresh - 1) * MSS bytes above it were SACKed (RFC 6675 IsLost), and in
 * any case the part of it below lost_end (set by fast retransmit, NewReno partial ACKs
 * and timeouts). Everything below high_rxt was retransmitted. pipe follows RFC 6675
 * SetPipe() hole by hole.
 *
 * On a device with segmentation and checksum offload (MG_PLAT_NET_TSO4 and _CSUM) one
 * send may be a super-segment: up to cfg.tso_max bytes of whole segments (the last of
 * the data may be short, when Nagle would let it go), within the peer's window and the
 * congestion window, which the device cuts into segments of payload_max() bytes with
 * copies of the header. New data and retransmitted holes alike; when no 64 KiB packet
 * is free the send shrinks to one segment. Without those offloads every send is one
 * segment and nothing here differs.
 */
#include <errno.h>
#include <string.h>

#include <morgana/runtime.h>

#include "tcp_internal.h"

#define OUTPUT_BURST_MAX	256	/* segments per tcp_output() call */

static int send_segment(struct mg_tcp_conn *c, uint32_t seq, uint32_t *data_len,
			uint8_t flags, const struct mg_tcp_opts *syn_opts);
static uint32_t payload_max(const struct mg_tcp_conn *c);
static uint32_t send_max(const struct mg_tcp_conn *c, uint32_t seg);
static uint32_t super_len(const struct mg_tcp_conn *c, uint32_t len, uint32_t seg,
			  uint32_t pipe, bool all);
static uint32_t hole_lost_end(const struct mg_tcp_conn *c, uint32_t a, uint32_t b,
			      uint32_t sacked_above);
static bool next_lost(const struct mg_tcp_conn *c, uint32_t *seq, uint32_t *len);
static uint32_t send_range(struct mg_tcp_conn *c, uint32_t seq, uint32_t seq_len);
static bool send_new(struct mg_tcp_conn *c, uint32_t pipe);

/* --- windows ----------------------------------------------------------------------------- */

/*
 * The window to advertise, in bytes: the free receive space, except that the right
 * edge moves only by at least min(rcvbuf / 2, MSS) (receiver-side silly window
 * avoidance, RFC 9293 3.8.6.2.2) and never moves left.
 */
uint32_t
tcp_rcv_window(const struct mg_tcp_conn *c)
{
	uint32_t free_bytes = c->rcvbuf - c->rbuf.len;
	uint32_t cur = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t step = c->rcvbuf / 2 < c->mss ? c->rcvbuf / 2 : c->mss;

	if (free_bytes <= cur)
		return cur;
	if (free_bytes - cur < step)
		return cur;
	return free_bytes;
}

static uint16_t
window_field(struct mg_tcp_conn *c, bool syn)
{
	uint32_t w = tcp_rcv_window(c), cur, wire;

	if (syn) {
		w = c->rcvbuf > 65535 ? 65535 : c->rcvbuf;
		if (c->state != MG_TCP_SYN_SENT)
			c->rcv_adv = seq_max(c->rcv_adv, c->rcv_nxt + w);
		return (uint16_t)w;
	}
	cur = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	wire = w >> c->rcv_wscale;
	if ((wire << c->rcv_wscale) < cur)	/* rounding must not shrink the window */
		wire = (cur + (1u << c->rcv_wscale) - 1) >> c->rcv_wscale;
	if (wire > 65535)
		wire = 65535;
	c->rcv_adv = seq_max(c->rcv_adv, c->rcv_nxt + (wire << c->rcv_wscale));
	return (uint16_t)wire;
}

/* --- building segments ---------------------------------------------------------------------- */

/* The SACK blocks to send: newest first (RFC 2018 4), as many as fit. */
static void
sack_blocks(const struct mg_tcp_conn *c, struct mg_tcp_opts *o)
{
	unsigned max = c->ts_ok ? 3 : 4;
	bool used[TCP_OOO_MAX] = { false };

	while (o->sack_count < max && o->sack_count < c->ooo_count) {
		unsigned best = TCP_OOO_MAX;

		for (unsigned i = 0; i < c->ooo_count; i++)
			if (!used[i] && (best == TCP_OOO_MAX ||
					 c->ooo[i].stamp > c->ooo[best].stamp))
				best = i;
		used[best] = true;
		o->sack[o->sack_count].left = c->ooo[best].left;
		o->sack[o->sack_count].right = c->ooo[best].right;
		o->sack_count++;
	}
}

int
tcp_send_raw(struct mg_tcp *tcp, uint32_t laddr, uint16_t lport, uint32_t raddr,
	     uint16_t rport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
	     const struct mg_tcp_opts *opts)
{
	struct mg_net *net = tcp->net;
	struct mg_tcp_hdr h = { .sport = lport, .dport = rport, .seq = seq, .ack = ack,
				.flags = flags, .window = window };
	struct mg_pkt *pkt;
	int hlen;
	uint8_t *p;

	if (opts != NULL)
		h.opts = *opts;
	hlen = mg_tcp_hdr_len(&h);
	if (hlen < 0)
		return hlen;
	if ((pkt = mg_ipv4_alloc(net)) == NULL) {
		NET_COUNT(net, tcp, drop_nobuf);
		return -ENOBUFS;
	}
	p = mg_pkt_put(pkt, (size_t)hlen);
	(void)mg_tcp_emit(p, (size_t)hlen, &h, laddr, raddr, (size_t)hlen, 0);
	NET_COUNT(net, tcp, tx);
	return mg_ipv4_output(net, pkt, raddr, MG_IP_PROTO_TCP);
}

/*
 * One segment of c at seq with *data_len bytes of the send buffer (from seq on) and
 * flags; every segment but the first SYN carries the current ACK and window.
 * syn_opts: the options of a SYN, else timestamps and SACK blocks as negotiated.
 * *data_len above payload_max() makes a super-segment (the caller checked that the
 * device takes them); without a 64 KiB packet free it shrinks to one segment, without
 * the FIN and PSH meant for the end of the data, unless it is new data behind data in
 * flight (-ENOBUFS). Returns 0 or a negative errno.
 */
static int
send_segment(struct mg_tcp_conn *c, uint32_t seq, uint32_t *data_len, uint8_t flags,
	     const struct mg_tcp_opts *syn_opts)
{
	struct mg_net *net = c->tcp->net;
	struct mg_tcp_hdr h = { .sport = c->lport, .dport = c->rport, .seq = seq,
				.flags = flags };
	bool csum_offload = (mg_net_dev(net)->offloads & MG_PLAT_NET_CSUM) != 0;
	uint32_t seg = payload_max(c), len = *data_len, segs = 1;
	struct mg_pkt *pkt = NULL;
	uint8_t *p;
	int hlen;

	if (syn_opts != NULL) {
		h.opts = *syn_opts;
	} else {
		if (c->ts_ok) {
			h.opts.has_ts = true;
			h.opts.ts_val = tcp_ts_now(c);
			h.opts.ts_ecr = c->ts_recent;
		}
		if (c->sack_ok && c->ooo_count > 0 && !(flags & MG_TCP_RST))
			sack_blocks(c, &h.opts);
	}
	hlen = mg_tcp_hdr_len(&h);
	if (hlen < 0)
		return -EMSGSIZE;
	if (len > seg) {
		pkt = mg_ipv4_alloc_size(net, (size_t)hlen + len);
		/* New data behind data in flight waits for the next ACK rather than going out
		 * one segment at a time: the 64 KiB packets are all queued for the device, so
		 * small segments would only fill its queue (and be dropped there) and cost a
		 * frame each down to the peer. The ACK, or the timer, brings tcp_output back. */
		if (pkt == NULL && seq == c->snd_nxt && c->snd_nxt != c->snd_una) {
			NET_COUNT(net, tcp, tx_wait_big);
			return -ENOBUFS;
		}
		if (pkt == NULL) {
			len = seg;
			h.flags &= (uint8_t)~(MG_TCP_FIN | MG_TCP_PSH);
		}
	}
	if (pkt == NULL && (pkt = mg_ipv4_alloc(net)) == NULL) {
		NET_COUNT(net, tcp, drop_nobuf);
		return -ENOBUFS;
	}
	if ((p = mg_pkt_put(pkt, (size_t)hlen + len)) == NULL) {
		mg_pkt_free(pkt);
		return -EMSGSIZE;
	}
	if (h.flags & MG_TCP_ACK) {
		h.ack = c->rcv_nxt;
		h.window = window_field(c, (h.flags & MG_TCP_SYN) != 0);
	}
	if (len > 0)
		tcp_ring_read_at(&c->sbuf, seq - c->sbuf_seq, p + hlen, len);
	if (len > seg) {
		pkt->off.gso_type = MG_PKT_GSO_TCPV4;
		pkt->off.gso_size = (uint16_t)seg;
		segs = (len + seg - 1) / seg;
	}
	if (csum_offload) {
		/* The device sums header and payload; we leave it the pseudo-header. */
		(void)mg_tcp_emit_offload(p, (size_t)hlen, &h, c->laddr, c->raddr,
					  (size_t)hlen + len);
		pkt->off.csum = MG_PKT_CSUM_PARTIAL;
		pkt->off.csum_start = (uint32_t)mg_pkt_headroom(pkt);
		pkt->off.csum_offset = 16;
	} else {
		(void)mg_tcp_emit(p, (size_t)hlen, &h, c->laddr, c->raddr, (size_t)hlen + len,
				  mg_csum_partial(p + hlen, len, 0));
	}
	if (h.flags & MG_TCP_ACK) {
		c->ack_now = false;
		c->segs_unacked = 0;
		c->delack_deadline = 0;
	}
	*data_len = len;
	NET_COUNT_N(net, tcp, tx, segs);
	return mg_ipv4_output_flags(net, pkt, c->raddr, MG_IP_PROTO_TCP, MG_IPV4_DF);
}

void
tcp_send_syn(struct mg_tcp_conn *c)
{
	const struct mg_tcp_config *cfg = &c->tcp->cfg;
	bool active = c->state == MG_TCP_SYN_SENT;
	struct mg_tcp_opts o = { .has_mss = true,
				 .mss = (uint16_t)(mg_net_mtu(c->tcp->net) - 40) };
	uint32_t none = 0;

	o.has_wscale = active ? !cfg->no_wscale : c->ws_ok;
	o.wscale = c->rcv_wscale;
	o.sack_permitted = active ? !cfg->no_sack : c->sack_ok;
	if (active ? !cfg->no_timestamps : c->ts_ok) {
		o.has_ts = true;
		o.ts_val = tcp_ts_now(c);
		o.ts_ecr = active ? 0 : c->ts_recent;
	}
	(void)send_segment(c, c->iss, &none, MG_TCP_SYN | (active ? 0 : MG_TCP_ACK), &o);
	if (c->snd_nxt == c->iss) {
		c->snd_nxt = c->iss + 1;
		c->rtt_timing = true;
		c->rtt_seq = c->snd_nxt;
		c->rtt_start_ns = mg_now_ns();
	}
	if (c->rto_deadline == 0)
		c->rto_deadline = mg_now_ns() + c->rto_ns;
	tcp_timer_update(c);
}

int
tcp_send_flags(struct mg_tcp_conn *c, uint32_t seq, uint8_t flags)
{
	uint32_t none = 0;

	return send_segment(c, seq, &none, flags, NULL);
}

void
tcp_send_ack(struct mg_tcp_conn *c)
{
	uint32_t none = 0;

	(void)send_segment(c, c->snd_nxt, &none, MG_TCP_ACK, NULL);
}

/* RFC 5961 7: at most challenge_acks_per_sec per connection, so that they cannot be
 * used to amplify or to probe the connection's state from outside. */
void
tcp_send_challenge_ack(struct mg_tcp_conn *c)
{
	uint64_t now = mg_now_ns();

	if (now - c->challenge_refill_ns >= 1000000000ull) {
		c->challenge_tokens = (uint16_t)c->tcp->cfg.challenge_acks_per_sec;
		c->challenge_refill_ns = now;
	}
	if (c->challenge_tokens == 0) {
		NET_COUNT(c->tcp->net, tcp, challenge_acks_limited);
		return;
	}
	c->challenge_tokens--;
	NET_COUNT(c->tcp->net, tcp, challenge_acks);
	tcp_send_ack(c);
}

/* RFC 9293 3.10.7.1: the reset for a segment nobody owns; never for a reset. */
void
tcp_send_reset(struct mg_tcp *tcp, const struct tcp_seg *s)
{
	if (s->h.flags & MG_TCP_RST)
		return;
	NET_COUNT(tcp->net, tcp, resets_tx);
	if (s->h.flags & MG_TCP_ACK)
		(void)tcp_send_raw(tcp, s->dst, s->h.dport, s->src, s->h.sport, s->h.ack, 0,
				   MG_TCP_RST, 0, NULL);
	else
		(void)tcp_send_raw(tcp, s->dst, s->h.dport, s->src, s->h.sport, 0,
				   s->h.seq + s->seq_len, MG_TCP_RST | MG_TCP_ACK, 0, NULL);
}

/* --- the SACK scoreboard --------------------------------------------------------------------- */

void
tcp_sack_update(struct mg_tcp_conn *c, const struct mg_tcp_opts *o)
{
	for (unsigned i = 0; i < o->sack_count; i++) {
		uint32_t l = o->sack[i].left, r = o->sack[i].right;

		/* Only blocks inside what is outstanding (D-SACKs and lies are ignored). */
		if (!seq_lt(l, r) || seq_lt(l, c->snd_una) || seq_gt(r, c->snd_nxt))
			continue;
		if (c->sacked_count == TCP_SACK_MAX &&
		    !tcp_ranges_add(c->sacked, &c->sacked_count, TCP_SACK_MAX, l, r, 0))
			c->sacked_count--;	/* forget the highest range to make room */
		(void)tcp_ranges_add(c->sacked, &c->sacked_count, TCP_SACK_MAX, l, r, 0);
	}
}

/*
 * A retransmission is lost if data sent after it was SACKed while it is still missing
 * (the link keeps order, reordering aside): start a new round, so that the holes below
 * high_rxt go out again instead of waiting for the timeout. (RFC 6675 alone would
 * wait; RACK, RFC 8985, detects the same by time.) Data sent after it lies at rxt_nxt
 * or above; its SACK block may start lower, merged with what was SACKed before.
 */
void
tcp_sack_lost_retransmits(struct mg_tcp_conn *c, const struct mg_tcp_opts *o)
{
	bool after = false;

	if (c->ca == CA_OPEN || !seq_gt(c->high_rxt, c->snd_una))
		return;
	for (unsigned i = 0; i < o->sack_count; i++)
		if (seq_gt(o->sack[i].right, c->rxt_nxt) && seq_leq(o->sack[i].right, c->snd_nxt))
			after = true;
	if (!after)
		return;
	c->lost_end = seq_max(c->lost_end, c->high_rxt);
	c->high_rxt = c->snd_una;
	c->rxt_nxt = c->snd_nxt;
}

void
tcp_sack_trim(struct mg_tcp_conn *c)
{
	unsigned drop = 0;

	while (drop < c->sacked_count && seq_leq(c->sacked[drop].right, c->snd_una))
		drop++;
	memmove(c->sacked, c->sacked + drop, (c->sacked_count - drop) * sizeof(c->sacked[0]));
	c->sacked_count -= drop;
	if (c->sacked_count > 0 && seq_lt(c->sacked[0].left, c->snd_una))
		c->sacked[0].left = c->snd_una;
}

static uint32_t
sacked_total(const struct mg_tcp_conn *c)
{
	uint32_t total = 0;

	for (unsigned i = 0; i < c->sacked_count; i++)
		total += c->sacked[i].right - c->sacked[i].left;
	return total;
}

bool
tcp_is_lost_from(const struct mg_tcp_conn *c, uint32_t seq)
{
	uint32_t above = 0;

	for (unsigned i = 0; i < c->sacked_count; i++)
		if (seq_gt(c->sacked[i].right, seq))
			above += c->sacked[i].right - seq_max(c->sacked[i].left, seq);
	return above > (TCP_DUPTHRESH - 1) * (uint32_t)c->mss;
}

/* Where the lost part of hole [a, b) ends (a: nothing of it is lost). */
static uint32_t
hole_lost_end(const struct mg_tcp_conn *c, uint32_t a, uint32_t b, uint32_t sacked_above)
{
	if (sacked_above > (TCP_DUPTHRESH - 1) * (uint32_t)c->mss)
		return b;
	if (seq_gt(c->lost_end, a))
		return seq_min(b, c->lost_end);
	return a;
}

uint32_t
tcp_pipe(const struct mg_tcp_conn *c)
{
	uint32_t above = sacked_total(c), prev = c->snd_una, pipe = 0;

	for (unsigned i = 0; i <= c->sacked_count; i++) {
		uint32_t b = i < c->sacked_count ? c->sacked[i].left : c->snd_nxt;

		if (seq_lt(prev, b)) {
			uint32_t le = hole_lost_end(c, prev, b, above);

			pipe += b - le;
			if (seq_gt(c->high_rxt, prev))
				pipe += seq_min(c->high_rxt, b) - prev;
		}
		if (i < c->sacked_count) {
			above -= c->sacked[i].right - c->sacked[i].left;
			prev = c->sacked[i].right;
		}
	}
	if (!c->sack_ok && c->ca != CA_LOSS) {
		/* Without SACK each duplicate ACK stands for a segment that left. */
		uint32_t left = c->dupacks * (uint32_t)c->mss;

		pipe = pipe > left ? pipe - left : 0;
	}
	return pipe;
}

/* RFC 6675 NextSeg() rule 1: the first lost, not yet retransmitted sequence number. */
static bool
next_lost(const struct mg_tcp_conn *c, uint32_t *seq, uint32_t *len)
{
	uint32_t above = sacked_total(c), prev = c->snd_una;

	for (unsigned i = 0; i <= c->sacked_count; i++) {
		uint32_t b = i < c->sacked_count ? c->sacked[i].left : c->snd_nxt;

		if (seq_lt(prev, b)) {
			uint32_t le = hole_lost_end(c, prev, b, above);
			uint32_t start = seq_max(prev, c->high_rxt);

			if (seq_lt(start, le)) {
				*seq = start;
				*len = le - start;
				return true;
			}
		}
		if (i < c->sacked_count) {
			above -= c->sacked[i].right - c->sacked[i].left;
			prev = c->sacked[i].right;
		}
	}
	return false;
}

/*
 * RFC 6675 NextSeg() rule 3, for when nothing is lost and no new data may go: the first
 * unSACKed sequence number above high_rxt and below the highest SACKed data, lost or
 * not (the holes near the top of the window, with too little SACKed above them to count
 * as lost, would otherwise wait for the timeout).
 */
static bool
next_unsacked(const struct mg_tcp_conn *c, uint32_t *seq, uint32_t *len)
{
	uint32_t prev = c->snd_una;

	for (unsigned i = 0; i < c->sacked_count; i++) {
		uint32_t start = seq_max(prev, c->high_rxt);

		if (seq_lt(start, c->sacked[i].left)) {
			*seq = start;
			*len = c->sacked[i].left - start;
			return true;
		}
		prev = c->sacked[i].right;
	}
	return false;
}

/* Payload bytes the next segment may carry: the MSS less the SACK blocks it will
 * carry (c->mss already allows for timestamps; RFC 9293 3.7.1). */
static uint32_t
payload_max(const struct mg_tcp_conn *c)
{
	unsigned blocks = c->sack_ok ? c->ooo_count : 0, max = c->ts_ok ? 3 : 4;

	if (blocks > max)
		blocks = max;
	return c->mss - (blocks > 0 ? 4 + 8 * blocks : 0);
}

/* Payload bytes one send may carry: whole segments up to cfg.tso_max on a device that
 * cuts super-segments (TSO with checksum offload), else one segment. */
static uint32_t
send_max(const struct mg_tcp_conn *c, uint32_t seg)
{
	const uint32_t need = MG_PLAT_NET_TSO4 | MG_PLAT_NET_CSUM;
	uint32_t max = c->tcp->cfg.tso_max;

	if ((mg_net_dev(c->tcp->net)->offloads & need) != need || max <= seg)
		return seg;
	return max - max % seg;
}

uint32_t
tcp_send_max(const struct mg_tcp_conn *c)
{
	return send_max(c, payload_max(c));
}

/* --- deciding what to send ------------------------------------------------------------------- */

/*
 * Send the sequence range [seq, seq + seq_len) again (data, and the FIN if inside).
 * Returns how much of it went (less when a super-segment had to shrink); all of it
 * when sending failed, which the timer will notice.
 */
static uint32_t
send_range(struct mg_tcp_conn *c, uint32_t seq, uint32_t seq_len)
{
	uint32_t data_end = c->sbuf_seq + c->sbuf.len, data_len = 0, want, segs;
	uint8_t flags = MG_TCP_ACK;

	if (seq_lt(seq, data_end))
		data_len = seq_min(seq + seq_len, data_end) - seq;
	if (c->fin_queued && seq_gt(seq + seq_len, data_end))
		flags |= MG_TCP_FIN;
	if (data_len > 0 && seq + data_len == data_end)
		flags |= MG_TCP_PSH;
	want = data_len;
	if (send_segment(c, seq, &data_len, flags, NULL) != 0)
		return seq_len;
	if (data_len < want)
		seq_len = data_len;
	segs = data_len > payload_max(c) ? (data_len + payload_max(c) - 1) / payload_max(c) : 1;
	c->retransmits += segs;
	NET_COUNT_N(c->tcp->net, tcp, bytes_retransmitted, data_len);
	NET_COUNT_N(c->tcp->net, tcp, retransmits, segs);
	/* Karn: a retransmitted segment's ACK says nothing about the RTT. */
	if (c->rtt_timing && seq_lt(seq, c->rtt_seq))
		c->rtt_timing = false;
	return seq_len;
}

/* Retransmit [seq, seq + len) of a hole (the recovery rules below) and move high_rxt
 * past what went. */
static void
resend_hole(struct mg_tcp_conn *c, uint32_t seq, uint32_t len)
{
	c->high_rxt = seq + send_range(c, seq, len);
	c->rxt_nxt = c->snd_nxt;
}

/*
 * How much of len bytes a super-segment may carry (len above seg, one segment):
 * what the congestion window leaves, in whole segments but at least one (whether
 * that fits is checked as for any segment); the tail of the data only when Nagle
 * would send it, i.e. nothing is in flight or Nagle is off (Linux's TSO does the
 * same). all: len is everything that is queued.
 */
static uint32_t
super_len(const struct mg_tcp_conn *c, uint32_t len, uint32_t seg, uint32_t pipe, bool all)
{
	uint32_t room = c->cwnd > pipe ? c->cwnd - pipe : 0, flight = c->snd_nxt - c->snd_una;

	if (len > room) {
		len = room > seg ? room - room % seg : seg;
		all = false;
	}
	if (len > seg && len % seg != 0 && !(all && (flight == 0 || c->nodelay)))
		len -= len % seg;
	return len;
}

/* One segment (or super-segment) of new data and/or the FIN if the windows, Nagle and
 * silly window avoidance allow it. */
static bool
send_new(struct mg_tcp_conn *c, uint32_t pipe)
{
	uint32_t data_end = c->sbuf_seq + c->sbuf.len, wnd_end = c->snd_una + c->snd_wnd;
	uint32_t avail, usable, len, sent, flight = c->snd_nxt - c->snd_una;
	uint32_t seg = payload_max(c), max = send_max(c, seg);
	uint8_t flags = MG_TCP_ACK;
	bool fin;

	if (seq_gt(c->snd_nxt, data_end))
		return false;		/* the FIN is out */
	avail = data_end - c->snd_nxt;
	usable = seq_gt(wnd_end, c->snd_nxt) ? wnd_end - c->snd_nxt : 0;
	len = avail < max ? avail : max;
	if (len > usable)
		len = usable;
	if (len > seg)
		len = super_len(c, len, seg, pipe, len == avail);
	fin = c->fin_queued && len == avail;
	if (len == 0 && !fin)
		goto blocked;
	if (pipe + len > c->cwnd && len > 0)
		return false;
	if (len < seg && !fin) {
		bool all = len == avail;

		if (!(flight == 0 || (all && c->nodelay) || len >= c->max_snd_wnd / 2))
			return false;
	}
	if (fin)
		flags |= MG_TCP_FIN;
	if (len > 0 && len == avail)
		flags |= MG_TCP_PSH;
	sent = len;
	if (send_segment(c, c->snd_nxt, &sent, flags, NULL) != 0)
		return false;
	c->snd_nxt += sent + (fin && sent == len ? 1 : 0);
	NET_COUNT_N(c->tcp->net, tcp, bytes_sent, sent);
	if (!c->rtt_timing) {
		c->rtt_timing = true;
		c->rtt_seq = c->snd_nxt;
		c->rtt_start_ns = mg_now_ns();
	}
	if (c->rto_deadline == 0)
		c->rto_deadline = mg_now_ns() + c->rto_ns;
	tcp_tlp_arm(c);
	return true;
blocked:
	/* Zero window with nothing in flight: only probes will learn when it opens. */
	if (avail > 0 && flight == 0 && c->persist_deadline == 0) {
		uint64_t t = c->rto_ns << c->persist_backoff;

		if (t < TCP_PERSIST_MIN_NS)
			t = TCP_PERSIST_MIN_NS;
		c->persist_deadline = mg_now_ns() + (t > TCP_PERSIST_MAX_NS ? TCP_PERSIST_MAX_NS : t);
	}
	return false;
}

/*
 * A tail loss probe (RFC 8985 7.3): one new segment if the peer's window has room for
 * it, whatever the congestion window says, else the last segment sent once more. The
 * ACK it draws shows what of the tail is missing (tcp_input.c).
 */
void
tcp_send_tail_probe(struct mg_tcp_conn *c)
{
	uint32_t data_end = c->sbuf_seq + c->sbuf.len, wnd_end = c->snd_una + c->snd_wnd;
	uint32_t seg = payload_max(c), len;

	c->tlp_out = true;
	c->tlp_retrans = !(seq_lt(c->snd_nxt, data_end) && seq_lt(c->snd_nxt, wnd_end));
	if (!c->tlp_retrans) {
		len = seq_min(data_end, wnd_end) - c->snd_nxt;
		len = len < seg ? len : seg;
		c->tlp_start = c->snd_nxt;
		if (send_segment(c, c->snd_nxt, &len, MG_TCP_ACK | (c->snd_nxt + len ==
				 data_end ? MG_TCP_PSH : 0), NULL) != 0) {
			c->tlp_out = false;	/* nothing went: the timeout covers the tail */
			return;
		}
		c->snd_nxt += len;
		NET_COUNT_N(c->tcp->net, tcp, bytes_sent, len);
	} else {
		len = c->snd_nxt - c->snd_una;
		len = len < seg ? len : seg;
		c->tlp_start = c->snd_nxt - len;
		(void)send_range(c, c->tlp_start, len);
	}
	c->tlp_end = c->snd_nxt;
	NET_COUNT(c->tcp->net, tcp, tlp_probes);
}

void
tcp_output(struct mg_tcp_conn *c)
{
	switch (c->state) {
	case MG_TCP_ESTABLISHED: case MG_TCP_CLOSE_WAIT: case MG_TCP_FIN_WAIT_1:
	case MG_TCP_CLOSING: case MG_TCP_LAST_ACK:
		break;
	case MG_TCP_CLOSED:
		return;
	default:
		if (c->ack_now)
			tcp_send_ack(c);
		return;
	}
	for (unsigned n = 0; n < OUTPUT_BURST_MAX; n++) {
		uint32_t pipe = tcp_pipe(c), seq, len;

		if (next_lost(c, &seq, &len)) {
			/* RFC 6675 5 (4.2): the first retransmission goes out regardless. */
			bool first = c->ca == CA_RECOVERY && c->high_rxt == c->snd_una;

			uint32_t seg = payload_max(c), max = send_max(c, seg);

			if (len > max)
				len = max;
			if (len > seg)
				len = super_len(c, len, seg, pipe, false);
			if (pipe + len > c->cwnd && !first)
				break;
			resend_hole(c, seq, len);
			continue;
		}
		if (send_new(c, pipe))
			continue;
		/* RFC 6675 rule 3: in recovery, with room in the window, a hole that does
		 * not count as lost yet. */
		if (c->ca != CA_RECOVERY || !c->sack_ok || pipe + payload_max(c) > c->cwnd)
			break;
		if (!next_unsacked(c, &seq, &len))
			break;
		resend_hole(c, seq, seq_min(len, payload_max(c)));
	}
	if (c->ack_now)
		tcp_send_ack(c);
}
