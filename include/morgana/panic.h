/* SPDX-License-Identifier: ISC */
/*
 * panic.h -- stop the unikernel because an invariant is broken.
 *
 * mg_panic() prints "PANIC: " and the message, the fiber it happened in, and a backtrace
 * (the return addresses found by walking the frame pointers of the current stack; every
 * frame is checked to lie inside that stack and the walk stops after MG_PANIC_MAX_FRAMES)
 * to the console, then ends the unikernel with mg_plat_abort(). Resolve the addresses
 * with `addr2line -e IMAGE ADDR`; where the image is position-independent (unix) each
 * line also shows the offset from the image's start ("image+0x..."), which is what
 * addr2line wants there. A panic during a panic aborts at once.
 *
 * Use it for broken invariants, not for bad input: bad input gets an error code.
 */
#ifndef MORGANA_PANIC_H
#define MORGANA_PANIC_H

#define MG_PANIC_MAX_FRAMES 32

_Noreturn void mg_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* MORGANA_PANIC_H */
