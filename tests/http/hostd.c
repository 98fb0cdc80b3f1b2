/* SPDX-License-Identifier: ISC */
/*
 * hostd.c -- TEST HARNESS, not part of any image: a Linux program that drives lib/http's
 * connection state machine over ordinary sockets on 127.0.0.1, so that curl can test
 * the HTTP code before Morgana's TCP exists (tests/http/curl.sh). It packs a folder into
 * a kv store at start with the same packer `morgana build` uses, and serves it at "/",
 * behind the test routes of api.h (echo, stream, fail) that exercise what files cannot.
 *
 * Usage: hostd [--header-timeout-ms N] [--idle-timeout-ms N] FOLDER
 * Prints "port N" on stdout once listening; runs until SIGTERM or SIGINT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <morgana/http.h>

#include "../../storage/kv_pack.h"
#include "api.h"

#define MAX_CONNS 64
#define STASH_SIZE 4096

struct client {
	int fd;
	struct mg_http_conn *conn;
	char stash[STASH_SIZE];		/* read but not yet taken by the connection */
	size_t stash_off, stash_len;
	bool closing;			/* output shut down; draining input */
	uint64_t linger_until;
};

static volatile sig_atomic_t stop;
static struct client clients[MAX_CONNS];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t
unix_time(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The transport takes what the socket takes right now; the rest waits for POLLOUT. */
static int
io_send(void *ctx, const void *data, size_t len, size_t *taken)
{
	struct client *cl = ctx;
	ssize_t n = send(cl->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		*taken = 0;
		return 0;
	}
	if (n < 0)
		return -errno;
	*taken = (size_t)n;
	return 0;
}

/* Everything was handed to the kernel already: shut our side, then read what the peer
 * still sends until it closes, so the kernel does not answer it with a reset. */
static void
io_close(void *ctx)
{
	struct client *cl = ctx;

	(void)shutdown(cl->fd, SHUT_WR);
	cl->closing = true;
	cl->linger_until = now_ns() + 2000000000ull;
}

static const struct mg_http_io io = { io_send, io_close };

static void
drop(struct client *cl)
{
	close(cl->fd);
	free(cl->conn);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

/* Hand stashed input to the connection; then read more if it wants it. */
static void
feed(struct client *cl, bool readable)
{
	uint64_t now = now_ns();
	ssize_t n;

	if (cl->closing) {
		char sink[4096];
		if (!readable)
			return;
		n = recv(cl->fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			drop(cl);
		return;
	}
	while (cl->stash_len > 0) {
		size_t took = mg_http_conn_input(cl->conn, cl->stash + cl->stash_off,
						 cl->stash_len, now);
		if (took == 0)
			break;
		cl->stash_off += took;
		cl->stash_len -= took;
	}
	if (cl->stash_len > 0 || !readable || !mg_http_conn_wants_input(cl->conn) ||
	    cl->closing)
		return;
	n = recv(cl->fd, cl->stash, sizeof(cl->stash), MSG_DONTWAIT);
	if (n == 0) {
		mg_http_conn_eof(cl->conn, now);
	} else if (n > 0) {
		cl->stash_off = 0;
		cl->stash_len = (size_t)n;
		feed(cl, false);
	} else if (errno != EAGAIN && errno != EINTR) {
		drop(cl);
	}
}

static int
listen_socket(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		perror("hostd: listen");
		exit(1);
	}
	printf("port %u\n", ntohs(sa.sin_port));
	fflush(stdout);
	return fd;
}

static void
accept_one(int lfd, const struct mg_http_server *srv)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct client *cl = NULL;

	if (fd < 0)
		return;
	for (size_t i = 0; i < MAX_CONNS && cl == NULL; i++)
		if (clients[i].fd < 0)
			cl = &clients[i];
	if (cl == NULL || (cl->conn = malloc(sizeof(*cl->conn))) == NULL) {
		close(fd);	/* full: a real server would answer 503 */
		return;
	}
	cl->fd = fd;
	mg_http_conn_init(cl->conn, srv, &io, cl, now_ns());
}

static int
poll_timeout_ms(void)
{
	uint64_t now = now_ns(), next = UINT64_MAX;

	for (size_t i = 0; i < MAX_CONNS; i++) {
		uint64_t d;
		if (clients[i].fd < 0)
			continue;
		d = clients[i].closing ? clients[i].linger_until
				       : mg_http_conn_deadline(clients[i].conn);
		if (d < next)
			next = d;
	}
	if (next == UINT64_MAX)
		return 1000;
	return next <= now ? 0 : (int)((next - now) / 1000000 + 1);
}

static void
serve(int lfd, const struct mg_http_server *srv)
{
	struct pollfd pfds[MAX_CONNS + 1];
	size_t map[MAX_CONNS + 1];

	while (!stop) {
		nfds_t n = 0;
		uint64_t now;

		pfds[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (size_t i = 0; i < MAX_CONNS; i++) {
			struct client *cl = &clients[i];
			short ev = 0;
			if (cl->fd < 0)
				continue;
			if (cl->closing || (cl->stash_len == 0 && mg_http_conn_wants_input(cl->conn)))
				ev |= POLLIN;
			if (!cl->closing && cl->conn->state == MG_HTTP_CONN_SEND)
				ev |= POLLOUT;
			map[n] = i;
			pfds[n++] = (struct pollfd){ .fd = cl->fd, .events = ev };
		}
		if (poll(pfds, n, poll_timeout_ms()) < 0 && errno != EINTR)
			break;
		if (pfds[0].revents & POLLIN)
			accept_one(lfd, srv);
		now = now_ns();
		for (nfds_t k = 1; k < n; k++) {
			struct client *cl = &clients[map[k]];
			if (cl->fd < 0)
				continue;
			if (!cl->closing && (pfds[k].revents & POLLOUT)) {
				mg_http_conn_writable(cl->conn, now);
				feed(cl, false);
			}
			if (cl->fd >= 0 && (pfds[k].revents & (POLLIN | POLLHUP | POLLERR)))
				feed(cl, true);
		}
		now = now_ns();
		for (size_t i = 0; i < MAX_CONNS; i++) {
			struct client *cl = &clients[i];
			if (cl->fd < 0)
				continue;
			if (cl->closing && now >= cl->linger_until) {
				drop(cl);
				continue;
			}
			if (!cl->closing)
				mg_http_conn_tick(cl->conn, now);
			/* Aborted (the socket failed): nobody will call close. */
			if (!cl->closing && mg_http_conn_closed(cl->conn))
				drop(cl);
		}
	}
}

int
main(int argc, char **argv)
{
	struct mg_kv_pack_opts opts = { .gzip = true };
	struct mg_http_static site = { .prefix = "/" };
	struct mg_http_route routes[8];
	size_t nroutes = 0;
	struct mg_http_server srv;
	struct mg_kv_pack pack;
	char why[512];
	const char *folder = NULL;
	int lfd;

	for (size_t i = 0; i < website_extra_route_count && nroutes < 7; i++)
		routes[nroutes++] = website_extra_routes[i];
	routes[nroutes++] = (struct mg_http_route){ "/", false, 0, mg_http_static_handler, &site };
	mg_http_server_init(&srv);
	srv.routes = routes;
	srv.route_count = nroutes;
	srv.server_name = "morgana-hostd";
	srv.unix_time = unix_time;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--header-timeout-ms") == 0 && i + 1 < argc)
			srv.header_timeout_ns = strtoull(argv[++i], NULL, 10) * 1000000ull;
		else if (strcmp(argv[i], "--idle-timeout-ms") == 0 && i + 1 < argc)
			srv.idle_timeout_ns = strtoull(argv[++i], NULL, 10) * 1000000ull;
		else
			folder = argv[i];
	}
	if (folder == NULL) {
		fprintf(stderr, "usage: hostd [--header-timeout-ms N] [--idle-timeout-ms N] "
				"FOLDER\n");
		return 64;
	}
	if (mg_kv_pack_folder(&pack, "site", folder, &opts, why, sizeof(why)) != 0) {
		fprintf(stderr, "hostd: %s\n", why);
		return 1;
	}
	site.store = &pack.store;
	for (size_t i = 0; i < MAX_CONNS; i++)
		clients[i].fd = -1;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	lfd = listen_socket();
	serve(lfd, &srv);
	for (size_t i = 0; i < MAX_CONNS; i++)
		if (clients[i].fd >= 0)
			drop(&clients[i]);
	close(lfd);
	mg_kv_pack_free(&pack);
	return 0;
}
