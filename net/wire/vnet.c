/* SPDX-License-Identifier: ISC */
/*
 * vnet.c -- the virtio-net header (struct virtio_net_hdr_v1) that a TAP opened with
 * IFF_VNET_HDR puts before every frame: offload requests and results.
 *
 * virtio 1.0 fixes the byte order as little-endian; on the little-endian hosts we run on
 * that is also what the legacy (pre-1.0) TAP default of "native order" means.
 */
#include <errno.h>

#include <morgana/net_wire.h>

#define KNOWN_FLAGS	(MG_VNET_F_NEEDS_CSUM | MG_VNET_F_DATA_VALID)

static uint16_t get_le16(const uint8_t *p);
static void put_le16(uint8_t *p, uint16_t v);
static bool gso_type_known(uint8_t t);

static uint16_t
get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void
put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static bool
gso_type_known(uint8_t t)
{
	uint8_t base = t & (uint8_t)~MG_VNET_GSO_ECN;

	if ((t & MG_VNET_GSO_ECN) && base != MG_VNET_GSO_TCPV4 && base != MG_VNET_GSO_TCPV6)
		return false;
	return base == MG_VNET_GSO_NONE || base == MG_VNET_GSO_TCPV4 ||
	       base == MG_VNET_GSO_UDP || base == MG_VNET_GSO_TCPV6 ||
	       base == MG_VNET_GSO_UDP_L4;
}

int
mg_vnet_hdr_parse(const void *buf, size_t len, struct mg_vnet_hdr *h)
{
	const uint8_t *p = buf;

	if (len < MG_VNET_HDR_LEN)
		return -EINVAL;
	h->flags = p[0];
	h->gso_type = p[1];
	h->hdr_len = get_le16(p + 2);
	h->gso_size = get_le16(p + 4);
	h->csum_start = get_le16(p + 6);
	h->csum_offset = get_le16(p + 8);
	h->num_buffers = get_le16(p + 10);
	if ((h->flags & ~KNOWN_FLAGS) != 0 || !gso_type_known(h->gso_type))
		return -ENOTSUP;
	if (h->gso_type != MG_VNET_GSO_NONE && h->gso_size == 0)
		return -EINVAL;
	/* The field to fill must lie inside the frame that follows the header. */
	if ((h->flags & MG_VNET_F_NEEDS_CSUM) &&
	    (size_t)h->csum_start + h->csum_offset + 2 > len - MG_VNET_HDR_LEN)
		return -EINVAL;
	return 0;
}

int
mg_vnet_hdr_emit(void *buf, size_t len, const struct mg_vnet_hdr *h)
{
	uint8_t *p = buf;

	if ((h->flags & ~KNOWN_FLAGS) != 0 || !gso_type_known(h->gso_type))
		return -EINVAL;
	if (len < MG_VNET_HDR_LEN)
		return -ENOSPC;
	p[0] = h->flags;
	p[1] = h->gso_type;
	put_le16(p + 2, h->hdr_len);
	put_le16(p + 4, h->gso_size);
	put_le16(p + 6, h->csum_start);
	put_le16(p + 8, h->csum_offset);
	put_le16(p + 10, h->num_buffers);
	return MG_VNET_HDR_LEN;
}
