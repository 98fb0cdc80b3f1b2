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

/* Every device counter moves through this, so that tracing sees it (netdev.h). */
#define NETDEV_COUNT(dev, name, n) \
	netdev_count(&(dev)->stats.name, (n), MG_NETDEV_COUNTER_ID(name))

static void flush_hook(void *arg);
static void retry_fire(void *arg);
static void drop_frames(struct mg_netdev *dev);

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

int
mg_netdev_init(struct mg_netdev *dev, size_t pool_count, size_t txq_max)
{
	size_t frame_max;
	int err;

	if (dev->ops == NULL || dev->ops->read == NULL || dev->ops->write == NULL ||
	    dev->mtu < 68)
		return -EINVAL;
	frame_max = (size_t)dev->mtu + MG_ETH_HDR_LEN;
	err = mg_pkt_pool_init(&dev->pool, pool_count ? pool_count : MG_NETDEV_POOL_COUNT,
			       MG_PKT_HEADROOM + frame_max);
	if (err != 0)
		return err;
	dev->drop_buf = malloc(frame_max);
	if (dev->drop_buf == NULL) {
		mg_pkt_pool_fini(&dev->pool);
		return -ENOMEM;
	}
	mg_list_init(&dev->txq);
	dev->txq_len = 0;
	dev->txq_max = txq_max ? txq_max : MG_NETDEV_TXQ_MAX;
	dev->receive = NULL;
	dev->receive_arg = NULL;
	memset(&dev->stats, 0, sizeof(dev->stats));
	mg_timer_init(&dev->retry_timer, retry_fire, dev);
	mg_runtime_add_flush_hook(&dev->flush_hook, flush_hook, dev);
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
	mg_pkt_pool_fini(&dev->pool);
}

void
mg_netdev_set_receiver(struct mg_netdev *dev, void (*receive)(void *arg, struct mg_pkt *frame),
		       void *arg)
{
	dev->receive = receive;
	dev->receive_arg = arg;
}

struct mg_pkt *
mg_netdev_alloc(struct mg_netdev *dev)
{
	return mg_pkt_alloc(&dev->pool, MG_PKT_HEADROOM);
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
	size_t n = 0, got = 0, frame_max = (size_t)dev->mtu + MG_ETH_HDR_LEN;
	int err;

	while (n < MG_NETDEV_BATCH && (pkts[n] = mg_netdev_alloc(dev)) != NULL) {
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
	return delivered;
}

int
mg_netdev_send(struct mg_netdev *dev, struct mg_pkt *frame)
{
	if (frame->len < MG_ETH_HDR_LEN || frame->len > (size_t)dev->mtu + MG_ETH_HDR_LEN) {
		NETDEV_COUNT(dev, tx_drop_too_long, 1);
		mg_pkt_free(frame);
		return -EMSGSIZE;
	}
	if (dev->txq_len >= dev->txq_max) {
		NETDEV_COUNT(dev, tx_drop_queue_full, 1);
		mg_pkt_free(frame);
		return -ENOBUFS;
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
