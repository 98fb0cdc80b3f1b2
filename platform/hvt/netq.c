/* SPDX-License-Identifier: ISC */
/*
 * netq.c -- the guest's half of the hvt network rings (morgana/hvt_abi.h): frames are
 * copied into the TX ring and out of the RX ring in guest memory, and the tender's I/O
 * thread moves them to and from the TAP, so a busy network costs no VM exit. A kick
 * (MG_HVT_KICK, no exit to the tender's user space) is needed only when the tender said
 * it sleeps; the POLL call only when the unikernel has nothing else to do.
 *
 * The tender is trusted here as it is for every hypercall, but what it writes into the
 * rings is still bounded before use: a descriptor outside the ring is dropped, not
 * followed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/hvt_ring.h>

#include "hvt.h"

#define RING_DATA_MAX	(2u << 20)	/* per ring; more buys no more throughput */
#define HEAP_SHARE	32		/* the rings of a device take at most 1/32 of the heap */

struct netq {
	struct mg_hvt_ring_ctl *ctl;
	struct mg_hvt_ring_desc *tx_desc;
	const struct mg_hvt_ring_desc *rx_desc;
	uint8_t *tx_data;
	const uint8_t *rx_data;
	uint32_t data_size, frame_min, frame_max;
	uint32_t tx_prod, tx_cons, rx_cons;
	uint64_t rx_dropped;		/* descriptors the tender should not have written */
	struct mg_hvt_ring_alloc tx;
};

static struct netq *queues[MG_PLAT_HANDLE_MAX];

static uint32_t
load_shared(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
store_shared(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/*
 * Bytes of each ring's data for a heap of heap_size: 0 if the rings would not fit. At
 * least three maximal frames, so that the tender (which reads the TAP into room for one)
 * can keep reading while the guest holds two.
 */
static uint32_t
data_size_for(size_t heap_size, uint32_t frame_max)
{
	uint64_t min = (3 * mg_hvt_ring_round(frame_max) + 4095) & ~4095ull;
	uint64_t size = (heap_size / HEAP_SHARE / 2) & ~4095ull;

	if (size > RING_DATA_MAX)
		size = RING_DATA_MAX;
	if (size < min)
		size = min;
	return MG_HVT_RING_AREA(size) > heap_size / 4 ? 0 : (uint32_t)size;
}

int
mg_hvt_netq_setup(mg_plat_handle handle, uint32_t frame_max, uint32_t header_len,
		  size_t heap_size)
{
	uint32_t size = data_size_for(heap_size, frame_max);
	struct mg_hvt_net_rings r;
	struct netq *q;
	uint8_t *area;

	if (size == 0 || handle >= MG_PLAT_HANDLE_MAX)
		return -ENOMEM;
	q = calloc(1, sizeof(*q));
	area = aligned_alloc(4096, MG_HVT_RING_AREA(size));
	if (q == NULL || area == NULL)
		goto fail;
	memset(area, 0, MG_HVT_RING_DATA);
	r = (struct mg_hvt_net_rings){ .handle = handle, .area = (uintptr_t)area,
				       .data_size = size };
	mg_hvt_call(MG_HVT_CALL_NET_RINGS, &r);
	if (r.ret != 0)
		goto fail;
	q->ctl = (struct mg_hvt_ring_ctl *)(void *)area;
	q->tx_desc = (struct mg_hvt_ring_desc *)(void *)(area + MG_HVT_RING_TX_DESC);
	q->rx_desc = (const struct mg_hvt_ring_desc *)(void *)(area + MG_HVT_RING_RX_DESC);
	q->tx_data = area + MG_HVT_RING_DATA;
	q->rx_data = q->tx_data + size;
	q->data_size = size;
	q->frame_max = frame_max;
	q->frame_min = 14 + header_len;
	mg_hvt_ring_alloc_init(&q->tx, size);
	queues[handle] = q;
	return 0;
fail:
	free(area);
	free(q);
	return -ENOMEM;
}

bool
mg_hvt_netq_active(mg_plat_handle handle)
{
	return handle < MG_PLAT_HANDLE_MAX && queues[handle] != NULL;
}

/* After publishing an index: kick the tender if it sleeps and (rx) waits for room. */
static void
kick_if_asleep(const struct netq *q, bool rx)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_shared(&q->ctl->tender_idle) != 0 &&
	    (!rx || load_shared(&q->ctl->rx_stalled) != 0))
		mg_hvt_kick();
}

int
mg_hvt_netq_write(mg_plat_handle handle, const struct mg_plat_frame *frames, size_t count,
		  size_t *sent)
{
	struct netq *q = queues[handle];
	uint32_t cons = load_shared(&q->ctl->tx_cons);
	size_t n = 0;
	int64_t off;

	*sent = 0;
	for (size_t i = 0; i < count; i++)
		if (frames[i].len < q->frame_min || frames[i].len > q->frame_max)
			return -EINVAL;
	if (cons != q->tx_cons && cons - q->tx_cons <= q->tx_prod - q->tx_cons) {
		mg_hvt_ring_release(&q->tx, cons - 1);
		q->tx_cons = cons;
	}
	for (; n < count && q->tx_prod - q->tx_cons < MG_HVT_RING_SLOTS; n++) {
		off = mg_hvt_ring_reserve(&q->tx, (uint32_t)frames[n].len,
					  q->tx_prod == q->tx_cons);
		if (off < 0)
			break;
		memcpy(q->tx_data + off, frames[n].buf, frames[n].len);
		mg_hvt_ring_commit(&q->tx, q->tx_prod, (uint32_t)frames[n].len);
		q->tx_desc[q->tx_prod % MG_HVT_RING_SLOTS] = (struct mg_hvt_ring_desc){
			.off = (uint32_t)off, .len = (uint32_t)frames[n].len };
		q->tx_prod++;
	}
	if (n > 0) {
		store_shared(&q->ctl->tx_prod, q->tx_prod);
		kick_if_asleep(q, false);
	}
	*sent = n;
	return 0;
}

int
mg_hvt_netq_read(mg_plat_handle handle, struct mg_plat_frame *frames, size_t count,
		 size_t *received)
{
	struct netq *q = queues[handle];
	uint32_t prod = load_shared(&q->ctl->rx_prod);
	struct mg_hvt_ring_desc d;
	size_t n = 0;

	*received = 0;
	for (size_t i = 0; i < count; i++)
		if (frames[i].len < q->frame_max)
			return -EINVAL;
	if (prod - q->rx_cons > MG_HVT_RING_SLOTS)
		return -EIO;
	while (n < count && q->rx_cons != prod) {
		d = q->rx_desc[q->rx_cons++ % MG_HVT_RING_SLOTS];
		if (d.len > frames[n].len || d.len > q->data_size ||
		    d.off > q->data_size - d.len) {
			q->rx_dropped++;
			continue;
		}
		memcpy(frames[n].buf, q->rx_data + d.off, d.len);
		frames[n++].len = d.len;
	}
	store_shared(&q->ctl->rx_cons, q->rx_cons);
	kick_if_asleep(q, true);
	*received = n;
	return n > 0 ? 0 : -EAGAIN;
}

uint64_t
mg_hvt_netq_ready(void)
{
	uint64_t ready = 0;

	for (mg_plat_handle h = 0; h < MG_PLAT_HANDLE_MAX; h++)
		if (queues[h] != NULL && load_shared(&queues[h]->ctl->rx_prod) !=
					 queues[h]->rx_cons)
			ready |= 1ull << h;
	return ready;
}
