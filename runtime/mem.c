/* SPDX-License-Identifier: ISC */
/*
 * mem.c -- mg_mem_usage(): heap use, asked of whichever allocator the target links.
 *
 * Guest images (hvt, spt) link our libc's allocator, which keeps exact totals; the unix
 * target runs on the host C library, whose mallinfo2() gives the nearest equivalent.
 * This is the one place the runtime cares which: the branch is on whether the file is
 * compiled against a hosted C library.
 */
#include <string.h>

#include <morgana/runtime.h>

#if __STDC_HOSTED__
#include <malloc.h>

void
mg_mem_usage(struct mg_mem_usage *u)
{
	struct mallinfo2 mi = mallinfo2();

	memset(u, 0, sizeof(*u));
	/* Small blocks from the arenas plus the large ones glibc maps separately. */
	u->heap_used = mi.uordblks + mi.hblkhd;
}
#else
#include <morgana/heap.h>

void
mg_mem_usage(struct mg_mem_usage *u)
{
	struct mg_heap_stats st;

	mg_heap_stats(&st);
	u->heap_used = st.used;
	u->heap_size = st.size;
	u->allocations = st.allocations;
}
#endif
