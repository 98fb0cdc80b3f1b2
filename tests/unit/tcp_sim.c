/* SPDX-License-Identifier: ISC */
/*
 * tcp_sim.c -- the harness of tcp_sim.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/fiber.h>
#include <morgana/runtime.h>

#include "fake_plat.h"
#include "tcp_sim.h"

#define CHUNK		16384
#define BULK_TIMEOUT_NS	(4ull * 3600 * 1000000000)	/* virtual */

uint16_t sim_mtu = 1500;

int
sim_open(struct sim *s, uint64_t seed, const struct mg_sim_link_config *cfg,
	 const struct mg_tcp_config *tcfg0, const struct mg_tcp_config *tcfg1)
{
	uint8_t key[32] = { 0 };
	struct mg_net_config nc[2] = {
		{ .addr = SIM_ADDR0, .prefix_len = 24 },
		{ .addr = SIM_ADDR1, .prefix_len = 24 },
	};
	int err;

	memset(s, 0, sizeof(*s));
	memcpy(key, &seed, sizeof(seed));
	if ((err = mg_sim_link_create(sim_mtu, cfg, key, &s->link)) != 0)
		return err;
	for (unsigned i = 0; i < 2; i++) {
		const struct mg_tcp_config *given = i == 0 ? tcfg0 : tcfg1;
		struct mg_tcp_config tc = { 0 };

		if (given != NULL)
			tc = *given;
		key[31] = (uint8_t)(i + 1);
		mg_rng_init(&s->rng[i], key);
		tc.rng = &s->rng[i];
		if ((err = mg_net_create(mg_sim_link_dev(s->link, i), &nc[i], &s->net[i])) != 0)
			return err;
		if ((err = mg_tcp_create(s->net[i], &tc, &s->tcp[i])) != 0)
			return err;
	}
	return 0;
}

void
sim_close(struct sim *s)
{
	for (unsigned i = 0; i < 2; i++) {
		mg_tcp_destroy(s->tcp[i]);
		mg_net_destroy(s->net[i]);
	}
	mg_sim_link_destroy(s->link);
}

uint8_t
sim_pattern(uint64_t stream, uint64_t i)
{
	uint64_t x = (i >> 3) ^ (stream * 0x9e3779b97f4a7c15ull);

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return (uint8_t)(x >> (8 * (i & 7)));
}

void
sim_lossy_config(uint64_t seed, uint32_t max_loss_ppm, struct mg_sim_link_config *cfg)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	memset(cfg, 0, sizeof(*cfg));
	cfg->delay_ns = (1 + x % 40) * 1000000ull;		/* 1..40 ms */
	cfg->jitter_ns = (x >> 8) % 4 == 0 ? 2000000 : 0;
	cfg->bandwidth_bps = (x >> 12) % 2 ? 100000000ull : 0;	/* 100 Mbit/s or none */
	cfg->loss_ppm = max_loss_ppm ? (uint32_t)((x >> 16) % (max_loss_ppm + 1)) : 0;
	cfg->dup_ppm = (uint32_t)((x >> 36) % 20000);		/* up to 2 % */
	cfg->reorder_ppm = (uint32_t)((x >> 44) % 20000);
	cfg->corrupt_ppm = (uint32_t)((x >> 52) % 10000);	/* up to 1 % */
}

bool
sim_parse(const uint8_t *frame, size_t len, struct sim_seg *out)
{
	struct mg_eth_hdr eth;
	struct mg_ipv4_hdr ip;

	if (mg_eth_parse(frame, len, &eth) != 0 || eth.type != MG_ETHERTYPE_IPV4)
		return false;
	frame += MG_ETH_HDR_LEN;
	len -= MG_ETH_HDR_LEN;
	if (mg_ipv4_parse(frame, len, &ip) != 0 || ip.proto != MG_IP_PROTO_TCP ||
	    ip.mf || ip.frag_off != 0)
		return false;
	if (mg_tcp_parse(frame + ip.hdr_len, ip.total_len - ip.hdr_len, &out->h) != 0)
		return false;
	out->src = ip.src;
	out->dst = ip.dst;
	out->len = ip.total_len - ip.hdr_len - out->h.hdr_len;
	return true;
}

int
sim_inject_tcp(struct sim *s, unsigned to_side, uint32_t src, uint16_t sport, uint32_t dst,
	       uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t window,
	       const void *payload, size_t len)
{
	uint8_t frame[1514];
	struct mg_eth_hdr eth = { .dst = mg_sim_link_dev(s->link, to_side)->mac,
				  .src = mg_sim_link_dev(s->link, 1 - to_side)->mac,
				  .type = MG_ETHERTYPE_IPV4 };
	struct mg_tcp_hdr th = { .sport = sport, .dport = dport, .seq = seq, .ack = ack,
				 .flags = flags, .window = window };
	struct mg_ipv4_hdr ih = { .total_len = (uint16_t)(20 + 20 + len), .ttl = 64,
				  .proto = MG_IP_PROTO_TCP, .src = src, .dst = dst };

	if (len > 1400)
		return -EMSGSIZE;
	(void)mg_eth_emit(frame, sizeof(frame), &eth);
	(void)mg_ipv4_emit(frame + 14, 20, &ih);
	if (len > 0)
		memcpy(frame + 54, payload, len);
	(void)mg_tcp_emit(frame + 34, 20, &th, src, dst, 20 + len,
			  mg_csum_partial(frame + 54, len, 0));
	return mg_sim_link_inject(s->link, to_side, frame, 54 + len, 0);
}

/* --- bulk transfer ------------------------------------------------------------------------ */

struct side {
	struct mg_tcp_conn *conn;
	uint64_t stream_out, stream_in;
	uint64_t bytes, received;
	int err;
	char why[120];
};

static struct {
	uint64_t seed, bytes;
	const struct mg_sim_link_config *cfg;
	const struct mg_tcp_config *tcfg;
	struct bulk_result *out;
	struct side side[2];
} bulk;

static int
writer(void *arg)
{
	struct side *sd = arg;
	static uint8_t bufs[2][CHUNK];
	uint8_t *buf = bufs[sd == &bulk.side[0] ? 0 : 1];
	uint64_t off = 0;

	while (off < sd->bytes) {
		size_t n = sd->bytes - off < CHUNK ? (size_t)(sd->bytes - off) : CHUNK;
		long w;

		for (size_t i = 0; i < n; i++)
			buf[i] = sim_pattern(sd->stream_out, off + i);
		w = mg_tcp_write(sd->conn, buf, n, MG_FOREVER);
		if (w != (long)n) {
			snprintf(sd->why, sizeof(sd->why), "write at %llu: %ld",
				 (unsigned long long)off, w);
			return -1;
		}
		off += n;
	}
	return mg_tcp_shutdown(sd->conn);
}

static int
reader(void *arg)
{
	struct side *sd = arg;
	static uint8_t bufs[2][CHUNK];
	uint8_t *buf = bufs[sd == &bulk.side[0] ? 0 : 1];

	for (;;) {
		long n = mg_tcp_read(sd->conn, buf, CHUNK, MG_FOREVER);

		if (n == 0)
			break;
		if (n < 0) {
			snprintf(sd->why, sizeof(sd->why), "read at %llu: %ld",
				 (unsigned long long)sd->received, n);
			return -1;
		}
		for (long i = 0; i < n; i++) {
			if (buf[i] != sim_pattern(sd->stream_in, sd->received + (uint64_t)i)) {
				snprintf(sd->why, sizeof(sd->why), "byte %llu is wrong",
					 (unsigned long long)(sd->received + (uint64_t)i));
				return -1;
			}
		}
		sd->received += (uint64_t)n;
	}
	if (sd->received != bulk.bytes) {
		snprintf(sd->why, sizeof(sd->why), "EOF after %llu bytes",
			 (unsigned long long)sd->received);
		return -1;
	}
	return 0;
}

static int
run_side(struct side *sd, const char *name)
{
	struct mg_fiber *w = mg_fiber_spawn(name, writer, sd, 0);
	struct mg_fiber *r = mg_fiber_spawn(name, reader, sd, 0);
	int ws = -1, rs = -1;

	if (w == NULL || r == NULL)
		return -1;
	mg_fiber_join(w, &ws);
	mg_fiber_join(r, &rs);
	return ws == 0 && rs == 0 ? 0 : -1;
}

static int
server_fiber(void *arg)
{
	struct mg_tcp_listener *l = arg;
	struct side *sd = &bulk.side[1];
	int err;

	if ((err = mg_tcp_accept(l, &sd->conn, fake_clock_ns + BULK_TIMEOUT_NS)) != 0) {
		snprintf(sd->why, sizeof(sd->why), "accept: %d", err);
		return -1;
	}
	return run_side(sd, "server");
}

static int
bulk_main(int argc, char **argv)
{
	struct bulk_result *out = bulk.out;
	struct mg_tcp_listener *l;
	struct mg_fiber *srv;
	struct side *cl = &bulk.side[0];
	uint64_t start = mg_now_ns(), closed_at;
	struct sim s;
	int err, ss = -1, cs = -1;

	(void)argc;
	(void)argv;
	if ((err = sim_open(&s, bulk.seed, bulk.cfg, bulk.tcfg, bulk.tcfg)) != 0 ||
	    (err = mg_tcp_listen(s.tcp[1], SIM_PORT, 0, NULL, NULL, &l)) != 0) {
		snprintf(out->why, sizeof(out->why), "setup: %d", err);
		return 1;
	}
	srv = mg_fiber_spawn("accept", server_fiber, l, 0);
	err = mg_tcp_dial(s.tcp[0], SIM_ADDR1, SIM_PORT, start + BULK_TIMEOUT_NS, &cl->conn);
	if (err != 0)
		snprintf(cl->why, sizeof(cl->why), "dial: %d", err);
	else
		cs = run_side(cl, "client");
	mg_fiber_join(srv, &ss);
	out->virtual_ns = mg_now_ns() - start;
	out->bytes[0] = cl->received;
	out->bytes[1] = bulk.side[1].received;
	for (unsigned i = 0; i < 2; i++) {
		const struct mg_net_counters *c = mg_net_counters(s.net[i]);
		const struct mg_sim_stats *st = mg_sim_link_stats(s.link, i);

		out->retransmits += c->tcp.retransmits;
		out->timeouts += c->tcp.timeouts;
		out->fast_retransmits += c->tcp.fast_retransmits;
		out->ip_frags_tx += c->ipv4.frags_tx;
		out->frames_lost += st->lost;
		out->frames_dup += st->duplicated;
		out->frames_reordered += st->reordered;
		out->frames_corrupt += st->corrupted;
	}
	if (cs != 0 || ss != 0)
		snprintf(out->why, sizeof(out->why), "client: %.70s; server: %.70s", cl->why,
			 bulk.side[1].why);
	if (cl->conn != NULL)
		(void)mg_tcp_close(cl->conn);
	if (bulk.side[1].conn != NULL)
		(void)mg_tcp_close(bulk.side[1].conn);
	(void)mg_tcp_unlisten(l);
	/* Both FIN handshakes must finish too (LAST_ACK retransmits its FIN under loss);
	 * a connection gives up after max_retries, well within the hour. */
	closed_at = mg_now_ns();
	while ((mg_tcp_conn_count(s.tcp[0]) > 0 || mg_tcp_conn_count(s.tcp[1]) > 0) &&
	       mg_now_ns() - closed_at < 3600ull * 1000000000)
		mg_sleep_ns(100000000);
	if (mg_tcp_conn_count(s.tcp[0]) + mg_tcp_conn_count(s.tcp[1]) > 0 && cs == 0 &&
	    ss == 0) {
		snprintf(out->why, sizeof(out->why), "connections still open after closing");
		cs = -1;
	}
	out->hash = mg_sim_link_hash(s.link);
	sim_close(&s);
	return cs == 0 && ss == 0 ? 0 : 1;
}

void
sim_bulk(uint64_t seed, const struct mg_sim_link_config *cfg, const struct mg_tcp_config *tcfg,
	 uint64_t bytes_each, struct bulk_result *out)
{
	memset(out, 0, sizeof(*out));
	memset(&bulk, 0, sizeof(bulk));
	bulk.seed = seed;
	bulk.bytes = bytes_each;
	bulk.cfg = cfg;
	bulk.tcfg = tcfg;
	bulk.out = out;
	for (unsigned i = 0; i < 2; i++) {
		bulk.side[i].bytes = bytes_each;
		bulk.side[i].stream_out = seed * 2 + i;
		bulk.side[i].stream_in = seed * 2 + (1 - i);
	}
	fake_reset();
	out->status = fake_run(bulk_main, "");
	if (out->status != 0 && out->why[0] == '\0')
		snprintf(out->why, sizeof(out->why), "run status %d: %.100s", out->status,
			 fake_console());
}
