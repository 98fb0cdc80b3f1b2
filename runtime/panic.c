/* SPDX-License-Identifier: ISC */
/*
 * panic.c -- print why, print where, abort.
 *
 * The backtrace follows the chain of saved frame pointers (everything is built with
 * -fno-omit-frame-pointer). A corrupted stack is exactly when panics happen, so every
 * frame pointer is checked to be aligned, to lie inside the current stack and to move
 * towards its top before it is read.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <morgana/fiber.h>
#include <morgana/panic.h>
#include <morgana/plat.h>

#include "internal.h"

#define PANIC_LINE_MAX 512
#define USER_ADDR_END (1ull << 47)

static bool panicking;

/* Where the image was loaded, from the GNU linkers' default scripts; weak, so an image
 * linked by a script without it still links (and prints absolute addresses only). */
extern const char __executable_start[] __attribute__((weak));

static void
print(const char *s, size_t len)
{
	mg_plat_console_write(s, len);
}

__attribute__((no_sanitize_address)) static void
backtrace(void)
{
	char line[64];
	uintptr_t lo, hi, fp = (uintptr_t)__builtin_frame_address(0);
	uintptr_t base = (uintptr_t)__executable_start;
	int n;

	if (!mg_rt_stack_bounds(&lo, &hi)) {
		print("backtrace: unavailable before the runtime started\n", 51);
		return;
	}
	/* Frames of the caller lie above this function's own frame. */
	if (lo < fp)
		lo = fp;
	print("backtrace:\n", 11);
	for (int i = 0; i < MG_PANIC_MAX_FRAMES; i++) {
		const uintptr_t *frame = (const uintptr_t *)fp;
		uintptr_t ret, next;

		if (fp < lo || fp > hi - 2 * sizeof(uintptr_t) || fp % sizeof(uintptr_t) != 0)
			break;
		next = frame[0];
		ret = frame[1];
		/* Code lives in the lower canonical half; anything else is a smashed frame. */
		if (ret == 0 || ret >= USER_ADDR_END)
			break;
		if (base != 0 && ret > base)
			n = snprintf(line, sizeof(line), "  #%d 0x%llx (image+0x%llx)\n", i,
				     (unsigned long long)ret, (unsigned long long)(ret - base));
		else
			n = snprintf(line, sizeof(line), "  #%d 0x%llx\n", i,
				     (unsigned long long)ret);
		if (n > 0 && (size_t)n < sizeof(line))
			print(line, (size_t)n);
		if (next <= fp)
			break;
		fp = next;
	}
}

_Noreturn void
mg_panic(const char *fmt, ...)
{
	char line[PANIC_LINE_MAX];
	struct mg_fiber *self = mg_fiber_self();
	va_list ap;
	size_t len;
	int n;

	if (panicking) {
		print("PANIC: (again, while panicking)\n", 32);
		mg_plat_abort();
	}
	panicking = true;
	memcpy(line, "PANIC: ", 7);
	va_start(ap, fmt);
	n = vsnprintf(line + 7, sizeof(line) - 7, fmt, ap);
	va_end(ap);
	len = 7 + (n > 0 ? (size_t)n : 0);
	if (len > sizeof(line) - 1)
		len = sizeof(line) - 1;
	line[len++] = '\n';
	print(line, len);
	if (self != NULL)
		n = snprintf(line, sizeof(line), "in fiber '%s' (id %u)\n", mg_fiber_name(self),
			     mg_fiber_id(self));
	else
		n = snprintf(line, sizeof(line), "in the scheduler loop\n");
	if (n > 0 && (size_t)n < sizeof(line))
		print(line, (size_t)n);
	backtrace();
	mg_plat_abort();
}

/* Tests start the runtime again after a panic: arm the recursion guard afresh. */
void
mg_rt_panic_reset(void)
{
	panicking = false;
}
