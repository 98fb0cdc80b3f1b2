/* SPDX-License-Identifier: ISC */
/*
 * tcp_timer.c -- the one timer of each connection, armed for the earliest of its
 * deadlines: retransmission (RFC 6298), tail loss probe (RFC 8985 7), delayed ACK,
 * zero-window probe, keepalive, and the FIN_WAIT_2 limit after close. Also the RTT
 * estimator.
 */
#include <errno.h>

#include <morgana/runtime.h>

#include "tcp_internal.h"

static void rto_fire(struct mg_tcp_conn *c, uint64_t now);
static void tlp_fire(struct mg_tcp_conn *c, uint64_t now);
static void persist_fire(struct mg_tcp_conn *c, uint64_t now);
static void keepalive_fire(struct mg_tcp_conn *c);

static uint64_t
earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

static bool
keepalive_applies(const struct mg_tcp_conn *c)
{
	return c->keep_idle_ns > 0 && (c->state == MG_TCP_ESTABLISHED ||
				       c->state == MG_TCP_CLOSE_WAIT ||
				       c->state == MG_TCP_FIN_WAIT_2);
}

void
tcp_timer_update(struct mg_tcp_conn *c)
{
	uint64_t t;

	if (c->state == MG_TCP_CLOSED) {
		mg_timer_cancel(&c->timer);
		return;
	}
	c->keep_deadline = keepalive_applies(c)
		? c->last_rx_ns + c->keep_idle_ns + c->keep_sent * c->keep_intvl_ns : 0;
	t = earliest(c->rto_deadline, c->delack_deadline);
	t = earliest(t, c->tlp_deadline);
	t = earliest(t, c->persist_deadline);
	t = earliest(t, c->keep_deadline);
	t = earliest(t, c->close_deadline);
	if (t == 0)
		mg_timer_cancel(&c->timer);
	else if (!mg_timer_armed(&c->timer) || c->timer.deadline_ns != t)
		mg_timer_arm(&c->timer, t);
}

/* RFC 6298 2.2 and 2.3, with the clock granularity G = 1 ms. */
void
tcp_rtt_sample(struct mg_tcp_conn *c, uint64_t rtt_ns)
{
	const struct mg_tcp_config *cfg = &c->tcp->cfg;
	uint64_t var;

	if (c->srtt_ns == 0 && c->rttvar_ns == 0) {
		c->srtt_ns = rtt_ns;
		c->rttvar_ns = rtt_ns / 2;
	} else {
		uint64_t diff = c->srtt_ns > rtt_ns ? c->srtt_ns - rtt_ns : rtt_ns - c->srtt_ns;

		c->rttvar_ns = (3 * c->rttvar_ns + diff) / 4;
		c->srtt_ns = (7 * c->srtt_ns + rtt_ns) / 8;
	}
	var = 4 * c->rttvar_ns;
	if (var < 1000000)
		var = 1000000;
	c->rto_ns = c->srtt_ns + var;
	if (c->rto_ns < cfg->rto_min_ns)
		c->rto_ns = cfg->rto_min_ns;
	if (c->rto_ns > cfg->rto_max_ns)
		c->rto_ns = cfg->rto_max_ns;
}

/* RFC 6298 5.2/5.3: stop the timer when everything is acknowledged, else restart it. */
void
tcp_rto_restart(struct mg_tcp_conn *c)
{
	c->rto_deadline = c->snd_una == c->snd_nxt ? 0 : mg_now_ns() + c->rto_ns;
}

/*
 * RFC 8985 7.2: after sending new data or taking an ACK, a probe timeout of two smoothed
 * RTTs (plus the peer's worst delayed ACK when one segment is out), so that a lost tail
 * shows itself to SACK recovery instead of waiting for the retransmission timeout. Only
 * with SACK, in the open state, one probe out at a time, and never after the RTO.
 */
void
tcp_tlp_arm(struct mg_tcp_conn *c)
{
	uint32_t flight = c->snd_nxt - c->snd_una;
	uint64_t pto = 2 * c->srtt_ns, now;

	c->tlp_deadline = 0;
	if (!c->sack_ok || c->ca != CA_OPEN || c->tlp_out || flight == 0 || c->srtt_ns == 0 ||
	    c->state == MG_TCP_SYN_SENT || c->state == MG_TCP_SYN_RECEIVED)
		return;
	if (flight <= c->mss)
		pto += TCP_TLP_DELACK_NS;
	if (pto < TCP_TLP_MIN_NS)
		pto = TCP_TLP_MIN_NS;
	now = mg_now_ns();
	if (c->rto_deadline != 0 && now + pto >= c->rto_deadline)
		return;
	c->tlp_deadline = now + pto;
}

static void
tlp_fire(struct mg_tcp_conn *c, uint64_t now)
{
	c->tlp_deadline = 0;
	if (c->ca != CA_OPEN || c->tlp_out || c->snd_una == c->snd_nxt)
		return;
	tcp_send_tail_probe(c);
	c->rto_deadline = now + c->rto_ns;
}

/* RFC 6298 5.4-5.7 with RFC 5681's loss window and RFC 6675 5.1's marking. */
static void
rto_fire(struct mg_tcp_conn *c, uint64_t now)
{
	const struct mg_tcp_config *cfg = &c->tcp->cfg;
	bool handshake = c->state == MG_TCP_SYN_SENT || c->state == MG_TCP_SYN_RECEIVED;

	c->rto_deadline = 0;
	if (c->snd_una == c->snd_nxt)
		return;
	NET_COUNT(c->tcp->net, tcp, timeouts);
	c->tlp_deadline = 0;
	c->tlp_out = false;
	if (++c->retries > (handshake ? cfg->syn_retries : cfg->max_retries)) {
		NET_COUNT(c->tcp->net, tcp, conn_timeouts);
		tcp_set_closed(c, -ETIMEDOUT);
		return;
	}
	c->rto_ns = c->rto_ns * 2 > cfg->rto_max_ns ? cfg->rto_max_ns : c->rto_ns * 2;
	c->rtt_timing = false;
	if (handshake) {
		tcp_send_syn(c);
		return;
	}
	tcp_cc_on_rto(c);
	c->ca = CA_LOSS;
	c->recover = c->snd_nxt;
	c->high_rxt = c->snd_una;
	c->lost_end = c->snd_nxt;
	c->dupacks = 0;
	if (c->retries > 1)
		c->sacked_count = 0;	/* the receiver may have dropped what it SACKed */
	c->rto_deadline = now + c->rto_ns;
	tcp_output(c);
}

/* A zero-window probe: an empty segment below the window makes the peer answer with
 * its current window (RFC 9293 3.8.6.1), without putting a byte in flight. */
static void
persist_fire(struct mg_tcp_conn *c, uint64_t now)
{
	uint64_t t;

	c->persist_deadline = 0;
	if (c->snd_wnd != 0 || c->snd_nxt != c->snd_una)
		return;
	NET_COUNT(c->tcp->net, tcp, zero_window_probes);
	(void)tcp_send_flags(c, c->snd_una - 1, MG_TCP_ACK);
	if (c->persist_backoff < 16)
		c->persist_backoff++;
	t = c->rto_ns << c->persist_backoff;
	if (t < TCP_PERSIST_MIN_NS)
		t = TCP_PERSIST_MIN_NS;
	c->persist_deadline = now + (t > TCP_PERSIST_MAX_NS ? TCP_PERSIST_MAX_NS : t);
}

static void
keepalive_fire(struct mg_tcp_conn *c)
{
	c->keep_deadline = 0;
	if (c->keep_sent >= c->keep_count) {
		NET_COUNT(c->tcp->net, tcp, conn_timeouts);
		(void)tcp_send_flags(c, c->snd_nxt, MG_TCP_RST | MG_TCP_ACK);
		tcp_set_closed(c, -ETIMEDOUT);
		return;
	}
	c->keep_sent++;
	NET_COUNT(c->tcp->net, tcp, keepalive_probes);
	(void)tcp_send_flags(c, c->snd_una - 1, MG_TCP_ACK);
}

void
tcp_timer_fire(void *arg)
{
	struct mg_tcp_conn *c = arg;
	uint64_t now = mg_now_ns();

	c->busy++;
	if (c->close_deadline != 0 && c->close_deadline <= now) {
		c->close_deadline = 0;
		tcp_set_closed(c, 0);
	}
	if (c->state != MG_TCP_CLOSED && c->delack_deadline != 0 && c->delack_deadline <= now) {
		c->delack_deadline = 0;
		c->ack_now = true;
		tcp_output(c);
	}
	if (c->state != MG_TCP_CLOSED && c->tlp_deadline != 0 && c->tlp_deadline <= now)
		tlp_fire(c, now);
	if (c->state != MG_TCP_CLOSED && c->rto_deadline != 0 && c->rto_deadline <= now)
		rto_fire(c, now);
	if (c->state != MG_TCP_CLOSED && c->persist_deadline != 0 && c->persist_deadline <= now)
		persist_fire(c, now);
	if (c->state != MG_TCP_CLOSED && keepalive_applies(c) && c->keep_deadline != 0 &&
	    c->keep_deadline <= now)
		keepalive_fire(c);
	tcp_timer_update(c);
	c->busy--;
	tcp_notify(c);
	(void)tcp_maybe_free(c);
}
