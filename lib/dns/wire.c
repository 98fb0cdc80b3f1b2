/* SPDX-License-Identifier: ISC */
/*
 * The DNS wire codec: reading headers, questions and RRs out of untrusted messages, and
 * writing them with name compression into bounded buffers.
 */
#include <errno.h>
#include <string.h>

#include <morgana/dns.h>

#include "dns_int.h"

int
mg_dns_reader_init(struct mg_dns_reader *r, const uint8_t *msg, size_t len)
{
	if (len < MG_DNS_HEADER_LEN)
		return -EBADMSG;
	r->msg = msg;
	r->len = len;
	r->pos = MG_DNS_HEADER_LEN;
	r->hdr.id = dns_get16(msg);
	r->hdr.flags = dns_get16(msg + 2);
	r->hdr.qdcount = dns_get16(msg + 4);
	r->hdr.ancount = dns_get16(msg + 6);
	r->hdr.nscount = dns_get16(msg + 8);
	r->hdr.arcount = dns_get16(msg + 10);
	return 0;
}

int
mg_dns_read_question(struct mg_dns_reader *r, struct mg_dns_question *q)
{
	size_t pos = r->pos;
	int rc = mg_dns_name_unpack(r->msg, r->len, &pos, q->name, &q->name_len);

	if (rc)
		return rc;
	if (r->len - pos < 4)
		return -EBADMSG;
	q->type = dns_get16(r->msg + pos);
	q->qclass = dns_get16(r->msg + pos + 2);
	r->pos = pos + 4;
	return 0;
}

int
mg_dns_read_rr(struct mg_dns_reader *r, struct mg_dns_rr *rr)
{
	size_t pos = r->pos;
	int rc = mg_dns_name_unpack(r->msg, r->len, &pos, rr->owner, &rr->owner_len);

	if (rc)
		return rc;
	if (r->len - pos < 10)
		return -EBADMSG;
	rr->type = dns_get16(r->msg + pos);
	rr->rclass = dns_get16(r->msg + pos + 2);
	rr->ttl = dns_get32(r->msg + pos + 4);
	rr->rdlen = dns_get16(r->msg + pos + 8);
	rr->rdata_pos = pos + 10;
	if (r->len - rr->rdata_pos < rr->rdlen)
		return -EBADMSG;
	r->pos = rr->rdata_pos + rr->rdlen;
	return 0;
}

int
mg_dns_edns_from_rr(const struct mg_dns_rr *rr, struct mg_dns_edns *edns)
{
	if (rr->type != MG_DNS_T_OPT || rr->owner_len != 1)
		return -EBADMSG;
	edns->payload = rr->rclass;
	edns->ext_rcode = (uint8_t)(rr->ttl >> 24);
	edns->version = (uint8_t)(rr->ttl >> 16);
	edns->do_bit = (rr->ttl & 0x8000) != 0;
	return 0;
}

/* ---- RDATA ------------------------------------------------------------------------- */

/* Where the names are in RDATA of type: `fixed` octets before the first name,
 * `names` names, then `tail` octets. false for types without names. */
struct name_layout {
	uint8_t fixed, names, tail;
	bool compress;	/* may be compressed on output (RFC 3597 section 4) */
};

static bool
name_layout(uint16_t type, struct name_layout *l)
{
	switch (type) {
	case MG_DNS_T_NS: case MG_DNS_T_CNAME: case MG_DNS_T_PTR:
		*l = (struct name_layout){ 0, 1, 0, true };
		return true;
	case MG_DNS_T_SOA:
		*l = (struct name_layout){ 0, 2, 20, true };
		return true;
	case MG_DNS_T_MX:
		*l = (struct name_layout){ 2, 1, 0, true };
		return true;
	case MG_DNS_T_SRV:
		*l = (struct name_layout){ 6, 1, 0, false };
		return true;
	default:
		return false;
	}
}

int
mg_dns_rdata_unpack(const uint8_t *msg, size_t msg_len, const struct mg_dns_rr *rr,
		    uint8_t *out, size_t cap, size_t *out_len)
{
	struct name_layout l;
	size_t pos = rr->rdata_pos, end = rr->rdata_pos + rr->rdlen, n = 0;

	if (end > msg_len)
		return -EBADMSG;
	if (!name_layout(rr->type, &l)) {
		if (rr->rdlen > cap)
			return -ENOSPC;
		memcpy(out, msg + pos, rr->rdlen);
		*out_len = rr->rdlen;
		return mg_dns_rdata_valid(rr->type, out, rr->rdlen) ? 0 : -EBADMSG;
	}
	if (rr->rdlen < l.fixed)
		return -EBADMSG;
	if (cap < l.fixed)
		return -ENOSPC;
	memcpy(out, msg + pos, l.fixed);
	n = l.fixed;
	pos += l.fixed;
	for (unsigned i = 0; i < l.names; i++) {
		uint8_t name[MG_DNS_NAME_MAX];
		size_t len;
		/* Only the RDATA's own octets may hold the name or its pointer. */
		if (mg_dns_name_unpack(msg, end, &pos, name, &len))
			return -EBADMSG;
		if (cap - n < len)
			return -ENOSPC;
		memcpy(out + n, name, len);
		n += len;
	}
	if (end - pos != l.tail)
		return -EBADMSG;
	if (cap - n < l.tail)
		return -ENOSPC;
	memcpy(out + n, msg + pos, l.tail);
	*out_len = n + l.tail;
	return 0;
}

static bool
txt_valid(const uint8_t *p, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return false;
	while (i < len)
		i += 1 + (size_t)p[i];
	return i == len;
}

static bool
caa_valid(const uint8_t *p, size_t len)
{
	if (len < 2 || p[1] == 0 || 2 + (size_t)p[1] > len)
		return false;
	for (unsigned k = 0; k < p[1]; k++) {
		uint8_t c = p[2 + k];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

bool
mg_dns_rdata_valid(uint16_t type, const uint8_t *rdata, size_t len)
{
	struct name_layout l;

	if (len > MG_DNS_TCP_MAX)
		return false;
	switch (type) {
	case MG_DNS_T_A:
		return len == 4;
	case MG_DNS_T_AAAA:
		return len == 16;
	case MG_DNS_T_TXT:
		return txt_valid(rdata, len);
	case MG_DNS_T_CAA:
		return caa_valid(rdata, len);
	}
	if (!name_layout(type, &l))
		return true;
	if (len < l.fixed)
		return false;
	size_t n = l.fixed;
	for (unsigned i = 0; i < l.names; i++) {
		int nl = mg_dns_name_len(rdata + n, len - n);
		if (nl < 0)
			return false;
		n += (size_t)nl;
	}
	return len - n == l.tail;
}

int
mg_dns_rdata_decode(uint16_t type, const uint8_t *rdata, size_t len,
		    struct mg_dns_rdata *out)
{
	size_t n;

	if (!mg_dns_rdata_valid(type, rdata, len))
		return -EBADMSG;
	out->type = type;
	switch (type) {
	case MG_DNS_T_A:
		memcpy(out->u.a, rdata, 4);
		break;
	case MG_DNS_T_AAAA:
		memcpy(out->u.aaaa, rdata, 16);
		break;
	case MG_DNS_T_NS: case MG_DNS_T_CNAME: case MG_DNS_T_PTR:
		memcpy(out->u.ns.name, rdata, len);
		break;
	case MG_DNS_T_SOA:
		n = (size_t)mg_dns_name_len(rdata, len);
		memcpy(out->u.soa.mname, rdata, n);
		memcpy(out->u.soa.rname, rdata + n, len - n - 20);
		n = len - 20;
		out->u.soa.serial = dns_get32(rdata + n);
		out->u.soa.refresh = dns_get32(rdata + n + 4);
		out->u.soa.retry = dns_get32(rdata + n + 8);
		out->u.soa.expire = dns_get32(rdata + n + 12);
		out->u.soa.minimum = dns_get32(rdata + n + 16);
		break;
	case MG_DNS_T_MX:
		out->u.mx.preference = dns_get16(rdata);
		memcpy(out->u.mx.exchange, rdata + 2, len - 2);
		break;
	case MG_DNS_T_TXT:
		out->u.txt.strings = rdata;
		out->u.txt.len = len;
		break;
	case MG_DNS_T_SRV:
		out->u.srv.priority = dns_get16(rdata);
		out->u.srv.weight = dns_get16(rdata + 2);
		out->u.srv.port = dns_get16(rdata + 4);
		memcpy(out->u.srv.target, rdata + 6, len - 6);
		break;
	case MG_DNS_T_CAA:
		out->u.caa.flags = rdata[0];
		out->u.caa.tag = rdata + 2;
		out->u.caa.tag_len = rdata[1];
		out->u.caa.value = rdata + 2 + rdata[1];
		out->u.caa.value_len = len - 2 - rdata[1];
		break;
	default:
		out->u.opaque.data = rdata;
		out->u.opaque.len = len;
		break;
	}
	return 0;
}

/* ---- writing ----------------------------------------------------------------------- */

int
mg_dns_writer_init(struct mg_dns_writer *w, uint8_t *buf, size_t cap)
{
	if (cap < MG_DNS_HEADER_LEN)
		return -EINVAL;
	w->buf = buf;
	w->cap = cap;
	w->len = MG_DNS_HEADER_LEN;
	w->nnames = 0;
	memset(buf, 0, MG_DNS_HEADER_LEN);
	return 0;
}

void
mg_dns_writer_header(struct mg_dns_writer *w, const struct mg_dns_header *h)
{
	dns_put16(w->buf, h->id);
	dns_put16(w->buf + 2, h->flags);
	dns_put16(w->buf + 4, h->qdcount);
	dns_put16(w->buf + 6, h->ancount);
	dns_put16(w->buf + 8, h->nscount);
	dns_put16(w->buf + 10, h->arcount);
}

/* Does the name written at buf[off] (maybe through pointers we wrote) equal name? */
static bool
written_equal(const uint8_t *buf, size_t off, const uint8_t *name)
{
	for (unsigned hops = 0; hops <= MG_DNS_PTR_HOPS_MAX;) {
		uint8_t c = buf[off];
		if ((c & 0xc0) == 0xc0) {
			off = (size_t)(c & 0x3f) << 8 | buf[off + 1];
			hops++;
			continue;
		}
		if (c != *name || memcmp(buf + off + 1, name + 1, c) != 0)
			return false;
		if (c == 0)
			return true;
		off += 1 + (size_t)c;
		name += 1 + (size_t)c;
	}
	return false;
}

static void
remember_labels(struct mg_dns_writer *w, size_t start, const uint8_t *name, size_t upto)
{
	for (size_t p = 0; p < upto && w->nnames < MG_DNS_COMPRESS_MAX; p += 1 + name[p]) {
		if (start + p >= 0x4000)
			return;	/* beyond what a pointer can reach */
		w->names[w->nnames++] = (uint16_t)(start + p);
	}
}

/* Append name; with compress, its longest suffix already written becomes a pointer. */
static int
put_name(struct mg_dns_writer *w, const uint8_t *name, bool compress)
{
	int len = mg_dns_name_len(name, MG_DNS_NAME_MAX);
	size_t start = w->len;

	if (len < 0)
		return -EINVAL;
	for (size_t p = 0; compress && name[p]; p += 1 + name[p]) {
		for (size_t i = 0; i < w->nnames; i++) {
			if (!written_equal(w->buf, w->names[i], name + p))
				continue;
			if (w->cap - w->len < p + 2)
				return -ENOSPC;
			memcpy(w->buf + w->len, name, p);
			dns_put16(w->buf + w->len + p, (uint16_t)(0xc000 | w->names[i]));
			w->len += p + 2;
			remember_labels(w, start, name, p);
			return 0;
		}
	}
	if (w->cap - w->len < (size_t)len)
		return -ENOSPC;
	memcpy(w->buf + w->len, name, (size_t)len);
	w->len += (size_t)len;
	remember_labels(w, start, name, (size_t)len - 1);
	return 0;
}

static int
put_bytes(struct mg_dns_writer *w, const void *p, size_t n)
{
	if (w->cap - w->len < n)
		return -ENOSPC;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	return 0;
}

int
mg_dns_put_question(struct mg_dns_writer *w, const uint8_t *name, uint16_t type,
		    uint16_t qclass)
{
	size_t len = w->len, nnames = w->nnames;
	uint8_t tail[4];
	int rc;

	dns_put16(tail, type);
	dns_put16(tail + 2, qclass);
	rc = put_name(w, name, true);
	if (rc == 0)
		rc = put_bytes(w, tail, 4);
	if (rc) {
		w->len = len;
		w->nnames = nnames;
	}
	return rc;
}

static int
put_rdata(struct mg_dns_writer *w, uint16_t type, const uint8_t *rdata, size_t rdlen)
{
	struct name_layout l;
	size_t n;
	int rc;

	if (!name_layout(type, &l))
		return put_bytes(w, rdata, rdlen);
	if (!mg_dns_rdata_valid(type, rdata, rdlen))
		return -EINVAL;
	if ((rc = put_bytes(w, rdata, l.fixed)))
		return rc;
	n = l.fixed;
	for (unsigned i = 0; i < l.names; i++) {
		if ((rc = put_name(w, rdata + n, l.compress)))
			return rc;
		n += (size_t)mg_dns_name_len(rdata + n, rdlen - n);
	}
	return put_bytes(w, rdata + n, l.tail);
}

int
mg_dns_put_rr(struct mg_dns_writer *w, const uint8_t *owner, uint16_t type,
	      uint16_t rclass, uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	size_t len = w->len, nnames = w->nnames, rdpos;
	uint8_t fixed[10];
	int rc;

	dns_put16(fixed, type);
	dns_put16(fixed + 2, rclass);
	dns_put32(fixed + 4, ttl);
	if ((rc = put_name(w, owner, true)) || (rc = put_bytes(w, fixed, 10)))
		goto fail;
	rdpos = w->len;
	if ((rc = put_rdata(w, type, rdata, rdlen)))
		goto fail;
	if (w->len - rdpos > 0xffff) {
		rc = -EINVAL;
		goto fail;
	}
	dns_put16(w->buf + rdpos - 2, (uint16_t)(w->len - rdpos));
	return 0;
fail:
	w->len = len;
	w->nnames = nnames;
	return rc;
}

int
mg_dns_put_opt(struct mg_dns_writer *w, const struct mg_dns_edns *edns)
{
	uint8_t opt[MG_DNS_OPT_LEN] = { 0 };

	dns_put16(opt + 1, MG_DNS_T_OPT);
	dns_put16(opt + 3, edns->payload);
	opt[5] = edns->ext_rcode;
	opt[6] = edns->version;
	opt[7] = edns->do_bit ? 0x80 : 0;
	return put_bytes(w, opt, sizeof opt);
}

/* ---- hashing ----------------------------------------------------------------------- */

uint32_t
mg_dns_hash_label(uint32_t h, const uint8_t *label)
{
	for (unsigned k = 0; k <= label[0]; k++) {
		h ^= dns_lower(label[k]);
		h *= 16777619u;
	}
	return h;
}

unsigned
mg_dns_suffix_hashes(const uint8_t *name, uint8_t lower[MG_DNS_NAME_MAX],
		  uint32_t hashes[MG_DNS_NAME_MAX / 2 + 1],
		  uint8_t offs[MG_DNS_NAME_MAX / 2 + 1])
{
	unsigned n = 0;
	size_t p = 0;

	for (; name[p]; p += 1 + (size_t)name[p]) {
		offs[n++] = (uint8_t)p;
		lower[p] = name[p];
		for (unsigned k = 1; k <= name[p]; k++)
			lower[p + k] = dns_lower(name[p + k]);
	}
	lower[p] = 0;
	offs[n] = (uint8_t)p;
	hashes[n] = DNS_HASH_INIT;
	for (unsigned i = n; i > 0; i--)
		hashes[i - 1] = mg_dns_hash_label(hashes[i], lower + offs[i - 1]);
	return n;
}
