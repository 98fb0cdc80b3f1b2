/* SPDX-License-Identifier: ISC */
/*
 * parse.c -- the request parser (RFC 9112 sections 2 to 6) and the field-line parser
 * it shares with the response parser. Pure: bytes in, struct mg_http_request out.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

const struct mg_http_limits mg_http_default_limits = {
	.request_line_max = 8192,
	.head_max = 16384,
	.header_count_max = MG_HTTP_HEADERS_MAX,
	.body_max = 16384,
};

static int refuse(struct mg_http_request *req, int status, const char *why);
static size_t skip_empty_lines(const char *buf, size_t len, bool *need_more);
static enum mg_http_method method_of(struct mg_http_str name);
static int split_target(struct mg_http_request *req);
static int parse_request_line(struct mg_http_request *req, const char *line, size_t len);
static int apply_fields(struct mg_http_request *req, const struct mg_http_limits *lim);

static int
refuse(struct mg_http_request *req, int status, const char *why)
{
	req->error_status = status;
	req->error_reason = why;
	return -EBADMSG;
}

bool
mg_http_str_ieq(struct mg_http_str s, const char *lit)
{
	size_t n = strlen(lit);

	if (s.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (http_lower(s.p[i]) != http_lower(lit[i]))
			return false;
	return true;
}

bool
mg_http_list_next(struct mg_http_str *list, struct mg_http_str *elem)
{
	while (list->len > 0) {
		size_t n = 0;
		while (n < list->len && list->p[n] != ',')
			n++;
		elem->p = list->p;
		elem->len = n;
		list->p += n < list->len ? n + 1 : n;
		list->len -= n < list->len ? n + 1 : n;
		while (elem->len > 0 && http_blank(elem->p[0])) {
			elem->p++;
			elem->len--;
		}
		while (elem->len > 0 && http_blank(elem->p[elem->len - 1]))
			elem->len--;
		if (elem->len > 0)
			return true;
	}
	return false;
}

size_t
mg_http_head_end(const char *buf, size_t len, size_t from)
{
	size_t line = from;

	for (;;) {
		const char *nl = memchr(buf + line, '\n', len - line);
		size_t n;

		if (nl == NULL)
			return 0;
		n = (size_t)(nl - (buf + line));
		if (n == 0 || (n == 1 && buf[line] == '\r'))
			return line + n + 1;
		line += n + 1;
	}
}

long
mg_http_parse_fields(const char *buf, size_t start, size_t end,
		     struct mg_http_header *headers, size_t max, int *status, const char **why)
{
	size_t pos = start, count = 0;

	*status = 400;
	for (;;) {
		const char *line = buf + pos, *nl = memchr(line, '\n', end - pos);
		size_t n, colon;
		struct mg_http_header *h;

		if (nl == NULL)
			return *why = "field line without an end", -EBADMSG;
		n = (size_t)(nl - line);
		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			return (long)count;
		if (http_blank(line[0]))
			return *why = "obsolete line folding", -EBADMSG;
		for (colon = 0; colon < n && http_is_tchar((unsigned char)line[colon]); colon++)
			continue;
		if (colon == 0 || colon == n || line[colon] != ':')
			return *why = colon < n && http_blank(line[colon])
				       ? "whitespace before a field's colon"
				       : "bad field name", -EBADMSG;
		if (count == max) {
			*status = 431;
			return *why = "too many header fields", -EBADMSG;
		}
		h = &headers[count++];
		h->name.p = line;
		h->name.len = colon;
		h->value.p = line + colon + 1;
		h->value.len = n - colon - 1;
		for (size_t i = 0; i < h->value.len; i++) {
			unsigned char c = (unsigned char)h->value.p[i];
			/* VCHAR, obs-text, SP and HTAB; a CR here is a bare CR. */
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return *why = "control character in a field value", -EBADMSG;
		}
		while (h->value.len > 0 && http_blank(h->value.p[0])) {
			h->value.p++;
			h->value.len--;
		}
		while (h->value.len > 0 && http_blank(h->value.p[h->value.len - 1]))
			h->value.len--;
	}
}

const struct mg_http_str *
mg_http_header_get(const struct mg_http_header *headers, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (mg_http_str_ieq(headers[i].name, name))
			return &headers[i].value;
	return NULL;
}

bool
mg_http_header_has_token(const struct mg_http_header *headers, size_t count,
			 const char *name, const char *token)
{
	for (size_t i = 0; i < count; i++) {
		struct mg_http_str list = headers[i].value, elem;
		if (!mg_http_str_ieq(headers[i].name, name))
			continue;
		while (mg_http_list_next(&list, &elem))
			if (mg_http_str_ieq(elem, token))
				return true;
	}
	return false;
}

int
mg_http_content_length(const struct mg_http_header *headers, size_t count, uint64_t *length)
{
	bool seen = false;

	for (size_t i = 0; i < count; i++) {
		struct mg_http_str list = headers[i].value, elem;
		bool any = false;

		if (!mg_http_str_ieq(headers[i].name, "content-length"))
			continue;
		while (mg_http_list_next(&list, &elem)) {
			uint64_t v = 0;
			any = true;
			for (size_t k = 0; k < elem.len; k++) {
				unsigned d = (unsigned char)elem.p[k] - '0';
				if (d > 9 || v > (UINT64_MAX - d) / 10)
					return -EBADMSG;
				v = v * 10 + d;
			}
			if (seen && v != *length)
				return -EBADMSG;
			*length = v;
			seen = true;
		}
		if (!any)
			return -EBADMSG;
	}
	return seen ? 1 : 0;
}

/* RFC 9112 2.2: a server SHOULD ignore at least one empty line before a request. */
static size_t
skip_empty_lines(const char *buf, size_t len, bool *need_more)
{
	size_t pos = 0;

	*need_more = false;
	for (int i = 0; i < 2; i++) {
		if (pos < len && buf[pos] == '\n') {
			pos++;
		} else if (pos < len && buf[pos] == '\r') {
			if (pos + 1 == len) {
				*need_more = true;
				return pos;
			}
			if (buf[pos + 1] != '\n')
				return pos;
			pos += 2;
		}
	}
	return pos;
}

static enum mg_http_method
method_of(struct mg_http_str name)
{
	static const struct {
		const char *name;
		enum mg_http_method method;
	} methods[] = {
		{ "GET", MG_HTTP_GET }, { "HEAD", MG_HTTP_HEAD }, { "POST", MG_HTTP_POST },
		{ "PUT", MG_HTTP_PUT }, { "DELETE", MG_HTTP_DELETE },
		{ "OPTIONS", MG_HTTP_OPTIONS }, { "PATCH", MG_HTTP_PATCH },
	};

	/* Methods are case-sensitive (RFC 9110 9.1). */
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strlen(methods[i].name) == name.len &&
		    memcmp(methods[i].name, name.p, name.len) == 0)
			return methods[i].method;
	return MG_HTTP_OTHER;
}

/* origin-form, absolute-form (http/https) or "*" for OPTIONS (RFC 9112 3.2). */
static int
split_target(struct mg_http_request *req)
{
	struct mg_http_str t = req->target;
	const char *q;

	if (t.len == 1 && t.p[0] == '*') {
		if (req->method != MG_HTTP_OPTIONS)
			return refuse(req, 400, "'*' target outside OPTIONS");
		req->path = t;
		return 0;
	}
	if (t.p[0] != '/') {
		struct mg_http_str scheme = { t.p, 0 };
		size_t i;
		while (scheme.len < t.len && t.p[scheme.len] != ':')
			scheme.len++;
		if ((!mg_http_str_ieq(scheme, "http") && !mg_http_str_ieq(scheme, "https")) ||
		    t.len < scheme.len + 3 || memcmp(t.p + scheme.len, "://", 3) != 0)
			return refuse(req, 400, "bad request target");
		i = scheme.len + 3;
		req->host.p = t.p + i;
		while (i < t.len && t.p[i] != '/' && t.p[i] != '?')
			i++;
		req->host.len = (size_t)(t.p + i - req->host.p);
		if (req->host.len == 0)
			return refuse(req, 400, "absolute target without a host");
		t.p += i;
		t.len -= i;
		if (t.len == 0 || t.p[0] == '?') {
			/* An empty path is "/" (RFC 9112 3.2.2). */
			req->path.p = "/";
			req->path.len = 1;
			req->query.p = t.len > 0 ? t.p + 1 : t.p;
			req->query.len = t.len > 0 ? t.len - 1 : 0;
			return 0;
		}
	}
	q = memchr(t.p, '?', t.len);
	req->path.p = t.p;
	req->path.len = q != NULL ? (size_t)(q - t.p) : t.len;
	req->query.p = q != NULL ? q + 1 : t.p + t.len;
	req->query.len = q != NULL ? t.len - req->path.len - 1 : 0;
	return 0;
}

static int
parse_request_line(struct mg_http_request *req, const char *line, size_t len)
{
	size_t i = 0, start;
	const char *v;

	while (i < len && http_is_tchar((unsigned char)line[i]))
		i++;
	if (i == 0 || i == len || line[i] != ' ')
		return refuse(req, 400, "bad method");
	req->method_name.p = line;
	req->method_name.len = i;
	req->method = method_of(req->method_name);
	start = ++i;
	while (i < len && (unsigned char)line[i] > 0x20 && (unsigned char)line[i] < 0x7f)
		i++;
	if (i == start || i == len || line[i] != ' ')
		return refuse(req, 400, "bad request target");
	req->target.p = line + start;
	req->target.len = i - start;
	v = line + i + 1;
	if (len - i - 1 != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' ||
	    v[6] != '.' || v[7] < '0' || v[7] > '9')
		return refuse(req, 400, "bad HTTP version");
	if (v[5] != '1')
		return refuse(req, 505, "HTTP major version is not 1");
	req->version_minor = v[7] - '0';
	if (req->version_minor > 1)
		req->version_minor = 1;
	return split_target(req);
}

static int
apply_fields(struct mg_http_request *req, const struct mg_http_limits *lim)
{
	const struct mg_http_header *h = req->headers;
	size_t n = req->header_count, hosts = 0;
	const struct mg_http_str *te, *expect;
	struct mg_http_str list, elem, last = { NULL, 0 };
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (!mg_http_str_ieq(h[i].name, "host"))
			continue;
		if (hosts++ > 0)
			return refuse(req, 400, "more than one Host");
		/* The absolute-form's authority wins over the field (RFC 9112 3.2.2). */
		if (req->host.p == NULL)
			req->host = h[i].value;
	}
	if (hosts == 0 && req->version_minor == 1)
		return refuse(req, 400, "HTTP/1.1 request without Host");
	rc = mg_http_content_length(h, n, &req->content_length);
	if (rc < 0)
		return refuse(req, 400, "bad or conflicting Content-Length");
	req->has_length = rc == 1;
	if ((te = mg_http_header_get(h, n, "transfer-encoding")) != NULL) {
		if (req->has_length)
			return refuse(req, 400, "both Content-Length and Transfer-Encoding");
		if (req->version_minor == 0)
			return refuse(req, 400, "Transfer-Encoding in an HTTP/1.0 request");
		for (size_t i = 0; i < n; i++) {
			if (!mg_http_str_ieq(h[i].name, "transfer-encoding"))
				continue;
			list = h[i].value;
			while (mg_http_list_next(&list, &elem)) {
				if (last.p != NULL && mg_http_str_ieq(last, "chunked"))
					return refuse(req, 400, "chunked is not the last coding");
				last = elem;
			}
		}
		if (last.p == NULL)
			return refuse(req, 400, "empty Transfer-Encoding");
		if (!mg_http_str_ieq(last, "chunked"))
			return refuse(req, 501, "transfer coding not implemented");
		/* chunked after other codings ("gzip, chunked"): we decode none of them. */
		list = *te;
		if (mg_http_list_next(&list, &elem) && !mg_http_str_ieq(elem, "chunked"))
			return refuse(req, 501, "transfer coding not implemented");
		req->chunked = true;
	}
	if (req->has_length && req->content_length > lim->body_max)
		return refuse(req, 413, "Content-Length above the limit");
	if ((expect = mg_http_header_get(h, n, "expect")) != NULL) {
		if (!mg_http_str_ieq(*expect, "100-continue"))
			return refuse(req, 417, "unknown expectation");
		req->expect_continue = req->version_minor == 1;
	}
	if (req->version_minor == 1)
		req->keep_alive = !mg_http_header_has_token(h, n, "connection", "close");
	else
		req->keep_alive = mg_http_header_has_token(h, n, "connection", "keep-alive");
	if (req->method == MG_HTTP_OTHER)
		return refuse(req, 501, "method not implemented");
	return 0;
}

int
mg_http_parse_request(const char *buf, size_t len, const struct mg_http_limits *lim,
		      struct mg_http_request *req)
{
	const char *nl;
	size_t start, line_len, end;
	bool need_more;
	long count;
	int rc;

	memset(req, 0, sizeof(*req));
	start = skip_empty_lines(buf, len, &need_more);
	if (need_more)
		return 0;
	nl = memchr(buf + start, '\n', len - start);
	if (nl == NULL) {
		if (len - start > lim->request_line_max + 1)
			return refuse(req, 414, "request line too long");
		return 0;
	}
	line_len = (size_t)(nl - (buf + start));
	if (line_len > 0 && buf[start + line_len - 1] == '\r')
		line_len--;
	if (line_len > lim->request_line_max)
		return refuse(req, 414, "request line too long");
	if ((rc = parse_request_line(req, buf + start, line_len)) != 0)
		return rc;
	end = mg_http_head_end(buf, len, (size_t)(nl - buf) + 1);
	if (end == 0)
		return len - start > lim->head_max ? refuse(req, 431, "request head too large")
						   : 0;
	if (end - start > lim->head_max)
		return refuse(req, 431, "request head too large");
	count = mg_http_parse_fields(buf, (size_t)(nl - buf) + 1, end, req->headers,
				     lim->header_count_max < MG_HTTP_HEADERS_MAX
					     ? lim->header_count_max
					     : MG_HTTP_HEADERS_MAX,
				     &req->error_status, &req->error_reason);
	if (count < 0)
		return (int)count;
	req->error_status = 0;
	req->header_count = (size_t)count;
	if ((rc = apply_fields(req, lim)) != 0)
		return rc;
	return (int)end;
}
