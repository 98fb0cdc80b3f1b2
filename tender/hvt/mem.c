/* SPDX-License-Identifier: ISC */
/*
 * mem.c -- the guest memory map and the single checked accessor through which the tender
 * reaches every guest-supplied address. Keeping the rule in one place means a hypercall
 * handler cannot forget a bound: it either gets a host pointer to a range the guest may
 * legitimately name, or NULL.
 */
#include <errno.h>
#include <string.h>

#include "hvt.h"

static const struct mg_hvt_region *
region_of(const struct mg_hvt_mem *mem, uint64_t gpa)
{
	for (size_t i = 0; i < mem->region_count; i++)
		if (gpa >= mem->regions[i].start && gpa < mem->regions[i].end)
			return &mem->regions[i];
	return NULL;
}

void *
mg_hvt_checked_gpa(const struct mg_hvt_mem *mem, uint64_t gpa, uint64_t len,
		   uint64_t align, unsigned prot)
{
	const struct mg_hvt_region *r;
	uint64_t last, at;

	if (align == 0 || (align & (align - 1)) != 0 || gpa % align != 0)
		return NULL;
	if (len == 0)
		len = 1;
	if (gpa >= mem->size || len > mem->size - gpa)
		return NULL;
	last = gpa + len - 1;
	/* Adjacent regions may together hold the range (e.g. data and heap). */
	for (at = gpa;;) {
		r = region_of(mem, at);
		if (r == NULL || (r->prot & prot) != prot ||
		    (r->prot & HVT_PROT_SYS) != (prot & HVT_PROT_SYS))
			return NULL;
		if (last < r->end)
			break;
		at = r->end;
	}
	return mem->base + gpa;
}

int
mg_hvt_mem_add_region(struct mg_hvt_mem *mem, uint64_t start, uint64_t end, unsigned prot)
{
	size_t i;

	if (start % HVT_PAGE != 0 || end % HVT_PAGE != 0 || start >= end || end > mem->size)
		return -EINVAL;
	if (mem->region_count == HVT_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < mem->region_count; i++) {
		const struct mg_hvt_region *r = &mem->regions[i];

		if (start < r->end && r->start < end)
			return -EINVAL;
		if (end <= r->start)
			break;
	}
	memmove(&mem->regions[i + 1], &mem->regions[i],
		(mem->region_count - i) * sizeof(mem->regions[0]));
	mem->regions[i] = (struct mg_hvt_region){ .start = start, .end = end, .prot = prot };
	mem->region_count++;
	return 0;
}
