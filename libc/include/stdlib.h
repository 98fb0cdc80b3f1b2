/* SPDX-License-Identifier: ISC */
/*
 * stdlib.h -- Morgana's freestanding C library: memory, conversions, sorting.
 *
 * Memory comes from the heap set up with mg_heap_init() (see <morgana/heap.h>); before
 * that, every allocation returns NULL. Blocks are 16-byte aligned. malloc(0) returns a
 * unique pointer that may be freed; realloc(p, 0) frees p and returns NULL (as glibc).
 * free() of a pointer that is not a live block of the heap -- a double free, a pointer
 * into the middle of a block, a block whose header was overwritten -- prints what is
 * wrong and aborts: such a bug must not go on to corrupt memory silently.
 *
 * strto*() follow C17 (no "0b" prefix): leading white space, an optional sign, an
 * optional 0x/0X with base 16 or 0; on overflow the result saturates and errno is
 * ERANGE; an invalid base sets errno to EINVAL and returns 0; *endptr always points past
 * the last digit used, or at the start of the string if there was no number.
 *
 * qsort() is an introsort (O(n log n) on any input) and is not stable.
 */
#ifndef MORGANA_LIBC_STDLIB_H
#define MORGANA_LIBC_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
/* alignment: a power of two (else NULL, errno EINVAL); size need not be a multiple. */
void *aligned_alloc(size_t alignment, size_t size);
/* Returns 0, EINVAL (alignment not a power-of-two multiple of sizeof(void *)) or ENOMEM. */
int posix_memalign(void **memptr, size_t alignment, size_t size);

long strtol(const char *restrict s, char **restrict endptr, int base);
long long strtoll(const char *restrict s, char **restrict endptr, int base);
unsigned long strtoul(const char *restrict s, char **restrict endptr, int base);
unsigned long long strtoull(const char *restrict s, char **restrict endptr, int base);
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);

void qsort(void *base, size_t nmemb, size_t size,
	   int (*compar)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t nmemb, size_t size,
	      int (*compar)(const void *, const void *));

int abs(int j);
long labs(long j);
long long llabs(long long j);

/* Ends the unikernel abnormally through mg_plat_abort(); prints nothing. */
_Noreturn void abort(void);

#endif /* MORGANA_LIBC_STDLIB_H */
