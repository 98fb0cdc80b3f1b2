/* SPDX-License-Identifier: ISC */
/*
 * elf.h -- loading a Morgana image (static x86_64 ELF executable) into guest memory.
 *
 * The image is untrusted: mg_elf_load() checks every header, offset and size before it
 * uses it and refuses anything it does not understand with a one-line reason. It does no
 * I/O of its own: it reads the file through a source, so the tenders (a file) and the
 * unit tests (bytes in memory) share it.
 */
#ifndef MORGANA_TENDER_ELF_H
#define MORGANA_TENDER_ELF_H

#include <stddef.h>
#include <stdint.h>

#include <morgana/manifest.h>

#define MG_ELF_MAX_SEGMENTS 8
#define MG_ELF_PAGE_SIZE 4096u

/* Segment permissions, the ELF PF_* bits. */
#define MG_ELF_X 1u
#define MG_ELF_W 2u
#define MG_ELF_R 4u

struct mg_elf_segment {
	uint64_t start;	/* guest address, page-aligned */
	uint64_t end;	/* start + memory size, rounded up to a page */
	uint32_t flags;	/* MG_ELF_R | MG_ELF_W | MG_ELF_X */
};

struct mg_elf_image {
	uint64_t entry;
	uint64_t end;	/* end of the highest segment, page-aligned */
	size_t segment_count;
	struct mg_elf_segment segments[MG_ELF_MAX_SEGMENTS];	/* ascending, disjoint */
	struct mg_manifest manifest;	/* copied from the image's note, not yet checked */
	uint64_t trap_stubs;	/* hvt: the traps note's address (hvt_abi.h), 0 if none;
				 * not yet checked */
	uint64_t console[2];	/* hvt: the console note's address and size (hvt_abi.h),
				 * 0 if none; not yet checked */
};

/*
 * Where the image's bytes come from. read() fills buf with the len bytes at offset off of
 * the file (the loader asks only for ranges inside size) and returns 0, or -errno. A
 * source may read a file piece by piece: segments go straight into guest memory, with no
 * copy of the whole file in between.
 */
struct mg_elf_source {
	int (*read)(const struct mg_elf_source *src, uint64_t off, void *buf, size_t len);
	size_t size;		/* of the file, in bytes */
	const void *bytes;	/* for mg_elf_source_bytes() */
	int fd;			/* for a source over a file descriptor */
};

/* A source over the bytes [bytes, bytes + size). */
void mg_elf_source_bytes(struct mg_elf_source *src, const void *bytes, size_t size);

/*
 * Load the PT_LOAD segments of the ELF file src into guest memory
 * mem, which the guest sees at guest address 0, of which the image may use only
 * [lo, hi) (both page-aligned). Refused (-EINVAL, reason in why): not a 64-bit little-endian x86_64
 * executable, headers or segments outside the file, a segment not page-aligned, outside
 * [lo, hi), overlapping another, both writable and executable, more than
 * MG_ELF_MAX_SEGMENTS segments, an entry point outside executable memory, no single
 * well-formed Morgana manifest note, or a malformed or second traps note (hvt). mem
 * outside the segments is left as it was. The source's errors come back as they are
 * (a refused image writes nothing into mem; a read failing while segments are loaded
 * leaves them partly written).
 */
int mg_elf_load(const struct mg_elf_source *src, void *mem, uint64_t lo, uint64_t hi,
		struct mg_elf_image *image, char *why, size_t why_len);

#endif /* MORGANA_TENDER_ELF_H */
