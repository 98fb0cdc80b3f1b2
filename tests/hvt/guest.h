/* SPDX-License-Identifier: ISC */
/*
 * guest.h -- helpers for the test guests of tests/hvt: tiny images on the bare hypercall
 * ABI (no libc, no runtime), so that the tender is tested on its own. Each test guest
 * defines guest_main() and its manifest with GUEST_MANIFEST().
 */
#ifndef MORGANA_TESTS_HVT_GUEST_H
#define MORGANA_TESTS_HVT_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include <morgana/hvt_abi.h>
#include <morgana/plat.h>

#include "../../platform/hvt/hvt_call.h"

#define GUEST_MANIFEST(app, count, ...)						\
	__attribute__((section(MG_MANIFEST_SECTION), used, aligned(4)))		\
	const struct mg_manifest_note mg_manifest_note = {			\
		.namesz = sizeof(MG_MANIFEST_NOTE_NAME),			\
		.descsz = sizeof(struct mg_manifest),				\
		.type = MG_MANIFEST_NOTE_TYPE,					\
		.name = MG_MANIFEST_NOTE_NAME,					\
		.desc = { .version = MG_MANIFEST_VERSION, .device_count = (count),	\
			  .app_name = app, .devices = { __VA_ARGS__ } },	\
	}

/* Entry: the tender's rsp is 16-byte aligned; call guest_main(boot info) like C would. */
__asm__(".section .text.hvt_entry, \"ax\", @progbits\n"
	".globl _start\n"
	"_start:\n"
	"	andq $-16, %rsp\n"
	"	call guest_main\n"
	"	ud2\n"
	".previous\n");

_Noreturn void guest_main(const struct mg_plat_boot_info *bi);

static inline size_t
guest_strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

static inline int
guest_streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

static inline void
guest_write(const void *data, uint64_t len)
{
	struct mg_hvt_console c = { .data = (uintptr_t)data, .len = len };

	mg_hvt_call(MG_HVT_CALL_CONSOLE, &c);
}

static inline void
guest_puts(const char *s)
{
	guest_write(s, guest_strlen(s));
}

static inline void
guest_put_u64(uint64_t v)
{
	char buf[21];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	guest_write(buf + i, sizeof(buf) - i);
}

static inline _Noreturn void
guest_exit(int64_t status)
{
	struct mg_hvt_exit e = { .status = status };

	mg_hvt_call(MG_HVT_CALL_EXIT, &e);
	__builtin_unreachable();
}

static inline uint64_t
guest_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The first word of the sh-quoted command line the tender built ('word' ...), or "". */
static inline const char *
guest_word(const char *cmdline, char *buf, size_t len, size_t index)
{
	size_t n = 0;
	const char *p = cmdline;

	for (size_t i = 0; i <= index; i++) {
		while (*p == ' ')
			p++;
		if (*p != '\'')
			return "";
		p++;
		n = 0;
		while (*p != '\0' && *p != '\'' && n + 1 < len)
			buf[n++] = *p++;
		if (*p == '\'')
			p++;
	}
	buf[n] = '\0';
	return buf;
}

#endif /* MORGANA_TESTS_HVT_GUEST_H */
