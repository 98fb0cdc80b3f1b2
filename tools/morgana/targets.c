/* SPDX-License-Identifier: ISC */
/*
 * targets.c -- the targets `morgana` can build for and run on. Each is one entry in
 * mg_targets[] with a build function (compile and link an application folder into an
 * image) and a run function (start an image; exec, never return on success).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int unix_build(const struct mg_app *app, const struct mg_cli_tree *tree,
		      const char *manifest_c, const char *out, bool sanitize);
static int unix_run(const char *image, const struct mg_run_opts *opts);

static const struct mg_target mg_targets[] = {
	{ "unix", unix_build, unix_run },
	{ "hvt", mg_hvt_build, mg_hvt_run },	/* target_guest.c */
	{ "spt", mg_spt_build, mg_spt_run },	/* target_guest.c */
};
#define TARGET_COUNT (sizeof(mg_targets) / sizeof(mg_targets[0]))

const char *
mg_target_names(void)
{
	static char names[256];
	size_t used = 0;

	if (names[0] != '\0')
		return names;
	for (size_t i = 0; i < TARGET_COUNT && used < sizeof(names); i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
					 i > 0 ? ", " : "", mg_targets[i].name);
	return names;
}

const struct mg_target *
mg_target_find(const char *name)
{
	for (size_t i = 0; i < TARGET_COUNT; i++)
		if (strcmp(mg_targets[i].name, name) == 0)
			return &mg_targets[i];
	mg_cli_error("unknown target '%s' (available: %s)", name, mg_target_names());
	return NULL;
}

/*
 * unix: the image is an ordinary Linux executable linked against the host C library and
 * libmorgana.a (runtime + unix platform). The platform's start-up code takes main's place
 * (--wrap=main) and calls the application's main as the first fiber.
 */
static int
unix_build(const struct mg_app *app, const struct mg_cli_tree *tree, const char *manifest_c,
	   const char *out, bool sanitize)
{
	static const char *const base_flags[] = {
		"-std=gnu17", "-O2", "-g", "-fno-omit-frame-pointer",
		"-fstack-protector-strong", "-Wall", "-Wextra",
	};
	const char *variant = sanitize ? "asan" : "unix";
	const char *cc = getenv("CC");
	const char *user_flags = getenv("MORGANA_CFLAGS");
	struct mg_strv argv = { 0 };
	char lib[PATH_MAX + 32];
	int rc;

	(void)snprintf(lib, sizeof(lib), "%s/%s/libmorgana.a", tree->build, variant);
	if (access(lib, R_OK) != 0) {
		mg_cli_error("%s is missing: run 'make' in %s first", lib, tree->src);
		return MG_EXIT_MISSING;
	}
	if ((rc = mg_strv_push_words(&argv, cc != NULL && *cc != '\0' ? cc : "cc")) != 0)
		goto out;
	if (argv.count == 0 && (rc = mg_strv_push(&argv, "cc")) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(base_flags) / sizeof(base_flags[0]); i++)
		if ((rc = mg_strv_push(&argv, base_flags[i])) != 0)
			goto out;
	if (sanitize && ((rc = mg_strv_push(&argv, "-fsanitize=address,undefined")) != 0 ||
			 (rc = mg_strv_push(&argv, "-fno-sanitize-recover=all")) != 0))
		goto out;
	if (user_flags != NULL && (rc = mg_strv_push_words(&argv, user_flags)) != 0)
		goto out;
	if ((rc = mg_strv_pushf(&argv, "-I%s/include", tree->src)) != 0)
		goto out;
	for (size_t i = 0; i < app->source_count; i++)
		if ((rc = mg_strv_push(&argv, app->sources[i])) != 0)
			goto out;
	if ((rc = mg_strv_push(&argv, manifest_c)) != 0 ||
	    (rc = mg_strv_push(&argv, lib)) != 0 ||
	    (rc = mg_strv_push(&argv, "-Wl,--wrap=main")) != 0 ||
	    (rc = mg_strv_push(&argv, "-o")) != 0 ||
	    (rc = mg_strv_push(&argv, out)) != 0)
		goto out;
	rc = mg_cli_spawn(argv.v, "compiler");
out:
	mg_strv_free(&argv);
	return rc;
}

/* The image's platform code reads --net:/--block:/--mem= up to "--"; the rest is argv. */
static int
unix_run(const char *image, const struct mg_run_opts *opts)
{
	struct mg_strv argv = { 0 };
	int rc;

	if ((rc = mg_strv_push(&argv, image)) != 0)
		goto out;
	for (size_t i = 0; i < opts->devices.count; i++)
		if ((rc = mg_strv_push(&argv, opts->devices.v[i])) != 0)
			goto out;
	if (opts->mem_mb != NULL && (rc = mg_strv_pushf(&argv, "--mem=%s", opts->mem_mb)) != 0)
		goto out;
	if (opts->net_offload != NULL &&
	    (rc = mg_strv_pushf(&argv, "--net-offload=%s", opts->net_offload)) != 0)
		goto out;
	if ((rc = mg_strv_push(&argv, "--")) != 0)
		goto out;
	for (int i = 0; i < opts->app_argc; i++)
		if ((rc = mg_strv_push(&argv, opts->app_argv[i])) != 0)
			goto out;
	(void)fflush(NULL);
	execv(image, argv.v);
	mg_cli_error("cannot run '%s': %s", image, strerror(errno));
	rc = MG_EXIT_MISSING;
out:
	mg_strv_free(&argv);
	return rc;
}
