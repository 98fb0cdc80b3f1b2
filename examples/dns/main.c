/* SPDX-License-Identifier: ISC */
/*
 * dns -- an authoritative DNS server unikernel: serves every *.zone file of the kv store
 * "zones" (the folder ./zones, baked into the image) on UDP and TCP port 53 (RFC 7766:
 * pipelined queries, AXFR; --no-axfr refuses transfers).
 *
 *	morgana run -t unix --net service=tap0 examples/dns -- --ipv4=10.0.0.2/24 \
 *		[--ipv4-gateway=10.0.0.1] [--no-axfr] [--stats-port=N] \
 *		[--tcp-idle-ms=N] [--tcp-max-conns=N]
 *
 * A zone's apex is the first $ORIGIN of its file, when that comes before any record,
 * else the file's name without ".zone" (example.com.zone serves example.com.). A zone
 * that does not load stops the unikernel at start with FILE:LINE and status 1.
 * --stats-port=N answers any datagram on UDP port N with the counters, as text.
 * --tcp-idle-ms and --tcp-max-conns set struct mg_dns_tcp_config's idle_ns and
 * max_conns (defaults 10 s and 64).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <morgana/dns.h>
#include <morgana/fiber.h>
#include <morgana/kv.h>
#include <morgana/log.h>
#include <morgana/net.h>
#include <morgana/tcp.h>
#include <morgana/udp.h>

#define ZONE_SUFFIX	".zone"

MG_LOG_SOURCE(dns_log, "dns");

static struct mg_dns_server engine;
static struct mg_dns_tcp_config tcp_service_cfg;

static int origin_of(const struct mg_kv_entry *e, char *origin, size_t cap);
static int load_zones(const struct mg_kv_store *store);
static int parse_flags(int argc, char **argv, long *stats_port);
static void serve_stats(struct mg_net *net, struct mg_dns_service *svc, uint16_t port);

/* The first character of [p, end) that is not a blank. */
static const char *
skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

/*
 * The apex of the zone in e: the first $ORIGIN if only blank lines, comments and $TTL
 * come before it, else the file's name less ".zone". Returns 0 or -1 (logged).
 */
static int
origin_of(const struct mg_kv_entry *e, char *origin, size_t cap)
{
	const char *p = e->data, *end = p + e->size, *base;
	size_t len;

	while (p < end) {
		const char *line_end = memchr(p, '\n', (size_t)(end - p));

		if (line_end == NULL)
			line_end = end;
		p = skip_blanks(p, line_end);
		if (p < line_end && *p != ';' && (size_t)(line_end - p) > 7 &&
		    strncasecmp(p, "$ORIGIN", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
			const char *name = skip_blanks(p + 7, line_end), *stop = name;

			while (stop < line_end && *stop != ' ' && *stop != '\t' &&
			       *stop != '\r' && *stop != ';')
				stop++;
			len = (size_t)(stop - name);
			if (len == 0 || len >= cap || name[len - 1] != '.') {
				mg_log_error(&dns_log, "zone %s: the first $ORIGIN must be an "
					     "absolute name (ending in '.')", e->path);
				return -1;
			}
			memcpy(origin, name, len);
			origin[len] = '\0';
			return 0;
		}
		if (p < line_end && *p != ';' && strncasecmp(p, "$TTL", 4) != 0)
			break;	/* a record: the file relies on the origin it is given */
		p = line_end + 1;
	}
	base = strrchr(e->path, '/');
	base = base != NULL ? base + 1 : e->path;
	len = strlen(base) - (sizeof(ZONE_SUFFIX) - 1);
	if (len == 0 || len + 2 > cap) {
		mg_log_error(&dns_log, "zone %s: no $ORIGIN, and the file's name is no domain "
			     "name", e->path);
		return -1;
	}
	memcpy(origin, base, len);
	if (origin[len - 1] != '.')
		origin[len++] = '.';
	origin[len] = '\0';
	return 0;
}

/* Parse and add every *.zone of store; a zone that fails stops it. */
static int
load_zones(const struct mg_kv_store *store)
{
	struct mg_kv_entry e;
	size_t i, suffix = sizeof(ZONE_SUFFIX) - 1;

	for (i = 0; mg_kv_at(store, i, &e) == 0; i++) {
		struct mg_dns_zone *zone;
		char origin[MG_DNS_NAME_MAX * 4 + 2], err[256];
		int rc;

		if (e.path_len <= suffix || strcmp(e.path + e.path_len - suffix, ZONE_SUFFIX))
			continue;
		if (origin_of(&e, origin, sizeof(origin)) != 0)
			return -1;
		if (mg_dns_zone_parse(e.path, e.data, e.size, origin, &zone, err,
				      sizeof(err)) != 0) {
			mg_log_error(&dns_log, "zone %s", err);
			return -1;
		}
		if ((rc = mg_dns_server_add_zone(&engine, zone)) != 0) {
			mg_log_error(&dns_log, "zone %s: %s", e.path, rc == -EEXIST ?
				     "another file already serves this apex" :
				     "more zones than the server takes");
			mg_dns_zone_free(zone);
			return -1;
		}
		mg_log_info(&dns_log, "zone %s loaded from %s: %zu records, %zu names", origin,
			    e.path, mg_dns_zone_records(zone), mg_dns_zone_names(zone));
	}
	if (engine.nzones == 0) {
		mg_log_error(&dns_log, "no *.zone file in the kv store 'zones'");
		return -1;
	}
	return 0;
}

/* The value of "NAME=N" in arg if arg starts with NAME=, within [1, max]; else -1. */
static long
number_flag(const char *arg, const char *name, long max)
{
	size_t len = strlen(name);
	char *end;
	long v;

	if (strncmp(arg, name, len) != 0 || arg[len] != '=')
		return -1;
	v = strtol(arg + len + 1, &end, 10);
	return *end == '\0' && end != arg + len + 1 && v >= 1 && v <= max ? v : -1;
}

/* The flags left after the stack's: --no-axfr, --stats-port=N, --tcp-idle-ms=N,
 * --tcp-max-conns=N. Returns 0 or -1. */
static int
parse_flags(int argc, char **argv, long *stats_port)
{
	for (int i = 1; i < argc; i++) {
		char *end;
		long v;

		if (strcmp(argv[i], "--") == 0)
			continue;
		if ((v = number_flag(argv[i], "--tcp-idle-ms", 3600 * 1000)) > 0) {
			tcp_service_cfg.idle_ns = (uint64_t)v * 1000000;
			continue;
		}
		if ((v = number_flag(argv[i], "--tcp-max-conns", 100000)) > 0) {
			tcp_service_cfg.max_conns = (unsigned)v;
			continue;
		}
		if (strcmp(argv[i], "--no-axfr") == 0) {
			engine.allow_axfr = false;
			continue;
		}
		if (strncmp(argv[i], "--stats-port=", 13) == 0) {
			*stats_port = strtol(argv[i] + 13, &end, 10);
			if (*end == '\0' && *stats_port > 0 && *stats_port <= 65535 &&
			    *stats_port != MG_DNS_PORT)
				continue;
		}
		printf("dns: unknown or bad argument '%s'; usage: --ipv4=A.B.C.D/N "
		       "[--ipv4-gateway=A.B.C.D] [--no-axfr] [--stats-port=N] "
		       "[--tcp-idle-ms=N] [--tcp-max-conns=N]\n", argv[i]);
		return -1;
	}
	return 0;
}

/* Answer every datagram on port with the service's and the stack's counters. */
static void
serve_stats(struct mg_net *net, struct mg_dns_service *svc, uint16_t port)
{
	static char report[4096];
	struct mg_udp_sock *sock;
	uint32_t src;
	uint16_t sport;
	char byte;

	if (mg_udp_bind(net, port, NULL, NULL, &sock) != 0) {
		mg_log_error(&dns_log, "cannot bind the stats port %u", port);
		return;
	}
	for (;;) {
		size_t len;

		if (mg_udp_recvfrom(sock, &byte, 1, &src, &sport, MG_FOREVER) < 0)
			continue;
		len = mg_dns_service_format(svc, report, sizeof(report));
		if (len < sizeof(report))
			len += mg_net_counters_format(net, report + len, sizeof(report) - len);
		if (len >= sizeof(report))
			len = sizeof(report) - 1;
		(void)mg_udp_sendto(sock, src, sport, report, len);
	}
}

int
main(int argc, char **argv)
{
	const struct mg_kv_store *store = mg_kv_store("zones");
	/* Queries are small; responses up to 64 KiB, and AXFR streams, want room to go. */
	const struct mg_tcp_config tcp_cfg = { .sndbuf = 128 * 1024, .rcvbuf = 16 * 1024,
					       .max_conns = 1024 };
	struct mg_dns_service *svc;
	struct mg_waitq forever;
	struct mg_tcp *tcp;
	struct mg_net *net;
	long stats_port = 0;
	char addr[16];
	int err;

	mg_dns_server_init(&engine);
	if (mg_net_open("service", &argc, argv, &net) != 0) {
		printf("dns: %s\n", mg_net_open_error());
		return 64;
	}
	if (parse_flags(argc, argv, &stats_port) != 0)
		return 64;
	if (store == NULL || load_zones(store) != 0)
		return 1;
	if ((err = mg_dns_service_start(net, &engine, MG_DNS_PORT, &svc)) != 0) {
		mg_log_error(&dns_log, "cannot serve UDP port %d: error %d", MG_DNS_PORT, err);
		return 1;
	}
	if ((err = mg_tcp_create(net, &tcp_cfg, &tcp)) != 0 ||
	    (err = mg_dns_service_tcp(svc, tcp, &tcp_service_cfg)) != 0) {
		mg_log_error(&dns_log, "cannot serve TCP port %d: error %d", MG_DNS_PORT, err);
		return 1;
	}
	mg_log_info(&dns_log, "ready: %zu zones on %s UDP and TCP port %d", engine.nzones,
		    mg_ipv4_addr_format(mg_net_ipv4_addr(net), addr), MG_DNS_PORT);
	if (stats_port != 0)
		serve_stats(net, svc, (uint16_t)stats_port);
	/* Everything happens in the receive and TCP callbacks from here on. */
	mg_waitq_init(&forever);
	(void)mg_waitq_wait(&forever, MG_FOREVER);
	return 1;
}
