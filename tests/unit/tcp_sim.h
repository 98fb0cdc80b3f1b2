/* SPDX-License-Identifier: ISC */
/*
 * tcp_sim.h -- test harness: two stacks with TCP over a simulated link (net_sim.h),
 * run on the fake platform's virtual clock, and a bulk transfer that checks every byte.
 */
#ifndef TCP_SIM_H
#define TCP_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/net.h>
#include <morgana/net_sim.h>
#include <morgana/tcp.h>

#define SIM_ADDR0	0x0a000001u	/* 10.0.0.1, side 0 */
#define SIM_ADDR1	0x0a000002u	/* 10.0.0.2, side 1 */
#define SIM_PORT	5001

/* The link's MTU for the next sim_open() (default 1500). */
extern uint16_t sim_mtu;

struct sim {
	struct mg_sim_link *link;
	struct mg_net *net[2];
	struct mg_tcp *tcp[2];
	struct mg_rng rng[2];		/* TCP's randomness, from the seed */
};

/* Link with cfg (NULL: perfect) seeded from seed; TCP with tcfg[i] (NULL: defaults)
 * and a generator seeded from seed (whatever tcfg's rng says).
 * Must run inside the runtime (fake_run). Returns 0 or a negative errno. */
int sim_open(struct sim *s, uint64_t seed, const struct mg_sim_link_config *cfg,
	     const struct mg_tcp_config *tcfg0, const struct mg_tcp_config *tcfg1);
void sim_close(struct sim *s);

/* The byte at offset i of the stream numbered stream (deterministic, position-dependent). */
uint8_t sim_pattern(uint64_t stream, uint64_t i);

struct bulk_result {
	int status;			/* 0: both streams arrived intact and both closed */
	char why[160];
	uint64_t bytes[2];		/* received by side 0, 1 */
	uint64_t hash;			/* mg_sim_link_hash() at the end */
	uint64_t virtual_ns;		/* virtual time the transfer took */
	uint64_t retransmits, timeouts, fast_retransmits;
	uint64_t ip_frags_tx;		/* TCP must never make IP fragment its segments */
	uint64_t frames_lost, frames_dup, frames_reordered, frames_corrupt;
};

/* One transfer: side 0 connects to side 1, each sends bytes_each to the other at once
 * (a writer and a reader fiber per side), then both shut down and close. */
void sim_bulk(uint64_t seed, const struct mg_sim_link_config *cfg,
	      const struct mg_tcp_config *tcfg, uint64_t bytes_each,
	      struct bulk_result *out);

/* A link config with loss up to max_loss_ppm and the other impairments, from seed. */
void sim_lossy_config(uint64_t seed, uint32_t max_loss_ppm, struct mg_sim_link_config *cfg);

/* A frame's TCP segment, if it carries one. */
struct sim_seg {
	uint32_t src, dst;
	struct mg_tcp_hdr h;
	size_t len;			/* payload bytes */
};
bool sim_parse(const uint8_t *frame, size_t len, struct sim_seg *out);

/* Deliver to side to_side a TCP segment from src:sport to dst:dport, as if side
 * 1 - to_side had sent it (its MAC), with a right checksum. */
int sim_inject_tcp(struct sim *s, unsigned to_side, uint32_t src, uint16_t sport,
		   uint32_t dst, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
		   uint16_t window, const void *payload, size_t len);

#endif /* TCP_SIM_H */
