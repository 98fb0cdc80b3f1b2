/* SPDX-License-Identifier: ISC */
/*
 * mem.c -- memcpy, memmove, memset, memcmp, memchr.
 *
 * The compiler is told (-fno-builtin, -fno-tree-loop-distribute-patterns in
 * libc/module.mk) not to turn these loops back into calls to themselves.
 */
#include <string.h>

#include "word.h"

/*
 * Copy front to back, a word at a time. Each group of words is loaded before any of it
 * is stored, so this is also a correct memmove when dst is below src.
 */
static void
copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	while (n >= 32) {
		uint64_t a = ((const mg_uword *)s)[0], b = ((const mg_uword *)s)[1];
		uint64_t c = ((const mg_uword *)s)[2], e = ((const mg_uword *)s)[3];
		((mg_uword *)d)[0] = a;
		((mg_uword *)d)[1] = b;
		((mg_uword *)d)[2] = c;
		((mg_uword *)d)[3] = e;
		d += 32, s += 32, n -= 32;
	}
	while (n >= 8) {
		*(mg_uword *)d = *(const mg_uword *)s;
		d += 8, s += 8, n -= 8;
	}
	while (n--)
		*d++ = *s++;
}

/* The mirror image, for memmove with dst above src. */
static void
copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n, s += n;
	while (n >= 32) {
		d -= 32, s -= 32, n -= 32;
		uint64_t a = ((const mg_uword *)s)[0], b = ((const mg_uword *)s)[1];
		uint64_t c = ((const mg_uword *)s)[2], e = ((const mg_uword *)s)[3];
		((mg_uword *)d)[3] = e;
		((mg_uword *)d)[2] = c;
		((mg_uword *)d)[1] = b;
		((mg_uword *)d)[0] = a;
	}
	while (n >= 8) {
		d -= 8, s -= 8, n -= 8;
		*(mg_uword *)d = *(const mg_uword *)s;
	}
	while (n--)
		*--d = *--s;
}

void *
memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d - s >= n)		/* dst below src, or no overlap at all */
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return dst;
}

void *
memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t w = (unsigned char)c * WORD_ONES;

	/* Align the destination so that the word stores never straddle a cache line. */
	while (n > 0 && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	while (n >= 32) {
		((mg_uword *)d)[0] = w;
		((mg_uword *)d)[1] = w;
		((mg_uword *)d)[2] = w;
		((mg_uword *)d)[3] = w;
		d += 32, n -= 32;
	}
	while (n >= 8) {
		*(mg_uword *)d = w;
		d += 8, n -= 8;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	/* Skip equal 32-byte runs with one branch each; the word loop finds the byte. */
	while (n >= 32) {
		const mg_uword *u = (const mg_uword *)p, *v = (const mg_uword *)q;
		if (((u[0] ^ v[0]) | (u[1] ^ v[1]) | (u[2] ^ v[2]) | (u[3] ^ v[3])) != 0)
			break;
		p += 32, q += 32, n -= 32;
	}
	while (n >= 8) {
		uint64_t x = *(const mg_uword *)p, y = *(const mg_uword *)q;
		if (x != y) {
			/* Byte-swapped, the first differing byte is the most significant. */
			x = __builtin_bswap64(x);
			y = __builtin_bswap64(y);
			return x < y ? -1 : 1;
		}
		p += 8, q += 8, n -= 8;
	}
	for (; n > 0; p++, q++, n--)
		if (*p != *q)
			return *p - *q;
	return 0;
}

void *
memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	unsigned char ch = (unsigned char)c;
	uint64_t pattern = ch * WORD_ONES;

	while (n >= 8) {
		if (word_has_zero(*(const mg_uword *)p ^ pattern))
			break;
		p += 8, n -= 8;
	}
	for (; n > 0; p++, n--)
		if (*p == ch)
			return (void *)(uintptr_t)p;
	return NULL;
}
