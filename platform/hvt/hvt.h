/* SPDX-License-Identifier: ISC */
/* hvt.h -- what the files of platform/hvt share. */
#ifndef MORGANA_PLATFORM_HVT_H
#define MORGANA_PLATFORM_HVT_H

#include <morgana/plat.h>

#include "hvt_call.h"

/* Called once by boot.c before anything else of plat.c. */
void mg_hvt_plat_init(const struct mg_plat_boot_info *info);

_Noreturn void mg_hvt_boot(const struct mg_plat_boot_info *info);

#endif /* MORGANA_PLATFORM_HVT_H */
