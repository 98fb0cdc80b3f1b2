/* SPDX-License-Identifier: ISC */
/*
 * stack_chk.c -- the stack protector's failure path, for the freestanding build only.
 *
 * Code compiled with -fstack-protector compares a canary (at %fs:0x28 on x86_64, set up
 * by the target's start-up code) before returning and calls __stack_chk_fail() on a
 * mismatch. On unix the host C library provides this function; in guest images the
 * runtime does, and turns the smashed stack into a panic with a backtrace.
 */
#include <morgana/panic.h>

_Noreturn void __stack_chk_fail(void);

_Noreturn void
__stack_chk_fail(void)
{
	mg_panic("stack smashing detected");
}
