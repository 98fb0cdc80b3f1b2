/* SPDX-License-Identifier: ISC */
/*
 * probe -- a test guest for morgana-spt (tests/spt/run.sh). Its first argument picks
 * what it does: behave (print, exit with a status, sleep), break a rule of
 * morgana/spt_abi.h (a forbidden system call, a write to text, ...), or look at what the
 * tender set up (the canary). A mode that must end the guest prints FAIL if it survives.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/fiber.h>
#include <morgana/spt_abi.h>

#define SYS_WRITE	1
#define SYS_OPEN	2
#define SYS_MMAP	9
#define SYS_GETPID	39
#define SYS_EXECVE	59
#define SYS_READ	0
#define SYS_CLOCK_GETTIME 228

static const char rodata_word[8] = "rodata";
static uint8_t data_code[16] = { 0xc3 };	/* ret, in a writable page */

static long
raw_syscall(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static int
forbidden(const char *mode)
{
	static const char path[] = "/etc/passwd";
	uint64_t ts[2];
	char c;
	long r;

	if (strcmp(mode, "getpid") == 0)
		r = raw_syscall(SYS_GETPID, 0, 0, 0);
	else if (strcmp(mode, "open") == 0)
		r = raw_syscall(SYS_OPEN, (long)path, 0, 0);
	else if (strcmp(mode, "mmap") == 0)
		r = raw_syscall(SYS_MMAP, 0, 4096, 3);
	else if (strcmp(mode, "execve") == 0)
		r = raw_syscall(SYS_EXECVE, (long)"/bin/sh", 0, 0);
	else if (strcmp(mode, "write-stdin") == 0)
		r = raw_syscall(SYS_WRITE, 0, (long)"x", 1);
	else if (strcmp(mode, "write-fd3") == 0)
		r = raw_syscall(SYS_WRITE, 3, (long)"x", 1);
	else if (strcmp(mode, "read-stdout") == 0)
		r = raw_syscall(SYS_READ, 1, (long)&c, 1);
	else if (strcmp(mode, "clock-cputime") == 0)
		r = raw_syscall(SYS_CLOCK_GETTIME, 2, (long)ts, 0);
	else
		return -1;
	printf("FAIL: %s returned %ld\n", mode, r);
	return 1;
}

static int
fault(const char *mode)
{
	volatile uint8_t *p;

	if (strcmp(mode, "fault-text") == 0)
		p = (volatile uint8_t *)(uintptr_t)&fault;
	else if (strcmp(mode, "fault-rodata") == 0)
		p = (volatile uint8_t *)(uintptr_t)rodata_word;
	else if (strcmp(mode, "fault-bootinfo") == 0)
		p = (volatile uint8_t *)(uintptr_t)MG_SPT_BOOT_INFO;
	else if (strcmp(mode, "fault-tcb") == 0)
		p = (volatile uint8_t *)(uintptr_t)(MG_SPT_TCB + MG_SPT_TCB_CANARY);
	else if (strcmp(mode, "fault-null") == 0)
		p = (volatile uint8_t *)(uintptr_t)8;
	else if (strcmp(mode, "fault-guard") == 0)	/* default --mem=16 */
		p = (volatile uint8_t *)(uintptr_t)((16u << 20) - MG_SPT_STACK_SIZE - 4096);
	else if (strcmp(mode, "fault-exec-data") == 0) {
		((void (*)(void))(uintptr_t)data_code)();
		printf("FAIL: ran code in a writable page\n");
		return 1;
	} else if (strcmp(mode, "fault-ud") == 0) {
		__asm__ volatile("ud2");
		return 1;
	} else {
		return -1;
	}
	*p = *p + 1;
	printf("FAIL: %s did not fault\n", mode);
	return 1;
}

/* The stack protector's word at %fs:0x28: set, random, with a zero low byte. */
static int
canary(void)
{
	uint64_t word;

	__asm__ volatile("movq %%fs:0x28, %0" : "=r"(word));
	if (word == 0 || (word & 0xff) != 0) {
		printf("FAIL: canary %#llx\n", (unsigned long long)word);
		return 1;
	}
	printf("probe: canary ok\n");
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "hello";
	int rc;

	if (strcmp(mode, "hello") == 0) {
		printf("probe: hello\n");
		return 0;
	}
	if (strcmp(mode, "args") == 0) {
		for (int i = 2; i < argc; i++)
			printf("arg: [%s]\n", argv[i]);
		return 0;
	}
	if (strcmp(mode, "exit") == 0 && argc > 2)
		return atoi(argv[2]);
	if (strcmp(mode, "sleep") == 0 && argc > 2) {
		printf("probe: sleeping\n");
		mg_sleep_ns((uint64_t)atoi(argv[2]) * 1000000ull);
		printf("probe: woke\n");
		return 0;
	}
	if (strcmp(mode, "canary") == 0)
		return canary();
	if (strcmp(mode, "abort") == 0)
		abort();
	if (strcmp(mode, "heap") == 0 && argc > 2) {
		size_t kib = (size_t)atoi(argv[2]);
		char *p = malloc(kib * 1024);

		if (p == NULL)
			return 1;
		memset(p, 0x5a, kib * 1024);
		printf("probe: %zu KiB of heap ok\n", kib);
		free(p);
		return 0;
	}
	if ((rc = forbidden(mode)) >= 0 || (rc = fault(mode)) >= 0)
		return rc;
	printf("probe: unknown mode '%s'\n", mode);
	return 2;
}
