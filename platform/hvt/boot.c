/* SPDX-License-Identifier: ISC */
/*
 * boot.c -- from _start to the runtime: clock, stack-protector canary, heap, then
 * mg_runtime_start(). The exception stubs are set already (start.S's note). Everything
 * the tender vouches for (memory map, manifest against the attached devices) is already
 * checked when the guest runs.
 */
#include <stdint.h>

#include <morgana/heap.h>

#include "hvt.h"

int main(int argc, char **argv);

/* What %fs points at: the stack protector reads its canary at %fs:0x28. */
static struct {
	uint64_t words[5];
	uint64_t canary;
} tls __attribute__((aligned(64)));

static void
say(const char *msg)
{
	size_t n = 0;

	while (msg[n] != '\0')
		n++;
	mg_plat_console_write(msg, n);
}

/* The canary comes from the host's seed, with a zero low byte so that string functions
 * overrunning a buffer cannot reproduce it. Needs FSGSBASE, which the tender enables
 * (and says so in cpu_features) when the CPU has it; without it, code built with
 * -fstack-protector cannot run. */
static void
set_canary(const struct mg_plat_boot_info *info)
{
	uint64_t canary = 0;

	for (int i = 8; i < 16; i++)
		canary = canary << 8 | info->seed[i];
	tls.canary = canary & ~(uint64_t)0xff;
	if (info->cpu_features & MG_PLAT_CPU_FSGSBASE)
		__asm__ volatile("wrfsbase %0" : : "r"((uintptr_t)&tls) : "memory");
}

_Noreturn void
mg_hvt_boot(const struct mg_plat_boot_info *info)
{
	/* The exception stubs need no call: start.S names them in a note of the image. */
	mg_hvt_plat_init(info);
	set_canary(info);
	if (mg_heap_init((void *)info->heap_start, info->heap_size) != 0) {
		say("hvt: the heap is too small\n");
		mg_plat_abort();
	}
	mg_runtime_start(info, main);
}
