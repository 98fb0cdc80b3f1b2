/* SPDX-License-Identifier: ISC */
/*
 * net_sim.h -- a simulated Ethernet link between two network devices in one process.
 *
 * Two complete stacks, each over one end of the link, talk to each other as over a
 * cable with a delay, a bandwidth limit and a bounded bottleneck queue, and as badly as
 * asked: frames are lost, duplicated, reordered and corrupted with the given
 * probabilities. The link is a device driver (netdev.h), so the stacks cannot tell it
 * from a real one and contain no test code.
 *
 * Deterministic: every random choice comes from a struct mg_rng seeded by the caller,
 * and time is the runtime's clock (on the unit tests' fake platform, a virtual clock that
 * jumps to the next event). The same seed and the same traffic give the same frames at
 * the same times; mg_sim_link_hash() digests all of them to check that.
 *
 * Frames are delivered from a timer callback of the event loop; frames in flight are
 * bounded (MG_SIM_FLIGHT_MAX per direction), as is the bottleneck queue.
 */
#ifndef MORGANA_NET_SIM_H
#define MORGANA_NET_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/netdev.h>

#define MG_SIM_FLIGHT_MAX	8192	/* frames in flight per direction */

/* Impairments of one direction; probabilities in parts per million of frames. */
struct mg_sim_link_config {
	uint64_t delay_ns;		/* one-way propagation delay */
	uint64_t jitter_ns;		/* plus a uniform [0, jitter) (reorders frames too) */
	uint64_t bandwidth_bps;		/* serialisation rate; 0: unlimited */
	uint32_t queue_bytes;		/* bottleneck queue; beyond it frames are dropped
					 * (0: 64 KiB; unused without a bandwidth) */
	uint32_t loss_ppm;
	uint32_t dup_ppm;		/* the copy arrives 1 us after the original */
	uint32_t reorder_ppm;		/* such a frame is held back reorder_ns more */
	uint64_t reorder_ns;		/* 0: 2 * delay_ns + 1 ms */
	uint32_t corrupt_ppm;		/* one random bit of the frame is flipped */
};

struct mg_sim_stats {
	uint64_t sent;			/* frames written by this side */
	uint64_t delivered;		/* frames handed to the other side (copies included) */
	uint64_t lost, duplicated, reordered, corrupted;
	uint64_t queue_drops;		/* bottleneck queue or flight limit full */
	uint64_t filtered;		/* dropped by the filter */
};

/*
 * A filter sees each frame a side sends (before impairments) and may drop it by
 * returning true; tests use it to lose exactly the segment they mean.
 */
typedef bool (*mg_sim_filter)(void *arg, unsigned from_side, const uint8_t *frame,
			      size_t len);

struct mg_sim_link;

/*
 * Create a link whose two ends are devices with MTU mtu (0: 1500) and MACs
 * 02:00:00:00:00:01 (side 0) and 02:00:00:00:00:02 (side 1), each set up with
 * mg_netdev_init() and ready for mg_net_create(). cfg applies to both directions
 * (NULL: a perfect link). Returns 0, -EINVAL or -ENOMEM.
 */
int mg_sim_link_create(uint16_t mtu, const struct mg_sim_link_config *cfg,
		       const uint8_t seed[32], struct mg_sim_link **out);
/* Free the link and its frames; the stacks over it MUST be destroyed first. */
void mg_sim_link_destroy(struct mg_sim_link *l);

struct mg_netdev *mg_sim_link_dev(struct mg_sim_link *l, unsigned side);
/* Change the impairments of the direction from side from_side on. */
void mg_sim_link_configure(struct mg_sim_link *l, unsigned from_side,
			   const struct mg_sim_link_config *cfg);
void mg_sim_link_set_filter(struct mg_sim_link *l, mg_sim_filter filter, void *arg);

/* Deliver a frame to side to_side as if it came over the link, after delay_ns. */
int mg_sim_link_inject(struct mg_sim_link *l, unsigned to_side, const void *frame,
		       size_t len, uint64_t delay_ns);

const struct mg_sim_stats *mg_sim_link_stats(const struct mg_sim_link *l, unsigned from_side);
/* FNV-1a over every delivered frame with its side and delivery time. */
uint64_t mg_sim_link_hash(const struct mg_sim_link *l);

#endif /* MORGANA_NET_SIM_H */
