/* SPDX-License-Identifier: ISC */
/*
 * hvt_sandbox.c -- the tender's seccomp filter, installed for real in a child process:
 * what running a guest needs still works (KVM_RUN on the vCPU, I/O on the console and
 * the device fds, block pread/pwrite, ppoll, clock_gettime, exit), and anything else --
 * another ioctl, another fd, opening files, mapping memory, starting processes -- kills
 * the child with SIGSYS. Syscalls are made with syscall(2), so that no libc wrapper adds
 * calls of its own. The network rings' eventfds are allowed, and a thread started before
 * the filter (as the tender's I/O thread is) is held to it too.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tender/hvt/hvt.h"

enum action {
	KVM_RUN_ON_VCPU, GET_REGS_ON_VCPU, WRITE_STDOUT, WRITE_BLOCK, PREAD_BLOCK,
	PWRITE_BLOCK, READ_TAP, WRITEV_TAP, PPOLL, CLOCK, EXIT_GROUP, WRITE_KICK, READ_WAKE,
	SET_REGS_ON_VCPU, KVM_RUN_ON_OTHER_FD, WRITE_OTHER_FD, READ_STDIN, PREAD_TAP,
	OPENAT, MMAP, GETPID, SOCKET, CLONE, EXECVE, X32_WRITE,
};

struct fds {
	int vcpu, block, tap, other, kick, wake;
};

/* Do one syscall; 0 if it returned (whatever its result). */
static long
act(enum action a, const struct fds *fd)
{
	static char buf[512];
	struct iovec iov = { buf, 14 };
	struct timespec ts = { 0, 0 };
	struct pollfd p = { .fd = fd->tap, .events = POLLIN };

	switch (a) {
	case KVM_RUN_ON_VCPU:	return syscall(SYS_ioctl, fd->vcpu, KVM_RUN, 0);
	case GET_REGS_ON_VCPU:	return syscall(SYS_ioctl, fd->vcpu, KVM_GET_REGS, buf);
	case WRITE_STDOUT:	return syscall(SYS_write, STDOUT_FILENO, buf, 0);
	case WRITE_BLOCK:	return syscall(SYS_write, fd->block, buf, 0);
	case PREAD_BLOCK:	return syscall(SYS_pread64, fd->block, buf, 512, 0);
	case PWRITE_BLOCK:	return syscall(SYS_pwrite64, fd->block, buf, 512, 512);
	case READ_TAP:		return syscall(SYS_read, fd->tap, buf, sizeof(buf));
	case WRITEV_TAP:	return syscall(SYS_writev, fd->tap, &iov, 1);
	case PPOLL:		return syscall(SYS_ppoll, &p, 1, &ts, NULL, 8);
	case CLOCK:		return syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
	case EXIT_GROUP:	return syscall(SYS_exit_group, 0);
	case WRITE_KICK:	return syscall(SYS_write, fd->kick, &(uint64_t){ 1 }, 8);
	case READ_WAKE:		return syscall(SYS_read, fd->wake, buf, 8);
	case SET_REGS_ON_VCPU:	return syscall(SYS_ioctl, fd->vcpu, KVM_SET_REGS, buf);
	case KVM_RUN_ON_OTHER_FD: return syscall(SYS_ioctl, fd->other, KVM_RUN, 0);
	case WRITE_OTHER_FD:	return syscall(SYS_write, fd->other, buf, 1);
	case READ_STDIN:	return syscall(SYS_read, STDIN_FILENO, buf, 0);
	case PREAD_TAP:		return syscall(SYS_pread64, fd->tap, buf, 1, 0);
	case OPENAT:		return syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
	case MMAP:		return syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	case GETPID:		return syscall(SYS_getpid);
	case SOCKET:		return syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	case CLONE:		return syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	case EXECVE:		return syscall(SYS_execve, "/bin/true", NULL, NULL);
	case X32_WRITE:		return syscall(0x40000000 | SYS_write, STDOUT_FILENO, buf, 0);
	}
	return 0;
}

static struct fds thread_fds;
static atomic_int thread_started, thread_go, thread_done;

/* A thread that exists before the filter and acts only once the filter is in place. */
static _Noreturn void *
late_actor(void *arg)
{
	atomic_store(&thread_started, 1);
	while (!atomic_load(&thread_go))
		;
	act((enum action)(intptr_t)arg, &thread_fds);
	atomic_store(&thread_done, 1);
	/* Never return: ending a thread takes calls of its own (madvise), as the tender's
	 * I/O thread never does. */
	for (;;)
		;
}

/*
 * In a child: open the devices (a temp file as disk, a socketpair as TAP, /dev/null as
 * the vCPU and as a foreign fd, two eventfds as the rings'), confine, act (in_thread: in
 * a thread started before confining), exit 0. Returns the child's wait status.
 */
static int
run_confined_in(enum action a, bool in_thread)
{
	char path[] = "/tmp/hvt_sandbox-XXXXXX";
	int status = -1;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static struct mg_hvt hvt;
		struct fds fd;
		int pair[2];
		char why[256];

		fd.block = mkstemp(path);
		if (fd.block < 0 || unlink(path) != 0 || ftruncate(fd.block, 4096) != 0 ||
		    socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, pair) != 0)
			_exit(100);
		fd.tap = pair[0];
		fd.vcpu = open("/dev/null", O_RDWR);
		fd.other = open("/dev/null", O_RDWR);
		hvt.device_count = 2;
		hvt.devices[0] = (struct mg_tender_device){ .type = MG_DEVICE_NET, .fd = fd.tap };
		hvt.devices[1] = (struct mg_tender_device){ .type = MG_DEVICE_BLOCK, .fd = fd.block };
		fd.kick = eventfd(0, EFD_NONBLOCK);
		fd.wake = eventfd(1, EFD_NONBLOCK);
		hvt.io_fds[0] = fd.kick;
		hvt.io_fds[1] = fd.wake;
		hvt.io_fd_count = 2;
		thread_fds = fd;
		if (in_thread && pthread_create(&(pthread_t){ 0 }, NULL, late_actor,
						(void *)(intptr_t)a) != 0)
			_exit(102);
		/* glibc's thread start-up makes calls of its own (rt_sigprocmask): wait. */
		while (in_thread && !atomic_load(&thread_started))
			;
		if (mg_hvt_sandbox(&hvt, fd.vcpu, why, sizeof(why)) != 0)
			_exit(101);
		if (in_thread) {
			atomic_store(&thread_go, 1);
			while (!atomic_load(&thread_done))
				;
		} else {
			act(a, &fd);
		}
		syscall(SYS_exit_group, 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		assert_int_equal(errno, EINTR);
	return status;
}

static int
run_confined(enum action a)
{
	return run_confined_in(a, false);
}

static void
expect_allowed(enum action a, const char *what)
{
	int status = run_confined(a);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: wait status %#x, expected a normal exit", what, status);
}

static void
expect_killed(enum action a, const char *what)
{
	int status = run_confined(a);

	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		fail_msg("%s: wait status %#x, expected death by SIGSYS", what, status);
}

static void
test_what_a_guest_needs_is_allowed(void **state)
{
	(void)state;
	expect_allowed(KVM_RUN_ON_VCPU, "KVM_RUN on the vCPU");
	expect_allowed(GET_REGS_ON_VCPU, "KVM_GET_REGS on the vCPU");
	expect_allowed(WRITE_STDOUT, "write to stdout");
	expect_allowed(WRITE_BLOCK, "write to the block fd");
	expect_allowed(PREAD_BLOCK, "pread64 of the block fd");
	expect_allowed(PWRITE_BLOCK, "pwrite64 of the block fd");
	expect_allowed(READ_TAP, "read of the TAP fd");
	expect_allowed(WRITEV_TAP, "writev to the TAP fd");
	expect_allowed(PPOLL, "ppoll");
	expect_allowed(CLOCK, "clock_gettime");
	expect_allowed(EXIT_GROUP, "exit_group");
	expect_allowed(WRITE_KICK, "write to the rings' kick eventfd");
	expect_allowed(READ_WAKE, "read of the rings' wake eventfd");
}

static void
test_a_thread_started_before_is_confined_too(void **state)
{
	int status;

	(void)state;
	status = run_confined_in(READ_TAP, true);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("read of the TAP fd in the thread: wait status %#x", status);
	status = run_confined_in(GETPID, true);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		fail_msg("getpid in the thread: wait status %#x, expected SIGSYS", status);
	status = run_confined_in(OPENAT, true);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		fail_msg("openat in the thread: wait status %#x, expected SIGSYS", status);
}

static void
test_other_ioctls_and_fds_are_killed(void **state)
{
	(void)state;
	expect_killed(SET_REGS_ON_VCPU, "KVM_SET_REGS on the vCPU");
	expect_killed(KVM_RUN_ON_OTHER_FD, "KVM_RUN on another fd");
	expect_killed(WRITE_OTHER_FD, "write to another fd");
	expect_killed(READ_STDIN, "read of stdin");
	expect_killed(PREAD_TAP, "pread64 of the TAP fd");
}

static void
test_other_syscalls_are_killed(void **state)
{
	(void)state;
	expect_killed(OPENAT, "openat");
	expect_killed(MMAP, "mmap");
	expect_killed(GETPID, "getpid");
	expect_killed(SOCKET, "socket");
	expect_killed(CLONE, "clone");
	expect_killed(EXECVE, "execve");
	expect_killed(X32_WRITE, "write by its x32 number");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_what_a_guest_needs_is_allowed),
		cmocka_unit_test(test_other_ioctls_and_fds_are_killed),
		cmocka_unit_test(test_other_syscalls_are_killed),
		cmocka_unit_test(test_a_thread_started_before_is_confined_too),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
