/* SPDX-License-Identifier: ISC */
/*
 * Property: SSE and AVX state is each fiber's own. Fibers fill all sixteen xmm (then
 * ymm) registers with patterns of their own, switch away -- to each other and, when all
 * sleep, out of the guest to the host -- and find their values, their MXCSR rounding mode
 * and their x87 control word as they left them.
 *
 * Vector registers are caller-saved in the System V ABI, so across the switch the
 * compiler keeps the values in (32-byte aligned, for ymm) stack slots; the asm statements
 * make them live in the registers right before and right after it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <morgana/fiber.h>
#include <morgana/plat.h>
#include <morgana/runtime.h>

#define FIBERS	4
#define ROUNDS	64
#define US	1000ull

typedef uint32_t v4u __attribute__((vector_size(16)));
typedef uint32_t v8u __attribute__((vector_size(32)));

static bool have_avx;
static int failures;

/* Before the switch: all sixteen registers of the kind in use hold the values at once. */
#define IN_REGISTERS(r)							\
	__asm__ volatile("" : : "x"(r[0]), "x"(r[1]), "x"(r[2]), "x"(r[3]),	\
			 "x"(r[4]), "x"(r[5]), "x"(r[6]), "x"(r[7]),		\
			 "x"(r[8]), "x"(r[9]), "x"(r[10]), "x"(r[11]),		\
			 "x"(r[12]), "x"(r[13]), "x"(r[14]), "x"(r[15]))
/* After it: the values are reloaded into registers and may have changed, as far as the
 * compiler knows (an asm has at most 30 operands, so two). */
#define FROM_REGISTERS(r)						\
	do {								\
		__asm__ volatile("" : "+x"(r[0]), "+x"(r[1]), "+x"(r[2]),	\
				 "+x"(r[3]), "+x"(r[4]), "+x"(r[5]),		\
				 "+x"(r[6]), "+x"(r[7]));			\
		__asm__ volatile("" : "+x"(r[8]), "+x"(r[9]), "+x"(r[10]),	\
				 "+x"(r[11]), "+x"(r[12]), "+x"(r[13]),		\
				 "+x"(r[14]), "+x"(r[15]));			\
	} while (0)

static uint32_t
pattern(unsigned fiber, unsigned round, unsigned reg, unsigned lane)
{
	return (uint32_t)fiber << 28 | (uint32_t)round << 12 | reg << 4 | lane;
}

/* Give the other fibers a turn; every eighth round, sleep so the guest leaves the CPU. */
static void
switch_away(unsigned round)
{
	if (round % 8 == 7)
		mg_sleep_ns(200 * US);
	else
		mg_fiber_yield();
}

static void
fail(unsigned id, unsigned round, const char *what, unsigned reg, unsigned lane,
     uint32_t got, uint32_t want)
{
	if (failures++ < 10)
		printf("FAIL: fiber %u round %u: %s %u lane %u holds %08x, not %08x\n", id,
		       round, what, reg, lane, got, want);
}

static void
sse_round(unsigned id, unsigned round)
{
	v4u r[16];

	for (unsigned i = 0; i < 16; i++)
		for (unsigned l = 0; l < 4; l++)
			r[i][l] = pattern(id, round, i, l);
	IN_REGISTERS(r);
	switch_away(round);
	FROM_REGISTERS(r);
	for (unsigned i = 0; i < 16; i++)
		for (unsigned l = 0; l < 4; l++)
			if (r[i][l] != pattern(id, round, i, l))
				fail(id, round, "xmm", i, l, r[i][l], pattern(id, round, i, l));
}

__attribute__((target("avx"))) static void
avx_round(unsigned id, unsigned round)
{
	v8u r[16];

	for (unsigned i = 0; i < 16; i++)
		for (unsigned l = 0; l < 8; l++)
			r[i][l] = ~pattern(id, round, i, l);
	IN_REGISTERS(r);
	switch_away(round);
	FROM_REGISTERS(r);
	for (unsigned i = 0; i < 16; i++)
		for (unsigned l = 0; l < 8; l++)
			if (r[i][l] != ~pattern(id, round, i, l))
				fail(id, round, "ymm", i, l, r[i][l], ~pattern(id, round, i, l));
}

/* Each fiber its own rounding mode: in MXCSR (bits 13-14) and the x87 CW (bits 10-11). */
static void
set_rounding(unsigned id)
{
	uint32_t mxcsr;
	uint16_t cw;

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	mxcsr = (mxcsr & ~(3u << 13)) | (id % 4) << 13;
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	cw = (uint16_t)((cw & ~(3u << 10)) | ((id + 1) % 4) << 10);
	__asm__ volatile("fldcw %0" : : "m"(cw));
}

static void
check_rounding(unsigned id, unsigned round)
{
	uint32_t mxcsr;
	uint16_t cw;

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	if ((mxcsr >> 13 & 3) != id % 4)
		fail(id, round, "MXCSR rounding, register", 0, 0, mxcsr, (id % 4) << 13);
	if ((cw >> 10 & 3u) != (id + 1) % 4)
		fail(id, round, "x87 rounding, register", 0, 0, cw, ((id + 1) % 4) << 10);
}

static int
simd_fiber(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;

	set_rounding(id);
	for (unsigned round = 0; round < ROUNDS; round++) {
		sse_round(id, round);
		check_rounding(id, round);
		if (have_avx) {
			avx_round(id, round);
			check_rounding(id, round);
		}
	}
	return 0;
}

/* AVX needs the CPU's support and the OS's (XCR0 saves SSE and AVX state). The test may
 * ask cpuid itself, which the runtime never does (a VM exit on hvt). */
static bool
cpuid_says_avx(void)
{
	uint32_t a, b, c, d, xcr0_lo, xcr0_hi;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & 1u << 28) || !(c & 1u << 27))
		return false;
	__asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	return (xcr0_lo & 6) == 6;
}

int
main(int argc, char **argv)
{
	struct mg_fiber *fibers[FIBERS];

	(void)argc;
	(void)argv;
	/* The platform's cpu_features and the CPU the guest sees must agree. */
	have_avx = (mg_boot_info()->cpu_features & MG_PLAT_CPU_AVX) != 0;
	if (have_avx != cpuid_says_avx()) {
		printf("FAIL: cpu_features says AVX %s, cpuid and XCR0 say %s\n",
		       have_avx ? "usable" : "unusable", have_avx ? "unusable" : "usable");
		return 1;
	}
	printf("AVX %s\n", have_avx ? "in use" : "not available: SSE only");
	for (unsigned i = 0; i < FIBERS; i++) {
		fibers[i] = mg_fiber_spawn("simd", simd_fiber, (void *)(uintptr_t)(i + 1), 0);
		if (fibers[i] == NULL) {
			printf("FAIL: no memory for fiber %u\n", i);
			return 1;
		}
	}
	for (unsigned i = 0; i < FIBERS; i++)
		mg_fiber_join(fibers[i], NULL);
	if (failures != 0) {
		printf("FAIL: %d wrong values\n", failures);
		return 1;
	}
	printf("simd ok: %d fibers x %d rounds kept their registers%s\n", FIBERS, ROUNDS,
	       have_avx ? " (xmm and ymm)" : " (xmm)");
	return 0;
}
