/* SPDX-License-Identifier: ISC */
/*
 * service_tcp.c -- the authoritative service over TCP (RFC 7766): a listener on the
 * port of service.c's UDP socket, run from TCP's callbacks and a timer per connection.
 *
 * A connection carries messages behind a two-octet length, any number of them,
 * pipelined. They are answered in the order they arrive (RFC 7766 6.2.1.1 allows any
 * order; this one needs no queue). Each response is built in one buffer shared by every
 * connection (callbacks run one at a time) and handed to TCP at once; what TCP cannot
 * take yet is copied into a buffer of the connection, and until that is gone nothing
 * more is read. A client that pipelines and never reads therefore fills TCP's windows
 * and stops itself, and a transfer (AXFR) goes out message by message at the pace the
 * client reads.
 *
 * As in lib/http/serve_tcp.c, every entry point (accept, readable, writable, closed,
 * the timer) does its work, then settle() decides what the connection waits for next,
 * or frees it; nothing is freed anywhere else.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/dns.h>
#include <morgana/list.h>
#include <morgana/runtime.h>
#include <morgana/tcp.h>
#include <morgana/timer.h>
#include <morgana/udp.h>

#include "dns_int.h"
#include "service_int.h"

#define DEFAULT_MAX_CONNS	64
#define DEFAULT_IDLE_NS		(10ull * 1000 * 1000 * 1000)
#define INLINE_QUERY		512	/* queries up to this size need no allocation */
#define LEN_PREFIX		2

struct dconn {
	struct mg_list link;
	struct mg_dns_service *svc;
	struct mg_tcp_conn *tcp;
	struct mg_timer timer;
	uint64_t progress_ns;	/* a query arrived whole, or TCP took response octets */
	uint8_t prefix[LEN_PREFIX];
	size_t have;		/* octets of the message being read, prefix included */
	size_t msg_len;		/* from the prefix, once it is whole */
	uint8_t *msg;		/* inline_msg or its own allocation; NULL before the prefix */
	uint8_t *pending;	/* a response TCP did not take whole */
	size_t pending_off, pending_len;
	struct mg_dns_xfer xfer;
	bool in_xfer;		/* more messages of a transfer to send */
	bool peer_fin;		/* the client finished sending */
	bool closing;		/* read nothing more: close once the output is out */
	bool dead;		/* reset it */
	uint8_t inline_msg[INLINE_QUERY];
};

struct dns_tcp {
	struct mg_tcp_listener *listener;
	struct mg_dns_tcp_config cfg;
	struct mg_list conns;
	uint8_t out[LEN_PREFIX + MG_DNS_TCP_MAX];	/* the response being built */
};

static void on_readable(void *arg, struct mg_tcp_conn *c);
static void on_writable(void *arg, struct mg_tcp_conn *c);
static void on_closed(void *arg, struct mg_tcp_conn *c, int err);

static const struct mg_tcp_callbacks conn_callbacks = {
	.readable = on_readable, .writable = on_writable, .closed = on_closed,
};

/* A failure that ends the connection with a reset. */
static void
fail(struct dconn *d)
{
	if (!d->dead)
		d->svc->stats.tcp_errors++;
	d->dead = true;
}

/* Hand what waits in pending to TCP, as far as it takes it. */
static void
flush_pending(struct dconn *d)
{
	long n = mg_tcp_send(d->tcp, d->pending + d->pending_off,
			     d->pending_len - d->pending_off);

	if (n == -EAGAIN)
		return;
	if (n < 0) {
		fail(d);
		return;
	}
	if (n > 0)
		d->progress_ns = mg_now_ns();
	d->pending_off += (size_t)n;
	if (d->pending_off == d->pending_len) {
		free(d->pending);
		d->pending = NULL;
		d->pending_off = d->pending_len = 0;
	}
}

/* Send the message in the shared buffer (len octets after its prefix). */
static void
emit(struct dconn *d, size_t len)
{
	uint8_t *out = d->svc->tcp->out;
	size_t total = LEN_PREFIX + len;
	long n;

	dns_put16(out, (uint16_t)len);
	n = mg_tcp_send(d->tcp, out, total);
	if (n == -EAGAIN)
		n = 0;
	if (n < 0) {
		fail(d);
		return;
	}
	d->svc->stats.tcp_responses++;
	if (n > 0)
		d->progress_ns = mg_now_ns();
	if ((size_t)n == total)
		return;
	if ((d->pending = malloc(total - (size_t)n)) == NULL) {
		fail(d);
		return;
	}
	memcpy(d->pending, out + n, total - (size_t)n);
	d->pending_len = total - (size_t)n;
}

static void
drop_message(struct dconn *d)
{
	if (d->msg != NULL && d->msg != d->inline_msg)
		free(d->msg);
	d->msg = NULL;
	d->have = d->msg_len = 0;
}

/* One recv() into dst; false when nothing more can be read now. */
static bool
receive(struct dconn *d, uint8_t *dst, size_t want)
{
	long n = mg_tcp_recv(d->tcp, dst, want);

	if (n > 0) {
		d->have += (size_t)n;
		return true;
	}
	if (n == 0)
		d->peer_fin = true;	/* a message cut by the FIN is never answered */
	else if (n != -EAGAIN)
		fail(d);
	return false;
}

/* Read towards the next whole message: true once d->msg holds it. */
static bool
read_message(struct dconn *d)
{
	while (d->have < LEN_PREFIX)
		if (!receive(d, d->prefix + d->have, LEN_PREFIX - d->have))
			return false;
	if (d->msg == NULL) {
		d->msg_len = dns_get16(d->prefix);
		d->msg = d->msg_len <= INLINE_QUERY ? d->inline_msg : malloc(d->msg_len);
		if (d->msg == NULL) {
			fail(d);
			return false;
		}
	}
	while (d->have < LEN_PREFIX + d->msg_len)
		if (!receive(d, d->msg + (d->have - LEN_PREFIX),
			     LEN_PREFIX + d->msg_len - d->have))
			return false;
	return true;
}

static void
answer(struct dconn *d)
{
	struct mg_dns_service *svc = d->svc;
	size_t len;
	int rc;

	svc->stats.tcp_queries++;
	d->progress_ns = mg_now_ns();
	rc = mg_dns_respond(svc->engine, d->msg, d->msg_len, MG_DNS_TCP,
			    svc->tcp->out + LEN_PREFIX, MG_DNS_TCP_MAX, &len, &d->xfer);
	drop_message(d);
	if (rc < 0) {
		/* Garbage or a response: what follows in the stream is no better. */
		svc->stats.tcp_dropped++;
		d->closing = true;
		return;
	}
	d->in_xfer = rc == 1;
	emit(d, len);
}

static void
next_xfer_message(struct dconn *d)
{
	struct mg_dns_service *svc = d->svc;
	size_t len;
	int rc;

	rc = mg_dns_xfer_next(svc->engine, &d->xfer, svc->tcp->out + LEN_PREFIX,
			      MG_DNS_TCP_MAX, &len);
	if (rc < 0) {
		fail(d);	/* RFC 5936 4.2: a transfer that cannot go on is cut */
		return;
	}
	d->in_xfer = rc == 1;
	emit(d, len);
}

/* Answer whole queries and send transfers until waiting on TCP or the peer. */
static void
pump(struct dconn *d)
{
	while (!d->dead) {
		if (d->pending != NULL) {
			flush_pending(d);
			if (d->pending != NULL)
				return;
			continue;
		}
		if (d->in_xfer) {
			next_xfer_message(d);
			continue;
		}
		if (d->closing || d->peer_fin || !read_message(d))
			return;
		answer(d);
	}
}

static void
free_conn(struct dconn *d, bool reset)
{
	struct mg_dns_service *svc = d->svc;

	mg_timer_cancel(&d->timer);
	mg_list_remove(&d->link);
	svc->stats.tcp_active--;
	drop_message(d);
	free(d->pending);
	if (reset)
		(void)mg_tcp_abort(d->tcp);
	else
		(void)mg_tcp_close(d->tcp);
	free(d);
}

/* After every entry point: free a finished connection, or set its timer. */
static void
settle(struct dconn *d)
{
	if (d->dead) {
		free_conn(d, true);
		return;
	}
	/* Queued output still goes out with the FIN; unread input turns it into a RST. */
	if ((d->closing || d->peer_fin) && d->pending == NULL && !d->in_xfer) {
		free_conn(d, false);
		return;
	}
	mg_timer_arm(&d->timer, d->progress_ns + d->svc->tcp->cfg.idle_ns);
}

static void
on_readable(void *arg, struct mg_tcp_conn *c)
{
	(void)c;
	pump(arg);
	settle(arg);
}

static void
on_writable(void *arg, struct mg_tcp_conn *c)
{
	(void)c;
	pump(arg);
	settle(arg);
}

static void
on_closed(void *arg, struct mg_tcp_conn *c, int err)
{
	(void)c;
	(void)err;
	/* Reset, timed out, or both FINs done: nothing more can be sent either way. */
	free_conn(arg, false);
}

static void
on_timer(void *arg)
{
	struct dconn *d = arg;

	d->svc->stats.tcp_timeouts++;
	/* A client that stopped reading would hold the output until TCP gives up. */
	free_conn(d, d->pending != NULL || d->in_xfer);
}

static void
on_accept(void *arg, struct mg_tcp_listener *l, struct mg_tcp_conn *c)
{
	struct mg_dns_service *svc = arg;
	struct dconn *d;

	(void)l;
	if (svc->stats.tcp_active >= svc->tcp->cfg.max_conns) {
		svc->stats.tcp_refused++;
		(void)mg_tcp_abort(c);
		return;
	}
	if ((d = malloc(sizeof(*d))) == NULL) {
		svc->stats.tcp_errors++;
		(void)mg_tcp_abort(c);
		return;
	}
	memset(d, 0, offsetof(struct dconn, inline_msg));
	d->svc = svc;
	d->tcp = c;
	d->progress_ns = mg_now_ns();
	mg_timer_init(&d->timer, on_timer, d);
	mg_list_push_back(&svc->tcp->conns, &d->link);
	svc->stats.tcp_active++;
	svc->stats.tcp_connections++;
	/* Each response is one send already; Nagle would only hold the last one back. */
	mg_tcp_set_nodelay(c, true);
	mg_tcp_set_callbacks(c, &conn_callbacks, d);
	pump(d);
	settle(d);
}

int
mg_dns_service_tcp(struct mg_dns_service *svc, struct mg_tcp *tcp,
		   const struct mg_dns_tcp_config *cfg)
{
	struct dns_tcp *t;
	int err;

	if (svc == NULL || tcp == NULL || mg_tcp_net(tcp) != svc->net)
		return -EINVAL;
	if (svc->tcp != NULL)
		return -EALREADY;
	if ((t = malloc(sizeof(*t))) == NULL)
		return -ENOMEM;
	t->cfg = cfg != NULL ? *cfg : (struct mg_dns_tcp_config){ 0 };
	if (t->cfg.max_conns == 0)
		t->cfg.max_conns = DEFAULT_MAX_CONNS;
	if (t->cfg.idle_ns == 0)
		t->cfg.idle_ns = DEFAULT_IDLE_NS;
	mg_list_init(&t->conns);
	err = mg_tcp_listen(tcp, mg_udp_local_port(svc->udp), t->cfg.backlog, on_accept, svc,
			    &t->listener);
	if (err != 0) {
		free(t);
		return err;
	}
	svc->tcp = t;
	return 0;
}

void
dns_tcp_stop(struct mg_dns_service *svc)
{
	struct dns_tcp *t = svc->tcp;

	if (t == NULL)
		return;
	/* Accepted through the callback: no fiber waits in mg_tcp_accept(). */
	(void)mg_tcp_unlisten(t->listener);
	while (!mg_list_empty(&t->conns))
		free_conn(mg_container_of(mg_list_first(&t->conns), struct dconn, link), true);
	free(t);
	svc->tcp = NULL;
}
