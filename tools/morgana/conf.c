/* SPDX-License-Identifier: ISC */
/*
 * conf.c -- the unikernel.conf parser (format in conf.h): bytes in, struct mg_conf or
 * one error with its line number out. No I/O, no globals, no allocation.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

/* A run of bytes inside the buffer being parsed; not NUL-terminated. */
struct span {
	const char *p;
	size_t len;
};

/* Input shown in an error message: at most SHOW_MAX bytes, each as itself or \xHH. */
#define SHOW_MAX 40
struct shown {
	char s[SHOW_MAX * 4 + 4];
};

enum name_kind {
	NAME_APP,	/* [a-z0-9_-] */
	NAME_DEVICE,	/* [a-z0-9_] */
};

typedef int (*key_parser)(struct mg_conf *, size_t, struct span, struct mg_conf_error *);

static int fail(struct mg_conf_error *, size_t, const char *, ...)
	__attribute__((format(printf, 3, 4)));
static const char *show(struct shown *, struct span);
static bool is_blank(char);
static void trim(struct span *);
static struct span next_word(struct span *);
static int check_name(struct span, enum name_kind, const char *, size_t,
		      struct mg_conf_error *);
static int check_unused(const struct mg_conf *, struct span, size_t, struct mg_conf_error *);
static int check_folder(struct span, size_t, struct mg_conf_error *);
static int check_no_garbage(struct span, struct span, size_t, struct mg_conf_error *);
static void copy_name(char *, size_t, struct span);
static int parse_name(struct mg_conf *, size_t, struct span, struct mg_conf_error *);
static int parse_device(struct mg_conf *, size_t, struct span, enum mg_device_type,
			struct mg_conf_error *);
static int parse_net(struct mg_conf *, size_t, struct span, struct mg_conf_error *);
static int parse_block(struct mg_conf *, size_t, struct span, struct mg_conf_error *);
static int parse_kv(struct mg_conf *, size_t, struct span, struct mg_conf_error *);
static int parse_line(struct mg_conf *, size_t, struct span, struct mg_conf_error *);
static int check_name_why(struct span, enum name_kind, const char *, char *, size_t);

static const struct {
	const char *key;
	key_parser parse;
} keys[] = {
	{ "name", parse_name },
	{ "net", parse_net },
	{ "block", parse_block },
	{ "kv", parse_kv },
};

static int
fail(struct mg_conf_error *err, size_t line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	/* A message cut short at MG_CONF_WHY_MAX is still a useful message. */
	(void)vsnprintf(err->why, sizeof(err->why), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *
show(struct shown *out, struct span s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = s.len < SHOW_MAX ? s.len : SHOW_MAX;
	char *o = out->s;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c >= 0x20 && c < 0x7f) {
			*o++ = (char)c;
		} else {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		}
	}
	if (n < s.len) {
		memcpy(o, "...", 3);
		o += 3;
	}
	*o = '\0';
	return out->s;
}

static bool
is_blank(char c)
{
	/* '\r' so that files written on Windows read the same. */
	return c == ' ' || c == '\t' || c == '\r';
}

static void
trim(struct span *s)
{
	while (s->len > 0 && is_blank(s->p[0])) {
		s->p++;
		s->len--;
	}
	while (s->len > 0 && is_blank(s->p[s->len - 1]))
		s->len--;
}

/* The next blank-separated word of *rest (empty at the end); *rest moves past it. */
static struct span
next_word(struct span *rest)
{
	struct span word;

	trim(rest);
	word.p = rest->p;
	word.len = 0;
	while (word.len < rest->len && !is_blank(rest->p[word.len]))
		word.len++;
	rest->p += word.len;
	rest->len -= word.len;
	return word;
}

static int
check_name(struct span s, enum name_kind kind, const char *what, size_t line,
	   struct mg_conf_error *err)
{
	struct shown a, b;

	if (s.len == 0)
		return fail(err, line, "%s is empty", what);
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		    (c == '-' && kind == NAME_APP))
			continue;
		return fail(err, line, "bad %s '%s': '%s' is not allowed (use a-z, 0-9%s)",
			    what, show(&a, s), show(&b, (struct span){ s.p + i, 1 }),
			    kind == NAME_APP ? ", '_' and '-'" : " and '_'");
	}
	if (s.p[0] < 'a' || s.p[0] > 'z')
		return fail(err, line, "bad %s '%s': it must start with a letter (a-z)", what,
			    show(&a, s));
	if (s.len > MG_NAME_MAX - 1)
		return fail(err, line, "bad %s '%s': longer than %u characters", what,
			    show(&a, s), MG_NAME_MAX - 1);
	return 0;
}

/* Device and store names share one namespace, so a later issue may back stores by
 * devices without breaking anyone's conf. */
static int
check_unused(const struct mg_conf *conf, struct span name, size_t line,
	     struct mg_conf_error *err)
{
	struct shown a;

	for (size_t i = 0; i < conf->device_count; i++) {
		const struct mg_conf_device *d = &conf->devices[i];
		if (strlen(d->name) == name.len && memcmp(d->name, name.p, name.len) == 0)
			return fail(err, line, "'%s' is already declared on line %zu",
				    show(&a, name), d->line);
	}
	for (size_t i = 0; i < conf->kv_count; i++) {
		const struct mg_conf_kv *kv = &conf->kvs[i];
		if (strlen(kv->store) == name.len && memcmp(kv->store, name.p, name.len) == 0)
			return fail(err, line, "'%s' is already declared on line %zu",
				    show(&a, name), kv->line);
	}
	return 0;
}

static int
check_folder(struct span s, size_t line, struct mg_conf_error *err)
{
	struct shown a, b;

	if (s.p[0] == '/')
		return fail(err, line, "kv folder '%s' must be a path relative to the "
			    "application's folder", show(&a, s));
	if (s.len > MG_CONF_PATH_MAX - 1)
		return fail(err, line, "kv folder '%s' is longer than %u bytes", show(&a, s),
			    MG_CONF_PATH_MAX - 1);
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (c <= 0x20 || c >= 0x7f)
			return fail(err, line, "bad kv folder '%s': '%s' is not allowed",
				    show(&a, s), show(&b, (struct span){ s.p + i, 1 }));
	}
	return 0;
}

static int
check_no_garbage(struct span value, struct span rest, size_t line, struct mg_conf_error *err)
{
	struct shown a, b;
	struct span garbage = rest;

	trim(&garbage);
	if (garbage.len == 0)
		return 0;
	return fail(err, line, "unexpected '%s' after '%s'", show(&a, garbage),
		    show(&b, value));
}

/* Only for spans that passed check_name(), so they fit. */
static void
copy_name(char *dst, size_t dst_len, struct span s)
{
	size_t n = s.len < dst_len - 1 ? s.len : dst_len - 1;

	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static int
parse_name(struct mg_conf *conf, size_t line, struct span value, struct mg_conf_error *err)
{
	struct span name = next_word(&value);
	int rc;

	if ((rc = check_no_garbage(name, value, line, err)) != 0)
		return rc;
	if (conf->name_line != 0)
		return fail(err, line, "name is given twice (first on line %zu)",
			    conf->name_line);
	if ((rc = check_name(name, NAME_APP, "application name", line, err)) != 0)
		return rc;
	copy_name(conf->name, sizeof(conf->name), name);
	conf->name_line = line;
	return 0;
}

static int
parse_device(struct mg_conf *conf, size_t line, struct span value, enum mg_device_type type,
	     struct mg_conf_error *err)
{
	struct span name = next_word(&value);
	struct mg_conf_device *d;
	int rc;

	if ((rc = check_no_garbage(name, value, line, err)) != 0)
		return rc;
	if ((rc = check_name(name, NAME_DEVICE, "device name", line, err)) != 0)
		return rc;
	if ((rc = check_unused(conf, name, line, err)) != 0)
		return rc;
	if (conf->device_count == MG_MANIFEST_MAX_DEVICES)
		return fail(err, line, "too many devices (at most %u)", MG_MANIFEST_MAX_DEVICES);
	d = &conf->devices[conf->device_count++];
	copy_name(d->name, sizeof(d->name), name);
	d->type = type;
	d->line = line;
	return 0;
}

static int
parse_net(struct mg_conf *conf, size_t line, struct span value, struct mg_conf_error *err)
{
	return parse_device(conf, line, value, MG_DEVICE_NET, err);
}

static int
parse_block(struct mg_conf *conf, size_t line, struct span value, struct mg_conf_error *err)
{
	return parse_device(conf, line, value, MG_DEVICE_BLOCK, err);
}

static int
parse_kv(struct mg_conf *conf, size_t line, struct span value, struct mg_conf_error *err)
{
	struct span store = next_word(&value);
	struct span folder = next_word(&value);
	struct mg_conf_kv *kv;
	struct shown a;
	int rc;

	if (folder.len == 0)
		return fail(err, line, "missing folder after kv store '%s' "
			    "(expected: kv = STORE ./folder)", show(&a, store));
	if ((rc = check_no_garbage(folder, value, line, err)) != 0)
		return rc;
	if ((rc = check_name(store, NAME_DEVICE, "kv store name", line, err)) != 0)
		return rc;
	if ((rc = check_folder(folder, line, err)) != 0)
		return rc;
	if ((rc = check_unused(conf, store, line, err)) != 0)
		return rc;
	if (conf->kv_count == MG_CONF_MAX_KV)
		return fail(err, line, "too many kv stores (at most %u)", MG_CONF_MAX_KV);
	kv = &conf->kvs[conf->kv_count++];
	copy_name(kv->store, sizeof(kv->store), store);
	memcpy(kv->folder, folder.p, folder.len);
	kv->folder[folder.len] = '\0';
	kv->line = line;
	return 0;
}

static int
parse_line(struct mg_conf *conf, size_t line, struct span text, struct mg_conf_error *err)
{
	/* No name or folder may hold a '#', so it ends the content wherever it stands. */
	const char *hash = memchr(text.p, '#', text.len);
	struct span key, rest;
	struct shown a;

	if (hash != NULL)
		text.len = (size_t)(hash - text.p);
	trim(&text);
	if (text.len == 0)
		return 0;
	key.p = text.p;
	key.len = 0;
	while (key.len < text.len && !is_blank(key.p[key.len]) && key.p[key.len] != '=')
		key.len++;
	if (key.len == 0)
		return fail(err, line, "missing key before '='");
	rest.p = text.p + key.len;
	rest.len = text.len - key.len;
	trim(&rest);
	if (rest.len == 0 || rest.p[0] != '=')
		return fail(err, line, "missing '=' after '%s' (expected: KEY = VALUE)",
			    show(&a, key));
	rest.p++;
	rest.len--;
	trim(&rest);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strlen(keys[i].key) != key.len || memcmp(keys[i].key, key.p, key.len) != 0)
			continue;
		if (rest.len == 0)
			return fail(err, line, "missing value after '%s ='", keys[i].key);
		return keys[i].parse(conf, line, rest, err);
	}
	return fail(err, line, "unknown key '%s' (expected name, net, block or kv)",
		    show(&a, key));
}

int
mg_conf_parse(const char *buf, size_t len, struct mg_conf *conf, struct mg_conf_error *err)
{
	size_t pos = 0, line = 0;
	int rc;

	memset(conf, 0, sizeof(*conf));
	memset(err, 0, sizeof(*err));
	while (pos < len) {
		size_t end = pos;
		line++;
		for (; end < len && buf[end] != '\n'; end++) {
			if (buf[end] == '\0')
				return fail(err, line, "NUL byte in column %zu", end - pos + 1);
			/* The limit is on content: a "\r\n" ending does not count. */
			if (end - pos >= MG_CONF_LINE_MAX &&
			    !(buf[end] == '\r' && (end + 1 == len || buf[end + 1] == '\n')))
				return fail(err, line, "line is longer than %u bytes",
					    MG_CONF_LINE_MAX);
		}
		rc = parse_line(conf, line, (struct span){ buf + pos, end - pos }, err);
		if (rc != 0)
			return rc;
		pos = end + 1;
	}
	if (conf->name_line == 0)
		return fail(err, 0, "missing 'name = NAME' line");
	return 0;
}

static int
check_name_why(struct span name, enum name_kind kind, const char *what, char *why,
	       size_t why_len)
{
	struct mg_conf_error err;
	int rc;

	rc = check_name(name, kind, what, 0, &err);
	if (rc != 0 && why != NULL && why_len > 0)
		(void)snprintf(why, why_len, "%s", err.why);
	return rc;
}

int
mg_conf_check_app_name(const char *name, char *why, size_t why_len)
{
	return check_name_why((struct span){ name, strlen(name) }, NAME_APP,
			      "application name", why, why_len);
}

int
mg_conf_check_device_name(const char *name, size_t len, char *why, size_t why_len)
{
	return check_name_why((struct span){ name, len }, NAME_DEVICE, "device name", why,
			      why_len);
}
