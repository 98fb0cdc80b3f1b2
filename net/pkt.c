/* SPDX-License-Identifier: ISC */
/*
 * pkt.c -- packet buffers from bounded pools: one allocation per pool, a free list, and
 * push/pull/put arithmetic that refuses to step outside the buffer.
 */
#include <errno.h>
#include <stdlib.h>

#include <morgana/pkt.h>

int
mg_pkt_pool_init(struct mg_pkt_pool *pool, size_t count, size_t buf_size)
{
	if (count == 0 || count > MG_PKT_POOL_MAX_COUNT || buf_size == 0 ||
	    buf_size > MG_PKT_BUF_MAX)
		return -EINVAL;
	/* Buffers start 64-byte aligned so that headers of equal headroom line up. */
	buf_size = (buf_size + 63) & ~(size_t)63;
	pool->pkts = calloc(count, sizeof(*pool->pkts));
	pool->mem = aligned_alloc(64, count * buf_size);
	if (pool->pkts == NULL || pool->mem == NULL) {
		free(pool->pkts);
		free(pool->mem);
		pool->pkts = NULL;
		pool->mem = NULL;
		return -ENOMEM;
	}
	mg_list_init(&pool->free);
	for (size_t i = 0; i < count; i++) {
		struct mg_pkt *p = &pool->pkts[i];

		p->buf = pool->mem + i * buf_size;
		p->size = buf_size;
		p->pool = pool;
		mg_list_push_back(&pool->free, &p->link);
	}
	pool->count = count;
	pool->buf_size = buf_size;
	pool->in_use = 0;
	pool->in_use_max = 0;
	pool->alloc_failures = 0;
	return 0;
}

void
mg_pkt_pool_fini(struct mg_pkt_pool *pool)
{
	free(pool->pkts);
	free(pool->mem);
	pool->pkts = NULL;
	pool->mem = NULL;
	pool->count = 0;
}

struct mg_pkt *
mg_pkt_alloc(struct mg_pkt_pool *pool, size_t headroom)
{
	struct mg_list *node;
	struct mg_pkt *p;

	if (headroom > pool->buf_size)
		return NULL;
	node = mg_list_pop_front(&pool->free);
	if (node == NULL) {
		pool->alloc_failures++;
		return NULL;
	}
	p = mg_container_of(node, struct mg_pkt, link);
	p->data = p->buf + headroom;
	p->len = 0;
	p->off = (struct mg_pkt_offload){ 0 };
	if (++pool->in_use > pool->in_use_max)
		pool->in_use_max = pool->in_use;
	return p;
}

void
mg_pkt_free(struct mg_pkt *p)
{
	if (p == NULL)
		return;
	p->pool->in_use--;
	mg_list_push_front(&p->pool->free, &p->link);
}

void *
mg_pkt_push(struct mg_pkt *p, size_t n)
{
	if (n > mg_pkt_headroom(p))
		return NULL;
	p->data -= n;
	p->len += n;
	return p->data;
}

void *
mg_pkt_pull(struct mg_pkt *p, size_t n)
{
	if (n > p->len)
		return NULL;
	p->data += n;
	p->len -= n;
	return p->data;
}

void *
mg_pkt_put(struct mg_pkt *p, size_t n)
{
	uint8_t *tail = p->data + p->len;

	if (n > mg_pkt_tailroom(p))
		return NULL;
	p->len += n;
	return tail;
}

void
mg_pkt_trim(struct mg_pkt *p, size_t len)
{
	if (p->len > len)
		p->len = len;
}
