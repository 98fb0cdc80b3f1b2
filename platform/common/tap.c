/* SPDX-License-Identifier: ISC */
/*
 * tap.c -- TAP offload negotiation shared by the unix target and the tenders.
 */
#include <linux/if_tun.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include <morgana/plat.h>

#include "tap.h"

uint32_t
mg_tap_offloads(int fd)
{
	static const unsigned long wanted[] = { TUN_F_CSUM | TUN_F_TSO4, TUN_F_CSUM, 0 };
	int hdr_len = MG_PLAT_NET_VNET_HDR_LEN;
	uint32_t offloads = MG_PLAT_NET_VNET_HDR | MG_PLAT_NET_CSUM | MG_PLAT_NET_TSO4;

	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		if (ioctl(fd, TUNSETOFFLOAD, wanted[i]) < 0)
			continue;
		if (wanted[i] & TUN_F_CSUM)
			offloads |= MG_PLAT_NET_GUEST_CSUM;
		if (wanted[i] & TUN_F_TSO4)
			offloads |= MG_PLAT_NET_GUEST_TSO4;
		break;
	}
	return offloads;
}
