/* SPDX-License-Identifier: ISC */
/*
 * fault.c -- reporting a guest's fault. The guest runs inside the tender's process, so a
 * fault is a signal to the process: the handler below prints what happened, where, and
 * the registers, then exits with 255, in the spirit of morgana-hvt's report.
 *
 * It runs after the guest took over: %fs points at the guest's TCB (glibc's thread data
 * is unreachable) and the seccomp filter allows only write(2) and exit_group. So the
 * handler calls no library function at all -- its own formatting, raw system calls --
 * and never returns (rt_sigreturn is not allowed either).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "spt.h"

#define ALT_STACK_SIZE	(64u * 1024)

static uint64_t stack_guard;	/* the guest stack's guard page */

struct line {
	char buf[1024];
	size_t len;
};

static void
put(struct line *l, const char *s)
{
	while (*s != '\0' && l->len < sizeof(l->buf))
		l->buf[l->len++] = *s++;
}

static void
put_hex(struct line *l, uint64_t v, int digits)
{
	char tmp[19] = "0x";

	for (int i = digits - 1; i >= 0; i--)
		tmp[2 + (digits - 1 - i)] = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
	tmp[2 + digits] = '\0';
	put(l, tmp);
}

static int
hex_digits(uint64_t v)
{
	int n = 1;

	while (n < 16 && (v >> (4 * n)) != 0)
		n++;
	return n;
}

static _Noreturn void
raw_exit(int status)
{
	__asm__ volatile("syscall" : : "a"(SYS_exit_group), "D"(status) : "rcx", "r11", "memory");
	__builtin_unreachable();
}

static void
raw_write_all(const char *buf, size_t len)
{
	long n;

	while (len > 0) {
		__asm__ volatile("syscall" : "=a"(n) : "a"(SYS_write), "D"(2), "S"(buf), "d"(len)
				 : "rcx", "r11", "memory");
		if (n == -EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static const char *
signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL (invalid instruction)";
	case SIGFPE: return "SIGFPE (arithmetic fault)";
	case SIGTRAP: return "SIGTRAP";
	default: return "signal";
	}
}

/* The page-fault error code the kernel passes on, in hvt's words. */
static void
put_error_code(struct line *l, uint64_t err)
{
	put(l, " error code=");
	put_hex(l, err, hex_digits(err));
	put(l, (err & 1) ? " (protection, " : " (not present, ");
	put(l, (err & 16) ? "instruction fetch)" : (err & 2) ? "write)" : "read)");
}

static void
put_registers(struct line *l, const greg_t *g)
{
	static const struct { const char *name; int reg; } regs[] = {
		{ "rax", REG_RAX }, { "rbx", REG_RBX }, { "rcx", REG_RCX }, { "rdx", REG_RDX },
		{ "rsi", REG_RSI }, { "rdi", REG_RDI }, { "rbp", REG_RBP }, { "rsp", REG_RSP },
		{ "r8", REG_R8 }, { "r9", REG_R9 }, { "r10", REG_R10 }, { "r11", REG_R11 },
		{ "r12", REG_R12 }, { "r13", REG_R13 }, { "r14", REG_R14 }, { "r15", REG_R15 },
		{ "rflags", REG_EFL },
	};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		put(l, i % 4 == 0 ? "\n  " : " ");
		put(l, regs[i].name);
		put(l, "=");
		put_hex(l, (uint64_t)g[regs[i].reg], 16);
	}
	put(l, "\n");
}

__attribute__((no_stack_protector)) static void
report(int sig, siginfo_t *si, void *context)
{
	const greg_t *g = ((const ucontext_t *)context)->uc_mcontext.gregs;
	struct line l = { .len = 0 };
	uint64_t addr = (uint64_t)(uintptr_t)si->si_addr;

	put(&l, "morgana-spt: guest fault: ");
	put(&l, signal_name(sig));
	put(&l, " at rip=");
	put_hex(&l, (uint64_t)g[REG_RIP], hex_digits((uint64_t)g[REG_RIP]));
	if (sig == SIGSEGV || sig == SIGBUS) {
		put(&l, "\n  fault address=");
		put_hex(&l, addr, hex_digits(addr));
		if (sig == SIGSEGV)
			put_error_code(&l, (uint64_t)g[REG_ERR]);
		if (addr >= stack_guard && addr - stack_guard < SPT_PAGE)
			put(&l, " [stack guard page: stack overflow]");
		else if (addr < SPT_PAGE)
			put(&l, " [page 0: null pointer]");
	}
	put_registers(&l, g);
	raw_write_all(l.buf, l.len);
	raw_exit(MG_TENDER_EXIT_FAIL);
}

int
mg_spt_faults_catch(uint64_t guard)
{
	static const int signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };
	struct sigaction sa;
	stack_t alt;
	sigset_t unblock;

	stack_guard = guard;
	alt.ss_sp = mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (alt.ss_sp == MAP_FAILED)
		return -errno;
	alt.ss_size = ALT_STACK_SIZE;
	alt.ss_flags = 0;
	if (sigaltstack(&alt, NULL) != 0)
		return -errno;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = report;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);	/* nothing interrupts the report */
	sigemptyset(&unblock);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		sigaddset(&unblock, signals[i]);
		if (sigaction(signals[i], &sa, NULL) != 0)
			return -errno;
	}
	return sigprocmask(SIG_UNBLOCK, &unblock, NULL) != 0 ? -errno : 0;
}
