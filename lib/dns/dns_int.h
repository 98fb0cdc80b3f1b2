/* SPDX-License-Identifier: ISC */
/*
 * dns_int.h -- what the files of lib/dns share and nobody else sees: the zone's tables
 * (built by zone.c, read by server.c) and small helpers.
 */
#ifndef MORGANA_DNS_INT_H
#define MORGANA_DNS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/dns.h>

/* ASCII-only: DNS names compare case-insensitively on A-Z alone (RFC 4343). */
static inline uint8_t
dns_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

static inline uint16_t
dns_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
dns_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
dns_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
dns_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One \X or \DDD escape at text[*i] (the backslash) → *octet; moves *i past it. */
int mg_dns_unescape(const char *text, size_t len, size_t *i, uint8_t *octet);

/*
 * Hash of a lowercased wire name, built label by label from the root, so that the hash
 * of every suffix of a name is a by-product of hashing it (mg_dns_suffix_hashes).
 */
#define DNS_HASH_INIT 2166136261u
uint32_t mg_dns_hash_label(uint32_t h, const uint8_t *label);
/* Lowercase name into lower; hashes[i] is the hash of the suffix starting at label i
 * (i = 0 the whole name); offs[i] its offset. Returns the number of labels. */
unsigned mg_dns_suffix_hashes(const uint8_t *name, uint8_t lower[MG_DNS_NAME_MAX],
			   uint32_t hashes[MG_DNS_NAME_MAX / 2 + 1],
			   uint8_t offs[MG_DNS_NAME_MAX / 2 + 1]);

/* ---- the zone's tables ------------------------------------------------------------- */

struct dns_rec {
	uint32_t node;		/* index in zone->nodes */
	uint16_t type, len;
	uint32_t ttl;
	uint32_t line;
	const uint8_t *data;	/* uncompressed RDATA in the arena */
};

struct dns_rrset {
	uint16_t type;
	uint32_t first, count;	/* records zone->recs[first .. first+count) */
};

#define DNS_NODE_CUT	  0x1	/* NS below the apex: a delegation */
#define DNS_NODE_OCCLUDED 0x2	/* below a delegation: glue only */

struct dns_node {
	const uint8_t *name;	/* as written in the zone */
	const uint8_t *lname;	/* lowercased, for lookup */
	uint8_t name_len, flags;
	uint32_t hash;
	uint32_t rrset_first, rrset_count;
};

struct dns_arena_chunk;

struct mg_dns_zone {
	uint8_t apex[MG_DNS_NAME_MAX];
	size_t apex_len;
	unsigned apex_labels;
	bool finished;
	struct dns_arena_chunk *arena;
	struct dns_node *nodes;
	size_t nnodes, nodes_cap;
	uint32_t *slots;	/* hash table of node index + 1; 0 is empty */
	size_t nslots;		/* a power of two, at least twice nnodes */
	struct dns_rec *recs;
	size_t nrecs, recs_cap;
	struct dns_rrset *rrsets;
	size_t nrrsets;
	uint32_t *order;	/* node indexes in canonical order, for AXFR */
};

/* Exact lookup of a lowercased name with its hash; NULL if absent. */
const struct dns_node *mg_dns_zone_find(const struct mg_dns_zone *z, const uint8_t *lname,
				     size_t len, uint32_t hash);
const struct dns_rrset *mg_dns_node_rrset(const struct mg_dns_zone *z,
				       const struct dns_node *n, uint16_t type);

/* Zone-file RDATA in text → uncompressed wire (zone_rdata.c). */
struct dns_token {
	const char *text;
	size_t len;
	bool quoted;
};
int mg_dns_rdata_from_text(uint16_t type, const struct dns_token *tok, size_t ntok,
			const uint8_t *origin, uint8_t *out, size_t cap, size_t *out_len,
			char *why, size_t why_cap);
/* TTL with optional units (1h30m); -EINVAL if malformed or above 2^31-1. */
int mg_dns_ttl_from_text(const char *text, size_t len, uint32_t *ttl);

#endif /* MORGANA_DNS_INT_H */
