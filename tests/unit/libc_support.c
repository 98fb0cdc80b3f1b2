/* SPDX-License-Identifier: ISC */
/*
 * libc_support.c -- what the libc differential tests share: the platform calls the
 * prefixed libc needs (console, abort), console capture, and a seeded generator whose
 * seed is printed so that a failing run can be replayed with MG_TEST_SEED=N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libc_mgc.h"

char lt_console[1 << 16];
size_t lt_console_len;
jmp_buf *lt_abort_catcher;

static uint64_t rng_state;

void mgc_mg_plat_console_write(const char *buf, size_t len);
_Noreturn void mgc_mg_plat_abort(void);

void
mgc_mg_plat_console_write(const char *buf, size_t len)
{
	size_t room = sizeof(lt_console) - 1 - lt_console_len;

	if (len > room)
		len = room;
	memcpy(lt_console + lt_console_len, buf, len);
	lt_console_len += len;
	lt_console[lt_console_len] = '\0';
}

void
mgc_mg_plat_abort(void)
{
	if (lt_abort_catcher != NULL)
		longjmp(*lt_abort_catcher, 1);
	fprintf(stderr, "unexpected mg_plat_abort(); console: %s\n", lt_console);
	abort();
}

void
lt_console_reset(void)
{
	lt_console_len = 0;
	lt_console[0] = '\0';
}

void
lt_seed(const char *suite)
{
	const char *env = getenv("MG_TEST_SEED");
	uint64_t seed;

	if (env != NULL && *env != '\0') {
		seed = strtoull(env, NULL, 0);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec ^
		       (uint64_t)getpid() << 32;
	}
	printf("# %s: seed %llu (replay with MG_TEST_SEED=%llu)\n", suite,
	       (unsigned long long)seed, (unsigned long long)seed);
	fflush(stdout);
	rng_state = seed;
}

/* splitmix64: tiny, and every seed (0 included) gives a full-period stream. */
uint64_t
lt_rand(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t
lt_below(uint64_t n)
{
	return lt_rand() % n;
}
