/* SPDX-License-Identifier: ISC */
/*
 * string.h -- Morgana's freestanding C library: memory and string functions.
 *
 * Behaviour is the C standard's; where the standard leaves room, it is glibc's, since
 * the differential tests compare the two. strerror() returns the symbolic name of the
 * error ("ENOENT"), or "Unknown error N" for a number it does not know; the string is
 * valid until the next call.
 */
#ifndef MORGANA_LIBC_STRING_H
#define MORGANA_LIBC_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
char *strncat(char *restrict dst, const char *restrict src, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
char *strtok_r(char *restrict s, const char *restrict delim, char **restrict saveptr);

/* Both return NULL when malloc() fails. */
char *strdup(const char *s);
char *strndup(const char *s, size_t n);

char *strerror(int errnum);

#endif /* MORGANA_LIBC_STRING_H */
