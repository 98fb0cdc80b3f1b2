/* SPDX-License-Identifier: ISC */
/*
 * elf.c -- the ELF image loader shared by the tenders. Every header field of the image is
 * untrusted: offsets and sizes are checked for overflow and range before use, and headers
 * are copied out with memcpy so that a crafted file cannot cause a misaligned access.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <morgana/hvt_abi.h>

#include "elf.h"

#define MAX_PHDRS 64u

static int refuse(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int check_header(const Elf64_Ehdr *eh, size_t file_size, char *why, size_t why_len);
static int add_segment(const Elf64_Phdr *ph, size_t file_size, uint64_t lo, uint64_t hi,
		       struct mg_elf_image *image, char *why, size_t why_len);
static int find_notes(const uint8_t *file, const Elf64_Phdr *ph, size_t file_size,
		      struct mg_elf_image *image, bool *found, char *why, size_t why_len);

static int
refuse(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && why_len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Is [off, off + len) inside a file of file_size bytes? */
static bool
in_file(uint64_t off, uint64_t len, size_t file_size)
{
	return off <= file_size && len <= file_size - off;
}

static int
check_header(const Elf64_Ehdr *eh, size_t file_size, char *why, size_t why_len)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return refuse(why, why_len, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return refuse(why, why_len, "not a 64-bit little-endian ELF file");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return refuse(why, why_len, "unknown ELF version");
	if (eh->e_machine != EM_X86_64)
		return refuse(why, why_len, "not an x86_64 image (machine %u)", eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return refuse(why, why_len, "not a static executable (ELF type %u)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return refuse(why, why_len, "program header size %u, expected %zu",
			      eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0 || eh->e_phnum > MAX_PHDRS)
		return refuse(why, why_len, "%u program headers (1..%u allowed)", eh->e_phnum,
			      MAX_PHDRS);
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), file_size))
		return refuse(why, why_len, "program headers lie outside the file");
	return 0;
}

static int
add_segment(const Elf64_Phdr *ph, size_t file_size, uint64_t lo, uint64_t hi,
	    struct mg_elf_image *image, char *why, size_t why_len)
{
	struct mg_elf_segment *seg;
	uint64_t end;

	if (image->segment_count == MG_ELF_MAX_SEGMENTS)
		return refuse(why, why_len, "more than %d loadable segments",
			      MG_ELF_MAX_SEGMENTS);
	if (ph->p_filesz > ph->p_memsz)
		return refuse(why, why_len, "segment at 0x%llx: file size exceeds memory size",
			      (unsigned long long)ph->p_vaddr);
	if (!in_file(ph->p_offset, ph->p_filesz, file_size))
		return refuse(why, why_len, "segment at 0x%llx lies outside the file",
			      (unsigned long long)ph->p_vaddr);
	if (ph->p_vaddr % MG_ELF_PAGE_SIZE != 0)
		return refuse(why, why_len, "segment at 0x%llx is not page-aligned",
			      (unsigned long long)ph->p_vaddr);
	/* hi is page-aligned, so a segment that ends by hi still does when rounded up. */
	if (ph->p_vaddr < lo || ph->p_vaddr >= hi || ph->p_memsz > hi - ph->p_vaddr)
		return refuse(why, why_len,
			      "segment 0x%llx+0x%llx does not fit guest memory [0x%llx, 0x%llx)",
			      (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_memsz,
			      (unsigned long long)lo, (unsigned long long)hi);
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return refuse(why, why_len, "segment at 0x%llx is writable and executable",
			      (unsigned long long)ph->p_vaddr);
	end = ph->p_vaddr + ph->p_memsz;
	end = (end + MG_ELF_PAGE_SIZE - 1) & ~(uint64_t)(MG_ELF_PAGE_SIZE - 1);
	if (image->segment_count > 0 &&
	    image->segments[image->segment_count - 1].end > ph->p_vaddr)
		return refuse(why, why_len,
			      "segment at 0x%llx overlaps or precedes the one before it",
			      (unsigned long long)ph->p_vaddr);
	seg = &image->segments[image->segment_count++];
	seg->start = ph->p_vaddr;
	seg->end = end;
	seg->flags = ph->p_flags & (PF_R | PF_W | PF_X);
	image->end = end;
	return 0;
}

/* Take the manifest and the traps address from the Morgana notes of one PT_NOTE. */
static int
find_notes(const uint8_t *file, const Elf64_Phdr *ph, size_t file_size,
	   struct mg_elf_image *image, bool *found, char *why, size_t why_len)
{
	uint64_t off = ph->p_offset, left = ph->p_filesz;
	Elf64_Nhdr nh;
	uint64_t name_len, desc_len;

	if (!in_file(ph->p_offset, ph->p_filesz, file_size))
		return refuse(why, why_len, "note segment lies outside the file");
	while (left >= sizeof(nh)) {
		memcpy(&nh, file + off, sizeof(nh));
		name_len = ((uint64_t)nh.n_namesz + 3) & ~(uint64_t)3;
		desc_len = ((uint64_t)nh.n_descsz + 3) & ~(uint64_t)3;
		if (name_len > left - sizeof(nh) || desc_len > left - sizeof(nh) - name_len)
			return refuse(why, why_len, "truncated ELF note");
		bool ours = nh.n_namesz == sizeof(MG_MANIFEST_NOTE_NAME) &&
			    memcmp(file + off + sizeof(nh), MG_MANIFEST_NOTE_NAME,
				   sizeof(MG_MANIFEST_NOTE_NAME)) == 0;

		if (ours && nh.n_type == MG_HVT_TRAPS_NOTE_TYPE) {
			if (image->trap_stubs != 0 || nh.n_descsz != sizeof(uint64_t))
				return refuse(why, why_len, "malformed or second traps note");
			memcpy(&image->trap_stubs, file + off + sizeof(nh) + name_len,
			       sizeof(uint64_t));
			if (image->trap_stubs == 0)
				return refuse(why, why_len, "traps note names address 0");
		}
		if (ours && nh.n_type == MG_MANIFEST_NOTE_TYPE) {
			if (*found)
				return refuse(why, why_len, "more than one manifest note");
			if (nh.n_descsz != sizeof(struct mg_manifest))
				return refuse(why, why_len, "manifest note of %u bytes, expected %zu",
					      nh.n_descsz, sizeof(struct mg_manifest));
			memcpy(&image->manifest, file + off + sizeof(nh) + name_len,
			       sizeof(struct mg_manifest));
			*found = true;
		}
		off += sizeof(nh) + name_len + desc_len;
		left -= sizeof(nh) + name_len + desc_len;
	}
	return 0;
}

static bool
entry_is_executable(const struct mg_elf_image *image)
{
	for (size_t i = 0; i < image->segment_count; i++) {
		const struct mg_elf_segment *s = &image->segments[i];

		if ((s->flags & MG_ELF_X) && image->entry >= s->start && image->entry < s->end)
			return true;
	}
	return false;
}

int
mg_elf_load(const void *file, size_t file_size, void *mem, uint64_t lo, uint64_t hi,
	    struct mg_elf_image *image, char *why, size_t why_len)
{
	const uint8_t *bytes = file;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool found = false;
	int rc;

	memset(image, 0, sizeof(*image));
	if (file_size < sizeof(eh))
		return refuse(why, why_len, "file too short for an ELF header");
	memcpy(&eh, bytes, sizeof(eh));
	if ((rc = check_header(&eh, file_size, why, why_len)) != 0)
		return rc;
	/* Check every header before writing anything into guest memory. */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, bytes + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && ph.p_memsz > 0)
			rc = add_segment(&ph, file_size, lo, hi, image, why, why_len);
		else if (ph.p_type == PT_NOTE)
			rc = find_notes(bytes, &ph, file_size, image, &found, why, why_len);
		else if (ph.p_type == PT_DYNAMIC || ph.p_type == PT_INTERP || ph.p_type == PT_TLS)
			rc = refuse(why, why_len, "dynamic linking and TLS are not supported");
		if (rc != 0)
			return rc;
	}
	if (image->segment_count == 0)
		return refuse(why, why_len, "no loadable segment");
	image->entry = eh.e_entry;
	if (!entry_is_executable(image))
		return refuse(why, why_len, "entry point 0x%llx is not in executable memory",
			      (unsigned long long)eh.e_entry);
	if (!found)
		return refuse(why, why_len, "no Morgana manifest note (not built by morgana?)");
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, bytes + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		memcpy((uint8_t *)mem + ph.p_vaddr, bytes + ph.p_offset, ph.p_filesz);
		memset((uint8_t *)mem + ph.p_vaddr + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
	return 0;
}
