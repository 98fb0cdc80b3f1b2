/* SPDX-License-Identifier: ISC */
/*
 * hvt_elf.c -- the image loader against crafted ELF files: a well-formed image loads
 * exactly, each kind of malformed or hostile header is refused before anything is
 * written to guest memory, a failing source's error comes back, and headers are read
 * once (a file that changes under the loader cannot change what it checked).
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/hvt_abi.h>

#include "../../tender/common/elf.h"

#define MEM_SIZE (4u << 20)
#define LO 0x100000u
#define HI (3u << 20)
#define TEXT 0x100000u
#define DATA 0x101000u

/* An image: ELF header, 3 program headers (text, data, note), then the bytes. */
struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	struct mg_manifest_note note;
	struct {	/* hvt's traps (or console) note; outside the note segment unless a
			 * test adds it */
		uint32_t namesz, descsz, type;
		char name[8];
		uint8_t desc[16];
	} traps;
	uint8_t text[64];
	uint8_t data[32];
};

static struct image img;
static uint8_t *mem;
static struct mg_elf_image out;
static char why[200];

static void
build_image(void)
{
	memset(&img, 0, sizeof(img));
	memcpy(img.eh.e_ident, ELFMAG, SELFMAG);
	img.eh.e_ident[EI_CLASS] = ELFCLASS64;
	img.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	img.eh.e_ident[EI_VERSION] = EV_CURRENT;
	img.eh.e_type = ET_EXEC;
	img.eh.e_machine = EM_X86_64;
	img.eh.e_version = EV_CURRENT;
	img.eh.e_entry = TEXT + 8;
	img.eh.e_phoff = offsetof(struct image, ph);
	img.eh.e_ehsize = sizeof(Elf64_Ehdr);
	img.eh.e_phentsize = sizeof(Elf64_Phdr);
	img.eh.e_phnum = 3;
	img.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = offsetof(struct image, text), .p_vaddr = TEXT,
		.p_filesz = sizeof(img.text), .p_memsz = sizeof(img.text), .p_align = 4096 };
	img.ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = offsetof(struct image, data), .p_vaddr = DATA,
		.p_filesz = sizeof(img.data), .p_memsz = 8192, .p_align = 4096 };
	img.ph[2] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R,
		.p_offset = offsetof(struct image, note), .p_filesz = sizeof(img.note),
		.p_align = 4 };
	img.note.namesz = sizeof(MG_MANIFEST_NOTE_NAME);
	img.note.descsz = sizeof(struct mg_manifest);
	img.note.type = MG_MANIFEST_NOTE_TYPE;
	memcpy(img.note.name, MG_MANIFEST_NOTE_NAME, sizeof(MG_MANIFEST_NOTE_NAME));
	img.note.desc.version = MG_MANIFEST_VERSION;
	memcpy(img.note.desc.app_name, "crafted", 8);
	img.traps.namesz = sizeof(MG_MANIFEST_NOTE_NAME);
	img.traps.descsz = 8;
	img.traps.type = MG_HVT_TRAPS_NOTE_TYPE;
	memcpy(img.traps.name, MG_MANIFEST_NOTE_NAME, sizeof(MG_MANIFEST_NOTE_NAME));
	memset(img.text, 0x90, sizeof(img.text));
	memset(img.data, 0xab, sizeof(img.data));
}

static int
setup(void **state)
{
	(void)state;
	build_image();
	mem = calloc(1, MEM_SIZE);
	memset(mem + DATA + sizeof(img.data), 0x5a, 64);	/* must be zeroed as bss */
	return mem == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static int
load(size_t size)
{
	struct mg_elf_source src;

	mg_elf_source_bytes(&src, &img, size);
	return mg_elf_load(&src, mem, LO, HI, &out, why, sizeof(why));
}

/* Load the modified image and expect a refusal whose reason contains what. */
static void
expect_refused(const char *what)
{
	uint8_t before[64];

	memcpy(before, mem + TEXT, sizeof(before));
	assert_int_equal(load(sizeof(img)), -EINVAL);
	if (strstr(why, what) == NULL)
		fail_msg("reason '%s' does not mention '%s'", why, what);
	assert_memory_equal(before, mem + TEXT, sizeof(before));
}

/* Put the traps note, naming addr, into the note segment after the manifest. */
static void
add_traps_note(uint64_t addr)
{
	memcpy(img.traps.desc, &addr, sizeof(addr));
	img.ph[2].p_filesz = sizeof(img.note) + sizeof(img.traps);
}

static void
traps_note_gives_the_stubs_address(void **state)
{
	(void)state;
	assert_int_equal(load(sizeof(img)), 0);
	assert_int_equal(out.trap_stubs, 0);
	add_traps_note(TEXT + 16);
	assert_int_equal(load(sizeof(img)), 0);
	assert_int_equal(out.trap_stubs, TEXT + 16);
	assert_string_equal(out.manifest.app_name, "crafted");
}

static void
malformed_traps_note_is_refused(void **state)
{
	(void)state;
	add_traps_note(0);
	expect_refused("traps note");
	add_traps_note(TEXT);
	img.traps.descsz = 4;
	expect_refused("traps note");
}

/* The console note in the traps note's place: its address and size, checked later by
 * the tender against guest memory; address 0 or a wrong size is refused here. */
static void
console_note_gives_the_buffer(void **state)
{
	uint64_t desc[2] = { DATA + 8, 256 };

	(void)state;
	img.traps.type = MG_HVT_CONSOLE_NOTE_TYPE;
	img.traps.descsz = sizeof(desc);
	memcpy(img.traps.desc, desc, sizeof(desc));
	img.ph[2].p_filesz = sizeof(img.note) + sizeof(img.traps);
	assert_int_equal(load(sizeof(img)), 0);
	assert_int_equal(out.console[0], DATA + 8);
	assert_int_equal(out.console[1], 256);
	img.traps.descsz = 8;
	expect_refused("console note");
	img.traps.descsz = sizeof(desc);
	desc[0] = 0;
	memcpy(img.traps.desc, desc, sizeof(desc));
	expect_refused("console note");
}

static void
valid_image_loads_segments_entry_and_manifest(void **state)
{
	(void)state;
	assert_int_equal(load(sizeof(img)), 0);
	assert_int_equal(out.entry, TEXT + 8);
	assert_int_equal(out.segment_count, 2);
	assert_int_equal(out.segments[0].start, TEXT);
	assert_int_equal(out.segments[0].end, TEXT + 4096);
	assert_int_equal(out.segments[0].flags, PF_R | PF_X);
	assert_int_equal(out.segments[1].end, DATA + 8192);
	assert_int_equal(out.end, DATA + 8192);
	assert_memory_equal(mem + TEXT, img.text, sizeof(img.text));
	assert_memory_equal(mem + DATA, img.data, sizeof(img.data));
	assert_int_equal(mem[DATA + sizeof(img.data)], 0);
	assert_string_equal(out.manifest.app_name, "crafted");
}

static void
truncated_files_are_refused(void **state)
{
	static const size_t sizes[] = { 0, 4, sizeof(Elf64_Ehdr) - 1,
		offsetof(struct image, ph) + sizeof(Elf64_Phdr),
		offsetof(struct image, text) + 10,
		offsetof(struct image, data) + sizeof(img.data) - 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		assert_int_equal(load(sizes[i]), -EINVAL);
}

static void
wrong_class_is_refused(void **state)
{
	(void)state;
	img.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_refused("64-bit");
}

static void
big_endian_is_refused(void **state)
{
	(void)state;
	img.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	expect_refused("little-endian");
}

static void
wrong_machine_is_refused(void **state)
{
	(void)state;
	img.eh.e_machine = EM_AARCH64;
	expect_refused("x86_64");
}

static void
shared_object_is_refused(void **state)
{
	(void)state;
	img.eh.e_type = ET_DYN;
	expect_refused("static executable");
}

static void
bad_magic_is_refused(void **state)
{
	(void)state;
	img.eh.e_ident[1] = 'X';
	expect_refused("not an ELF");
}

static void
program_headers_outside_file_are_refused(void **state)
{
	(void)state;
	img.eh.e_phoff = UINT64_MAX - 8;	/* offset + size wraps */
	expect_refused("outside the file");
}

static void
too_many_program_headers_are_refused(void **state)
{
	(void)state;
	img.eh.e_phnum = 1000;
	expect_refused("program headers");
}

static void
overlapping_segments_are_refused(void **state)
{
	(void)state;
	img.ph[1].p_vaddr = TEXT;
	expect_refused("overlaps");
}

static void
segment_beyond_memory_is_refused(void **state)
{
	(void)state;
	img.ph[1].p_memsz = HI;
	expect_refused("does not fit");
}

static void
segment_whose_end_wraps_is_refused(void **state)
{
	(void)state;
	img.ph[1].p_memsz = UINT64_MAX - DATA + 2;
	expect_refused("does not fit");
}

static void
segment_in_page_zero_is_refused(void **state)
{
	(void)state;
	img.ph[0].p_vaddr = 0;
	expect_refused("does not fit");
}

static void
unaligned_segment_is_refused(void **state)
{
	(void)state;
	img.ph[1].p_vaddr = DATA + 16;
	expect_refused("page-aligned");
}

static void
writable_executable_segment_is_refused(void **state)
{
	(void)state;
	img.ph[1].p_flags = PF_R | PF_W | PF_X;
	expect_refused("writable and executable");
}

static void
file_size_above_memory_size_is_refused(void **state)
{
	(void)state;
	img.ph[0].p_memsz = 8;
	expect_refused("file size exceeds");
}

static void
segment_data_outside_file_is_refused(void **state)
{
	(void)state;
	img.ph[0].p_offset = UINT64_MAX - 16;
	expect_refused("outside the file");
}

static void
entry_outside_text_is_refused(void **state)
{
	(void)state;
	img.eh.e_entry = DATA;
	expect_refused("entry point");
}

static void
missing_manifest_is_refused(void **state)
{
	(void)state;
	img.note.type = 1;
	expect_refused("no Morgana manifest");
}

static void
manifest_of_wrong_size_is_refused(void **state)
{
	(void)state;
	img.note.descsz = 16;
	expect_refused("manifest note of 16 bytes");
}

static void
note_running_past_its_segment_is_refused(void **state)
{
	(void)state;
	img.note.descsz = 0x7fffffff;
	expect_refused("truncated ELF note");
}

static void
two_manifests_are_refused(void **state)
{
	(void)state;
	img.ph[1] = img.ph[2];	/* the same note twice, no data segment */
	expect_refused("more than one manifest");
}

static void
interpreter_is_refused(void **state)
{
	(void)state;
	img.ph[2].p_type = PT_INTERP;
	expect_refused("dynamic linking");
}

/* A source over img that fails its read number fail_at (0: the first), or, with
 * change_headers, answers every read after the first of the program headers with
 * headers that put the text segment at page 0. */
struct odd_source {
	struct mg_elf_source src;
	unsigned reads, fail_at;
	bool change_headers;
};

static int
odd_read(const struct mg_elf_source *src, uint64_t off, void *buf, size_t len)
{
	struct odd_source *o = (struct odd_source *)(uintptr_t)src;
	size_t ph_off = offsetof(struct image, ph);

	if (o->reads++ == o->fail_at)
		return -EIO;
	memcpy(buf, (const uint8_t *)&img + off, len);
	if (o->change_headers && o->reads > 2 && off <= ph_off && off + len > ph_off)
		((Elf64_Phdr *)(void *)((uint8_t *)buf + (ph_off - off)))->p_vaddr = 0;
	return 0;
}

static void
read_errors_come_back_and_leave_memory_alone(void **state)
{
	struct odd_source o = { .src = { .read = odd_read, .size = sizeof(img) } };
	unsigned reads;

	(void)state;
	o.fail_at = UINT32_MAX;
	assert_int_equal(mg_elf_load(&o.src, mem, LO, HI, &out, why, sizeof(why)), 0);
	reads = o.reads;
	memset(mem + TEXT, 0, sizeof(img.text));
	/* Every read but the segments' (the last two) comes before any write. */
	for (unsigned i = 0; i + 2 < reads; i++) {
		o.reads = 0;
		o.fail_at = i;
		assert_int_equal(mg_elf_load(&o.src, mem, LO, HI, &out, why, sizeof(why)), -EIO);
		if (strstr(why, "cannot read") == NULL)
			fail_msg("reason '%s' does not say the read failed", why);
		assert_memory_equal(mem + TEXT, (uint8_t[64]){ 0 }, sizeof(img.text));
	}
	o.reads = 0;
	o.fail_at = reads - 1;
	assert_int_equal(mg_elf_load(&o.src, mem, LO, HI, &out, why, sizeof(why)), -EIO);
}

static void
headers_are_read_once(void **state)
{
	struct odd_source o = { .src = { .read = odd_read, .size = sizeof(img) },
				.fail_at = UINT32_MAX, .change_headers = true };

	(void)state;
	assert_int_equal(mg_elf_load(&o.src, mem, LO, HI, &out, why, sizeof(why)), 0);
	assert_memory_equal(mem + TEXT, img.text, sizeof(img.text));
	assert_int_equal(out.segments[0].start, TEXT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(traps_note_gives_the_stubs_address),
		T(malformed_traps_note_is_refused),
		T(console_note_gives_the_buffer),
		T(valid_image_loads_segments_entry_and_manifest),
		T(truncated_files_are_refused),
		T(wrong_class_is_refused),
		T(big_endian_is_refused),
		T(wrong_machine_is_refused),
		T(shared_object_is_refused),
		T(bad_magic_is_refused),
		T(program_headers_outside_file_are_refused),
		T(too_many_program_headers_are_refused),
		T(overlapping_segments_are_refused),
		T(segment_beyond_memory_is_refused),
		T(segment_whose_end_wraps_is_refused),
		T(segment_in_page_zero_is_refused),
		T(unaligned_segment_is_refused),
		T(writable_executable_segment_is_refused),
		T(file_size_above_memory_size_is_refused),
		T(segment_data_outside_file_is_refused),
		T(entry_outside_text_is_refused),
		T(missing_manifest_is_refused),
		T(manifest_of_wrong_size_is_refused),
		T(note_running_past_its_segment_is_refused),
		T(two_manifests_are_refused),
		T(interpreter_is_refused),
		T(read_errors_come_back_and_leave_memory_alone),
		T(headers_are_read_once),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
