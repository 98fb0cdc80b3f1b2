/* SPDX-License-Identifier: ISC */
/*
 * RDATA in zone-file text → uncompressed wire form, for the types the codec knows and
 * for any type in RFC 3597's generic `\# LENGTH HEX` form; type mnemonics and TTLs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <morgana/dns.h>

#include "dns_int.h"

static const struct {
	const char *name;
	uint16_t type;
} type_names[] = {
	{ "A", MG_DNS_T_A }, { "NS", MG_DNS_T_NS }, { "CNAME", MG_DNS_T_CNAME },
	{ "SOA", MG_DNS_T_SOA }, { "PTR", MG_DNS_T_PTR }, { "HINFO", MG_DNS_T_HINFO },
	{ "MX", MG_DNS_T_MX }, { "TXT", MG_DNS_T_TXT }, { "AAAA", MG_DNS_T_AAAA },
	{ "SRV", MG_DNS_T_SRV }, { "OPT", MG_DNS_T_OPT }, { "DS", MG_DNS_T_DS },
	{ "IXFR", MG_DNS_T_IXFR }, { "AXFR", MG_DNS_T_AXFR }, { "MAILB", MG_DNS_T_MAILB },
	{ "MAILA", MG_DNS_T_MAILA }, { "ANY", MG_DNS_T_ANY }, { "CAA", MG_DNS_T_CAA },
};

static bool
same_word(const char *text, size_t len, const char *word)
{
	size_t i = 0;

	for (; i < len && word[i]; i++)
		if (dns_lower((uint8_t)text[i]) != dns_lower((uint8_t)word[i]))
			return false;
	return i == len && word[i] == 0;
}

/* Decimal digits only, value at most max. */
static int
number(const char *text, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(text[i] - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int
mg_dns_type_from_text(const char *text, size_t len, uint16_t *type)
{
	uint64_t v;

	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (same_word(text, len, type_names[i].name)) {
			*type = type_names[i].type;
			return 0;
		}
	if (len > 4 && same_word(text, 4, "TYPE") && number(text + 4, len - 4, 65535, &v) == 0) {
		*type = (uint16_t)v;
		return 0;
	}
	return -EINVAL;
}

const char *
mg_dns_type_to_text(uint16_t type, char *buf, size_t cap)
{
	for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (type_names[i].type == type) {
			snprintf(buf, cap, "%s", type_names[i].name);
			return buf;
		}
	snprintf(buf, cap, "TYPE%u", type);
	return buf;
}

int
mg_dns_ttl_from_text(const char *text, size_t len, uint32_t *ttl)
{
	uint64_t total = 0, v = 0;
	bool digits = false, units = false;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c >= '0' && c <= '9') {
			v = v * 10 + (uint64_t)(c - '0');
			if (v > 0xffffffffu)
				return -EINVAL;
			digits = true;
			continue;
		}
		uint64_t mult;
		switch (dns_lower((uint8_t)c)) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		case 'w': mult = 604800; break;
		default: return -EINVAL;
		}
		if (!digits)
			return -EINVAL;
		total += v * mult;
		if (total > 0x7fffffff)
			return -EINVAL;
		v = 0;
		digits = false;
		units = true;
	}
	if (digits)
		total += v;	/* a bare number, or seconds after units (1h30) */
	else if (!units)
		return -EINVAL;
	if (total > 0x7fffffff)
		return -EINVAL;
	*ttl = (uint32_t)total;
	return 0;
}

static int
ipv4(const char *t, size_t len, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t start = i;
		uint64_t v;
		while (i < len && t[i] != '.')
			i++;
		if (i - start > 3 || number(t + start, i - start, 255, &v))
			return -EINVAL;
		out[part] = (uint8_t)v;
		if (part < 3) {
			if (i >= len)
				return -EINVAL;
			i++;
		}
	}
	return i == len ? 0 : -EINVAL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)dns_lower((uint8_t)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 4291 section 2.2 text forms, incl. "::" and a trailing dotted IPv4. */
static int
ipv6(const char *t, size_t len, uint8_t out[16])
{
	uint8_t words[16];
	size_t n = 0, i = 0;
	int gap = -1;

	if (len >= 2 && t[0] == ':' && t[1] == ':') {
		gap = 0;
		i = 2;
	} else if (len > 0 && t[0] == ':') {
		return -EINVAL;
	}
	while (i < len) {
		size_t start = i;
		unsigned v = 0;
		while (i < len && hexval(t[i]) >= 0 && i - start < 4)
			v = v * 16 + (unsigned)hexval(t[i++]);
		if (i < len && t[i] == '.') {
			if (n + 4 > 16 || ipv4(t + start, len - start, words + n))
				return -EINVAL;
			n += 4;
			i = len;
			break;
		}
		if (i == start || n + 2 > 16)
			return -EINVAL;
		words[n++] = (uint8_t)(v >> 8);
		words[n++] = (uint8_t)v;
		if (i == len)
			break;
		if (t[i] != ':')
			return -EINVAL;
		i++;
		if (i < len && t[i] == ':') {
			if (gap >= 0)
				return -EINVAL;
			gap = (int)n;
			i++;
		} else if (i == len) {
			return -EINVAL;
		}
	}
	if (gap < 0) {
		if (n != 16)
			return -EINVAL;
		memcpy(out, words, 16);
		return 0;
	}
	if (n > 14)
		return -EINVAL;
	memset(out, 0, 16);
	memcpy(out, words, (size_t)gap);
	memcpy(out + 16 - (n - (size_t)gap), words + gap, n - (size_t)gap);
	return 0;
}

/* Appends to out[*n..cap); -ENOSPC when full. */
struct buf {
	uint8_t *p;
	size_t n, cap;
};

static int
put(struct buf *b, const void *p, size_t n)
{
	if (b->cap - b->n < n)
		return -ENOSPC;
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

static int
put_u16(struct buf *b, uint16_t v)
{
	uint8_t x[2];

	dns_put16(x, v);
	return put(b, x, 2);
}

static int
put_u32(struct buf *b, uint32_t v)
{
	uint8_t x[4];

	dns_put32(x, v);
	return put(b, x, 4);
}

/* A token with escapes resolved, without a length octet; -EINVAL if over max. */
static int
put_text(struct buf *b, const struct dns_token *t, size_t max)
{
	size_t i = 0, n = 0;

	while (i < t->len) {
		uint8_t c;
		if (t->text[i] == '\\') {
			if (mg_dns_unescape(t->text, t->len, &i, &c))
				return -EINVAL;
		} else {
			c = (uint8_t)t->text[i++];
		}
		if (++n > max || put(b, &c, 1))
			return -EINVAL;
	}
	return 0;
}

static int
put_string(struct buf *b, const struct dns_token *t)
{
	size_t at = b->n;
	uint8_t zero = 0;

	if (put(b, &zero, 1) || put_text(b, t, 255))
		return -EINVAL;
	b->p[at] = (uint8_t)(b->n - at - 1);
	return 0;
}

static int
put_name_tok(struct buf *b, const struct dns_token *t, const uint8_t *origin)
{
	uint8_t name[MG_DNS_NAME_MAX];
	size_t len;

	if (t->quoted)
		return -EINVAL;
	if (t->len == 1 && t->text[0] == '@') {
		int olen = mg_dns_name_len(origin, MG_DNS_NAME_MAX);
		return olen < 0 ? -EINVAL : put(b, origin, (size_t)olen);
	}
	if (mg_dns_name_from_text(t->text, t->len, origin, name, &len))
		return -EINVAL;
	return put(b, name, len);
}

static int
num_tok(const struct dns_token *t, uint64_t max, uint64_t *v)
{
	return t->quoted ? -EINVAL : number(t->text, t->len, max, v);
}

/* RFC 3597 section 5: \# LENGTH HEX..., hex possibly split across tokens. */
static int
generic(const struct dns_token *tok, size_t ntok, struct buf *b, char *why, size_t cap)
{
	uint64_t len;

	if (ntok < 2 || num_tok(&tok[1], 65535, &len)) {
		snprintf(why, cap, "\\# must be followed by the RDATA length");
		return -EINVAL;
	}
	int hi = -1;
	for (size_t k = 2; k < ntok; k++)
		for (size_t i = 0; i < tok[k].len; i++) {
			int v = hexval(tok[k].text[i]);
			if (v < 0 || tok[k].quoted) {
				snprintf(why, cap, "\\# data is not hexadecimal");
				return -EINVAL;
			}
			if (hi < 0) {
				hi = v;
				continue;
			}
			uint8_t octet = (uint8_t)(hi << 4 | v);
			hi = -1;
			if (put(b, &octet, 1))
				goto length;
		}
	if (hi >= 0 || b->n != len)
		goto length;
	return 0;
length:
	snprintf(why, cap, "\\# length %u does not match the hex data", (unsigned)len);
	return -EINVAL;
}

static int
soa(const struct dns_token *tok, size_t ntok, const uint8_t *origin, struct buf *b)
{
	uint64_t serial;
	uint32_t t;

	if (ntok != 7 || put_name_tok(b, &tok[0], origin) || put_name_tok(b, &tok[1], origin) ||
	    num_tok(&tok[2], 0xffffffffu, &serial) || put_u32(b, (uint32_t)serial))
		return -EINVAL;
	for (size_t k = 3; k < 7; k++)
		if (tok[k].quoted || mg_dns_ttl_from_text(tok[k].text, tok[k].len, &t) ||
		    put_u32(b, t))
			return -EINVAL;
	return 0;
}

static int
caa(const struct dns_token *tok, size_t ntok, struct buf *b)
{
	uint64_t flags;
	size_t at;
	uint8_t f, zero = 0;

	if (ntok != 3 || num_tok(&tok[0], 255, &flags))
		return -EINVAL;
	f = (uint8_t)flags;
	if (put(b, &f, 1))
		return -EINVAL;
	at = b->n;
	if (put(b, &zero, 1) || put_text(b, &tok[1], 255))
		return -EINVAL;
	b->p[at] = (uint8_t)(b->n - at - 1);
	return put_text(b, &tok[2], 65535);
}

/* Parse tok[0..ntok) of a known type; -EINVAL on any mismatch. */
static int
typed(uint16_t type, const struct dns_token *tok, size_t ntok, const uint8_t *origin,
      struct buf *b)
{
	uint8_t addr[16];
	uint64_t v[3];

	switch (type) {
	case MG_DNS_T_A:
		if (ntok != 1 || tok[0].quoted || ipv4(tok[0].text, tok[0].len, addr))
			return -EINVAL;
		return put(b, addr, 4);
	case MG_DNS_T_AAAA:
		if (ntok != 1 || tok[0].quoted || ipv6(tok[0].text, tok[0].len, addr))
			return -EINVAL;
		return put(b, addr, 16);
	case MG_DNS_T_NS: case MG_DNS_T_CNAME: case MG_DNS_T_PTR:
		return ntok == 1 ? put_name_tok(b, &tok[0], origin) : -EINVAL;
	case MG_DNS_T_SOA:
		return soa(tok, ntok, origin, b);
	case MG_DNS_T_MX:
		if (ntok != 2 || num_tok(&tok[0], 65535, &v[0]) || put_u16(b, (uint16_t)v[0]))
			return -EINVAL;
		return put_name_tok(b, &tok[1], origin);
	case MG_DNS_T_TXT:
		if (ntok == 0)
			return -EINVAL;
		for (size_t k = 0; k < ntok; k++)
			if (put_string(b, &tok[k]))
				return -EINVAL;
		return 0;
	case MG_DNS_T_SRV:
		if (ntok != 4)
			return -EINVAL;
		for (size_t k = 0; k < 3; k++)
			if (num_tok(&tok[k], 65535, &v[k]) || put_u16(b, (uint16_t)v[k]))
				return -EINVAL;
		return put_name_tok(b, &tok[3], origin);
	case MG_DNS_T_CAA:
		return caa(tok, ntok, b);
	default:
		return -ENOTSUP;
	}
}

int
mg_dns_rdata_from_text(uint16_t type, const struct dns_token *tok, size_t ntok,
		    const uint8_t *origin, uint8_t *out, size_t cap, size_t *out_len,
		    char *why, size_t why_cap)
{
	struct buf b = { out, 0, cap };
	char tname[16];
	int rc;

	mg_dns_type_to_text(type, tname, sizeof tname);
	if (ntok > 0 && !tok[0].quoted && tok[0].len == 2 && memcmp(tok[0].text, "\\#", 2) == 0) {
		if ((rc = generic(tok, ntok, &b, why, why_cap)))
			return rc;
		if (!mg_dns_rdata_valid(type, out, b.n)) {
			snprintf(why, why_cap, "\\# data is not valid %s RDATA", tname);
			return -EINVAL;
		}
		*out_len = b.n;
		return 0;
	}
	rc = typed(type, tok, ntok, origin, &b);
	if (rc == -ENOTSUP) {
		snprintf(why, why_cap, "type %s needs the generic form \\# LENGTH HEX", tname);
		return -EINVAL;
	}
	if (rc) {
		snprintf(why, why_cap, "malformed %s RDATA", tname);
		return -EINVAL;
	}
	*out_len = b.n;
	return 0;
}
