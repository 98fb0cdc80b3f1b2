/* SPDX-License-Identifier: ISC */
/*
 * layout.c -- guest memory for morgana-spt. The image is linked at fixed addresses, so
 * guest memory must lie at the same addresses in the tender's process. It is built in
 * an ordinary anonymous mapping first (the stage, whose first byte stands for guest
 * address 0, so the shared ELF loader can fill it), then moved whole to its place with
 * mremap() and cut into regions with mprotect(): nothing in it is ever both writable and
 * executable, and page 0 is never mapped at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "../../platform/common/cpu.h"
#include "spt.h"

#define ROUND_UP(x, a)	(((x) + (a) - 1) / (a) * (a))

static uint64_t
guard_page(uint64_t mem_size)
{
	return mem_size - MG_SPT_STACK_SIZE - SPT_PAGE;
}

void
mg_spt_image_range(uint64_t mem_size, uint64_t *lo, uint64_t *hi)
{
	*lo = MG_SPT_IMAGE_BASE;
	*hi = guard_page(mem_size) - SPT_MIN_HEAP;
}

static int
add(struct mg_spt_layout *l, uint64_t start, uint64_t end, int prot)
{
	struct mg_spt_region *last = l->region_count > 0 ? &l->regions[l->region_count - 1]
							 : NULL;

	if (start == end)
		return 0;
	if (start > end || start % SPT_PAGE != 0 || end % SPT_PAGE != 0 ||
	    (last != NULL && last->end != start) || (last == NULL && start != MG_SPT_TCB))
		return -EINVAL;
	if (l->region_count == SPT_MAX_REGIONS)
		return -ENOSPC;
	l->regions[l->region_count++] = (struct mg_spt_region){ start, end, prot };
	return 0;
}

static int
segment_prot(uint32_t flags)
{
	return ((flags & MG_ELF_R) ? PROT_READ : 0) | ((flags & MG_ELF_W) ? PROT_WRITE : 0) |
	       ((flags & MG_ELF_X) ? PROT_EXEC : 0);
}

int
mg_spt_layout_plan(uint64_t mem_size, const struct mg_elf_image *image, uint64_t boot_end,
		   struct mg_spt_layout *l, char *why, size_t why_len)
{
	uint64_t lo, hi, at = MG_SPT_IMAGE_BASE;
	int rc;

	memset(l, 0, sizeof(*l));
	mg_spt_image_range(mem_size, &lo, &hi);
	if (mem_size % SPT_PAGE != 0 || mem_size < (uint64_t)SPT_MEM_MIN_MB << 20 ||
	    boot_end <= MG_SPT_BOOT_INFO || boot_end > MG_SPT_IMAGE_BASE ||
	    image->segment_count == 0 || image->segments[0].start < lo || image->end > hi) {
		snprintf(why, why_len, "the image and boot info do not fit %llu MiB",
			 (unsigned long long)(mem_size >> 20));
		return -EINVAL;
	}
	l->mem_size = mem_size;
	l->heap_start = image->end;
	l->heap_end = guard_page(mem_size);
	l->stack_top = mem_size;
	rc = add(l, MG_SPT_TCB, MG_SPT_TCB + SPT_PAGE, PROT_READ);
	if (rc == 0)
		rc = add(l, MG_SPT_BOOT_INFO, ROUND_UP(boot_end, SPT_PAGE), PROT_READ);
	if (rc == 0)
		rc = add(l, ROUND_UP(boot_end, SPT_PAGE), MG_SPT_IMAGE_BASE, PROT_NONE);
	for (size_t i = 0; rc == 0 && i < image->segment_count; i++) {
		const struct mg_elf_segment *s = &image->segments[i];

		if ((s->flags & MG_ELF_W) && (s->flags & MG_ELF_X))
			rc = -EINVAL;	/* the loader refuses these; never map one */
		if (rc == 0)
			rc = add(l, at, s->start, PROT_NONE);
		if (rc == 0)
			rc = add(l, s->start, s->end, segment_prot(s->flags));
		at = s->end;
	}
	if (rc == 0)
		rc = add(l, at, l->heap_end, PROT_READ | PROT_WRITE);
	if (rc == 0)
		rc = add(l, l->heap_end, l->heap_end + SPT_PAGE, PROT_NONE);
	if (rc == 0)
		rc = add(l, l->heap_end + SPT_PAGE, mem_size, PROT_READ | PROT_WRITE);
	if (rc != 0)
		snprintf(why, why_len, "cannot lay out guest memory: %s", strerror(-rc));
	return rc;
}

int
mg_spt_boot_write(uint8_t *stage, uint64_t mem_size, const struct mg_elf_image *image,
		  const struct mg_tender_device *devices, char *const argv[], int argc,
		  uint64_t *boot_end, char *why, size_t why_len)
{
	const uint64_t manifest = ROUND_UP(MG_SPT_BOOT_INFO + sizeof(struct mg_spt_boot_info), 16);
	const uint64_t cmdline = ROUND_UP(manifest + sizeof(struct mg_manifest), 16);
	struct mg_spt_boot_info bi = {
		.plat = {
			.cmdline = (const char *)(uintptr_t)cmdline,
			.manifest = (const struct mg_manifest *)(uintptr_t)manifest,
			.cpu_features = mg_cpu_features_host(),
		},
		.abi_version = MG_SPT_ABI_VERSION,
		.device_count = image->manifest.device_count,
	};
	uint64_t tcb[2] = { MG_SPT_TCB, 0 };	/* %fs:0 holds the TCB's own address */
	size_t len;

	_Static_assert(MG_SPT_BOOT_INFO + sizeof(bi) + sizeof(struct mg_manifest) + 32 +
		       SPT_CMDLINE_MAX <= MG_SPT_IMAGE_BASE, "boot info fits below the image");
	if (mem_size < MG_SPT_IMAGE_BASE)
		return -EINVAL;
	len = mg_tender_quote_args((char *)stage + cmdline, SPT_CMDLINE_MAX, argv, argc);
	if (len == 0) {
		snprintf(why, why_len, "arguments longer than %u bytes once quoted",
			 SPT_CMDLINE_MAX);
		return -E2BIG;
	}
	if (getrandom(bi.plat.seed, sizeof(bi.plat.seed), 0) != sizeof(bi.plat.seed) ||
	    getrandom(&tcb[1], sizeof(tcb[1]), 0) != sizeof(tcb[1])) {
		snprintf(why, why_len, "getrandom: %s", strerror(errno));
		return -EIO;
	}
	/* A zero low byte: a string overrunning a buffer cannot reproduce the canary. */
	tcb[1] &= ~(uint64_t)0xff;
	for (uint32_t i = 0; i < bi.device_count; i++)
		bi.devices[i] = (struct mg_spt_device){
			.fd = devices[i].fd,
			.type = devices[i].type,
			.mtu = devices[i].mtu,
			.offloads = devices[i].offloads,
			.capacity = devices[i].capacity,
			.block_size = devices[i].block_size,
		};
	for (uint32_t i = 0; i < bi.device_count; i++)
		memcpy(bi.devices[i].mac, devices[i].mac, sizeof(devices[i].mac));
	memcpy(stage + MG_SPT_TCB, &tcb[0], sizeof(tcb[0]));
	memcpy(stage + MG_SPT_TCB + MG_SPT_TCB_CANARY, &tcb[1], sizeof(tcb[1]));
	memcpy(stage + MG_SPT_BOOT_INFO, &bi, sizeof(bi));
	memcpy(stage + manifest, &image->manifest, sizeof(image->manifest));
	*boot_end = cmdline + len;
	return 0;
}

void
mg_spt_boot_set_heap(uint8_t *stage, const struct mg_spt_layout *l)
{
	struct mg_spt_boot_info *bi = (struct mg_spt_boot_info *)(void *)(stage + MG_SPT_BOOT_INFO);

	bi->plat.heap_start = l->heap_start;
	bi->plat.heap_size = l->heap_end - l->heap_start;
}

uint8_t *
mg_spt_stage_map(uint64_t mem_size, char *why, size_t why_len)
{
	void *stage = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (stage == MAP_FAILED) {
		snprintf(why, why_len, "cannot map %llu MiB of guest memory: %s",
			 (unsigned long long)(mem_size >> 20), strerror(errno));
		return NULL;
	}
	return stage;
}

int
mg_spt_place(uint8_t *stage, const struct mg_spt_layout *l, char *why, size_t why_len)
{
	void *const at = (void *)(uintptr_t)MG_SPT_TCB;
	const uint64_t size = l->mem_size - MG_SPT_TCB;
	void *p;
	int err;

	/* Claim the range first: MREMAP_FIXED would silently replace whatever lies there. */
	p = mmap(at, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 MAP_FIXED_NOREPLACE, -1, 0);
	if (p != at) {
		err = p == MAP_FAILED ? errno : EEXIST;
		if (p != MAP_FAILED)
			munmap(p, size);
		snprintf(why, why_len, "guest memory [0x%x, 0x%llx) is not free: %s",
			 MG_SPT_TCB, (unsigned long long)l->mem_size, strerror(err));
		return -err;
	}
	if (mremap(stage + MG_SPT_TCB, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, at) != at)
		goto fail;
	munmap(stage, MG_SPT_TCB);
	for (size_t i = 0; i < l->region_count; i++) {
		const struct mg_spt_region *r = &l->regions[i];

		if (mprotect((void *)(uintptr_t)r->start, r->end - r->start, r->prot) != 0)
			goto fail;
	}
	return 0;
fail:
	err = errno;
	snprintf(why, why_len, "cannot place guest memory: %s", strerror(err));
	return -err;
}
