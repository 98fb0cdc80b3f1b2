/* SPDX-License-Identifier: ISC */
/*
 * tcp_cc.c -- congestion control: slow start and congestion avoidance of NewReno
 * (RFC 5681, with appropriate byte counting of RFC 3465, L = 2) and of CUBIC (RFC 9438),
 * in integer arithmetic (the guest has no floating point library): windows in bytes,
 * time in milliseconds, C = 0.4 and beta = 0.7 as the RFC's constants.
 */
#include <morgana/runtime.h>

#include "tcp_internal.h"

#define CWND_MAX	(1u << 30)
#define CUBIC_DT_MAX_MS	100000		/* |t - K| beyond this would overflow; W is huge */

static uint64_t
icbrt(uint64_t x)
{
	uint64_t y = 0;

	for (int s = 63; s >= 0; s -= 3) {
		uint64_t b;

		y <<= 1;
		b = 3 * y * (y + 1) + 1;
		if ((x >> s) >= b) {
			x -= b << s;
			y++;
		}
	}
	return y;
}

void
tcp_cc_init(struct mg_tcp_conn *c)
{
	uint32_t mss = c->mss;
	uint32_t iw = TCP_IW_SEGS * mss;

	c->cwnd = iw;
	c->ssthresh = CWND_MAX;
	c->cc_acc = 0;
	c->cubic_epoch_ns = 0;
	c->cubic_wmax = 0;
}

/* CUBIC's window for the time since the epoch began plus one RTT (RFC 9438 4.2). */
static uint32_t
cubic_target(struct mg_tcp_conn *c, uint64_t now)
{
	uint64_t t_ms = (now - c->cubic_epoch_ns + c->srtt_ns) / 1000000;
	int64_t dt = (int64_t)t_ms - (int64_t)c->cubic_k_ms;
	uint64_t adt = (uint64_t)(dt < 0 ? -dt : dt), delta_mseg, wmax_mseg, mss = c->mss;

	if (adt > CUBIC_DT_MAX_MS)
		adt = CUBIC_DT_MAX_MS;
	delta_mseg = 4 * adt * adt * adt / 10000000;	/* C (t-K)^3 in 1/1000 segment */
	wmax_mseg = (uint64_t)c->cubic_wmax * 1000 / mss;
	if (dt < 0)
		wmax_mseg = wmax_mseg > delta_mseg ? wmax_mseg - delta_mseg : 0;
	else
		wmax_mseg += delta_mseg;
	return wmax_mseg * mss / 1000 > CWND_MAX ? CWND_MAX : (uint32_t)(wmax_mseg * mss / 1000);
}

static void
cubic_on_ack(struct mg_tcp_conn *c, uint32_t acked)
{
	uint64_t now = mg_now_ns(), target;

	if (c->cubic_epoch_ns == 0) {
		c->cubic_epoch_ns = now;
		if (c->cwnd < c->cubic_wmax)
			c->cubic_k_ms = icbrt((uint64_t)(c->cubic_wmax - c->cwnd) * 2500000000ull /
					      c->mss);
		else {
			c->cubic_k_ms = 0;
			c->cubic_wmax = c->cwnd;
		}
		c->cubic_west = c->cwnd;
	}
	target = cubic_target(c, now);
	if (target > c->cwnd + c->cwnd / 2)
		target = c->cwnd + c->cwnd / 2;
	/* The Reno-friendly region (RFC 9438 4.3): alpha = 3(1-beta)/(1+beta) ~ 0.529. */
	c->cubic_west += (uint32_t)((uint64_t)acked * c->mss * 529 / (1000ull * c->cwnd));
	if (c->cubic_west > target)
		target = c->cubic_west;
	if (target > c->cwnd) {
		c->cc_acc += (uint32_t)((target - c->cwnd) * acked / c->cwnd);
		if (c->cc_acc >= 1) {
			c->cwnd += c->cc_acc;
			c->cc_acc = 0;
		}
	}
}

void
tcp_cc_on_ack(struct mg_tcp_conn *c, uint32_t acked, uint32_t flight_before)
{
	uint32_t mss = c->mss;

	/* Grow only a window that was used (RFC 7661's spirit): an idle application must
	 * not inflate cwnd with ACKs of small writes. */
	if (flight_before + 2 * mss < c->cwnd)
		return;
	/* Slow start counts every byte an ACK covers (RFC 3465 without its limit L, as
	 * Linux does): receivers that coalesce -- Linux's GRO, Morgana's one ACK per batch
	 * -- send one ACK for many segments, and L = 2 segments would make slow start
	 * grow by a constant per round trip instead of doubling. */
	if (c->cwnd < c->ssthresh) {
		c->cwnd += acked;
	} else if (c->tcp->cfg.cc == MG_TCP_CC_CUBIC) {
		cubic_on_ack(c, acked);
	} else {
		c->cc_acc += acked;
		if (c->cc_acc >= c->cwnd) {
			c->cc_acc -= c->cwnd;
			c->cwnd += mss;
		}
	}
	if (c->cwnd > CWND_MAX)
		c->cwnd = CWND_MAX;
}

/* The new ssthresh after a loss: half the flight (NewReno), or beta times the window
 * with CUBIC's fast convergence (RFC 9438 4.6, 4.7). */
static uint32_t
reduce(struct mg_tcp_conn *c)
{
	uint32_t flight = c->snd_nxt - c->snd_una, mss = c->mss, ss;

	if (c->tcp->cfg.cc == MG_TCP_CC_CUBIC) {
		uint32_t w = c->cwnd;

		c->cubic_wmax = w < c->cubic_wmax ? (uint32_t)((uint64_t)w * 17 / 20) : w;
		c->cubic_epoch_ns = 0;
		ss = (uint32_t)((uint64_t)(flight < w ? flight : w) * 7 / 10);
	} else {
		ss = flight / 2;
	}
	c->cc_acc = 0;
	return ss > 2 * mss ? ss : 2 * mss;
}

void
tcp_cc_on_loss(struct mg_tcp_conn *c)
{
	c->ssthresh = reduce(c);
	c->cwnd = c->ssthresh;
}

void
tcp_cc_on_rto(struct mg_tcp_conn *c)
{
	/* A second timeout for the same data must not shrink ssthresh again: the flight
	 * then is what the first timeout's slow start sent. */
	if (c->retries <= 1)
		c->ssthresh = reduce(c);
	c->cwnd = c->mss;
}
