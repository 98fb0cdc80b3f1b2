/* SPDX-License-Identifier: ISC */
/*
 * http.h -- HTTP/1.1 (RFC 9110 semantics, RFC 9112 messages), server and client, without
 * a transport.
 *
 * Three layers, each usable alone:
 *
 *  1. Pure codecs: the request parser, the response parser, the chunked decoder, the
 *     head writer, HTTP dates, Range and conditional-request evaluation, content types.
 *     Bytes in, structs out; no allocation, no I/O, no globals.
 *  2. The server connection (struct mg_http_conn): a state machine that takes the bytes
 *     a peer sent and the current time, and hands the bytes to send back to a transport
 *     through struct mg_http_io. It owns pipelining, keep-alive, limits and timeouts; a
 *     transport (Morgana's TCP, or the host test harness tests/http/hostd.c) only moves
 *     bytes and reports time.
 *  3. Routing (struct mg_http_route) and a static-file handler serving a baked kv store.
 *
 * Strings in parsed messages are spans (pointer + length) into the caller's buffer:
 * valid while that buffer is, not NUL-terminated. Header names compare case-insensitively.
 * See docs/http.md for the behaviour in full and the transport glue.
 */
#ifndef MORGANA_HTTP_H
#define MORGANA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/kv.h>

/* ---- limits --------------------------------------------------------------------------- */

#define MG_HTTP_HEADERS_MAX	64u	/* header fields kept per message */
#define MG_HTTP_CONN_IN_SIZE	32768u	/* a connection's input buffer: head + body */
#define MG_HTTP_CONN_OUT_SIZE	4096u	/* a connection's buffer for heads and chunks */
#define MG_HTTP_RESP_BUF_SIZE	8192u	/* body bytes a handler may write into a response */
#define MG_HTTP_RESP_HEADERS_SIZE 1024u	/* extra header bytes a handler may add */

struct mg_http_limits {
	size_t request_line_max;	/* longer: 414 URI Too Long */
	size_t head_max;		/* request line + fields; longer: 431 */
	size_t header_count_max;	/* more fields: 431; at most MG_HTTP_HEADERS_MAX */
	size_t body_max;		/* larger bodies: 413; <= MG_HTTP_CONN_IN_SIZE - head_max */
};

/* 8 KiB request line, 16 KiB head, 64 fields, 16 KiB body. */
extern const struct mg_http_limits mg_http_default_limits;

/* ---- parsed messages ------------------------------------------------------------------ */

struct mg_http_str {
	const char *p;
	size_t len;
};

struct mg_http_header {
	struct mg_http_str name;
	struct mg_http_str value;	/* without leading and trailing blanks */
};

enum mg_http_method {
	MG_HTTP_GET = 1u << 0,
	MG_HTTP_HEAD = 1u << 1,
	MG_HTTP_POST = 1u << 2,
	MG_HTTP_PUT = 1u << 3,
	MG_HTTP_DELETE = 1u << 4,
	MG_HTTP_OPTIONS = 1u << 5,
	MG_HTTP_PATCH = 1u << 6,
	MG_HTTP_OTHER = 1u << 7,	/* a valid token we do not implement: 501 */
};

struct mg_http_request {
	enum mg_http_method method;
	struct mg_http_str method_name;
	struct mg_http_str target;	/* as sent */
	struct mg_http_str path;	/* the target's path, still percent-encoded */
	struct mg_http_str query;	/* after '?', without it; empty if none */
	int version_minor;		/* HTTP/1.x: 0 or 1 (1.2+ is treated as 1.1) */
	size_t header_count;
	struct mg_http_header headers[MG_HTTP_HEADERS_MAX];
	struct mg_http_str host;
	bool chunked;			/* Transfer-Encoding: chunked */
	bool has_length;		/* Content-Length given */
	uint64_t content_length;
	bool keep_alive;		/* from the version and Connection */
	bool expect_continue;		/* Expect: 100-continue */
	/* Set by the connection once the body is in (decoded if it was chunked). */
	const char *body;
	size_t body_len;
	/* When parsing failed: the status to answer with and why, for logs. */
	int error_status;
	const char *error_reason;
};

/*
 * Parse a request head: the request line and the header fields up to the empty line.
 * buf holds len bytes received so far, starting at the request (up to two empty lines
 * before it are skipped, as RFC 9112 2.2 asks). Returns:
 *   > 0		the head's length in bytes: *req is filled, the body (if any) starts
 *			there;
 *   0			the head is not complete yet and no limit is broken: call again with
 *			more bytes;
 *   -EBADMSG		the request is refused: req->error_status is 400 (bad syntax, bad
 *			Host, conflicting Content-Length, Content-Length with
 *			Transfer-Encoding), 413 (Content-Length above body_max), 414, 417
 *			(unknown Expect), 431, 501 (unimplemented method or transfer coding)
 *			or 505 (HTTP major version other than 1). The connection must close
 *			after answering: its framing cannot be trusted.
 * Bare LF ends lines as CRLF does; a CR anywhere else, NUL and other control characters
 * in a field value, whitespace before a field's colon and obsolete line folding are 400.
 */
int mg_http_parse_request(const char *buf, size_t len, const struct mg_http_limits *lim,
			  struct mg_http_request *req);

/* The value of the first field called name (NUL-terminated, any case), or NULL. */
const struct mg_http_str *mg_http_header_get(const struct mg_http_header *headers,
					     size_t count, const char *name);
/* Does the comma-separated list in any field called name hold token (any case)? */
bool mg_http_header_has_token(const struct mg_http_header *headers, size_t count,
			      const char *name, const char *token);

/* ---- chunked transfer coding (RFC 9112 7.1) ---------------------------------------------- */

struct mg_http_chunked {
	int state;
	uint64_t chunk_left;	/* data bytes left in the current chunk */
	uint64_t total;		/* data bytes decoded so far */
	uint64_t max;		/* decoded bytes allowed in all; more is -EFBIG */
	size_t line_len;	/* bytes of the current size, extension or trailer line */
	size_t trailer_len;	/* bytes of trailer fields, bounded */
};

/* Start decoding a body of at most max decoded bytes. */
void mg_http_chunked_init(struct mg_http_chunked *ch, uint64_t max);

/*
 * Decode from in (in_len bytes) into out (room for out_cap bytes); out may be in itself
 * or overlap it at a lower address (decoding in place). *in_used and *out_len say how
 * much was consumed and produced. Returns 1 when the last chunk and the trailer section
 * are complete (in_used stops right after them), 0 when more input (or room) is needed,
 * -EBADMSG on bad syntax (bad hex, a missing CRLF, a size, extension or trailer line
 * over its bound), -EFBIG when the data exceeds max. Trailer fields are skipped.
 */
int mg_http_chunked_decode(struct mg_http_chunked *ch, const char *in, size_t in_len,
			   size_t *in_used, char *out, size_t out_cap, size_t *out_len);

/* ---- writing heads ---------------------------------------------------------------------- */

/* Appends to buf; once something does not fit, overflow stays set and len stops. */
struct mg_http_writer {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

void mg_http_writer_init(struct mg_http_writer *w, char *buf, size_t cap);
void mg_http_write_bytes(struct mg_http_writer *w, const void *data, size_t len);
void mg_http_write_fmt(struct mg_http_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "HTTP/1.1 STATUS REASON\r\n" */
void mg_http_write_status(struct mg_http_writer *w, int status);
/* "name: value\r\n"; refuses (overflow) CR or LF in either, so no header can be split. */
void mg_http_write_header(struct mg_http_writer *w, const char *name, const char *value);

/* The reason phrase of a status ("Not Found"), or "Unknown". */
const char *mg_http_reason(int status);

/* ---- dates, types, validators, ranges --------------------------------------------------- */

#define MG_HTTP_DATE_SIZE 30u	/* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */

/* IMF-fixdate of t (seconds since the epoch, 0..253402300799). Returns 0 or -EINVAL. */
int mg_http_date_format(int64_t t, char out[MG_HTTP_DATE_SIZE]);
/* Parse IMF-fixdate, RFC 850 or asctime dates (RFC 9110 5.6.7). 0 or -EINVAL. */
int mg_http_date_parse(const char *s, size_t len, int64_t *t);

/* The media type for a path's extension ("text/html; charset=utf-8"), or
 * "application/octet-stream". */
const char *mg_http_content_type(const char *path, size_t len);

/*
 * Does the If-None-Match / If-Match list (a field value: "*" or entity-tags separated by
 * commas) match etag (one quoted entity-tag, optionally W/)? weak selects RFC 9110
 * 8.8.3.2's weak comparison (W/ ignored) over the strong one (both must be strong).
 */
bool mg_http_etag_match(const struct mg_http_str *list, const char *etag, bool weak);

/*
 * Evaluate the preconditions of RFC 9110 13.2.2 for a representation with the given
 * validators (etag NULL or mtime < 0 when there is none): returns 200 to go on, 304 (Not
 * Modified: GET/HEAD whose If-None-Match or If-Modified-Since says the client has it) or
 * 412 (Precondition Failed: If-Match, If-Unmodified-Since, or If-None-Match on other
 * methods).
 */
int mg_http_preconditions(const struct mg_http_request *req, const char *etag, int64_t mtime);

/*
 * If-Range (RFC 9110 13.1.5): may Range be honoured? true without If-Range, or when it
 * holds an entity-tag strongly equal to etag, or a date equal to mtime.
 */
bool mg_http_if_range(const struct mg_http_request *req, const char *etag, int64_t mtime);

enum mg_http_range_kind {
	MG_HTTP_RANGE_NONE,		/* no usable Range: send everything (200) */
	MG_HTTP_RANGE_ONE,		/* one satisfiable range: 206 */
	MG_HTTP_RANGE_MULTI,		/* several ranges: we send everything (200) */
	MG_HTTP_RANGE_UNSATISFIABLE,	/* 416 with Content-Range: bytes * / size */
};

/*
 * Interpret a Range field value ("bytes=0-99", "bytes=-500", "bytes=9500-") against a
 * representation of size bytes. For MG_HTTP_RANGE_ONE, *first..*last (inclusive) is the
 * range, clipped to the size. A malformed value or another unit is NONE (RFC 9110 14.2:
 * ignore it).
 */
enum mg_http_range_kind mg_http_range_parse(const struct mg_http_str *value, uint64_t size,
					    uint64_t *first, uint64_t *last);

/* ---- server: responses, routes, connections --------------------------------------------- */

struct mg_http_response;

/*
 * A streamed body: write up to cap bytes into buf and return how many (> 0), 0 at the
 * end, or a negative errno to abort the connection. Sent chunked to HTTP/1.1 clients,
 * delimited by closing the connection to HTTP/1.0 ones.
 */
typedef long (*mg_http_stream_fn)(void *arg, char *buf, size_t cap);

/*
 * What a handler fills in. The connection zeroes it, sets status 200, and after the
 * handler returns, applies conditional requests and Range (when etag/mtime/ranges say
 * so), HEAD, Content-Length or chunking, Date and Connection.
 */
struct mg_http_response {
	int status;
	const char *content_type;	/* static string, or NULL for none */
	/* The body: body/body_len pointing at memory that outlives the connection
	 * (constant data, kv entries), or bytes written into buf with mg_http_resp_write
	 * (which sets body to buf), or a stream. */
	const void *body;
	size_t body_len;
	mg_http_stream_fn stream;
	void *stream_arg;
	/* Validators, for conditional requests: etag NUL-terminated (copied), mtime < 0
	 * for none. ranges: honour Range on a 200 with a known body. */
	char etag[48];
	int64_t mtime;
	bool ranges;
	bool close;			/* close the connection after this response */
	size_t headers_len;
	char headers[MG_HTTP_RESP_HEADERS_SIZE];	/* extra "Name: value\r\n" lines */
	size_t buf_len;
	char buf[MG_HTTP_RESP_BUF_SIZE];
};

/* Add a header line (no CR/LF allowed). 0, -EINVAL or -ENOSPC. */
int mg_http_resp_header(struct mg_http_response *resp, const char *name, const char *value);
/* Append to resp->buf and make it the body. 0 or -ENOSPC (nothing appended). */
int mg_http_resp_write(struct mg_http_response *resp, const void *data, size_t len);
int mg_http_resp_printf(struct mg_http_response *resp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Return 0, or a negative errno to answer 500. */
typedef int (*mg_http_handler_fn)(void *arg, const struct mg_http_request *req,
				  struct mg_http_response *resp);

/*
 * A route: requests whose path equals path (exact) or starts with it (prefix; matching
 * at a '/' boundary unless path ends in '/') go to fn, if the method is in methods
 * (a mask of enum mg_http_method; 0 means GET|HEAD); other methods get 405 with Allow.
 * The first matching route wins; no match is 404.
 */
struct mg_http_route {
	const char *path;
	bool exact;
	unsigned methods;
	mg_http_handler_fn fn;
	void *arg;
};

/*
 * What the access-log hook (struct mg_http_server.log) hears about each response, once
 * it has been handed to the transport completely, or when the connection ended before
 * that (complete false). Strings are NUL-terminated, cut to fit, with bytes outside
 * printable ASCII replaced by '?' so that a peer cannot forge log lines; "-" when the
 * request line never parsed (a 408 before it, a refused request).
 */
struct mg_http_log_entry {
	const char *method;
	const char *target;
	int status;
	uint64_t body_bytes;		/* body bytes handed to the transport */
	uint64_t start_ns;		/* the request's first byte arrived (monotonic) */
	uint64_t duration_ns;		/* from then to its last byte out, on the clock the
					 * connection was given (a hook may read its own) */
	bool complete;
};

struct mg_http_server {
	const struct mg_http_route *routes;
	size_t route_count;
	struct mg_http_limits limits;
	uint64_t header_timeout_ns;	/* first byte of a request to its end (slowloris) */
	uint64_t idle_timeout_ns;	/* keep-alive connection with nothing to do */
	uint64_t send_timeout_ns;	/* output stuck with no progress */
	const char *server_name;	/* "Server:" value, or NULL for none */
	/* Seconds since the epoch for the Date field, or NULL to send none. */
	int64_t (*unix_time)(void *arg);
	void *unix_time_arg;
	/* Access log: called once per response (see struct mg_http_log_entry), or NULL.
	 * It runs inside the connection's calls and MUST NOT call into the connection. */
	void (*log)(void *arg, const struct mg_http_log_entry *entry);
	void *log_arg;
};

/* Fill srv with the default limits and timeouts (10 s, 5 s, 30 s) and no routes. */
void mg_http_server_init(struct mg_http_server *srv);

/* What a transport offers a connection. */
struct mg_http_io {
	/* Take up to len bytes for sending (copying them); set *taken. Return 0, or a
	 * negative errno to abort the connection (then close is not called). */
	int (*send)(void *ctx, const void *data, size_t len, size_t *taken);
	/* The connection is done: close once everything taken is sent. Called once. */
	void (*close)(void *ctx);
};

enum mg_http_conn_state {
	MG_HTTP_CONN_HEAD,	/* reading a request head (or idle between requests) */
	MG_HTTP_CONN_BODY,	/* reading a request body */
	MG_HTTP_CONN_SEND,	/* sending a response */
	MG_HTTP_CONN_CLOSED,	/* done: the transport may free it */
};

struct mg_http_conn_stats {
	uint64_t requests;	/* responses started, errors included */
	uint64_t errors;	/* requests refused by the parser (4xx/5xx before a handler) */
	uint64_t timeouts;
};

/* One connection. Big (about 50 KiB): allocate it, do not put it on a fiber's stack. */
struct mg_http_conn {
	const struct mg_http_server *srv;
	const struct mg_http_io *io;
	void *io_ctx;
	enum mg_http_conn_state state;
	uint64_t deadline_ns;		/* UINT64_MAX: none */
	bool sent_continue;
	bool close_after;		/* close once the current response is out */
	bool head_only;			/* HEAD: no body bytes */
	bool chunk_out;			/* the body goes out chunked */
	bool stream_done;
	bool peer_eof;			/* no more input will come */
	bool line_seen;			/* the request line's LF is in */
	bool log_pending;		/* a response is going out and not yet logged */
	int log_status;
	uint64_t log_bytes;
	uint64_t req_start_ns;		/* first byte of the current request */
	char log_method[16];
	char log_target[256];
	size_t scan_pos;		/* where to go on looking for the head's end */
	struct mg_http_conn_stats stats;
	size_t in_len;
	size_t head_len;
	size_t body_in;			/* chunked: encoded bytes consumed after the head */
	size_t body_out;		/* chunked: decoded bytes so far */
	struct mg_http_chunked chunked;
	const char *send_body;		/* body bytes still to send */
	size_t send_body_len;
	size_t out_len, out_sent;
	struct mg_http_request req;
	struct mg_http_response resp;
	char out[MG_HTTP_CONN_OUT_SIZE];
	char in[MG_HTTP_CONN_IN_SIZE];
};

/* Start a connection that has just been accepted at now_ns (monotonic). */
void mg_http_conn_init(struct mg_http_conn *c, const struct mg_http_server *srv,
		       const struct mg_http_io *io, void *io_ctx, uint64_t now_ns);

/*
 * Bytes from the peer. Returns how many were taken (<= len): fewer when the input buffer
 * is full because a response is still being sent; offer the rest again after
 * mg_http_conn_writable(). Handlers run inside this call, and output is handed to
 * io->send before it returns.
 */
size_t mg_http_conn_input(struct mg_http_conn *c, const void *data, size_t len,
			  uint64_t now_ns);

/*
 * The same without a copy: where the transport may write input directly, and how much
 * (*room; 0 when the connection takes nothing now), then how many bytes it wrote there.
 * mg_http_conn_input_commit() processes them as mg_http_conn_input() would.
 */
char *mg_http_conn_input_space(struct mg_http_conn *c, size_t *room);
void mg_http_conn_input_commit(struct mg_http_conn *c, size_t n, uint64_t now_ns);

/* The transport can take more output. */
void mg_http_conn_writable(struct mg_http_conn *c, uint64_t now_ns);

/* The peer will send nothing more (FIN). A response in progress is still sent. */
void mg_http_conn_eof(struct mg_http_conn *c, uint64_t now_ns);

/* The transport lost the connection (reset, timed out): the connection is closed
 * without another call to io (a response going out is logged as cut short). */
void mg_http_conn_abort(struct mg_http_conn *c, uint64_t now_ns);

/* Time passes: enforce the deadlines (408 for a request cut short, silence for an idle
 * keep-alive connection, abort for stuck output). */
void mg_http_conn_tick(struct mg_http_conn *c, uint64_t now_ns);

/* The next time mg_http_conn_tick must be called, or UINT64_MAX. */
uint64_t mg_http_conn_deadline(const struct mg_http_conn *c);

/* Is the connection finished (closed or aborted)? */
bool mg_http_conn_closed(const struct mg_http_conn *c);

/* Would mg_http_conn_input take bytes now? (false while the buffer is full or closing) */
bool mg_http_conn_wants_input(const struct mg_http_conn *c);

/* ---- static files from a kv store ------------------------------------------------------- */

/*
 * Serve GET/HEAD from a store: the request path minus prefix (percent-decoded; "." or
 * ".." segments, "//" and NUL are 404) is the key; "" or a path ending in '/' means
 * that folder's index; a folder asked for without its '/' is redirected (301) to it.
 * Sends ETag, Last-Modified, Accept-Ranges and the gzip variant (Content-Encoding: gzip,
 * Vary: Accept-Encoding, its own ETag) to clients that accept gzip.
 */
struct mg_http_static {
	const struct mg_kv_store *store;
	const char *prefix;	/* URL path the store is mounted at, e.g. "/"; ends in '/' */
	const char *index;	/* file served for folders; NULL: "index.html" */
};

int mg_http_static_handler(void *arg, const struct mg_http_request *req,
			   struct mg_http_response *resp);

/* Percent-decode a path into out (cap bytes). Returns the length, or -EINVAL on a bad
 * escape or an escaped NUL, -ENOSPC when it does not fit. */
long mg_http_path_decode(const char *in, size_t len, char *out, size_t cap);

/* ---- client ------------------------------------------------------------------------------ */

/*
 * Write a request into buf: "METHOD target HTTP/1.1", Host, the extra header lines
 * (each "Name: value", no CR/LF; NULL-terminated array or NULL), Content-Length when
 * body is not NULL, then the body. Returns the length, -ENOSPC if it does not fit, or
 * -EINVAL for a bad method, target or header.
 */
long mg_http_client_request(char *buf, size_t cap, const char *method, const char *host,
			    const char *target, const char *const *headers, const void *body,
			    size_t body_len);

enum mg_http_body_kind {
	MG_HTTP_BODY_NONE,	/* HEAD answer, 1xx, 204, 304 */
	MG_HTTP_BODY_LENGTH,	/* Content-Length bytes */
	MG_HTTP_BODY_CHUNKED,
	MG_HTTP_BODY_CLOSE,	/* until the server closes */
};

struct mg_http_client_response {
	int version_minor;
	int status;
	struct mg_http_str reason;
	size_t header_count;
	struct mg_http_header headers[MG_HTTP_HEADERS_MAX];
	enum mg_http_body_kind body_kind;
	uint64_t content_length;
	bool keep_alive;	/* may the connection carry another request? */
};

/*
 * Parse a response head; request_was_head says the request was HEAD (no body follows).
 * Returns the head's length, 0 for more bytes, -EBADMSG (bad status line or fields,
 * conflicting Content-Length, head over lim->head_max) or -ENOTSUP (HTTP major != 1).
 */
int mg_http_parse_response(const char *buf, size_t len, const struct mg_http_limits *lim,
			   bool request_was_head, struct mg_http_client_response *resp);

/* Reading a response body as it arrives. */
struct mg_http_body_reader {
	enum mg_http_body_kind kind;
	uint64_t left;			/* LENGTH: bytes still expected */
	struct mg_http_chunked chunked;
	bool done;
};

void mg_http_body_reader_init(struct mg_http_body_reader *r,
			      const struct mg_http_client_response *resp, uint64_t max);

/*
 * Feed received bytes; decoded body bytes go to out (may be in, as for the chunked
 * decoder). Returns 1 when the body is complete (bytes after *in_used belong to the next
 * response), 0 for more, -EBADMSG or -EFBIG.
 */
int mg_http_body_read(struct mg_http_body_reader *r, const char *in, size_t in_len,
		      size_t *in_used, char *out, size_t out_cap, size_t *out_len);

/* The server closed the connection: 1 if that completes the body, -EBADMSG if the body
 * was cut short. */
int mg_http_body_eof(struct mg_http_body_reader *r);

/* ---- HTTP over Morgana's TCP (tcp.h) ------------------------------------------------------ */

struct mg_tcp;
struct mg_tcp_conn;

/*
 * The server side: a listener on a port of a TCP instance that gives every accepted
 * connection its own struct mg_http_conn (allocated on accept, freed when the
 * connection is over) and drives it from TCP's callbacks and one runtime timer per
 * connection (the deadlines of struct mg_http_server). No fiber is involved; handlers
 * run in the event loop and MUST NOT block.
 *
 * Bounds: at most max_conns HTTP connections at once. One more is refused with a short
 * "503 Service Unavailable" (Retry-After: 1, Connection: close) written straight to TCP,
 * and counted; beyond that TCP's own bounds (backlog, max_conns, SYN cookies) apply.
 * Backpressure: output is handed to TCP only as far as its send buffer has room, the
 * rest waits for TCP's writable callback; input is read from TCP only while the
 * connection has room for it, so a peer that sends faster than it reads sees TCP's
 * window close. Small pieces of a response (head, short bodies, pipelined answers) are
 * gathered into one send, so a small response leaves in one segment.
 * Closing: after the last response, our FIN; what the peer still sends is read and
 * dropped for up to linger_ns (so that a pipelined request behind a "Connection: close"
 * does not turn into a reset that destroys the answer), then the connection is closed.
 */
struct mg_http_tcp_config {
	uint16_t port;			/* 0: 80 */
	unsigned max_conns;		/* 0: 64 */
	unsigned backlog;		/* for mg_tcp_listen(); 0: TCP's default */
	uint64_t linger_ns;		/* 0: 2 s */
};

struct mg_http_tcp_stats {
	uint64_t accepted;		/* connections served */
	uint64_t refused;		/* answered 503 because max_conns were open */
	uint64_t failed;		/* no memory for a connection: reset */
	uint64_t requests, errors, timeouts;	/* summed over finished connections */
	size_t active;			/* connections open now */
};

struct mg_http_tcp_server;

/*
 * Serve srv (which MUST outlive the server) on cfg->port (cfg NULL: port 80 and the
 * defaults). Returns 0, -EINVAL, -EADDRINUSE or -ENOMEM.
 */
int mg_http_tcp_serve(struct mg_tcp *tcp, const struct mg_http_server *srv,
		      const struct mg_http_tcp_config *cfg, struct mg_http_tcp_server **out);

/* Stop listening, reset every open connection and free the server. Not from a handler. */
void mg_http_tcp_stop(struct mg_http_tcp_server *s);

void mg_http_tcp_stats(const struct mg_http_tcp_server *s, struct mg_http_tcp_stats *st);

/*
 * The client side, for fibers: requests to one server over one connection at a time,
 * kept open between requests while the server allows it (keep-alive) and opened again
 * when needed. Calls block the calling fiber only, each until its deadline (mg_now_ns()
 * clock, MG_FOREVER for none).
 */
#define MG_HTTP_CLIENT_BUF_SIZE	16384u	/* request head + body; response head */

struct mg_http_client;

/* A client for the server at addr:port (host order), sending host in Host. Connects on
 * the first request. Returns 0, -EINVAL or -ENOMEM. */
int mg_http_client_open(struct mg_tcp *tcp, uint32_t addr, uint16_t port, const char *host,
			struct mg_http_client **out);

/* Close the connection, if any, and free the client. */
void mg_http_client_close(struct mg_http_client *cl);

struct mg_http_client_result {
	struct mg_http_client_response head;	/* spans valid until the next request */
	size_t body_len;			/* decoded body bytes written to body */
	bool reused;				/* the request went over a kept connection */
};

/*
 * Send one request (method, target, extra "Name: value" header lines or NULL, an
 * optional body sent with Content-Length) and read the answer: its head into res->head,
 * its body (Content-Length, chunked or until close; decoded) into body, at most
 * body_cap bytes. A kept connection the server closed in the meantime is opened again
 * and an idempotent request (not POST or PATCH) sent once more.
 * Returns 0 (any status), -ETIMEDOUT, -ECONNREFUSED, -ECONNRESET, -EBADMSG (not HTTP, or
 * a body cut short), -ENOTSUP (HTTP/2+), -EFBIG (the body is larger than body_cap; the
 * connection is closed), -ENOSPC (the request does not fit MG_HTTP_CLIENT_BUF_SIZE),
 * -EINVAL, or another error of tcp.h. After an error the connection is closed.
 */
int mg_http_client_fetch(struct mg_http_client *cl, const char *method, const char *target,
			 const char *const *headers, const void *body, size_t body_len,
			 void *out, size_t body_cap, struct mg_http_client_result *res,
			 uint64_t deadline_ns);

#endif /* MORGANA_HTTP_H */
