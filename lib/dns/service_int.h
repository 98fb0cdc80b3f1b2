/* SPDX-License-Identifier: ISC */
/*
 * service_int.h -- what the service's two transports share: service.c (UDP, the
 * counters) and service_tcp.c (TCP).
 */
#ifndef MORGANA_DNS_SERVICE_INT_H
#define MORGANA_DNS_SERVICE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <morgana/dns.h>

struct mg_udp_sock;
struct dns_tcp;

struct mg_dns_service {
	struct mg_net *net;
	struct mg_dns_server *engine;
	struct mg_udp_sock *udp;
	uint16_t port;
	struct dns_tcp *tcp;	/* NULL until mg_dns_service_tcp() */
	struct mg_dns_service_stats stats;
	size_t out_cap;
	uint8_t out[];		/* out_cap octets: the UDP response being built */
};

/* Reset every connection, close the listener, free the TCP part. */
void dns_tcp_stop(struct mg_dns_service *svc);

#endif /* MORGANA_DNS_SERVICE_INT_H */
