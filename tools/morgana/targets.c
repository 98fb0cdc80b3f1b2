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
static int spt_build(const struct mg_app *app, const struct mg_cli_tree *tree,
		     const char *manifest_c, const char *out, bool sanitize);
static int spt_run(const char *image, const struct mg_run_opts *opts);

static const struct mg_target mg_targets[] = {
	{ "unix", unix_build, unix_run },
	{ "hvt", mg_hvt_build, mg_hvt_run },	/* target_hvt.c */
	{ "spt", spt_build, spt_run },
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

/* --- spt ---------------------------------------------------------------------------------
 * The image is a static ELF linked at fixed addresses (platform/spt/spt.ld) against the
 * guest libraries: our own libc and libmorgana-spt.a (runtime + spt platform), compiled
 * without the host's headers. morgana-spt (docs/spt.md) runs it.
 */

/* The compiler's own header folder (stddef.h, stdint.h, stdarg.h), which guest code
 * keeps while -nostdinc drops the host's. cc may be several words (CC="ccache gcc"). */
static int
compiler_include_dir(const char *cc, char *dir, size_t len)
{
	char cmd[PATH_MAX + 64];
	FILE *p;
	size_t n;
	int status;

	(void)snprintf(cmd, sizeof(cmd), "%s -print-file-name=include", cc);
	if ((p = popen(cmd, "r")) == NULL || fgets(dir, (int)len, p) == NULL) {
		if (p != NULL)
			(void)pclose(p);
		mg_cli_error("cannot ask '%s' for its header folder", cc);
		return MG_EXIT_MISSING;
	}
	status = pclose(p);
	n = strcspn(dir, "\n");
	dir[n] = '\0';
	if (status != 0 || n == 0 || dir[0] != '/') {
		mg_cli_error("'%s -print-file-name=include' did not name a folder", cc);
		return MG_EXIT_MISSING;
	}
	return 0;
}

static int
spt_build(const struct mg_app *app, const struct mg_cli_tree *tree, const char *manifest_c,
	  const char *out, bool sanitize)
{
	static const char *const flags[] = {
		"-std=gnu17", "-O2", "-g", "-fno-omit-frame-pointer", "-fstack-protector-strong",
		"-Wall", "-Wextra", "-ffreestanding", "-nostdinc", "-mno-red-zone", "-fno-pic",
		"-fno-pie", "-ffunction-sections", "-fdata-sections",
	};
	static const char *const link_flags[] = {
		"-nostdlib", "-static", "-no-pie", "-Wl,--gc-sections", "-Wl,--build-id=none",
		"-Wl,-z,noexecstack", "-Wl,-z,max-page-size=4096",
	};
	const char *cc = getenv("CC"), *user_flags = getenv("MORGANA_CFLAGS");
	char lib[PATH_MAX + 48], libc[PATH_MAX + 32], gcc_include[PATH_MAX];
	struct mg_strv argv = { 0 };
	int rc;

	if (sanitize) {
		mg_cli_error("--sanitize needs the unix target (spt images have no sanitizer "
			     "runtime)");
		return MG_EXIT_USAGE;
	}
	if (cc == NULL || *cc == '\0')
		cc = "cc";
	(void)snprintf(lib, sizeof(lib), "%s/freestanding/libmorgana-spt.a", tree->build);
	(void)snprintf(libc, sizeof(libc), "%s/freestanding/libc.a", tree->build);
	if (access(lib, R_OK) != 0 || access(libc, R_OK) != 0) {
		mg_cli_error("%s is missing: run 'make' in %s first",
			     access(lib, R_OK) != 0 ? lib : libc, tree->src);
		return MG_EXIT_MISSING;
	}
	if ((rc = compiler_include_dir(cc, gcc_include, sizeof(gcc_include))) != 0)
		return rc;
	if ((rc = mg_strv_push_words(&argv, cc)) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if ((rc = mg_strv_push(&argv, flags[i])) != 0)
			goto out;
	if ((rc = mg_strv_pushf(&argv, "-isystem%s", gcc_include)) != 0 ||
	    (rc = mg_strv_pushf(&argv, "-I%s/libc/include", tree->src)) != 0 ||
	    (rc = mg_strv_pushf(&argv, "-I%s/include", tree->src)) != 0)
		goto out;
	if (user_flags != NULL && (rc = mg_strv_push_words(&argv, user_flags)) != 0)
		goto out;
	for (size_t i = 0; i < app->source_count; i++)
		if ((rc = mg_strv_push(&argv, app->sources[i])) != 0)
			goto out;
	if ((rc = mg_strv_push(&argv, manifest_c)) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(link_flags) / sizeof(link_flags[0]); i++)
		if ((rc = mg_strv_push(&argv, link_flags[i])) != 0)
			goto out;
	if ((rc = mg_strv_pushf(&argv, "-Wl,-T,%s/platform/spt/spt.ld", tree->src)) != 0 ||
	    (rc = mg_strv_push(&argv, "-Wl,--start-group")) != 0 ||
	    (rc = mg_strv_push(&argv, lib)) != 0 ||
	    (rc = mg_strv_push(&argv, libc)) != 0 ||
	    (rc = mg_strv_push(&argv, "-Wl,--end-group")) != 0 ||
	    (rc = mg_strv_push(&argv, "-lgcc")) != 0 ||
	    (rc = mg_strv_push(&argv, "-o")) != 0 ||
	    (rc = mg_strv_push(&argv, out)) != 0)
		goto out;
	rc = mg_cli_spawn(argv.v, "compiler");
out:
	mg_strv_free(&argv);
	return rc;
}

/* Replace the process with morgana-spt from the tree's build folder. */
static int
spt_run(const char *image, const struct mg_run_opts *opts)
{
	struct mg_cli_tree tree;
	struct mg_strv argv = { 0 };
	char tender[PATH_MAX + 32];
	int rc;

	if ((rc = mg_cli_find_tree(&tree)) != 0)
		return rc;
	(void)snprintf(tender, sizeof(tender), "%s/bin/morgana-spt", tree.build);
	if ((rc = mg_strv_push(&argv, tender)) != 0)
		goto out;
	if (opts->mem_mb != NULL && (rc = mg_strv_pushf(&argv, "--mem=%s", opts->mem_mb)) != 0)
		goto out;
	for (size_t i = 0; i < opts->devices.count; i++)
		if ((rc = mg_strv_push(&argv, opts->devices.v[i])) != 0)
			goto out;
	if ((rc = mg_strv_push(&argv, "--")) != 0 || (rc = mg_strv_push(&argv, image)) != 0)
		goto out;
	for (int i = 0; i < opts->app_argc; i++)
		if ((rc = mg_strv_push(&argv, opts->app_argv[i])) != 0)
			goto out;
	(void)fflush(NULL);
	execv(tender, argv.v);
	mg_cli_error("cannot run '%s': %s (run 'make' in %s first)", tender, strerror(errno),
		     tree.src);
	rc = MG_EXIT_MISSING;
out:
	mg_strv_free(&argv);
	return rc;
}
