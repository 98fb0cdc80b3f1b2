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

/* Plenty: 4 fd-checked calls x (36 fds + 4) + 2 x (32 + 4) + the rest. */
#define FILTER_MAX	512
#define MAX_FDS		(MG_MANIFEST_MAX_DEVICES + 4)

#define ARG0_LO	((uint32_t)offsetof(struct seccomp_data, args[0]))
#define ARG1_LO	((uint32_t)offsetof(struct seccomp_data, args[1]))

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

/* If the syscall is nr, allow it (any arguments); else fall through. */
static void
allow(struct filter *f, long nr)
{
	emit(f, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	emit(f, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1);
	emit(f, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
}

/* If the syscall is nr: allow it if its argument at offset arg is one of vals[], else
 * kill; other syscalls fall through. */
static void
allow_if_arg(struct filter *f, long nr, uint32_t arg, const int *vals, size_t count)
{
	emit(f, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	/* Skip the rest of this block: the load, count tests, kill and allow. */
	emit(f, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, (uint8_t)(count + 3));
	emit(f, BPF_LD | BPF_W | BPF_ABS, arg, 0, 0);
	for (size_t i = 0; i < count; i++)
		emit(f, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)vals[i], (uint8_t)(count - i), 0);
	emit(f, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	emit(f, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
}

/* ioctl: only on the vCPU, and only the requests in reqs[]. */
static void
allow_vcpu_ioctls(struct filter *f, int vcpu_fd, const int *reqs, size_t count)
{
	emit(f, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	emit(f, BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, (uint8_t)(count + 5));
	emit(f, BPF_LD | BPF_W | BPF_ABS, ARG0_LO, 0, 0);
	emit(f, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)vcpu_fd, 0, (uint8_t)(count + 1));
	emit(f, BPF_LD | BPF_W | BPF_ABS, ARG1_LO, 0, 0);
	for (size_t i = 0; i < count; i++)
		emit(f, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)reqs[i], (uint8_t)(count - i), 0);
	emit(f, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	emit(f, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
}

int
mg_hvt_sandbox(const struct mg_hvt *hvt, int vcpu_fd, char *why, size_t why_len)
{
	static const long io_calls[] = { SYS_read, SYS_write, SYS_readv, SYS_writev };
	static const long plain_calls[] = { SYS_ppoll, SYS_clock_gettime, SYS_exit,
					    SYS_exit_group };
	static const int vcpu_reqs[] = { (int)KVM_RUN, (int)KVM_GET_REGS, (int)KVM_GET_SREGS };
	static struct filter f;
	int io_fds[MAX_FDS], block_fds[MAX_FDS];
	size_t io_count = 0, block_count = 0;
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
	f.len = 0;
	f.overflow = false;
	emit(&f, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
	emit(&f, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	emit(&f, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	/* The x32 ABI shares the architecture number: refuse its syscall numbers. */
	emit(&f, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	emit(&f, BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	emit(&f, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	allow_vcpu_ioctls(&f, vcpu_fd, vcpu_reqs, sizeof(vcpu_reqs) / sizeof(vcpu_reqs[0]));
	for (size_t i = 0; i < sizeof(io_calls) / sizeof(io_calls[0]); i++)
		allow_if_arg(&f, io_calls[i], ARG0_LO, io_fds, io_count);
	if (block_count > 0) {
		allow_if_arg(&f, SYS_pread64, ARG0_LO, block_fds, block_count);
		allow_if_arg(&f, SYS_pwrite64, ARG0_LO, block_fds, block_count);
	}
	for (size_t i = 0; i < sizeof(plain_calls) / sizeof(plain_calls[0]); i++)
		allow(&f, plain_calls[i]);
	emit(&f, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
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
