/* SPDX-License-Identifier: ISC */
/*
 * limits.h -- the limits of the integer types, from GCC's own <limits.h>.
 *
 * GCC's header expects to chain to a C library's limits.h unless _LIBC_LIMITS_H_ says
 * that one is already being read; under -nostdinc there is none to chain to, so this
 * wrapper says so and includes GCC's.
 */
#ifndef MORGANA_LIBC_LIMITS_H
#define MORGANA_LIBC_LIMITS_H

#define _LIBC_LIMITS_H_ 1
#include_next <limits.h>

#endif /* MORGANA_LIBC_LIMITS_H */
