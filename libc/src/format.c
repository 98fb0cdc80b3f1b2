/* SPDX-License-Identifier: ISC */
/*
 * format.c -- the printf family: one formatting engine writing into a sink, and the
 * sinks for snprintf (a caller's buffer, truncating) and printf (a stack buffer flushed
 * to the console). What is supported and what is not is listed in <stdio.h>.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <morgana/plat.h>

/*
 * Characters go to buf[0..cap); when it is full they go to flush() if there is one and
 * are dropped otherwise. total counts every character produced, so that snprintf can
 * return the length the whole output would have had.
 */
struct sink {
	char *buf;
	size_t cap;
	size_t pos;
	size_t total;
	void (*flush)(struct sink *out);
};

enum { F_MINUS = 1, F_PLUS = 2, F_SPACE = 4, F_ALT = 8, F_ZERO = 16 };
enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T, LEN_BIG_L };

struct spec {
	unsigned flags;
	int width;		/* 0 when absent */
	int precision;		/* -1 when absent */
	enum length length;
	char conv;
};

static void
put_chars(struct sink *out, const char *s, size_t n)
{
	out->total += n;
	while (n > 0) {
		size_t room = out->cap - out->pos;
		if (room == 0) {
			if (out->flush == NULL)
				return;
			out->flush(out);
			continue;
		}
		size_t chunk = n < room ? n : room;
		memcpy(out->buf + out->pos, s, chunk);
		out->pos += chunk, s += chunk, n -= chunk;
	}
}

static void
put_fill(struct sink *out, char c, size_t n)
{
	static const char spaces[16] = "                ", zeros[16] = "0000000000000000";
	const char *run = c == ' ' ? spaces : zeros;

	/* Padding that would be dropped anyway is only counted. */
	if (out->flush == NULL && out->pos == out->cap) {
		out->total += n;
		return;
	}
	for (; n > sizeof(spaces); n -= sizeof(spaces))
		put_chars(out, run, sizeof(spaces));
	put_chars(out, run, n);
}

/* Emit body (prefix, leading zeros, text) padded to the field width. */
static void
put_field(struct sink *out, const struct spec *sp, const char *prefix, size_t zeros,
	  const char *text, size_t len)
{
	size_t plen = strlen(prefix);
	size_t body = plen + zeros + len;
	size_t pad = (size_t)sp->width > body ? (size_t)sp->width - body : 0;

	if (!(sp->flags & F_MINUS))
		put_fill(out, ' ', pad);
	put_chars(out, prefix, plen);
	put_fill(out, '0', zeros);
	put_chars(out, text, len);
	if (sp->flags & F_MINUS)
		put_fill(out, ' ', pad);
}

static void
format_integer(struct sink *out, const struct spec *sp, uintmax_t magnitude, bool negative)
{
	char digits[sizeof(uintmax_t) * 3], *end = digits + sizeof(digits), *p = end;
	const char *hex = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = 10;
	const char *prefix = "";
	size_t ndigits, zeros;

	if (sp->conv == 'o')
		base = 8;
	else if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p')
		base = 16;
	for (uintmax_t v = magnitude; v != 0; v /= base)
		*--p = hex[v % base];
	ndigits = (size_t)(end - p);
	if (sp->precision < 0 && magnitude == 0)
		*--p = '0', ndigits = 1;	/* precision 0 prints no digit for 0 */

	zeros = sp->precision > 0 && (size_t)sp->precision > ndigits ?
		(size_t)sp->precision - ndigits : 0;
	if (sp->conv == 'o' && (sp->flags & F_ALT) && zeros == 0 && (ndigits == 0 || *p != '0'))
		zeros = 1;

	if (sp->conv == 'd' || sp->conv == 'i')
		prefix = negative ? "-" : (sp->flags & F_PLUS) ? "+" :
			 (sp->flags & F_SPACE) ? " " : "";
	else if (sp->conv == 'p' || ((sp->flags & F_ALT) && base == 16 && magnitude != 0))
		prefix = sp->conv == 'X' ? "0X" : "0x";

	/* The 0 flag pads with zeros after the prefix, unless a precision was given. */
	if ((sp->flags & F_ZERO) && !(sp->flags & F_MINUS) && sp->precision < 0) {
		size_t body = strlen(prefix) + zeros + ndigits;
		if ((size_t)sp->width > body)
			zeros += (size_t)sp->width - body;
	}
	put_field(out, sp, prefix, zeros, p, ndigits);
}

/* va_list travels by pointer so that the helpers consume arguments for the caller. */
static uintmax_t
arg_unsigned(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	case LEN_T: return (uintmax_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned);
	}
}

static intmax_t
arg_signed(va_list *ap, enum length length)
{
	switch (length) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z: return (intmax_t)va_arg(*ap, size_t);	/* the signed size_t is long */
	case LEN_J: return va_arg(*ap, intmax_t);
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

/*
 * Read a decimal number or '*' at *fmt. Returns false if a written number does not fit
 * in an int (C then has no answer; we fail the call as glibc does).
 */
static bool
parse_count(const char **fmt, va_list *ap, int *value, bool *from_arg)
{
	const char *f = *fmt;
	int v = 0;

	*from_arg = false;
	if (*f == '*') {
		*value = va_arg(*ap, int);
		*from_arg = true;
		*fmt = f + 1;
		return true;
	}
	for (; *f >= '0' && *f <= '9'; f++) {
		if (v > (INT_MAX - (*f - '0')) / 10)
			return false;
		v = v * 10 + (*f - '0');
	}
	*value = v;
	*fmt = f;
	return true;
}

/* Parse the directive after '%'. Returns false on an overlong number. */
static bool
parse_spec(const char **fmt, va_list *ap, struct spec *sp)
{
	const char *f = *fmt;
	bool from_arg;

	sp->flags = 0;
	for (;; f++) {
		unsigned flag = *f == '-' ? F_MINUS : *f == '+' ? F_PLUS : *f == ' ' ? F_SPACE :
				*f == '#' ? F_ALT : *f == '0' ? F_ZERO : 0;
		if (flag == 0)
			break;
		sp->flags |= flag;
	}
	if (!parse_count(&f, ap, &sp->width, &from_arg))
		return false;
	if (sp->width < 0) {		/* a negative '*' width means '-' */
		if (sp->width == INT_MIN)
			return false;
		sp->flags |= F_MINUS;
		sp->width = -sp->width;
	}
	sp->precision = -1;
	if (*f == '.') {
		f++;
		if (!parse_count(&f, ap, &sp->precision, &from_arg))
			return false;
		if (sp->precision < 0)	/* a negative '*' precision means none */
			sp->precision = -1;
	}
	sp->length = LEN_NONE;
	switch (*f) {
	case 'h': sp->length = f[1] == 'h' ? (f++, LEN_HH) : LEN_H; f++; break;
	case 'l': sp->length = f[1] == 'l' ? (f++, LEN_LL) : LEN_L; f++; break;
	case 'z': sp->length = LEN_Z; f++; break;
	case 'j': sp->length = LEN_J; f++; break;
	case 't': sp->length = LEN_T; f++; break;
	case 'L': sp->length = LEN_BIG_L; f++; break;
	default: break;
	}
	sp->conv = *f;
	*fmt = *f != '\0' ? f + 1 : f;
	return true;
}

/*
 * Format one directive. Returns false if it is not one we support; the caller then
 * prints it literally.
 */
static bool
format_one(struct sink *out, const struct spec *sp, va_list *ap)
{
	char c;
	const char *s;
	void *ptr;
	intmax_t sv;

	switch (sp->conv) {
	case 'd': case 'i':
		sv = arg_signed(ap, sp->length);
		format_integer(out, sp, sv < 0 ? -(uintmax_t)sv : (uintmax_t)sv, sv < 0);
		return true;
	case 'u': case 'o': case 'x': case 'X':
		format_integer(out, sp, arg_unsigned(ap, sp->length), false);
		return true;
	case 'p':
		ptr = va_arg(*ap, void *);
		if (ptr == NULL)
			put_field(out, sp, "", 0, "(nil)", 5);
		else
			format_integer(out, sp, (uintptr_t)ptr, false);
		return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		if (sp->length != LEN_NONE)	/* %lc: consumed, printed literally */
			return false;
		put_field(out, sp, "", 0, &c, 1);
		return true;
	case 's':
		s = va_arg(*ap, const char *);
		if (sp->length != LEN_NONE)	/* %ls: consumed, printed literally */
			return false;
		if (s == NULL)		/* glibc prints nothing if the precision cuts it */
			s = sp->precision < 0 || sp->precision >= 6 ? "(null)" : "";
		put_field(out, sp, "", 0, s,
			  sp->precision < 0 ? strlen(s) : strnlen(s, (size_t)sp->precision));
		return true;
	case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
		if (sp->length == LEN_BIG_L)
			(void)va_arg(*ap, long double);
		else
			(void)va_arg(*ap, double);
		put_field(out, sp, "", 0, "<float>", 7);
		return true;
	case 'n':
		(void)va_arg(*ap, void *);	/* never written: see <stdio.h> */
		return false;
	case '%':			/* "%5%": glibc ignores the flags and width */
		put_chars(out, "%", 1);
		return true;
	default:
		return false;
	}
}

static int
format(struct sink *out, const char *fmt, va_list ap_in)
{
	va_list ap;
	struct spec sp;

	va_copy(ap, ap_in);
	while (*fmt != '\0') {
		const char *pct = strchr(fmt, '%');
		if (pct == NULL) {
			put_chars(out, fmt, strlen(fmt));
			break;
		}
		put_chars(out, fmt, (size_t)(pct - fmt));
		fmt = pct + 1;
		if (*fmt == '%') {
			put_chars(out, "%", 1);
			fmt++;
			continue;
		}
		if (!parse_spec(&fmt, &ap, &sp)) {
			va_end(ap);
			errno = EOVERFLOW;
			return -1;
		}
		if (!format_one(out, &sp, &ap))
			put_chars(out, pct, (size_t)(fmt - pct));
	}
	va_end(ap);
	if (out->total > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return (int)out->total;
}

int
vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	struct sink out = { .buf = buf, .cap = size > 0 ? size - 1 : 0 };
	int ret = format(&out, fmt, ap);

	if (size > 0)
		buf[out.pos] = '\0';
	return ret;
}

int
snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return ret;
}

static void
console_flush(struct sink *out)
{
	mg_plat_console_write(out->buf, out->pos);
	out->pos = 0;
}

int
vprintf(const char *restrict fmt, va_list ap)
{
	char buf[512];
	struct sink out = { .buf = buf, .cap = sizeof(buf), .flush = console_flush };
	int ret = format(&out, fmt, ap);

	if (out.pos > 0)
		console_flush(&out);
	return ret;
}

int
printf(const char *restrict fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vprintf(fmt, ap);
	va_end(ap);
	return ret;
}

int
puts(const char *s)
{
	return printf("%s\n", s) < 0 ? EOF : 1;
}

int
putchar(int c)
{
	char ch = (char)c;

	mg_plat_console_write(&ch, 1);
	return (unsigned char)ch;
}
