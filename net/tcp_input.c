/* SPDX-License-Identifier: ISC */
/*
 * tcp_input.c -- one segment for one connection: RFC 9293 3.10.7 (SEGMENT ARRIVES),
 * with PAWS (RFC 7323), the checks of RFC 5961, ACK processing that feeds RTT
 * estimation, congestion control and SACK loss recovery (RFC 6675, RFC 6582), and the
 * receive path (in-order and out-of-order data, FIN).
 */
#include <errno.h>
#include <string.h>

#include <morgana/runtime.h>

#include "tcp_internal.h"

static void syn_sent_input(struct mg_tcp_conn *c, struct tcp_seg *s);
static bool seg_acceptable(struct mg_tcp_conn *c, const struct tcp_seg *s);
static bool paws_reject(struct mg_tcp_conn *c, const struct tcp_seg *s);
static bool ack_input(struct mg_tcp_conn *c, struct tcp_seg *s);
static void new_ack(struct mg_tcp_conn *c, struct tcp_seg *s);
static void dup_ack(struct mg_tcp_conn *c, const struct tcp_seg *s);
static void maybe_enter_recovery(struct mg_tcp_conn *c);
static bool tlp_shows_loss(const struct mg_tcp_conn *c);
static void tlp_on_ack(struct mg_tcp_conn *c, const struct tcp_seg *s, uint32_t una);
static void window_update(struct mg_tcp_conn *c, const struct tcp_seg *s);
static bool fin_acked(struct mg_tcp_conn *c);
static void data_input(struct mg_tcp_conn *c, struct tcp_seg *s);
static void fin_input(struct mg_tcp_conn *c);

/* Options of a SYN or SYN-ACK: agree on what both sides offered. */
bool
tcp_syn_options(struct mg_tcp_conn *c, const struct tcp_seg *s)
{
	const struct mg_tcp_config *cfg = &c->tcp->cfg;
	const struct mg_tcp_opts *o = &s->h.opts;

	c->peer_mss = o->has_mss && o->mss >= 64 ? o->mss : TCP_DEFAULT_MSS;
	c->ws_ok = o->has_wscale && !cfg->no_wscale;
	c->snd_wscale = c->ws_ok ? o->wscale : 0;
	if (!c->ws_ok)
		c->rcv_wscale = 0;
	c->sack_ok = o->sack_permitted && !cfg->no_sack;
	c->ts_ok = o->has_ts && !cfg->no_timestamps;
	if (c->ts_ok) {
		c->ts_recent = o->ts_val;
		c->ts_recent_ns = mg_now_ns();
	}
	c->mss = tcp_start_mss(c);
	return true;
}

void
tcp_conn_input(struct mg_tcp_conn *c, struct tcp_seg *s)
{
	uint8_t f = s->h.flags;

	c->last_rx_ns = mg_now_ns();
	c->keep_sent = 0;
	if (c->state == MG_TCP_SYN_SENT) {
		syn_sent_input(c, s);
		goto out;
	}
	if (c->state == MG_TCP_CLOSED)
		return;
	if (paws_reject(c, s))
		goto out;
	if (!seg_acceptable(c, s)) {
		NET_COUNT(c->tcp->net, tcp, drop_out_of_window);
		/* A passive open's retransmitted SYN gets the SYN-ACK again; anything else
		 * a plain ACK (in a simultaneous open, the other side's SYN-ACK too). */
		if (c->state == MG_TCP_SYN_RECEIVED && (f & (MG_TCP_SYN | MG_TCP_ACK)) == MG_TCP_SYN)
			tcp_send_syn(c);
		else if (!(f & MG_TCP_RST))
			c->ack_now = true;
		goto out;
	}
	if (f & MG_TCP_RST) {
		/* RFC 5961 3.2: only an exact match resets; in the window earns a challenge. */
		if (s->h.seq == c->rcv_nxt) {
			NET_COUNT(c->tcp->net, tcp, resets_rx);
			tcp_set_closed(c, c->state == MG_TCP_SYN_RECEIVED && c->listener == NULL
					  ? -ECONNREFUSED : -ECONNRESET);
			return;
		}
		tcp_send_challenge_ack(c);
		return;
	}
	if (f & MG_TCP_SYN) {
		/* RFC 5961 4.2: a SYN on a synchronised connection, whatever its seq. In
		 * SYN_RECEIVED it is the peer's retransmission: answer with our SYN-ACK. */
		if (c->state == MG_TCP_SYN_RECEIVED && s->h.seq == c->irs)
			tcp_send_syn(c);
		else
			tcp_send_challenge_ack(c);
		return;
	}
	if (!(f & MG_TCP_ACK))
		return;
	if (!ack_input(c, s))
		goto out;
	if (c->state == MG_TCP_CLOSED)
		return;
	/* RFC 7323 4.3: remember the timestamp of an in-window segment. */
	if (c->ts_ok && s->h.opts.has_ts && seq_leq(s->h.seq, c->rcv_adv) &&
	    seq_geq(s->h.opts.ts_val, c->ts_recent)) {
		c->ts_recent = s->h.opts.ts_val;
		c->ts_recent_ns = mg_now_ns();
	}
	if (s->len > 0 || (f & MG_TCP_FIN))
		data_input(c, s);
	if (c->state == MG_TCP_CLOSED)
		return;
out:
	tcp_output(c);
	tcp_timer_update(c);
}

/* RFC 9293 3.10.7.3. */
static void
syn_sent_input(struct mg_tcp_conn *c, struct tcp_seg *s)
{
	uint8_t f = s->h.flags;
	bool ack_ok = false;

	if (f & MG_TCP_ACK) {
		if (seq_leq(s->h.ack, c->iss) || seq_gt(s->h.ack, c->snd_nxt)) {
			if (!(f & MG_TCP_RST)) {
				NET_COUNT(c->tcp->net, tcp, drop_out_of_window);
				tcp_send_reset(c->tcp, s);
			}
			return;
		}
		ack_ok = true;
	}
	if (f & MG_TCP_RST) {
		if (ack_ok) {
			NET_COUNT(c->tcp->net, tcp, resets_rx);
			tcp_set_closed(c, -ECONNREFUSED);
		}
		return;
	}
	if (!(f & MG_TCP_SYN))
		return;
	c->irs = s->h.seq;
	c->rcv_nxt = s->h.seq + 1;
	/* Our SYN offered an unscaled window (RFC 7323 2.2). */
	c->rcv_adv = c->rcv_nxt + (c->rcvbuf > 65535 ? 65535 : c->rcvbuf);
	(void)tcp_syn_options(c, s);
	c->snd_wnd = s->h.window;	/* never scaled in a SYN (RFC 7323 2.2) */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->h.seq;
	c->snd_wl2 = s->h.ack;
	if (ack_ok) {
		c->snd_una = s->h.ack;
		if (c->rtt_timing && c->retries == 0)
			tcp_rtt_sample(c, mg_now_ns() - c->rtt_start_ns);
		c->rtt_timing = false;
		c->retries = 0;
		c->rto_deadline = 0;
		c->state = MG_TCP_ESTABLISHED;
		tcp_established(c);
		tcp_event(c, EV_CONNECTED | EV_WRITABLE);
		c->ack_now = true;
		return;
	}
	/* Simultaneous open: both sent SYNs. Our SYN-ACK repeats our ISN. */
	c->state = MG_TCP_SYN_RECEIVED;
	tcp_send_syn(c);
}

/* RFC 7323 5.3: a segment whose timestamp is older than the last one is a duplicate
 * from an earlier incarnation of the sequence space. */
static bool
paws_reject(struct mg_tcp_conn *c, const struct tcp_seg *s)
{
	if (!c->ts_ok || !s->h.opts.has_ts || (s->h.flags & MG_TCP_RST))
		return false;
	if (seq_geq(s->h.opts.ts_val, c->ts_recent))
		return false;
	if (mg_now_ns() - c->ts_recent_ns > TCP_PAWS_IDLE_NS) {
		c->ts_recent = s->h.opts.ts_val;	/* stale ts_recent: start over */
		return false;
	}
	NET_COUNT(c->tcp->net, tcp, drop_paws);
	c->ack_now = true;
	return true;
}

/* The four cases of RFC 9293 3.10.7.4's acceptability test. A zero window still takes
 * a segment at rcv_nxt for its ACK and flags (the data is cut off later). */
static bool
seg_acceptable(struct mg_tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t seq = s->h.seq, end = s->h.seq + s->seq_len;

	if (wnd == 0 || s->seq_len == 0) {
		if (wnd == 0)
			return seq == c->rcv_nxt;
		return seq_geq(seq, c->rcv_nxt) && seq_lt(seq, c->rcv_nxt + wnd);
	}
	return (seq_geq(seq, c->rcv_nxt) && seq_lt(seq, c->rcv_nxt + wnd)) ||
	       (seq_gt(end, c->rcv_nxt) && seq_leq(end, c->rcv_nxt + wnd)) ||
	       (seq_lt(seq, c->rcv_nxt) && seq_gt(end, c->rcv_nxt + wnd));
}

/* The ACK field. Returns false when the segment is to be dropped here. */
static bool
ack_input(struct mg_tcp_conn *c, struct tcp_seg *s)
{
	uint32_t ack = s->h.ack, una = c->snd_una;

	if (c->state == MG_TCP_SYN_RECEIVED) {
		if (seq_leq(ack, c->snd_una) || seq_gt(ack, c->snd_nxt)) {
			tcp_send_reset(c->tcp, s);
			return false;
		}
		if (!tcp_listener_established(c))
			return false;
		c->state = MG_TCP_ESTABLISHED;
		c->snd_wnd = (uint32_t)s->h.window << c->snd_wscale;
		c->max_snd_wnd = c->snd_wnd;
		c->snd_wl1 = s->h.seq;
		c->snd_wl2 = ack;
		tcp_established(c);
		tcp_event(c, EV_CONNECTED | EV_WRITABLE);
	}
	if (seq_gt(ack, c->snd_nxt)) {
		/* RFC 9293: acknowledges something not yet sent. */
		NET_COUNT(c->tcp->net, tcp, drop_out_of_window);
		c->ack_now = true;
		return false;
	}
	if (seq_lt(ack, c->snd_una - c->max_snd_wnd)) {
		/* RFC 5961 5.2: too old to be real, possibly injected. */
		tcp_send_challenge_ack(c);
		return false;
	}
	if (c->sack_ok && s->h.opts.sack_count > 0)
		tcp_sack_update(c, &s->h.opts);
	if (seq_gt(ack, c->snd_una))
		new_ack(c, s);
	else
		dup_ack(c, s);
	maybe_enter_recovery(c);
	tlp_on_ack(c, s, una);
	if (c->sack_ok && s->h.opts.sack_count > 0)
		tcp_sack_lost_retransmits(c, &s->h.opts);
	window_update(c, s);
	if (fin_acked(c)) {
		switch (c->state) {
		case MG_TCP_FIN_WAIT_1:
			c->state = MG_TCP_FIN_WAIT_2;
			if (c->app_closed)
				c->close_deadline = mg_now_ns() + c->tcp->cfg.fin_wait2_ns;
			break;
		case MG_TCP_CLOSING:
			tcp_enter_timewait(c);
			return false;
		case MG_TCP_LAST_ACK:
			tcp_set_closed(c, 0);
			return false;
		default:
			break;
		}
	}
	return true;
}

static bool
fin_acked(struct mg_tcp_conn *c)
{
	return c->fin_queued && c->snd_una == c->sbuf_seq + c->sbuf.len + 1;
}

/* Loss recovery bookkeeping when snd_una moves, RFC 6675 5 and RFC 6582 3.2. */
static void
recovery_on_ack(struct mg_tcp_conn *c)
{
	c->high_rxt = seq_max(c->high_rxt, c->snd_una);
	if (c->ca == CA_OPEN)
		return;
	if (seq_geq(c->snd_una, c->recover)) {
		c->ca = CA_OPEN;
		c->lost_end = c->snd_una;
		return;
	}
	if (!c->sack_ok && c->ca == CA_RECOVERY) {
		/* NewReno partial ACK: the next segment is lost too. */
		c->lost_end = c->snd_una + c->mss;
		c->high_rxt = c->snd_una;
	}
}

static void
new_ack(struct mg_tcp_conn *c, struct tcp_seg *s)
{
	uint32_t ack = s->h.ack, acked = ack - c->snd_una;
	uint32_t flight = c->snd_nxt - c->snd_una;
	uint32_t data_acked = 0;

	if (seq_gt(ack, c->sbuf_seq)) {
		data_acked = ack - c->sbuf_seq;
		if (data_acked > c->sbuf.len)
			data_acked = c->sbuf.len;	/* the rest is our FIN (or SYN) */
		tcp_ring_consume(&c->sbuf, data_acked);
		c->sbuf_seq += data_acked;
		if (c->sbuf.len == 0 && !c->fin_queued)
			tcp_ring_free(&c->sbuf);
	}
	c->snd_una = ack;
	c->bytes_acked += data_acked;
	NET_COUNT_N(c->tcp->net, tcp, bytes_acked, data_acked);
	/* RTT: the timed segment (Karn: never a retransmitted one), else the echoed
	 * timestamp, which is unambiguous even after a retransmission (RFC 7323 4). */
	if (c->rtt_timing && seq_geq(ack, c->rtt_seq)) {
		tcp_rtt_sample(c, mg_now_ns() - c->rtt_start_ns);
		c->rtt_timing = false;
	} else if (c->retries > 0 && c->ts_ok && s->h.opts.has_ts && s->h.opts.ts_ecr != 0) {
		uint32_t ms = tcp_ts_now(c) - s->h.opts.ts_ecr;

		if (ms < 60000)
			tcp_rtt_sample(c, (uint64_t)ms * 1000000);
	}
	c->retries = 0;
	c->dupacks = 0;
	tcp_sack_trim(c);
	recovery_on_ack(c);
	if (c->ca == CA_OPEN)
		tcp_cc_on_ack(c, acked, flight);
	tcp_rto_restart(c);
	tcp_tlp_arm(c);
	if (data_acked > 0 && tcp_ring_room(&c->sbuf, c->sndbuf) > 0 && !c->fin_queued)
		tcp_event(c, EV_WRITABLE);
}

/* RFC 5681 2's duplicate ACK; with SACK any ACK that brings SACK blocks and does not
 * move snd_una counts, even one carrying data (RFC 6675 2, 5). */
static void
dup_ack(struct mg_tcp_conn *c, const struct tcp_seg *s)
{
	bool outstanding = s->h.ack == c->snd_una && c->snd_nxt != c->snd_una;
	bool dup = outstanding && s->len == 0 && !(s->h.flags & (MG_TCP_SYN | MG_TCP_FIN)) &&
		   ((uint32_t)s->h.window << c->snd_wscale) == c->snd_wnd;

	if (outstanding && c->sack_ok && s->h.opts.sack_count > 0)
		dup = true;
	if (dup)
		c->dupacks++;
}

/*
 * Whether a tail loss probe came through while data sent before it did not: all of that
 * left at least a probe timeout (two RTTs) before the probe, so it is lost, which is
 * what RACK (RFC 8985 6) would conclude from the send times.
 */
static bool
tlp_shows_loss(const struct mg_tcp_conn *c)
{
	uint32_t last = c->tlp_end - 1;

	if (!c->tlp_out || !seq_lt(c->snd_una, c->tlp_start))
		return false;
	for (unsigned i = 0; i < c->sacked_count; i++)
		if (seq_leq(c->sacked[i].left, last) && seq_gt(c->sacked[i].right, last))
			return true;
	return false;
}

/*
 * RFC 8985 7.4: what the ACKs after a probe say. A probe of new data ends its episode
 * once acknowledged. A resent segment that the peer then reports twice (a duplicate
 * ACK, or a D-SACK, RFC 2883) repaired nothing; acknowledged and passed with no such
 * report, it repaired a loss, which the congestion window answers for as fast recovery
 * would.
 */
static void
tlp_on_ack(struct mg_tcp_conn *c, const struct tcp_seg *s, uint32_t una)
{
	const struct mg_tcp_opts *o = &s->h.opts;
	uint32_t ack = s->h.ack;
	bool dsack = o->sack_count > 0 && seq_leq(o->sack[0].right, ack) &&
		     seq_geq(o->sack[0].left, c->tlp_start);
	bool dup = ack == una && s->len == 0 && o->sack_count == 0;

	if (!c->tlp_out || seq_lt(ack, c->tlp_end))
		return;
	if (!c->tlp_retrans || dsack || dup) {
		c->tlp_out = false;
	} else if (seq_gt(ack, c->tlp_end)) {
		NET_COUNT(c->tcp->net, tcp, tlp_losses);
		tcp_cc_on_loss(c);
		c->tlp_out = false;
	}
	if (!c->tlp_out)
		tcp_tlp_arm(c);
}

/* When to start recovery: DupThresh duplicate ACKs, SACK information that shows the
 * first outstanding segment lost (RFC 6675 5, RFC 6582 3.2), or a tail loss probe that
 * arrived above a hole. */
static void
maybe_enter_recovery(struct mg_tcp_conn *c)
{
	bool probe;

	if (c->ca != CA_OPEN || c->snd_nxt == c->snd_una)
		return;
	probe = c->sack_ok && tlp_shows_loss(c);
	if (c->dupacks < TCP_DUPTHRESH && !(c->sack_ok && tcp_is_lost_from(c, c->snd_una)) &&
	    !probe)
		return;
	/* RFC 6582 4.1: not again for losses of the window we already reduced for. */
	if (!c->sack_ok && seq_lt(c->snd_una - 1, c->recover))
		return;
	c->ca = CA_RECOVERY;
	c->recover = c->snd_nxt;
	c->high_rxt = c->snd_una;
	c->lost_end = c->snd_una + c->mss;
	if (probe) {
		c->lost_end = seq_max(c->lost_end, c->tlp_start);
		NET_COUNT(c->tcp->net, tcp, tlp_losses);
	}
	c->tlp_out = false;
	c->tlp_deadline = 0;
	NET_COUNT(c->tcp->net, tcp, fast_retransmits);
	tcp_cc_on_loss(c);
}

/* RFC 9293 3.10.7.4: SND.WL1/WL2 keep old segments from moving the window back. */
static void
window_update(struct mg_tcp_conn *c, const struct tcp_seg *s)
{
	uint32_t wnd = (uint32_t)s->h.window << c->snd_wscale;

	if (seq_lt(c->snd_wl1, s->h.seq) ||
	    (c->snd_wl1 == s->h.seq && seq_leq(c->snd_wl2, s->h.ack))) {
		bool opened = c->snd_wnd == 0 && wnd > 0;

		c->snd_wnd = wnd;
		c->snd_wl1 = s->h.seq;
		c->snd_wl2 = s->h.ack;
		if (wnd > c->max_snd_wnd)
			c->max_snd_wnd = wnd;
		if (opened) {
			c->persist_deadline = 0;
			c->persist_backoff = 0;
		}
	}
}

/* Payload and FIN: into the receive ring, in order or at their place after it. */
static void
data_input(struct mg_tcp_conn *c, struct tcp_seg *s)
{
	uint32_t seq = s->h.seq, len = s->len, off, room;
	uint32_t link_mss = mg_net_mtu(c->tcp->net) - 40u;
	const uint8_t *data = s->data;
	bool fin = (s->h.flags & MG_TCP_FIN) != 0;

	if (c->state != MG_TCP_ESTABLISHED && c->state != MG_TCP_FIN_WAIT_1 &&
	    c->state != MG_TCP_FIN_WAIT_2)
		return;		/* after their FIN: a retransmission, already acked */
	if (seq_lt(seq, c->rcv_nxt)) {
		uint32_t skip = c->rcv_nxt - seq;

		if (skip >= len) {
			/* Nothing new but maybe the FIN; answer duplicates at once. */
			skip = len;
			if (!fin || seq + len != c->rcv_nxt)
				c->ack_now = true;
		}
		data += skip;
		len -= skip;
		seq += skip;
	}
	if (len > 0 && c->app_closed) {
		/* Nobody will ever read it: tell the peer (RFC 9293 3.10.7.4, seventh). */
		(void)tcp_send_flags(c, c->snd_nxt, MG_TCP_RST | MG_TCP_ACK);
		NET_COUNT(c->tcp->net, tcp, resets_tx);
		tcp_set_closed(c, -ECONNRESET);
		return;
	}
	off = c->rbuf.len + (seq - c->rcv_nxt);
	room = c->rcvbuf > off ? c->rcvbuf - off : 0;
	if (len > room) {
		len = room;
		fin = false;
	}
	if (len > 0) {
		if (tcp_ring_write_at(&c->rbuf, c->rcvbuf, off, data, len) != 0) {
			NET_COUNT(c->tcp->net, tcp, drop_nobuf);
			return;
		}
		if (seq == c->rcv_nxt) {
			uint32_t nxt = tcp_ooo_advance(c, seq + len);
			uint32_t added = nxt - c->rcv_nxt;

			if (c->ooo_count > 0 || added > len)
				c->ack_now = true;	/* filled (part of) a hole */
			c->rbuf.len += added;
			c->rcv_nxt = nxt;
			c->bytes_received += added;
			NET_COUNT_N(c->tcp->net, tcp, bytes_received, added);
			/* A coalesced super-segment (device offloads) counts as the
			 * segments it was made of; without offloads no segment exceeds
			 * the link. The ACK waits for the end of the batch. */
			c->segs_unacked += len > link_mss ? len / link_mss : 1;
			if (c->segs_unacked >= 2)
				tcp_ack_at_batch_end(c);
			tcp_event(c, EV_READABLE);
		} else {
			if (!tcp_ooo_add(c, seq, seq + len))
				NET_COUNT(c->tcp->net, tcp, drop_ooo_full);
			c->ack_now = true;
		}
	}
	if (fin && seq + len == c->rcv_nxt)
		fin_input(c);
	else if (len > 0 && !c->ack_now && c->delack_deadline == 0)
		c->delack_deadline = mg_now_ns() + c->tcp->cfg.delack_ns;
}

/* The peer's FIN, in order: the end of the stream. Data it sent above the FIN cannot
 * belong to the stream, so out-of-order ranges are forgotten (as Linux does). */
static void
fin_input(struct mg_tcp_conn *c)
{
	c->rcv_nxt++;
	c->ooo_count = 0;
	c->fin_rcvd = true;
	c->ack_now = true;
	tcp_event(c, EV_READABLE);
	switch (c->state) {
	case MG_TCP_ESTABLISHED:
		c->state = MG_TCP_CLOSE_WAIT;
		break;
	case MG_TCP_FIN_WAIT_1:
		/* Simultaneous close, unless this segment also acked our FIN. */
		c->state = fin_acked(c) ? MG_TCP_TIME_WAIT : MG_TCP_CLOSING;
		break;
	case MG_TCP_FIN_WAIT_2:
		c->state = MG_TCP_TIME_WAIT;
		break;
	default:
		break;
	}
	if (c->state == MG_TCP_TIME_WAIT) {
		tcp_send_ack(c);
		tcp_enter_timewait(c);
	}
}
