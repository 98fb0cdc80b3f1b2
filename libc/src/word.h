/* SPDX-License-Identifier: ISC */
/*
 * word.h -- private helpers for the word-at-a-time string and memory functions.
 *
 * x86_64 loads and stores 8 bytes at any address, so the hot loops move whole words
 * through a type that may alias anything and carries no alignment promise; the compiler
 * then emits plain 8-byte moves.
 */
#ifndef MORGANA_LIBC_WORD_H
#define MORGANA_LIBC_WORD_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t __attribute__((may_alias, aligned(1))) mg_uword;

#define WORD_ONES	0x0101010101010101ull
#define WORD_HIGHS	0x8080808080808080ull

/* Non-zero iff some byte of w is zero (the classic borrow trick; exact, not a hint). */
static inline uint64_t
word_has_zero(uint64_t w)
{
	return (w - WORD_ONES) & ~w & WORD_HIGHS;
}

#endif /* MORGANA_LIBC_WORD_H */
