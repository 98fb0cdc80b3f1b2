/* SPDX-License-Identifier: ISC */
/*
 * target_guest.c -- the freestanding guest targets of `morgana`, hvt and spt. Their
 * images are built alike: static ELF executables of guest code (the application compiled
 * freestanding against Morgana's own libc, linked with libmorgana-TARGET.a by
 * platform/TARGET/TARGET.ld, debug information split off into IMAGE.debug), run by the
 * target's tender, morgana-TARGET (docs/hvt.md, docs/spt.md). The flags here are the
 * Makefile's CFLAGS_freestanding and HVT_LDFLAGS/SPT_LDFLAGS, which build the same code
 * for the tests. The targets differ in one row of guest_targets[] each.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

/* One freestanding guest target. Its library is libmorgana-NAME.a, its linker script
 * platform/NAME/NAME.ld, its tender bin/morgana-NAME. */
struct guest_target {
	const char *name;
	/* Can this machine run the tender? 0, or -1 with a reason in why. NULL: always. */
	int (*usable)(char *why, size_t why_len);
	const char *unusable_hint;	/* appended to the reason, e.g. "try -t spt" */
};

static int compiler_argv(struct mg_strv *argv);
static int compiler_include_dir(char *const *cc, char *dir, size_t size);
static int kvm_usable(char *why, size_t why_len);
static int split_debug_info(const char *out);

static const struct guest_target hvt_target = {
	"hvt", kvm_usable, "hvt needs KVM; try -t spt or -t unix",
};
static const struct guest_target spt_target = { "spt", NULL, NULL };

/* The compiler as $CC names it, split at blanks ("ccache gcc"), or "cc". */
static int
compiler_argv(struct mg_strv *argv)
{
	const char *cc = getenv("CC");
	int rc;

	if ((rc = mg_strv_push_words(argv, cc != NULL ? cc : "")) != 0)
		return rc;
	return argv->count == 0 ? mg_strv_push(argv, "cc") : 0;
}

/*
 * Guest code is compiled with -nostdinc, so that no header of the host's C library can
 * slip in; the compiler's own headers (stddef.h, stdint.h, stdarg.h, the intrinsics) are
 * still wanted. Ask the compiler where they are, as the Makefile does.
 */
static int
compiler_include_dir(char *const *cc, char *dir, size_t size)
{
	struct mg_strv argv = { 0 };
	posix_spawn_file_actions_t actions;
	int fds[2] = { -1, -1 }, status, rc, err;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	for (size_t i = 0; cc[i] != NULL; i++)
		if ((rc = mg_strv_push(&argv, cc[i])) != 0)
			return rc;
	if ((rc = mg_strv_push(&argv, "-print-file-name=include")) != 0)
		goto out;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		mg_cli_error("pipe: %s", strerror(errno));
		rc = MG_EXIT_OS;
		goto out;
	}
	if ((err = posix_spawn_file_actions_init(&actions)) == 0) {
		err = posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
		if (err == 0)
			err = posix_spawnp(&pid, argv.v[0], &actions, NULL, argv.v, environ);
		posix_spawn_file_actions_destroy(&actions);
	}
	close(fds[1]);
	if (err != 0) {
		mg_cli_error("cannot run the compiler '%s': %s", argv.v[0], strerror(err));
		rc = MG_EXIT_MISSING;
		goto out;
	}
	while (used < size - 1 && ((n = read(fds[0], dir + used, size - 1 - used)) > 0 ||
				   (n < 0 && errno == EINTR)))
		used += n > 0 ? (size_t)n : 0;
	dir[used] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	dir[strcspn(dir, "\n")] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || dir[0] != '/' ||
	    used >= size - 1) {
		mg_cli_error("the compiler '%s' does not say where its own headers are "
			     "(-print-file-name=include)", argv.v[0]);
		rc = MG_EXIT_BUILD;
		goto out;
	}
	rc = 0;
out:
	if (fds[0] >= 0)
		close(fds[0]);
	mg_strv_free(&argv);
	return rc;
}

static int
guest_build(const struct guest_target *t, const struct mg_app *app,
	    const struct mg_cli_tree *tree, const char *manifest_c, const char *out,
	    bool sanitize)
{
	/* CFLAGS_freestanding of the Makefile, with the stack protector on for the app:
	 * both platforms put the canary at %fs:0x28 and the runtime has __stack_chk_fail. */
	static const char *const cflags[] = {
		"-std=gnu17", "-O2", "-g", "-fno-omit-frame-pointer", "-ffunction-sections",
		"-fdata-sections", "-Wall", "-Wextra", "-ffreestanding", "-nostdinc",
		"-fstack-protector-strong", "-mno-red-zone", "-fno-pic", "-fno-pie",
	};
	static const char *const ldflags[] = {
		"-nostdlib", "-static", "-no-pie", "-Wl,--gc-sections", "-Wl,--build-id=none",
		"-Wl,-z,noexecstack", "-Wl,-z,max-page-size=4096",
	};
	const char *user_flags = getenv("MORGANA_CFLAGS");
	char lib[PATH_MAX + 48], libc[PATH_MAX + 32], gcc_include[PATH_MAX];
	struct mg_strv argv = { 0 };
	int rc;

	if (sanitize) {
		mg_cli_error("--sanitize is for -t unix only: %s images have no sanitizer "
			     "runtime", t->name);
		return MG_EXIT_USAGE;
	}
	(void)snprintf(lib, sizeof(lib), "%s/freestanding/libmorgana-%s.a", tree->build,
		       t->name);
	(void)snprintf(libc, sizeof(libc), "%s/freestanding/libc.a", tree->build);
	if (access(lib, R_OK) != 0 || access(libc, R_OK) != 0) {
		mg_cli_error("%s is missing: run 'make' in %s first",
			     access(lib, R_OK) != 0 ? lib : libc, tree->src);
		return MG_EXIT_MISSING;
	}
	if ((rc = compiler_argv(&argv)) != 0 ||
	    (rc = compiler_include_dir(argv.v, gcc_include, sizeof(gcc_include))) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(cflags) / sizeof(cflags[0]); i++)
		if ((rc = mg_strv_push(&argv, cflags[i])) != 0)
			goto out;
	if ((rc = mg_strv_push(&argv, "-isystem")) != 0 ||
	    (rc = mg_strv_push(&argv, gcc_include)) != 0 ||
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
	for (size_t i = 0; i < sizeof(ldflags) / sizeof(ldflags[0]); i++)
		if ((rc = mg_strv_push(&argv, ldflags[i])) != 0)
			goto out;
	if ((rc = mg_strv_pushf(&argv, "-Wl,-T,%s/platform/%s/%s.ld", tree->src, t->name,
				t->name)) != 0 ||
	    (rc = mg_strv_push(&argv, "-Wl,--start-group")) != 0 ||
	    (rc = mg_strv_push(&argv, lib)) != 0 ||
	    (rc = mg_strv_push(&argv, libc)) != 0 ||
	    (rc = mg_strv_push(&argv, "-Wl,--end-group")) != 0 ||
	    (rc = mg_strv_push(&argv, "-lgcc")) != 0 ||
	    (rc = mg_strv_push(&argv, "-o")) != 0 ||
	    (rc = mg_strv_push(&argv, out)) != 0)
		goto out;
	if ((rc = mg_cli_spawn(argv.v, "compiler")) == 0)
		rc = split_debug_info(out);
out:
	mg_strv_free(&argv);
	return rc;
}

/*
 * Debug information is most of an unstripped image (hello: 210 KiB of 218) and the
 * tenders have no use for it; it goes to OUT.debug, for gdb and addr2line (the symbol
 * table stays in the image, so fault addresses can still be named).
 */
static int
split_debug_info(const char *out)
{
	const char *objcopy = getenv("OBJCOPY");
	struct mg_strv keep = { 0 }, strip = { 0 };
	int rc;

	if (objcopy == NULL || *objcopy == '\0')
		objcopy = "objcopy";
	if ((rc = mg_strv_push(&keep, objcopy)) != 0 ||
	    (rc = mg_strv_push(&keep, "--only-keep-debug")) != 0 ||
	    (rc = mg_strv_push(&keep, out)) != 0 ||
	    (rc = mg_strv_pushf(&keep, "%s.debug", out)) != 0 ||
	    (rc = mg_strv_push(&strip, objcopy)) != 0 ||
	    (rc = mg_strv_push(&strip, "--strip-debug")) != 0 ||
	    (rc = mg_strv_push(&strip, out)) != 0)
		goto out;
	if ((rc = mg_cli_spawn(keep.v, "objcopy")) == 0)
		rc = mg_cli_spawn(strip.v, "objcopy");
out:
	mg_strv_free(&keep);
	mg_strv_free(&strip);
	return rc;
}

/*
 * The tender needs /dev/kvm to open and to give a VM; without it the user is better told
 * so here, in one line, than by the tender after the build.
 */
static int
kvm_usable(char *why, size_t why_len)
{
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		(void)snprintf(why, why_len, "cannot open /dev/kvm: %s", strerror(errno));
		return -1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		(void)snprintf(why, why_len, "/dev/kvm gives no VM (KVM_CREATE_VM: %s)",
			       strerror(errno));
	else
		close(vm);
	close(kvm);
	return vm < 0 ? -1 : 0;
}

/* morgana-TARGET [--mem=MB] [--net:NAME=TAPIF]... [--block:NAME=PATH]... -- IMAGE ARGS */
static int
guest_run(const struct guest_target *t, const char *image, const struct mg_run_opts *opts)
{
	struct mg_cli_tree tree;
	struct mg_strv argv = { 0 };
	char why[256];
	int rc;

	if (t->usable != NULL && t->usable(why, sizeof(why)) != 0) {
		mg_cli_error("%s: %s", why, t->unusable_hint);
		return MG_EXIT_MISSING;
	}
	if ((rc = mg_cli_find_tree(&tree)) != 0)
		return rc;
	if ((rc = mg_strv_pushf(&argv, "%s/bin/morgana-%s", tree.build, t->name)) != 0)
		goto out;
	if (opts->mem_mb != NULL && (rc = mg_strv_pushf(&argv, "--mem=%s", opts->mem_mb)) != 0)
		goto out;
	if (opts->net_offload != NULL &&
	    (rc = mg_strv_pushf(&argv, "--net-offload=%s", opts->net_offload)) != 0)
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
	execv(argv.v[0], argv.v);
	mg_cli_error("cannot run the tender '%s': %s (run 'make' in %s first)", argv.v[0],
		     strerror(errno), tree.src);
	rc = MG_EXIT_MISSING;
out:
	mg_strv_free(&argv);
	return rc;
}

int
mg_hvt_build(const struct mg_app *app, const struct mg_cli_tree *tree,
	     const char *manifest_c, const char *out, bool sanitize)
{
	return guest_build(&hvt_target, app, tree, manifest_c, out, sanitize);
}

int
mg_hvt_run(const char *image, const struct mg_run_opts *opts)
{
	return guest_run(&hvt_target, image, opts);
}

int
mg_spt_build(const struct mg_app *app, const struct mg_cli_tree *tree,
	     const char *manifest_c, const char *out, bool sanitize)
{
	return guest_build(&spt_target, app, tree, manifest_c, out, sanitize);
}

int
mg_spt_run(const char *image, const struct mg_run_opts *opts)
{
	return guest_run(&spt_target, image, opts);
}
