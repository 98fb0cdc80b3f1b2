/* SPDX-License-Identifier: ISC */
/*
 * hvt_call.h -- issuing an hvt hypercall from the guest (contract in morgana/hvt_abi.h).
 * Private to platform/hvt and its tests.
 */
#ifndef MORGANA_PLATFORM_HVT_CALL_H
#define MORGANA_PLATFORM_HVT_CALL_H

#include <stdint.h>

#include <morgana/hvt_abi.h>

/* arg points to the call's struct, in memory the guest owns (below 4 GiB, 8-aligned).
 * "memory": the tender reads and writes it during the store. */
static inline void
mg_hvt_call(unsigned call, void *arg)
{
	__asm__ volatile("movl %0, (%1)"
			 : : "r"((uint32_t)(uintptr_t)arg),
			     "r"((uintptr_t)MG_HVT_MMIO_BASE + 8 * call)
			 : "memory");
}

/*
 * Wake the tender's network I/O thread (MG_HVT_KICK): KVM signals it from the kernel
 * without stopping the vCPU in user space -- ~5-13 us here against 35-100 us for a call.
 */
static inline void
mg_hvt_kick(void)
{
	__asm__ volatile("movl %%eax, (%0)" : : "r"((uintptr_t)MG_HVT_KICK) : "memory");
}

/* Point the tender's IDT at this image's exception stubs (trap.S). 0 or -EINVAL. */
int mg_hvt_traps_install(void);

#endif /* MORGANA_PLATFORM_HVT_CALL_H */
