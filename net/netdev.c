/* SPDX-License-Identifier: ISC */
/*
 * netdev.c -- the generic half of a network device: batched reads into pool packets,
 * a bounded TX queue flushed in batches before the loop blocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/log.h>
#include <morgana/netdev.h>
#include <morgana/runtime.h>
#include <morgana/trace.h>

MG_LOG_SOURCE(netdev_log, "netdev");

/* When the device is full, try again this much later even if nothing else happens. */
#define TX_RETRY_NS	(1000 * 1000)

/* A super-segment: an IPv4 datagram of up to 65535 bytes in one frame. */
#define GSO_FRAME_MAX	(MG_ETH_HDR_LEN + MG_IPV4_MAX_LEN)
/* Every device counter moves through this, so that tracing sees it (netdev.h). */
#define NETDEV_COUNT(dev, name, n) \
	netdev_count(&(dev)->stats.name, (n), MG_NETDEV_COUNTER_ID(name))

static void flush_hook(void *arg);
static void retry_fire(void *arg);
static void drop_frames(struct mg_netdev *dev);
static int offloads_apply(struct mg_netdev *dev, uint32_t offloads);
static int rx_header(struct mg_netdev *dev, struct mg_pkt *p);
static int tx_header(struct mg_pkt *p);
static void csum_complete(struct mg_pkt *p);
static struct mg_pkt *rx_alloc(struct mg_netdev *dev, size_t n);

static inline void
netdev_count(uint64_t *counter, uint64_t n, uint32_t trace_id)
{
	if (n == 0)
		return;
	*counter += n;
	mg_trace(MG_TRACE_COUNTER, trace_id, *counter);
}

static void
flush_hook(void *arg)
{
	mg_netdev_flush(arg);
}

static void
retry_fire(void *arg)
{
	mg_netdev_flush(arg);
}

/*
 * How many 64 KiB packets the offloads get: MG_NETDEV_BIG_COUNT where the heap is
 * unbounded or large, fewer where it is small (a website in --mem=8 cannot give 3 MiB
 * to them), never fewer than MG_NETDEV_BIG_COUNT_MIN. A read takes at most a third of
 * them, so that output always finds some.
 */
static size_t
big_pool_count(size_t buf_size)
{
	struct mg_mem_usage u;
	size_t n;

	mg_mem_usage(&u);
	if (u.heap_size == 0)
		return MG_NETDEV_BIG_COUNT;
	n = u.heap_size / MG_NETDEV_BIG_HEAP_DIV / buf_size;
	if (n < MG_NETDEV_BIG_COUNT_MIN)
		return MG_NETDEV_BIG_COUNT_MIN;
	return n < MG_NETDEV_BIG_COUNT ? n : MG_NETDEV_BIG_COUNT;
}

/* The read buffer size and the big pool that offloads need; drop_buf is resized by the
 * caller. */
static int
offloads_apply(struct mg_netdev *dev, uint32_t offloads)
{
	struct mg_plat_net_info info = { .mtu = dev->mtu, .offloads = offloads };
	bool big = (offloads & MG_PLAT_NET_VNET_HDR) &&
		   (offloads & (MG_PLAT_NET_TSO4 | MG_PLAT_NET_GUEST_TSO4));
	int err;

	if (offloads != 0 && !(offloads & MG_PLAT_NET_VNET_HDR))
		return -EINVAL;
	if (big && dev->big.count == 0) {
		size_t buf_size = MG_PKT_HEADROOM + MG_PLAT_NET_FRAME_MAX;
		size_t count = big_pool_count(buf_size);

		err = mg_pkt_pool_init(&dev->big, count, buf_size);
		if (err != 0)
			return err;
		dev->big_rx_batch = count / 3 < MG_NETDEV_BIG_RX_BATCH ? count / 3
								 : MG_NETDEV_BIG_RX_BATCH;
	} else if (!big && dev->big.count != 0) {
		mg_pkt_pool_fini(&dev->big);
	}
	dev->offloads = offloads;
	dev->rx_frame_max = mg_plat_net_frame_max(&info);
	return 0;
}

int
mg_netdev_init(struct mg_netdev *dev, size_t pool_count, size_t txq_max)
{
	size_t frame_max;
	int err;

	if (dev->ops == NULL || dev->ops->read == NULL || dev->ops->write == NULL ||
	    dev->mtu < 68)
		return -EINVAL;
	frame_max = (size_t)dev->mtu + MG_ETH_HDR_LEN;
	/* Room for the virtio-net header too, which goes into the headroom on output. */
	err = mg_pkt_pool_init(&dev->pool, pool_count ? pool_count : MG_NETDEV_POOL_COUNT,
			       MG_PKT_HEADROOM + MG_VNET_HDR_LEN + frame_max);
	if (err != 0)
		return err;
	memset(&dev->big, 0, sizeof(dev->big));
	if ((err = offloads_apply(dev, dev->offloads)) != 0)
		goto fail;
	dev->drop_buf = malloc(dev->rx_frame_max);
	if (dev->drop_buf == NULL) {
		err = -ENOMEM;
		goto fail;
	}
	mg_list_init(&dev->txq);
	dev->txq_len = 0;
	dev->txq_max = txq_max ? txq_max : MG_NETDEV_TXQ_MAX;
	dev->receive = NULL;
	dev->receive_end = NULL;
	dev->receive_arg = NULL;
	memset(&dev->stats, 0, sizeof(dev->stats));
	mg_timer_init(&dev->retry_timer, retry_fire, dev);
	mg_runtime_add_flush_hook(&dev->flush_hook, flush_hook, dev);
	return 0;
fail:
	if (dev->big.count != 0)
		mg_pkt_pool_fini(&dev->big);
	mg_pkt_pool_fini(&dev->pool);
	return err;
}

int
mg_netdev_set_offloads(struct mg_netdev *dev, uint32_t offloads)
{
	uint32_t old = dev->offloads;
	uint8_t *drop;
	int err;

	if (dev->pool.in_use != 0 || dev->big.in_use != 0 || dev->txq_len != 0)
		return -EBUSY;
	if ((err = offloads_apply(dev, offloads)) != 0)
		return err;
	drop = realloc(dev->drop_buf, dev->rx_frame_max);
	if (drop == NULL) {
		(void)offloads_apply(dev, old);
		return -ENOMEM;
	}
	dev->drop_buf = drop;
	return 0;
}

static void
drop_frames(struct mg_netdev *dev)
{
	struct mg_list *node;

	while ((node = mg_list_pop_front(&dev->txq)) != NULL)
		mg_pkt_free(mg_container_of(node, struct mg_pkt, link));
	dev->txq_len = 0;
}

void
mg_netdev_fini(struct mg_netdev *dev)
{
	if (dev->ops->close != NULL)
		dev->ops->close(dev);
	mg_runtime_remove_flush_hook(&dev->flush_hook);
	mg_timer_cancel(&dev->retry_timer);
	drop_frames(dev);
	free(dev->drop_buf);
	dev->drop_buf = NULL;
	if (dev->big.count != 0)
		mg_pkt_pool_fini(&dev->big);
	mg_pkt_pool_fini(&dev->pool);
}

void
mg_netdev_set_receiver(struct mg_netdev *dev, void (*receive)(void *arg, struct mg_pkt *frame),
		       void (*end)(void *arg), void *arg)
{
	dev->receive = receive;
	dev->receive_end = end;
	dev->receive_arg = arg;
}

struct mg_pkt *
mg_netdev_alloc(struct mg_netdev *dev)
{
	return mg_pkt_alloc(&dev->pool, MG_PKT_HEADROOM);
}

struct mg_pkt *
mg_netdev_alloc_size(struct mg_netdev *dev, size_t size)
{
	if (MG_PKT_HEADROOM + size <= dev->pool.buf_size)
		return mg_pkt_alloc(&dev->pool, MG_PKT_HEADROOM);
	if (dev->big.count == 0 || MG_PKT_HEADROOM + size > dev->big.buf_size)
		return NULL;
	/* Reads always find their batch: input frees what it takes before it returns,
	 * output can hold 64 KiB packets in the queue until the next flush. */
	if (dev->big.in_use + dev->big_rx_batch >= dev->big.count)
		return NULL;
	return mg_pkt_alloc(&dev->big, MG_PKT_HEADROOM);
}

/* A read buffer for the device: an ordinary packet when a frame fits in one. */
static struct mg_pkt *
rx_alloc(struct mg_netdev *dev, size_t n)
{
	if (MG_PKT_HEADROOM + dev->rx_frame_max <= dev->pool.buf_size)
		return mg_netdev_alloc(dev);
	if (n >= dev->big_rx_batch)
		return NULL;
	return mg_pkt_alloc(&dev->big, MG_PKT_HEADROOM);
}

/*
 * Take the virtio-net header off a frame just read and note what it says in p->off.
 * Returns 0 or -EINVAL (malformed: the frame is to be dropped).
 */
static int
rx_header(struct mg_netdev *dev, struct mg_pkt *p)
{
	struct mg_vnet_hdr h;

	if (mg_vnet_hdr_parse(p->data, p->len, &h) != 0 ||
	    p->len < MG_VNET_HDR_LEN + MG_ETH_HDR_LEN) {
		NETDEV_COUNT(dev, rx_drop_bad_hdr, 1);
		return -EINVAL;
	}
	(void)mg_pkt_pull(p, MG_VNET_HDR_LEN);
	if (h.flags & MG_VNET_F_NEEDS_CSUM) {
		p->off.csum = MG_PKT_CSUM_PARTIAL;
		p->off.csum_start = (uint32_t)mg_pkt_headroom(p) + h.csum_start;
		p->off.csum_offset = h.csum_offset;
	} else if (h.flags & MG_VNET_F_DATA_VALID) {
		p->off.csum = MG_PKT_CSUM_VALID;
	}
	if ((h.gso_type & (uint8_t)~MG_VNET_GSO_ECN) == MG_VNET_GSO_TCPV4) {
		p->off.gso_type = MG_PKT_GSO_TCPV4;
		p->off.gso_size = h.gso_size;
		NETDEV_COUNT(dev, rx_gso_frames, 1);
	}
	return 0;
}

/* Complete a partial checksum, as the device would have. */
static void
csum_complete(struct mg_pkt *p)
{
	size_t start = p->off.csum_start - mg_pkt_headroom(p);
	uint8_t *field = p->data + start + p->off.csum_offset;

	mg_put_be16(field, mg_csum_finish(mg_csum_partial(p->data + start, p->len - start,
							  0)));
	p->off.csum = MG_PKT_CSUM_NONE;
}

/* Put the virtio-net header that asks for p->off in front of frame p. Returns 0 or
 * -ENOBUFS (no headroom). */
static int
tx_header(struct mg_pkt *p)
{
	struct mg_vnet_hdr h = { 0 };
	size_t start = 0;

	if (p->off.csum == MG_PKT_CSUM_PARTIAL) {
		start = p->off.csum_start - mg_pkt_headroom(p);
		h.flags = MG_VNET_F_NEEDS_CSUM;
		h.csum_start = (uint16_t)start;
		h.csum_offset = p->off.csum_offset;
	}
	if (p->off.gso_type == MG_PKT_GSO_TCPV4) {
		h.gso_type = MG_VNET_GSO_TCPV4;
		h.gso_size = p->off.gso_size;
		/* Headers up to the end of the TCP header, whose data offset says how long. */
		h.hdr_len = (uint16_t)(start + (p->data[start + 12] >> 4) * 4);
	}
	if (mg_pkt_push(p, MG_VNET_HDR_LEN) == NULL)
		return -ENOBUFS;
	(void)mg_vnet_hdr_emit(p->data, p->len, &h);
	return 0;
}

/*
 * One driver read into as many pool packets as we can get. With the pool empty the
 * frames still have to leave the device -- input is level-triggered and would otherwise
 * spin the loop -- so one is read into drop_buf and counted.
 */
static int
poll_batch(struct mg_netdev *dev, size_t *delivered)
{
	struct mg_plat_frame frames[MG_NETDEV_BATCH];
	struct mg_pkt *pkts[MG_NETDEV_BATCH];
	size_t n = 0, got = 0, frame_max = dev->rx_frame_max;
	int err;

	while (n < MG_NETDEV_BATCH && (pkts[n] = rx_alloc(dev, n)) != NULL) {
		frames[n].buf = pkts[n]->data;
		frames[n].len = frame_max;
		n++;
	}
	if (n == 0) {
		frames[0].buf = dev->drop_buf;
		frames[0].len = frame_max;
		err = dev->ops->read(dev, frames, 1, &got);
		if (err == 0)
			NETDEV_COUNT(dev, rx_drop_nobuf, got);
		else if (err != -EAGAIN)
			NETDEV_COUNT(dev, rx_errors, 1);
		return err;
	}
	err = dev->ops->read(dev, frames, n, &got);
	if (err != 0 && err != -EAGAIN) {
		NETDEV_COUNT(dev, rx_errors, 1);
		mg_log_debug(&netdev_log, "read failed: %d", err);
	}
	if (got > 0)
		NETDEV_COUNT(dev, rx_batches, 1);
	for (size_t i = 0; i < n; i++) {
		if (i >= got || err != 0) {
			mg_pkt_free(pkts[i]);
			continue;
		}
		pkts[i]->len = frames[i].len;
		NETDEV_COUNT(dev, rx_frames, 1);
		NETDEV_COUNT(dev, rx_bytes, frames[i].len);
		if ((dev->offloads & MG_PLAT_NET_VNET_HDR) && rx_header(dev, pkts[i]) != 0) {
			mg_pkt_free(pkts[i]);
			continue;
		}
		(*delivered)++;
		if (dev->receive != NULL)
			dev->receive(dev->receive_arg, pkts[i]);
		else
			mg_pkt_free(pkts[i]);
	}
	return err != 0 ? err : (got < n ? -EAGAIN : 0);
}

size_t
mg_netdev_poll(struct mg_netdev *dev, size_t max_batches)
{
	size_t delivered = 0;

	for (size_t b = 0; b < max_batches; b++)
		if (poll_batch(dev, &delivered) != 0)
			break;
	if (delivered > 0 && dev->receive_end != NULL)
		dev->receive_end(dev->receive_arg);
	return delivered;
}

int
mg_netdev_send(struct mg_netdev *dev, struct mg_pkt *frame)
{
	size_t max = (size_t)dev->mtu + MG_ETH_HDR_LEN;

	if (frame->off.gso_type != MG_PKT_GSO_NONE)
		max = (dev->offloads & MG_PLAT_NET_TSO4) ? GSO_FRAME_MAX : 0;
	if (frame->len < MG_ETH_HDR_LEN || frame->len > max) {
		NETDEV_COUNT(dev, tx_drop_too_long, 1);
		mg_pkt_free(frame);
		return -EMSGSIZE;
	}
	if (dev->txq_len >= dev->txq_max) {
		NETDEV_COUNT(dev, tx_drop_queue_full, 1);
		mg_pkt_free(frame);
		return -ENOBUFS;
	}
	if (frame->off.csum == MG_PKT_CSUM_PARTIAL && !(dev->offloads & MG_PLAT_NET_CSUM)) {
		csum_complete(frame);
		NETDEV_COUNT(dev, tx_csum_sw, 1);
	}
	if (dev->offloads & MG_PLAT_NET_VNET_HDR) {
		if (tx_header(frame) != 0) {
			NETDEV_COUNT(dev, tx_drop_queue_full, 1);
			mg_pkt_free(frame);
			return -ENOBUFS;
		}
		if (frame->off.gso_type != MG_PKT_GSO_NONE)
			NETDEV_COUNT(dev, tx_gso_frames, 1);
	}
	mg_list_push_back(&dev->txq, &frame->link);
	dev->txq_len++;
	return 0;
}

void
mg_netdev_flush(struct mg_netdev *dev)
{
	while (dev->txq_len > 0) {
		struct mg_plat_frame frames[MG_NETDEV_BATCH];
		struct mg_list *node = dev->txq.next;
		size_t n = 0, sent = 0, ok;
		int err;

		for (; n < MG_NETDEV_BATCH && node != &dev->txq; node = node->next, n++) {
			struct mg_pkt *p = mg_container_of(node, struct mg_pkt, link);

			frames[n].buf = p->data;
			frames[n].len = p->len;
		}
		err = dev->ops->write(dev, frames, n, &sent);
		ok = sent;
		if (err != 0) {
			/* The batch is lost; queueing it again would only fail again. */
			mg_log_debug(&netdev_log, "write failed: %d", err);
			NETDEV_COUNT(dev, tx_errors, n - sent);
			sent = n;
		}
		if (sent > 0)
			NETDEV_COUNT(dev, tx_batches, 1);
		for (size_t i = 0; i < sent; i++) {
			struct mg_pkt *p = mg_container_of(mg_list_pop_front(&dev->txq),
							   struct mg_pkt, link);

			if (i < ok) {
				NETDEV_COUNT(dev, tx_frames, 1);
				NETDEV_COUNT(dev, tx_bytes, p->len);
			}
			dev->txq_len--;
			mg_pkt_free(p);
		}
		if (sent < n) {
			mg_timer_arm(&dev->retry_timer, mg_now_ns() + TX_RETRY_NS);
			return;
		}
	}
}
