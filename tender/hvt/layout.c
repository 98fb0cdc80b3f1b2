/* SPDX-License-Identifier: ISC */
/*
 * layout.c -- everything the tender places in guest memory around the image: the memory
 * map with its permissions, the 4-level page tables that enforce it (W^X, user bit on the
 * guest's pages only), GDT/TSS/IDT for a CPL3 guest whose exceptions land at CPL0, and the
 * read-only boot info. The map in hvt->mem is the one the checked accessor uses, so the
 * tender grants hypercalls exactly what the page tables grant the guest.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include <morgana/plat.h>

#include "hvt.h"

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)
#define PTE_A		(1ull << 5)
#define PTE_D		(1ull << 6)
#define PTE_PS		(1ull << 7)	/* in a PD: a 2 MiB page */
#define PTE_NX		(1ull << 63)
/* Leaves decide the permissions. Every entry is born accessed (and writable leaves
 * dirty): see leaf_bits(). */
#define PTE_TABLE	(PTE_P | PTE_RW | PTE_US | PTE_A)

#define ROUND_UP(x, a)	(((x) + (a) - 1) / (a) * (a))

/* Bytes of page tables that map mem_size bytes: PML4, PDPT, the PDs and the PTs, and a PD
 * and a PT for the hypercall window (at 4 GiB - 4 KiB; memory ends by 3 GiB). */
static uint64_t
page_table_bytes(uint64_t mem_size)
{
	uint64_t pds = ROUND_UP(mem_size, 1ull << 30) >> 30;
	uint64_t pts = ROUND_UP(mem_size, 1ull << 21) >> 21;

	return (2 + pds + pts + 2) * HVT_PAGE;
}

/* The boot info region: the struct, then the manifest, then the command line. */
#define MANIFEST_OFF	ROUND_UP(sizeof(struct mg_plat_boot_info), 16)
#define CMDLINE_OFF	ROUND_UP(MANIFEST_OFF + sizeof(struct mg_manifest), 16)
#define BOOT_INFO_MAX	ROUND_UP(CMDLINE_OFF + HVT_CMDLINE_MAX, HVT_PAGE)

/*
 * Where the boot's pages go around the image:
 *
 *	image end	the boot info (read-only), then the heap
 *	main_stack	after a guard page below it: main's stack
 *	stack_top	after another guard page: the boot stack, up to the page tables
 *
 * The boot info lies between the image's last pages (.bss) and the heap's first page,
 * which the boot all touches: when one of them faults, KVM maps the others with it
 * (leaf_bits()), where before the boot info cost a shadow fault of its own.
 */
struct places {
	uint64_t boot_info;		/* its pages end where the heap starts */
	uint64_t heap_start, heap_end, main_stack, stack_top;
};

static void
place(uint64_t mem_size, uint64_t image_end, uint64_t boot_info_bytes, struct places *p)
{
	p->stack_top = mem_size - page_table_bytes(mem_size);
	p->main_stack = p->stack_top - MG_HVT_STACK_SIZE - HVT_PAGE - MG_HVT_MAIN_STACK_SIZE;
	p->heap_end = p->main_stack - HVT_PAGE;
	p->boot_info = image_end;
	p->heap_start = image_end + ROUND_UP(boot_info_bytes, HVT_PAGE);
}

void
mg_hvt_layout_image_range(uint64_t mem_size, uint64_t *lo, uint64_t *hi)
{
	struct places p;

	place(mem_size, 0, 0, &p);
	*lo = HVT_IMAGE_BASE;
	*hi = p.heap_end - BOOT_INFO_MAX - HVT_MIN_HEAP;
}

/*
 * The accessed and dirty bits are set from the start. On this nested KVM every first
 * touch of a guest page is a shadow page fault (5-9 us); on such a fault KVM also maps
 * the neighbours in the same aligned group of 8 entries, but only those whose entry is
 * accessed (writable only if dirty) and whose page is present in the tender's memory.
 * So one fault maps up to 32 KiB, and KVM need not write the bits into the tables.
 */
static uint64_t
leaf_bits(unsigned prot)
{
	uint64_t pte = PTE_P | PTE_A;

	if (prot & HVT_PROT_W)
		pte |= PTE_RW | PTE_D;
	if (!(prot & HVT_PROT_SYS))
		pte |= PTE_US;
	if (!(prot & HVT_PROT_X))
		pte |= PTE_NX;
	return pte;
}

/* The region that holds all of [start, end), or NULL. */
static const struct mg_hvt_region *
region_holding(const struct mg_hvt_mem *mem, uint64_t start, uint64_t end)
{
	for (size_t r = 0; r < mem->region_count; r++) {
		if (mem->regions[r].start <= start && end <= mem->regions[r].end)
			return &mem->regions[r];
	}
	return NULL;
}

/*
 * Identity-map every region of the map with its permissions; returns CR3. A 2 MiB stretch
 * that one region holds whole (the heap's middle) is one large page with the region's
 * permissions, so W^X holds as for small pages; the others get a page table, written only
 * where a region lies. So boot writes ~7 pages of tables whatever the memory size (each
 * first write of a page is a page fault in the tender, ~3 us here), not one per 2 MiB.
 * The tables' pages are fresh anonymous memory: zero, not cleared again.
 */
static uint64_t
build_page_tables(struct mg_hvt_mem *mem)
{
	uint64_t pt_start = mem->size - page_table_bytes(mem->size);
	uint64_t pds = ROUND_UP(mem->size, 1ull << 30) >> 30;
	uint64_t pts = ROUND_UP(mem->size, 1ull << 21) >> 21;
	uint64_t pml4 = pt_start, pdpt = pt_start + HVT_PAGE, pd0 = pdpt + HVT_PAGE;
	uint64_t pt0 = pd0 + pds * HVT_PAGE;
	uint64_t pd_window = pt0 + pts * HVT_PAGE, pt_window = pd_window + HVT_PAGE;
	uint64_t *e = (uint64_t *)(void *)mem->base;	/* 8-byte entries, by address/8 */

	e[pml4 / 8] = pdpt | PTE_TABLE;
	for (uint64_t i = 0; i < pds; i++)
		e[pdpt / 8 + i] = (pd0 + i * HVT_PAGE) | PTE_TABLE;
	e[pdpt / 8 + 3] = pd_window | PTE_TABLE;
	e[pd_window / 8 + 511] = pt_window | PTE_TABLE;
	e[pt_window / 8 + 511] = MG_HVT_MMIO_BASE | PTE_P | PTE_RW | PTE_US | PTE_NX;
	for (uint64_t i = 0; i < pts; i++) {	/* PDs are consecutive: one array */
		uint64_t lo = i << 21, hi = lo + (1ull << 21);
		const struct mg_hvt_region *whole = region_holding(mem, lo, hi);

		if (whole != NULL) {
			e[pd0 / 8 + i] = lo | leaf_bits(whole->prot) | PTE_PS;
			continue;
		}
		for (size_t r = 0; r < mem->region_count; r++) {
			const struct mg_hvt_region *reg = &mem->regions[r];
			uint64_t a = reg->start > lo ? reg->start : lo;
			uint64_t end = reg->end < hi ? reg->end : hi;

			for (; a < end; a += HVT_PAGE)	/* PTs are consecutive too */
				e[pt0 / 8 + a / HVT_PAGE] = a | leaf_bits(reg->prot);
			if (reg->start < hi && reg->end > lo)
				e[pd0 / 8 + i] = (pt0 + i * HVT_PAGE) | PTE_TABLE;
		}
	}
	return pml4;
}

/*
 * Back the guest's 2 MiB pages with the host's (transparent huge pages), best effort.
 * This nested KVM's shadow MMU then maps each with one entry: touching 256 MiB of heap
 * took 0.04-0.26 s instead of 0.6-0.8 s. Only those stretches: the boot touches the
 * others, and a huge page there would cost its 2 MiB clearing at every boot (~0.5 ms).
 * The advice itself costs a boot ~50 us of CPU and 100-200 us of wall time here (the
 * mapping splits, and the process joins khugepaged's list, which wakes it), so it is
 * given only from HUGE_ADVICE_MIN of guest memory on, where a guest that uses its memory
 * gains far more. The host's guest memory must be 2 MiB-aligned for this.
 */
#define HUGE_ADVICE_MIN	(64ull << 20)

static void
advise_large_pages(const struct mg_hvt_mem *mem)
{
	uint64_t pts = ROUND_UP(mem->size, 1ull << 21) >> 21, run = 0;

	if (mem->size < HUGE_ADVICE_MIN || (uintptr_t)mem->base % (1ull << 21) != 0)
		return;
	for (uint64_t i = 0; i <= pts; i++) {
		uint64_t lo = i << 21;

		if (i < pts && region_holding(mem, lo, lo + (1ull << 21)) != NULL)
			continue;
		/* A stretch of large pages ends at lo. Advice only: refused, it costs speed. */
		if (lo > run)
			(void)madvise(mem->base + run, lo - run, MADV_HUGEPAGE);
		run = lo + (1ull << 21);
	}
}

static void
build_descriptor_tables(struct mg_hvt_mem *mem)
{
	uint64_t gdt[7] = {
		0,
		0x00af9b000000ffffull,	/* kernel code: long mode, DPL0 */
		0x00cf93000000ffffull,	/* kernel data */
		0x00affb000000ffffull,	/* user code: long mode, DPL3 */
		0x00cff3000000ffffull,	/* user data, DPL3 */
		/* 64-bit TSS (busy, as TR will hold it), 16 bytes */
		0x67 | ((uint64_t)(HVT_TSS & 0xffffff) << 16) | (0x8bull << 40) |
			((uint64_t)(HVT_TSS >> 24) << 56),
		0,
	};
	uint64_t stack = HVT_TRAP_STACK_TOP;
	uint16_t iomap = 104;	/* beyond the TSS limit: no I/O bitmap, no port I/O */

	memset(mem->base + HVT_SYS, 0, HVT_PAGE);
	memcpy(mem->base + HVT_GDT, gdt, sizeof(gdt));
	memcpy(mem->base + HVT_TSS + 4, &stack, 8);	/* rsp0 */
	memcpy(mem->base + HVT_TSS + 36, &stack, 8);	/* ist1, for #DF */
	memcpy(mem->base + HVT_TSS + 102, &iomap, 2);
	/* The IDT stays empty (not present) until the guest names its stubs. */
}

void
mg_hvt_layout_set_traps(struct mg_hvt *hvt, uint64_t stubs)
{
	for (unsigned v = 0; v < MG_HVT_TRAP_VECTORS; v++) {
		uint64_t off = stubs + v * MG_HVT_TRAP_STUB_SIZE;
		unsigned ist = v == 8 ? 1 : 0;	/* #DF on its own stack pointer */
		uint64_t gate[2] = {
			(off & 0xffff) | ((uint64_t)HVT_SEL_KCODE << 16) |
				((uint64_t)ist << 32) | (0x8eull << 40) |
				((off >> 16 & 0xffff) << 48),
			off >> 32,
		};

		memcpy(hvt->mem.base + HVT_IDT + v * 16, gate, sizeof(gate));
	}
}

/* The command line the guest gets: argv sh-quoted, into a buffer of the tender's. */
static int
quote_cmdline(char *const argv[], int argc, const char **cmdline, size_t *len, char *why,
	      size_t why_len)
{
	static char buf[HVT_CMDLINE_MAX];

	*len = mg_tender_quote_args(buf, sizeof(buf), argv, argc);
	if (*len == 0) {
		snprintf(why, why_len, "arguments longer than %u bytes once quoted",
			 HVT_CMDLINE_MAX);
		return -E2BIG;
	}
	*cmdline = buf;
	return 0;
}

static int
write_boot_info(struct mg_hvt *hvt, const struct mg_elf_image *image, const struct places *p,
		const char *cmdline, size_t cmdline_len, uint64_t tsc_hz,
		uint64_t cpu_features, char *why, size_t why_len)
{
	struct mg_plat_boot_info bi = {
		/* Guest addresses: the guest sees this memory at the same numbers. */
		.cmdline = (const char *)(uintptr_t)(p->boot_info + CMDLINE_OFF),
		.heap_start = p->heap_start,
		.heap_size = p->heap_end - p->heap_start,
		.tsc_hz = tsc_hz,
		.manifest = (const struct mg_manifest *)(uintptr_t)(p->boot_info + MANIFEST_OFF),
		.main_stack = p->main_stack,
		.main_stack_size = MG_HVT_MAIN_STACK_SIZE,
		.cpu_features = cpu_features,
	};

	if (getrandom(bi.seed, sizeof(bi.seed), 0) != sizeof(bi.seed)) {
		snprintf(why, why_len, "getrandom: %s", strerror(errno));
		return -EIO;
	}
	memcpy(hvt->mem.base + p->boot_info, &bi, sizeof(bi));
	memcpy(hvt->mem.base + p->boot_info + MANIFEST_OFF, &image->manifest,
	       sizeof(image->manifest));
	memcpy(hvt->mem.base + p->boot_info + CMDLINE_OFF, cmdline, cmdline_len);
	return 0;
}

/*
 * Make the pages the guest's boot touches first present in the tender's memory: the
 * start of the heap, the tops of main's stack and of the boot stack. A write fault
 * here costs the tender a fraction of what the guest's fault costs, and only present
 * pages are mapped along with a faulting neighbour (leaf_bits()). The image, boot info
 * and tables are present already: the tender wrote them.
 */
static void
make_present(struct mg_hvt_mem *mem, const struct places *p)
{
	const uint64_t pages[] = {
		p->heap_start, p->main_stack + MG_HVT_MAIN_STACK_SIZE - HVT_PAGE,
		p->stack_top - HVT_PAGE,
	};

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
		*(volatile uint8_t *)(mem->base + pages[i]) = 0;
}

/* The memory map: the tender's structures, the image, the stacks, boot info and heap. */
static int
add_regions(struct mg_hvt_mem *mem, const struct mg_elf_image *image, const struct places *p)
{
	int rc;

	mem->region_count = 0;
	rc = mg_hvt_mem_add_region(mem, HVT_SYS, HVT_SYS + HVT_PAGE,
				   HVT_PROT_SYS | HVT_PROT_R | HVT_PROT_W);
	if (rc == 0)
		rc = mg_hvt_mem_add_region(mem, HVT_TRAP_STACK, HVT_TRAP_STACK_TOP,
					   HVT_PROT_SYS | HVT_PROT_R | HVT_PROT_W);
	for (size_t i = 0; rc == 0 && i < image->segment_count; i++) {
		const struct mg_elf_segment *s = &image->segments[i];
		unsigned prot = HVT_PROT_R;

		if (s->flags & MG_ELF_W)
			prot |= HVT_PROT_W;
		if (s->flags & MG_ELF_X)
			prot |= HVT_PROT_X;
		rc = mg_hvt_mem_add_region(mem, s->start, s->end, prot);
	}
	if (rc == 0)
		rc = mg_hvt_mem_add_region(mem, p->stack_top - MG_HVT_STACK_SIZE, p->stack_top,
					   HVT_PROT_R | HVT_PROT_W);
	if (rc == 0)
		rc = mg_hvt_mem_add_region(mem, p->boot_info, p->heap_start, HVT_PROT_R);
	if (rc == 0)
		rc = mg_hvt_mem_add_region(mem, p->main_stack,
					   p->main_stack + MG_HVT_MAIN_STACK_SIZE,
					   HVT_PROT_R | HVT_PROT_W);
	if (rc == 0)
		rc = mg_hvt_mem_add_region(mem, p->heap_start, p->heap_end,
					   HVT_PROT_R | HVT_PROT_W);
	return rc;
}

int
mg_hvt_layout(struct mg_hvt *hvt, const struct mg_elf_image *image, char *const argv[],
	      int argc, uint64_t tsc_hz, uint64_t cpu_features, struct mg_hvt_entry *entry,
	      char *why, size_t why_len)
{
	struct mg_hvt_mem *mem = &hvt->mem;
	const char *cmdline;
	size_t cmdline_len;
	struct places p;
	int rc;

	rc = quote_cmdline(argv, argc, &cmdline, &cmdline_len, why, why_len);
	if (rc != 0)
		return rc;
	place(mem->size, image->end, CMDLINE_OFF + cmdline_len, &p);
	if (p.heap_end < p.heap_start + HVT_MIN_HEAP) {
		snprintf(why, why_len, "image too large for guest memory");
		return -EFBIG;
	}
	rc = add_regions(mem, image, &p);
	if (rc != 0) {
		snprintf(why, why_len, "cannot lay out guest memory: %s", strerror(-rc));
		return rc;
	}
	rc = write_boot_info(hvt, image, &p, cmdline, cmdline_len, tsc_hz, cpu_features, why,
			     why_len);
	if (rc != 0)
		return rc;
	make_present(mem, &p);
	build_descriptor_tables(mem);
	if (image->trap_stubs != 0) {
		if (mg_hvt_checked_gpa(mem, image->trap_stubs,
				       MG_HVT_TRAP_VECTORS * MG_HVT_TRAP_STUB_SIZE,
				       MG_HVT_TRAP_STUB_SIZE, HVT_PROT_R | HVT_PROT_X) == NULL) {
			snprintf(why, why_len, "bad image: its traps note names 0x%llx, not %u "
				 "exception stubs in its text",
				 (unsigned long long)image->trap_stubs, MG_HVT_TRAP_VECTORS);
			return -EINVAL;
		}
		mg_hvt_layout_set_traps(hvt, image->trap_stubs);
		hvt->traps_set = true;
	}
	if (image->console[0] != 0) {
		uint64_t at = image->console[0], size = image->console[1];

		hvt->console = size <= sizeof(struct mg_hvt_console_buf) ||
			       size > MG_HVT_CONSOLE_BUF_MAX ? NULL :
			mg_hvt_checked_gpa(mem, at, size, 8, HVT_PROT_R | HVT_PROT_W);
		if (hvt->console == NULL) {
			snprintf(why, why_len, "bad image: its console note names 0x%llx, not a "
				 "console buffer of %llu bytes in writable memory",
				 (unsigned long long)at, (unsigned long long)size);
			return -EINVAL;
		}
		hvt->console_cap = (uint32_t)(size - sizeof(struct mg_hvt_console_buf));
	}
	entry->cr3 = build_page_tables(mem);
	advise_large_pages(mem);
	entry->rip = image->entry;
	entry->rsp = p.stack_top;
	entry->rdi = p.boot_info;
	return 0;
}
