/* SPDX-License-Identifier: ISC */
/*
 * ipv4.c -- IPv4 input (checks, demultiplexing to protocol handlers) and output (route,
 * header, fragmentation, hand-off to ARP).
 *
 * The stack is a host, not a router: datagrams not addressed to us are dropped, and the
 * only routing decision is "on the subnet, else the gateway".
 */
#include <errno.h>
#include <string.h>

#include <morgana/runtime.h>

#include "internal.h"

static int route(struct mg_net *net, uint32_t dst, uint32_t *next_hop);
static int send_one(struct mg_net *net, struct mg_pkt *pkt, uint32_t dst, uint32_t next_hop,
		    uint8_t proto, uint16_t id, uint16_t frag_off, bool mf, bool df);
static void copy_from_pieces(uint8_t *out, size_t off, size_t n, const uint8_t *a,
			     size_t a_len, const uint8_t *b);

static bool
is_broadcast(const struct mg_net *net, uint32_t a)
{
	return a == MG_IPV4_BROADCAST || a == net->subnet_bcast;
}

void
mg_ipv4_input(struct mg_net *net, const uint8_t *buf, size_t len)
{
	struct mg_ipv4_hdr h;
	struct mg_ipv4_rx rx;

	if (mg_ipv4_parse(buf, len, &h) != 0) {
		NET_COUNT(net, ipv4, drop_malformed);
		return;
	}
	if (!mg_ipv4_csum_ok(buf, h.hdr_len)) {
		NET_COUNT(net, ipv4, drop_bad_csum);
		return;
	}
	if (h.src == net->cfg.addr || is_broadcast(net, h.src) || (h.src >> 28) == 0xe ||
	    h.src == 0) {
		NET_COUNT(net, ipv4, drop_bad_src);
		return;
	}
	if (h.dst != net->cfg.addr && !is_broadcast(net, h.dst)) {
		NET_COUNT(net, ipv4, drop_not_for_us);
		return;
	}
	if (h.mf || h.frag_off != 0) {
		NET_COUNT(net, ipv4, frags_rx);
		mg_reasm_input(net, &h, buf);
		return;
	}
	rx = (struct mg_ipv4_rx){
		.src = h.src, .dst = h.dst, .proto = h.proto, .ttl = h.ttl, .tos = h.tos,
		.to_broadcast = is_broadcast(net, h.dst),
		.ip_hdr = buf, .ip_hdr_len = h.hdr_len,
		.payload = buf + h.hdr_len, .len = (size_t)h.total_len - h.hdr_len,
	};
	mg_ipv4_deliver(net, &rx);
}

void
mg_ipv4_deliver(struct mg_net *net, const struct mg_ipv4_rx *rx)
{
	const struct proto_handler *ph = &net->proto[rx->proto];

	NET_COUNT(net, ipv4, rx);
	switch (rx->proto) {
	case MG_IP_PROTO_ICMP:
		mg_icmp_input(net, rx);
		return;
	case MG_IP_PROTO_UDP:
		mg_udp_input(net, rx);
		return;
	default:
		break;
	}
	if (ph->fn != NULL) {
		ph->fn(ph->arg, net, rx);
		return;
	}
	NET_COUNT(net, ipv4, drop_unknown_proto);
	(void)mg_icmp_send_unreach(net, rx, MG_ICMP_UNREACH_PROTO);
}

int
mg_ipv4_register(struct mg_net *net, uint8_t proto, mg_ipv4_handler handler, void *arg)
{
	if (handler == NULL)
		return -EINVAL;
	if (net->proto[proto].fn != NULL || proto == MG_IP_PROTO_ICMP ||
	    proto == MG_IP_PROTO_UDP)
		return -EBUSY;
	net->proto[proto].fn = handler;
	net->proto[proto].arg = arg;
	return 0;
}

void
mg_ipv4_unregister(struct mg_net *net, uint8_t proto)
{
	net->proto[proto].fn = NULL;
	net->proto[proto].arg = NULL;
}

/* The address to resolve for dst: dst itself on the subnet, else the gateway. */
static int
route(struct mg_net *net, uint32_t dst, uint32_t *next_hop)
{
	if (dst == net->cfg.addr || dst == 0 || (dst >> 28) == 0xe)
		goto unreachable;
	if (is_broadcast(net, dst) || (dst & net->netmask) == (net->cfg.addr & net->netmask)) {
		*next_hop = dst;
		return 0;
	}
	if (net->cfg.gateway != 0) {
		*next_hop = net->cfg.gateway;
		return 0;
	}
unreachable:
	NET_COUNT(net, ipv4, drop_no_route);
	return -ENETUNREACH;
}

/* Prepend the IPv4 header to pkt (data = payload of this datagram or fragment) and pass
 * it to ARP. Takes pkt. */
static int
send_one(struct mg_net *net, struct mg_pkt *pkt, uint32_t dst, uint32_t next_hop,
	 uint8_t proto, uint16_t id, uint16_t frag_off, bool mf, bool df)
{
	struct mg_ipv4_hdr h = {
		.total_len = (uint16_t)(pkt->len + MG_IPV4_HDR_LEN), .id = id, .mf = mf, .df = df,
		.frag_off = frag_off, .ttl = MG_NET_TTL, .proto = proto,
		.src = net->cfg.addr, .dst = dst,
	};
	uint8_t *p = mg_pkt_push(pkt, MG_IPV4_HDR_LEN);

	if (p == NULL || mg_ipv4_emit(p, MG_IPV4_HDR_LEN, &h) < 0) {
		mg_pkt_free(pkt);
		return -EINVAL;
	}
	return mg_arp_output(net, pkt, next_hop);
}

struct mg_pkt *
mg_ipv4_alloc(struct mg_net *net)
{
	struct mg_pkt *pkt = mg_netdev_alloc(net->dev);

	if (pkt == NULL)
		NET_COUNT(net, ipv4, drop_nobuf);
	return pkt;
}

int
mg_ipv4_output(struct mg_net *net, struct mg_pkt *pkt, uint32_t dst, uint8_t proto)
{
	return mg_ipv4_output_flags(net, pkt, dst, proto, 0);
}

int
mg_ipv4_output_flags(struct mg_net *net, struct mg_pkt *pkt, uint32_t dst, uint8_t proto,
		     unsigned flags)
{
	bool df = flags & MG_IPV4_DF;
	uint32_t next_hop;
	int err;

	if (df && pkt->len + MG_IPV4_HDR_LEN > net->dev->mtu) {
		NET_COUNT(net, ipv4, drop_too_big);
		mg_pkt_free(pkt);
		return -EMSGSIZE;
	}
	if (pkt->len + MG_IPV4_HDR_LEN > net->dev->mtu) {
		/* Too big for one frame: the copying path fragments it. */
		err = mg_ipv4_send(net, dst, proto, pkt->data, 0, pkt->data, pkt->len);
		mg_pkt_free(pkt);
		return err;
	}
	if ((err = route(net, dst, &next_hop)) != 0) {
		mg_pkt_free(pkt);
		return err;
	}
	NET_COUNT(net, ipv4, tx);
	return send_one(net, pkt, dst, next_hop, proto, net->ip_id++, 0, false, df);
}

/* Copy n bytes at offset off of the concatenation a (a_len bytes) + b into out. */
static void
copy_from_pieces(uint8_t *out, size_t off, size_t n, const uint8_t *a, size_t a_len,
		 const uint8_t *b)
{
	if (off < a_len) {
		size_t k = a_len - off < n ? a_len - off : n;

		memcpy(out, a + off, k);
		out += k;
		off += k;
		n -= k;
	}
	if (n > 0)
		memcpy(out, b + (off - a_len), n);
}

int
mg_ipv4_send(struct mg_net *net, uint32_t dst, uint8_t proto, const void *hdr,
	     size_t hdr_len, const void *payload, size_t payload_len)
{
	size_t total = hdr_len + payload_len, room = (size_t)net->dev->mtu - MG_IPV4_HDR_LEN;
	size_t frag_max = room & ~(size_t)7;
	uint32_t next_hop;
	uint16_t id;
	int err;

	if (total > MG_IPV4_MAX_LEN - MG_IPV4_HDR_LEN) {
		NET_COUNT(net, ipv4, drop_too_big);
		return -EMSGSIZE;
	}
	if ((err = route(net, dst, &next_hop)) != 0)
		return err;
	id = net->ip_id++;
	NET_COUNT(net, ipv4, tx);
	for (size_t off = 0; off < total || off == 0;) {
		size_t n = total - off <= room ? total - off : frag_max;
		bool mf = off + n < total;
		struct mg_pkt *pkt = mg_ipv4_alloc(net);

		if (pkt == NULL)
			return -ENOBUFS;
		copy_from_pieces(mg_pkt_put(pkt, n), off, n, hdr, hdr_len, payload);
		if (mf || off > 0)
			NET_COUNT(net, ipv4, frags_tx);
		if ((err = send_one(net, pkt, dst, next_hop, proto, id, (uint16_t)off, mf,
				    false)) != 0)
			return err;
		off += n;
		if (total == 0)
			break;
	}
	return 0;
}
