/* SPDX-License-Identifier: ISC */
/*
 * spt.h -- morgana-spt's private interfaces: planning and placing guest memory, the
 * boot info, the seccomp filter, the fault reporter and the jump into the guest.
 * The guest's view of all this is in morgana/spt_abi.h.
 */
#ifndef MORGANA_TENDER_SPT_H
#define MORGANA_TENDER_SPT_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/spt_abi.h>

#include "../common/elf.h"
#include "../common/tender.h"

#define SPT_PAGE		4096u
#define SPT_MEM_MIN_MB		2u
#define SPT_MEM_MAX_MB		65536u
#define SPT_CMDLINE_MAX		(64u * 1024)
#define SPT_MIN_HEAP		(64u * 1024)
#define SPT_MAX_REGIONS		(MG_ELF_MAX_SEGMENTS * 2 + 8)
/* Room for the filter: a fixed head and tail, two instructions per allowed fd. */
#define SPT_FILTER_MAX		(64 + 2 * 3 * (MG_MANIFEST_MAX_DEVICES + 2))

/* A page-aligned range of guest memory and its mprotect() flags (PROT_NONE: a hole). */
struct mg_spt_region {
	uint64_t start, end;
	int prot;
};

/* Guest memory [MG_SPT_TCB, mem_size), cut into regions that cover it without gaps. */
struct mg_spt_layout {
	uint64_t mem_size;
	uint64_t heap_start, heap_end;	/* heap_end is the guard page */
	uint64_t stack_top;
	size_t region_count;
	struct mg_spt_region regions[SPT_MAX_REGIONS];
};

/* layout.c */
/* Where the image may lie in mem_size bytes of guest memory: [*lo, *hi). */
void mg_spt_image_range(uint64_t mem_size, uint64_t *lo, uint64_t *hi);
/*
 * Plan guest memory around the loaded image, with the boot info occupying
 * [MG_SPT_BOOT_INFO, boot_end): TCB and boot info read-only, each segment with its ELF
 * flags (never W and X), heap and stack R+W, holes and the guard page PROT_NONE. Pure.
 * -EINVAL with a reason in why if the pieces do not fit.
 */
int mg_spt_layout_plan(uint64_t mem_size, const struct mg_elf_image *image,
		       uint64_t boot_end, struct mg_spt_layout *layout, char *why,
		       size_t why_len);
/*
 * Write the TCB (with a random canary) and the boot info (manifest copy, devices, seed,
 * sh-quoted argv) into staged guest memory (stage = guest address 0), the heap bounds
 * taken from layout's heap_start/heap_end once planned. Returns the end of what was
 * written (*boot_end) or -E2BIG/-EIO with a reason. Call before mg_spt_layout_plan()
 * with heap bounds of 0, then mg_spt_boot_set_heap().
 */
int mg_spt_boot_write(uint8_t *stage, uint64_t mem_size, const struct mg_elf_image *image,
		      const struct mg_tender_device *devices, char *const argv[], int argc,
		      uint64_t *boot_end, char *why, size_t why_len);
void mg_spt_boot_set_heap(uint8_t *stage, const struct mg_spt_layout *layout);
/*
 * Move the staged memory (mapped by mg_spt_stage_map) to its fixed addresses and apply
 * the layout's protections. On success the stage mapping is gone. -errno with a reason.
 */
uint8_t *mg_spt_stage_map(uint64_t mem_size, char *why, size_t why_len);
int mg_spt_place(uint8_t *stage, const struct mg_spt_layout *layout, char *why,
		 size_t why_len);

/* seccomp.c */
/*
 * Build the guest's seccomp filter (the allow-list of morgana/spt_abi.h, for exactly the
 * fds of devices[0..count)) into prog (SPT_FILTER_MAX instructions). Pure. Returns the
 * number of instructions, or -ENOSPC.
 */
int mg_spt_filter_build(const struct mg_tender_device *devices, size_t count,
			struct sock_filter *prog, size_t max);

/* fault.c */
/* Report guest faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP) on stderr and exit 255,
 * on a stack of the tender's own; guard is the guest stack's guard page, named in the
 * report of a stack overflow. 0 or -errno. */
int mg_spt_faults_catch(uint64_t guard);

/* launch.S */
/*
 * Point %fs at tcb, install the filter, switch to stack_top and jump to entry with
 * rdi = boot_info and every other register zero. Does not return; if arch_prctl or
 * seccomp fails, writes a message on stderr and exits with 255.
 */
_Noreturn void mg_spt_launch(uint64_t tcb, const struct sock_fprog *filter, uint64_t entry,
			     uint64_t stack_top, uint64_t boot_info);

#endif /* MORGANA_TENDER_SPT_H */
