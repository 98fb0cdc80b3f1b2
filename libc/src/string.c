/* SPDX-License-Identifier: ISC */
/*
 * string.c -- the str* functions of <string.h> and <strings.h>.
 *
 * strlen, the one that dominates in practice, reads two words at a time from a 16-byte
 * aligned address: such a load never crosses a page, so reading past the terminator
 * can never fault. Everything else is written for clarity.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "word.h"

size_t
strlen(const char *s)
{
	const char *p = s;

	while ((uintptr_t)p & 15) {
		if (*p == '\0')
			return (size_t)(p - s);
		p++;
	}
	for (;; p += 16) {
		const mg_uword *w = (const mg_uword *)p;
		if (word_has_zero(w[0]) | word_has_zero(w[1]))
			break;
	}
	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

size_t
strnlen(const char *s, size_t maxlen)
{
	const char *end = memchr(s, '\0', maxlen);

	return end != NULL ? (size_t)(end - s) : maxlen;
}

int
strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p != '\0' && *p == *q)
		p++, q++;
	return *p - *q;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	for (; n > 0; p++, q++, n--)
		if (*p != *q || *p == '\0')
			return *p - *q;
	return 0;
}

char *
strcpy(char *restrict dst, const char *restrict src)
{
	memcpy(dst, src, strlen(src) + 1);
	return dst;
}

char *
strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t len = strnlen(src, n);

	memcpy(dst, src, len);
	memset(dst + len, 0, n - len);
	return dst;
}

char *
strcat(char *restrict dst, const char *restrict src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

char *
strncat(char *restrict dst, const char *restrict src, size_t n)
{
	char *end = dst + strlen(dst);
	size_t len = strnlen(src, n);

	memcpy(end, src, len);
	end[len] = '\0';
	return dst;
}

char *
strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)(uintptr_t)s;
		if (*s == '\0')
			return NULL;
	}
}

char *
strrchr(const char *s, int c)
{
	char ch = (char)c;
	const char *last = NULL;

	for (;; s++) {
		if (*s == ch)
			last = s;
		if (*s == '\0')
			return (char *)(uintptr_t)last;
	}
}

char *
strstr(const char *haystack, const char *needle)
{
	size_t nlen = strlen(needle);

	if (nlen == 0)
		return (char *)(uintptr_t)haystack;
	for (; (haystack = strchr(haystack, needle[0])) != NULL; haystack++)
		if (strncmp(haystack, needle, nlen) == 0)
			return (char *)(uintptr_t)haystack;
	return NULL;
}

/* A 256-bit set of the bytes of set; the terminating NUL is always a member. */
static void
byteset_fill(uint64_t bits[4], const char *set)
{
	bits[0] = 1, bits[1] = bits[2] = bits[3] = 0;
	for (const unsigned char *p = (const unsigned char *)set; *p != '\0'; p++)
		bits[*p >> 6] |= 1ull << (*p & 63);
}

static int
byteset_has(const uint64_t bits[4], unsigned char c)
{
	return (bits[c >> 6] >> (c & 63)) & 1;
}

size_t
strspn(const char *s, const char *accept)
{
	uint64_t bits[4];
	size_t i;

	byteset_fill(bits, accept);
	bits[0] &= ~1ull;	/* NUL ends the span */
	for (i = 0; byteset_has(bits, (unsigned char)s[i]); i++)
		;
	return i;
}

size_t
strcspn(const char *s, const char *reject)
{
	uint64_t bits[4];
	size_t i;

	byteset_fill(bits, reject);
	for (i = 0; !byteset_has(bits, (unsigned char)s[i]); i++)
		;
	return i;
}

char *
strtok_r(char *restrict s, const char *restrict delim, char **restrict saveptr)
{
	char *token;

	if (s == NULL)
		s = *saveptr;
	s += strspn(s, delim);
	if (*s == '\0') {
		*saveptr = s;
		return NULL;
	}
	token = s;
	s += strcspn(s, delim);
	if (*s != '\0')
		*s++ = '\0';
	*saveptr = s;
	return token;
}

char *
strdup(const char *s)
{
	return strndup(s, (size_t)-1);
}

char *
strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

int
strcasecmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p != '\0' && tolower(*p) == tolower(*q))
		p++, q++;
	return tolower(*p) - tolower(*q);
}

int
strncasecmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	for (; n > 0; p++, q++, n--)
		if (tolower(*p) != tolower(*q) || *p == '\0')
			return tolower(*p) - tolower(*q);
	return 0;
}
