/* SPDX-License-Identifier: ISC */
/*
 * serve_tcp.c -- HTTP over Morgana's TCP, server side (http.h): the transport glue of
 * docs/http.md run from TCP's callbacks and one runtime timer per connection.
 *
 * Every entry point (accept, readable, writable, closed, the timer) does its work, then
 * settle() decides what the connection waits for next, or frees it. Nothing is freed
 * anywhere else, so no call below an entry point can pull the connection away from
 * under its caller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/http.h>
#include <morgana/list.h>
#include <morgana/runtime.h>
#include <morgana/tcp.h>
#include <morgana/timer.h>

#define DEFAULT_PORT		80
#define DEFAULT_MAX_CONNS	64
#define DEFAULT_LINGER_NS	(2ull * 1000 * 1000 * 1000)
/* Pieces of output up to this size are gathered and handed to TCP in one send. */
#define GATHER_SIZE		4096u

struct htconn {
	struct mg_list link;
	struct mg_http_tcp_server *server;
	struct mg_tcp_conn *tcp;
	struct mg_timer timer;
	bool closing;		/* the HTTP side is done: FIN, then drain until the peer's */
	bool fin_sent;
	bool peer_fin;
	bool dead;		/* the connection failed: reset it */
	uint64_t linger_until;
	size_t gather_len;
	char gather[GATHER_SIZE];
	struct mg_http_conn http;	/* last: the big one */
};

struct mg_http_tcp_server {
	struct mg_tcp *tcp;
	const struct mg_http_server *http;
	struct mg_tcp_listener *listener;
	struct mg_http_tcp_config cfg;
	struct mg_list conns;
	struct mg_http_tcp_stats stats;
};

static void on_readable(void *arg, struct mg_tcp_conn *c);
static void on_writable(void *arg, struct mg_tcp_conn *c);
static void on_closed(void *arg, struct mg_tcp_conn *c, int err);

static const struct mg_tcp_callbacks conn_callbacks = {
	.readable = on_readable, .writable = on_writable, .closed = on_closed,
};

/* Hand gathered output to TCP, as far as it takes it. */
static void
flush_gather(struct htconn *h)
{
	long n;

	if (h->gather_len == 0 || h->dead)
		return;
	n = mg_tcp_send(h->tcp, h->gather, h->gather_len);
	if (n == -EAGAIN)
		return;
	if (n < 0) {
		h->dead = true;
		return;
	}
	memmove(h->gather, h->gather + n, h->gather_len - (size_t)n);
	h->gather_len -= (size_t)n;
}

static int
io_send(void *ctx, const void *data, size_t len, size_t *taken)
{
	struct htconn *h = ctx;
	long n;

	*taken = 0;
	if (h->dead)
		return -EPIPE;
	if (len <= sizeof(h->gather) - h->gather_len) {
		memcpy(h->gather + h->gather_len, data, len);
		h->gather_len += len;
		*taken = len;
		return 0;
	}
	flush_gather(h);
	if (h->gather_len > 0)
		return h->dead ? -EPIPE : 0;	/* TCP is full: wait for writable */
	n = mg_tcp_send(h->tcp, data, len);
	if (n == -EAGAIN)
		return 0;
	if (n < 0) {
		h->dead = true;
		return (int)n;
	}
	*taken = (size_t)n;
	return 0;
}

static void
io_close(void *ctx)
{
	struct htconn *h = ctx;

	h->closing = true;
	h->linger_until = mg_now_ns() + h->server->cfg.linger_ns;
}

static const struct mg_http_io tcp_io = { io_send, io_close };

/* Move input from TCP into the connection while it has room, then push output. */
static void
pump(struct htconn *h)
{
	uint64_t now = mg_now_ns();

	while (!h->closing && !h->dead) {
		size_t room;
		char *space = mg_http_conn_input_space(&h->http, &room);
		long n;

		if (room == 0)
			break;
		n = mg_tcp_recv(h->tcp, space, room);
		if (n > 0) {
			mg_http_conn_input_commit(&h->http, (size_t)n, now);
		} else if (n == 0) {
			h->peer_fin = true;
			mg_http_conn_eof(&h->http, now);
			break;
		} else {
			if (n != -EAGAIN)
				h->dead = true;
			break;
		}
	}
	/* Once closing, what the peer still sends is read and dropped until its FIN. */
	while (h->closing && !h->peer_fin && !h->dead) {
		char sink[512];
		long n = mg_tcp_recv(h->tcp, sink, sizeof(sink));

		if (n == 0)
			h->peer_fin = true;
		else if (n < 0 && n != -EAGAIN)
			h->dead = true;
		if (n <= 0)
			break;
	}
	flush_gather(h);
	if (h->closing && !h->fin_sent && h->gather_len == 0 && !h->dead) {
		h->fin_sent = true;
		if (mg_tcp_shutdown(h->tcp) != 0)
			h->dead = true;
	}
}

static void
free_conn(struct htconn *h, bool reset)
{
	struct mg_http_tcp_server *s = h->server;

	mg_http_conn_abort(&h->http, mg_now_ns());
	mg_timer_cancel(&h->timer);
	mg_list_remove(&h->link);
	s->stats.active--;
	s->stats.requests += h->http.stats.requests;
	s->stats.errors += h->http.stats.errors;
	s->stats.timeouts += h->http.stats.timeouts;
	if (reset)
		(void)mg_tcp_abort(h->tcp);
	else
		(void)mg_tcp_close(h->tcp);
	free(h);
}

/* After every entry point: free a finished connection, or set its timer. */
static void
settle(struct htconn *h)
{
	uint64_t deadline;

	/* The HTTP side closed without asking the transport to close: output failed. */
	if (!h->closing && mg_http_conn_closed(&h->http))
		h->dead = true;
	if (h->dead) {
		free_conn(h, true);
		return;
	}
	if (h->closing && h->fin_sent && h->peer_fin) {
		free_conn(h, false);
		return;
	}
	deadline = h->closing ? h->linger_until : mg_http_conn_deadline(&h->http);
	if (deadline == UINT64_MAX)
		mg_timer_cancel(&h->timer);
	else
		mg_timer_arm(&h->timer, deadline);
}

static void
on_readable(void *arg, struct mg_tcp_conn *c)
{
	struct htconn *h = arg;

	(void)c;
	pump(h);
	settle(h);
}

static void
on_writable(void *arg, struct mg_tcp_conn *c)
{
	struct htconn *h = arg;

	(void)c;
	flush_gather(h);
	if (!h->closing && h->gather_len == 0)
		mg_http_conn_writable(&h->http, mg_now_ns());
	pump(h);
	settle(h);
}

static void
on_closed(void *arg, struct mg_tcp_conn *c, int err)
{
	struct htconn *h = arg;

	(void)c;
	/* Reset, timed out, or both FINs done: nothing more can be sent either way. */
	free_conn(h, false);
	(void)err;
}

static void
on_timer(void *arg)
{
	struct htconn *h = arg;
	uint64_t now = mg_now_ns();

	if (h->closing) {
		if (now >= h->linger_until) {
			/* The peer neither closed nor stopped sending: enough. */
			free_conn(h, h->gather_len > 0 || !h->fin_sent);
			return;
		}
	} else {
		mg_http_conn_tick(&h->http, now);
	}
	pump(h);
	settle(h);
}

/* max_conns are open: say so in a few bytes and close, without a connection struct. */
static void
refuse(struct mg_http_tcp_server *s, struct mg_tcp_conn *c)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
				   "Content-Type: text/plain; charset=utf-8\r\n"
				   "Content-Length: 24\r\nRetry-After: 1\r\n"
				   "Connection: close\r\n\r\n"
				   "503 Service Unavailable\n";
	struct mg_http_log_entry e = { .method = "-", .target = "-", .status = 503,
				       .body_bytes = 24, .complete = true,
				       .start_ns = mg_now_ns() };

	s->stats.refused++;
	if (mg_tcp_send(c, busy, sizeof(busy) - 1) < 0) {
		(void)mg_tcp_abort(c);
		return;
	}
	(void)mg_tcp_close(c);
	if (s->http->log != NULL)
		s->http->log(s->http->log_arg, &e);
}

static void
on_accept(void *arg, struct mg_tcp_listener *l, struct mg_tcp_conn *c)
{
	struct mg_http_tcp_server *s = arg;
	struct htconn *h;

	(void)l;
	if (s->stats.active >= s->cfg.max_conns) {
		refuse(s, c);
		return;
	}
	if ((h = malloc(sizeof(*h))) == NULL) {
		s->stats.failed++;
		(void)mg_tcp_abort(c);
		return;
	}
	memset(h, 0, offsetof(struct htconn, gather));
	h->server = s;
	h->tcp = c;
	mg_timer_init(&h->timer, on_timer, h);
	mg_list_push_back(&s->conns, &h->link);
	s->stats.active++;
	s->stats.accepted++;
	/* Responses are gathered into whole sends already; Nagle would only delay them. */
	mg_tcp_set_nodelay(c, true);
	mg_tcp_set_callbacks(c, &conn_callbacks, h);
	mg_http_conn_init(&h->http, s->http, &tcp_io, h, mg_now_ns());
	pump(h);
	settle(h);
}

int
mg_http_tcp_serve(struct mg_tcp *tcp, const struct mg_http_server *srv,
		  const struct mg_http_tcp_config *cfg, struct mg_http_tcp_server **out)
{
	struct mg_http_tcp_server *s;
	int err;

	if (tcp == NULL || srv == NULL || out == NULL)
		return -EINVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	if (cfg != NULL)
		s->cfg = *cfg;
	if (s->cfg.port == 0)
		s->cfg.port = DEFAULT_PORT;
	if (s->cfg.max_conns == 0)
		s->cfg.max_conns = DEFAULT_MAX_CONNS;
	if (s->cfg.linger_ns == 0)
		s->cfg.linger_ns = DEFAULT_LINGER_NS;
	s->tcp = tcp;
	s->http = srv;
	mg_list_init(&s->conns);
	err = mg_tcp_listen(tcp, s->cfg.port, s->cfg.backlog, on_accept, s, &s->listener);
	if (err != 0) {
		free(s);
		return err;
	}
	*out = s;
	return 0;
}

void
mg_http_tcp_stop(struct mg_http_tcp_server *s)
{
	if (s == NULL)
		return;
	(void)mg_tcp_unlisten(s->listener);
	while (!mg_list_empty(&s->conns))
		free_conn(mg_container_of(mg_list_first(&s->conns), struct htconn, link), true);
	free(s);
}

void
mg_http_tcp_stats(const struct mg_http_tcp_server *s, struct mg_http_tcp_stats *st)
{
	*st = s->stats;
	for (struct mg_list *n = s->conns.next; n != &s->conns; n = n->next) {
		const struct htconn *h = mg_container_of(n, struct htconn, link);
		st->requests += h->http.stats.requests;
		st->errors += h->http.stats.errors;
		st->timeouts += h->http.stats.timeouts;
	}
}
