/* SPDX-License-Identifier: ISC */
/*
 * manifest.c -- validation and lookup of the device manifest an image carries.
 *
 * The manifest comes from an image file, so a monitor treats it as hostile: every field is
 * checked before any of it is used, and nothing here reads past the struct. Pure code
 * (snprintf is the only library call) so it links into monitors, in-process targets and
 * guests alike.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <morgana/manifest.h>

static int refuse(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool name_char_ok(char c, bool dash_ok);
static int check_name(const char name[MG_NAME_MAX], bool dash_ok, const char *what,
		      char *why, size_t why_len);
static bool names_equal(const char *a, const char *b);

/* Write the reason (if the caller wants it) and return -EINVAL. */
static int
refuse(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && why_len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool
name_char_ok(char c, bool dash_ok)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
		return true;
	return dash_ok && c == '-';
}

/*
 * A name is 1..MG_NAME_MAX-1 allowed characters followed by a NUL inside the field. The
 * reason never quotes the raw bytes: they may be anything, including terminal escapes.
 */
static int
check_name(const char name[MG_NAME_MAX], bool dash_ok, const char *what, char *why,
	   size_t why_len)
{
	size_t i;

	for (i = 0; i < MG_NAME_MAX && name[i] != '\0'; i++) {
		if (!name_char_ok(name[i], dash_ok))
			return refuse(why, why_len,
				      "%s has a disallowed character (byte 0x%02x at %zu); "
				      "expected only %s",
				      what, (unsigned)(unsigned char)name[i], i,
				      dash_ok ? "a-z, 0-9, '_' and '-'" : "a-z, 0-9 and '_'");
	}
	if (i == MG_NAME_MAX)
		return refuse(why, why_len, "%s is not NUL-terminated within %u bytes",
			      what, MG_NAME_MAX);
	if (i == 0)
		return refuse(why, why_len, "%s is empty", what);
	return 0;
}

/* Both names have passed check_name(), so both end inside their fields. */
static bool
names_equal(const char *a, const char *b)
{
	size_t i;

	for (i = 0; a[i] == b[i]; i++)
		if (a[i] == '\0')
			return true;
	return false;
}

int
mg_manifest_check(const struct mg_manifest *m, char *why, size_t why_len)
{
	char what[48];
	uint32_t i, j;
	int rc;

	if (m == NULL)
		return refuse(why, why_len, "no manifest");
	if (m->version != MG_MANIFEST_VERSION)
		return refuse(why, why_len, "manifest version %u is not supported; expected %u",
			      m->version, MG_MANIFEST_VERSION);
	if (m->device_count > MG_MANIFEST_MAX_DEVICES)
		return refuse(why, why_len, "manifest declares %u devices; at most %u allowed",
			      m->device_count, MG_MANIFEST_MAX_DEVICES);
	rc = check_name(m->app_name, true, "application name", why, why_len);
	if (rc < 0)
		return rc;
	for (i = 0; i < m->device_count; i++) {
		const struct mg_manifest_device *d = &m->devices[i];

		snprintf(what, sizeof(what), "device %u's name", i);
		rc = check_name(d->name, false, what, why, why_len);
		if (rc < 0)
			return rc;
		if (d->type != MG_DEVICE_NET && d->type != MG_DEVICE_BLOCK)
			return refuse(why, why_len,
				      "device '%s' has unknown type %u; expected %u (net) or "
				      "%u (block)", d->name, d->type, MG_DEVICE_NET,
				      MG_DEVICE_BLOCK);
		if (d->reserved != 0)
			return refuse(why, why_len,
				      "device '%s' has reserved field 0x%x; expected 0",
				      d->name, d->reserved);
		for (j = 0; j < i; j++)
			if (names_equal(m->devices[j].name, d->name))
				return refuse(why, why_len,
					      "device '%s' is declared twice (devices %u and "
					      "%u); names must be unique", d->name, j, i);
	}
	return 0;
}

const struct mg_manifest_device *
mg_manifest_find(const struct mg_manifest *m, const char *name)
{
	uint32_t i;
	size_t k;

	if (m == NULL || name == NULL)
		return NULL;
	for (i = 0; i < m->device_count && i < MG_MANIFEST_MAX_DEVICES; i++) {
		const char *dn = m->devices[i].name;

		for (k = 0; k < MG_NAME_MAX && dn[k] == name[k] && dn[k] != '\0'; k++)
			;
		if (k < MG_NAME_MAX && dn[k] == name[k])
			return &m->devices[i];
	}
	return NULL;
}
