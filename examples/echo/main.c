/* SPDX-License-Identifier: ISC */
/*
 * echo -- a network unikernel: answers ping, echoes UDP datagrams and TCP streams on
 * port 7 (RFC 862) and reports the stack's counters to anyone who sends a datagram to
 * UDP port 9999.
 *
 *	morgana run -t unix --net service=tap0 examples/echo -- --ipv4=10.0.0.2/24 \
 *		[--ipv4-gateway=10.0.0.1]
 *
 * The echoes use the callback APIs (they run in the event loop, never block); the
 * counters port uses the fiber API (main blocks in mg_udp_recvfrom()). The TCP echo
 * holds at most one buffer per connection: it reads again only once the buffer went
 * out, so a client that does not read stops being read from (TCP's backpressure).
 */
#include <stdio.h>
#include <stdlib.h>

#include <morgana/net.h>
#include <morgana/tcp.h>
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

struct tcp_echo {
	size_t len, off;	/* buf[off, len) is still to be sent back */
	bool eof;
	uint8_t buf[16384];
};

/* Send what is pending, then read more, until the connection has to wait. */
static void
tcp_echo_pump(void *arg, struct mg_tcp_conn *c)
{
	struct tcp_echo *e = arg;
	long n;

	for (;;) {
		if (e->off < e->len) {
			if ((n = mg_tcp_send(c, e->buf + e->off, e->len - e->off)) < 0)
				break;		/* -EAGAIN: the writable callback resumes */
			e->off += (size_t)n;
			continue;
		}
		if (e->eof) {
			(void)mg_tcp_shutdown(c);
			break;
		}
		n = mg_tcp_recv(c, e->buf, sizeof(e->buf));
		if (n == 0)
			e->eof = true;
		else if (n < 0)
			break;		/* -EAGAIN, or an error the closed callback reports */
		e->len = n > 0 ? (size_t)n : 0;
		e->off = 0;
	}
}

static void
tcp_echo_closed(void *arg, struct mg_tcp_conn *c, int err)
{
	(void)err;
	(void)mg_tcp_close(c);
	free(arg);
}

static void
tcp_echo_accept(void *arg, struct mg_tcp_listener *l, struct mg_tcp_conn *c)
{
	static const struct mg_tcp_callbacks cb = {
		.readable = tcp_echo_pump, .writable = tcp_echo_pump, .closed = tcp_echo_closed,
	};
	struct tcp_echo *e = calloc(1, sizeof(*e));

	(void)arg;
	(void)l;
	if (e == NULL) {
		(void)mg_tcp_abort(c);
		return;
	}
	mg_tcp_set_callbacks(c, &cb, e);
	tcp_echo_pump(e, c);
}

int
main(int argc, char **argv)
{
	static char report[4096];
	struct mg_udp_sock *echo_sock, *counters_sock;
	struct mg_tcp_listener *tcp_echo_listener;
	struct mg_tcp *tcp;
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
	if ((err = mg_tcp_create(net, NULL, &tcp)) != 0 ||
	    (err = mg_tcp_listen(tcp, ECHO_PORT, 0, tcp_echo_accept, NULL,
				 &tcp_echo_listener)) != 0) {
		printf("echo: cannot listen on TCP port %d: error %d\n", ECHO_PORT, err);
		return 1;
	}
	printf("echo: ready, UDP and TCP echo on port %d, counters on UDP port %d\n",
	       ECHO_PORT, COUNTERS_PORT);
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
