/* SPDX-License-Identifier: ISC */
/* spt.h -- what the files of platform/spt share. */
#ifndef MORGANA_PLATFORM_SPT_H
#define MORGANA_PLATFORM_SPT_H

#include <morgana/spt_abi.h>

/* Called once by boot.c before anything else of plat.c. */
void mg_spt_plat_init(const struct mg_spt_boot_info *info);

_Noreturn void mg_spt_boot(const struct mg_spt_boot_info *info);

#endif /* MORGANA_PLATFORM_SPT_H */
