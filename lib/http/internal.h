/* SPDX-License-Identifier: ISC */
/*
 * internal.h -- what the files of lib/http share and nobody else needs: character
 * classes of RFC 9110 5.6, case-insensitive comparisons, and the header-field parser
 * both message parsers use.
 */
#ifndef MORGANA_LIB_HTTP_INTERNAL_H
#define MORGANA_LIB_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/http.h>

/* token characters: "!#$%&'*+-.^_`|~", digits and letters. */
static inline bool
http_is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
	case '-': case '.': case '^': case '_': case '`': case '|': case '~':
		return true;
	default:
		return false;
	}
}

static inline char
http_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static inline bool
http_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Is name a token and value free of CR and LF (so a field cannot be split)? */
bool mg_http_field_ok(const char *name, const char *value);

/* Does s equal the NUL-terminated lit, ignoring ASCII case? */
bool mg_http_str_ieq(struct mg_http_str s, const char *lit);

/* The next comma-separated element of *list, trimmed (empty elements are skipped);
 * false at the end. */
bool mg_http_list_next(struct mg_http_str *list, struct mg_http_str *elem);

/*
 * Parse the field lines in buf[start..end) (end just past the empty line's LF) into
 * headers (at most max). Returns the count, or -EBADMSG with *status 400 (syntax) or 431
 * (too many) and *why set.
 */
long mg_http_parse_fields(const char *buf, size_t start, size_t end,
			  struct mg_http_header *headers, size_t max, int *status,
			  const char **why);

/*
 * Find the end of a head whose first line starts at from: the offset just past the
 * empty line, or 0 if it is not in buf[0..len) yet.
 */
size_t mg_http_head_end(const char *buf, size_t len, size_t from);

/*
 * Content-Length: the value of every such field, each possibly a list of equal numbers
 * ("5, 5"); all must agree. Returns 1 with *length set, 0 if there is none, -EBADMSG
 * if malformed or conflicting.
 */
int mg_http_content_length(const struct mg_http_header *headers, size_t count,
			   uint64_t *length);

#endif /* MORGANA_LIB_HTTP_INTERNAL_H */
