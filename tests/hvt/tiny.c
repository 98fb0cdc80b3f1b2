/* SPDX-License-Identifier: ISC */
/*
 * tiny.c -- the smallest hvt guest: prints, then does what its first argument says, so
 * that tests/hvt/run.sh can check the tender's loader, hypercalls, W^X map and fault
 * reports one property at a time. With no argument it prints its command line and
 * exits 0.
 */
#include "guest.h"

GUEST_MANIFEST("tiny", 0);

static const char rodata_word[8] = "rodata";
static uint8_t data_code[16] = { 0xc3 };	/* ret, in a non-executable page */
static volatile uint64_t sink;

/* A console buffer named in a note (hvt_abi.h), written by the console-* modes only. */
static struct {
	struct mg_hvt_console_buf h;
	char data[248];
} console __attribute__((aligned(8)));

MG_HVT_CONSOLE_NOTE(console);

/* Leave s in the console buffer for the tender to write at the next hypercall. */
static void
console_buffer(const char *s)
{
	uint32_t n = console.h.len;

	while (*s != '\0' && n < sizeof(console.data))
		console.data[n++] = *s++;
	__atomic_store_n(&console.h.len, n, __ATOMIC_RELEASE);
}

static _Noreturn void
fail(const char *why)
{
	guest_puts("tiny: FAIL ");
	guest_puts(why);
	guest_puts("\n");
	guest_exit(1);
}

static uint64_t
recurse(uint64_t n)
{
	volatile uint8_t pad[512];

	pad[0] = (uint8_t)n;
	if (n > (1u << 30))	/* never: the stack's guard page stops it first */
		return n;
	return recurse(n + 1) + pad[0];
}

static void
check_cpu(void)
{
	uint32_t a, b, c, d;
	uint64_t x = 0xf0f0, r = 0;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 9)) || !(c & (1u << 20)) || !(c & (1u << 23)))
		fail("CPUID hides SSSE3, SSE4.2 or POPCNT");
	__asm__ volatile("pxor %%xmm0, %%xmm0; pshufb %%xmm0, %%xmm1" ::: "xmm0", "xmm1");
	__asm__ volatile("popcnt %1, %0" : "=r"(r) : "r"(x));
	if (r != 8)
		fail("popcnt");
	__asm__ volatile("crc32q %1, %0" : "+r"(r) : "r"(x));
	if (c & (1u << 30)) {
		uint8_t ok;

		__asm__ volatile("rdrand %0; setc %1" : "=r"(r), "=qm"(ok));
		guest_puts("tiny: rdrand ok\n");
	}
	if ((c & (1u << 28)) && (c & (1u << 27))) {
		__asm__ volatile("vpxor %%ymm0, %%ymm0, %%ymm0; vaddps %%ymm0, %%ymm0, %%ymm1"
				 ::: "xmm0", "xmm1");
		guest_puts("tiny: avx ok\n");
	}
	guest_puts("tiny: cpu ok\n");
}

static void
check_clock(const struct mg_plat_boot_info *bi)
{
	struct mg_hvt_walltime w = { 0 };
	struct mg_hvt_poll p = { .timeout_ns = 20 * 1000 * 1000 };
	uint64_t t0, ms;

	mg_hvt_call(MG_HVT_CALL_WALLTIME, &w);
	if (w.ns < 1577836800ull * 1000000000)	/* 2020-01-01 */
		fail("wall clock before 2020");
	if (bi->tsc_hz < 100000000)
		fail("TSC frequency below 100 MHz");
	t0 = guest_rdtsc();
	mg_hvt_call(MG_HVT_CALL_POLL, &p);
	ms = (guest_rdtsc() - t0) * 1000 / bi->tsc_hz;
	guest_puts("tiny: a 20 ms poll took ");
	guest_put_u64(ms);
	guest_puts(" ms by the TSC\n");
	if (ms < 19 || ms > 1000 || p.ready != 0)
		fail("poll timing");
}

static void
check_memory(const struct mg_plat_boot_info *bi)
{
	volatile uint8_t *heap = (volatile uint8_t *)bi->heap_start;
	uint8_t seed_or = 0;

	if (bi->heap_size < 64 * 1024 || bi->heap_start % 4096 != 0)
		fail("heap too small or unaligned");
	for (uint64_t off = 0; off < bi->heap_size; off += 4096)
		heap[off] = (uint8_t)off;
	heap[bi->heap_size - 1] = 1;
	for (size_t i = 0; i < sizeof(bi->seed); i++)
		seed_or |= bi->seed[i];
	if (seed_or == 0)
		fail("seed is all zeros");
	if (bi->manifest == NULL || !guest_streq(bi->manifest->app_name, "tiny"))
		fail("manifest");
	guest_puts("tiny: heap of ");
	guest_put_u64(bi->heap_size / 1024);
	guest_puts(" KiB ok\n");
}

/* Hypercalls a correct guest never makes: the tender must stop the guest, not crash. */
static void
bad_call(const char *mode)
{
	struct mg_hvt_console c = { .data = (uintptr_t)rodata_word, .len = 6 };

	if (guest_streq(mode, "bad-arg"))	/* argument struct beyond memory */
		mg_hvt_call(MG_HVT_CALL_CONSOLE, (void *)(uintptr_t)0xfff00000u);
	if (guest_streq(mode, "bad-arg-unaligned"))
		mg_hvt_call(MG_HVT_CALL_CONSOLE, (char *)&c + 1);
	if (guest_streq(mode, "bad-arg-sys"))	/* the GDT: the tender's, not the guest's */
		mg_hvt_call(MG_HVT_CALL_CONSOLE, (void *)(uintptr_t)0x1000);
	if (guest_streq(mode, "bad-len"))
		c.len = UINT64_MAX;
	if (guest_streq(mode, "bad-wrap")) {
		c.data = UINT64_MAX - 4095;
		c.len = 8192;
	}
	if (guest_streq(mode, "bad-null"))
		c.data = 0;
	if (guest_streq(mode, "bad-call"))	/* a call number the ABI does not have */
		*(volatile uint32_t *)(uintptr_t)(MG_HVT_MMIO_BASE + 8 * 100) = 0;
	if (guest_streq(mode, "bad-call-read"))
		sink = *(volatile uint32_t *)(uintptr_t)(MG_HVT_MMIO_BASE + 8);
	if (guest_streq(mode, "bad-port"))	/* port I/O faults at CPL3 */
		__asm__ volatile("outl %0, %w1" : : "a"(0), "d"((uint16_t)0x5ff));
	if (guest_streq(mode, "bad-in")) {
		uint32_t v;

		__asm__ volatile("inl %w1, %0" : "=a"(v) : "d"((uint16_t)0x503));
	}
	mg_hvt_call(MG_HVT_CALL_CONSOLE, &c);
}

_Noreturn void
guest_main(const struct mg_plat_boot_info *bi)
{
	char buf[64], arg[64];
	const char *mode;

	if (mg_hvt_traps_install() != 0)
		fail("trap install");
	guest_puts("tiny: hello from hvt, cmdline: ");
	guest_puts(bi->cmdline);
	guest_puts("\n");
	mode = guest_word(bi->cmdline, buf, sizeof(buf), 0);
	if (guest_streq(mode, "exit")) {
		const char *n = guest_word(bi->cmdline, arg, sizeof(arg), 1);
		int64_t status = 0;

		while (*n >= '0' && *n <= '9')
			status = status * 10 + (*n++ - '0');
		guest_exit(status);
	}
	if (guest_streq(mode, "cpu"))
		check_cpu();
	if (guest_streq(mode, "clock"))
		check_clock(bi);
	if (guest_streq(mode, "sleep")) {	/* a second in the tender's POLL */
		struct mg_hvt_poll p = { .timeout_ns = 1000 * 1000 * 1000 };

		mg_hvt_call(MG_HVT_CALL_POLL, &p);
	}
	if (guest_streq(mode, "memory"))
		check_memory(bi);
	if (guest_streq(mode, "traps-twice") && mg_hvt_traps_install() != -22)
		fail("a second trap install was not refused");
	if (guest_streq(mode, "fault-text"))
		*(volatile uint8_t *)(uintptr_t)guest_main = 0x90;
	if (guest_streq(mode, "fault-null"))
		sink = *(volatile uint64_t *)0;
	if (guest_streq(mode, "fault-rodata"))
		*(volatile char *)(uintptr_t)rodata_word = 'R';
	if (guest_streq(mode, "fault-exec-data"))
		((void (*)(void))(uintptr_t)data_code)();
	if (guest_streq(mode, "fault-exec-heap")) {	/* its middle: 2 MiB pages */
		uint8_t *code = (uint8_t *)(uintptr_t)((bi->heap_start + bi->heap_size / 2) &
						       ~(uint64_t)0x1fffff);

		*(volatile uint8_t *)code = 0xc3;	/* ret */
		guest_puts("tiny: wrote the heap's middle\n");
		((void (*)(void))(uintptr_t)code)();
	}
	if (guest_streq(mode, "fault-bootinfo"))
		*(volatile uint64_t *)(uintptr_t)&bi->tsc_hz = 0;
	if (guest_streq(mode, "fault-tables"))	/* the page tables at the top of memory */
		sink = *(volatile uint64_t *)(bi->main_stack + bi->main_stack_size + 4096 +
					      MG_HVT_STACK_SIZE);
	if (guest_streq(mode, "fault-stack"))
		sink = recurse(0);
	if (guest_streq(mode, "fault-ud"))
		__asm__ volatile("ud2");
	if (guest_streq(mode, "fault-privileged"))
		__asm__ volatile("cli; hlt");
	if (guest_streq(mode, "console-exit")) {	/* written out at the exit */
		console_buffer("tiny: buffered ");
		console_buffer("at exit\n");
		guest_exit(0);
	}
	if (guest_streq(mode, "console-order")) {	/* the buffer comes before the call's */
		console_buffer("tiny: first\n");
		guest_puts("tiny: second\n");
		guest_exit(0);
	}
	if (guest_streq(mode, "console-fault")) {	/* and before a fault report */
		console_buffer("tiny: before the fault\n");
		__asm__ volatile("ud2");
	}
	if (guest_streq(mode, "console-bad-len")) {
		__atomic_store_n(&console.h.len, (uint32_t)sizeof(console.data) + 1,
				 __ATOMIC_RELEASE);
		guest_exit(0);
	}
	if (mode[0] == 'b' && mode[1] == 'a' && mode[2] == 'd')
		bad_call(mode);
	if (guest_streq(mode, "abort")) {
		struct mg_hvt_exit e = { 0 };

		mg_hvt_call(MG_HVT_CALL_ABORT, &e);
	}
	guest_puts("tiny: done\n");
	guest_exit(0);
}
