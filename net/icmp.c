/* SPDX-License-Identifier: ISC */
/*
 * icmp.c -- ICMPv4: answer echo requests, send rate-limited destination unreachables.
 * Other messages are counted and ignored (a transport protocol may later want them).
 */
#include <errno.h>
#include <string.h>

#include <morgana/runtime.h>

#include "internal.h"

#define NS_PER_SEC	1000000000ull

static bool rate_limit_take(struct mg_net *net);
static void error_input(struct mg_net *net, const struct mg_ipv4_rx *rx,
			const struct mg_icmp_hdr *h);

/* An error quoting one of our datagrams goes to the protocol that sent it. */
static void
error_input(struct mg_net *net, const struct mg_ipv4_rx *rx, const struct mg_icmp_hdr *h)
{
	const uint8_t *q = rx->payload + MG_ICMP_HDR_LEN;
	size_t q_len = rx->len - MG_ICMP_HDR_LEN, ihl;
	const struct proto_handler *ph;
	struct mg_icmp_error e;

	NET_COUNT(net, icmp, rx_errors);
	/* The quote is cut short by design, so mg_ipv4_parse() would refuse it. */
	if (q_len < MG_IPV4_HDR_LEN || (q[0] >> 4) != 4)
		goto bad;
	ihl = (size_t)(q[0] & 0x0f) * 4;
	if (ihl < MG_IPV4_HDR_LEN || q_len < ihl + 8 || mg_get_be32(q + 12) != net->cfg.addr)
		goto bad;
	e = (struct mg_icmp_error){
		.type = h->type, .code = h->code, .reporter = rx->src,
		.next_hop_mtu = h->type == MG_ICMP_UNREACH && h->code ==
				MG_ICMP_UNREACH_NEEDFRAG ? (uint16_t)h->rest : 0,
		.src = mg_get_be32(q + 12), .dst = mg_get_be32(q + 16), .proto = q[9],
		.l4 = q + ihl, .l4_len = q_len - ihl,
	};
	ph = &net->proto[e.proto];
	if (ph->error_fn != NULL)
		ph->error_fn(ph->error_arg, net, &e);
	return;
bad:
	NET_COUNT(net, icmp, drop_bad_quote);
}

int
mg_icmp_register_error(struct mg_net *net, uint8_t proto, mg_icmp_error_handler handler,
		       void *arg)
{
	struct proto_handler *ph = &net->proto[proto];

	if (handler != NULL && ph->error_fn != NULL)
		return -EBUSY;
	ph->error_fn = handler;
	ph->error_arg = handler != NULL ? arg : NULL;
	return 0;
}

void
mg_icmp_input(struct mg_net *net, const struct mg_ipv4_rx *rx)
{
	struct mg_icmp_hdr h, reply;
	uint8_t hdr[MG_ICMP_HDR_LEN];

	NET_COUNT(net, icmp, rx);
	if (mg_icmp_parse(rx->payload, rx->len, &h) != 0) {
		NET_COUNT(net, icmp, drop_malformed);
		return;
	}
	if (mg_csum(rx->payload, rx->len) != 0) {
		NET_COUNT(net, icmp, drop_bad_csum);
		return;
	}
	if ((h.type == MG_ICMP_UNREACH || h.type == MG_ICMP_TIME_EXCEEDED) &&
	    !rx->to_broadcast) {
		error_input(net, rx, &h);
		return;
	}
	/* Echo to a broadcast address would make us an amplifier; Linux ignores it too. */
	if (h.type != MG_ICMP_ECHO_REQUEST || rx->to_broadcast)
		return;
	NET_COUNT(net, icmp, rx_echo_requests);
	reply = (struct mg_icmp_hdr){ .type = MG_ICMP_ECHO_REPLY, .code = 0, .rest = h.rest };
	(void)mg_icmp_emit(hdr, sizeof(hdr), &reply,
			   mg_csum_partial(rx->payload + MG_ICMP_HDR_LEN,
					   rx->len - MG_ICMP_HDR_LEN, 0));
	if (mg_ipv4_send(net, rx->src, MG_IP_PROTO_ICMP, hdr, sizeof(hdr),
			 rx->payload + MG_ICMP_HDR_LEN, rx->len - MG_ICMP_HDR_LEN) == 0) {
		NET_COUNT(net, icmp, tx);
		NET_COUNT(net, icmp, tx_echo_replies);
	}
}

/* A token bucket kept as nanoseconds of credit: one message costs 1/PER_SEC s. */
static bool
rate_limit_take(struct mg_net *net)
{
	const uint64_t cost = NS_PER_SEC / MG_NET_ICMP_PER_SEC, cap = cost * MG_NET_ICMP_BURST;
	uint64_t now = mg_now_ns();

	net->icmp_credit_ns += now - net->icmp_last_ns;
	net->icmp_last_ns = now;
	if (net->icmp_credit_ns > cap)
		net->icmp_credit_ns = cap;
	if (net->icmp_credit_ns < cost)
		return false;
	net->icmp_credit_ns -= cost;
	return true;
}

int
mg_icmp_send_unreach(struct mg_net *net, const struct mg_ipv4_rx *rx, uint8_t code)
{
	struct mg_icmp_hdr h = { .type = MG_ICMP_UNREACH, .code = code };
	uint8_t hdr[MG_ICMP_HDR_LEN], body[MG_IPV4_HDR_MAX + 8];
	size_t quote = rx->len < 8 ? rx->len : 8, body_len = rx->ip_hdr_len + quote;
	int err;

	if (rx->to_broadcast)
		return -EPERM;
	if (!rate_limit_take(net)) {
		NET_COUNT(net, icmp, unreach_rate_limited);
		return -EAGAIN;
	}
	memcpy(body, rx->ip_hdr, rx->ip_hdr_len);
	memcpy(body + rx->ip_hdr_len, rx->payload, quote);
	(void)mg_icmp_emit(hdr, sizeof(hdr), &h, mg_csum_partial(body, body_len, 0));
	err = mg_ipv4_send(net, rx->src, MG_IP_PROTO_ICMP, hdr, sizeof(hdr), body, body_len);
	if (err == 0) {
		NET_COUNT(net, icmp, tx);
		NET_COUNT(net, icmp, tx_unreach);
	}
	return err;
}
