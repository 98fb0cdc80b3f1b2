/* SPDX-License-Identifier: ISC */
/*
 * udp.c -- UDP sockets: a list of bound ports, each with a callback or a bounded queue
 * read by fibers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/fiber.h>
#include <morgana/random.h>
#include <morgana/udp.h>

#include "internal.h"

struct queued {
	struct mg_list link;
	uint32_t src;
	uint16_t sport;
	size_t len;
	uint8_t data[];
};

struct mg_udp_sock {
	struct mg_list link;
	struct mg_net *net;
	uint16_t port;
	mg_udp_callback callback;
	void *arg;
	struct mg_list queue;
	size_t queued, queued_bytes;
	struct mg_waitq readers;
};

static struct mg_udp_sock *sock_find(struct mg_net *net, uint16_t port);
static int pick_port(struct mg_net *net, uint16_t *port);

static struct mg_udp_sock *
sock_find(struct mg_net *net, uint16_t port)
{
	struct mg_list *node, *tmp;

	mg_list_for_each_safe(node, tmp, &net->udp_socks) {
		struct mg_udp_sock *s = mg_container_of(node, struct mg_udp_sock, link);

		if (s->port == port)
			return s;
	}
	return NULL;
}

/* Ephemeral ports start at a random place (RFC 6056) and then go round in order. */
static int
pick_port(struct mg_net *net, uint16_t *port)
{
	if (net->udp_next_port == 0)
		net->udp_next_port = (uint16_t)(MG_UDP_EPHEMERAL_LO +
						mg_random_below(65536u - MG_UDP_EPHEMERAL_LO));
	for (uint32_t tries = 0; tries <= 65535u - MG_UDP_EPHEMERAL_LO; tries++) {
		uint16_t p = net->udp_next_port;

		net->udp_next_port = p == 65535 ? MG_UDP_EPHEMERAL_LO : (uint16_t)(p + 1);
		if (sock_find(net, p) == NULL) {
			*port = p;
			return 0;
		}
	}
	return -EAGAIN;
}

int
mg_udp_bind(struct mg_net *net, uint16_t port, mg_udp_callback callback, void *arg,
	    struct mg_udp_sock **out)
{
	struct mg_udp_sock *s;
	int err;

	if (port == 0) {
		if ((err = pick_port(net, &port)) != 0)
			return err;
	} else if (sock_find(net, port) != NULL) {
		return -EADDRINUSE;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->net = net;
	s->port = port;
	s->callback = callback;
	s->arg = arg;
	mg_list_init(&s->queue);
	mg_waitq_init(&s->readers);
	mg_list_push_back(&net->udp_socks, &s->link);
	*out = s;
	return 0;
}

int
mg_udp_close(struct mg_udp_sock *s)
{
	struct mg_list *node;

	if (!mg_waitq_empty(&s->readers))
		return -EBUSY;
	while ((node = mg_list_pop_front(&s->queue)) != NULL)
		free(mg_container_of(node, struct queued, link));
	mg_list_remove(&s->link);
	free(s);
	return 0;
}

uint16_t
mg_udp_local_port(const struct mg_udp_sock *s)
{
	return s->port;
}

void
mg_udp_input(struct mg_net *net, const struct mg_ipv4_rx *rx)
{
	struct mg_udp_hdr h;
	struct mg_udp_sock *s;
	struct mg_udp_dgram d;
	struct queued *q;

	NET_COUNT(net, udp, rx);
	if (mg_udp_parse(rx->payload, rx->len, &h) != 0) {
		NET_COUNT(net, udp, drop_malformed);
		return;
	}
	if (h.csum != 0 && !mg_l4_csum_ok(rx->payload, h.len, rx->src, rx->dst,
					  MG_IP_PROTO_UDP)) {
		NET_COUNT(net, udp, drop_bad_csum);
		return;
	}
	if (h.dport == 0 || (s = sock_find(net, h.dport)) == NULL) {
		NET_COUNT(net, udp, drop_no_port);
		(void)mg_icmp_send_unreach(net, rx, MG_ICMP_UNREACH_PORT);
		return;
	}
	d = (struct mg_udp_dgram){ .src = rx->src, .dst = rx->dst, .sport = h.sport,
				   .dport = h.dport, .data = rx->payload + MG_UDP_HDR_LEN,
				   .len = (size_t)h.len - MG_UDP_HDR_LEN };
	if (s->callback != NULL) {
		s->callback(s->arg, s, &d);
		return;
	}
	if (s->queued >= MG_UDP_QUEUE_MAX || s->queued_bytes + d.len > MG_UDP_QUEUE_BYTES ||
	    (q = malloc(sizeof(*q) + d.len)) == NULL) {
		NET_COUNT(net, udp, drop_queue_full);
		return;
	}
	q->src = d.src;
	q->sport = d.sport;
	q->len = d.len;
	memcpy(q->data, d.data, d.len);
	mg_list_push_back(&s->queue, &q->link);
	s->queued++;
	s->queued_bytes += d.len;
	mg_waitq_wake_one(&s->readers);
}

int
mg_udp_sendto(struct mg_udp_sock *s, uint32_t dst, uint16_t dport, const void *buf,
	      size_t len)
{
	struct mg_net *net = s->net;
	struct mg_udp_hdr h = { .sport = s->port, .dport = dport,
				.len = (uint16_t)(len + MG_UDP_HDR_LEN) };
	uint8_t hdr[MG_UDP_HDR_LEN];
	int err;

	if (dport == 0)
		return -EINVAL;
	if (len > MG_UDP_MAX_PAYLOAD) {
		NET_COUNT(net, ipv4, drop_too_big);
		return -EMSGSIZE;
	}
	(void)mg_udp_emit(hdr, sizeof(hdr), &h, net->cfg.addr, dst,
			  mg_csum_partial(buf, len, 0));
	err = mg_ipv4_send(net, dst, MG_IP_PROTO_UDP, hdr, sizeof(hdr), buf, len);
	if (err == 0)
		NET_COUNT(net, udp, tx);
	return err;
}

long
mg_udp_recvfrom(struct mg_udp_sock *s, void *buf, size_t size, uint32_t *src,
		uint16_t *sport, uint64_t deadline_ns)
{
	struct mg_list *node;
	struct queued *q;
	size_t n;
	int err;

	if (s->callback != NULL)
		return -EINVAL;
	while (mg_list_empty(&s->queue))
		if ((err = mg_waitq_wait(&s->readers, deadline_ns)) != 0)
			return err;
	node = mg_list_pop_front(&s->queue);
	q = mg_container_of(node, struct queued, link);
	s->queued--;
	s->queued_bytes -= q->len;
	n = q->len < size ? q->len : size;
	memcpy(buf, q->data, n);
	if (src != NULL)
		*src = q->src;
	if (sport != NULL)
		*sport = q->sport;
	free(q);
	return (long)n;
}
