/* SPDX-License-Identifier: ISC */
/*
 * netdev.h -- network devices: where Ethernet frames come from and go to.
 *
 * A struct mg_netdev is the stack's view of one link. The generic part (net/netdev.c)
 * does the batching: on input it reads up to MG_NETDEV_BATCH frames per driver call into
 * packets of the device's pool and hands them one by one to the receiver; on output it
 * queues frames (bounded) and sends the queue in as few driver calls as possible from a
 * runtime flush hook, i.e. once per loop pass, just before the unikernel blocks. On hvt
 * that is one VM exit per batch, not per frame.
 *
 * Offloads. A driver whose frames carry the virtio-net header (plat.h's
 * MG_PLAT_NET_VNET_HDR, e.g. a TAP opened with IFF_VNET_HDR) says so in dev->offloads.
 * The generic part then reads and writes that header, so that the stack only sees
 * Ethernet frames and their struct mg_pkt_offload: on input whether the device checked
 * the transport checksum and whether the frame is a coalesced TCP super-segment; on
 * output whether the device should complete a checksum and cut a super-segment into
 * segments. A packet asking for a checksum the device does not offer gets it computed
 * here, so senders may ask regardless. Devices that take super-segments or hand out
 * coalesced frames get a second, smaller pool of 64 KiB buffers for them.
 *
 * A driver fills in the ops. mg_netdev_plat_open() makes a device over the platform ABI
 * (mg_plat_net_*); tests and simulations supply their own ops (a simulated link, a
 * wrapper that drops or corrupts frames, a capture), and the stack cannot tell.
 */
#ifndef MORGANA_NETDEV_H
#define MORGANA_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/list.h>
#include <morgana/net_wire.h>
#include <morgana/pkt.h>
#include <morgana/plat.h>
#include <morgana/runtime.h>
#include <morgana/timer.h>

#define MG_NETDEV_BATCH		32	/* frames per driver call */
#define MG_NETDEV_TXQ_MAX	256	/* frames queued for sending, default */
#define MG_NETDEV_POOL_COUNT	512	/* packets in a device's pool, default */
#define MG_NETDEV_BIG_COUNT	48	/* 64 KiB packets, for devices with offloads, at most */
#define MG_NETDEV_BIG_COUNT_MIN	6	/* ... and at least, however small the heap */
#define MG_NETDEV_BIG_HEAP_DIV	8	/* they take at most 1/8 of a bounded heap */
#define MG_NETDEV_BIG_RX_BATCH	16	/* of which one read takes at most this many */

struct mg_netdev;

struct mg_netdev_ops {
	/*
	 * Read up to count frames into frames[i].buf (each frames[i].len bytes, at least
	 * mg_plat_net_frame_max() of the device), set their lengths, *received = how
	 * many. Same contract as mg_plat_net_read(): 0 with *received >= 1, -EAGAIN when
	 * nothing is waiting, or another negative errno.
	 */
	int (*read)(struct mg_netdev *dev, struct mg_plat_frame *frames, size_t count,
		    size_t *received);
	/* Send up to count frames in order; *sent = how many the device took (fewer means
	 * full: retry later). Same contract as mg_plat_net_write(). */
	int (*write)(struct mg_netdev *dev, const struct mg_plat_frame *frames, size_t count,
		     size_t *sent);
	/* Optional: release the driver's resources (stop watching for input). */
	void (*close)(struct mg_netdev *dev);
};

struct mg_netdev_stats {
	uint64_t rx_frames, rx_bytes;
	uint64_t tx_frames, tx_bytes;
	uint64_t rx_batches, tx_batches;	/* driver calls that moved frames */
	uint64_t rx_drop_nobuf;		/* frames read and dropped: pool empty */
	uint64_t rx_errors;		/* driver read errors */
	uint64_t tx_drop_queue_full;	/* frames refused: TX queue full */
	uint64_t tx_drop_too_long;	/* frames refused: longer than mtu + 14 */
	uint64_t tx_errors;		/* frames lost to driver write errors */
	uint64_t rx_drop_bad_hdr;	/* frames with a malformed virtio-net header */
	uint64_t rx_gso_frames;		/* coalesced super-segments received */
	uint64_t tx_gso_frames;		/* super-segments handed to the device */
	uint64_t tx_csum_sw;		/* checksums completed here for the device */
};

/* While tracing is on (trace.h), each change of a field of struct mg_netdev_stats is an
 * MG_TRACE_COUNTER event with this id (its position) and the new value; see
 * mg_net_counter_name() in net.h. */
#define MG_TRACE_NETDEV_COUNTERS	0x6d00
#define MG_NETDEV_COUNTER_ID(name) ((uint32_t)(MG_TRACE_NETDEV_COUNTERS + \
	offsetof(struct mg_netdev_stats, name) / sizeof(uint64_t)))

struct mg_netdev {
	/* Set by the driver before mg_netdev_init(). */
	const struct mg_netdev_ops *ops;
	void *driver;			/* the driver's own state */
	struct mg_mac mac;
	uint16_t mtu;			/* largest IP packet; frames are up to mtu + 14 */
	uint32_t offloads;		/* MG_PLAT_NET_* of plat.h; 0: plain frames */

	/* Set by the receiver (the stack) with mg_netdev_set_receiver(). */
	void (*receive)(void *arg, struct mg_pkt *frame);
	void (*receive_end)(void *arg);
	void *receive_arg;

	/* Private to netdev.c. */
	struct mg_pkt_pool pool;
	struct mg_pkt_pool big;		/* 64 KiB packets; count 0 without offloads */
	size_t big_rx_batch;		/* of which one read takes at most this many */
	size_t rx_frame_max;		/* bytes each read buffer offers the driver */
	struct mg_list txq;
	size_t txq_len, txq_max;
	struct mg_runtime_hook flush_hook;
	struct mg_timer retry_timer;
	uint8_t *drop_buf;		/* reads land here when the pool is empty */
	struct mg_netdev_stats stats;
};

/*
 * Set up the generic part of dev, whose driver fields (ops, driver, mac, mtu, offloads)
 * are set: a pool of pool_count packets (0: MG_NETDEV_POOL_COUNT) big enough for a
 * frame plus MG_PKT_HEADROOM, with offloads that need them up to MG_NETDEV_BIG_COUNT
 * 64 KiB ones (fewer in a small heap: at most 1/MG_NETDEV_BIG_HEAP_DIV of it), an empty
 * TX queue of at most txq_max frames (0: MG_NETDEV_TXQ_MAX), and the flush hook.
 * Returns 0, -EINVAL (mtu below 68, ops incomplete, offloads without
 * MG_PLAT_NET_VNET_HDR) or -ENOMEM.
 */
int mg_netdev_init(struct mg_netdev *dev, size_t pool_count, size_t txq_max);

/*
 * Change the offloads of an initialised device whose packets are all free (before a
 * stack uses it): for drivers that learn them late, such as the simulated link.
 * Returns 0, -EINVAL, -EBUSY (packets in use) or -ENOMEM (offloads unchanged).
 */
int mg_netdev_set_offloads(struct mg_netdev *dev, uint32_t offloads);

/* Undo mg_netdev_init() and call ops->close; queued frames are dropped. */
void mg_netdev_fini(struct mg_netdev *dev);

/*
 * Frames received from now on go to receive(arg, frame); the receiver owns the frame
 * (frame->data is the Ethernet header) and MUST free it with mg_pkt_free(). After the
 * last frame of each mg_netdev_poll() that delivered any, end(arg) is called (if not
 * NULL): the receiver's chance to answer a whole batch at once (TCP's ACKs).
 */
void mg_netdev_set_receiver(struct mg_netdev *dev, void (*receive)(void *arg,
			    struct mg_pkt *frame), void (*end)(void *arg), void *arg);

/*
 * Read what the device has waiting, a batch per driver call, at most max_batches calls,
 * and deliver it. Drivers call this when input is waiting (the plat driver from its
 * mg_runtime_watch() callback). Returns the number of frames delivered.
 */
size_t mg_netdev_poll(struct mg_netdev *dev, size_t max_batches);

/*
 * Queue frame (a whole Ethernet frame at frame->data, its offload requests in
 * frame->off) for sending; always takes ownership. A super-segment (gso_type set) may
 * be up to 14 + 65535 bytes on a device with MG_PLAT_NET_TSO4, other frames up to
 * mtu + 14. Returns 0, -ENOBUFS (queue full, or no headroom for the device's header;
 * frame dropped and counted) or -EMSGSIZE (too long or shorter than 14; dropped and
 * counted).
 */
int mg_netdev_send(struct mg_netdev *dev, struct mg_pkt *frame);

/* Send the queue now (the flush hook does this on every loop pass). */
void mg_netdev_flush(struct mg_netdev *dev);

/* A packet of dev's pool with MG_PKT_HEADROOM, or NULL when the pool is empty. */
struct mg_pkt *mg_netdev_alloc(struct mg_netdev *dev);

/* The same with room for at least size bytes after the headroom: a 64 KiB packet when
 * an ordinary one is too small. NULL when no pool has one. */
struct mg_pkt *mg_netdev_alloc_size(struct mg_netdev *dev, size_t size);

/*
 * A device over the platform ABI: acquire the manifest's network device name, and watch
 * its handle so that input is polled from the event loop. dev is the caller's memory.
 * Returns 0, an error of mg_plat_net_acquire(), mg_netdev_init() or mg_runtime_watch().
 */
int mg_netdev_plat_open(struct mg_netdev *dev, const char *name);

#endif /* MORGANA_NETDEV_H */
