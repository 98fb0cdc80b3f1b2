/* SPDX-License-Identifier: ISC */
/*
 * tcp_listen.c -- passive open: listeners, their SYN and accept queues, SYN cookies
 * when the SYN queue is full, segments for nobody (RST), and TIME_WAIT entries.
 *
 * SYN cookie layout (our ISN): 5 bits of the 64-second time slot, 3 bits indexing the
 * peer's MSS in mss_table, 24 bits of a keyed hash of the 4-tuple and slot plus the
 * peer's ISN. When the SYN carried timestamps, the low 5 bits of our TSval carry its
 * window scale (15: none) and SACK-permitted, and come back in the ACK's TSecr.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/runtime.h>

#include "tcp_internal.h"

static const uint16_t mss_table[8] = { 536, 1024, 1220, 1360, 1400, 1440, 1460, 8960 };

static struct mg_tcp_listener *listener_find(struct mg_tcp *tcp, uint16_t port);
static void syn_input(struct mg_tcp *tcp, struct mg_tcp_listener *l, struct tcp_seg *s,
		      bool has_floor, uint32_t isn_floor);
static void cookie_syn(struct mg_tcp *tcp, struct tcp_seg *s);
static void cookie_ack(struct mg_tcp *tcp, struct mg_tcp_listener *l, struct tcp_seg *s);

static struct mg_tcp_listener *
listener_find(struct mg_tcp *tcp, uint16_t port)
{
	struct mg_list *node, *tmp;

	mg_list_for_each_safe(node, tmp, &tcp->listeners) {
		struct mg_tcp_listener *l = mg_container_of(node, struct mg_tcp_listener, link);

		if (l->port == port)
			return l;
	}
	return NULL;
}

int
mg_tcp_listen(struct mg_tcp *tcp, uint16_t port, unsigned backlog, mg_tcp_accept_cb accept,
	      void *arg, struct mg_tcp_listener **out)
{
	struct mg_tcp_listener *l;

	if (port == 0)
		return -EINVAL;
	if (listener_find(tcp, port) != NULL)
		return -EADDRINUSE;
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->tcp = tcp;
	l->port = port;
	l->backlog = backlog ? backlog : MG_TCP_DEFAULT_BACKLOG;
	l->accept = accept;
	l->arg = arg;
	mg_list_init(&l->syn_q);
	mg_list_init(&l->accept_q);
	mg_waitq_init(&l->waiters);
	mg_list_push_back(&tcp->listeners, &l->link);
	*out = l;
	return 0;
}

/* Hand c over to the application: the callback, or a fiber waiting in accept. */
static void
deliver(struct mg_tcp_listener *l, struct mg_tcp_conn *c)
{
	if (l->accept == NULL) {
		mg_waitq_wake_one(&l->waiters);
		return;
	}
	mg_list_remove(&c->link);
	l->accept_count--;
	c->listener = NULL;
	c->owned = true;
	mg_list_push_back(&l->tcp->all, &c->link);
	l->accept(l->arg, l, c);
}

int
mg_tcp_accept(struct mg_tcp_listener *l, struct mg_tcp_conn **out, uint64_t deadline_ns)
{
	struct mg_tcp_conn *c;
	int err;

	if (l->accept != NULL)
		return -EINVAL;
	while (mg_list_empty(&l->accept_q))
		if ((err = mg_waitq_wait(&l->waiters, deadline_ns)) != 0)
			return err;
	c = mg_container_of(mg_list_pop_front(&l->accept_q), struct mg_tcp_conn, link);
	l->accept_count--;
	c->listener = NULL;
	c->owned = true;
	mg_list_push_back(&l->tcp->all, &c->link);
	*out = c;
	return 0;
}

int
mg_tcp_unlisten(struct mg_tcp_listener *l)
{
	struct mg_list *node;

	if (!mg_waitq_empty(&l->waiters))
		return -EBUSY;
	while ((node = mg_list_first(&l->syn_q)) != NULL ||
	       (node = mg_list_first(&l->accept_q)) != NULL) {
		struct mg_tcp_conn *c = mg_container_of(node, struct mg_tcp_conn, link);

		(void)tcp_send_flags(c, c->snd_nxt, MG_TCP_RST | MG_TCP_ACK);
		tcp_set_closed(c, -ECONNRESET);
		(void)tcp_maybe_free(c);
	}
	mg_list_remove(&l->link);
	free(l);
	return 0;
}

/* Called by tcp_input.c when a passive connection completes its handshake; false if the
 * accept queue is full (the segment is then dropped and the peer retries). */
bool
tcp_listener_established(struct mg_tcp_conn *c)
{
	struct mg_tcp_listener *l = c->listener;

	if (l == NULL)
		return true;
	if (l->accept_count >= l->backlog) {
		NET_COUNT(c->tcp->net, tcp, drop_accept_queue);
		return false;
	}
	mg_list_remove(&c->link);
	l->syn_count--;
	mg_list_push_back(&l->accept_q, &c->link);
	l->accept_count++;
	c->accepted = true;
	return true;
}

/* After the segment that completed the handshake is processed. */
void
tcp_listener_deliver(struct mg_tcp_conn *c)
{
	if (c->listener != NULL && c->accepted && !c->owned)
		deliver(c->listener, c);
}

/* --- SYNs --------------------------------------------------------------------------------- */

static void
syn_input(struct mg_tcp *tcp, struct mg_tcp_listener *l, struct tcp_seg *s, bool has_floor,
	  uint32_t isn_floor)
{
	struct mg_tcp_conn *c;

	if (l->syn_count >= l->backlog) {
		if (!tcp->cfg.no_syncookies) {
			cookie_syn(tcp, s);
			return;
		}
		NET_COUNT(tcp->net, tcp, drop_backlog);
		return;
	}
	c = tcp_conn_alloc(tcp, s->dst, s->h.dport, s->src, s->h.sport);
	if (c == NULL) {
		NET_COUNT(tcp->net, tcp, drop_max_conns);
		return;
	}
	c->iss = tcp_isn(tcp, s->dst, s->h.dport, s->src, s->h.sport);
	if (has_floor && seq_lt(c->iss, isn_floor))
		c->iss = isn_floor;
	c->snd_una = c->snd_nxt = c->iss;
	c->sbuf_seq = c->iss + 1;
	c->irs = s->h.seq;
	c->rcv_nxt = s->h.seq + 1;
	c->state = MG_TCP_SYN_RECEIVED;
	c->listener = l;
	(void)tcp_syn_options(c, s);
	c->snd_wnd = s->h.window;	/* never scaled in a SYN */
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->h.seq;
	c->snd_wl2 = c->iss;
	mg_list_push_back(&l->syn_q, &c->link);
	l->syn_count++;
	tcp_hash_insert(c);
	NET_COUNT(tcp->net, tcp, passive_opens);
	tcp_send_syn(c);
}

static uint32_t
cookie_hash(struct mg_tcp *tcp, const struct tcp_seg *s, uint32_t slot, uint32_t peer_isn)
{
	return (tcp_prf(tcp, TCP_PRF_COOKIE + slot, s->dst, s->h.dport, s->src, s->h.sport) +
		peer_isn) & 0xffffff;
}

/* Answer a SYN statelessly: everything we need later is in our ISN and TSval. */
static void
cookie_syn(struct mg_tcp *tcp, struct tcp_seg *s)
{
	uint32_t slot = (uint32_t)(mg_now_ns() / TCP_COOKIE_SLOT_NS), mss_idx = 0, isn;
	uint16_t peer_mss = s->h.opts.has_mss ? s->h.opts.mss : TCP_DEFAULT_MSS;
	struct mg_tcp_opts o = { 0 };

	for (uint32_t i = 0; i < 8; i++)
		if (mss_table[i] <= peer_mss)
			mss_idx = i;
	isn = (slot & 0x1f) << 27 | mss_idx << 24 | cookie_hash(tcp, s, slot, s->h.seq);
	o.has_mss = true;
	o.mss = (uint16_t)(mg_net_mtu(tcp->net) - 40);
	if (s->h.opts.has_ts && !tcp->cfg.no_timestamps) {
		uint32_t bits = s->h.opts.has_wscale && !tcp->cfg.no_wscale ? s->h.opts.wscale : 0xf;

		if (s->h.opts.sack_permitted && !tcp->cfg.no_sack)
			bits |= 0x10;
		o.has_ts = true;
		o.ts_val = ((tcp_ts_clock() + tcp_prf(tcp, TCP_PRF_TS, s->dst, s->h.dport, s->src,
						      s->h.sport)) & ~0x1fu) | bits;
		o.ts_ecr = s->h.opts.ts_val;
		o.has_wscale = (bits & 0xf) != 0xf;
		o.wscale = tcp->rcv_wscale;
		o.sack_permitted = (bits & 0x10) != 0;
	}
	NET_COUNT(tcp->net, tcp, syncookies_sent);
	(void)tcp_send_raw(tcp, s->dst, s->h.dport, s->src, s->h.sport, isn, s->h.seq + 1,
			   MG_TCP_SYN | MG_TCP_ACK,
			   (uint16_t)(tcp->cfg.rcvbuf > 65535 ? 65535 : tcp->cfg.rcvbuf), &o);
}

/* An ACK for a listener: the third step of a cookie handshake, or garbage. */
static void
cookie_ack(struct mg_tcp *tcp, struct mg_tcp_listener *l, struct tcp_seg *s)
{
	uint32_t cookie = s->h.ack - 1, now_slot = (uint32_t)(mg_now_ns() / TCP_COOKIE_SLOT_NS);
	uint32_t t = cookie >> 27, slot, peer_isn = s->h.seq - 1;
	struct mg_tcp_conn *c;

	if (tcp->cfg.no_syncookies || l->accept_count >= l->backlog)
		goto bad;
	if (t == (now_slot & 0x1f))
		slot = now_slot;
	else if (t == ((now_slot - 1) & 0x1f))
		slot = now_slot - 1;
	else
		goto bad;
	if ((cookie & 0xffffff) != cookie_hash(tcp, s, slot, peer_isn))
		goto bad;
	c = tcp_conn_alloc(tcp, s->dst, s->h.dport, s->src, s->h.sport);
	if (c == NULL) {
		NET_COUNT(tcp->net, tcp, drop_max_conns);
		return;
	}
	NET_COUNT(tcp->net, tcp, syncookies_ok);
	NET_COUNT(tcp->net, tcp, passive_opens);
	c->iss = cookie;
	c->snd_una = c->snd_nxt = s->h.ack;
	c->sbuf_seq = s->h.ack;
	c->irs = peer_isn;
	c->rcv_nxt = s->h.seq;
	c->rcv_adv = c->rcv_nxt + (c->rcvbuf > 65535 ? 65535 : c->rcvbuf);
	c->peer_mss = mss_table[(cookie >> 24) & 7];
	if (s->h.opts.has_ts && !tcp->cfg.no_timestamps) {
		uint32_t bits = s->h.opts.ts_ecr & 0x1f;

		c->ts_ok = true;
		c->ts_recent = s->h.opts.ts_val;
		c->ts_recent_ns = mg_now_ns();
		c->sack_ok = (bits & 0x10) != 0;
		c->ws_ok = (bits & 0xf) != 0xf;
		c->snd_wscale = c->ws_ok ? (uint8_t)(bits & 0xf) : 0;
	}
	if (!c->ws_ok)
		c->rcv_wscale = 0;
	c->mss = tcp_start_mss(c);
	c->snd_wnd = (uint32_t)s->h.window << c->snd_wscale;
	c->max_snd_wnd = c->snd_wnd;
	c->snd_wl1 = s->h.seq;
	c->snd_wl2 = s->h.ack;
	c->state = MG_TCP_ESTABLISHED;
	c->listener = l;
	c->accepted = true;
	mg_list_push_back(&l->accept_q, &c->link);
	l->accept_count++;
	tcp_hash_insert(c);
	tcp_established(c);
	c->busy++;
	if (s->len > 0 || (s->h.flags & MG_TCP_FIN))
		tcp_conn_input(c, s);
	c->busy--;
	if (c->state != MG_TCP_CLOSED)
		deliver(l, c);
	else
		(void)tcp_maybe_free(c);
	return;
bad:
	NET_COUNT(tcp->net, tcp, syncookies_bad);
	NET_COUNT(tcp->net, tcp, drop_no_conn);
	tcp_send_reset(tcp, s);
}

void
tcp_listen_input_floor(struct mg_tcp *tcp, struct tcp_seg *s, bool has_floor,
		       uint32_t isn_floor)
{
	struct mg_tcp_listener *l = listener_find(tcp, s->h.dport);
	uint8_t f = s->h.flags;

	if (l == NULL) {
		NET_COUNT(tcp->net, tcp, drop_no_conn);
		tcp_send_reset(tcp, s);
		return;
	}
	if (f & MG_TCP_RST)
		return;
	if (f & MG_TCP_ACK) {
		if ((f & MG_TCP_SYN) == 0) {
			cookie_ack(tcp, l, s);
			return;
		}
		NET_COUNT(tcp->net, tcp, drop_no_conn);
		tcp_send_reset(tcp, s);
		return;
	}
	if (f & MG_TCP_SYN)
		syn_input(tcp, l, s, has_floor, isn_floor);
}

void
tcp_listen_input(struct mg_tcp *tcp, struct tcp_seg *s)
{
	tcp_listen_input_floor(tcp, s, false, 0);
}

/* --- TIME_WAIT ------------------------------------------------------------------------------ */

void
tcp_tw_remove(struct mg_tcp *tcp, struct tcp_tw *tw)
{
	mg_list_remove(&tw->hash_link);
	mg_list_remove(&tw->fifo_link);
	mg_list_push_back(&tcp->tw_free, &tw->fifo_link);
	tcp->tw_count--;
}

static void
tw_arm(struct mg_tcp *tcp)
{
	struct mg_list *first = mg_list_first(&tcp->tw_fifo);

	if (first == NULL)
		mg_timer_cancel(&tcp->tw_timer);
	else
		mg_timer_arm(&tcp->tw_timer,
			     mg_container_of(first, struct tcp_tw, fifo_link)->expire_ns);
}

void
tcp_tw_fire(void *arg)
{
	struct mg_tcp *tcp = arg;
	uint64_t now = mg_now_ns();
	struct mg_list *node;

	while ((node = mg_list_first(&tcp->tw_fifo)) != NULL) {
		struct tcp_tw *tw = mg_container_of(node, struct tcp_tw, fifo_link);

		if (tw->expire_ns > now)
			break;
		tcp_tw_remove(tcp, tw);
	}
	tw_arm(tcp);
}

/* c finished with both FINs: keep only a small entry for 2 MSL, then forget it. The
 * table is bounded: when full, the oldest entry goes (counted). */
void
tcp_enter_timewait(struct mg_tcp_conn *c)
{
	struct mg_tcp *tcp = c->tcp;
	struct mg_list *node;
	struct tcp_tw *tw;

	if ((node = mg_list_first(&tcp->tw_free)) == NULL) {
		tcp_tw_remove(tcp, mg_container_of(mg_list_first(&tcp->tw_fifo), struct tcp_tw,
						   fifo_link));
		NET_COUNT(tcp->net, tcp, timewait_evicted);
		node = mg_list_first(&tcp->tw_free);
	}
	mg_list_remove(node);
	tw = mg_container_of(node, struct tcp_tw, fifo_link);
	*tw = (struct tcp_tw){
		.laddr = c->laddr, .raddr = c->raddr, .lport = c->lport, .rport = c->rport,
		.snd_nxt = c->snd_nxt, .rcv_nxt = c->rcv_nxt, .rcv_wnd = tcp_rcv_window(c),
		.ts_ok = c->ts_ok, .ts_offset = c->ts_offset, .ts_recent = c->ts_recent,
		.expire_ns = mg_now_ns() + 2 * tcp->cfg.msl_ns,
	};
	mg_list_init(&tw->hash_link);
	tcp_hash_remove(c);
	tcp_tw_insert(tcp, tw);
	mg_list_push_back(&tcp->tw_fifo, &tw->fifo_link);
	tcp->tw_count++;
	if (!mg_timer_armed(&tcp->tw_timer))
		tw_arm(tcp);
	c->state = MG_TCP_TIME_WAIT;	/* so that tcp_set_closed() runs its course */
	tcp_set_closed(c, 0);
}

static void
tw_ack(struct mg_tcp *tcp, struct tcp_tw *tw)
{
	struct mg_tcp_opts o = { 0 };

	if (tw->ts_ok) {
		o.has_ts = true;
		o.ts_val = tcp_ts_clock() + tw->ts_offset;
		o.ts_ecr = tw->ts_recent;
	}
	(void)tcp_send_raw(tcp, tw->laddr, tw->lport, tw->raddr, tw->rport, tw->snd_nxt,
			   tw->rcv_nxt, MG_TCP_ACK, (uint16_t)(tw->rcv_wnd > 65535 ? 65535 : tw->rcv_wnd),
			   &o);
}

/*
 * A segment for a tuple in TIME_WAIT. A new SYN above the old sequence space (or with a
 * newer timestamp) starts a new connection (RFC 9293 3.6.1, RFC 6191); a
 * retransmitted FIN is acknowledged again and restarts the wait; RSTs are ignored (RFC
 * 1337). Returns true when the segment was dealt with.
 */
bool
tcp_tw_input(struct mg_tcp *tcp, struct tcp_tw *tw, struct tcp_seg *s)
{
	uint8_t f = s->h.flags;

	if (f & MG_TCP_RST)
		return true;
	if ((f & (MG_TCP_SYN | MG_TCP_ACK)) == MG_TCP_SYN) {
		bool newer = seq_gt(s->h.seq, tw->rcv_nxt) ||
			     (tw->ts_ok && s->h.opts.has_ts &&
			      seq_gt(s->h.opts.ts_val, tw->ts_recent));
		uint32_t floor = tw->snd_nxt + 65536 + 2;

		if (!newer) {
			tw_ack(tcp, tw);
			return true;
		}
		tcp_tw_remove(tcp, tw);
		NET_COUNT(tcp->net, tcp, timewait_reused);
		tcp_listen_input_floor(tcp, s, true, floor);
		return true;
	}
	if (f & MG_TCP_FIN) {
		tw->expire_ns = mg_now_ns() + 2 * tcp->cfg.msl_ns;
		mg_list_remove(&tw->fifo_link);
		mg_list_push_back(&tcp->tw_fifo, &tw->fifo_link);
		tw_arm(tcp);
	}
	if ((f & MG_TCP_FIN) || s->len > 0 || (f & MG_TCP_SYN))
		tw_ack(tcp, tw);
	return true;
}
