/* SPDX-License-Identifier: ISC */
/*
 * strings.h -- Morgana's freestanding C library: case-insensitive comparison.
 * Case folding is the C locale's (ASCII only).
 */
#ifndef MORGANA_LIBC_STRINGS_H
#define MORGANA_LIBC_STRINGS_H

#include <stddef.h>

int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);

#endif /* MORGANA_LIBC_STRINGS_H */
