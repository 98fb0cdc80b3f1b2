/* SPDX-License-Identifier: ISC */
/*
 * head.c -- writing message heads: the bounded writer, status lines and reason
 * phrases, HTTP dates (RFC 9110 5.6.7) both ways, and content types by extension.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
static int month_of(const char *s);
static int two_digits(const char *s);
static int parse_time(const char *s, int *h, int *mi, int *sec);

void
mg_http_writer_init(struct mg_http_writer *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

void
mg_http_write_bytes(struct mg_http_writer *w, const void *data, size_t len)
{
	if (w->overflow || len > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, data, len);
	w->len += len;
}

void
mg_http_write_fmt(struct mg_http_writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= w->cap - w->len)
		w->overflow = true;
	else
		w->len += (size_t)n;
}

void
mg_http_write_status(struct mg_http_writer *w, int status)
{
	mg_http_write_fmt(w, "HTTP/1.1 %03d %s\r\n", status, mg_http_reason(status));
}

bool
mg_http_field_ok(const char *name, const char *value)
{
	if (*name == '\0')
		return false;
	for (const char *p = name; *p != '\0'; p++)
		if (!http_is_tchar((unsigned char)*p))
			return false;
	for (const char *p = value; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n')
			return false;
	return true;
}

void
mg_http_write_header(struct mg_http_writer *w, const char *name, const char *value)
{
	if (!mg_http_field_ok(name, value)) {
		w->overflow = true;
		return;
	}
	mg_http_write_fmt(w, "%s: %s\r\n", name, value);
}

const char *
mg_http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 416: return "Range Not Satisfiable";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

static const char day_names[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char month_names[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* Days since 1970-01-01 of a proleptic Gregorian date, counting in 400-year eras that
 * start on 1 March, so the leap day is the last day of its year. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
mg_http_date_format(int64_t t, char out[MG_HTTP_DATE_SIZE])
{
	int64_t days, z, era;
	unsigned doe, yoe, doy, mp, d, m, secs;
	int64_t y;

	if (t < 0 || t > 253402300799)
		return -EINVAL;
	days = t / 86400;
	secs = (unsigned)(t % 86400);
	/* The inverse of days_from_civil. */
	z = days + 719468;
	era = z / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	(void)snprintf(out, MG_HTTP_DATE_SIZE, "%s, %02u %s %04lld %02u:%02u:%02u GMT",
		       day_names[(days + 4) % 7], d, month_names[m - 1], (long long)y,
		       secs / 3600, secs / 60 % 60, secs % 60);
	return 0;
}

static int
month_of(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (memcmp(s, month_names[i], 3) == 0)
			return i + 1;
	return -1;
}

static int
two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "HH:MM:SS" */
static int
parse_time(const char *s, int *h, int *mi, int *sec)
{
	*h = two_digits(s);
	*mi = two_digits(s + 3);
	*sec = two_digits(s + 6);
	if (s[2] != ':' || s[5] != ':' || *h < 0 || *h > 23 || *mi < 0 || *mi > 59 ||
	    *sec < 0 || *sec > 60)
		return -EINVAL;
	return 0;
}

int
mg_http_date_parse(const char *s, size_t len, int64_t *t)
{
	static const unsigned char mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int day, mon, h, mi, sec;
	int64_t year;
	const char *comma = memchr(s, ',', len < 10 ? len : 10);

	if (len == 29 && comma == s + 3) {
		/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
		if (s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
		    memcmp(s + 25, " GMT", 4) != 0 || two_digits(s + 12) < 0 ||
		    two_digits(s + 14) < 0)
			return -EINVAL;
		day = two_digits(s + 5);
		mon = month_of(s + 8);
		year = two_digits(s + 12) * 100 + two_digits(s + 14);
		if (parse_time(s + 17, &h, &mi, &sec) != 0)
			return -EINVAL;
	} else if (comma != NULL && len == (size_t)(comma - s) + 24) {
		/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT" */
		const char *p = comma + 1;
		if (p[0] != ' ' || p[3] != '-' || p[7] != '-' || p[10] != ' ' ||
		    memcmp(p + 19, " GMT", 4) != 0 || two_digits(p + 8) < 0)
			return -EINVAL;
		day = two_digits(p + 1);
		mon = month_of(p + 4);
		year = two_digits(p + 8);
		year += year < 70 ? 2000 : 1900;
		if (parse_time(p + 11, &h, &mi, &sec) != 0)
			return -EINVAL;
	} else if (len == 24 && s[3] == ' ') {
		/* asctime: "Sun Nov  6 08:49:37 1994" */
		if (s[7] != ' ' || s[10] != ' ' || s[19] != ' ' || two_digits(s + 20) < 0 ||
		    two_digits(s + 22) < 0)
			return -EINVAL;
		mon = month_of(s + 4);
		day = s[8] == ' ' ? two_digits((const char[]){ '0', s[9] }) : two_digits(s + 8);
		year = two_digits(s + 20) * 100 + two_digits(s + 22);
		if (parse_time(s + 11, &h, &mi, &sec) != 0)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (mon < 1 || day < 1 || day > mdays[mon - 1] || year < 1970)
		return -EINVAL;
	if (mon == 2 && day == 29 && (year % 4 != 0 || (year % 100 == 0 && year % 400 != 0)))
		return -EINVAL;
	if (sec == 60)
		sec = 59;
	*t = days_from_civil(year, (unsigned)mon, (unsigned)day) * 86400 + h * 3600 + mi * 60 +
	     sec;
	return 0;
}

const char *
mg_http_content_type(const char *path, size_t len)
{
	static const struct {
		const char *ext;
		const char *type;
	} types[] = {
		{ "html", "text/html; charset=utf-8" }, { "htm", "text/html; charset=utf-8" },
		{ "css", "text/css; charset=utf-8" },
		{ "js", "text/javascript; charset=utf-8" },
		{ "mjs", "text/javascript; charset=utf-8" },
		{ "json", "application/json" }, { "txt", "text/plain; charset=utf-8" },
		{ "md", "text/markdown; charset=utf-8" }, { "csv", "text/csv; charset=utf-8" },
		{ "xml", "application/xml" }, { "atom", "application/atom+xml" },
		{ "rss", "application/rss+xml" }, { "svg", "image/svg+xml" },
		{ "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
		{ "gif", "image/gif" }, { "webp", "image/webp" }, { "avif", "image/avif" },
		{ "ico", "image/vnd.microsoft.icon" }, { "wasm", "application/wasm" },
		{ "pdf", "application/pdf" }, { "woff", "font/woff" }, { "woff2", "font/woff2" },
		{ "ttf", "font/ttf" }, { "otf", "font/otf" }, { "mp4", "video/mp4" },
		{ "webm", "video/webm" }, { "mp3", "audio/mpeg" }, { "ogg", "audio/ogg" },
		{ "zip", "application/zip" }, { "gz", "application/gzip" },
		{ "tar", "application/x-tar" }, { "map", "application/json" },
		{ "webmanifest", "application/manifest+json" },
	};
	size_t dot = len;

	while (dot > 0 && path[dot - 1] != '.' && path[dot - 1] != '/')
		dot--;
	if (dot == 0 || path[dot - 1] != '.')
		return "application/octet-stream";
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (mg_http_str_ieq((struct mg_http_str){ path + dot, len - dot }, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}
