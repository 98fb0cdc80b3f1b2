/* SPDX-License-Identifier: ISC */
/*
 * spt_seccomp.c -- the spt tender's seccomp filter, run for real: a forked child installs
 * it and makes one call; an allowed call lets the child exit with its own status, any
 * other call must end it by SIGSYS. The child uses raw system calls only, since after the
 * filter nothing else (allocation, sanitizer runtime) may run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../tender/spt/spt.h"

enum probe {
	ALLOWED_ALL, GETPID, WRITE_STDIN, READ_STDOUT, PREAD_NET_FD, WRITE_BLOCK_FD,
	CLOCK_CPUTIME, ARCH_PRCTL, I386_GETPID,
};

static int net_fd = -1, peer_fd = -1, block_fd = -1;

static int
fixture_setup(void **state)
{
	int sv[2];
	char path[] = "/tmp/spt-seccomp-XXXXXX";

	(void)state;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) != 0 || (block_fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	net_fd = sv[0];	/* non-blocking, as a TAP is */
	peer_fd = sv[1];
	return ftruncate(block_fd, 4096);
}

static int
fixture_teardown(void **state)
{
	(void)state;
	close(net_fd);
	close(peer_fd);
	close(block_fd);
	return 0;
}

static _Noreturn void
child(enum probe p)
{
	struct sock_filter prog[SPT_FILTER_MAX];
	struct mg_tender_device devs[2] = {
		{ .type = MG_DEVICE_NET, .fd = net_fd },
		{ .type = MG_DEVICE_BLOCK, .fd = block_fd },
	};
	int len = mg_spt_filter_build(devs, 2, prog, SPT_FILTER_MAX);
	struct sock_fprog fprog = { .len = (unsigned short)len, .filter = prog };
	struct timespec ts = { 0, 0 };
	char buf[16] = "frame";
	long r = 0;

	if (len < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0)
		syscall(SYS_exit_group, 100);
	switch (p) {
	case ALLOWED_ALL:
		r |= syscall(SYS_write, 1, buf, 0) != 0;
		r |= syscall(SYS_write, 2, buf, 0) != 0;
		r |= syscall(SYS_write, net_fd, buf, 5) != 5;
		r |= syscall(SYS_read, net_fd, buf, sizeof(buf)) < 0 && errno != EAGAIN;
		r |= syscall(SYS_pwrite64, block_fd, buf, 5, 512) != 5;
		r |= syscall(SYS_pread64, block_fd, buf, 5, 512) != 5;
		r |= syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) != 0;
		r |= syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts) != 0;
		ts.tv_sec = ts.tv_nsec = 0;
		r |= syscall(SYS_ppoll, NULL, 0, &ts, NULL, 8) != 0;
		syscall(SYS_exit_group, r == 0 ? 7 : 101);
		break;
	case GETPID: syscall(SYS_getpid); break;
	case WRITE_STDIN: syscall(SYS_write, 0, buf, 0); break;
	case READ_STDOUT: syscall(SYS_read, 1, buf, 0); break;
	case PREAD_NET_FD: syscall(SYS_pread64, net_fd, buf, 1, 0); break;
	case WRITE_BLOCK_FD: syscall(SYS_write, block_fd, buf, 1); break;
	case CLOCK_CPUTIME: syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &ts); break;
	case ARCH_PRCTL: syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, buf); break;
	case I386_GETPID:	/* the 32-bit ABI: another architecture to the filter */
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20) : "memory");
		break;
	}
	syscall(SYS_exit_group, 102);	/* survived */
	__builtin_unreachable();
}

/* Run probe p in a child; returns its wait status. */
static int
run_child(enum probe p)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(p);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
test_filter_allows_console_clocks_ppoll_and_device_fds(void **state)
{
	int status = run_child(ALLOWED_ALL);

	(void)state;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
}

static void
test_filter_kills_every_other_call(void **state)
{
	static const enum probe forbidden[] = {
		GETPID, WRITE_STDIN, READ_STDOUT, PREAD_NET_FD, WRITE_BLOCK_FD, CLOCK_CPUTIME,
		ARCH_PRCTL, I386_GETPID,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		int status = run_child(forbidden[i]);

		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
			fail_msg("probe %zu: status 0x%x, not killed by SIGSYS", i, status);
	}
}

static void
test_filter_build_refuses_a_small_buffer(void **state)
{
	struct sock_filter prog[SPT_FILTER_MAX];
	struct mg_tender_device devs[MG_MANIFEST_MAX_DEVICES];
	int len;

	(void)state;
	for (size_t i = 0; i < MG_MANIFEST_MAX_DEVICES; i++)
		devs[i] = (struct mg_tender_device){ .type = 1 + i % 2, .fd = (int)(3 + i) };
	len = mg_spt_filter_build(devs, MG_MANIFEST_MAX_DEVICES, prog, SPT_FILTER_MAX);
	assert_true(len > 0 && len <= (int)SPT_FILTER_MAX);
	assert_int_equal(mg_spt_filter_build(devs, MG_MANIFEST_MAX_DEVICES, prog, (size_t)len - 1),
			 -ENOSPC);
	assert_int_equal(mg_spt_filter_build(devs, MG_MANIFEST_MAX_DEVICES + 1, prog,
					     SPT_FILTER_MAX), -EINVAL);
	/* Every instruction ends in a return or jumps forward inside the program. */
	for (int i = 0; i < len; i++) {
		if (BPF_CLASS(prog[i].code) != BPF_JMP)
			continue;
		if (BPF_OP(prog[i].code) == BPF_JA)
			assert_true(i + 1 + (int)prog[i].k < len);
		else
			assert_true(i + 1 + prog[i].jt < len && i + 1 + prog[i].jf < len);
	}
	assert_int_equal(BPF_CLASS(prog[len - 1].code), BPF_RET);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_allows_console_clocks_ppoll_and_device_fds),
		cmocka_unit_test(test_filter_kills_every_other_call),
		cmocka_unit_test(test_filter_build_refuses_a_small_buffer),
	};

	return cmocka_run_group_tests(tests, fixture_setup, fixture_teardown);
}
