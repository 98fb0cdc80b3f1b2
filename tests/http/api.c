/* SPDX-License-Identifier: ISC */
/*
 * api.c -- TEST ROUTES of api.h: an echo, a stream and a failure, for tests/http/curl.sh.
 * Freestanding-clean, since the integration tests link it into unikernels too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

struct stream_state {
	unsigned left, sent;
};

static int
echo_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	resp->content_type = "application/octet-stream";
	return mg_http_resp_write(resp, req->body, req->body_len);
}

/* The stream's state lives in the response's own buffer (arg), which belongs to the
 * connection: no allocation, nothing shared between connections. */
static long
stream_fill(void *arg, char *buf, size_t cap)
{
	struct stream_state st;
	int n;

	memcpy(&st, arg, sizeof(st));
	if (st.left == 0)
		return 0;
	n = snprintf(buf, cap, "line %u of the stream\n", ++st.sent);
	st.left--;
	memcpy(arg, &st, sizeof(st));
	return n < 0 || (size_t)n >= cap ? -EIO : n;
}

static int
stream_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	struct stream_state st = { 0 };
	unsigned n = 5;

	(void)arg;
	if (req->query.len > 2 && memcmp(req->query.p, "n=", 2) == 0) {
		n = 0;
		for (size_t i = 2; i < req->query.len && n < 100000; i++)
			if (req->query.p[i] >= '0' && req->query.p[i] <= '9')
				n = n * 10 + (unsigned)(req->query.p[i] - '0');
	}
	st.left = n;
	memcpy(resp->buf, &st, sizeof(st));
	resp->content_type = "text/plain; charset=utf-8";
	resp->stream = stream_fill;
	resp->stream_arg = resp->buf;
	return 0;
}

static int
fail_handler(void *arg, const struct mg_http_request *req, struct mg_http_response *resp)
{
	(void)arg;
	(void)req;
	(void)resp;
	return -EIO;
}

const struct mg_http_route website_extra_routes[] = {
	{ "/api/echo", true, MG_HTTP_POST, echo_handler, NULL },
	{ "/api/stream", true, MG_HTTP_GET, stream_handler, NULL },
	{ "/api/fail", true, 0, fail_handler, NULL },
};
const size_t website_extra_route_count =
	sizeof(website_extra_routes) / sizeof(website_extra_routes[0]);
