/* SPDX-License-Identifier: ISC */
/*
 * cpu.c -- what the CPU lets a Linux process's user code do, as MG_PLAT_CPU_* bits for
 * mg_plat_boot_info.cpu_features. Host code only: guests get the bits in their boot info
 * and never run cpuid themselves.
 */
#include <cpuid.h>
#include <sys/auxv.h>

#include <morgana/plat.h>

#include "cpu.h"

#define LEAF1_ECX_OSXSAVE	(1u << 27)
#define LEAF1_ECX_AVX		(1u << 28)
#define LEAF1_ECX_RDRAND	(1u << 30)
#define LEAF7_EBX_FSGSBASE	(1u << 0)
#define LEAF7_EBX_RDSEED	(1u << 18)
#define XCR0_SSE_AVX		6u
/* Linux's HWCAP2_FSGSBASE: the kernel enabled the instructions for user space. */
#define HWCAP2_FSGSBASE_BIT	(1ul << 1)

uint64_t
mg_cpu_features_host(void)
{
	unsigned max, a, b, c, d, leaf1_ecx;
	uint64_t f = 0;

	max = __get_cpuid_max(0, NULL);
	if (max < 1)
		return 0;
	__cpuid(1, a, b, leaf1_ecx, d);
	if (leaf1_ecx & LEAF1_ECX_RDRAND)
		f |= MG_PLAT_CPU_RDRAND;
	if ((leaf1_ecx & LEAF1_ECX_AVX) && (leaf1_ecx & LEAF1_ECX_OSXSAVE)) {
		unsigned lo, hi;

		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		if ((lo & XCR0_SSE_AVX) == XCR0_SSE_AVX)
			f |= MG_PLAT_CPU_AVX;
	}
	if (max >= 7) {
		__cpuid_count(7, 0, a, b, c, d);
		if (b & LEAF7_EBX_RDSEED)
			f |= MG_PLAT_CPU_RDSEED;
		if ((b & LEAF7_EBX_FSGSBASE) && (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE_BIT))
			f |= MG_PLAT_CPU_FSGSBASE;
	}
	return f;
}
