/* SPDX-License-Identifier: ISC */
/*
 * reasm.c -- IPv4 fragment reassembly, bounded: MG_NET_REASM_SLOTS datagrams at once,
 * MG_NET_REASM_FRAGS fragments each, MG_NET_REASM_TIMEOUT_NS to complete.
 *
 * Overlapping fragments are never merged: a fragment that overlaps another one of the
 * same datagram, other than an exact duplicate, drops the whole datagram (as RFC 5722
 * demands for IPv6), because overlap is how firewalls and IDSes are evaded, and no
 * honest sender produces it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/runtime.h>

#include "internal.h"

static struct reasm_slot *slot_get(struct mg_net *net, const struct mg_ipv4_hdr *h);
static void slot_free(struct reasm_slot *s);

static void
slot_free(struct reasm_slot *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/* The slot of h's datagram, or a new one; NULL (counted) if none is free. */
static struct reasm_slot *
slot_get(struct mg_net *net, const struct mg_ipv4_hdr *h)
{
	struct reasm_slot *free_slot = NULL;

	for (size_t i = 0; i < MG_NET_REASM_SLOTS; i++) {
		struct reasm_slot *s = &net->reasm[i];

		if (!s->used) {
			if (free_slot == NULL)
				free_slot = s;
			continue;
		}
		if (s->src == h->src && s->dst == h->dst && s->id == h->id &&
		    s->proto == h->proto)
			return s;
	}
	if (free_slot == NULL) {
		NET_COUNT(net, ipv4, reasm_no_slot);
		return NULL;
	}
	free_slot->buf = malloc(MG_IPV4_MAX_LEN);
	if (free_slot->buf == NULL) {
		NET_COUNT(net, ipv4, reasm_no_slot);
		return NULL;
	}
	free_slot->used = true;
	free_slot->src = h->src;
	free_slot->dst = h->dst;
	free_slot->id = h->id;
	free_slot->proto = h->proto;
	free_slot->deadline_ns = mg_now_ns() + MG_NET_REASM_TIMEOUT_NS;
	mg_net_schedule(net);
	return free_slot;
}

void
mg_reasm_input(struct mg_net *net, const struct mg_ipv4_hdr *h, const uint8_t *buf)
{
	size_t start = h->frag_off, len = (size_t)h->total_len - h->hdr_len, end = start + len;
	struct reasm_slot *s;
	struct mg_ipv4_rx rx;

	/* Every fragment but the last carries a non-empty multiple of 8 bytes. */
	if (h->mf && (len == 0 || len % 8 != 0)) {
		NET_COUNT(net, ipv4, reasm_bad);
		return;
	}
	if ((s = slot_get(net, h)) == NULL)
		return;
	for (size_t i = 0; i < s->nranges; i++) {
		if (s->ranges[i].start == start && s->ranges[i].end == end)
			return;		/* a duplicate: harmless */
		if (start < s->ranges[i].end && s->ranges[i].start < end) {
			NET_COUNT(net, ipv4, reasm_overlap);
			goto drop;
		}
	}
	if (s->nranges == MG_NET_REASM_FRAGS || (s->total != 0 && end > s->total) ||
	    (!h->mf && s->total != 0 && end != s->total)) {
		NET_COUNT(net, ipv4, reasm_bad);
		goto drop;
	}
	if (!h->mf) {
		for (size_t i = 0; i < s->nranges; i++)
			if (s->ranges[i].end > end) {
				NET_COUNT(net, ipv4, reasm_bad);
				goto drop;
			}
		s->total = end;
	}
	if (start == 0) {
		memcpy(s->hdr, buf, h->hdr_len);
		s->hdr_len = h->hdr_len;
	}
	/* The parser bounds frag_off + total_len by 65535, so end fits in buf. */
	memcpy(s->buf + start, buf + h->hdr_len, len);
	s->ranges[s->nranges++] = (struct reasm_range){ (uint16_t)start, (uint16_t)end };
	s->received += len;
	if (s->total == 0 || s->received != s->total || s->hdr_len == 0)
		return;
	NET_COUNT(net, ipv4, reasm_ok);
	rx = (struct mg_ipv4_rx){
		.src = s->src, .dst = s->dst, .proto = s->proto, .ttl = s->hdr[8],
		.tos = s->hdr[1],
		.to_broadcast = s->dst == MG_IPV4_BROADCAST || s->dst == net->subnet_bcast,
		.ip_hdr = s->hdr, .ip_hdr_len = s->hdr_len,
		.payload = s->buf, .len = s->total,
	};
	mg_ipv4_deliver(net, &rx);
drop:
	slot_free(s);
}

uint64_t
mg_reasm_tick(struct mg_net *net, uint64_t now)
{
	uint64_t next = MG_FOREVER;

	for (size_t i = 0; i < MG_NET_REASM_SLOTS; i++) {
		struct reasm_slot *s = &net->reasm[i];

		if (!s->used)
			continue;
		if (s->deadline_ns <= now) {
			NET_COUNT(net, ipv4, reasm_timeout);
			slot_free(s);
			continue;
		}
		if (s->deadline_ns < next)
			next = s->deadline_ns;
	}
	return next;
}

void
mg_reasm_free_all(struct mg_net *net)
{
	for (size_t i = 0; i < MG_NET_REASM_SLOTS; i++)
		if (net->reasm[i].used)
			slot_free(&net->reasm[i]);
}
