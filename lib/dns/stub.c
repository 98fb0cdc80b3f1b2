/* SPDX-License-Identifier: ISC */
/*
 * The stub resolver's pure half: build a query with a random ID, decide whether a
 * datagram is the response to it, and pull the answers out through CNAMEs. The
 * transport (retries, timeouts, TCP after TC) drives these.
 */
#include <errno.h>
#include <string.h>

#include <morgana/dns.h>

#include "dns_int.h"

int
mg_dns_stub_build(struct mg_dns_stub_query *q, const char *name, uint16_t qtype,
		  uint16_t edns_payload, mg_dns_random_fn rnd, void *rnd_ctx, uint8_t *out,
		  size_t out_cap, size_t *out_len)
{
	static const uint8_t root[1] = { 0 };
	struct mg_dns_writer w;
	struct mg_dns_header h = { .flags = MG_DNS_F_RD, .qdcount = 1 };
	uint8_t id[2];
	int rc;

	if (!rnd || (edns_payload && edns_payload < MG_DNS_UDP_MIN))
		return -EINVAL;
	if (mg_dns_name_from_text(name, strlen(name), root, q->qname, &q->qname_len))
		return -EINVAL;
	if ((rc = mg_dns_writer_init(&w, out, out_cap)))
		return rc;
	rnd(rnd_ctx, id, sizeof id);
	q->id = dns_get16(id);
	q->qtype = qtype;
	h.id = q->id;
	if ((rc = mg_dns_put_question(&w, q->qname, qtype, MG_DNS_C_IN)))
		return rc;
	if (edns_payload) {
		struct mg_dns_edns e = { .payload = edns_payload };
		if ((rc = mg_dns_put_opt(&w, &e)))
			return rc;
		h.arcount = 1;
	}
	mg_dns_writer_header(&w, &h);
	*out_len = w.len;
	return 0;
}

int
mg_dns_stub_check(const struct mg_dns_stub_query *q, const uint8_t *resp, size_t len,
		  unsigned *rcode)
{
	struct mg_dns_reader r;
	struct mg_dns_question qu;
	struct mg_dns_rr rr;
	struct mg_dns_edns e;
	unsigned ext = 0, nrr;
	bool opt = false;

	if (mg_dns_reader_init(&r, resp, len))
		return -EBADMSG;
	if (r.hdr.id != q->id || !(r.hdr.flags & MG_DNS_F_QR) || MG_DNS_OPCODE(r.hdr.flags))
		return -ESRCH;
	/* Servers may leave the question out of an error; the ID is all there is then. */
	if (r.hdr.qdcount == 0 && MG_DNS_RCODE(r.hdr.flags) == MG_DNS_R_NOERROR &&
	    !(r.hdr.flags & MG_DNS_F_TC))
		return -ESRCH;
	if (r.hdr.qdcount > 1)
		return -ESRCH;
	if (r.hdr.qdcount == 1) {
		if (mg_dns_read_question(&r, &qu))
			return -EBADMSG;
		if (qu.type != q->qtype || qu.qclass != MG_DNS_C_IN ||
		    !mg_dns_name_equal(qu.name, q->qname))
			return -ESRCH;
	}
	if (r.hdr.flags & MG_DNS_F_TC)
		return MG_DNS_STUB_TRUNCATED;
	nrr = (unsigned)r.hdr.ancount + r.hdr.nscount + r.hdr.arcount;
	for (unsigned i = 0; i < nrr; i++) {
		if (mg_dns_read_rr(&r, &rr))
			return -EBADMSG;
		if (rr.type != MG_DNS_T_OPT)
			continue;
		if (opt || i < nrr - r.hdr.arcount || mg_dns_edns_from_rr(&rr, &e))
			return -EBADMSG;
		opt = true;
		ext = e.ext_rcode;
	}
	*rcode = ext << 4 | MG_DNS_RCODE(r.hdr.flags);
	return 0;
}

/* Position r at the first answer RR (after the question of a checked response). */
static int
to_answers(struct mg_dns_reader *r, const uint8_t *resp, size_t len)
{
	struct mg_dns_question qu;

	if (mg_dns_reader_init(r, resp, len))
		return -EBADMSG;
	for (unsigned i = 0; i < r->hdr.qdcount; i++)
		if (mg_dns_read_question(r, &qu))
			return -EBADMSG;
	return 0;
}

int
mg_dns_stub_answer(const struct mg_dns_stub_query *q, const uint8_t *resp, size_t len,
		   size_t index, uint32_t *ttl, uint8_t *rdata, size_t rdata_cap,
		   size_t *rdlen)
{
	uint8_t cur[MG_DNS_NAME_MAX], next[MG_DNS_NAME_MAX];
	struct mg_dns_reader r;
	struct mg_dns_rr rr;
	size_t found = 0, next_len;

	memcpy(cur, q->qname, q->qname_len);
	for (unsigned hop = 0; hop <= MG_DNS_CNAME_CHAIN_MAX; hop++) {
		bool cname = false;
		if (to_answers(&r, resp, len))
			return -EBADMSG;
		for (unsigned i = 0; i < r.hdr.ancount; i++) {
			if (mg_dns_read_rr(&r, &rr))
				return -EBADMSG;
			if (rr.rclass != MG_DNS_C_IN || !mg_dns_name_equal(rr.owner, cur))
				continue;
			if (rr.type == q->qtype) {
				if (found++ != index)
					continue;
				*ttl = rr.ttl;
				return mg_dns_rdata_unpack(resp, len, &rr, rdata, rdata_cap, rdlen);
			}
			if (rr.type == MG_DNS_T_CNAME && !cname) {
				if (mg_dns_rdata_unpack(resp, len, &rr, next, sizeof next, &next_len))
					return -EBADMSG;
				cname = true;
			}
		}
		if (found > 0 || !cname)
			return -ENOENT;
		memcpy(cur, next, next_len);
	}
	return -ENOENT;
}
