/* SPDX-License-Identifier: ISC */
/* hvt.h -- what the files of platform/hvt share. */
#ifndef MORGANA_PLATFORM_HVT_H
#define MORGANA_PLATFORM_HVT_H

#include <stdint.h>

#include <morgana/plat.h>

#include "hvt_call.h"

/* The TSC at the image's first instruction (start.S): the monotonic clock's origin. */
extern uint64_t mg_hvt_tsc_at_start;

/* Called once by boot.c before anything else of plat.c. */
void mg_hvt_plat_init(const struct mg_plat_boot_info *info);

_Noreturn void mg_hvt_boot(const struct mg_plat_boot_info *info);

#endif /* MORGANA_PLATFORM_HVT_H */
