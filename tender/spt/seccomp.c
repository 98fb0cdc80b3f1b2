/* SPDX-License-Identifier: ISC */
/*
 * seccomp.c -- the classic-BPF filter that confines an spt guest (the allow-list is in
 * morgana/spt_abi.h). The program checks the architecture first (a 32-bit or x32 system
 * call has other numbers), then dispatches on the call number; calls on file descriptors
 * compare the low 32 bits of the first argument, which is all the kernel reads of an
 * `unsigned int fd`. Anything not allowed kills the whole process.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <time.h>

#include "spt.h"

#define ARG0_LOW	offsetof(struct seccomp_data, args[0])	/* little-endian */

struct builder {
	struct sock_filter *prog;
	size_t len, max;
	int overflow;
};

static size_t
emit(struct builder *b, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	if (b->len == b->max) {
		b->overflow = 1;
		return b->len;
	}
	b->prog[b->len] = (struct sock_filter){ code, jt, jf, k };
	return b->len++;
}

/* Allow the call if the low word of args[0] is one of values[0..count). */
static void
emit_allowed_values(struct builder *b, const int64_t *values, size_t count)
{
	emit(b, BPF_LD | BPF_W | BPF_ABS, ARG0_LOW, 0, 0);
	for (size_t i = 0; i < count; i++) {
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)values[i], 0, 1);
		emit(b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	}
	emit(b, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
}

int
mg_spt_filter_build(const struct mg_tender_device *devices, size_t count,
		    struct sock_filter *prog, size_t max)
{
	/* Calls checked by their first argument, and the values allowed there. */
	enum { READ, WRITE, BLOCK, CLOCK, LISTS };
	static const uint32_t list_nr[LISTS][2] = {
		[READ] = { __NR_read, __NR_read },
		[WRITE] = { __NR_write, __NR_write },
		[BLOCK] = { __NR_pread64, __NR_pwrite64 },
		[CLOCK] = { __NR_clock_gettime, __NR_clock_gettime },
	};
	int64_t values[LISTS][MG_MANIFEST_MAX_DEVICES + 2];
	size_t nvalues[LISTS] = { 0 };
	size_t jump_at[LISTS][2];
	struct builder b = { .prog = prog, .max = max };

	if (count > MG_MANIFEST_MAX_DEVICES)
		return -EINVAL;
	values[WRITE][nvalues[WRITE]++] = 1;	/* console */
	values[WRITE][nvalues[WRITE]++] = 2;	/* fault reports */
	values[CLOCK][nvalues[CLOCK]++] = CLOCK_MONOTONIC;
	values[CLOCK][nvalues[CLOCK]++] = CLOCK_REALTIME;
	for (size_t i = 0; i < count; i++) {
		if (devices[i].type == MG_DEVICE_NET) {
			values[READ][nvalues[READ]++] = devices[i].fd;
			values[WRITE][nvalues[WRITE]++] = devices[i].fd;
		} else if (devices[i].type == MG_DEVICE_BLOCK) {
			values[BLOCK][nvalues[BLOCK]++] = devices[i].fd;
		}
	}

	emit(&b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	emit(&b, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	emit(&b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, 0, 1);
	emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, __NR_ppoll, 0, 1);
	emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, 0, 0);
	/* Each checked call jumps to its list; the offsets are filled in below. */
	for (int l = 0; l < LISTS; l++)
		for (int j = 0; j < 2; j++) {
			emit(&b, BPF_JMP | BPF_JEQ | BPF_K, list_nr[l][j], 0, 1);
			jump_at[l][j] = emit(&b, BPF_JMP | BPF_JA, 0, 0, 0);
		}
	emit(&b, BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS, 0, 0);
	for (int l = 0; l < LISTS; l++) {
		size_t start = b.len;

		emit_allowed_values(&b, values[l], nvalues[l]);
		for (int j = 0; j < 2 && !b.overflow; j++)
			prog[jump_at[l][j]].k = (uint32_t)(start - jump_at[l][j] - 1);
	}
	return b.overflow ? -ENOSPC : (int)b.len;
}
