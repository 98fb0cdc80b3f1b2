/* SPDX-License-Identifier: ISC */
/*
 * website -- Morgana's website as a unikernel: serves the kv store "htdocs" (the
 * project's own docs as HTML, made by tools/docs2html when `make` builds this example)
 * over HTTP/1.1, and logs one line per request.
 *
 *	morgana run -t hvt --net service=tap0 examples/website -- --ipv4=10.0.77.2/24 \
 *		[--ipv4-gateway=10.0.77.1] [--port=80] [--max-conns=64] \
 *		[--header-timeout-ms=10000]
 *
 * The log line: method, target, status, body bytes, time from the request's first byte
 * to its last byte handed to TCP. `-l http:warn` turns it off.
 * Everything runs from TCP's callbacks (lib/http/serve_tcp.c); main only sets up, then
 * sleeps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/http.h>
#include <morgana/kv.h>
#include <morgana/log.h>
#include <morgana/net.h>
#include <morgana/runtime.h>
#include <morgana/fiber.h>
#include <morgana/tcp.h>

MG_LOG_SOURCE(http_log, "http");

/*
 * Routes a build may add in front of the site by linking one more file that defines
 * both symbols (the integration tests add tests/http's API routes this way); weak, so
 * that a plain build has none.
 */
extern const struct mg_http_route website_extra_routes[] __attribute__((weak));
extern const size_t website_extra_route_count __attribute__((weak));

static int64_t
unix_time(void *arg)
{
	(void)arg;
	return (int64_t)(mg_plat_clock_wall() / 1000000000ull);
}

static void
log_request(void *arg, const struct mg_http_log_entry *e)
{
	/* The connection works on the time its event started; the clock is fresher. */
	uint64_t now = mg_now_ns(), us = now > e->start_ns ? (now - e->start_ns) / 1000 : 0;

	(void)arg;
	mg_log_info(&http_log, "%s %s %d %llu %llu.%03llu ms%s", e->method, e->target,
		    e->status, (unsigned long long)e->body_bytes, (unsigned long long)(us / 1000),
		    (unsigned long long)(us % 1000), e->complete ? "" : " (cut short)");
}

/* --name=N: N in [lo, hi] into *out. 1 if arg is that flag, 0 if not, -EINVAL if bad. */
static int
number_flag(const char *arg, const char *name, unsigned long lo, unsigned long hi,
	    unsigned long *out)
{
	size_t n = strlen(name);
	char *end;

	if (strncmp(arg, name, n) != 0 || arg[n] != '=')
		return 0;
	errno = 0;
	*out = strtoul(arg + n + 1, &end, 10);
	if (errno != 0 || end == arg + n + 1 || *end != '\0' || *out < lo || *out > hi) {
		printf("website: %s wants a number from %lu to %lu\n", name, lo, hi);
		return -EINVAL;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	static struct mg_http_route routes[64];
	static struct mg_http_static site = { .prefix = "/" };
	static struct mg_http_server srv;
	struct mg_http_tcp_config cfg = { .port = 80 };
	/* TCP allocates a connection's buffer whole while it holds data. 32 KiB out keeps
	 * a LAN busy; 16 KiB in is plenty for requests (the window does the rest). With
	 * the HTTP connection's own ~55 KiB, 30 busy connections take ~2.6 MiB, which
	 * fits in --mem=8 beside the stack's packet pool. HTTP clients close first, so
	 * TIME_WAIT is rare here: 2,048 entries (160 KiB) instead of TCP's default 16,384
	 * (1.3 MiB, a sixth of the heap, which left 30 busy connections short). */
	const struct mg_tcp_config tcp_cfg = { .sndbuf = 32 * 1024, .rcvbuf = 16 * 1024,
					       .timewait_max = 2048 };
	struct mg_http_tcp_server *server;
	struct mg_tcp *tcp;
	struct mg_net *net;
	size_t nroutes = 0, extra = 0;
	uint64_t header_timeout_ns = 0;
	char addr[16];
	int err;

	if (mg_net_open("service", &argc, argv, &net) != 0) {
		printf("website: %s\n", mg_net_open_error());
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		unsigned long v;
		int r;

		if ((r = number_flag(argv[i], "--port", 1, 65535, &v)) == 1)
			cfg.port = (uint16_t)v;
		else if (r == 0 && (r = number_flag(argv[i], "--max-conns", 1, 100000, &v)) == 1)
			cfg.max_conns = (unsigned)v;
		else if (r == 0 &&
			 (r = number_flag(argv[i], "--header-timeout-ms", 1, 3600000, &v)) == 1)
			header_timeout_ns = v * 1000000ull;
		if (r < 0)
			return 64;
		if (r == 0) {
			printf("website: unknown argument '%s' (flags: --port=N --max-conns=N "
			       "--header-timeout-ms=N)\n", argv[i]);
			return 64;
		}
	}
	if ((site.store = mg_kv_store("htdocs")) == NULL) {
		printf("website: no kv store 'htdocs' in this image\n");
		return 1;
	}
	if (&website_extra_route_count != NULL)
		extra = website_extra_route_count;
	for (size_t i = 0; i < extra && nroutes < 63; i++)
		routes[nroutes++] = website_extra_routes[i];
	routes[nroutes++] = (struct mg_http_route){ "/", false, 0, mg_http_static_handler, &site };
	mg_http_server_init(&srv);
	srv.routes = routes;
	srv.route_count = nroutes;
	srv.server_name = "Morgana";
	if (header_timeout_ns != 0)
		srv.header_timeout_ns = header_timeout_ns;
	srv.unix_time = unix_time;
	srv.log = log_request;
	if ((err = mg_tcp_create(net, &tcp_cfg, &tcp)) != 0 ||
	    (err = mg_http_tcp_serve(tcp, &srv, &cfg, &server)) != 0) {
		printf("website: cannot serve HTTP on port %u: error %d\n", cfg.port, err);
		return 1;
	}
	printf("website: ready, %zu files, http://%s:%u/\n", mg_kv_count(site.store),
	       mg_ipv4_addr_format(mg_net_ipv4_addr(net), addr), cfg.port);
	for (;;)
		mg_sleep_ns(3600ull * 1000000000ull);
}
