/* SPDX-License-Identifier: ISC */
/*
 * udp.h -- UDP sockets on a stack (net.h).
 *
 * A socket is bound to one local port and receives the datagrams sent to it either
 * through a callback (run from the event loop, outside any fiber: it MUST NOT block) or,
 * without a callback, into a bounded queue that fibers read with mg_udp_recvfrom().
 * Datagrams with a wrong checksum are dropped and counted; a datagram for a port nobody
 * bound gets an ICMP port unreachable (rate-limited).
 */
#ifndef MORGANA_UDP_H
#define MORGANA_UDP_H

#include <stddef.h>
#include <stdint.h>

#include <morgana/net.h>

#define MG_UDP_QUEUE_MAX	64		/* datagrams a socket queues, at most ... */
#define MG_UDP_QUEUE_BYTES	(256 * 1024)	/* ... and bytes of payload */
#define MG_UDP_MAX_PAYLOAD	(65535 - 20 - 8)
#define MG_UDP_EPHEMERAL_LO	49152		/* port 0 binds in [LO, 65535] */

struct mg_udp_sock;

/* One received datagram; valid only during the callback. */
struct mg_udp_dgram {
	uint32_t src, dst;
	uint16_t sport, dport;
	const uint8_t *data;
	size_t len;
};

typedef void (*mg_udp_callback)(void *arg, struct mg_udp_sock *s,
				const struct mg_udp_dgram *d);

/*
 * Bind a socket to local port (0: a free ephemeral port). With callback non-NULL every
 * datagram goes to callback(arg, s, d); otherwise it is queued for mg_udp_recvfrom().
 * Returns 0, -EADDRINUSE, -EAGAIN (no ephemeral port free) or -ENOMEM.
 */
int mg_udp_bind(struct mg_net *net, uint16_t port, mg_udp_callback callback, void *arg,
		struct mg_udp_sock **out);

/* Drop queued datagrams and free s. Returns 0, or -EBUSY (and does nothing) while a
 * fiber is blocked in mg_udp_recvfrom() on s. s MUST NOT be used after a 0 return. */
int mg_udp_close(struct mg_udp_sock *s);

uint16_t mg_udp_local_port(const struct mg_udp_sock *s);

/*
 * Send len bytes (at most MG_UDP_MAX_PAYLOAD) from s's port to dst:dport. Never blocks.
 * Returns 0 or an error of mg_ipv4_send() (-ENETUNREACH, -EMSGSIZE, -ENOBUFS), or
 * -EINVAL (dport 0).
 */
int mg_udp_sendto(struct mg_udp_sock *s, uint32_t dst, uint16_t dport, const void *buf,
		  size_t len);

/*
 * From a fiber: wait until a datagram is queued or the monotonic clock reaches
 * deadline_ns (MG_FOREVER: no limit), then copy up to size bytes of it into buf (the
 * rest of a longer datagram is discarded) and its source into *src, *sport (either may
 * be NULL). Returns the number of bytes copied, -ETIMEDOUT, or -EINVAL (s has a
 * callback).
 */
long mg_udp_recvfrom(struct mg_udp_sock *s, void *buf, size_t size, uint32_t *src,
		     uint16_t *sport, uint64_t deadline_ns);

#endif /* MORGANA_UDP_H */
