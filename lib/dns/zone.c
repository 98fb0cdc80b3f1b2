/* SPDX-License-Identifier: ISC */
/*
 * A zone's data: names in an open-addressing hash table (every ancestor of an owner down
 * from the apex is a node too, so empty non-terminals exist and lookups can walk down
 * label by label), RRsets as ranges of a sorted record array, names and RDATA in an
 * arena freed at once. Built by mg_dns_zone_add/finish, read by the engine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/dns.h>

#include "dns_int.h"

#define ARENA_CHUNK	65536
#define ZONE_RECS_MAX	(1u << 24)	/* bounds memory for any one zone */

struct dns_arena_chunk {
	struct dns_arena_chunk *next;
	size_t used, cap;
	uint8_t data[];
};

static void *
arena_alloc(struct mg_dns_zone *z, size_t n)
{
	struct dns_arena_chunk *c = z->arena;

	n = (n + 7) & ~(size_t)7;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->next = z->arena;
		c->used = 0;
		c->cap = cap;
		z->arena = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

int
mg_dns_zone_new(const uint8_t *apex, struct mg_dns_zone **zone)
{
	int len = mg_dns_name_len(apex, MG_DNS_NAME_MAX);
	struct mg_dns_zone *z;

	if (len < 0)
		return -EINVAL;
	z = calloc(1, sizeof *z);
	if (!z)
		return -ENOMEM;
	memcpy(z->apex, apex, (size_t)len);
	z->apex_len = (size_t)len;
	z->apex_labels = mg_dns_name_labels(apex);
	*zone = z;
	return 0;
}

void
mg_dns_zone_free(struct mg_dns_zone *z)
{
	if (!z)
		return;
	while (z->arena) {
		struct dns_arena_chunk *next = z->arena->next;
		free(z->arena);
		z->arena = next;
	}
	free(z->nodes);
	free(z->slots);
	free(z->recs);
	free(z->rrsets);
	free(z->order);
	free(z);
}

const uint8_t *
mg_dns_zone_apex(const struct mg_dns_zone *z)
{
	return z->apex;
}

size_t
mg_dns_zone_names(const struct mg_dns_zone *z)
{
	return z->nnodes;
}

size_t
mg_dns_zone_records(const struct mg_dns_zone *z)
{
	return z->nrecs;
}

const struct dns_node *
mg_dns_zone_find(const struct mg_dns_zone *z, const uint8_t *lname, size_t len, uint32_t hash)
{
	size_t mask = z->nslots - 1;

	if (!z->nslots)
		return NULL;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		uint32_t s = z->slots[i];
		if (!s)
			return NULL;
		const struct dns_node *n = &z->nodes[s - 1];
		if (n->hash == hash && n->name_len == len && memcmp(n->lname, lname, len) == 0)
			return n;
	}
}

const struct dns_rrset *
mg_dns_node_rrset(const struct mg_dns_zone *z, const struct dns_node *n, uint16_t type)
{
	for (uint32_t i = 0; i < n->rrset_count; i++)
		if (z->rrsets[n->rrset_first + i].type == type)
			return &z->rrsets[n->rrset_first + i];
	return NULL;
}

static int
grow_slots(struct mg_dns_zone *z)
{
	size_t nslots = z->nslots ? z->nslots * 2 : 64;
	uint32_t *slots = calloc(nslots, sizeof *slots);

	if (!slots)
		return -ENOMEM;
	for (size_t k = 0; k < z->nnodes; k++) {
		size_t i = z->nodes[k].hash & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = (uint32_t)k + 1;
	}
	free(z->slots);
	z->slots = slots;
	z->nslots = nslots;
	return 0;
}

/* The node for name (lowercased lname, hash), created if absent; its index in *idx. */
static int
node_get(struct mg_dns_zone *z, const uint8_t *name, const uint8_t *lname, size_t len,
	 uint32_t hash, uint32_t *idx)
{
	const struct dns_node *found = mg_dns_zone_find(z, lname, len, hash);
	struct dns_node *n;

	if (found) {
		*idx = (uint32_t)(found - z->nodes);
		return 0;
	}
	if ((z->nnodes + 1) * 2 > z->nslots && grow_slots(z))
		return -ENOMEM;
	if (z->nnodes == z->nodes_cap) {
		size_t cap = z->nodes_cap ? z->nodes_cap * 2 : 64;
		struct dns_node *nodes = realloc(z->nodes, cap * sizeof *nodes);
		if (!nodes)
			return -ENOMEM;
		z->nodes = nodes;
		z->nodes_cap = cap;
	}
	uint8_t *copy = arena_alloc(z, 2 * len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, name, len);
	memcpy(copy + len, lname, len);
	n = &z->nodes[z->nnodes];
	*n = (struct dns_node){ .name = copy, .lname = copy + len, .name_len = (uint8_t)len,
				.hash = hash };
	size_t i = hash & (z->nslots - 1);
	while (z->slots[i])
		i = (i + 1) & (z->nslots - 1);
	z->slots[i] = (uint32_t)z->nnodes + 1;
	*idx = (uint32_t)z->nnodes++;
	return 0;
}

static void
say(char *err, size_t cap, unsigned line, const char *what)
{
	if (cap == 0)
		return;
	if (line)
		snprintf(err, cap, "%u: %s", line, what);
	else
		snprintf(err, cap, "%s", what);
}

static bool
type_allowed(uint16_t type)
{
	/* OPT and the meta/query types (RFC 6895 section 3.1) are not data. */
	return type != 0 && type != MG_DNS_T_OPT && (type < 128 || type > 255);
}

int
mg_dns_zone_add(struct mg_dns_zone *z, const uint8_t *owner, uint16_t type, uint32_t ttl,
		const uint8_t *rdata, size_t rdlen, unsigned line, char *err, size_t err_cap)
{
	uint8_t lower[MG_DNS_NAME_MAX], offs[MG_DNS_NAME_MAX / 2 + 1];
	uint32_t hashes[MG_DNS_NAME_MAX / 2 + 1], idx = 0;
	unsigned labels;
	int rc;

	if (z->finished)
		return -EINVAL;
	if (mg_dns_name_len(owner, MG_DNS_NAME_MAX) < 0)
		return -EINVAL;
	if (!mg_dns_name_is_subdomain(owner, z->apex)) {
		say(err, err_cap, line, "owner name is outside the zone");
		return -EINVAL;
	}
	if (!type_allowed(type)) {
		say(err, err_cap, line, "this type cannot be zone data");
		return -EINVAL;
	}
	if (!mg_dns_rdata_valid(type, rdata, rdlen)) {
		say(err, err_cap, line, "malformed RDATA for this type");
		return -EINVAL;
	}
	if (ttl > 0x7fffffff) {
		say(err, err_cap, line, "TTL above 2147483647 (RFC 2181 section 8)");
		return -EINVAL;
	}
	if (z->nrecs >= ZONE_RECS_MAX) {
		say(err, err_cap, line, "too many records in one zone");
		return -E2BIG;
	}
	labels = mg_dns_suffix_hashes(owner, lower, hashes, offs);
	/* The apex and every name between it and the owner exist as nodes. */
	for (unsigned i = labels - z->apex_labels + 1; i-- > 0;) {
		size_t len = (size_t)(offs[labels] - offs[i]) + 1;
		if ((rc = node_get(z, owner + offs[i], lower + offs[i], len, hashes[i], &idx)))
			goto nomem;
	}
	if (z->nrecs == z->recs_cap) {
		size_t cap = z->recs_cap ? z->recs_cap * 2 : 256;
		struct dns_rec *recs = realloc(z->recs, cap * sizeof *recs);
		if (!recs)
			goto nomem;
		z->recs = recs;
		z->recs_cap = cap;
	}
	uint8_t *data = arena_alloc(z, rdlen ? rdlen : 1);
	if (!data)
		goto nomem;
	memcpy(data, rdata, rdlen);
	z->recs[z->nrecs] = (struct dns_rec){ .node = idx, .type = type, .len = (uint16_t)rdlen,
					      .ttl = ttl, .line = line, .data = data };
	z->nrecs++;
	return 0;
nomem:
	say(err, err_cap, line, "out of memory");
	return -ENOMEM;
}

static int
rec_order(const void *a, const void *b)
{
	const struct dns_rec *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	/* RDATA in canonical order (RFC 4034 6.3) puts duplicates side by side. */
	size_t common = x->len < y->len ? x->len : y->len;
	int d = memcmp(x->data, y->data, common);
	if (d)
		return d;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* qsort has no context argument; canonical order needs only the names. */
static int
node_name_order(const void *a, const void *b)
{
	const uint8_t *const *x = a, *const *y = b;

	return mg_dns_name_compare(*x, *y);
}

static bool
same_rdata(const struct dns_rec *a, const struct dns_rec *b)
{
	return a->node == b->node && a->type == b->type && a->len == b->len &&
	       memcmp(a->data, b->data, a->len) == 0;
}

/* Sort records, drop duplicates (RFC 2181 5.2), cut them into RRsets per node. */
static int
build_rrsets(struct mg_dns_zone *z)
{
	size_t kept = 0;

	qsort(z->recs, z->nrecs, sizeof *z->recs, rec_order);
	for (size_t i = 0; i < z->nrecs; i++) {
		if (kept > 0 && same_rdata(&z->recs[kept - 1], &z->recs[i]))
			continue;
		z->recs[kept++] = z->recs[i];
	}
	z->nrecs = kept;
	z->rrsets = malloc((z->nrecs ? z->nrecs : 1) * sizeof *z->rrsets);
	if (!z->rrsets)
		return -ENOMEM;
	for (size_t i = 0; i < z->nrecs; i++) {
		const struct dns_rec *r = &z->recs[i];
		struct dns_node *n = &z->nodes[r->node];
		if (i > 0 && r->node == z->recs[i - 1].node && r->type == z->recs[i - 1].type) {
			z->rrsets[z->nrrsets - 1].count++;
			continue;
		}
		if (n->rrset_count == 0)
			n->rrset_first = (uint32_t)z->nrrsets;
		n->rrset_count++;
		z->rrsets[z->nrrsets++] = (struct dns_rrset){ r->type, (uint32_t)i, 1 };
	}
	return 0;
}

/* The last line in the file of node's records: the one that broke a rule. */
static unsigned
last_line(const struct mg_dns_zone *z, const struct dns_node *n)
{
	unsigned line = 0;

	for (uint32_t i = 0; i < n->rrset_count; i++) {
		const struct dns_rrset *s = &z->rrsets[n->rrset_first + i];
		for (uint32_t k = 0; k < s->count; k++)
			if (z->recs[s->first + k].line > line)
				line = z->recs[s->first + k].line;
	}
	return line;
}

/* The rules of a zone's content; returns the line of the first broken one. */
static const char *
check_rules(struct mg_dns_zone *z, unsigned *line)
{
	size_t soas = 0;

	*line = 0;
	for (size_t i = 0; i < z->nrrsets; i++) {
		const struct dns_rrset *s = &z->rrsets[i];
		const struct dns_rec *r = &z->recs[s->first];
		const struct dns_node *n = &z->nodes[r->node];
		bool apex = n->name_len == z->apex_len;
		*line = last_line(z, n);
		if (s->type == MG_DNS_T_SOA) {
			if (!apex)
				return "SOA record below the zone's apex";
			if (s->count > 1)
				return "more than one SOA record at the apex";
			soas++;
		}
		if (s->type == MG_DNS_T_CNAME) {
			if (s->count > 1)
				return "more than one CNAME record at one name";
			if (n->rrset_count > 1)
				return "CNAME and other data at the same name";
		}
	}
	*line = 0;
	const struct dns_node *apex = &z->nodes[0];
	if (soas == 0)
		return "no SOA record at the zone's apex";
	if (!mg_dns_node_rrset(z, apex, MG_DNS_T_NS))
		return "no NS records at the zone's apex";
	return NULL;
}

/* Mark delegations and the names below them (found by walking up from each node). */
static void
mark_cuts(struct mg_dns_zone *z)
{
	for (size_t i = 1; i < z->nnodes; i++)
		if (mg_dns_node_rrset(z, &z->nodes[i], MG_DNS_T_NS))
			z->nodes[i].flags |= DNS_NODE_CUT;
	for (size_t i = 1; i < z->nnodes; i++) {
		struct dns_node *n = &z->nodes[i];
		const uint8_t *p = n->lname + 1 + n->lname[0];
		size_t len = n->name_len - 1u - n->lname[0];
		while (len > z->apex_len) {
			uint8_t lower[MG_DNS_NAME_MAX], offs[MG_DNS_NAME_MAX / 2 + 1];
			uint32_t hashes[MG_DNS_NAME_MAX / 2 + 1];
			mg_dns_suffix_hashes(p, lower, hashes, offs);
			const struct dns_node *up = mg_dns_zone_find(z, p, len, hashes[0]);
			if (up && (up->flags & DNS_NODE_CUT)) {
				n->flags |= DNS_NODE_OCCLUDED;
				break;
			}
			len -= 1u + *p;
			p += 1 + *p;
		}
	}
}

int
mg_dns_zone_finish(struct mg_dns_zone *z, const char *file, char *err, size_t err_cap)
{
	const char *why;
	unsigned line;
	int rc;

	if (z->finished)
		return -EINVAL;
	if (z->nnodes == 0) {
		snprintf(err, err_cap, "%s: no records", file);
		return -EINVAL;
	}
	if ((rc = build_rrsets(z)))
		goto nomem;
	if ((why = check_rules(z, &line))) {
		if (line)
			snprintf(err, err_cap, "%s:%u: %s", file, line, why);
		else
			snprintf(err, err_cap, "%s: %s", file, why);
		return -EINVAL;
	}
	mark_cuts(z);
	/* Sorting pointers to names, then mapping back by offset from the first node. */
	const uint8_t **names = malloc(z->nnodes * sizeof *names);
	z->order = malloc(z->nnodes * sizeof *z->order);
	if (!names || !z->order) {
		free(names);
		goto nomem;
	}
	for (size_t i = 0; i < z->nnodes; i++)
		names[i] = z->nodes[i].name;
	qsort(names, z->nnodes, sizeof *names, node_name_order);
	for (size_t i = 0; i < z->nnodes; i++) {
		uint8_t lower[MG_DNS_NAME_MAX], offs[MG_DNS_NAME_MAX / 2 + 1];
		uint32_t hashes[MG_DNS_NAME_MAX / 2 + 1];
		unsigned labels = mg_dns_suffix_hashes(names[i], lower, hashes, offs);
		const struct dns_node *n = mg_dns_zone_find(z, lower, offs[labels] + 1u, hashes[0]);
		z->order[i] = (uint32_t)(n - z->nodes);
	}
	free(names);
	z->finished = true;
	return 0;
nomem:
	snprintf(err, err_cap, "%s: out of memory", file);
	return -ENOMEM;
}
