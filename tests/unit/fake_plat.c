/* SPDX-License-Identifier: ISC */
/*
 * fake_plat.c -- the fake platform of fake_plat.h (test code: host libc and POSIX).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_plat.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#define CONSOLE_MAX (4u * 1024 * 1024)

uint64_t fake_clock_ns = FAKE_CLOCK_START;
size_t fake_yield_calls;
uint64_t fake_last_deadline;
void (*fake_yield_hook)(uint64_t deadline_ns);

static struct {
	uint64_t at_ns;
	mg_plat_handle h;
	bool pending;
} inputs[FAKE_MAX_INPUTS];

static char *console;
static size_t console_len;
static jmp_buf exit_env;
static bool in_run;
static int exit_status;
static struct mg_manifest manifest = { .version = MG_MANIFEST_VERSION,
				       .app_name = "test-app" };
static struct mg_plat_boot_info info;

void
fake_reset(void)
{
	fake_clock_ns = FAKE_CLOCK_START;
	fake_yield_calls = 0;
	fake_last_deadline = 0;
	fake_yield_hook = NULL;
	memset(inputs, 0, sizeof(inputs));
	fake_console_clear();
}

void
fake_input_at(uint64_t at_ns, mg_plat_handle h)
{
	for (size_t i = 0; i < FAKE_MAX_INPUTS; i++) {
		if (!inputs[i].pending) {
			inputs[i].at_ns = at_ns;
			inputs[i].h = h;
			inputs[i].pending = true;
			return;
		}
	}
	fprintf(stderr, "fake_input_at: more than %d inputs\n", FAKE_MAX_INPUTS);
	abort();
}

const char *
fake_console(void)
{
	return console != NULL ? console : "";
}

size_t
fake_console_len(void)
{
	return console_len;
}

void
fake_console_clear(void)
{
	free(console);
	console = NULL;
	console_len = 0;
}

#ifdef __SANITIZE_ADDRESS__
static void
thread_stack(void **bottom, size_t *size)
{
	pthread_attr_t attr;

	*bottom = NULL;
	*size = 0;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		pthread_attr_getstack(&attr, bottom, size);
		pthread_attr_destroy(&attr);
	}
}

/*
 * After a longjmp out of the runtime, the runtime's frames below ours on the thread's
 * stack keep their ASan redzones: a jump from a fiber's stack does not clear them as a
 * jump within one stack would. Clear them, as the frames are gone.
 */
static void
unpoison_below_here(void)
{
	void *bottom;
	size_t size;
	/* Not a local's address: with fake stacks, locals do not live on the stack. */
	uintptr_t lo, hi = (uintptr_t)__builtin_frame_address(0);

	thread_stack(&bottom, &size);
	lo = hi - 512 * 1024 > (uintptr_t)bottom ? hi - 512 * 1024 : (uintptr_t)bottom;
	__asan_unpoison_memory_region((void *)lo, hi - lo);
}
#endif

#ifdef __SANITIZE_ADDRESS__
static void *thread_fake_stack;	/* ASan's fake stack of the thread, at fake_run() */
static bool left_a_fiber;
#endif

/*
 * Leaving the runtime by longjmp may start on a fiber's stack: tell ASan we are going
 * back to the thread's own stack, as a fiber switch would.
 */
static _Noreturn void
leave_run(int how)
{
#ifdef __SANITIZE_ADDRESS__
	uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
	void *bottom;
	size_t size;

	thread_stack(&bottom, &size);
	left_a_fiber = fp < (uintptr_t)bottom || fp >= (uintptr_t)bottom + size;
	if (left_a_fiber)
		__sanitizer_start_switch_fiber(NULL, bottom, size);
#endif
	longjmp(exit_env, how);
}

int
fake_run(int (*app_main)(int argc, char **argv), const char *cmdline)
{
	int how;

	for (size_t i = 0; i < sizeof(info.seed); i++)
		info.seed[i] = (uint8_t)(i * 7 + 1);
	info.cmdline = cmdline;
	info.manifest = &manifest;
	in_run = true;
#ifdef __SANITIZE_ADDRESS__
	thread_fake_stack = __asan_get_current_fake_stack();
	left_a_fiber = false;
#endif
	how = setjmp(exit_env);
	if (how == 0)
		mg_runtime_start(&info, app_main);
#ifdef __SANITIZE_ADDRESS__
	if (left_a_fiber) {
		__sanitizer_finish_switch_fiber(thread_fake_stack, NULL, NULL);
		unpoison_below_here();
	}
#endif
	in_run = false;
	return how == 1 ? exit_status : how == 2 ? FAKE_ABORTED : FAKE_STUCK;
}

void
mg_plat_console_write(const char *buf, size_t len)
{
	char *grown;

	if (getenv("FAKE_ECHO") != NULL)
		fwrite(buf, 1, len, stderr);
	if (console_len + len > CONSOLE_MAX)
		return;
	grown = realloc(console, console_len + len + 1);
	if (grown == NULL)
		abort();
	console = grown;
	memcpy(console + console_len, buf, len);
	console_len += len;
	console[console_len] = '\0';
}

uint64_t
mg_plat_clock_monotonic(void)
{
	return fake_clock_ns;
}

uint64_t
mg_plat_clock_wall(void)
{
	return 1700000000ull * 1000000000ull + fake_clock_ns;
}

void
mg_plat_yield(uint64_t deadline_ns, mg_plat_handle_set *ready)
{
	uint64_t next_input = UINT64_MAX;

	fake_yield_calls++;
	fake_last_deadline = deadline_ns;
	if (fake_yield_hook != NULL)
		fake_yield_hook(deadline_ns);
	for (size_t i = 0; i < FAKE_MAX_INPUTS; i++)
		if (inputs[i].pending && inputs[i].at_ns < next_input)
			next_input = inputs[i].at_ns;
	if (next_input == UINT64_MAX && deadline_ns == UINT64_MAX) {
		mg_plat_console_write("fake: yield forever with nothing to come\n", 41);
		leave_run(3);
	}
	if (next_input <= deadline_ns) {
		if (next_input > fake_clock_ns)
			fake_clock_ns = next_input;
	} else if (deadline_ns > fake_clock_ns) {
		fake_clock_ns = deadline_ns;
	}
	*ready = 0;
	for (size_t i = 0; i < FAKE_MAX_INPUTS; i++) {
		if (inputs[i].pending && inputs[i].at_ns <= fake_clock_ns) {
			*ready |= 1ull << inputs[i].h;
			inputs[i].pending = false;
		}
	}
}

_Noreturn void
mg_plat_exit(int status)
{
	if (!in_run) {
		fprintf(stderr, "fake: mg_plat_exit(%d) outside fake_run\n", status);
		abort();
	}
	exit_status = status;
	leave_run(1);
}

_Noreturn void
mg_plat_abort(void)
{
	if (!in_run) {
		fprintf(stderr, "fake: mg_plat_abort outside fake_run\n%s", fake_console());
		abort();
	}
	leave_run(2);
}
