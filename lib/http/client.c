/* SPDX-License-Identifier: ISC */
/*
 * client.c -- the client side of HTTP/1.1 without a transport: writing requests,
 * parsing response heads, and reading bodies framed by Content-Length, chunking or the
 * connection's close (RFC 9112 6.3).
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

static bool clean(const char *s);

/* Printable ASCII only: nothing that could end a line or a field early. */
static bool
clean(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

long
mg_http_client_request(char *buf, size_t cap, const char *method, const char *host,
		       const char *target, const char *const *headers, const void *body,
		       size_t body_len)
{
	struct mg_http_writer w;

	if (method == NULL || *method == '\0' || host == NULL || !clean(host) ||
	    target == NULL || *target == '\0' || strchr(target, ' ') != NULL || !clean(target))
		return -EINVAL;
	for (const char *m = method; *m != '\0'; m++)
		if (!http_is_tchar((unsigned char)*m))
			return -EINVAL;
	mg_http_writer_init(&w, buf, cap);
	mg_http_write_fmt(&w, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host);
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		const char *colon = strchr(headers[i], ':');
		if (colon == NULL || colon == headers[i] || !clean(headers[i]))
			return -EINVAL;
		for (const char *p = headers[i]; p < colon; p++)
			if (!http_is_tchar((unsigned char)*p))
				return -EINVAL;
		mg_http_write_fmt(&w, "%s\r\n", headers[i]);
	}
	if (body != NULL)
		mg_http_write_fmt(&w, "Content-Length: %zu\r\n", body_len);
	mg_http_write_bytes(&w, "\r\n", 2);
	if (body != NULL)
		mg_http_write_bytes(&w, body, body_len);
	return w.overflow ? -ENOSPC : (long)w.len;
}

int
mg_http_parse_response(const char *buf, size_t len, const struct mg_http_limits *lim,
		       bool request_was_head, struct mg_http_client_response *resp)
{
	const struct mg_http_str *te;
	struct mg_http_str list, elem, last = { NULL, 0 };
	const char *nl, *p;
	size_t line, end;
	long count;
	int status;
	const char *why;
	int rc;

	memset(resp, 0, sizeof(*resp));
	nl = memchr(buf, '\n', len);
	if (nl == NULL)
		return len > lim->head_max ? -EBADMSG : 0;
	line = (size_t)(nl - buf);
	if (line > 0 && buf[line - 1] == '\r')
		line--;
	/* "HTTP/1.1 200 OK": version, SP, three digits, SP, reason (possibly empty) */
	if (line < 12 || memcmp(buf, "HTTP/", 5) != 0 || buf[6] != '.' || buf[8] != ' ' ||
	    buf[5] < '0' || buf[5] > '9' || buf[7] < '0' || buf[7] > '9')
		return -EBADMSG;
	if (buf[5] != '1')
		return -ENOTSUP;
	resp->version_minor = buf[7] - '0';
	p = buf + 9;
	if (p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
	    (line > 12 && p[3] != ' '))
		return -EBADMSG;
	resp->status = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	resp->reason.p = line > 12 ? p + 4 : p + 3;
	resp->reason.len = line > 12 ? line - 13 : 0;
	for (size_t i = 0; i < resp->reason.len; i++)
		if ((unsigned char)resp->reason.p[i] < 0x20 && resp->reason.p[i] != '\t')
			return -EBADMSG;
	end = mg_http_head_end(buf, len, (size_t)(nl - buf) + 1);
	if (end == 0)
		return len > lim->head_max ? -EBADMSG : 0;
	if (end > lim->head_max)
		return -EBADMSG;
	count = mg_http_parse_fields(buf, (size_t)(nl - buf) + 1, end, resp->headers,
				     lim->header_count_max < MG_HTTP_HEADERS_MAX
					     ? lim->header_count_max
					     : MG_HTTP_HEADERS_MAX,
				     &status, &why);
	if (count < 0)
		return -EBADMSG;
	resp->header_count = (size_t)count;
	if (resp->version_minor >= 1)
		resp->keep_alive = !mg_http_header_has_token(resp->headers, resp->header_count,
							     "connection", "close");
	else
		resp->keep_alive = mg_http_header_has_token(resp->headers, resp->header_count,
							    "connection", "keep-alive");
	if (request_was_head || resp->status < 200 || resp->status == 204 ||
	    resp->status == 304) {
		resp->body_kind = MG_HTTP_BODY_NONE;
		return (int)end;
	}
	if ((te = mg_http_header_get(resp->headers, resp->header_count,
				     "transfer-encoding")) != NULL) {
		for (size_t i = 0; i < resp->header_count; i++) {
			if (!mg_http_str_ieq(resp->headers[i].name, "transfer-encoding"))
				continue;
			list = resp->headers[i].value;
			while (mg_http_list_next(&list, &elem))
				last = elem;
		}
		/* chunked last: chunked; anything else: read until close, and no reuse. */
		if (last.p != NULL && mg_http_str_ieq(last, "chunked")) {
			resp->body_kind = MG_HTTP_BODY_CHUNKED;
		} else {
			resp->body_kind = MG_HTTP_BODY_CLOSE;
			resp->keep_alive = false;
		}
		return (int)end;
	}
	rc = mg_http_content_length(resp->headers, resp->header_count, &resp->content_length);
	if (rc < 0)
		return -EBADMSG;
	if (rc == 1) {
		resp->body_kind = MG_HTTP_BODY_LENGTH;
	} else {
		resp->body_kind = MG_HTTP_BODY_CLOSE;
		resp->keep_alive = false;
	}
	return (int)end;
}

void
mg_http_body_reader_init(struct mg_http_body_reader *r,
			 const struct mg_http_client_response *resp, uint64_t max)
{
	memset(r, 0, sizeof(*r));
	r->kind = resp->body_kind;
	r->left = resp->content_length;
	mg_http_chunked_init(&r->chunked, max);
	r->done = r->kind == MG_HTTP_BODY_NONE ||
		  (r->kind == MG_HTTP_BODY_LENGTH && r->left == 0);
	if (r->kind == MG_HTTP_BODY_LENGTH && r->left > max)
		r->kind = MG_HTTP_BODY_NONE, r->done = false, r->left = UINT64_MAX;
}

int
mg_http_body_read(struct mg_http_body_reader *r, const char *in, size_t in_len,
		  size_t *in_used, char *out, size_t out_cap, size_t *out_len)
{
	size_t n;
	int rc;

	*in_used = 0;
	*out_len = 0;
	if (r->done)
		return 1;
	switch (r->kind) {
	case MG_HTTP_BODY_CHUNKED:
		rc = mg_http_chunked_decode(&r->chunked, in, in_len, in_used, out, out_cap,
					    out_len);
		if (rc == 1)
			r->done = true;
		return rc;
	case MG_HTTP_BODY_LENGTH:
	case MG_HTTP_BODY_CLOSE:
		n = in_len < out_cap ? in_len : out_cap;
		if (r->kind == MG_HTTP_BODY_LENGTH && n > r->left)
			n = (size_t)r->left;
		if (r->kind == MG_HTTP_BODY_CLOSE && n > r->chunked.max - r->chunked.total)
			return -EFBIG;
		memmove(out, in, n);
		*in_used = *out_len = n;
		if (r->kind == MG_HTTP_BODY_CLOSE) {
			r->chunked.total += n;
			return 0;
		}
		r->left -= n;
		if (r->left == 0)
			r->done = true;
		return r->done ? 1 : 0;
	default:
		/* A Content-Length above max. */
		return -EFBIG;
	}
}

int
mg_http_body_eof(struct mg_http_body_reader *r)
{
	if (r->done)
		return 1;
	if (r->kind == MG_HTTP_BODY_CLOSE) {
		r->done = true;
		return 1;
	}
	return -EBADMSG;
}
