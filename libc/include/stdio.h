/* SPDX-License-Identifier: ISC */
/*
 * stdio.h -- Morgana's freestanding C library: formatted output.
 *
 * There are no streams. printf() and friends format into a buffer on the stack and hand
 * it to mg_plat_console_write(); output of one call longer than that buffer (512 bytes)
 * reaches the console in several writes.
 *
 * Conversions: d i u o x X c s p %, with flags - + space # 0, field width and precision
 * (both also as *), and length modifiers hh h l ll z j t. Return values follow C99: the
 * number of characters the full output has, whatever was truncated; -1 if that number
 * does not fit in an int.
 *
 * Not supported, and what happens instead:
 *  - %f %F %e %E %g %G %a %A: the double (long double with L) argument is consumed and
 *    "<float>" is printed, padded to the field width. There is no floating point output.
 *  - %n writes nothing anywhere; it is printed literally, as is any unknown conversion.
 *  - %lc and %ls (wide characters) are not supported: the argument is consumed and the
 *    directive printed literally.
 *  - %s with NULL prints "(null)"; %p with NULL prints "(nil)" (both as glibc does).
 */
#ifndef MORGANA_LIBC_STDIO_H
#define MORGANA_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int printf(const char *restrict fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *restrict fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* puts() appends a newline; both write one console write and return as C says. */
int puts(const char *s);
int putchar(int c);

#endif /* MORGANA_LIBC_STDIO_H */
