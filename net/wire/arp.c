/* SPDX-License-Identifier: ISC */
/* arp.c -- ARP packet codec (RFC 826), for Ethernet hardware and IPv4 addresses only. */
#include <errno.h>
#include <string.h>

#include <morgana/net_wire.h>

#define ARP_HTYPE_ETHERNET	1

int
mg_arp_parse(const void *buf, size_t len, struct mg_arp *a)
{
	const uint8_t *p = buf;

	if (len < MG_ARP_LEN)
		return -EINVAL;
	if (mg_get_be16(p) != ARP_HTYPE_ETHERNET || mg_get_be16(p + 2) != MG_ETHERTYPE_IPV4 ||
	    p[4] != 6 || p[5] != 4)
		return -ENOTSUP;
	a->op = mg_get_be16(p + 6);
	if (a->op != MG_ARP_REQUEST && a->op != MG_ARP_REPLY)
		return -EINVAL;
	memcpy(a->sha.b, p + 8, 6);
	a->spa = mg_get_be32(p + 14);
	memcpy(a->tha.b, p + 18, 6);
	a->tpa = mg_get_be32(p + 24);
	return 0;
}

int
mg_arp_emit(void *buf, size_t len, const struct mg_arp *a)
{
	uint8_t *p = buf;

	if (len < MG_ARP_LEN)
		return -ENOSPC;
	if (a->op != MG_ARP_REQUEST && a->op != MG_ARP_REPLY)
		return -EINVAL;
	mg_put_be16(p, ARP_HTYPE_ETHERNET);
	mg_put_be16(p + 2, MG_ETHERTYPE_IPV4);
	p[4] = 6;
	p[5] = 4;
	mg_put_be16(p + 6, a->op);
	memcpy(p + 8, a->sha.b, 6);
	mg_put_be32(p + 14, a->spa);
	memcpy(p + 18, a->tha.b, 6);
	mg_put_be32(p + 24, a->tpa);
	return MG_ARP_LEN;
}
