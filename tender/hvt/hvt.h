/* SPDX-License-Identifier: ISC */
/*
 * hvt.h -- morgana-hvt's private interfaces: the guest memory map and the one checked
 * accessor for guest addresses, the memory layout builder, devices, hypercalls and KVM.
 *
 * Guest memory (guest-physical = guest-virtual, identity-mapped):
 *   0x0000            page 0, unmapped (null dereferences fault)
 *   HVT_SYS           GDT, TSS, IDT (supervisor only)
 *   HVT_TRAP_STACK    the exception stack, below it an unmapped guard page (supervisor)
 *   HVT_IMAGE_BASE    the image's segments with their own permissions
 *   image end         struct mg_plat_boot_info, the manifest, the command line (read-only),
 *                     the heap (read-write), then an unmapped guard page, main's stack
 *                     (boot info main_stack), another guard page, the boot stack
 *   top               page tables (unmapped)
 *   MG_HVT_MMIO_BASE  the hypercall window: no memory behind it, every store exits
 */
#ifndef MORGANA_TENDER_HVT_H
#define MORGANA_TENDER_HVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/hvt_abi.h>
#include <morgana/manifest.h>
#include <morgana/plat.h>

#include "../common/elf.h"
#include "../common/tender.h"

#define HVT_PAGE		4096u
#define HVT_SYS			0x1000u
#define HVT_GDT			(HVT_SYS + 0x000u)
#define HVT_TSS			(HVT_SYS + 0x100u)
#define HVT_IDT			(HVT_SYS + 0x800u)
#define HVT_TRAP_STACK		0x3000u	/* two pages; 0x2000 is the guard */
#define HVT_TRAP_STACK_TOP	0x5000u
#define HVT_IMAGE_BASE		0x100000u
#define HVT_CMDLINE_MAX		(64u * 1024)
#define HVT_MIN_HEAP		(64u * 1024)
#define HVT_MEM_MIN_MB		2u
#define HVT_MEM_MAX_MB		3072u	/* below 4 GiB and the hypercall window's PD */

/* GDT selectors. */
#define HVT_SEL_KCODE		0x08u
#define HVT_SEL_KDATA		0x10u
#define HVT_SEL_UCODE		0x18u
#define HVT_SEL_UDATA		0x20u
#define HVT_SEL_TSS		0x28u

/* Region permissions. HVT_PROT_SYS: mapped for the CPU's own use at CPL0 only. */
#define HVT_PROT_R		1u
#define HVT_PROT_W		2u
#define HVT_PROT_X		4u
#define HVT_PROT_SYS		8u
#define HVT_MAX_REGIONS		16

struct mg_hvt_region {
	uint64_t start, end;	/* page-aligned */
	unsigned prot;
};

/* Guest memory and its map; regions are sorted and disjoint; gaps are unmapped. */
struct mg_hvt_mem {
	uint8_t *base;
	uint64_t size;
	size_t region_count;
	struct mg_hvt_region regions[HVT_MAX_REGIONS];
};

/*
 * THE checked accessor: every guest-supplied address goes through it. Returns a host
 * pointer to [gpa, gpa + len) if that range is aligned to align (a power of two), does not
 * wrap, and lies entirely in regions that allow every bit of prot (HVT_PROT_R, _W, _X);
 * the regions must be user-accessible, or, if prot has HVT_PROT_SYS, supervisor-only
 * (only for the exception stack, where trap frames lie). Else NULL. len 0 is checked
 * like len 1.
 */
void *mg_hvt_checked_gpa(const struct mg_hvt_mem *mem, uint64_t gpa, uint64_t len,
			 uint64_t align, unsigned prot);

/* Add [start, end) with prot to the map. -EINVAL if unaligned, outside memory, empty or
 * overlapping a region already there, -ENOSPC if the map is full. */
int mg_hvt_mem_add_region(struct mg_hvt_mem *mem, uint64_t start, uint64_t end,
			  unsigned prot);

struct mg_hvt_io;

struct mg_hvt {
	struct mg_hvt_mem mem;
	bool traps_set;
	struct mg_hvt_console_buf *console;	/* the guest's console buffer, or NULL */
	uint32_t console_cap;			/* bytes of its data */
	uint32_t device_count;	/* = the manifest's; devices[i] is manifest device i */
	struct mg_tender_device devices[MG_MANIFEST_MAX_DEVICES];
	struct mg_hvt_io *io;	/* the network rings' I/O thread (netq.c), or NULL */
	int io_fds[2];		/* its eventfds, for the sandbox */
	size_t io_fd_count;
};

/* The longest frame a network device moves either way, the virtio-net header
 * included when it has one (plat.h). */
static inline uint32_t
mg_hvt_frame_max(const struct mg_tender_device *dev)
{
	const struct mg_plat_net_info info = { .mtu = dev->mtu, .offloads = dev->offloads };

	return (uint32_t)mg_plat_net_frame_max(&info);
}

/* The shortest: an Ethernet header, after the virtio-net header if there is one. */
static inline uint32_t
mg_hvt_frame_min(const struct mg_tender_device *dev)
{
	return 14u + (dev->offloads & MG_PLAT_NET_VNET_HDR ? MG_PLAT_NET_VNET_HDR_LEN : 0u);
}

/* Where and how the vCPU starts. */
struct mg_hvt_entry {
	uint64_t rip, rsp, rdi;
	uint64_t cr3;
};

/* layout.c */
/* The range the image may occupy in mem_size bytes of guest memory. */
void mg_hvt_layout_image_range(uint64_t mem_size, uint64_t *lo, uint64_t *hi);
/*
 * Lay out everything around the loaded image: descriptor tables, page tables, boot info
 * (argv sh-quoted into the command line), heap and stack; fill in hvt->mem's map and
 * entry. -EINVAL/-E2BIG with a reason in why.
 */
int mg_hvt_layout(struct mg_hvt *hvt, const struct mg_elf_image *image, char *const argv[],
		  int argc, uint64_t tsc_hz, uint64_t cpu_features, struct mg_hvt_entry *entry,
		  char *why, size_t why_len);
/* Point IDT vectors 0..31 at the stubs at guest address stubs (already checked). */
void mg_hvt_layout_set_traps(struct mg_hvt *hvt, uint64_t stubs);

/* hypercall.c */
/*
 * Handle the guest's 32-bit store of value to guest address gpa (in or near the hypercall
 * window). Returns 0 to resume the guest, 1 when the guest is to end with *status (it
 * exited, aborted, faulted or broke the ABI -- reported on stderr).
 */
int mg_hvt_hypercall(struct mg_hvt *hvt, uint64_t gpa, uint32_t value, int *status);

/* Write out and empty the guest's console buffer (hvt_abi.h), if it named one. Returns 0,
 * or 1 with *status when its length is out of range (reported on stderr). */
int mg_hvt_console_drain(struct mg_hvt *hvt, int *status);

/* netq.c: the network rings (see there and morgana/hvt_abi.h) */
/*
 * If hvt has network devices: the eventfds, the ioeventfd of MG_HVT_KICK on vm_fd (-1:
 * none; kicks then arrive as hypercall exits) and the I/O thread, which sleeps until a
 * guest announces rings. Before the sandbox. 0 or -errno with a reason.
 */
int mg_hvt_io_create(struct mg_hvt *hvt, int vm_fd, char *why, size_t why_len);
/* MG_HVT_CALL_NET_RINGS for dev, manifest device handle; returns as mg_hvt_hypercall. */
int mg_hvt_io_rings(struct mg_hvt *hvt, const struct mg_tender_device *dev,
		    uint64_t handle, struct mg_hvt_net_rings *a, int *status);
bool mg_hvt_io_has_rings(const struct mg_hvt *hvt, uint64_t handle);
/* A kick that came as an exit. */
void mg_hvt_io_kick(struct mg_hvt *hvt);
/* Wait up to timeout_ns for input on any network device; the set of those with some. */
uint64_t mg_hvt_io_poll(struct mg_hvt *hvt, uint64_t timeout_ns);
/* 1 (and *status, with a message) if the I/O thread found a ring broken, else 0. */
int mg_hvt_io_check(const struct mg_hvt *hvt, int *status);

/* sandbox.c */
/* Confine the process with seccomp to what running the guest on vcpu_fd with hvt's
 * devices needs (see sandbox.c); -errno with a reason. */
int mg_hvt_sandbox(const struct mg_hvt *hvt, int vcpu_fd, char *why, size_t why_len);

/* kvm.c */
struct mg_hvt_vm {
	int kvm_fd, vm_fd, vcpu_fd;
	void *run;
	size_t run_size;
	uint64_t tsc_hz;	/* the guest's TSC frequency */
	uint64_t cpu_features;	/* MG_PLAT_CPU_* for the boot info */
	bool avx, fsgsbase;	/* state the vCPU keeps / CR4 bits it gets */
	bool sync_regs;		/* entry registers go in the run area (KVM_CAP_SYNC_REGS) */
};
/* The VM with guest memory mem, its vCPU and that vCPU's CPUID (which sets tsc_hz and
 * cpu_features); -errno with a reason. */
int mg_hvt_vm_create(struct mg_hvt_vm *vm, struct mg_hvt_mem *mem, char *why,
		     size_t why_len);
/* The vCPU's registers for the first entry at entry. */
int mg_hvt_vm_start(struct mg_hvt_vm *vm, const struct mg_hvt_entry *entry, char *why,
		    size_t why_len);
/* Run the guest to its end; returns the tender's exit status. */
int mg_hvt_vm_run(struct mg_hvt_vm *vm, struct mg_hvt *hvt);
void mg_hvt_vm_destroy(struct mg_hvt_vm *vm);

#endif /* MORGANA_TENDER_HVT_H */
