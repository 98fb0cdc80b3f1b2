/* SPDX-License-Identifier: ISC */
/*
 * client_tcp.c -- HTTP over Morgana's TCP, client side (http.h): the pure request writer
 * and response readers of client.c driven by fiber-blocking TCP calls, with one
 * connection kept between requests while the server allows it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/http.h>
#include <morgana/runtime.h>
#include <morgana/tcp.h>

#define HOST_MAX 255

struct mg_http_client {
	struct mg_tcp *tcp;
	uint32_t addr;
	uint16_t port;
	struct mg_tcp_conn *conn;	/* NULL: not connected */
	char host[HOST_MAX + 1];
	char req[MG_HTTP_CLIENT_BUF_SIZE];
	char in[MG_HTTP_CLIENT_BUF_SIZE];
	size_t in_len;
};

int
mg_http_client_open(struct mg_tcp *tcp, uint32_t addr, uint16_t port, const char *host,
		    struct mg_http_client **out)
{
	struct mg_http_client *cl;
	size_t len;

	if (tcp == NULL || port == 0 || host == NULL || out == NULL ||
	    (len = strlen(host)) == 0 || len > HOST_MAX)
		return -EINVAL;
	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return -ENOMEM;
	cl->tcp = tcp;
	cl->addr = addr;
	cl->port = port;
	memcpy(cl->host, host, len + 1);
	*out = cl;
	return 0;
}

static void
drop_conn(struct mg_http_client *cl, bool reset)
{
	if (cl->conn == NULL)
		return;
	if (reset || mg_tcp_close(cl->conn) != 0)
		(void)mg_tcp_abort(cl->conn);
	cl->conn = NULL;
	cl->in_len = 0;
}

void
mg_http_client_close(struct mg_http_client *cl)
{
	if (cl == NULL)
		return;
	drop_conn(cl, false);
	free(cl);
}

/* Read more of the response into in[]; 0 at the end of the stream, > 0, or < 0. */
static long
read_more(struct mg_http_client *cl, uint64_t deadline_ns)
{
	long n;

	if (cl->in_len == sizeof(cl->in))
		return -EBADMSG;	/* a head that does not fit */
	n = mg_tcp_read(cl->conn, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len,
			deadline_ns);
	if (n > 0)
		cl->in_len += (size_t)n;
	return n;
}

/* The final response's head (interim 1xx answers are skipped): its length, or < 0.
 * *answered: the server sent something (a failure before that may be a stale kept
 * connection). */
static int
read_head(struct mg_http_client *cl, bool head_request, struct mg_http_client_response *resp,
	  uint64_t deadline_ns, bool *answered)
{
	for (;;) {
		int rc = mg_http_parse_response(cl->in, cl->in_len, &mg_http_default_limits,
						head_request, resp);
		long n;

		if (rc > 0 && resp->status >= 100 && resp->status < 200 && resp->status != 101) {
			memmove(cl->in, cl->in + rc, cl->in_len - (size_t)rc);
			cl->in_len -= (size_t)rc;
			continue;
		}
		if (rc != 0)
			return rc;
		n = read_more(cl, deadline_ns);
		if (n == 0)
			return cl->in_len == 0 && !*answered ? -ECONNRESET : -EBADMSG;
		if (n < 0)
			return (int)n;
		*answered = true;
	}
}

/* The body after a head of head_len bytes, decoded into out. */
static int
read_body(struct mg_http_client *cl, size_t head_len, const struct mg_http_client_response *resp,
	  char *out, size_t cap, size_t *out_len, uint64_t deadline_ns)
{
	struct mg_http_body_reader r;
	size_t pos = head_len;

	*out_len = 0;
	mg_http_body_reader_init(&r, resp, cap);
	for (;;) {
		size_t used, made;
		int rc = mg_http_body_read(&r, cl->in + pos, cl->in_len - pos, &used,
					   out + *out_len, cap - *out_len, &made);
		long n;

		pos += used;
		*out_len += made;
		if (rc == 1)
			break;
		if (rc < 0)
			return rc;
		/* Keep the head (res->head points into it); drop the body bytes decoded. */
		memmove(cl->in + head_len, cl->in + pos, cl->in_len - pos);
		cl->in_len -= pos - head_len;
		pos = head_len;
		n = read_more(cl, deadline_ns);
		if (n == 0) {
			if (mg_http_body_eof(&r) == 1)
				break;
			return -EBADMSG;
		}
		if (n < 0)
			return (int)n;
	}
	/* Bytes past the body would be an answer to a request not sent: do not reuse. */
	return pos == cl->in_len ? 0 : 1;
}

static bool
idempotent(const char *method)
{
	return strcmp(method, "POST") != 0 && strcmp(method, "PATCH") != 0;
}

/* One attempt on the current (or a new) connection. */
static int
exchange(struct mg_http_client *cl, size_t req_len, bool head_request, char *out,
	 size_t cap, struct mg_http_client_result *res, uint64_t deadline_ns, bool *answered)
{
	long w;
	int head_len, rc;

	if (cl->conn == NULL) {
		rc = mg_tcp_dial(cl->tcp, cl->addr, cl->port, deadline_ns, &cl->conn);
		if (rc != 0)
			return rc;
		mg_tcp_set_nodelay(cl->conn, true);
		cl->in_len = 0;
	}
	w = mg_tcp_write(cl->conn, cl->req, req_len, deadline_ns);
	if (w != (long)req_len)
		return w < 0 ? (int)w : -ETIMEDOUT;
	head_len = read_head(cl, head_request, &res->head, deadline_ns, answered);
	if (head_len < 0)
		return head_len;
	rc = read_body(cl, (size_t)head_len, &res->head, out, cap, &res->body_len, deadline_ns);
	if (rc < 0)
		return rc;
	if (rc == 1 || !res->head.keep_alive)
		drop_conn(cl, false);
	else
		cl->in_len = 0;
	return 0;
}

int
mg_http_client_fetch(struct mg_http_client *cl, const char *method, const char *target,
		     const char *const *headers, const void *body, size_t body_len,
		     void *out, size_t body_cap, struct mg_http_client_result *res,
		     uint64_t deadline_ns)
{
	long req_len;
	int rc = -EINVAL;

	if (cl == NULL || method == NULL || target == NULL || res == NULL ||
	    (out == NULL && body_cap > 0))
		return -EINVAL;
	req_len = mg_http_client_request(cl->req, sizeof(cl->req), method, cl->host, target,
					 headers, body, body_len);
	if (req_len < 0)
		return (int)req_len;
	memset(res, 0, sizeof(*res));
	for (int attempt = 0; attempt < 2; attempt++) {
		bool reused = cl->conn != NULL, answered = false;

		res->reused = reused;
		rc = exchange(cl, (size_t)req_len, strcmp(method, "HEAD") == 0, out, body_cap,
			      res, deadline_ns, &answered);
		if (rc == 0)
			return 0;
		drop_conn(cl, true);
		/* A kept connection the server had closed: once more on a new one. */
		if (!reused || answered || !idempotent(method) ||
		    (rc != -ECONNRESET && rc != -EPIPE))
			break;
	}
	return rc;
}
