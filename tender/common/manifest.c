/* SPDX-License-Identifier: ISC */
/*
 * manifest.c -- the tenders' copy of mg_manifest_check() and mg_manifest_find() (contract
 * in include/morgana/manifest.h), used until platform/common/manifest.c, which the guest
 * targets share, is on main; then the tenders link that one and this file goes away.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <morgana/manifest.h>

static int refuse(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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

/* A name: 1..MG_NAME_MAX-1 of [a-z0-9_] (and '-' if dash_ok), NUL-padded to the end. */
static bool
name_ok(const char name[MG_NAME_MAX], bool dash_ok)
{
	size_t len = strnlen(name, MG_NAME_MAX);

	if (len == 0 || len == MG_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		      (dash_ok && c == '-')))
			return false;
	}
	for (size_t i = len; i < MG_NAME_MAX; i++)
		if (name[i] != '\0')
			return false;
	return true;
}

int
mg_manifest_check(const struct mg_manifest *m, char *why, size_t why_len)
{
	if (m->version != MG_MANIFEST_VERSION)
		return refuse(why, why_len, "manifest version %u, expected %u", m->version,
			      MG_MANIFEST_VERSION);
	if (m->device_count > MG_MANIFEST_MAX_DEVICES)
		return refuse(why, why_len, "manifest declares %u devices (at most %u)",
			      m->device_count, MG_MANIFEST_MAX_DEVICES);
	if (!name_ok(m->app_name, true))
		return refuse(why, why_len, "manifest application name is malformed");
	for (uint32_t i = 0; i < m->device_count; i++) {
		const struct mg_manifest_device *d = &m->devices[i];

		if (!name_ok(d->name, false))
			return refuse(why, why_len, "manifest device %u has a malformed name", i);
		if (d->type != MG_DEVICE_NET && d->type != MG_DEVICE_BLOCK)
			return refuse(why, why_len, "manifest device %s has unknown type %u",
				      d->name, d->type);
		if (d->reserved != 0)
			return refuse(why, why_len, "manifest device %s: reserved field set",
				      d->name);
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(m->devices[j].name, d->name) == 0)
				return refuse(why, why_len, "manifest declares %s twice", d->name);
	}
	return 0;
}

const struct mg_manifest_device *
mg_manifest_find(const struct mg_manifest *m, const char *name)
{
	for (uint32_t i = 0; i < m->device_count; i++)
		if (strncmp(m->devices[i].name, name, MG_NAME_MAX) == 0)
			return &m->devices[i];
	return NULL;
}
