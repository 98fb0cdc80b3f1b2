/* SPDX-License-Identifier: ISC */
/*
 * stdlib.c -- strto*, ato*, abs and abort.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

#include <morgana/plat.h>

static int
digit_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36;
}

/*
 * The common part of every strto*: the magnitude (saturated at ULLONG_MAX, with
 * *overflow set) and sign of the number at s. Sets *endptr as C says.
 */
static unsigned long long
parse_magnitude(const char *s, char **endptr, int base, bool *negative, bool *overflow)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long long value = 0;
	const unsigned char *digits;

	*negative = false;
	*overflow = false;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		if (endptr != NULL)
			*endptr = (char *)(uintptr_t)s;
		return 0;
	}
	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		*negative = *p++ == '-';
	/* "0x" counts as a prefix only if a hex digit follows; else it is the number 0
	 * followed by garbage "x...". */
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 0x20) == 'x' &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (digits = p; digit_value(*p) < base; p++) {
		unsigned d = (unsigned)digit_value(*p);
		if (value > (ULLONG_MAX - d) / (unsigned)base)
			*overflow = true;
		else
			value = value * (unsigned)base + d;
	}
	if (endptr != NULL)
		*endptr = (char *)(uintptr_t)(p == digits ? (const unsigned char *)s : p);
	if (*overflow)
		errno = ERANGE;
	return *overflow ? ULLONG_MAX : value;
}

long long
strtoll(const char *restrict s, char **restrict endptr, int base)
{
	bool negative, overflow;
	unsigned long long m = parse_magnitude(s, endptr, base, &negative, &overflow);

	if (negative) {
		if (m > (unsigned long long)LLONG_MAX + 1) {
			errno = ERANGE;
			return LLONG_MIN;
		}
		return (long long)-m;
	}
	if (m > LLONG_MAX) {
		errno = ERANGE;
		return LLONG_MAX;
	}
	return (long long)m;
}

unsigned long long
strtoull(const char *restrict s, char **restrict endptr, int base)
{
	bool negative, overflow;
	unsigned long long m = parse_magnitude(s, endptr, base, &negative, &overflow);

	if (overflow)
		return ULLONG_MAX;
	return negative ? -m : m;
}

/* long and long long are both 64 bits on x86_64. */
_Static_assert(sizeof(long) == sizeof(long long), "LP64");

long
strtol(const char *restrict s, char **restrict endptr, int base)
{
	return strtoll(s, endptr, base);
}

unsigned long
strtoul(const char *restrict s, char **restrict endptr, int base)
{
	return strtoull(s, endptr, base);
}

intmax_t
strtoimax(const char *restrict s, char **restrict endptr, int base)
{
	return strtoll(s, endptr, base);
}

uintmax_t
strtoumax(const char *restrict s, char **restrict endptr, int base)
{
	return strtoull(s, endptr, base);
}

int
atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long
atol(const char *s)
{
	return strtol(s, NULL, 10);
}

long long
atoll(const char *s)
{
	return strtoll(s, NULL, 10);
}

int
abs(int j)
{
	return j < 0 ? -j : j;
}

long
labs(long j)
{
	return j < 0 ? -j : j;
}

long long
llabs(long long j)
{
	return j < 0 ? -j : j;
}

void
abort(void)
{
	mg_plat_abort();
}
