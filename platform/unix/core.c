/* SPDX-License-Identifier: ISC */
/*
 * core.c -- console, clocks, randomness and exit for the unix target, straight onto Linux
 * system calls. No stdio: the runtime owns all buffering, so what it hands the console is
 * on the way out when the call returns and nothing is left to flush at exit.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "unix.h"

static uint64_t clock_ns(clockid_t id);

void
mg_plat_console_write(const char *buf, size_t len)
{
	struct pollfd out = { .fd = STDOUT_FILENO, .events = POLLOUT };
	ssize_t n;

	while (len > 0) {
		n = write(STDOUT_FILENO, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* Someone made our stdout non-blocking; wait instead of dropping. */
			if (poll(&out, 1, -1) < 0 && errno != EINTR)
				return;
		} else {
			/* A closed or broken console has nobody left to tell. */
			return;
		}
	}
}

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	/* Cannot fail for these clocks on Linux; if it ever did, time would stand still. */
	if (clock_gettime(id, &ts) < 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t
mg_plat_clock_monotonic(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t
mg_plat_clock_wall(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int
mg_unix_random(void *seed, size_t len)
{
	uint8_t *p = seed;
	ssize_t n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

_Noreturn void
mg_plat_exit(int status)
{
	_exit(status & 0xff);
}

_Noreturn void
mg_plat_abort(void)
{
	abort();
}
