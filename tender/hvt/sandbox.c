/* SPDX-License-Identifier: ISC */
/*
 * sandbox.c -- once the guest is loaded and its devices are open, the tender gives up
 * everything else: a seccomp filter (default: kill the process) allows only what running
 * the guest needs, on the file descriptors it needs:
 *
 *	ioctl(vcpu, KVM_RUN)			run the guest
 *	ioctl(vcpu, KVM_GET_REGS / GET_SREGS)	read-only, for the report of a triple fault
 *	read, write, readv, writev		on stdout, stderr, the TAP and block fds
 *						and the network rings' two eventfds
 *	pread64, pwrite64			on the block fds
 *	ppoll, clock_gettime			POLL and WALLTIME hypercalls, the I/O
 *						thread's sleep and spin
 *	exit, exit_group			the end
 *
 * The filter covers every thread of the process (SECCOMP_FILTER_FLAG_TSYNC): the vCPU's
 * and the network rings' I/O thread (netq.c), which is created before and needs nothing
 * beyond this list.
 *
 * So a guest that found a hole in the tender could still do no more than the guest may:
 * no new files, sockets, memory mappings or processes. The filter compares the syscall
 * number, then the low 32 bits of the fd (the kernel ignores the high ones for fds and
 * ioctl requests), and fails closed on a foreign architecture.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hvt.h"

/* Plenty: 11 numbers, 3 rule blocks with up to MAX_FDS fds each, and the rest (~100). */
#define FILTER_MAX	192
#define MAX_FDS		(MG_MANIFEST_MAX_DEVICES + 4)	/* + stdout, stderr, 2 eventfds */

#define NR	((uint32_t)offsetof(struct seccomp_data, nr))
#define ARCH	((uint32_t)offsetof(struct seccomp_data, arch))
#define ARG0_LO	((uint32_t)offsetof(struct seccomp_data, args[0]))
#define ARG1_LO	((uint32_t)offsetof(struct seccomp_data, args[1]))

/*
 * The filter is laid out for a cheap attach. Attaching it, the kernel runs it once per
 * syscall number of each architecture to find the numbers it always allows (its action
 * cache), then compiles it, so the attach costs with the length of the filter and of the
 * path a typical number takes. A chain of one block per syscall, each reloading the
 * number, took 56-95 us here to attach (min, median over 41); this dispatch, which sends
 * most numbers to the kill after one or two tests, 35-60 us.
 *
 *	load arch; not x86_64 -> kill
 *	load nr; above the largest allowed number (x32 numbers too: bit 30) -> kill
 *	above the middle one -> the upper half of the numbers, else the lower half:
 *	  one test per allowed number, jumping to the block of its rule; else kill
 *	VCPU:  fd is the vCPU and request one of vcpu_reqs -> ALLOW, else kill
 *	IO:    fd is one of io_fds -> ALLOW, else kill
 *	BLOCK: fd is one of block_fds -> ALLOW, else kill (only with block devices)
 *	ALLOW
 */
enum rule { RULE_VCPU, RULE_IO, RULE_BLOCK, RULE_ANY };

/* What the tender may call, sorted by number (checked: the dispatch relies on it). */
static const struct call {
	long nr;
	enum rule rule;
} calls[] = {
	{ SYS_read, RULE_IO }, { SYS_write, RULE_IO }, { SYS_ioctl, RULE_VCPU },
	{ SYS_pread64, RULE_BLOCK }, { SYS_pwrite64, RULE_BLOCK }, { SYS_readv, RULE_IO },
	{ SYS_writev, RULE_IO }, { SYS_exit, RULE_ANY }, { SYS_clock_gettime, RULE_ANY },
	{ SYS_exit_group, RULE_ANY }, { SYS_ppoll, RULE_ANY },
};
#define NCALLS	(sizeof(calls) / sizeof(calls[0]))

struct filter {
	struct sock_filter insn[FILTER_MAX];
	size_t len;
	bool overflow;
};

static void
emit(struct filter *f, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	if (f->len == FILTER_MAX) {
		f->overflow = true;
		return;
	}
	f->insn[f->len++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

/* The jump offset from the instruction emitted next to target. Offsets count from the
 * instruction after the jump and are 8 bits wide, which FILTER_MAX keeps them within. */
_Static_assert(FILTER_MAX <= 256, "jump offsets fit in 8 bits");
static uint8_t
to(const struct filter *f, size_t target)
{
	return (uint8_t)(target - (f->len + 1));
}

/* The length of one_of_block() with count values, for laying out what follows it. */
static size_t
one_of_block_len(size_t count)
{
	return 1 + count + 1;
}

/* Allow (jump to allow) if the 32-bit argument at arg is one of vals[], else kill. */
static void
one_of_block(struct filter *f, uint32_t arg, const int *vals, size_t count, size_t allow)
{
	emit(f, BPF_LD | BPF_W | BPF_ABS, arg, 0, 0);
	for (size_t i = 0; i < count; i++)
		emit(f, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)vals[i], to(f, allow), 0);
	emit(f, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
}

int
mg_hvt_sandbox(const struct mg_hvt *hvt, int vcpu_fd, char *why, size_t why_len)
{
	static const int vcpu_reqs[] = { (int)KVM_RUN, (int)KVM_GET_REGS, (int)KVM_GET_SREGS };
	const size_t nreqs = sizeof(vcpu_reqs) / sizeof(vcpu_reqs[0]);
	static struct filter f;
	const struct call *use[NCALLS];
	int io_fds[MAX_FDS], block_fds[MAX_FDS];
	size_t io_count = 0, block_count = 0, n = 0, half, tests_at, kill_at;
	size_t at[RULE_ANY + 1];
	struct sock_fprog prog;
	long rc;
	int err;

	io_fds[io_count++] = STDOUT_FILENO;
	io_fds[io_count++] = STDERR_FILENO;
	for (uint32_t i = 0; i < hvt->device_count; i++) {
		if (hvt->devices[i].type == 0 || hvt->devices[i].fd < 0)
			continue;
		io_fds[io_count++] = hvt->devices[i].fd;
		if (hvt->devices[i].type == MG_DEVICE_BLOCK)
			block_fds[block_count++] = hvt->devices[i].fd;
	}
	for (size_t i = 0; i < hvt->io_fd_count && i < 2; i++)
		io_fds[io_count++] = hvt->io_fds[i];
	for (size_t i = 0; i < NCALLS; i++) {
		if (i > 0 && calls[i].nr <= calls[i - 1].nr) {
			snprintf(why, why_len, "seccomp: syscall table not sorted at %ld",
				 calls[i].nr);
			return -EINVAL;
		}
		if (calls[i].rule != RULE_BLOCK || block_count > 0)
			use[n++] = &calls[i];
	}
	half = n / 2;
	/* Where each block starts: the arch check (3), the load of nr, the two range
	 * tests, one test per number, then the kill and the rule blocks. */
	tests_at = 3 + 1 + 2;
	kill_at = tests_at + n;
	at[RULE_VCPU] = kill_at + 1;
	at[RULE_IO] = at[RULE_VCPU] + 3 + nreqs + 1;
	at[RULE_BLOCK] = at[RULE_IO] + one_of_block_len(io_count);
	at[RULE_ANY] = at[RULE_BLOCK] + (block_count > 0 ? one_of_block_len(block_count) : 0);

	f.len = 0;
	f.overflow = false;
	emit(&f, BPF_LD | BPF_W | BPF_ABS, ARCH, 0, 0);
	emit(&f, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	emit(&f, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	emit(&f, BPF_LD | BPF_W | BPF_ABS, NR, 0, 0);
	emit(&f, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)use[n - 1]->nr, to(&f, kill_at), 0);
	emit(&f, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)use[half - 1]->nr,
	     to(&f, tests_at + half), 0);
	for (size_t i = 0; i < n; i++)
		emit(&f, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)use[i]->nr,
		     to(&f, at[use[i]->rule]), 0);
	emit(&f, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	/* VCPU: the vCPU fd, then the request; a wrong fd skips to the kill. */
	emit(&f, BPF_LD | BPF_W | BPF_ABS, ARG0_LO, 0, 0);
	emit(&f, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)vcpu_fd, 0, (uint8_t)(1 + nreqs));
	one_of_block(&f, ARG1_LO, vcpu_reqs, nreqs, at[RULE_ANY]);
	one_of_block(&f, ARG0_LO, io_fds, io_count, at[RULE_ANY]);
	if (block_count > 0)
		one_of_block(&f, ARG0_LO, block_fds, block_count, at[RULE_ANY]);
	emit(&f, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	if (!f.overflow && f.len != at[RULE_ANY] + 1) {
		snprintf(why, why_len, "seccomp filter laid out wrong (%zu instructions, "
			 "expected %zu)", f.len, at[RULE_ANY] + 1);
		return -EINVAL;
	}
	if (f.overflow) {
		snprintf(why, why_len, "seccomp filter longer than %d instructions", FILTER_MAX);
		return -E2BIG;
	}
	prog = (struct sock_fprog){ .len = (unsigned short)f.len, .filter = f.insn };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		goto fail;
	/* > 0: the id of a thread that could not take the filter. */
	rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog);
	if (rc > 0)
		errno = ESRCH;
	if (rc != 0)
		goto fail;
	return 0;
fail:
	err = errno;
	snprintf(why, why_len, "cannot confine the tender with seccomp: %s", strerror(err));
	return -err;
}
