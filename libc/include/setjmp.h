/* SPDX-License-Identifier: ISC */
/*
 * setjmp.h -- Morgana's freestanding C library: non-local jumps (x86_64).
 *
 * jmp_buf holds the callee-saved registers rbx rbp r12-r15, the stack pointer and the
 * return address. No signal mask and no floating-point control state are saved (there
 * are no signals, and the library never changes the FPU/SSE control words). As C says,
 * local variables of the function that called setjmp() and changed after it have
 * indeterminate values after longjmp() unless they are volatile.
 */
#ifndef MORGANA_LIBC_SETJMP_H
#define MORGANA_LIBC_SETJMP_H

typedef unsigned long jmp_buf[8];

int setjmp(jmp_buf env) __attribute__((returns_twice));
/* Returns to setjmp(), which then returns val, or 1 if val is 0. */
_Noreturn void longjmp(jmp_buf env, int val);

#endif /* MORGANA_LIBC_SETJMP_H */
