/* SPDX-License-Identifier: ISC */
/*
 * static.c -- serving a baked kv store over HTTP: URL path to key (percent-decoded,
 * with no way out of the store), folder indexes and redirects, and the headers that let
 * the connection answer conditional and Range requests; gzip variants to clients that
 * take them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int hex_digit(char c);
static bool safe_key(const char *key, size_t len);
static bool accepts_gzip(const struct mg_http_request *req);
static int not_found(struct mg_http_response *resp);
static int redirect_to_folder(const struct mg_http_request *req,
			      struct mg_http_response *resp);

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = http_lower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

long
mg_http_path_decode(const char *in, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= len)
				return -EINVAL;
			hi = hex_digit(in[i + 1]);
			lo = hex_digit(in[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -EINVAL;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (o == cap)
			return -ENOSPC;
		out[o++] = c;
	}
	return (long)o;
}

/* No empty, "." or ".." segment, no leading '/': keys are relative and canonical.
 * A trailing '/' (a folder) is the caller's business. */
static bool
safe_key(const char *key, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		size_t n;
		if (i < len && key[i] != '/')
			continue;
		n = i - start;
		if (i < len || n > 0) {
			if (n == 0 || (n == 1 && key[start] == '.') ||
			    (n == 2 && key[start] == '.' && key[start + 1] == '.'))
				return false;
		}
		start = i + 1;
	}
	return true;
}

/* Accept-Encoding names gzip (or "*") with a q-value that is not zero. */
static bool
accepts_gzip(const struct mg_http_request *req)
{
	for (size_t i = 0; i < req->header_count; i++) {
		struct mg_http_str list = req->headers[i].value, elem;
		if (!mg_http_str_ieq(req->headers[i].name, "accept-encoding"))
			continue;
		while (mg_http_list_next(&list, &elem)) {
			struct mg_http_str coding = elem;
			const char *semi = memchr(elem.p, ';', elem.len);
			bool zero = false;
			if (semi != NULL) {
				const char *q = semi + 1;
				const char *end = elem.p + elem.len;
				coding.len = (size_t)(semi - elem.p);
				while (q < end && http_blank(*q))
					q++;
				if (end - q >= 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
					zero = true;
					for (q += 2; q < end && !http_blank(*q); q++)
						if (*q != '0' && *q != '.')
							zero = false;
				}
			}
			while (coding.len > 0 && http_blank(coding.p[coding.len - 1]))
				coding.len--;
			if (mg_http_str_ieq(coding, "gzip") || mg_http_str_ieq(coding, "x-gzip") ||
			    mg_http_str_ieq(coding, "*"))
				return !zero;
		}
	}
	return false;
}

static int
not_found(struct mg_http_response *resp)
{
	resp->status = 404;
	resp->content_type = "text/plain; charset=utf-8";
	return mg_http_resp_printf(resp, "404 Not Found\n");
}

static int
redirect_to_folder(const struct mg_http_request *req, struct mg_http_response *resp)
{
	char location[MG_KV_PATH_MAX * 3 + 16];
	int n;

	n = snprintf(location, sizeof(location), "%.*s/%s%.*s", (int)req->path.len, req->path.p,
		     req->query.len > 0 ? "?" : "", (int)req->query.len, req->query.p);
	if (n < 0 || (size_t)n >= sizeof(location))
		return not_found(resp);
	resp->status = 301;
	resp->content_type = "text/plain; charset=utf-8";
	if (mg_http_resp_header(resp, "Location", location) != 0)
		return not_found(resp);
	return mg_http_resp_printf(resp, "301 Moved Permanently\n");
}

int
mg_http_static_handler(void *arg, const struct mg_http_request *req,
		       struct mg_http_response *resp)
{
	const struct mg_http_static *st = arg;
	const char *index = st->index != NULL ? st->index : "index.html";
	size_t plen = strlen(st->prefix), ilen = strlen(index);
	char key[MG_KV_PATH_MAX + 1];
	struct mg_kv_entry e;
	long n;

	if (req->path.len + 1 == plen && memcmp(req->path.p, st->prefix, req->path.len) == 0)
		return redirect_to_folder(req, resp);	/* "/docs" mounted at "/docs/" */
	if (req->path.len < plen || memcmp(req->path.p, st->prefix, plen) != 0)
		return not_found(resp);
	n = mg_http_path_decode(req->path.p + plen, req->path.len - plen, key, sizeof(key) - 1);
	if (n < 0 || !safe_key(key, (size_t)n) || (n > 0 && key[0] == '/'))
		return not_found(resp);
	if (n == 0 || key[n - 1] == '/') {
		if ((size_t)n + ilen > MG_KV_PATH_MAX)
			return not_found(resp);
		memcpy(key + n, index, ilen);
		n += (long)ilen;
	}
	if (mg_kv_get_n(st->store, key, (size_t)n, &e) != 0) {
		if (mg_kv_is_dir(st->store, key, (size_t)n))
			return redirect_to_folder(req, resp);
		return not_found(resp);
	}
	resp->content_type = mg_http_content_type(key, (size_t)n);
	resp->mtime = e.mtime;
	resp->ranges = true;
	resp->body = e.data;
	resp->body_len = e.size;
	(void)snprintf(resp->etag, sizeof(resp->etag), "%s", e.etag);
	if (e.gz_data == NULL)
		return 0;
	if (mg_http_resp_header(resp, "Vary", "Accept-Encoding") != 0)
		return -ENOSPC;
	if (!accepts_gzip(req))
		return 0;
	/* Another representation, so another strong tag: "<hash>-gz". */
	(void)snprintf(resp->etag, sizeof(resp->etag), "%.*s-gz\"",
		       (int)strlen(e.etag) - 1, e.etag);
	resp->body = e.gz_data;
	resp->body_len = e.gz_size;
	return mg_http_resp_header(resp, "Content-Encoding", "gzip");
}
