/* SPDX-License-Identifier: ISC */
/*
 * elf.c -- the ELF image loader shared by the tenders. Every header field of the image is
 * untrusted: offsets and sizes are checked for overflow and range before use. The file
 * comes through a source (elf.h): headers are read once into the loader's own memory,
 * checked, and only then are segments read straight into guest memory.
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
static int find_notes(const struct mg_elf_source *src, const Elf64_Phdr *ph,
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

/* Read [off, off + len) of the file, which the caller checked lies inside it. */
static int
read_at(const struct mg_elf_source *src, uint64_t off, void *buf, size_t len, char *why,
	size_t why_len)
{
	int rc = src->read(src, off, buf, len);

	if (rc != 0 && why != NULL && why_len > 0)
		snprintf(why, why_len, "cannot read %zu bytes at offset %llu: %s", len,
			 (unsigned long long)off, strerror(-rc));
	return rc;
}

/*
 * Take the manifest and the traps address from the Morgana notes of one PT_NOTE. Each
 * note's header and name are read, and its descriptor only when the note is one of ours,
 * straight into where it belongs.
 */
static int
find_notes(const struct mg_elf_source *src, const Elf64_Phdr *ph, struct mg_elf_image *image,
	   bool *found, char *why, size_t why_len)
{
	uint64_t off = ph->p_offset, left = ph->p_filesz;
	struct {
		Elf64_Nhdr nh;
		char name[sizeof(MG_MANIFEST_NOTE_NAME)];
	} head;
	uint64_t name_len, desc_len, desc;
	int rc;

	if (!in_file(ph->p_offset, ph->p_filesz, src->size))
		return refuse(why, why_len, "note segment lies outside the file");
	while (left >= sizeof(head.nh)) {
		/* The header and, if there is room, a name as long as ours: one read. */
		if ((rc = read_at(src, off, &head, left < sizeof(head) ? left : sizeof(head),
				  why, why_len)) != 0)
			return rc;
		name_len = ((uint64_t)head.nh.n_namesz + 3) & ~(uint64_t)3;
		desc_len = ((uint64_t)head.nh.n_descsz + 3) & ~(uint64_t)3;
		if (name_len > left - sizeof(head.nh) ||
		    desc_len > left - sizeof(head.nh) - name_len)
			return refuse(why, why_len, "truncated ELF note");
		desc = off + sizeof(head.nh) + name_len;
		/* A name of our length fits the segment (checked above), so it was read. */
		bool ours = head.nh.n_namesz == sizeof(MG_MANIFEST_NOTE_NAME) &&
			    memcmp(head.name, MG_MANIFEST_NOTE_NAME,
				   sizeof(MG_MANIFEST_NOTE_NAME)) == 0;
		if (ours && head.nh.n_type == MG_HVT_TRAPS_NOTE_TYPE) {
			if (image->trap_stubs != 0 || head.nh.n_descsz != sizeof(uint64_t))
				return refuse(why, why_len, "malformed or second traps note");
			if ((rc = read_at(src, desc, &image->trap_stubs, sizeof(uint64_t), why,
					  why_len)) != 0)
				return rc;
			if (image->trap_stubs == 0)
				return refuse(why, why_len, "traps note names address 0");
		}
		if (ours && head.nh.n_type == MG_HVT_CONSOLE_NOTE_TYPE) {
			if (image->console[0] != 0 || head.nh.n_descsz != sizeof(image->console))
				return refuse(why, why_len, "malformed or second console note");
			if ((rc = read_at(src, desc, image->console, sizeof(image->console), why,
					  why_len)) != 0)
				return rc;
			if (image->console[0] == 0)
				return refuse(why, why_len, "console note names address 0");
		}
		if (ours && head.nh.n_type == MG_MANIFEST_NOTE_TYPE) {
			if (*found)
				return refuse(why, why_len, "more than one manifest note");
			if (head.nh.n_descsz != sizeof(struct mg_manifest))
				return refuse(why, why_len, "manifest note of %u bytes, expected %zu",
					      head.nh.n_descsz, sizeof(struct mg_manifest));
			if ((rc = read_at(src, desc, &image->manifest, sizeof(struct mg_manifest),
					  why, why_len)) != 0)
				return rc;
			*found = true;
		}
		off += sizeof(head.nh) + name_len + desc_len;
		left -= sizeof(head.nh) + name_len + desc_len;
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

static int
read_bytes(const struct mg_elf_source *src, uint64_t off, void *buf, size_t len)
{
	if (!in_file(off, len, src->size))
		return -EINVAL;
	memcpy(buf, (const uint8_t *)src->bytes + off, len);
	return 0;
}

void
mg_elf_source_bytes(struct mg_elf_source *src, const void *bytes, size_t size)
{
	*src = (struct mg_elf_source){ .read = read_bytes, .size = size, .bytes = bytes };
}

int
mg_elf_load(const struct mg_elf_source *src, void *mem, uint64_t lo, uint64_t hi,
	    struct mg_elf_image *image, char *why, size_t why_len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAX_PHDRS];
	bool found = false;
	int rc;

	memset(image, 0, sizeof(*image));
	if (src->size < sizeof(eh))
		return refuse(why, why_len, "file too short for an ELF header");
	if ((rc = read_at(src, 0, &eh, sizeof(eh), why, why_len)) != 0)
		return rc;
	if ((rc = check_header(&eh, src->size, why, why_len)) != 0)
		return rc;
	/* The headers are read once: what is checked is what is used. */
	if ((rc = read_at(src, eh.e_phoff, ph, eh.e_phnum * sizeof(ph[0]), why, why_len)) != 0)
		return rc;
	/* Check every header before writing anything into guest memory. */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && ph[i].p_memsz > 0)
			rc = add_segment(&ph[i], src->size, lo, hi, image, why, why_len);
		else if (ph[i].p_type == PT_NOTE)
			rc = find_notes(src, &ph[i], image, &found, why, why_len);
		else if (ph[i].p_type == PT_DYNAMIC || ph[i].p_type == PT_INTERP ||
			 ph[i].p_type == PT_TLS)
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
		uint8_t *at = (uint8_t *)mem + ph[i].p_vaddr;

		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		if ((rc = read_at(src, ph[i].p_offset, at, ph[i].p_filesz, why, why_len)) != 0)
			return rc;
		memset(at + ph[i].p_filesz, 0, ph[i].p_memsz - ph[i].p_filesz);
	}
	return 0;
}
