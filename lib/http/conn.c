/* SPDX-License-Identifier: ISC */
/*
 * conn.c -- one server connection as a state machine (http.h): input bytes and the
 * time in, output bytes out through struct mg_http_io. It reads a head, then a body
 * (in place, chunked or not), routes the request, completes the handler's response
 * (preconditions, Range, HEAD, framing, Date, Connection) and sends it; then the next
 * pipelined request, or close.
 *
 * The input buffer holds exactly one request at a time, plus whatever the peer sent
 * after it; it is compacted when a response starts, so a request's spans live only
 * during its handler.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Room reserved before a chunk's data for its size line ("<16 hex>\r\n"). */
#define CHUNK_HEAD 18u

static void log_done(struct mg_http_conn *c, uint64_t now_ns, bool complete);
static void conn_close(struct mg_http_conn *c, uint64_t now_ns);
static void conn_abort(struct mg_http_conn *c, uint64_t now_ns);
static bool head_ready(struct mg_http_conn *c);
static size_t body_cap(const struct mg_http_conn *c);
static int read_body(struct mg_http_conn *c);
static void reset_response(struct mg_http_conn *c);
static void error_response(struct mg_http_conn *c, int status, uint64_t now_ns);
static void dispatch(struct mg_http_conn *c, uint64_t now_ns);
static void apply_validators(struct mg_http_conn *c);
static void write_head(struct mg_http_conn *c);
static void start_response(struct mg_http_conn *c, uint64_t now_ns);
static int refill_stream(struct mg_http_conn *c);
static int flush(struct mg_http_conn *c, uint64_t now_ns);
static void next_request(struct mg_http_conn *c, uint64_t now_ns);
static void process(struct mg_http_conn *c, uint64_t now_ns);

void
mg_http_server_init(struct mg_http_server *srv)
{
	memset(srv, 0, sizeof(*srv));
	srv->limits = mg_http_default_limits;
	srv->header_timeout_ns = 10ull * 1000 * 1000 * 1000;
	srv->idle_timeout_ns = 5ull * 1000 * 1000 * 1000;
	srv->send_timeout_ns = 30ull * 1000 * 1000 * 1000;
}

void
mg_http_conn_init(struct mg_http_conn *c, const struct mg_http_server *srv,
		  const struct mg_http_io *io, void *io_ctx, uint64_t now_ns)
{
	/* The bookkeeping and the request; the buffers are written before they are read. */
	memset(c, 0, offsetof(struct mg_http_conn, resp));
	c->srv = srv;
	c->io = io;
	c->io_ctx = io_ctx;
	c->state = MG_HTTP_CONN_HEAD;
	c->stream_done = true;
	/* A fresh connection must start its request as promptly as it must finish it. */
	c->deadline_ns = now_ns + srv->header_timeout_ns;
	c->req_start_ns = now_ns;
}

/* Copy a span for the log: bounded, NUL-terminated, printable ASCII only. */
static void
log_copy(char *dst, size_t cap, struct mg_http_str s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	if (s.p == NULL || n == 0) {
		memcpy(dst, "-", 2);
		return;
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = s.p[i] > 0x20 && s.p[i] < 0x7f ? s.p[i] : '?';
	dst[n] = '\0';
}

/* A response starts: remember what the log line needs, since the request's bytes are
 * about to be dropped from the input buffer. */
static void
log_begin(struct mg_http_conn *c)
{
	if (c->srv->log == NULL)
		return;
	log_copy(c->log_method, sizeof(c->log_method), c->req.method_name);
	log_copy(c->log_target, sizeof(c->log_target), c->req.target);
	c->log_status = c->resp.status;
	c->log_bytes = 0;
	c->log_pending = true;
}

static void
log_done(struct mg_http_conn *c, uint64_t now_ns, bool complete)
{
	struct mg_http_log_entry e;

	if (!c->log_pending)
		return;
	c->log_pending = false;
	e.method = c->log_method;
	e.target = c->log_target;
	e.status = c->log_status;
	e.body_bytes = c->log_bytes;
	e.start_ns = c->req_start_ns;
	e.duration_ns = now_ns > c->req_start_ns ? now_ns - c->req_start_ns : 0;
	e.complete = complete;
	c->srv->log(c->srv->log_arg, &e);
}

static void
conn_close(struct mg_http_conn *c, uint64_t now_ns)
{
	if (c->state == MG_HTTP_CONN_CLOSED)
		return;
	log_done(c, now_ns, false);
	c->state = MG_HTTP_CONN_CLOSED;
	c->deadline_ns = UINT64_MAX;
	c->io->close(c->io_ctx);
}

/* The transport failed: it is not asked to do anything more. */
static void
conn_abort(struct mg_http_conn *c, uint64_t now_ns)
{
	log_done(c, now_ns, false);
	c->state = MG_HTTP_CONN_CLOSED;
	c->deadline_ns = UINT64_MAX;
}

/*
 * Is it worth running the parser? Once the request line is in (to refuse a bad one
 * early), once the empty line ending the head is, or once a limit is passed. Scanning
 * only new bytes keeps a client that sends one byte at a time from costing quadratic
 * time.
 */
static bool
head_ready(struct mg_http_conn *c)
{
	const struct mg_http_limits *lim = &c->srv->limits;
	size_t from = c->scan_pos > 2 ? c->scan_pos - 2 : 0;

	if (c->in_len > lim->head_max ||
	    (!c->line_seen && c->in_len > lim->request_line_max + 1))
		return true;
	for (size_t i = from; i < c->in_len; i++) {
		if (c->in[i] != '\n')
			continue;
		if (!c->line_seen && i > 1) {
			c->line_seen = true;
			c->scan_pos = i + 1;
			return true;
		}
		/* "\n\n" or "\n\r\n" (i > 1: empty lines before a request do not count) */
		if (i > 1 && (c->in[i - 1] == '\n' ||
			      (c->in[i - 1] == '\r' && c->in[i - 2] == '\n'))) {
			c->scan_pos = i + 1;
			return true;
		}
	}
	c->scan_pos = c->in_len;
	return false;
}

static size_t
body_cap(const struct mg_http_conn *c)
{
	size_t room = MG_HTTP_CONN_IN_SIZE - c->head_len;

	return c->srv->limits.body_max < room ? c->srv->limits.body_max : room;
}

/* 1: the body is complete; 0: more input needed; < 0: refuse with -rc as the status. */
static int
read_body(struct mg_http_conn *c)
{
	struct mg_http_request *req = &c->req;
	size_t used, made;
	int rc;

	if (!req->chunked) {
		if (req->content_length > body_cap(c))
			return -413;
		if (c->in_len - c->head_len < req->content_length)
			return 0;
		req->body = c->in + c->head_len;
		req->body_len = (size_t)req->content_length;
		c->body_in = req->body_len;
		return 1;
	}
	rc = mg_http_chunked_decode(&c->chunked, c->in + c->head_len + c->body_in,
				    c->in_len - c->head_len - c->body_in, &used,
				    c->in + c->head_len + c->body_out, body_cap(c) - c->body_out,
				    &made);
	c->body_in += used;
	c->body_out += made;
	if (rc == -EFBIG)
		return -413;
	if (rc < 0)
		return -400;
	if (rc == 0) {
		/* Reclaim the encoding already decoded, so a full buffer can take more. */
		memmove(c->in + c->head_len + c->body_out, c->in + c->head_len + c->body_in,
			c->in_len - c->head_len - c->body_in);
		c->in_len -= c->body_in - c->body_out;
		c->body_in = c->body_out;
		return 0;
	}
	req->body = c->in + c->head_len;
	req->body_len = c->body_out;
	return 1;
}

static void
reset_response(struct mg_http_conn *c)
{
	struct mg_http_response *r = &c->resp;

	r->status = 200;
	r->content_type = NULL;
	r->body = NULL;
	r->body_len = 0;
	r->stream = NULL;
	r->stream_arg = NULL;
	r->etag[0] = '\0';
	r->mtime = -1;
	r->ranges = false;
	r->close = false;
	r->headers_len = 0;
	r->buf_len = 0;
}

/* A refusal before any handler: a short text body, and the connection closes. */
static void
error_response(struct mg_http_conn *c, int status, uint64_t now_ns)
{
	reset_response(c);
	c->resp.status = status;
	c->resp.close = true;
	c->resp.content_type = "text/plain; charset=utf-8";
	(void)mg_http_resp_printf(&c->resp, "%d %s\n", status, mg_http_reason(status));
	c->stats.errors++;
	start_response(c, now_ns);
}

static void
dispatch(struct mg_http_conn *c, uint64_t now_ns)
{
	const struct mg_http_server *srv = c->srv;
	const struct mg_http_request *req = &c->req;
	const struct mg_http_route *route = NULL;
	unsigned allowed;

	reset_response(c);
	for (size_t i = 0; i < srv->route_count && route == NULL; i++) {
		const struct mg_http_route *r = &srv->routes[i];
		size_t n = strlen(r->path);
		if (req->path.len < n || memcmp(req->path.p, r->path, n) != 0)
			continue;
		if (r->exact ? req->path.len == n
			     : (n > 0 && r->path[n - 1] == '/') || req->path.len == n ||
				       req->path.p[n] == '/')
			route = r;
	}
	if (route == NULL) {
		c->resp.status = 404;
		c->resp.content_type = "text/plain; charset=utf-8";
		(void)mg_http_resp_printf(&c->resp, "404 Not Found\n");
		start_response(c, now_ns);
		return;
	}
	allowed = route->methods != 0 ? route->methods : MG_HTTP_GET | MG_HTTP_HEAD;
	if (allowed & MG_HTTP_GET)
		allowed |= MG_HTTP_HEAD;	/* wherever GET goes, HEAD does */
	if (!(allowed & req->method)) {
		static const char *const names[] = { "GET", "HEAD", "POST", "PUT", "DELETE",
						     "OPTIONS", "PATCH" };
		char allow[64];
		size_t used = 0;
		for (unsigned i = 0; i < 7; i++)
			if (allowed & (1u << i))
				used += (size_t)snprintf(allow + used, sizeof(allow) - used, "%s%s",
							 used > 0 ? ", " : "", names[i]);
		c->resp.status = 405;
		c->resp.content_type = "text/plain; charset=utf-8";
		(void)mg_http_resp_header(&c->resp, "Allow", allow);
		(void)mg_http_resp_printf(&c->resp, "405 Method Not Allowed\n");
		start_response(c, now_ns);
		return;
	}
	if (route->fn(route->arg, req, &c->resp) != 0) {
		reset_response(c);
		c->resp.status = 500;
		c->resp.content_type = "text/plain; charset=utf-8";
		(void)mg_http_resp_printf(&c->resp, "500 Internal Server Error\n");
	}
	start_response(c, now_ns);
}

/* Preconditions and Range, for a 200 that says what it is. */
static void
apply_validators(struct mg_http_conn *c)
{
	struct mg_http_response *r = &c->resp;
	const struct mg_http_request *req = &c->req;
	const char *etag = r->etag[0] != '\0' ? r->etag : NULL;
	const struct mg_http_str *range;
	uint64_t first, last, size = r->body_len;
	char value[64];
	int pre;

	if (r->status != 200)
		return;
	if (etag != NULL || r->mtime >= 0) {
		pre = mg_http_preconditions(req, etag, r->mtime);
		if (pre != 200) {
			r->status = pre;
			r->body = NULL;
			r->body_len = 0;
			r->stream = NULL;
			return;
		}
	}
	range = mg_http_header_get(req->headers, req->header_count, "range");
	if (!r->ranges || r->stream != NULL || range == NULL || req->method != MG_HTTP_GET ||
	    !mg_http_if_range(req, etag, r->mtime))
		return;
	switch (mg_http_range_parse(range, size, &first, &last)) {
	case MG_HTTP_RANGE_ONE:
		r->status = 206;
		r->body = (const char *)r->body + first;
		r->body_len = (size_t)(last - first + 1);
		(void)snprintf(value, sizeof(value), "bytes %llu-%llu/%llu",
			       (unsigned long long)first, (unsigned long long)last,
			       (unsigned long long)size);
		(void)mg_http_resp_header(r, "Content-Range", value);
		break;
	case MG_HTTP_RANGE_UNSATISFIABLE:
		r->status = 416;
		r->body = NULL;
		r->body_len = 0;
		(void)snprintf(value, sizeof(value), "bytes */%llu", (unsigned long long)size);
		(void)mg_http_resp_header(r, "Content-Range", value);
		break;
	default:
		/* Several ranges: the whole representation, which RFC 9110 14.2 allows. */
		break;
	}
}

static void
write_head(struct mg_http_conn *c)
{
	const struct mg_http_server *srv = c->srv;
	struct mg_http_response *r = &c->resp;
	bool bodiless = r->status == 204 || r->status == 304 || r->status < 200;
	size_t pending = c->out_len - c->out_sent;	/* a 100 Continue not yet out */
	struct mg_http_writer w;
	char date[MG_HTTP_DATE_SIZE];

	memmove(c->out, c->out + c->out_sent, pending);
	mg_http_writer_init(&w, c->out + pending, sizeof(c->out) - pending);
	mg_http_write_status(&w, r->status);
	if (srv->unix_time != NULL &&
	    mg_http_date_format(srv->unix_time(srv->unix_time_arg), date) == 0)
		mg_http_write_header(&w, "Date", date);
	if (srv->server_name != NULL)
		mg_http_write_header(&w, "Server", srv->server_name);
	if (r->content_type != NULL && r->status != 304)
		mg_http_write_header(&w, "Content-Type", r->content_type);
	if (r->etag[0] != '\0')
		mg_http_write_header(&w, "ETag", r->etag);
	if (r->mtime >= 0 && mg_http_date_format(r->mtime, date) == 0)
		mg_http_write_header(&w, "Last-Modified", date);
	if (r->ranges)
		mg_http_write_header(&w, "Accept-Ranges", "bytes");
	mg_http_write_bytes(&w, r->headers, r->headers_len);
	c->chunk_out = false;
	if (r->stream != NULL && !bodiless) {
		if (c->req.version_minor >= 1)
			mg_http_write_header(&w, "Transfer-Encoding", "chunked");
		else
			c->close_after = true;	/* HTTP/1.0: the end of the body is the close */
		c->chunk_out = c->req.version_minor >= 1;
	} else if (!bodiless) {
		mg_http_write_fmt(&w, "Content-Length: %zu\r\n", r->body_len);
	}
	if (c->close_after)
		mg_http_write_header(&w, "Connection", "close");
	else if (c->req.version_minor == 0)
		mg_http_write_header(&w, "Connection", "keep-alive");
	mg_http_write_bytes(&w, "\r\n", 2);
	if (w.overflow) {
		/* Handlers' extra headers are bounded well below the buffer; say so anyway. */
		static const char fallback[] = "HTTP/1.1 500 Internal Server Error\r\n"
					       "Content-Length: 0\r\nConnection: close\r\n\r\n";
		memcpy(c->out + pending, fallback, sizeof(fallback) - 1);
		w.len = sizeof(fallback) - 1;
		c->close_after = true;
		r->stream = NULL;
		r->body_len = 0;
		bodiless = true;
	}
	c->out_len = pending + w.len;
	c->out_sent = 0;
	c->head_only = bodiless || c->req.method == MG_HTTP_HEAD;
	c->send_body = c->head_only ? NULL : r->body;
	c->send_body_len = c->head_only ? 0 : r->body_len;
	c->stream_done = c->head_only || r->stream == NULL;
}

static void
start_response(struct mg_http_conn *c, uint64_t now_ns)
{
	size_t next = c->head_len + c->body_in;

	c->stats.requests++;
	c->close_after = c->close_after || c->resp.close || !c->req.keep_alive;
	apply_validators(c);
	write_head(c);
	log_begin(c);
	/* The request is done with: what follows it moves to the front. */
	if (next > c->in_len)
		next = c->in_len;
	memmove(c->in, c->in + next, c->in_len - next);
	c->in_len -= next;
	c->head_len = c->body_in = c->body_out = 0;
	c->state = MG_HTTP_CONN_SEND;
	c->deadline_ns = now_ns + c->srv->send_timeout_ns;
}

/* Put the stream's next piece into out, framed. 0, or < 0 to abort. */
static int
refill_stream(struct mg_http_conn *c)
{
	size_t head = c->chunk_out ? CHUNK_HEAD : 0;
	/* Room for the data, its CRLF and the last chunk "0\r\n\r\n". */
	size_t cap = sizeof(c->out) - head - (c->chunk_out ? 7 : 0);
	long n = c->resp.stream(c->resp.stream_arg, c->out + head, cap);
	char size_line[CHUNK_HEAD + 1];
	int len;

	if (n < 0 || (size_t)n > cap)
		return -EIO;
	c->log_bytes += (uint64_t)n;
	if (!c->chunk_out) {
		c->out_sent = 0;
		c->out_len = (size_t)n;
		c->stream_done = n == 0;
		return 0;
	}
	if (n == 0) {
		memcpy(c->out, "0\r\n\r\n", 5);
		c->out_sent = 0;
		c->out_len = 5;
		c->stream_done = true;
		return 0;
	}
	len = snprintf(size_line, sizeof(size_line), "%lx\r\n", (unsigned long)n);
	memcpy(c->out + head - (size_t)len, size_line, (size_t)len);
	memcpy(c->out + head + n, "\r\n", 2);
	c->out_sent = head - (size_t)len;
	c->out_len = head + (size_t)n + 2;
	return 0;
}

/* 0: everything handed over; 1: the transport is full; < 0: aborted. */
static int
flush(struct mg_http_conn *c, uint64_t now_ns)
{
	size_t taken;

	for (;;) {
		const void *data;
		size_t len;
		bool from_out = c->out_sent < c->out_len;

		if (from_out) {
			data = c->out + c->out_sent;
			len = c->out_len - c->out_sent;
		} else if (c->send_body_len > 0) {
			data = c->send_body;
			len = c->send_body_len;
		} else if (!c->stream_done) {
			if (refill_stream(c) != 0) {
				conn_close(c, now_ns);
				return -EIO;
			}
			continue;
		} else {
			return 0;
		}
		taken = 0;
		if (c->io->send(c->io_ctx, data, len, &taken) != 0 || taken > len) {
			conn_abort(c, now_ns);
			return -EIO;
		}
		if (taken > 0)
			c->deadline_ns = now_ns + c->srv->send_timeout_ns;
		if (from_out) {
			c->out_sent += taken;
		} else {
			c->send_body += taken;
			c->send_body_len -= taken;
			c->log_bytes += taken;
		}
		if (taken < len)
			return 1;
	}
}

/* The response is out: close, or wait for (or go on with) the next request. */
static void
next_request(struct mg_http_conn *c, uint64_t now_ns)
{
	log_done(c, now_ns, true);
	if (c->close_after || (c->peer_eof && c->in_len == 0)) {
		conn_close(c, now_ns);
		return;
	}
	c->req_start_ns = now_ns;
	c->state = MG_HTTP_CONN_HEAD;
	c->line_seen = false;
	c->scan_pos = 0;
	c->sent_continue = false;
	c->deadline_ns = now_ns + (c->in_len > 0 ? c->srv->header_timeout_ns
						 : c->srv->idle_timeout_ns);
}

static void
process(struct mg_http_conn *c, uint64_t now_ns)
{
	int rc;

	for (;;) {
		switch (c->state) {
		case MG_HTTP_CONN_HEAD:
			if (!head_ready(c)) {
				if (c->peer_eof)
					conn_close(c, now_ns);
				return;
			}
			rc = mg_http_parse_request(c->in, c->in_len, &c->srv->limits, &c->req);
			if (rc == 0) {
				if (c->peer_eof)
					conn_close(c, now_ns);
				return;
			}
			if (rc < 0) {
				error_response(c, c->req.error_status, now_ns);
				break;
			}
			c->head_len = (size_t)rc;
			c->body_in = c->body_out = 0;
			mg_http_chunked_init(&c->chunked, body_cap(c));
			c->state = MG_HTTP_CONN_BODY;
			break;
		case MG_HTTP_CONN_BODY:
			rc = read_body(c);
			if (rc < 0) {
				c->close_after = true;
				error_response(c, -rc, now_ns);
			} else if (rc == 1) {
				dispatch(c, now_ns);
			} else if (c->peer_eof) {
				conn_close(c, now_ns);
				return;
			} else {
				if (c->req.expect_continue && !c->sent_continue &&
				    c->in_len == c->head_len) {
					static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
					/* Through out[]: what the transport cannot take yet goes
					 * ahead of the final response's head. */
					c->sent_continue = true;
					memcpy(c->out, cont, sizeof(cont) - 1);
					c->out_len = sizeof(cont) - 1;
					c->out_sent = 0;
					(void)flush(c, now_ns);
				}
				return;
			}
			break;
		case MG_HTTP_CONN_SEND:
			rc = flush(c, now_ns);
			if (rc != 0)
				return;
			next_request(c, now_ns);
			break;
		case MG_HTTP_CONN_CLOSED:
			return;
		}
	}
}

char *
mg_http_conn_input_space(struct mg_http_conn *c, size_t *room)
{
	*room = c->state == MG_HTTP_CONN_CLOSED || c->peer_eof ? 0 : sizeof(c->in) - c->in_len;
	return c->in + c->in_len;
}

void
mg_http_conn_input_commit(struct mg_http_conn *c, size_t n, uint64_t now_ns)
{
	if (n == 0 || c->state == MG_HTTP_CONN_CLOSED || c->peer_eof ||
	    n > sizeof(c->in) - c->in_len)
		return;
	if (c->state == MG_HTTP_CONN_HEAD && c->in_len == 0) {
		c->deadline_ns = now_ns + c->srv->header_timeout_ns;
		c->req_start_ns = now_ns;
	}
	c->in_len += n;
	if (c->state != MG_HTTP_CONN_SEND)
		process(c, now_ns);
}

size_t
mg_http_conn_input(struct mg_http_conn *c, const void *data, size_t len, uint64_t now_ns)
{
	size_t room, take;
	char *space = mg_http_conn_input_space(c, &room);

	take = len < room ? len : room;
	if (take == 0)
		return 0;
	memcpy(space, data, take);
	mg_http_conn_input_commit(c, take, now_ns);
	return take;
}

void
mg_http_conn_writable(struct mg_http_conn *c, uint64_t now_ns)
{
	if (c->state == MG_HTTP_CONN_SEND)
		process(c, now_ns);
	else if (c->state == MG_HTTP_CONN_BODY && c->out_sent < c->out_len)
		(void)flush(c, now_ns);
}

void
mg_http_conn_eof(struct mg_http_conn *c, uint64_t now_ns)
{
	if (c->state == MG_HTTP_CONN_CLOSED)
		return;
	/* Requests already buffered are still answered; then the connection closes. */
	c->peer_eof = true;
	if (c->state != MG_HTTP_CONN_SEND)
		process(c, now_ns);
}

void
mg_http_conn_abort(struct mg_http_conn *c, uint64_t now_ns)
{
	if (c->state != MG_HTTP_CONN_CLOSED)
		conn_abort(c, now_ns);
}

void
mg_http_conn_tick(struct mg_http_conn *c, uint64_t now_ns)
{
	if (c->state == MG_HTTP_CONN_CLOSED || now_ns < c->deadline_ns)
		return;
	c->stats.timeouts++;
	if (c->state == MG_HTTP_CONN_SEND) {
		conn_close(c, now_ns);	/* the peer stopped reading */
		return;
	}
	if (c->in_len == 0) {
		conn_close(c, now_ns);	/* idle keep-alive: nothing to say */
		return;
	}
	c->close_after = true;
	c->head_len = c->in_len;	/* nothing after the request is kept */
	c->body_in = 0;
	/* The parser may never have run on an unfinished head: answer as to plain GET. */
	memset(&c->req, 0, offsetof(struct mg_http_request, headers));
	c->req.method = MG_HTTP_GET;
	c->req.version_minor = 1;
	error_response(c, 408, now_ns);
	process(c, now_ns);
}

uint64_t
mg_http_conn_deadline(const struct mg_http_conn *c)
{
	return c->deadline_ns;
}

bool
mg_http_conn_closed(const struct mg_http_conn *c)
{
	return c->state == MG_HTTP_CONN_CLOSED;
}

bool
mg_http_conn_wants_input(const struct mg_http_conn *c)
{
	return c->state != MG_HTTP_CONN_CLOSED && !c->peer_eof && c->in_len < sizeof(c->in);
}

int
mg_http_resp_header(struct mg_http_response *resp, const char *name, const char *value)
{
	struct mg_http_writer w;

	mg_http_writer_init(&w, resp->headers + resp->headers_len,
			    sizeof(resp->headers) - resp->headers_len);
	mg_http_write_header(&w, name, value);
	if (!mg_http_field_ok(name, value))
		return -EINVAL;
	if (w.overflow)
		return -ENOSPC;
	resp->headers_len += w.len;
	return 0;
}

int
mg_http_resp_write(struct mg_http_response *resp, const void *data, size_t len)
{
	if (len > sizeof(resp->buf) - resp->buf_len)
		return -ENOSPC;
	memcpy(resp->buf + resp->buf_len, data, len);
	resp->buf_len += len;
	resp->body = resp->buf;
	resp->body_len = resp->buf_len;
	return 0;
}

int
mg_http_resp_printf(struct mg_http_response *resp, const char *fmt, ...)
{
	size_t room = sizeof(resp->buf) - resp->buf_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(resp->buf + resp->buf_len, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return -ENOSPC;
	resp->buf_len += (size_t)n;
	resp->body = resp->buf;
	resp->body_len = resp->buf_len;
	return 0;
}
