/* SPDX-License-Identifier: ISC */
/*
 * elf.h -- loading a Morgana image (static x86_64 ELF executable) into guest memory.
 *
 * The image is untrusted: mg_elf_load() checks every header, offset and size before it
 * uses it and refuses anything it does not understand with a one-line reason. It is pure
 * (no I/O), so the tenders and the unit tests share it.
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
};

/*
 * Load the PT_LOAD segments of the ELF file [file, file + file_size) into guest memory
 * mem, which the guest sees at guest address 0, of which the image may use only
 * [lo, hi) (both page-aligned). Refused (-EINVAL, reason in why): not a 64-bit little-endian x86_64
 * executable, headers or segments outside the file, a segment not page-aligned, outside
 * [lo, hi), overlapping another, both writable and executable, more than
 * MG_ELF_MAX_SEGMENTS segments, an entry point outside executable memory, no single
 * well-formed Morgana manifest note, or a malformed or second traps note (hvt). mem
 * outside the segments is left as it was.
 */
int mg_elf_load(const void *file, size_t file_size, void *mem, uint64_t lo, uint64_t hi,
		struct mg_elf_image *image, char *why, size_t why_len);

#endif /* MORGANA_TENDER_ELF_H */
