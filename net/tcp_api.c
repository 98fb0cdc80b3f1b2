/* SPDX-License-Identifier: ISC */
/*
 * tcp_api.c -- what applications call: reading and writing (non-blocking, and
 * blocking the calling fiber only), connect waits, shutdown, close, abort, options
 * and information.
 */
#include <errno.h>
#include <string.h>

#include <morgana/runtime.h>

#include "tcp_internal.h"

static const char *const state_names[] = {
	[MG_TCP_CLOSED] = "CLOSED", [MG_TCP_LISTEN] = "LISTEN",
	[MG_TCP_SYN_SENT] = "SYN_SENT", [MG_TCP_SYN_RECEIVED] = "SYN_RECEIVED",
	[MG_TCP_ESTABLISHED] = "ESTABLISHED", [MG_TCP_FIN_WAIT_1] = "FIN_WAIT_1",
	[MG_TCP_FIN_WAIT_2] = "FIN_WAIT_2", [MG_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[MG_TCP_CLOSING] = "CLOSING", [MG_TCP_LAST_ACK] = "LAST_ACK",
	[MG_TCP_TIME_WAIT] = "TIME_WAIT",
};

const char *
mg_tcp_state_name(enum mg_tcp_state s)
{
	return (unsigned)s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s]
									   : "?";
}

/* The handshake is done (either side): start the data phase. */
void
tcp_established(struct mg_tcp_conn *c)
{
	c->rcv_adv = seq_max(c->rcv_adv, c->rcv_nxt);
	c->recover = c->iss;
	c->high_rxt = c->snd_una;
	c->lost_end = c->snd_una;
	tcp_cc_init(c);
	NET_COUNT(c->tcp->net, tcp, established);
}

static bool
handshaking(const struct mg_tcp_conn *c)
{
	return c->state == MG_TCP_SYN_SENT || c->state == MG_TCP_SYN_RECEIVED;
}

int
mg_tcp_wait_connected(struct mg_tcp_conn *c, uint64_t deadline_ns)
{
	int err;

	while (handshaking(c))
		if ((err = mg_waitq_wait(&c->writers, deadline_ns)) != 0)
			return err;
	if (c->state == MG_TCP_CLOSED && c->snd_una == c->iss)
		return c->err != 0 ? c->err : -ECONNREFUSED;
	return 0;
}

int
mg_tcp_dial(struct mg_tcp *tcp, uint32_t dst, uint16_t dport, uint64_t deadline_ns,
	    struct mg_tcp_conn **out)
{
	struct mg_tcp_conn *c;
	int err;

	if ((err = mg_tcp_connect(tcp, dst, dport, &c)) != 0)
		return err;
	if ((err = mg_tcp_wait_connected(c, deadline_ns)) != 0) {
		(void)mg_tcp_abort(c);
		return err;
	}
	*out = c;
	return 0;
}

/* After the reader made room: tell the peer if the window opened a lot, or opened
 * from (nearly) closed, so that a stalled sender need not wait for its probe. */
static void
window_maybe_update(struct mg_tcp_conn *c)
{
	uint32_t cur = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
	uint32_t w = tcp_rcv_window(c);

	if (c->state == MG_TCP_CLOSED || handshaking(c) || c->fin_rcvd)
		return;
	if (w > cur && (w - cur >= c->rcvbuf / 2 || cur < 2u * c->mss)) {
		c->ack_now = true;
		tcp_output(c);
		tcp_timer_update(c);
	}
}

long
mg_tcp_recv(struct mg_tcp_conn *c, void *buf, size_t size)
{
	uint32_t n;

	if (c->rbuf.len > 0) {
		n = size < c->rbuf.len ? (uint32_t)size : c->rbuf.len;
		tcp_ring_read_at(&c->rbuf, 0, buf, n);
		tcp_ring_consume(&c->rbuf, n);
		if (c->rbuf.len == 0 && c->ooo_count == 0)
			tcp_ring_free(&c->rbuf);
		window_maybe_update(c);
		return (long)n;
	}
	if (size == 0 && c->state != MG_TCP_CLOSED)
		return 0;
	if (c->fin_rcvd)
		return 0;
	if (c->state == MG_TCP_CLOSED)
		return c->err != 0 ? c->err : -ENOTCONN;
	return -EAGAIN;
}

long
mg_tcp_read(struct mg_tcp_conn *c, void *buf, size_t size, uint64_t deadline_ns)
{
	long n;
	int err;

	while ((n = mg_tcp_recv(c, buf, size)) == -EAGAIN)
		if ((err = mg_waitq_wait(&c->readers, deadline_ns)) != 0)
			return err;
	return n;
}

long
mg_tcp_send(struct mg_tcp_conn *c, const void *buf, size_t len)
{
	uint32_t room, n;

	if (c->state == MG_TCP_CLOSED)
		return c->err != 0 ? c->err : -ENOTCONN;
	if (c->fin_queued || (c->state != MG_TCP_ESTABLISHED && c->state != MG_TCP_CLOSE_WAIT &&
			      !handshaking(c)))
		return -EPIPE;
	if (len == 0)
		return 0;
	room = tcp_ring_room(&c->sbuf, c->sndbuf);
	n = len < room ? (uint32_t)len : room;
	if (n == 0)
		return -EAGAIN;
	if (tcp_ring_append(&c->sbuf, c->sndbuf, buf, n) != 0)
		return -ENOMEM;
	NET_COUNT_N(c->tcp->net, tcp, bytes_queued, n);
	tcp_output(c);
	tcp_timer_update(c);
	return (long)n;
}

long
mg_tcp_write(struct mg_tcp_conn *c, const void *buf, size_t len, uint64_t deadline_ns)
{
	const uint8_t *p = buf;
	size_t done = 0;

	while (done < len || len == 0) {
		long n = mg_tcp_send(c, p + done, len - done);
		int err;

		if (n >= 0) {
			done += (size_t)n;
			if (len == 0)
				break;
			continue;
		}
		if (n != -EAGAIN)
			return done > 0 ? (long)done : n;
		if ((err = mg_waitq_wait(&c->writers, deadline_ns)) != 0)
			return done > 0 ? (long)done : err;
	}
	return (long)done;
}

size_t
mg_tcp_readable(const struct mg_tcp_conn *c)
{
	return c->rbuf.len;
}

size_t
mg_tcp_writable(const struct mg_tcp_conn *c)
{
	if (c->fin_queued || (c->state != MG_TCP_ESTABLISHED && c->state != MG_TCP_CLOSE_WAIT))
		return 0;
	return tcp_ring_room(&c->sbuf, c->sndbuf);
}

int
mg_tcp_shutdown(struct mg_tcp_conn *c)
{
	if (c->fin_queued)
		return 0;
	switch (c->state) {
	case MG_TCP_ESTABLISHED:
		c->state = MG_TCP_FIN_WAIT_1;
		break;
	case MG_TCP_CLOSE_WAIT:
		c->state = MG_TCP_LAST_ACK;
		break;
	default:
		return -ENOTCONN;
	}
	c->fin_queued = true;
	tcp_output(c);
	tcp_timer_update(c);
	return 0;
}

static bool
fibers_waiting(const struct mg_tcp_conn *c)
{
	return !mg_waitq_empty(&c->readers) || !mg_waitq_empty(&c->writers);
}

static void
release(struct mg_tcp_conn *c)
{
	c->app_closed = true;
	c->events = 0;
	memset(&c->cb, 0, sizeof(c->cb));
}

int
mg_tcp_abort(struct mg_tcp_conn *c)
{
	if (fibers_waiting(c))
		return -EBUSY;
	release(c);
	if (c->state != MG_TCP_CLOSED && c->state != MG_TCP_SYN_SENT) {
		(void)tcp_send_flags(c, c->snd_nxt, MG_TCP_RST | MG_TCP_ACK);
		NET_COUNT(c->tcp->net, tcp, resets_tx);
	}
	tcp_set_closed(c, -ECONNABORTED);
	(void)tcp_maybe_free(c);
	return 0;
}

int
mg_tcp_close(struct mg_tcp_conn *c)
{
	if (fibers_waiting(c))
		return -EBUSY;
	if (c->rbuf.len > 0 && c->state != MG_TCP_CLOSED)
		return mg_tcp_abort(c);		/* unread data: RST, RFC 9293 3.6.1 */
	release(c);
	switch (c->state) {
	case MG_TCP_SYN_SENT:
		tcp_set_closed(c, 0);
		break;
	case MG_TCP_SYN_RECEIVED:
		return mg_tcp_abort(c);
	case MG_TCP_ESTABLISHED:
	case MG_TCP_CLOSE_WAIT:
		(void)mg_tcp_shutdown(c);
		break;
	case MG_TCP_FIN_WAIT_2:
		c->close_deadline = mg_now_ns() + c->tcp->cfg.fin_wait2_ns;
		tcp_timer_update(c);
		break;
	default:
		break;
	}
	(void)tcp_maybe_free(c);
	return 0;
}

void
mg_tcp_set_nodelay(struct mg_tcp_conn *c, bool nodelay)
{
	c->nodelay = nodelay;
	if (nodelay)
		tcp_output(c);
}

void
mg_tcp_set_keepalive(struct mg_tcp_conn *c, uint64_t idle_ns, uint64_t interval_ns,
		     unsigned count)
{
	c->keep_idle_ns = idle_ns;
	c->keep_intvl_ns = interval_ns ? interval_ns : idle_ns;
	c->keep_count = count;
	c->keep_sent = 0;
	tcp_timer_update(c);
}

void
mg_tcp_set_callbacks(struct mg_tcp_conn *c, const struct mg_tcp_callbacks *cb, void *arg)
{
	if (cb != NULL)
		c->cb = *cb;
	else
		memset(&c->cb, 0, sizeof(c->cb));
	c->cb_arg = arg;
}

void
mg_tcp_info(const struct mg_tcp_conn *c, struct mg_tcp_info *info)
{
	*info = (struct mg_tcp_info){
		.state = c->state, .local_addr = c->laddr, .remote_addr = c->raddr,
		.local_port = c->lport, .remote_port = c->rport, .mss = c->mss,
		.sack = c->sack_ok, .timestamps = c->ts_ok, .wscale = c->ws_ok,
		.cwnd = c->cwnd, .ssthresh = c->ssthresh, .snd_wnd = c->snd_wnd,
		.rcv_wnd = tcp_rcv_window(c), .srtt_ns = c->srtt_ns, .rto_ns = c->rto_ns,
		.retransmits = c->retransmits, .bytes_acked = c->bytes_acked,
		.bytes_received = c->bytes_received,
	};
}
