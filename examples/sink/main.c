/* SPDX-License-Identifier: ISC */
/*
 * sink -- TCP discard (RFC 863) on port 9 and a TCP character source (RFC 864's
 * pattern) on port 19 that sends until the peer closes; for measuring throughput in
 * each direction and the memory of idle connections (bench/tcp). Any datagram to UDP
 * port 9999 is answered with the stack's counters, the open connections and the heap in
 * use, as "name value" lines.
 *
 *	morgana run -t unix --net service=tap0 examples/sink -- --ipv4=10.0.0.2/24
 *
 * --tcp-buf=KiB sets each connection's send and receive buffer (the stack's default,
 * 256 KiB, if absent). One connection moves at most a buffer per round trip, and a round
 * trip through hvt's rings and POLL exits is several times the unix target's, so
 * bench/tcp gives the sink the 4 MiB that Linux's autotuning gives its side.
 *
 * The discard side uses callbacks; the source gives each connection a fiber that
 * blocks in mg_tcp_write() while the send buffer is full.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/fiber.h>
#include <morgana/net.h>
#include <morgana/runtime.h>
#include <morgana/tcp.h>
#include <morgana/udp.h>

#define DISCARD_PORT	9
#define SOURCE_PORT	19
#define SOURCE_STACK	(16 * 1024)
#define STATS_PORT	9999

struct sink {
	struct mg_net *net;
	struct mg_tcp *tcp;
};

static uint8_t pattern[72 * 95];	/* 95 lines of RFC 864's rotating characters */

static void
discard_readable(void *arg, struct mg_tcp_conn *c)
{
	static uint8_t buf[65536];
	long n;

	(void)arg;
	while ((n = mg_tcp_recv(c, buf, sizeof(buf))) > 0)
		;
	if (n == 0)
		(void)mg_tcp_shutdown(c);
}

static void
discard_closed(void *arg, struct mg_tcp_conn *c, int err)
{
	(void)arg;
	(void)err;
	(void)mg_tcp_close(c);
}

static void
discard_accept(void *arg, struct mg_tcp_listener *l, struct mg_tcp_conn *c)
{
	static const struct mg_tcp_callbacks cb = {
		.readable = discard_readable, .closed = discard_closed,
	};

	(void)arg;
	(void)l;
	mg_tcp_set_callbacks(c, &cb, NULL);
	discard_readable(NULL, c);
}

/* A datagram on STATS_PORT: answer with what the sink holds and has counted. */
static void
stats_request(void *arg, struct mg_udp_sock *s, const struct mg_udp_dgram *d)
{
	static char report[8192];
	const struct sink *sk = arg;
	struct mg_mem_usage mem;
	size_t len;
	int n;

	mg_mem_usage(&mem);
	n = snprintf(report, sizeof(report), "tcp.conns %zu\nmem.heap_used %zu\n"
		     "mem.heap_size %zu\nmem.allocations %zu\n", mg_tcp_conn_count(sk->tcp),
		     mem.heap_used, mem.heap_size, mem.allocations);
	len = n > 0 ? (size_t)n : 0;
	len += mg_net_counters_format(sk->net, report + len, sizeof(report) - len);
	if (len >= sizeof(report))
		len = sizeof(report) - 1;
	(void)mg_udp_sendto(s, d->src, d->sport, report, len);
}

/* One connection of the source: write until the peer closes or resets. */
static int
source(void *arg)
{
	struct mg_tcp_conn *c = arg;
	uint8_t byte;

	for (;;) {
		if (mg_tcp_write(c, pattern, sizeof(pattern), MG_FOREVER) < 0)
			break;
		if (mg_tcp_recv(c, &byte, 1) == 0)
			break;		/* the peer closed its side: stop */
	}
	(void)mg_tcp_close(c);
	return 0;
}

/* --tcp-buf=KiB: each connection's send and receive buffer (the stack's default if absent). */
static int
sink_config(int *argc, char **argv, struct mg_tcp_config *cfg)
{
	const char *opt = "--tcp-buf=";
	unsigned long kib;
	char *end;
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		if (strncmp(argv[i], opt, strlen(opt)) != 0) {
			argv[out++] = argv[i];
			continue;
		}
		kib = strtoul(argv[i] + strlen(opt), &end, 10);
		if (*end != '\0' || kib < 4 || kib > MG_TCP_MAX_BUF / 1024)
			return -EINVAL;
		cfg->sndbuf = cfg->rcvbuf = (uint32_t)kib * 1024;
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct sink sk;
	struct mg_tcp_listener *discard, *src;
	struct mg_udp_sock *stats;
	struct mg_tcp_config cfg = { 0 };
	struct mg_tcp *tcp;
	struct mg_net *net;
	int err;

	for (size_t line = 0; line < 95; line++) {
		for (size_t i = 0; i < 70; i++)
			pattern[line * 72 + i] = (uint8_t)(' ' + (line + i) % 95);
		memcpy(pattern + line * 72 + 70, "\r\n", 2);
	}
	if (mg_net_open("service", &argc, argv, &net) != 0) {
		printf("sink: %s\n", mg_net_open_error());
		return 1;
	}
	if ((err = sink_config(&argc, argv, &cfg)) != 0) {
		printf("sink: bad --tcp-buf (KiB, 4..16384)\n");
		return 1;
	}
	if ((err = mg_tcp_create(net, &cfg, &tcp)) != 0 ||
	    (err = mg_tcp_listen(tcp, DISCARD_PORT, 0, discard_accept, NULL, &discard)) != 0 ||
	    (err = mg_tcp_listen(tcp, SOURCE_PORT, 0, NULL, NULL, &src)) != 0) {
		printf("sink: cannot listen: error %d\n", err);
		return 1;
	}
	sk = (struct sink){ .net = net, .tcp = tcp };
	if ((err = mg_udp_bind(net, STATS_PORT, stats_request, &sk, &stats)) != 0) {
		printf("sink: cannot bind UDP port %d: error %d\n", STATS_PORT, err);
		return 1;
	}
	printf("sink: ready, TCP discard on port %d, source on port %d, stats on UDP port "
	       "%d\n", DISCARD_PORT, SOURCE_PORT, STATS_PORT);
	for (;;) {
		struct mg_tcp_conn *c;
		struct mg_fiber *f;

		if (mg_tcp_accept(src, &c, MG_FOREVER) != 0)
			continue;
		if ((f = mg_fiber_spawn("source", source, c, SOURCE_STACK)) == NULL) {
			(void)mg_tcp_abort(c);
			continue;
		}
		mg_fiber_detach(f);
	}
}
