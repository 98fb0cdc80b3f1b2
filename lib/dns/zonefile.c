/* SPDX-License-Identifier: ISC */
/*
 * Zone files (RFC 1035 section 5) parsed from memory: a lexer that turns the text into
 * entries (one logical line each, parentheses joining lines), and the entry parser for
 * $ORIGIN, $TTL and resource records. Errors say FILE:LINE: what is wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/dns.h>

#include "dns_int.h"

#define ENTRY_TOKENS_MAX 1024	/* tokens in one entry: a long TXT, a big \# blob */

struct lexer {
	const char *text;
	size_t len, pos;
	unsigned line;
};

struct entry {
	struct dns_token tok[ENTRY_TOKENS_MAX];
	size_t ntok;
	bool indented;	/* began with blank space: the owner is the previous one */
	unsigned line;	/* where it began */
};

struct parser {
	const char *file;
	uint8_t origin[MG_DNS_NAME_MAX];
	uint8_t owner[MG_DNS_NAME_MAX];
	bool have_owner, have_ttl, have_default_ttl;
	uint32_t default_ttl, last_ttl;
	struct mg_dns_zone *zone;
	char *err;
	size_t err_cap;
	struct entry e;
	uint8_t rdata[MG_DNS_TCP_MAX];
};

static int
fail(struct parser *p, unsigned line, const char *what, const char *detail)
{
	snprintf(p->err, p->err_cap, "%s:%u: %s%s%s", p->file, line, what,
		 detail ? ": " : "", detail ? detail : "");
	return -EINVAL;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool
delimiter(char c)
{
	return blank(c) || c == '\n' || c == '(' || c == ')' || c == ';' || c == '"';
}

/*
 * Read the next entry into p->e. Returns 1 with an entry, 0 at the end of the text,
 * <0 on a lexical error.
 */
static int
next_entry(struct parser *p, struct lexer *lx)
{
	struct entry *e = &p->e;
	unsigned depth = 0, open_line = 0;
	bool at_line_start = true;

	e->ntok = 0;
	e->indented = false;
	while (lx->pos < lx->len) {
		char c = lx->text[lx->pos];
		if (c == '\n') {
			lx->pos++;
			lx->line++;
			if (depth == 0 && e->ntok > 0)
				return 1;
			at_line_start = depth == 0;
			continue;
		}
		if (blank(c)) {
			if (at_line_start && depth == 0 && e->ntok == 0)
				e->indented = true;
			at_line_start = false;
			lx->pos++;
			continue;
		}
		if (at_line_start && depth == 0 && e->ntok == 0)
			e->indented = false;
		at_line_start = false;
		if (c == ';') {
			while (lx->pos < lx->len && lx->text[lx->pos] != '\n')
				lx->pos++;
			continue;
		}
		if (c == '(') {
			if (depth++ == 0)
				open_line = lx->line;
			lx->pos++;
			continue;
		}
		if (c == ')') {
			if (depth == 0)
				return fail(p, lx->line, "')' without '('", NULL);
			depth--;
			lx->pos++;
			continue;
		}
		if (e->ntok == ENTRY_TOKENS_MAX)
			return fail(p, lx->line, "too many fields in one entry", NULL);
		if (e->ntok == 0)
			e->line = lx->line;
		struct dns_token *t = &e->tok[e->ntok++];
		if (c == '"') {
			size_t start = ++lx->pos;
			while (lx->pos < lx->len && lx->text[lx->pos] != '"') {
				if (lx->text[lx->pos] == '\n')
					return fail(p, lx->line, "unterminated quoted string", NULL);
				lx->pos += lx->text[lx->pos] == '\\' && lx->pos + 1 < lx->len ? 2 : 1;
			}
			if (lx->pos >= lx->len)
				return fail(p, lx->line, "unterminated quoted string", NULL);
			*t = (struct dns_token){ lx->text + start, lx->pos - start, true };
			lx->pos++;
			continue;
		}
		size_t start = lx->pos;
		while (lx->pos < lx->len && !delimiter(lx->text[lx->pos])) {
			if (lx->text[lx->pos] == '\\' && lx->pos + 1 < lx->len &&
			    lx->text[lx->pos + 1] != '\n')
				lx->pos++;
			lx->pos++;
		}
		*t = (struct dns_token){ lx->text + start, lx->pos - start, false };
	}
	if (depth > 0)
		return fail(p, open_line, "'(' is never closed", NULL);
	return e->ntok > 0;
}

static bool
tok_is(const struct dns_token *t, const char *word)
{
	size_t n = strlen(word);

	if (t->quoted || t->len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (dns_lower((uint8_t)t->text[i]) != dns_lower((uint8_t)word[i]))
			return false;
	return true;
}

static int
name_tok(struct parser *p, const struct dns_token *t, uint8_t out[MG_DNS_NAME_MAX])
{
	size_t len;

	if (t->quoted)
		return -EINVAL;
	if (t->len == 1 && t->text[0] == '@') {
		memcpy(out, p->origin, (size_t)mg_dns_name_len(p->origin, MG_DNS_NAME_MAX));
		return 0;
	}
	return mg_dns_name_from_text(t->text, t->len, p->origin, out, &len);
}

static int
directive(struct parser *p)
{
	const struct entry *e = &p->e;
	const struct dns_token *t = &e->tok[0];
	uint8_t name[MG_DNS_NAME_MAX];

	if (tok_is(t, "$ORIGIN")) {
		if (e->ntok != 2 || name_tok(p, &e->tok[1], name))
			return fail(p, e->line, "$ORIGIN needs one domain name", NULL);
		memcpy(p->origin, name, (size_t)mg_dns_name_len(name, MG_DNS_NAME_MAX));
		return 0;
	}
	if (tok_is(t, "$TTL")) {
		if (e->ntok != 2 || e->tok[1].quoted ||
		    mg_dns_ttl_from_text(e->tok[1].text, e->tok[1].len, &p->default_ttl))
			return fail(p, e->line, "$TTL needs one TTL (e.g. 3600 or 1h30m)", NULL);
		p->have_default_ttl = true;
		return 0;
	}
	if (tok_is(t, "$INCLUDE"))
		return fail(p, e->line, "$INCLUDE is not supported",
			    "a zone is parsed from one buffer; merge the files");
	return fail(p, e->line, "unknown directive", NULL);
}

static bool
is_ttl(const struct dns_token *t)
{
	return !t->quoted && t->len > 0 && t->text[0] >= '0' && t->text[0] <= '9';
}

static bool
is_class(const struct dns_token *t)
{
	static const char *const classes[] = { "IN", "CH", "CS", "HS", "NONE", "ANY" };

	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (tok_is(t, classes[i]))
			return true;
	return !t->quoted && t->len > 5 && tok_is(&(struct dns_token){ t->text, 5, false },
						   "CLASS");
}

static int
record(struct parser *p)
{
	const struct entry *e = &p->e;
	size_t k = 0, rdlen;
	bool have_ttl = false, have_class = false;
	uint32_t ttl = 0;
	uint16_t type;
	char why[128];

	if (!e->indented) {
		if (name_tok(p, &e->tok[0], p->owner))
			return fail(p, e->line, "bad owner name", NULL);
		p->have_owner = true;
		k = 1;
	} else if (!p->have_owner) {
		return fail(p, e->line, "no owner name, and no previous record to take it from",
			    NULL);
	}
	/* TTL and class, in either order, each at most once. */
	for (; k < e->ntok; k++) {
		const struct dns_token *t = &e->tok[k];
		if (!have_ttl && is_ttl(t)) {
			if (mg_dns_ttl_from_text(t->text, t->len, &ttl))
				return fail(p, e->line, "bad TTL", NULL);
			have_ttl = true;
		} else if (!have_class && is_class(t)) {
			if (!tok_is(t, "IN") && !tok_is(t, "CLASS1"))
				return fail(p, e->line, "class not supported (only IN)", NULL);
			have_class = true;
		} else {
			break;
		}
	}
	if (k == e->ntok)
		return fail(p, e->line, "missing type", NULL);
	if (e->tok[k].quoted || mg_dns_type_from_text(e->tok[k].text, e->tok[k].len, &type))
		return fail(p, e->line, "unknown type", NULL);
	k++;
	if (!have_ttl) {
		if (p->have_default_ttl)
			ttl = p->default_ttl;
		else if (p->have_ttl)
			ttl = p->last_ttl;	/* RFC 1035 5.1: the last one stated */
		else
			return fail(p, e->line, "no TTL, and no $TTL before", NULL);
	} else {
		p->last_ttl = ttl;
		p->have_ttl = true;
	}
	if (mg_dns_rdata_from_text(type, e->tok + k, e->ntok - k, p->origin, p->rdata,
				sizeof p->rdata, &rdlen, why, sizeof why))
		return fail(p, e->line, why, NULL);
	int rc = mg_dns_zone_add(p->zone, p->owner, type, ttl, p->rdata, rdlen, e->line, why,
				 sizeof why);
	if (rc) {
		/* zone_add prefixes its messages with the line. */
		snprintf(p->err, p->err_cap, "%s:%s", p->file, why);
		return rc;
	}
	return 0;
}

int
mg_dns_zone_parse(const char *file, const char *text, size_t len, const char *origin,
		  struct mg_dns_zone **zone, char *err, size_t err_cap)
{
	static const char nomem[] = "out of memory";
	struct lexer lx = { text, len, 0, 1 };
	struct parser *p;
	size_t olen;
	int rc;

	if (err_cap)
		err[0] = 0;
	*zone = NULL;
	/* The parser holds a full RDATA buffer: keep it off the (small) stack. */
	p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, err_cap, "%s: %s", file, nomem);
		return -ENOMEM;
	}
	p->file = file;
	p->err = err;
	p->err_cap = err_cap;
	if (mg_dns_name_from_text(origin, strlen(origin), NULL, p->origin, &olen)) {
		snprintf(err, err_cap, "%s: origin '%s' is not an absolute domain name", file,
			 origin);
		rc = -EINVAL;
		goto out;
	}
	if ((rc = mg_dns_zone_new(p->origin, &p->zone))) {
		snprintf(err, err_cap, "%s: %s", file, nomem);
		goto out;
	}
	while ((rc = next_entry(p, &lx)) > 0) {
		rc = !p->e.tok[0].quoted && !p->e.indented && p->e.tok[0].text[0] == '$'
			     ? directive(p)
			     : record(p);
		if (rc)
			goto out;
	}
	if (rc == 0)
		rc = mg_dns_zone_finish(p->zone, file, err, err_cap);
out:
	if (rc == 0)
		*zone = p->zone;
	else
		mg_dns_zone_free(p->zone);
	free(p);
	return rc;
}
