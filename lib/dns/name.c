/* SPDX-License-Identifier: ISC */
/*
 * Domain names: decompression from messages, presentation form in both directions,
 * case-insensitive comparison and the canonical order of RFC 4034.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <morgana/dns.h>

#include "dns_int.h"

int
mg_dns_name_unpack(const uint8_t *msg, size_t msg_len, size_t *pos,
		   uint8_t out[MG_DNS_NAME_MAX], size_t *out_len)
{
	size_t p = *pos, segment = *pos, after = 0, n = 0;
	unsigned hops = 0;

	for (;;) {
		if (p >= msg_len)
			return -EBADMSG;
		uint8_t c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= msg_len)
				return -EBADMSG;
			size_t target = (size_t)(c & 0x3f) << 8 | msg[p + 1];
			/* Strictly backwards from where this part began: no loop can form. */
			if (target >= segment || target < MG_DNS_HEADER_LEN ||
			    ++hops > MG_DNS_PTR_HOPS_MAX)
				return -EBADMSG;
			if (hops == 1)
				after = p + 2;
			p = segment = target;
			continue;
		}
		if (c > MG_DNS_LABEL_MAX)
			return -EBADMSG;
		if (n + 1 + c > MG_DNS_NAME_MAX || p + 1 + (size_t)c > msg_len)
			return -EBADMSG;
		memcpy(out + n, msg + p, 1 + (size_t)c);
		n += 1 + (size_t)c;
		p += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	*pos = hops ? after : p;
	*out_len = n;
	return 0;
}

int
mg_dns_name_len(const uint8_t *buf, size_t len)
{
	size_t n = 0;

	for (;;) {
		if (n >= len)
			return -EBADMSG;
		uint8_t c = buf[n];
		if (c > MG_DNS_LABEL_MAX || n + 1 + c > MG_DNS_NAME_MAX)
			return -EBADMSG;
		n += 1 + (size_t)c;
		if (c == 0)
			return (int)n;
	}
}

/* Parse one \X or \DDD escape at text[*i] (the backslash); -EINVAL if malformed. */
static int
unescape(const char *text, size_t len, size_t *i, uint8_t *octet)
{
	size_t j = *i + 1;

	if (j >= len)
		return -EINVAL;
	if (text[j] >= '0' && text[j] <= '9') {
		unsigned v = 0;
		for (size_t k = 0; k < 3; k++) {
			if (j + k >= len || text[j + k] < '0' || text[j + k] > '9')
				return -EINVAL;
			v = v * 10 + (unsigned)(text[j + k] - '0');
		}
		if (v > 255)
			return -EINVAL;
		*octet = (uint8_t)v;
		*i = j + 3;
		return 0;
	}
	*octet = (uint8_t)text[j];
	*i = j + 1;
	return 0;
}

int
mg_dns_unescape(const char *text, size_t len, size_t *i, uint8_t *octet)
{
	return unescape(text, len, i, octet);
}

int
mg_dns_name_from_text(const char *text, size_t len, const uint8_t *origin,
		      uint8_t out[MG_DNS_NAME_MAX], size_t *out_len)
{
	size_t n = 0, label = 0, i = 0;
	bool absolute = false;

	if (len == 1 && text[0] == '.') {
		out[0] = 0;
		*out_len = 1;
		return 0;
	}
	if (len == 0)
		return -EINVAL;
	out[0] = 0;
	while (i < len) {
		uint8_t c;
		if (text[i] == '.') {
			if (out[label] == 0)
				return -EINVAL;	/* empty label */
			label = n + 1;
			n = label;
			if (n >= MG_DNS_NAME_MAX)
				return -EINVAL;
			out[label] = 0;
			i++;
			if (i == len)
				absolute = true;
			continue;
		}
		if (text[i] == '\\') {
			if (unescape(text, len, &i, &c))
				return -EINVAL;
		} else {
			c = (uint8_t)text[i++];
		}
		if (out[label] == MG_DNS_LABEL_MAX || n + 2 >= MG_DNS_NAME_MAX)
			return -EINVAL;
		out[++n] = c;
		out[label]++;
	}
	/* n indexes the last octet written; the label at `label` is open. */
	if (absolute) {
		*out_len = label + 1;	/* out[label] == 0 is the root */
		return 0;
	}
	n++;
	if (!origin)
		return -EINVAL;
	int olen = mg_dns_name_len(origin, MG_DNS_NAME_MAX);
	if (olen < 0 || n + (size_t)olen > MG_DNS_NAME_MAX)
		return -EINVAL;
	memcpy(out + n, origin, (size_t)olen);
	*out_len = n + (size_t)olen;
	return 0;
}

static bool
plain_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && c != '.' && c != '\\' && c != '"' && c != '(' &&
	       c != ')' && c != ';' && c != '@' && c != '$';
}

int
mg_dns_name_to_text(const uint8_t *name, char *buf, size_t cap)
{
	size_t n = 0;

	if (cap == 0)
		return -ENOSPC;
	if (name[0] == 0) {
		if (cap < 2)
			return -ENOSPC;
		buf[0] = '.';
		buf[1] = 0;
		return 0;
	}
	for (const uint8_t *p = name; *p; p += 1 + *p) {
		for (unsigned k = 1; k <= *p; k++) {
			uint8_t c = p[k];
			if (plain_char(c)) {
				if (n + 2 > cap)
					return -ENOSPC;
				buf[n++] = (char)c;
			} else if (c > 0x20 && c < 0x7f) {
				if (n + 3 > cap)
					return -ENOSPC;
				buf[n++] = '\\';
				buf[n++] = (char)c;
			} else {
				if (n + 5 > cap)
					return -ENOSPC;
				snprintf(buf + n, 5, "\\%03u", c);
				n += 4;
			}
		}
		if (n + 2 > cap)
			return -ENOSPC;
		buf[n++] = '.';
	}
	buf[n] = 0;
	return 0;
}

bool
mg_dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		if (*a == 0)
			return true;
		for (unsigned k = 1; k <= *a; k++)
			if (dns_lower(a[k]) != dns_lower(b[k]))
				return false;
		a += 1 + *a;
		b += 1 + *b;
	}
}

unsigned
mg_dns_name_labels(const uint8_t *name)
{
	unsigned n = 0;

	for (; *name; name += 1 + *name)
		n++;
	return n;
}

/* Offsets of each label of name, leftmost first; returns the count. */
static unsigned
label_offsets(const uint8_t *name, uint8_t off[MG_DNS_NAME_MAX / 2 + 1])
{
	unsigned n = 0;

	for (size_t p = 0; name[p]; p += 1 + (size_t)name[p])
		off[n++] = (uint8_t)p;
	return n;
}

int
mg_dns_name_compare(const uint8_t *a, const uint8_t *b)
{
	uint8_t oa[MG_DNS_NAME_MAX / 2 + 1], ob[MG_DNS_NAME_MAX / 2 + 1];
	unsigned na = label_offsets(a, oa), nb = label_offsets(b, ob);

	while (na > 0 && nb > 0) {
		const uint8_t *la = a + oa[--na], *lb = b + ob[--nb];
		unsigned common = la[0] < lb[0] ? la[0] : lb[0];
		for (unsigned k = 1; k <= common; k++) {
			int d = dns_lower(la[k]) - dns_lower(lb[k]);
			if (d)
				return d;
		}
		if (la[0] != lb[0])
			return la[0] - lb[0];
	}
	return (int)na - (int)nb;
}

bool
mg_dns_name_is_subdomain(const uint8_t *name, const uint8_t *parent)
{
	unsigned n = mg_dns_name_labels(name), p = mg_dns_name_labels(parent);

	if (n < p)
		return false;
	for (; n > p; n--)
		name += 1 + *name;
	return mg_dns_name_equal(name, parent);
}
