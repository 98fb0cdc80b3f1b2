/* SPDX-License-Identifier: ISC */
/*
 * plat_test.h -- helpers the platform unit tests share: building manifests and argv.
 */
#ifndef MORGANA_TESTS_PLAT_TEST_H
#define MORGANA_TESTS_PLAT_TEST_H

#include <stdio.h>
#include <string.h>

#include <morgana/manifest.h>

static inline void
manifest_init(struct mg_manifest *m, const char *app_name)
{
	memset(m, 0, sizeof(*m));
	m->version = MG_MANIFEST_VERSION;
	snprintf(m->app_name, sizeof(m->app_name), "%s", app_name);
}

static inline void
manifest_add(struct mg_manifest *m, const char *name, uint32_t type)
{
	struct mg_manifest_device *d = &m->devices[m->device_count++];

	snprintf(d->name, sizeof(d->name), "%s", name);
	d->type = type;
}

/* A small deterministic generator, so a failing fuzz case can be replayed. */
static inline uint32_t
test_rand(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*state >> 33);
}

#endif /* MORGANA_TESTS_PLAT_TEST_H */
