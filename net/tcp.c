/* SPDX-License-Identifier: ISC */
/*
 * tcp.c -- the TCP instance: creation, the connection table, the input demultiplexer,
 * the keyed hash behind ISNs (RFC 6528), ephemeral ports (RFC 6056), active open and
 * the life cycle of a control block.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/random.h>
#include <morgana/runtime.h>

#include "tcp_internal.h"

#define PORT_PROBES_BEFORE_REUSE 64

static int config_check(struct mg_tcp_config *cfg);
static void icmp_error(void *arg, struct mg_net *net, const struct mg_icmp_error *e);
static void pmtu_lower(struct mg_tcp_conn *c, uint16_t mtu);
static uint32_t bucket_of(const struct mg_tcp *tcp, uint32_t laddr, uint16_t lport,
			  uint32_t raddr, uint16_t rport);
static int pick_port(struct mg_tcp *tcp, uint32_t dst, uint16_t dport, uint16_t *port,
		     uint32_t *isn_floor, bool *has_floor);

static void
tcp_random_bytes(struct mg_tcp *tcp, void *out, size_t len)
{
	if (tcp->cfg.rng != NULL)
		mg_rng_bytes(tcp->cfg.rng, out, len);
	else
		mg_random_bytes(out, len);
}

static uint32_t
tcp_random_below(struct mg_tcp *tcp, uint32_t bound)
{
	return tcp->cfg.rng != NULL ? mg_rng_below(tcp->cfg.rng, bound) : mg_random_below(bound);
}

/* Fill in defaults and refuse settings out of range. */
static int
config_check(struct mg_tcp_config *cfg)
{
	if (cfg->sndbuf == 0)
		cfg->sndbuf = MG_TCP_DEFAULT_BUF;
	if (cfg->rcvbuf == 0)
		cfg->rcvbuf = MG_TCP_DEFAULT_BUF;
	if (cfg->rto_min_ns == 0)
		cfg->rto_min_ns = 200ull * 1000000;
	if (cfg->rto_max_ns == 0)
		cfg->rto_max_ns = 60ull * 1000000000;
	if (cfg->rto_initial_ns == 0)
		cfg->rto_initial_ns = 1000000000ull;
	if (cfg->delack_ns == 0)
		cfg->delack_ns = 40ull * 1000000;
	if (cfg->msl_ns == 0)
		cfg->msl_ns = 30ull * 1000000000;
	if (cfg->fin_wait2_ns == 0)
		cfg->fin_wait2_ns = 60ull * 1000000000;
	if (cfg->max_retries == 0)
		cfg->max_retries = 15;
	if (cfg->syn_retries == 0)
		cfg->syn_retries = 6;
	if (cfg->max_conns == 0)
		cfg->max_conns = MG_TCP_DEFAULT_MAX_CONNS;
	if (cfg->timewait_max == 0)
		cfg->timewait_max = MG_TCP_DEFAULT_TIMEWAIT_MAX;
	if (cfg->ephemeral_lo == 0)
		cfg->ephemeral_lo = MG_TCP_EPHEMERAL_LO;
	if (cfg->ephemeral_hi == 0)
		cfg->ephemeral_hi = 65535;
	if (cfg->challenge_acks_per_sec == 0)
		cfg->challenge_acks_per_sec = 10;
	if (cfg->tso_max == 0 || cfg->tso_max > TCP_TSO_MAX)
		cfg->tso_max = TCP_TSO_MAX;
	if (cfg->sndbuf < 4096 || cfg->sndbuf > MG_TCP_MAX_BUF || cfg->rcvbuf < 4096 ||
	    cfg->rcvbuf > MG_TCP_MAX_BUF)
		return -EINVAL;
	if (cfg->rto_min_ns < 200ull * 1000000 || cfg->rto_min_ns > 1000000000ull ||
	    cfg->rto_max_ns < cfg->rto_min_ns || cfg->rto_initial_ns < cfg->rto_min_ns)
		return -EINVAL;
	if (cfg->delack_ns >= 500ull * 1000000 || cfg->ephemeral_lo > cfg->ephemeral_hi ||
	    cfg->cc > MG_TCP_CC_NEWRENO)
		return -EINVAL;
	return 0;
}

int
mg_tcp_create(struct mg_net *net, const struct mg_tcp_config *cfg, struct mg_tcp **out)
{
	struct mg_tcp *tcp;
	int err;

	tcp = calloc(1, sizeof(*tcp));
	if (tcp == NULL)
		return -ENOMEM;
	if (cfg != NULL)
		tcp->cfg = *cfg;
	if ((err = config_check(&tcp->cfg)) != 0)
		goto fail;
	tcp->tw_mem = calloc(tcp->cfg.timewait_max, sizeof(*tcp->tw_mem));
	if (tcp->tw_mem == NULL) {
		err = -ENOMEM;
		goto fail;
	}
	tcp->net = net;
	tcp_random_bytes(tcp, tcp->secret, sizeof(tcp->secret));
	tcp_random_bytes(tcp, &tcp->hash_key, sizeof(tcp->hash_key));
	for (size_t i = 0; i < TCP_HASH_BUCKETS; i++) {
		mg_list_init(&tcp->conns[i]);
		mg_list_init(&tcp->tws[i]);
	}
	mg_list_init(&tcp->listeners);
	mg_list_init(&tcp->all);
	mg_list_init(&tcp->ack_batch);
	mg_list_init(&tcp->tw_free);
	mg_list_init(&tcp->tw_fifo);
	for (size_t i = 0; i < tcp->cfg.timewait_max; i++)
		mg_list_push_back(&tcp->tw_free, &tcp->tw_mem[i].fifo_link);
	mg_timer_init(&tcp->tw_timer, tcp_tw_fire, tcp);
	/* The smallest scale that lets the window cover the whole receive buffer. */
	while (tcp->rcv_wscale < TCP_MAX_WSCALE && (tcp->cfg.rcvbuf >> tcp->rcv_wscale) > 65535)
		tcp->rcv_wscale++;
	if ((err = mg_ipv4_register(net, MG_IP_PROTO_TCP, tcp_input, tcp)) != 0)
		goto fail;
	if ((err = mg_icmp_register_error(net, MG_IP_PROTO_TCP, icmp_error, tcp)) != 0) {
		mg_ipv4_unregister(net, MG_IP_PROTO_TCP);
		goto fail;
	}
	mg_net_set_batch_end(net, tcp_batch_end, tcp);
	*out = tcp;
	return 0;
fail:
	free(tcp->tw_mem);
	free(tcp);
	return err;
}

static void
free_conn_list(struct mg_tcp *tcp, struct mg_list *list)
{
	struct mg_list *node;

	while ((node = mg_list_pop_front(list)) != NULL) {
		struct mg_tcp_conn *c = mg_container_of(node, struct mg_tcp_conn, link);

		mg_timer_cancel(&c->timer);
		tcp_ring_free(&c->sbuf);
		tcp_ring_free(&c->rbuf);
		free(c);
		tcp->conn_count--;
	}
}

void
mg_tcp_destroy(struct mg_tcp *tcp)
{
	struct mg_list *node;

	if (tcp == NULL)
		return;
	(void)mg_icmp_register_error(tcp->net, MG_IP_PROTO_TCP, NULL, NULL);
	mg_ipv4_unregister(tcp->net, MG_IP_PROTO_TCP);
	mg_net_set_batch_end(tcp->net, NULL, NULL);
	while ((node = mg_list_pop_front(&tcp->listeners)) != NULL) {
		struct mg_tcp_listener *l = mg_container_of(node, struct mg_tcp_listener, link);

		free_conn_list(tcp, &l->syn_q);
		free_conn_list(tcp, &l->accept_q);
		free(l);
	}
	free_conn_list(tcp, &tcp->all);
	mg_timer_cancel(&tcp->tw_timer);
	mg_wipe(tcp->secret, sizeof(tcp->secret));
	free(tcp->tw_mem);
	free(tcp);
}

struct mg_net *
mg_tcp_net(struct mg_tcp *tcp)
{
	return tcp->net;
}

size_t
mg_tcp_conn_count(const struct mg_tcp *tcp)
{
	return tcp->conn_count;
}

size_t
mg_tcp_timewait_count(const struct mg_tcp *tcp)
{
	return tcp->tw_count;
}

/* --- keyed functions of the 4-tuple ------------------------------------------------------ */

/*
 * A pseudo-random function of the 4-tuple under the instance's secret: the first word
 * of a ChaCha20 block keyed by the secret, with the tuple as nonce and domain as the
 * block counter, so that ISNs, timestamp offsets and cookies are independent.
 */
uint32_t
tcp_prf(const struct mg_tcp *tcp, uint32_t domain, uint32_t laddr, uint16_t lport,
	uint32_t raddr, uint16_t rport)
{
	uint8_t nonce[12], block[64];
	uint32_t v;

	mg_put_be32(nonce, laddr);
	mg_put_be32(nonce + 4, raddr);
	mg_put_be16(nonce + 8, lport);
	mg_put_be16(nonce + 10, rport);
	mg_chacha20_block(tcp->secret, domain, nonce, block);
	v = mg_get_be32(block);
	mg_wipe(block, sizeof(block));
	return v;
}

/* RFC 6528: ISN = M + F(4-tuple, secret), M a clock ticking every 4 microseconds. */
uint32_t
tcp_isn(const struct mg_tcp *tcp, uint32_t laddr, uint16_t lport, uint32_t raddr,
	uint16_t rport)
{
	return (uint32_t)(mg_now_ns() / 4000) + tcp_prf(tcp, TCP_PRF_ISN, laddr, lport, raddr, rport);
}

/* The timestamp clock (1 ms) plus a per-tuple offset (RFC 7323 7.1): stable for a
 * tuple, so a reused tuple still sends increasing timestamps. */
uint32_t
tcp_ts_clock(void)
{
	return (uint32_t)(mg_now_ns() / (1000000000ull / TCP_TS_HZ));
}

uint32_t
tcp_ts_now(const struct mg_tcp_conn *c)
{
	return tcp_ts_clock() + c->ts_offset;
}

/* --- the connection table ------------------------------------------------------------------ */

static uint32_t
bucket_of(const struct mg_tcp *tcp, uint32_t laddr, uint16_t lport, uint32_t raddr,
	  uint16_t rport)
{
	uint64_t x = ((uint64_t)raddr << 32 | (uint32_t)rport << 16 | lport) ^ tcp->hash_key;

	x ^= (uint64_t)laddr * 0x9e3779b97f4a7c15ull;
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (uint32_t)(x & (TCP_HASH_BUCKETS - 1));
}

static struct mg_tcp_conn *
conn_lookup(struct mg_tcp *tcp, uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	struct mg_list *head = &tcp->conns[bucket_of(tcp, laddr, lport, raddr, rport)];
	struct mg_list *node, *tmp;

	mg_list_for_each_safe(node, tmp, head) {
		struct mg_tcp_conn *c = mg_container_of(node, struct mg_tcp_conn, hash_link);

		if (c->lport == lport && c->rport == rport && c->raddr == raddr &&
		    c->laddr == laddr)
			return c;
	}
	return NULL;
}

struct tcp_tw *
tcp_tw_lookup(struct mg_tcp *tcp, uint32_t laddr, uint16_t lport, uint32_t raddr,
	      uint16_t rport)
{
	struct mg_list *head = &tcp->tws[bucket_of(tcp, laddr, lport, raddr, rport)];
	struct mg_list *node, *tmp;

	mg_list_for_each_safe(node, tmp, head) {
		struct tcp_tw *tw = mg_container_of(node, struct tcp_tw, hash_link);

		if (tw->lport == lport && tw->rport == rport && tw->raddr == raddr &&
		    tw->laddr == laddr)
			return tw;
	}
	return NULL;
}

void
tcp_tw_insert(struct mg_tcp *tcp, struct tcp_tw *tw)
{
	mg_list_push_back(&tcp->tws[bucket_of(tcp, tw->laddr, tw->lport, tw->raddr, tw->rport)],
			  &tw->hash_link);
}

void
tcp_hash_insert(struct mg_tcp_conn *c)
{
	struct mg_tcp *tcp = c->tcp;

	mg_list_push_back(&tcp->conns[bucket_of(tcp, c->laddr, c->lport, c->raddr, c->rport)],
			  &c->hash_link);
	c->hashed = true;
}

void
tcp_hash_remove(struct mg_tcp_conn *c)
{
	if (c->hashed)
		mg_list_remove(&c->hash_link);
	c->hashed = false;
}

/* --- control blocks -------------------------------------------------------------------------- */

struct mg_tcp_conn *
tcp_conn_alloc(struct mg_tcp *tcp, uint32_t laddr, uint16_t lport, uint32_t raddr,
	       uint16_t rport)
{
	struct mg_tcp_conn *c;

	if (tcp->conn_count >= tcp->cfg.max_conns)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	tcp->conn_count++;
	c->tcp = tcp;
	c->laddr = laddr;
	c->lport = lport;
	c->raddr = raddr;
	c->rport = rport;
	mg_list_init(&c->hash_link);
	mg_list_init(&c->link);
	mg_list_init(&c->batch_link);
	c->sndbuf = tcp->cfg.sndbuf;
	c->rcvbuf = tcp->cfg.rcvbuf;
	c->rcv_wscale = tcp->cfg.no_wscale ? 0 : tcp->rcv_wscale;
	c->rto_ns = tcp->cfg.rto_initial_ns;
	c->peer_mss = TCP_DEFAULT_MSS;
	c->mss = TCP_DEFAULT_MSS;
	c->ts_offset = tcp_prf(tcp, TCP_PRF_TS, laddr, lport, raddr, rport);
	c->challenge_tokens = (uint16_t)tcp->cfg.challenge_acks_per_sec;
	c->challenge_refill_ns = mg_now_ns();
	c->last_rx_ns = mg_now_ns();
	mg_waitq_init(&c->readers);
	mg_waitq_init(&c->writers);
	mg_timer_init(&c->timer, tcp_timer_fire, c);
	return c;
}

void
tcp_event(struct mg_tcp_conn *c, unsigned ev)
{
	c->events |= ev;
	if (ev & (EV_READABLE | EV_CLOSED))
		mg_waitq_wake_all(&c->readers);
	if (ev & (EV_WRITABLE | EV_CONNECTED | EV_CLOSED))
		mg_waitq_wake_all(&c->writers);
}

void
tcp_set_closed(struct mg_tcp_conn *c, int err)
{
	struct mg_tcp_listener *l = c->listener;

	if (c->state == MG_TCP_CLOSED)
		return;
	c->state = MG_TCP_CLOSED;
	if (c->err == 0)
		c->err = err;
	tcp_hash_remove(c);
	mg_list_remove(&c->batch_link);
	mg_timer_cancel(&c->timer);
	c->rto_deadline = c->delack_deadline = c->persist_deadline = 0;
	c->keep_deadline = c->close_deadline = 0;
	tcp_ring_free(&c->sbuf);
	c->sbuf_seq = c->snd_nxt;
	if (!c->owned && l != NULL) {
		/* Never handed over: it only leaves the listener's queue. */
		mg_list_remove(&c->link);
		if (c->accepted)
			l->accept_count--;
		else
			l->syn_count--;
		c->listener = NULL;
		return;
	}
	tcp_event(c, EV_CLOSED);
}

bool
tcp_maybe_free(struct mg_tcp_conn *c)
{
	if (c->busy > 0 || c->state != MG_TCP_CLOSED || (c->owned && !c->app_closed) ||
	    c->listener != NULL)
		return false;
	mg_list_remove(&c->link);
	tcp_ring_free(&c->sbuf);
	tcp_ring_free(&c->rbuf);
	c->tcp->conn_count--;
	free(c);
	return true;
}

/* Deliver pending events to the callbacks, once the stack is done with c. */
void
tcp_notify(struct mg_tcp_conn *c)
{
	unsigned ev;

	if (!c->owned || c->busy > 0)
		return;
	c->busy++;
	while ((ev = c->events) != 0 && !c->app_closed) {
		c->events = 0;
		if ((ev & EV_CONNECTED) && c->cb.connected != NULL)
			c->cb.connected(c->cb_arg, c);
		if ((ev & EV_READABLE) && c->cb.readable != NULL && !c->app_closed)
			c->cb.readable(c->cb_arg, c);
		if ((ev & EV_WRITABLE) && c->cb.writable != NULL && !c->app_closed)
			c->cb.writable(c->cb_arg, c);
		if ((ev & EV_CLOSED) && c->cb.closed != NULL && !c->app_closed)
			c->cb.closed(c->cb_arg, c, c->err);
	}
	c->busy--;
}

/* --- active open --------------------------------------------------------------------------- */

static bool
port_has_listener(const struct mg_tcp *tcp, uint16_t port)
{
	struct mg_list *node, *tmp;

	mg_list_for_each_safe(node, tmp, &tcp->listeners)
		if (mg_container_of(node, struct mg_tcp_listener, link)->port == port)
			return true;
	return false;
}

/*
 * RFC 6056 algorithm 1: probe from a random port on. A port whose tuple is in
 * TIME_WAIT is taken over only if no free port turns up within a few probes; the new
 * ISN must then lie above what the old connection used.
 */
static int
pick_port(struct mg_tcp *tcp, uint32_t dst, uint16_t dport, uint16_t *port,
	  uint32_t *isn_floor, bool *has_floor)
{
	uint32_t lo = tcp->cfg.ephemeral_lo, range = tcp->cfg.ephemeral_hi - lo + 1u;
	uint32_t start = tcp_random_below(tcp, range), laddr = tcp->net->cfg.addr;
	struct tcp_tw *reuse = NULL;

	*has_floor = false;
	for (uint32_t i = 0; i < range; i++) {
		uint16_t p = (uint16_t)(lo + (start + i) % range);
		struct tcp_tw *tw;

		if (port_has_listener(tcp, p) || conn_lookup(tcp, laddr, p, dst, dport) != NULL)
			continue;
		tw = tcp_tw_lookup(tcp, laddr, p, dst, dport);
		if (tw == NULL) {
			*port = p;
			return 0;
		}
		if (reuse == NULL)
			reuse = tw;
		if (i >= PORT_PROBES_BEFORE_REUSE)
			break;
	}
	if (reuse == NULL)
		return -EADDRNOTAVAIL;
	*port = reuse->lport;
	*isn_floor = reuse->snd_nxt + 65536 + 2;
	*has_floor = true;
	tcp_tw_remove(tcp, reuse);
	NET_COUNT(tcp->net, tcp, timewait_reused);
	return 0;
}

int
mg_tcp_connect_from(struct mg_tcp *tcp, uint16_t lport, uint32_t dst, uint16_t dport,
		    struct mg_tcp_conn **out)
{
	uint32_t laddr = tcp->net->cfg.addr, floor = 0;
	struct mg_tcp_conn *c;
	bool has_floor = false;
	uint16_t port = lport;
	int err;

	if (dst == 0 || dst == MG_IPV4_BROADCAST || (dst >> 28) == 0xe || dport == 0)
		return -EINVAL;
	if (tcp->conn_count >= tcp->cfg.max_conns)
		return -ENFILE;
	if (lport == 0) {
		if ((err = pick_port(tcp, dst, dport, &port, &floor, &has_floor)) != 0)
			return err;
	} else if (conn_lookup(tcp, laddr, lport, dst, dport) != NULL ||
		   tcp_tw_lookup(tcp, laddr, lport, dst, dport) != NULL) {
		return -EADDRINUSE;
	}
	c = tcp_conn_alloc(tcp, laddr, port, dst, dport);
	if (c == NULL)
		return -ENOMEM;
	c->iss = tcp_isn(tcp, laddr, port, dst, dport);
	if (has_floor && seq_lt(c->iss, floor))
		c->iss = floor;
	c->snd_una = c->snd_nxt = c->iss;
	c->sbuf_seq = c->iss + 1;
	c->state = MG_TCP_SYN_SENT;
	c->owned = true;
	mg_list_push_back(&tcp->all, &c->link);
	tcp_hash_insert(c);
	NET_COUNT(tcp->net, tcp, active_opens);
	tcp_send_syn(c);
	*out = c;
	return 0;
}

int
mg_tcp_connect(struct mg_tcp *tcp, uint32_t dst, uint16_t dport, struct mg_tcp_conn **out)
{
	return mg_tcp_connect_from(tcp, 0, dst, dport, out);
}

/* --- input ------------------------------------------------------------------------------------ */

/*
 * ICMP errors quoting one of our segments. Only "fragmentation needed" is acted on
 * (path MTU discovery, RFC 1191; our data segments carry DF): the others are soft
 * errors (RFC 5461) the timers deal with. The quoted sequence number must lie in the
 * flight, so that a blind attacker has to guess it (RFC 5927 4.1).
 */
static void
icmp_error(void *arg, struct mg_net *net, const struct mg_icmp_error *e)
{
	struct mg_tcp *tcp = arg;
	struct mg_tcp_conn *c;
	uint32_t seq = mg_get_be32(e->l4 + 4);

	if (e->type != MG_ICMP_UNREACH || e->code != MG_ICMP_UNREACH_NEEDFRAG)
		return;
	c = conn_lookup(tcp, e->src, mg_get_be16(e->l4), e->dst, mg_get_be16(e->l4 + 2));
	if (c == NULL || seq_lt(seq, c->snd_una) || seq_geq(seq, c->snd_nxt)) {
		NET_COUNT(net, tcp, pmtu_ignored);
		return;
	}
	pmtu_lower(c, e->next_hop_mtu);
}

uint16_t
tcp_start_mss(const struct mg_tcp_conn *c)
{
	const struct mg_tcp *tcp = c->tcp;
	uint32_t mtu = mg_net_mtu(tcp->net);
	uint64_t now = mg_now_ns();

	for (unsigned i = 0; i < TCP_PMTU_CACHE; i++)
		if (tcp->pmtu[i].addr == c->raddr && tcp->pmtu[i].expire_ns > now &&
		    tcp->pmtu[i].mtu < mtu)
			mtu = tcp->pmtu[i].mtu;
	return (uint16_t)((c->peer_mss < mtu - 40u ? c->peer_mss : mtu - 40u) -
			  (c->ts_ok ? 12u : 0u));
}

/* Remember that the path to raddr carries at most mtu bytes: in raddr's entry, else in
 * the one that expires first. */
static void
pmtu_remember(struct mg_tcp *tcp, uint32_t raddr, uint16_t mtu)
{
	unsigned pick = 0;

	for (unsigned i = 0; i < TCP_PMTU_CACHE; i++) {
		if (tcp->pmtu[i].addr == raddr) {
			pick = i;
			break;
		}
		if (tcp->pmtu[i].expire_ns < tcp->pmtu[pick].expire_ns)
			pick = i;
	}
	tcp->pmtu[pick].addr = raddr;
	tcp->pmtu[pick].mtu = mtu;
	tcp->pmtu[pick].expire_ns = mg_now_ns() + TCP_PMTU_EXPIRE_NS;
}

/* A link on the path carries at most mtu bytes: lower the segment size and send again,
 * at once, what the too-big segments carried. Not a congestion signal: the window stays
 * (RFC 1191 6.5). An MTU below TCP_PMTU_MIN (or 0, from routers older than RFC 1191)
 * is taken as TCP_PMTU_MIN, so that forged messages cannot shrink segments to nothing. */
static void
pmtu_lower(struct mg_tcp_conn *c, uint16_t mtu)
{
	uint32_t mss;

	if (mtu < TCP_PMTU_MIN)
		mtu = TCP_PMTU_MIN;
	mss = mtu - 40u - (c->ts_ok ? 12u : 0u);
	if (mss >= c->mss)
		return;
	pmtu_remember(c->tcp, c->raddr, mtu);
	c->mss = (uint16_t)mss;
	NET_COUNT(c->tcp->net, tcp, pmtu_updates);
	c->ca = CA_LOSS;
	c->recover = c->snd_nxt;
	c->high_rxt = c->snd_una;
	c->lost_end = c->snd_nxt;
	c->dupacks = 0;
	c->busy++;
	tcp_output(c);
	tcp_timer_update(c);
	c->busy--;
	tcp_notify(c);
	(void)tcp_maybe_free(c);
}

/*
 * In-order data that calls for an ACK (every second segment, RFC 5681 4.2) gets it
 * when the device's batch of frames ends rather than at once: a batch that brings many
 * segments of one connection, as a loaded link or the TAP's coalescing does, is
 * answered with one cumulative ACK. The ACK leaves in the same flush as it would have,
 * only fewer of them; a sender counting bytes (RFC 3465, Linux) loses nothing by it.
 * Out-of-order data, duplicates and window updates are still answered at once.
 */
void
tcp_ack_at_batch_end(struct mg_tcp_conn *c)
{
	if (mg_list_empty(&c->batch_link))
		mg_list_push_back(&c->tcp->ack_batch, &c->batch_link);
}

void
tcp_batch_end(void *arg)
{
	struct mg_tcp *tcp = arg;
	struct mg_list *node;

	while ((node = mg_list_pop_front(&tcp->ack_batch)) != NULL) {
		struct mg_tcp_conn *c = mg_container_of(node, struct mg_tcp_conn, batch_link);

		if (c->segs_unacked == 0)
			continue;	/* data or a window update took the ACK along */
		/* One ACK where every second segment would have had its own (queued at 2,
		 * the count only grows until an ACK clears it). */
		NET_COUNT_N(tcp->net, tcp, acks_coalesced, (c->segs_unacked - 2) / 2);
		c->ack_now = true;
		tcp_output(c);
		tcp_timer_update(c);
	}
}

void
tcp_input(void *arg, struct mg_net *net, const struct mg_ipv4_rx *rx)
{
	struct mg_tcp *tcp = arg;
	struct tcp_seg s;
	struct mg_tcp_conn *c;
	struct tcp_tw *tw;

	NET_COUNT(net, tcp, rx);
	if (rx->to_broadcast || mg_tcp_parse(rx->payload, rx->len, &s.h) != 0) {
		NET_COUNT(net, tcp, drop_malformed);
		return;
	}
	if (!rx->l4_csum_ok &&
	    !mg_l4_csum_ok(rx->payload, rx->len, rx->src, rx->dst, MG_IP_PROTO_TCP)) {
		NET_COUNT(net, tcp, drop_bad_csum);
		return;
	}
	s.src = rx->src;
	s.dst = rx->dst;
	s.data = rx->payload + s.h.hdr_len;
	s.len = (uint32_t)(rx->len - s.h.hdr_len);
	s.seq_len = s.len + !!(s.h.flags & MG_TCP_SYN) + !!(s.h.flags & MG_TCP_FIN);
	c = conn_lookup(tcp, rx->dst, s.h.dport, rx->src, s.h.sport);
	if (c != NULL) {
		c->busy++;
		tcp_conn_input(c, &s);
		/* Still busy: an accept callback that closes or aborts c must not free it
		 * under the two calls below. */
		tcp_listener_deliver(c);
		c->busy--;
		tcp_notify(c);
		(void)tcp_maybe_free(c);
		return;
	}
	tw = tcp_tw_lookup(tcp, rx->dst, s.h.dport, rx->src, s.h.sport);
	if (tw != NULL && tcp_tw_input(tcp, tw, &s))
		return;
	tcp_listen_input(tcp, &s);
}
