/* SPDX-License-Identifier: ISC */
/* hvt.h -- what the files of platform/hvt share. */
#ifndef MORGANA_PLATFORM_HVT_H
#define MORGANA_PLATFORM_HVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/plat.h>

#include "hvt_call.h"

/* The TSC at the image's first instruction (start.S): the monotonic clock's origin. */
extern uint64_t mg_hvt_tsc_at_start;

/* Called once by boot.c before anything else of plat.c. */
void mg_hvt_plat_init(const struct mg_plat_boot_info *info);

/* netq.c: a network device's rings (morgana/hvt_abi.h). */
/* Give device handle (frames of 14 + header_len to frame_max bytes) rings sized from the
 * heap; -ENOMEM if they do not fit (the device then moves frames by hypercalls). */
int mg_hvt_netq_setup(mg_plat_handle handle, uint32_t frame_max, uint32_t header_len,
		      size_t heap_size);
bool mg_hvt_netq_active(mg_plat_handle handle);
/* mg_plat_net_write and _read for a device with rings (handle checked by the caller). */
int mg_hvt_netq_write(mg_plat_handle handle, const struct mg_plat_frame *frames,
		      size_t count, size_t *sent);
int mg_hvt_netq_read(mg_plat_handle handle, struct mg_plat_frame *frames, size_t count,
		     size_t *received);
/* The set of devices with rings whose RX ring holds a frame; no exit. */
uint64_t mg_hvt_netq_ready(void);

_Noreturn void mg_hvt_boot(const struct mg_plat_boot_info *info);

#endif /* MORGANA_PLATFORM_HVT_H */
