/* SPDX-License-Identifier: ISC */
/*
 * The authoritative engine: one query in, one response out (or a series, for AXFR over
 * TCP). The lookup follows RFC 1034 4.3.2 with the wildcard rules of RFC 4592; the
 * choices where the RFCs leave room are listed in docs/dns.md.
 */
#include <errno.h>
#include <string.h>

#include <morgana/dns.h>

#include "dns_int.h"

#define EXTRA_MAX 32	/* names whose addresses go into the additional section */

enum section { ANSWER, AUTHORITY, ADDITIONAL };

struct ctx {
	struct mg_dns_server *s;
	struct mg_dns_writer w;
	struct mg_dns_header h;
	struct mg_dns_question q;
	const struct mg_dns_zone *zone;
	bool edns, do_bit, truncated;
	size_t limit;		/* the most the client accepts */
	uint16_t client_payload;	/* from its OPT RR */
	size_t question_end;	/* where RRs start, to truncate back to */
	size_t question_names;
	const uint8_t *extra[EXTRA_MAX];
	size_t nextra;
	bool glue;		/* additional names may be glue (a referral) */
};

enum lookup { L_NODE, L_WILDCARD, L_CUT, L_NXDOMAIN };

void
mg_dns_server_init(struct mg_dns_server *s)
{
	memset(s, 0, sizeof *s);
	s->udp_payload_max = 1232;
	s->allow_axfr = true;
}

int
mg_dns_server_add_zone(struct mg_dns_server *s, const struct mg_dns_zone *zone)
{
	if (!zone->finished)
		return -EINVAL;
	for (size_t i = 0; i < s->nzones; i++)
		if (mg_dns_name_equal(s->zones[i]->apex, zone->apex))
			return -EEXIST;
	if (s->nzones == MG_DNS_ZONES_MAX)
		return -ENOSPC;
	s->zones[s->nzones++] = zone;
	return 0;
}

/* The zone with the longest apex that name is in, or NULL. */
static const struct mg_dns_zone *
find_zone(const struct mg_dns_server *s, const uint8_t *name)
{
	const struct mg_dns_zone *best = NULL;

	for (size_t i = 0; i < s->nzones; i++) {
		const struct mg_dns_zone *z = s->zones[i];
		if ((!best || z->apex_labels > best->apex_labels) &&
		    mg_dns_name_is_subdomain(name, z->apex))
			best = z;
	}
	return best;
}

/*
 * Find name (in z) for qtype: the node itself, the wildcard that matches it at its
 * closest encloser, the delegation above it, or NXDOMAIN (*out = closest encloser).
 */
static enum lookup
lookup(const struct mg_dns_zone *z, const uint8_t *name, uint16_t qtype,
       const struct dns_node **out)
{
	uint8_t lower[MG_DNS_NAME_MAX], offs[MG_DNS_NAME_MAX / 2 + 1], wild[MG_DNS_NAME_MAX];
	uint32_t hashes[MG_DNS_NAME_MAX / 2 + 1];
	unsigned labels = mg_dns_suffix_hashes(name, lower, hashes, offs);
	unsigned below = labels - z->apex_labels;
	const struct dns_node *ce = &z->nodes[0];

	/* Walk down from the apex; every ancestor of a name in the zone is a node. */
	for (unsigned i = below; i-- > 0;) {
		const struct dns_node *n =
			mg_dns_zone_find(z, lower + offs[i], offs[labels] - offs[i] + 1u, hashes[i]);
		if (!n)
			break;
		/* DS lives at the parent side of a cut (RFC 4035 3.1.4.1). */
		if ((n->flags & DNS_NODE_CUT) && !(i == 0 && qtype == MG_DNS_T_DS)) {
			*out = n;
			return L_CUT;
		}
		ce = n;
		if (i == 0)
			break;
	}
	if (ce->name_len == offs[labels] + 1u) {
		*out = ce;
		return L_NODE;
	}
	if (ce->name_len + 2u <= MG_DNS_NAME_MAX) {
		wild[0] = 1;
		wild[1] = '*';
		memcpy(wild + 2, ce->lname, ce->name_len);
		const struct dns_node *w = mg_dns_zone_find(z, wild, ce->name_len + 2u,
							 mg_dns_hash_label(ce->hash, wild));
		if (w) {
			*out = w;
			return L_WILDCARD;
		}
	}
	*out = ce;
	return L_NXDOMAIN;
}

static uint16_t *
section_count(struct ctx *c, enum section sec)
{
	return sec == ANSWER ? &c->h.ancount : sec == AUTHORITY ? &c->h.nscount : &c->h.arcount;
}

/*
 * Drop every RR. Over UDP set TC: the client asks again over TCP (RFC 2181 9). Over TCP
 * the message had all 64 KiB: SERVFAIL says the server cannot answer, where TC would
 * send the client round again.
 */
static void
truncate_response(struct ctx *c, enum mg_dns_transport t)
{
	c->w.len = c->question_end;
	c->w.nnames = c->question_names;
	c->h.ancount = c->h.nscount = c->h.arcount = 0;
	if (t == MG_DNS_TCP) {
		c->h.flags = (uint16_t)((c->h.flags & ~(0xfu | MG_DNS_F_AA)) |
					MG_DNS_R_SERVFAIL);
		c->s->stats.too_big++;
		return;
	}
	c->h.flags |= MG_DNS_F_TC;
	c->truncated = true;
}

/* Append a whole RRset or nothing; -ENOSPC if it does not fit. */
static int
put_rrset(struct ctx *c, enum section sec, const uint8_t *owner,
	  const struct dns_rrset *set, bool soa_negative)
{
	size_t len = c->w.len, nnames = c->w.nnames;
	const struct dns_rec *r = &c->zone->recs[set->first];

	for (uint32_t i = 0; i < set->count; i++, r++) {
		uint32_t ttl = r->ttl;
		if (soa_negative) {	/* RFC 2308 3: the negative-caching TTL */
			uint32_t minimum = dns_get32(r->data + r->len - 4);
			ttl = ttl < minimum ? ttl : minimum;
		}
		int rc = mg_dns_put_rr(&c->w, owner, r->type, MG_DNS_C_IN, ttl, r->data, r->len);
		if (rc) {
			c->w.len = len;
			c->w.nnames = nnames;
			return rc;
		}
	}
	*section_count(c, sec) += (uint16_t)set->count;
	return 0;
}

/* The names in set whose addresses belong in the additional section. */
static void
note_extra(struct ctx *c, const struct dns_rrset *set)
{
	size_t skip;

	switch (set->type) {
	case MG_DNS_T_NS: skip = 0; break;
	case MG_DNS_T_MX: skip = 2; break;
	case MG_DNS_T_SRV: skip = 6; break;
	default: return;
	}
	for (uint32_t i = 0; i < set->count && c->nextra < EXTRA_MAX; i++) {
		const uint8_t *name = c->zone->recs[set->first + i].data + skip;
		bool seen = false;
		for (size_t k = 0; k < c->nextra && !seen; k++)
			seen = mg_dns_name_equal(c->extra[k], name);
		if (!seen)
			c->extra[c->nextra++] = name;
	}
}

static const struct dns_node *
exact_node(const struct mg_dns_zone *z, const uint8_t *name)
{
	uint8_t lower[MG_DNS_NAME_MAX], offs[MG_DNS_NAME_MAX / 2 + 1];
	uint32_t hashes[MG_DNS_NAME_MAX / 2 + 1];
	unsigned labels = mg_dns_suffix_hashes(name, lower, hashes, offs);

	return mg_dns_zone_find(z, lower, offs[labels] + 1u, hashes[0]);
}

/* A and AAAA of the noted names that are in the zone; glue only in a referral. */
static int
add_extra(struct ctx *c)
{
	static const uint16_t types[] = { MG_DNS_T_A, MG_DNS_T_AAAA };

	for (size_t k = 0; k < c->nextra; k++) {
		const uint8_t *name = c->extra[k];
		if (!mg_dns_name_is_subdomain(name, c->zone->apex))
			continue;
		const struct dns_node *n = exact_node(c->zone, name);
		if (!n || ((n->flags & DNS_NODE_OCCLUDED) && !c->glue))
			continue;
		for (size_t t = 0; t < 2; t++) {
			const struct dns_rrset *set = mg_dns_node_rrset(c->zone, n, types[t]);
			if (!set || put_rrset(c, ADDITIONAL, n->name, set, false) == 0)
				continue;
			/* Missing glue would break the delegation (RFC 9471): the client
			 * must retry over TCP. Other additional data is optional. */
			if (c->glue && (n->flags & DNS_NODE_OCCLUDED))
				return -ENOSPC;
		}
	}
	return 0;
}

static int
negative(struct ctx *c)
{
	const struct dns_node *apex = &c->zone->nodes[0];

	return put_rrset(c, AUTHORITY, apex->name, mg_dns_node_rrset(c->zone, apex, MG_DNS_T_SOA),
			 true);
}

static bool
visited(const uint8_t *const *names, size_t n, const uint8_t *name)
{
	for (size_t i = 0; i < n; i++)
		if (mg_dns_name_equal(names[i], name))
			return true;
	return false;
}

/* Fill answer and authority for c->q in c->zone, following CNAMEs inside the zone. */
static int
answer(struct ctx *c)
{
	const uint8_t *name = c->q.name, *chain[MG_DNS_CNAME_CHAIN_MAX + 1];
	const struct dns_node *n;
	size_t nchain = 0;
	int rc;

	c->h.flags |= MG_DNS_F_AA;
	for (;;) {
		chain[nchain++] = name;
		switch (lookup(c->zone, name, c->q.type, &n)) {
		case L_CUT: {
			const struct dns_rrset *ns = mg_dns_node_rrset(c->zone, n, MG_DNS_T_NS);
			if (nchain == 1)
				c->h.flags &= (uint16_t)~MG_DNS_F_AA;
			c->s->stats.referrals++;
			c->glue = true;
			note_extra(c, ns);
			return put_rrset(c, AUTHORITY, n->name, ns, false);
		}
		case L_NXDOMAIN:
			c->h.flags = (uint16_t)((c->h.flags & ~0xfu) | MG_DNS_R_NXDOMAIN);
			c->s->stats.nxdomain++;
			return negative(c);
		case L_NODE:
		case L_WILDCARD:
			break;
		}
		const struct dns_rrset *set;
		if (c->q.type == MG_DNS_T_ANY)	/* RFC 8482 4.1: one RRset */
			set = n->rrset_count ? &c->zone->rrsets[n->rrset_first] : NULL;
		else
			set = mg_dns_node_rrset(c->zone, n, c->q.type);
		if (set) {
			note_extra(c, set);
			return put_rrset(c, ANSWER, name, set, false);
		}
		set = mg_dns_node_rrset(c->zone, n, MG_DNS_T_CNAME);
		if (!set) {
			c->s->stats.nodata++;
			return negative(c);
		}
		if ((rc = put_rrset(c, ANSWER, name, set, false)))
			return rc;
		name = c->zone->recs[set->first].data;
		/* Out of the zone, too long, or a loop: the client follows from here. */
		if (!mg_dns_name_is_subdomain(name, c->zone->apex) ||
		    nchain > MG_DNS_CNAME_CHAIN_MAX || visited(chain, nchain, name))
			return 0;
	}
}

/* ---- zone transfers ---------------------------------------------------------------- */

static int
xfer_put(struct mg_dns_writer *w, const struct mg_dns_zone *z, const struct dns_rec *r,
	 uint16_t *count)
{
	int rc = mg_dns_put_rr(w, z->nodes[r->node].name, r->type, MG_DNS_C_IN, r->ttl,
			       r->data, r->len);
	if (rc == 0)
		(*count)++;
	return rc;
}

/* Put as many of the transfer's remaining RRs into w as fit. */
static void
xfer_fill(struct mg_dns_xfer *x, struct mg_dns_writer *w, uint16_t *count)
{
	const struct mg_dns_zone *z = x->zone;
	const struct dns_rrset *soa = mg_dns_node_rrset(z, &z->nodes[0], MG_DNS_T_SOA);

	if (x->phase == 0) {
		if (xfer_put(w, z, &z->recs[soa->first], count))
			return;
		x->phase = 1;
	}
	for (; x->phase == 1 && x->node < z->nnodes; x->node++, x->rrset = 0) {
		const struct dns_node *n = &z->nodes[z->order[x->node]];
		for (; x->rrset < n->rrset_count; x->rrset++, x->rr = 0) {
			const struct dns_rrset *set = &z->rrsets[n->rrset_first + x->rrset];
			if (set == soa)
				continue;
			for (; x->rr < set->count; x->rr++)
				if (xfer_put(w, z, &z->recs[set->first + x->rr], count))
					return;
		}
	}
	x->phase = x->phase == 1 ? 2 : x->phase;
	if (x->phase == 2 && xfer_put(w, z, &z->recs[soa->first], count) == 0)
		x->phase = 3;
}

static int
xfer_message(struct mg_dns_xfer *x, struct mg_dns_writer *w, struct mg_dns_header *h)
{
	size_t cap = w->cap;
	uint16_t before = h->ancount;

	if (x->edns)
		w->cap -= MG_DNS_OPT_LEN;
	xfer_fill(x, w, &h->ancount);
	w->cap = cap;
	if (x->edns) {
		struct mg_dns_edns e = { .payload = x->payload, .do_bit = x->do_bit };
		if (mg_dns_put_opt(w, &e) == 0)
			h->arcount++;
	}
	mg_dns_writer_header(w, h);
	if (h->ancount == before && x->phase != 3)
		return -EMSGSIZE;	/* one RR larger than a whole message */
	return x->phase == 3 ? 0 : 1;
}

int
mg_dns_xfer_next(struct mg_dns_server *s, struct mg_dns_xfer *x, uint8_t *out,
		 size_t out_cap, size_t *out_len)
{
	struct mg_dns_writer w;
	struct mg_dns_header h = x->hdr;
	int rc;

	(void)s;
	if (x->phase == 3 || mg_dns_writer_init(&w, out, out_cap < MG_DNS_TCP_MAX ?
						  out_cap : MG_DNS_TCP_MAX))
		return -EINVAL;
	h.qdcount = h.ancount = h.nscount = h.arcount = 0;
	rc = xfer_message(x, &w, &h);
	*out_len = w.len;
	return rc;
}

/* ---- the query --------------------------------------------------------------------- */

static void
set_rcode(struct ctx *c, unsigned rcode)
{
	c->h.flags = (uint16_t)((c->h.flags & ~0xfu) | (rcode & 0xfu));
	switch (rcode) {
	case MG_DNS_R_FORMERR: c->s->stats.formerr++; break;
	case MG_DNS_R_NOTIMP: c->s->stats.notimp++; break;
	case MG_DNS_R_REFUSED: c->s->stats.refused++; break;
	case MG_DNS_R_BADVERS: c->s->stats.badvers++; break;
	}
}

/* Close the message: OPT (with the high bits of the rcode) and the header. */
static size_t
finish(struct ctx *c, unsigned rcode)
{
	c->w.cap = c->limit;
	if (c->edns) {
		struct mg_dns_edns e = { .payload = c->s->udp_payload_max,
					 .ext_rcode = (uint8_t)(rcode >> 4),
					 .do_bit = c->do_bit };
		if (mg_dns_put_opt(&c->w, &e) == 0)
			c->h.arcount++;
	}
	if (c->truncated)
		c->s->stats.truncated++;
	mg_dns_writer_header(&c->w, &c->h);
	return c->w.len;
}

/* Skip answer and authority; find the OPT RR. -EBADMSG means FORMERR. */
static int
read_rest(struct ctx *c, struct mg_dns_reader *r)
{
	struct mg_dns_rr rr;
	struct mg_dns_edns e;
	unsigned n = (unsigned)r->hdr.ancount + r->hdr.nscount;

	for (unsigned i = 0; i < n; i++)
		if (mg_dns_read_rr(r, &rr) || rr.type == MG_DNS_T_OPT)
			return -EBADMSG;
	for (unsigned i = 0; i < r->hdr.arcount; i++) {
		if (mg_dns_read_rr(r, &rr))
			return -EBADMSG;
		if (rr.type != MG_DNS_T_OPT)
			continue;
		if (c->edns || mg_dns_edns_from_rr(&rr, &e))
			return -EBADMSG;	/* RFC 6891 6.1.1: one OPT, owner root */
		c->edns = true;
		c->do_bit = e.do_bit;
		c->client_payload = e.payload;
		if (e.version > 0)
			return 1;
	}
	return 0;
}

/* The message size the client accepts, bounded by the server and the buffer. */
static size_t
size_limit(const struct ctx *c, enum mg_dns_transport t, size_t out_cap)
{
	size_t limit = MG_DNS_TCP_MAX;

	if (t == MG_DNS_UDP) {
		limit = MG_DNS_UDP_MIN;
		size_t server = c->s->udp_payload_max > limit ? c->s->udp_payload_max : limit;
		if (c->edns && c->client_payload > limit)
			limit = c->client_payload < server ? c->client_payload : server;
	}
	return limit < out_cap ? limit : out_cap;
}

static int
start_axfr(struct ctx *c, enum mg_dns_transport t, struct mg_dns_xfer *x)
{
	if (t != MG_DNS_TCP || !c->s->allow_axfr || !x ||
	    c->zone->nodes[0].name_len != c->q.name_len ||
	    !mg_dns_name_equal(c->zone->apex, c->q.name)) {
		set_rcode(c, MG_DNS_R_REFUSED);
		return 0;
	}
	c->s->stats.axfr++;
	memset(x, 0, sizeof *x);
	x->zone = c->zone;
	x->edns = c->edns;
	x->do_bit = c->do_bit;
	x->payload = c->s->udp_payload_max;
	x->hdr = c->h;
	x->hdr.flags |= MG_DNS_F_AA;
	c->h.flags |= MG_DNS_F_AA;
	c->w.cap = c->limit;
	return xfer_message(x, &c->w, &c->h) < 0 ? -EMSGSIZE : 2 + (x->phase != 3);
}

int
mg_dns_respond(struct mg_dns_server *s, const uint8_t *query, size_t query_len,
	       enum mg_dns_transport transport, uint8_t *out, size_t out_cap,
	       size_t *out_len, struct mg_dns_xfer *xfer)
{
	struct mg_dns_reader r;
	struct ctx c = { .s = s };
	unsigned rcode = MG_DNS_R_NOERROR;
	int rc;

	s->stats.queries++;
	if (mg_dns_reader_init(&r, query, query_len) || (r.hdr.flags & MG_DNS_F_QR)) {
		s->stats.dropped++;	/* nothing to answer to, or a response */
		return -EBADMSG;
	}
	if ((transport == MG_DNS_UDP && out_cap < MG_DNS_UDP_MIN) ||
	    mg_dns_writer_init(&c.w, out, out_cap))
		return -EINVAL;
	c.h.id = r.hdr.id;
	c.h.flags = (uint16_t)(MG_DNS_F_QR | (r.hdr.flags & (0x7800 | MG_DNS_F_RD | MG_DNS_F_CD)));
	c.limit = MG_DNS_UDP_MIN;
	if (MG_DNS_OPCODE(r.hdr.flags) != 0) {
		rcode = MG_DNS_R_NOTIMP;
		goto done;
	}
	if (r.hdr.qdcount != 1 || mg_dns_read_question(&r, &c.q)) {
		rcode = MG_DNS_R_FORMERR;
		goto done;
	}
	/* The question is echoed from here on, so a FORMERR below still names it. */
	if (mg_dns_put_question(&c.w, c.q.name, c.q.type, c.q.qclass))
		return -EINVAL;	/* out_cap >= 512 always holds a question */
	c.h.qdcount = 1;
	rc = read_rest(&c, &r);
	c.limit = size_limit(&c, transport, out_cap);
	if (rc < 0) {
		c.edns = false;	/* the OPT may be what was malformed */
		rcode = MG_DNS_R_FORMERR;
		goto done;
	}
	if (rc > 0) {
		rcode = MG_DNS_R_BADVERS;	/* RFC 6891 6.1.3: we speak version 0 */
		goto done;
	}
	c.question_end = c.w.len;
	c.question_names = c.w.nnames;
	c.w.cap = c.limit - (c.edns ? MG_DNS_OPT_LEN : 0);
	if (c.q.qclass != MG_DNS_C_IN && c.q.qclass != MG_DNS_C_ANY) {
		rcode = MG_DNS_R_REFUSED;
		goto done;
	}
	switch (c.q.type) {
	case MG_DNS_T_OPT:
		rcode = MG_DNS_R_FORMERR;
		goto done;
	case MG_DNS_T_IXFR: case MG_DNS_T_MAILA: case MG_DNS_T_MAILB:
		rcode = MG_DNS_R_NOTIMP;
		goto done;
	}
	c.zone = find_zone(s, c.q.name);
	if (!c.zone) {
		rcode = MG_DNS_R_REFUSED;
		goto done;
	}
	if (c.q.type == MG_DNS_T_AXFR) {
		rc = start_axfr(&c, transport, xfer);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			*out_len = c.w.len;
			return rc - 2;
		}
		rcode = MG_DNS_R_REFUSED;
		goto done;
	}
	if (answer(&c) || add_extra(&c))
		truncate_response(&c, transport);
	rcode = MG_DNS_RCODE(c.h.flags);
done:
	set_rcode(&c, rcode);
	*out_len = finish(&c, rcode);
	return 0;
}
