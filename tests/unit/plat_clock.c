/* SPDX-License-Identifier: ISC */
/*
 * plat_clock.c -- unit tests of the unix target's clocks, mg_plat_yield() timing and the
 * console: time moves forward, yield never wakes before its deadline but returns at once
 * for a past one, and the console delivers every byte even to a slow, non-blocking reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../platform/unix/unix.h"

#define MS 1000000ull

static void
test_monotonic_clock_never_goes_back_and_follows_sleep(void **state)
{
	struct timespec nap = { 0, 2 * MS };
	uint64_t prev = mg_plat_clock_monotonic(), now, before;
	int i;

	(void)state;
	for (i = 0; i < 100000; i++) {
		now = mg_plat_clock_monotonic();
		assert_true(now >= prev);
		prev = now;
	}
	before = mg_plat_clock_monotonic();
	assert_int_equal(nanosleep(&nap, NULL), 0);
	assert_true(mg_plat_clock_monotonic() - before >= 2 * MS);
}

static void
test_wall_clock_is_unix_time(void **state)
{
	uint64_t wall = mg_plat_clock_wall();
	uint64_t t = (uint64_t)time(NULL);

	(void)state;
	assert_true(wall / 1000000000u >= t - 1 && wall / 1000000000u <= t + 1);
	/* Later than 2024-01-01, so not a monotonic clock by mistake. */
	assert_true(wall > 1704067200ull * 1000000000u);
}

static void
test_yield_with_past_deadline_returns_promptly(void **state)
{
	static const uint64_t ago[] = { 0, 1, 1000 * MS };
	mg_plat_handle_set ready = ~0ull;
	uint64_t before, now;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ago) / sizeof(ago[0]); i++) {
		now = mg_plat_clock_monotonic();
		before = now;
		mg_plat_yield(now > ago[i] ? now - ago[i] : 0, &ready);
		assert_int_equal(ready, 0);
		assert_true(mg_plat_clock_monotonic() - before < 50 * MS);
		ready = ~0ull;
	}
	before = mg_plat_clock_monotonic();
	mg_plat_yield(0, &ready);
	assert_int_equal(ready, 0);
	assert_true(mg_plat_clock_monotonic() - before < 50 * MS);
}

static void
test_yield_sleeps_at_least_until_the_deadline(void **state)
{
	static const uint64_t waits[] = { 1, 1000, MS / 2, 3 * MS, 20 * MS };
	mg_plat_handle_set ready;
	uint64_t deadline, now;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		deadline = mg_plat_clock_monotonic() + waits[i];
		mg_plat_yield(deadline, &ready);
		now = mg_plat_clock_monotonic();
		assert_true(now >= deadline);
		assert_int_equal(ready, 0);
		/* And not absurdly late either: the deadline is honoured, not ignored. */
		assert_true(now - deadline < 500 * MS);
	}
}

static void
test_yield_treats_a_huge_deadline_as_far_future(void **state)
{
	mg_plat_handle_set ready = 1;
	pid_t child;
	int status;

	(void)state;
	/* UINT64_MAX must be read as "forever", not wrapped into the past. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		alarm(1);
		mg_plat_yield(UINT64_MAX, &ready);
		_exit(ready == 0 ? 3 : 4);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	/* SIGALRM's default action ends the child while it still waits. */
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGALRM);
}

static void
test_console_writes_every_byte_to_a_slow_nonblocking_reader(void **state)
{
	const size_t len = 1 << 20;
	uint8_t *msg = malloc(len), *got = malloc(len);
	size_t have = 0, i;
	int pipefd[2], status;
	pid_t child;
	ssize_t n;

	(void)state;
	assert_non_null(msg);
	assert_non_null(got);
	for (i = 0; i < len; i++)
		msg[i] = (uint8_t)(i * 7 + i / 4096);
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* A 1 MiB message through a 64 KiB pipe forces partial writes and EAGAIN. */
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		fcntl(STDOUT_FILENO, F_SETFL, O_NONBLOCK);
		mg_plat_console_write((const char *)msg, len);
		_exit(0);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], got + have, len - have > 5000 ? 5000 : len - have)) > 0)
		have += (size_t)n;
	close(pipefd[0]);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(have, len);
	assert_memory_equal(got, msg, len);
	free(msg);
	free(got);
}

static void
test_exit_reports_the_low_eight_bits(void **state)
{
	static const int statuses[] = { 0, 1, 42, 255, 256 + 7, -1 };
	pid_t child;
	int status;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		child = fork();
		assert_true(child >= 0);
		if (child == 0)
			mg_plat_exit(statuses[i]);
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), statuses[i] & 0xff);
	}
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* The test framework may catch fatal signals; the child must die of this one. */
		signal(SIGABRT, SIG_DFL);
		mg_plat_abort();
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monotonic_clock_never_goes_back_and_follows_sleep),
		cmocka_unit_test(test_wall_clock_is_unix_time),
		cmocka_unit_test(test_yield_with_past_deadline_returns_promptly),
		cmocka_unit_test(test_yield_sleeps_at_least_until_the_deadline),
		cmocka_unit_test(test_yield_treats_a_huge_deadline_as_far_future),
		cmocka_unit_test(test_console_writes_every_byte_to_a_slow_nonblocking_reader),
		cmocka_unit_test(test_exit_reports_the_low_eight_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
