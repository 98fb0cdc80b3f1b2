/* SPDX-License-Identifier: ISC */
/*
 * pkt.h -- packet buffers and bounded pools of them.
 *
 * A packet is one contiguous buffer with the valid bytes [data, data + len) somewhere
 * inside it. Room before data (headroom) lets each layer prepend its header with
 * mg_pkt_push() without copying what the layers above wrote; room after it (tailroom)
 * lets the builder append. A packet comes from a pool: a fixed number of buffers of one
 * size allocated once, so memory for packets is bounded and allocation is O(1). An empty
 * pool is not an error of the pool's user: mg_pkt_alloc() returns NULL and counts it,
 * and the caller drops what it was going to build (and counts that too).
 *
 * A packet has one owner at a time; functions that take a packet say whether they take
 * ownership. Nothing here is thread-safe; there is one thread.
 */
#ifndef MORGANA_PKT_H
#define MORGANA_PKT_H

#include <stddef.h>
#include <stdint.h>

#include <morgana/list.h>

/* Headroom every transmit packet of the stack starts with: Ethernet (14) + IPv4 with
 * options (60) + TCP with options (60), rounded up. */
#define MG_PKT_HEADROOM		160

struct mg_pkt_pool;

/*
 * What a device with offloads (netdev.h) did to a received packet or is asked to do with
 * one to send. All zero (nothing) when a packet is allocated.
 */
#define MG_PKT_CSUM_NONE	0	/* checksums are whole (send) / unchecked (receive) */
#define MG_PKT_CSUM_PARTIAL	1	/* the transport checksum is to be completed over
					 * [csum_start, end); the field at csum_start +
					 * csum_offset holds the pseudo-header sum */
#define MG_PKT_CSUM_VALID	2	/* receive: the device checked the checksum */
#define MG_PKT_GSO_NONE		0
#define MG_PKT_GSO_TCPV4	1	/* a TCP/IPv4 super-segment of gso_size segments */

struct mg_pkt_offload {
	uint8_t csum;		/* MG_PKT_CSUM_* */
	uint8_t gso_type;	/* MG_PKT_GSO_* */
	uint16_t gso_size;	/* payload bytes per segment */
	uint32_t csum_start;	/* offset from the start of the buffer, so that it stays
				 * put while headers are pushed and pulled */
	uint16_t csum_offset;
};

struct mg_pkt {
	/* Free for the owner: queues of packets link through it. Unlinked when allocated. */
	struct mg_list link;
	uint8_t *data;		/* first valid byte */
	size_t len;		/* valid bytes */
	struct mg_pkt_offload off;
	/* Private to pkt.c. */
	uint8_t *buf;
	size_t size;
	struct mg_pkt_pool *pool;
};

struct mg_pkt_pool {
	/* Private to pkt.c; read the counters through the fields below. */
	struct mg_list free;
	struct mg_pkt *pkts;
	uint8_t *mem;
	size_t count;		/* packets in the pool */
	size_t buf_size;	/* bytes per buffer */
	size_t in_use;		/* allocated now */
	size_t in_use_max;	/* high-water mark */
	uint64_t alloc_failures;	/* mg_pkt_alloc() found the pool empty */
};

/* Pool limits: at most this many packets, each at most this many bytes. */
#define MG_PKT_POOL_MAX_COUNT	65536
#define MG_PKT_BUF_MAX		(64 * 1024 + 256)	/* a 64 KiB frame, header, headroom */

/*
 * Allocate count buffers of buf_size bytes in one block. Returns 0, -EINVAL (count or
 * buf_size is 0 or above the limits) or -ENOMEM.
 */
int mg_pkt_pool_init(struct mg_pkt_pool *pool, size_t count, size_t buf_size);

/* Free the pool's memory. Every packet MUST have been returned. */
void mg_pkt_pool_fini(struct mg_pkt_pool *pool);

/*
 * A packet with len 0 and data headroom bytes into the buffer, or NULL if the pool is
 * empty (counted in alloc_failures) or headroom exceeds the buffer size.
 */
struct mg_pkt *mg_pkt_alloc(struct mg_pkt_pool *pool, size_t headroom);

/* Return p to its pool; NULL is a no-op. p MUST NOT be on a list. */
void mg_pkt_free(struct mg_pkt *p);

static inline size_t
mg_pkt_headroom(const struct mg_pkt *p)
{
	return (size_t)(p->data - p->buf);
}

static inline size_t
mg_pkt_tailroom(const struct mg_pkt *p)
{
	return p->size - mg_pkt_headroom(p) - p->len;
}

/* Grow the packet by n bytes at the front; returns the new data, or NULL (nothing
 * changed) if the headroom is smaller than n. */
void *mg_pkt_push(struct mg_pkt *p, size_t n);

/* Drop n bytes from the front; returns the new data, or NULL (nothing changed) if the
 * packet is shorter than n. */
void *mg_pkt_pull(struct mg_pkt *p, size_t n);

/* Grow the packet by n bytes at the end; returns where they start, or NULL (nothing
 * changed) if the tailroom is smaller than n. */
void *mg_pkt_put(struct mg_pkt *p, size_t n);

/* Cut the packet to len bytes; a no-op if it is not longer. */
void mg_pkt_trim(struct mg_pkt *p, size_t len);

#endif /* MORGANA_PKT_H */
