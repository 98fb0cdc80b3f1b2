/* SPDX-License-Identifier: ISC */
/*
 * spt_abi.h -- the contract between an spt guest and its tender, morgana-spt.
 *
 * An spt image is a static x86_64 ELF executable, like an hvt image, that runs inside the
 * tender's own Linux process. The tender maps guest memory at fixed addresses (below),
 * loads the image, opens the devices, points %fs at a read-only thread control block,
 * confines the process with a seccomp filter and jumps to the ELF entry. From then on the
 * guest talks to Linux directly, with the `syscall` instruction, and may make only these
 * calls, on only these file descriptors (anything else kills the process with SIGSYS):
 *
 *   write(fd, ...)            fd 1 (console), fd 2 (fault reports) or a network device's fd
 *   read(fd, ...)             a network device's fd (a TAP: one frame per call, non-blocking,
 *                             with the virtio-net header when offloads says so)
 *   pread64 / pwrite64(fd)    a block device's fd
 *   ppoll(...)                any arguments (it only waits)
 *   clock_gettime(clock)      CLOCK_MONOTONIC or CLOCK_REALTIME
 *   exit_group(status)
 *
 * Machine state at entry:
 *   rdi = address of a struct mg_spt_boot_info (read-only, with everything it points to);
 *   rsp = top of a MG_SPT_STACK_SIZE stack, 16-byte aligned, an unmapped guard page below;
 *   %fs = MG_SPT_TCB: a read-only page whose word at offset 0x28 is the stack-protector
 *         canary (random, low byte zero), where -fstack-protector code looks for it.
 *   Other general registers are zero; signal handlers other than the tender's fault
 *   reporter are the defaults.
 *
 * Guest memory, for --mem=MB (all addresses are the guest's and the process's alike):
 *   0 .. MG_SPT_TCB            never mapped (null dereferences fault)
 *   MG_SPT_TCB                 the TCB page (read-only)
 *   MG_SPT_BOOT_INFO           boot info, the checked manifest copy, the command line
 *                              (read-only), then unmapped up to MG_SPT_IMAGE_BASE
 *   MG_SPT_IMAGE_BASE          the image's segments: text R+X, rodata R, data+bss R+W
 *   image end                  heap (R+W), as mg_plat_boot_info.heap_start/heap_size say
 *   MB << 20 - stack - 4 KiB   guard page (unmapped), then the stack (R+W) up to MB << 20
 * Nothing is ever both writable and executable. A fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
 * SIGTRAP) is reported by the tender's handler on stderr and ends the process with 255.
 */
#ifndef MORGANA_SPT_ABI_H
#define MORGANA_SPT_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>

#include <morgana/manifest.h>
#include <morgana/plat.h>
#endif

#define MG_SPT_TCB		0x10000
#define MG_SPT_TCB_CANARY	0x28	/* offset of the canary in the TCB */
#define MG_SPT_BOOT_INFO	0x11000
#define MG_SPT_IMAGE_BASE	0x100000
#define MG_SPT_STACK_SIZE	(128 * 1024)
#define MG_SPT_ABI_VERSION	3	/* 2: devices[].offloads or cpu_features; 3: both */

#ifndef __ASSEMBLER__
/* A device as the tender opened it; devices[i] is the manifest's device i. */
struct mg_spt_device {
	int32_t fd;		/* the only fd the filter lets the guest use for it */
	uint32_t type;		/* enum mg_device_type */
	uint8_t mac[6];		/* net: the guest's MAC address */
	uint16_t mtu;		/* net: largest IP packet; frames up to mtu + 14 bytes */
	uint32_t offloads;	/* net: MG_PLAT_NET_* (plat.h); frames as it says */
	uint64_t capacity;	/* block: bytes, a multiple of block_size */
	uint64_t block_size;	/* block: bytes, a power of two, at least 512 */
};

/* What rdi points at. plat comes first, so the same address serves the runtime. */
struct mg_spt_boot_info {
	struct mg_plat_boot_info plat;	/* plat.manifest points at the tender's copy */
	uint32_t abi_version;		/* MG_SPT_ABI_VERSION */
	uint32_t device_count;		/* = plat.manifest->device_count */
	struct mg_spt_device devices[MG_MANIFEST_MAX_DEVICES];
};
#endif /* !__ASSEMBLER__ */
#endif /* MORGANA_SPT_ABI_H */
