/* SPDX-License-Identifier: ISC */
/*
 * dns-hostd -- a TEST HARNESS, not a product: serves zone files through Morgana's DNS
 * engine (lib/dns) over the host's ordinary UDP and TCP sockets on 127.0.0.1, so that
 * tests/dns/dig.sh can question the engine with dig and kdig before the unikernel's own
 * network stack exists. One query at a time; a TCP connection is served to its end
 * before the next query is read.
 *
 * Usage: dns-hostd [-p PORT] [-u UDP_PAYLOAD_MAX] [-n] [-t SECONDS] FILE:ORIGIN...
 *   -p  port (default 0: the kernel picks a free one, the same for UDP and TCP)
 *   -u  the EDNS payload size the server accepts (default 1232)
 *   -n  refuse AXFR
 *   -t  exit after SECONDS (default 300), so a forgotten server does not linger
 * Prints "port N" on stdout once it is serving.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <morgana/dns.h>

static uint8_t in_buf[MG_DNS_TCP_MAX + 2], out_buf[MG_DNS_TCP_MAX + 2];

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static int
load_zone(struct mg_dns_server *s, char *arg)
{
	char *colon = strrchr(arg, ':'), *text, err[256];
	struct mg_dns_zone *z;
	size_t len;
	int rc;

	if (!colon) {
		fprintf(stderr, "dns-hostd: %s: expected FILE:ORIGIN\n", arg);
		return -1;
	}
	*colon = 0;
	if (!(text = slurp(arg, &len))) {
		fprintf(stderr, "dns-hostd: %s: %s\n", arg, strerror(errno));
		return -1;
	}
	rc = mg_dns_zone_parse(arg, text, len, colon + 1, &z, err, sizeof err);
	free(text);
	if (rc) {
		fprintf(stderr, "dns-hostd: %s\n", err);
		return -1;
	}
	if (mg_dns_server_add_zone(s, z)) {
		fprintf(stderr, "dns-hostd: %s: cannot add the zone\n", arg);
		return -1;
	}
	return 0;
}

static int
full_io(int fd, uint8_t *buf, size_t len, bool writing)
{
	while (len > 0) {
		ssize_t n = writing ? write(fd, buf, len) : read(fd, buf, len);
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
send_tcp(int fd, size_t len)
{
	out_buf[0] = (uint8_t)(len >> 8);
	out_buf[1] = (uint8_t)len;
	return full_io(fd, out_buf, len + 2, true);
}

/* Serve one TCP connection: length-prefixed queries until EOF or a timeout. */
static void
serve_tcp(struct mg_dns_server *s, int fd)
{
	struct timeval tv = { .tv_sec = 2 };
	struct mg_dns_xfer x;
	size_t len;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	for (;;) {
		if (full_io(fd, in_buf, 2, false))
			return;
		len = (size_t)in_buf[0] << 8 | in_buf[1];
		if (full_io(fd, in_buf, len, false))
			return;
		int rc = mg_dns_respond(s, in_buf, len, MG_DNS_TCP, out_buf + 2, MG_DNS_TCP_MAX,
					&len, &x);
		if (rc < 0)
			return;	/* RFC 7766 allows closing on garbage */
		if (send_tcp(fd, len))
			return;
		while (rc == 1) {
			rc = mg_dns_xfer_next(s, &x, out_buf + 2, MG_DNS_TCP_MAX, &len);
			if (rc < 0 || send_tcp(fd, len))
				return;
		}
	}
}

static int
open_sockets(uint16_t port, int *udp, int *tcp, uint16_t *bound)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	socklen_t alen = sizeof a;
	int one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* The kernel picks the UDP port; try again if TCP's twin is taken. */
	for (int attempt = 0; attempt < 50; attempt++) {
		*udp = socket(AF_INET, SOCK_DGRAM, 0);
		*tcp = socket(AF_INET, SOCK_STREAM, 0);
		if (*udp < 0 || *tcp < 0)
			return -1;
		setsockopt(*tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		a.sin_port = htons(port);
		if (bind(*udp, (struct sockaddr *)&a, sizeof a) == 0 &&
		    getsockname(*udp, (struct sockaddr *)&a, &alen) == 0 &&
		    bind(*tcp, (struct sockaddr *)&a, sizeof a) == 0 && listen(*tcp, 16) == 0) {
			*bound = ntohs(a.sin_port);
			return 0;
		}
		close(*udp);
		close(*tcp);
		if (port)
			return -1;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	static struct mg_dns_server s;
	unsigned port = 0, lifetime = 300;
	uint16_t bound;
	int opt, udp, tcp;

	mg_dns_server_init(&s);
	while ((opt = getopt(argc, argv, "p:u:nt:")) != -1) {
		switch (opt) {
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'u': s.udp_payload_max = (uint16_t)atoi(optarg); break;
		case 'n': s.allow_axfr = false; break;
		case 't': lifetime = (unsigned)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: dns-hostd [-p PORT] [-u PAYLOAD] [-n] [-t SECONDS] "
					"FILE:ORIGIN...\n");
			return 64;
		}
	}
	for (int i = optind; i < argc; i++)
		if (load_zone(&s, argv[i]))
			return 1;
	if (open_sockets((uint16_t)port, &udp, &tcp, &bound)) {
		perror("dns-hostd: sockets");
		return 1;
	}
	alarm(lifetime);
	printf("port %u\n", bound);
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = { { udp, POLLIN, 0 }, { tcp, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t flen = sizeof from;
			size_t len;
			ssize_t n = recvfrom(udp, in_buf, sizeof in_buf, 0,
					     (struct sockaddr *)&from, &flen);
			if (n >= 0 && mg_dns_respond(&s, in_buf, (size_t)n, MG_DNS_UDP, out_buf,
						     MG_DNS_TCP_MAX, &len, NULL) == 0)
				sendto(udp, out_buf, len, 0, (struct sockaddr *)&from, flen);
		}
		if (p[1].revents & POLLIN) {
			int fd = accept(tcp, NULL, NULL);
			if (fd >= 0) {
				serve_tcp(&s, fd);
				close(fd);
			}
		}
	}
}
