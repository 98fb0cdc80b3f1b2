/* SPDX-License-Identifier: ISC */
/*
 * sys.h -- raw Linux system calls for the spt guest, which has no C library underneath
 * and may make only the calls its tender's seccomp filter allows (morgana/spt_abi.h).
 * The numbers and structures are Linux x86_64's, spelled out here because guest code is
 * compiled without the host's headers. Each call returns the kernel's value: a result,
 * or -errno.
 */
#ifndef MORGANA_PLATFORM_SPT_SYS_H
#define MORGANA_PLATFORM_SPT_SYS_H

#include <stddef.h>
#include <stdint.h>

#define SPT_SYS_READ		0
#define SPT_SYS_WRITE		1
#define SPT_SYS_PREAD64		17
#define SPT_SYS_PWRITE64	18
#define SPT_SYS_CLOCK_GETTIME	228
#define SPT_SYS_EXIT_GROUP	231
#define SPT_SYS_PPOLL		271

#define SPT_CLOCK_REALTIME	0
#define SPT_CLOCK_MONOTONIC	1

#define SPT_POLLIN		0x001
#define SPT_POLLOUT		0x004
#define SPT_POLLERR		0x008
#define SPT_POLLHUP		0x010

struct spt_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct spt_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

static inline long
spt_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long
spt_syscall4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline _Noreturn void
spt_exit_group(int status)
{
	for (;;)
		spt_syscall3(SPT_SYS_EXIT_GROUP, status, 0, 0);
}

#endif /* MORGANA_PLATFORM_SPT_SYS_H */
