/* SPDX-License-Identifier: ISC */
/*
 * cond.c -- conditional requests (RFC 9110 13) and byte ranges (RFC 9110 14): pure
 * functions of a request and a representation's validators and size.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

#define RANGES_MAX 64u	/* ranges read from one Range field; more: ignore it */

struct etag {
	bool weak;
	struct mg_http_str opaque;	/* with its quotes */
};

static bool parse_etag(struct mg_http_str s, struct etag *out);
static bool parse_u64(const char *p, size_t len, uint64_t *v);

/* entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE */
static bool
parse_etag(struct mg_http_str s, struct etag *out)
{
	out->weak = s.len >= 2 && s.p[0] == 'W' && s.p[1] == '/';
	if (out->weak) {
		s.p += 2;
		s.len -= 2;
	}
	if (s.len < 2 || s.p[0] != '"' || s.p[s.len - 1] != '"')
		return false;
	for (size_t i = 1; i + 1 < s.len; i++)
		if (s.p[i] == '"')
			return false;
	out->opaque = s;
	return true;
}

bool
mg_http_etag_match(const struct mg_http_str *list, const char *etag, bool weak)
{
	struct mg_http_str l, elem;
	struct etag ours, theirs;

	if (list == NULL || etag == NULL ||
	    !parse_etag((struct mg_http_str){ etag, strlen(etag) }, &ours))
		return false;
	l = *list;
	if (l.len == 1 && l.p[0] == '*')
		return true;
	while (mg_http_list_next(&l, &elem)) {
		if (!parse_etag(elem, &theirs))
			continue;
		if (!weak && (theirs.weak || ours.weak))
			continue;
		if (theirs.opaque.len == ours.opaque.len &&
		    memcmp(theirs.opaque.p, ours.opaque.p, ours.opaque.len) == 0)
			return true;
	}
	return false;
}

int
mg_http_preconditions(const struct mg_http_request *req, const char *etag, int64_t mtime)
{
	const struct mg_http_header *h = req->headers;
	size_t n = req->header_count;
	const struct mg_http_str *v;
	bool get_or_head = req->method == MG_HTTP_GET || req->method == MG_HTTP_HEAD;
	int64_t t;

	if ((v = mg_http_header_get(h, n, "if-match")) != NULL) {
		if (!mg_http_etag_match(v, etag, false))
			return 412;
	} else if ((v = mg_http_header_get(h, n, "if-unmodified-since")) != NULL &&
		   mtime >= 0 && mg_http_date_parse(v->p, v->len, &t) == 0 && mtime > t) {
		return 412;
	}
	if ((v = mg_http_header_get(h, n, "if-none-match")) != NULL) {
		if (mg_http_etag_match(v, etag, true))
			return get_or_head ? 304 : 412;
	} else if (get_or_head && (v = mg_http_header_get(h, n, "if-modified-since")) != NULL &&
		   mtime >= 0 && mg_http_date_parse(v->p, v->len, &t) == 0 && mtime <= t) {
		return 304;
	}
	return 200;
}

bool
mg_http_if_range(const struct mg_http_request *req, const char *etag, int64_t mtime)
{
	const struct mg_http_str *v = mg_http_header_get(req->headers, req->header_count,
							   "if-range");
	int64_t t;

	if (v == NULL)
		return true;
	if (v->len > 0 && (v->p[0] == '"' || (v->len > 1 && v->p[0] == 'W' && v->p[1] == '/')))
		return mg_http_etag_match(v, etag, false);
	return mtime >= 0 && mg_http_date_parse(v->p, v->len, &t) == 0 && t == mtime;
}

static bool
parse_u64(const char *p, size_t len, uint64_t *v)
{
	*v = 0;
	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (uint64_t)(p[i] - '0');
	}
	return true;
}

enum mg_http_range_kind
mg_http_range_parse(const struct mg_http_str *value, uint64_t size, uint64_t *first,
		    uint64_t *last)
{
	struct mg_http_str list, elem;
	size_t ranges = 0, satisfiable = 0;

	if (value == NULL || value->len < 6 ||
	    !mg_http_str_ieq((struct mg_http_str){ value->p, 6 }, "bytes="))
		return MG_HTTP_RANGE_NONE;
	list.p = value->p + 6;
	list.len = value->len - 6;
	while (mg_http_list_next(&list, &elem)) {
		const char *dash = memchr(elem.p, '-', elem.len);
		size_t before, after;
		uint64_t a, b;

		if (dash == NULL || ++ranges > RANGES_MAX)
			return MG_HTTP_RANGE_NONE;
		before = (size_t)(dash - elem.p);
		after = elem.len - before - 1;
		if (before == 0) {
			/* suffix: the last b bytes */
			if (!parse_u64(dash + 1, after, &b))
				return MG_HTTP_RANGE_NONE;
			if (b == 0 || size == 0)
				continue;
			a = b >= size ? 0 : size - b;
			b = size - 1;
		} else {
			if (!parse_u64(elem.p, before, &a))
				return MG_HTTP_RANGE_NONE;
			if (after == 0)
				b = UINT64_MAX;
			else if (!parse_u64(dash + 1, after, &b) || b < a)
				return MG_HTTP_RANGE_NONE;
			if (a >= size)
				continue;
			if (b >= size)
				b = size - 1;
		}
		if (satisfiable++ == 0) {
			*first = a;
			*last = b;
		}
	}
	if (ranges == 0)
		return MG_HTTP_RANGE_NONE;
	if (satisfiable == 0)
		return MG_HTTP_RANGE_UNSATISFIABLE;
	return satisfiable == 1 ? MG_HTTP_RANGE_ONE : MG_HTTP_RANGE_MULTI;
}
