/* SPDX-License-Identifier: ISC */
/*
 * net_tcp_sim.c -- TCP between two stacks over a simulated lossy link: every byte of a
 * bulk transfer each way arrives, over many seeds of loss, duplication, reordering and
 * corruption; and rerunning a seed gives the same frames bit for bit.
 *
 * TCP_SIM_SEEDS and TCP_SIM_BYTES (environment) override the sweep's size; `make
 * sim-full` runs the full sweep (docs/networking.md has the numbers).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_plat.h"
#include "tcp_sim.h"

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtoull(v, NULL, 0) : dflt;
}

static void
report_failure(uint64_t seed, const struct mg_sim_link_config *cfg,
	       const struct bulk_result *r)
{
	print_message("# seed %" PRIu64 ": delay %" PRIu64 " ms loss %u ppm dup %u reorder %u "
		      "corrupt %u bw %" PRIu64 ": %s (received %" PRIu64 "/%" PRIu64 ")\n",
		      seed, cfg->delay_ns / 1000000, cfg->loss_ppm, cfg->dup_ppm,
		      cfg->reorder_ppm, cfg->corrupt_ppm, cfg->bandwidth_bps, r->why,
		      r->bytes[0], r->bytes[1]);
}

static void
bulk_over_a_perfect_link_arrives_intact(void **state)
{
	struct bulk_result r;

	(void)state;
	sim_bulk(1, NULL, NULL, 4 << 20, &r);
	if (r.status != 0)
		print_message("# %s\n", r.why);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.bytes[0], 4 << 20);
	assert_int_equal(r.bytes[1], 4 << 20);
	assert_int_equal(r.retransmits, 0);
}

static void
bulk_over_lossy_links_arrives_intact_for_every_seed(void **state)
{
	uint64_t seeds = env_u64("TCP_SIM_SEEDS", 100), bytes = env_u64("TCP_SIM_BYTES", 1 << 20);
	uint64_t first = env_u64("TCP_SIM_FIRST_SEED", 1000), failed = 0;
	uint64_t rtx = 0, lost = 0, vt = 0;

	(void)state;
	for (uint64_t seed = first; seed < first + seeds; seed++) {
		struct mg_sim_link_config cfg;
		struct bulk_result r;

		sim_lossy_config(seed, 200000, &cfg);
		sim_bulk(seed, &cfg, NULL, bytes, &r);
		rtx += r.retransmits;
		lost += r.frames_lost;
		vt += r.virtual_ns;
		if (r.status == 0 && r.ip_frags_tx != 0)
			snprintf(r.why, sizeof(r.why), "%llu IP fragments sent",
				 (unsigned long long)r.ip_frags_tx);
		if (r.status != 0 || r.bytes[0] != bytes || r.bytes[1] != bytes ||
		    r.ip_frags_tx != 0) {
			report_failure(seed, &cfg, &r);
			failed++;
		}
	}
	print_message("# %" PRIu64 " seeds x %" PRIu64 " bytes each way: %" PRIu64
		      " frames lost, %" PRIu64 " retransmits, %" PRIu64 " s virtual\n",
		      seeds, bytes, lost, rtx, vt / 1000000000);
	assert_int_equal(failed, 0);
}

static void
rerunning_a_seed_gives_the_same_frames(void **state)
{
	struct mg_sim_link_config cfg;
	struct bulk_result a, b, c;

	(void)state;
	sim_lossy_config(77, 200000, &cfg);
	sim_bulk(77, &cfg, NULL, 256 << 10, &a);
	sim_bulk(77, &cfg, NULL, 256 << 10, &b);
	sim_bulk(78, &cfg, NULL, 256 << 10, &c);
	assert_int_equal(a.status, 0);
	assert_int_equal(b.status, 0);
	assert_true(a.hash == b.hash);
	assert_true(a.virtual_ns == b.virtual_ns);
	assert_true(a.hash != c.hash);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bulk_over_a_perfect_link_arrives_intact),
		cmocka_unit_test(rerunning_a_seed_gives_the_same_frames),
		cmocka_unit_test(bulk_over_lossy_links_arrives_intact_for_every_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
