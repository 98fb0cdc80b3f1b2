/* SPDX-License-Identifier: ISC */
/*
 * The authoritative service: the engine (server.c) behind a UDP port of a network
 * stack. Each datagram is answered from the stack's receive callback into one buffer
 * that lives as long as the service, so a query costs no allocation, and the response
 * joins the device's transmit queue with the rest of its receive batch.
 *
 * TCP (RFC 7766) sits beside it in service_tcp.c; the counters of both are rendered
 * here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <morgana/dns.h>
#include <morgana/net.h>
#include <morgana/udp.h>

#include "dns_int.h"
#include "service_int.h"

static void udp_query(void *arg, struct mg_udp_sock *sock, const struct mg_udp_dgram *d);

static void
udp_query(void *arg, struct mg_udp_sock *sock, const struct mg_udp_dgram *d)
{
	struct mg_dns_service *svc = arg;
	size_t len;

	svc->stats.udp_queries++;
	/* A DNS server does not answer broadcasts, and a reply to port 0 cannot be sent. */
	if (d->dst != mg_net_ipv4_addr(svc->net) || d->sport == 0 ||
	    mg_dns_respond(svc->engine, d->data, d->len, MG_DNS_UDP, svc->out, svc->out_cap,
			   &len, NULL) != 0) {
		svc->stats.udp_dropped++;
		return;
	}
	if (dns_get16(svc->out + 2) & MG_DNS_F_TC)
		svc->stats.udp_truncated++;
	/* A response the stack cannot take is lost like any datagram; the client retries. */
	if (mg_udp_sendto(sock, d->src, d->sport, svc->out, len) != 0) {
		svc->stats.udp_send_errors++;
		return;
	}
	svc->stats.udp_responses++;
}

int
mg_dns_service_start(struct mg_net *net, struct mg_dns_server *engine, uint16_t port,
		     struct mg_dns_service **out)
{
	struct mg_dns_service *svc;
	size_t cap;
	int err;

	if (net == NULL || engine == NULL || out == NULL)
		return -EINVAL;
	cap = engine->udp_payload_max > MG_DNS_UDP_MIN ? engine->udp_payload_max
						       : MG_DNS_UDP_MIN;
	svc = calloc(1, sizeof(*svc) + cap);
	if (svc == NULL)
		return -ENOMEM;
	svc->net = net;
	svc->engine = engine;
	svc->out_cap = cap;
	svc->port = port;
	if ((err = mg_udp_bind(net, port, udp_query, svc, &svc->udp)) != 0) {
		free(svc);
		return err;
	}
	*out = svc;
	return 0;
}

void
mg_dns_service_stop(struct mg_dns_service *svc)
{
	if (svc == NULL)
		return;
	dns_tcp_stop(svc);
	/* A callback socket has no fiber blocked on it, so closing cannot be refused. */
	(void)mg_udp_close(svc->udp);
	free(svc);
}

const struct mg_dns_service_stats *
mg_dns_service_stats(const struct mg_dns_service *svc)
{
	return &svc->stats;
}

size_t
mg_dns_service_format(const struct mg_dns_service *svc, char *buf, size_t size)
{
	const struct mg_dns_service_stats *t = &svc->stats;
	const struct mg_dns_stats *e = &svc->engine->stats;
	const struct { const char *name; uint64_t value; } rows[] = {
		{ "udp_queries", t->udp_queries }, { "udp_responses", t->udp_responses },
		{ "udp_dropped", t->udp_dropped }, { "udp_send_errors", t->udp_send_errors },
		{ "udp_truncated", t->udp_truncated },
		{ "tcp_connections", t->tcp_connections }, { "tcp_queries", t->tcp_queries },
		{ "tcp_responses", t->tcp_responses }, { "tcp_refused", t->tcp_refused },
		{ "tcp_timeouts", t->tcp_timeouts }, { "tcp_dropped", t->tcp_dropped },
		{ "tcp_errors", t->tcp_errors }, { "tcp_active", t->tcp_active },
		{ "queries", e->queries }, { "dropped", e->dropped }, { "formerr", e->formerr },
		{ "notimp", e->notimp }, { "refused", e->refused }, { "nxdomain", e->nxdomain },
		{ "nodata", e->nodata }, { "referrals", e->referrals },
		{ "truncated", e->truncated }, { "too_big", e->too_big },
		{ "badvers", e->badvers }, { "axfr", e->axfr },
	};
	size_t len = 0;

	if (size > 0)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
				 "dns.%s %llu\n", rows[i].name,
				 (unsigned long long)rows[i].value);
		if (n > 0)
			len += (size_t)n;
	}
	return len;
}
