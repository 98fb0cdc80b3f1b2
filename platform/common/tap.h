/* SPDX-License-Identifier: ISC */
/*
 * tap.h -- what every host-side opener of a TAP interface (the unix target, the hvt and
 * spt tenders) negotiates the same way.
 */
#ifndef MORGANA_PLATFORM_COMMON_TAP_H
#define MORGANA_PLATFORM_COMMON_TAP_H

#include <stdint.h>

/*
 * Header size and receive offloads on a TAP opened with IFF_VNET_HDR: the 12-byte
 * virtio-net header, then the most the kernel grants of checksums plus TSO, checksums
 * alone, nothing. Returns plat.h's MG_PLAT_NET_* offload bits, or 0 if even the header
 * size was refused (errno says why; the caller gives up).
 */
uint32_t mg_tap_offloads(int fd);

#endif /* MORGANA_PLATFORM_COMMON_TAP_H */
