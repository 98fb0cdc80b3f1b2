/* SPDX-License-Identifier: ISC */
/*
 * cpu.h -- the host side of mg_plat_boot_info.cpu_features, for the targets whose guest
 * runs as an ordinary Linux process (unix in-process, spt in the tender).
 */
#ifndef MORGANA_PLATFORM_COMMON_CPU_H
#define MORGANA_PLATFORM_COMMON_CPU_H

#include <stdint.h>

/*
 * The MG_PLAT_CPU_* bits that hold for user code of this Linux process: from cpuid,
 * with the kernel's say for FSGSBASE (AT_HWCAP2) and for AVX state (XCR0).
 */
uint64_t mg_cpu_features_host(void);

#endif /* MORGANA_PLATFORM_COMMON_CPU_H */
