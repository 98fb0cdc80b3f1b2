/* SPDX-License-Identifier: ISC */
/*
 * echo -- a network unikernel: answers ping, echoes UDP datagrams on port 7 (RFC 862)
 * and reports the stack's counters to anyone who sends a datagram to UDP port 9999.
 *
 *	morgana run -t unix --net service=tap0 examples/echo -- --ipv4=10.0.0.2/24 \
 *		[--ipv4-gateway=10.0.0.1]
 *
 * The echo uses the callback API (it runs in the event loop, never blocks); the counters
 * port uses the fiber API (main blocks in mg_udp_recvfrom()).
 */
#include <stdio.h>

#include <morgana/net.h>
#include <morgana/udp.h>

#define ECHO_PORT	7
#define COUNTERS_PORT	9999

static void
echo(void *arg, struct mg_udp_sock *s, const struct mg_udp_dgram *d)
{
	(void)arg;
	/* A lost reply is the sender's retry, as for any UDP service; the stack counts it. */
	(void)mg_udp_sendto(s, d->src, d->sport, d->data, d->len);
}

int
main(int argc, char **argv)
{
	static char report[4096];
	struct mg_udp_sock *echo_sock, *counters_sock;
	struct mg_net *net;
	uint32_t src;
	uint16_t sport;
	char byte;
	int err;

	if (mg_net_open("service", &argc, argv, &net) != 0) {
		printf("echo: %s\n", mg_net_open_error());
		return 1;
	}
	if ((err = mg_udp_bind(net, ECHO_PORT, echo, NULL, &echo_sock)) != 0 ||
	    (err = mg_udp_bind(net, COUNTERS_PORT, NULL, NULL, &counters_sock)) != 0) {
		printf("echo: cannot bind a UDP port: error %d\n", err);
		return 1;
	}
	printf("echo: ready, UDP echo on port %d, counters on port %d\n", ECHO_PORT,
	       COUNTERS_PORT);
	for (;;) {
		size_t len;

		if (mg_udp_recvfrom(counters_sock, &byte, 1, &src, &sport, MG_FOREVER) < 0)
			continue;
		len = mg_net_counters_format(net, report, sizeof(report));
		if (len >= sizeof(report))
			len = sizeof(report) - 1;
		(void)mg_udp_sendto(counters_sock, src, sport, report, len);
	}
}
