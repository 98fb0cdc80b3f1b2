/* SPDX-License-Identifier: ISC */
/*
 * plat_boot.c -- unit tests of the unix target's start-up, __wrap_main() and mg_unix_boot(),
 * without the runtime: this file stands in for the app (__real_main, the generated
 * mg_manifest_note) and for the runtime (mg_runtime_start records what it was given).
 * Each start runs in a child process, since start-up ends by exiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../platform/unix/unix.h"

/* What the stand-in runtime saw, sent to the test through a pipe. */
struct record {
	char cmdline[256];
	uintptr_t heap_start;
	size_t heap_size;
	uint64_t tsc_hz;
	uint8_t seed[32];
	int manifest_is_the_image_s;
	int disk_acquired;
	uint64_t disk_capacity;
};

struct outcome {
	int status;		/* exit status, or 128 + signal */
	char err[1024];		/* everything on stderr */
	struct record rec;
	bool booted;		/* the runtime was entered */
};

const struct mg_manifest_note mg_manifest_note = {
	.namesz = sizeof(MG_MANIFEST_NOTE_NAME),
	.descsz = sizeof(struct mg_manifest),
	.type = MG_MANIFEST_NOTE_TYPE,
	.name = MG_MANIFEST_NOTE_NAME,
	.desc = {
		.version = MG_MANIFEST_VERSION,
		.device_count = 1,
		.app_name = "hello",
		.devices = { { .name = "disk", .type = MG_DEVICE_BLOCK } },
	},
};

static const struct mg_manifest *expected_manifest;
static int record_fd = -1;
static char disk_path[64];

int
__real_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 42;
}

_Noreturn void
mg_runtime_start(const struct mg_plat_boot_info *info, int (*app_main)(int argc, char **argv))
{
	struct record rec = { 0 };
	struct mg_plat_block_info binfo;
	mg_plat_handle h;
	char *argv[] = { (char *)"hello", NULL };

	snprintf(rec.cmdline, sizeof(rec.cmdline), "%s", info->cmdline);
	rec.heap_start = info->heap_start;
	rec.heap_size = info->heap_size;
	rec.tsc_hz = info->tsc_hz;
	memcpy(rec.seed, info->seed, sizeof(rec.seed));
	rec.manifest_is_the_image_s = info->manifest == expected_manifest;
	if (mg_plat_block_acquire("disk", &h, &binfo) == 0) {
		rec.disk_acquired = 1;
		rec.disk_capacity = binfo.capacity;
	}
	if (write(record_fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
		abort();
	mg_plat_exit(app_main(1, argv));
}

/*
 * Start in a child: through __wrap_main() if note is NULL, else through mg_unix_boot()
 * with that note. argv is NULL-terminated.
 */
static void
start(const struct mg_manifest_note *note, char **argv, struct outcome *out)
{
	int err_pipe[2], rec_pipe[2], status, argc = 0;
	ssize_t n;
	size_t have = 0;
	pid_t child;

	while (argv[argc] != NULL)
		argc++;
	memset(out, 0, sizeof(*out));
	assert_int_equal(pipe(err_pipe), 0);
	assert_int_equal(pipe(rec_pipe), 0);
	fflush(NULL);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		dup2(err_pipe[1], STDERR_FILENO);
		record_fd = rec_pipe[1];
		expected_manifest = note != NULL ? &note->desc : &mg_manifest_note.desc;
		if (note == NULL)
			_exit(__wrap_main(argc, argv) + 100);
		mg_unix_boot(note, argc, argv, __real_main);
	}
	close(err_pipe[1]);
	close(rec_pipe[1]);
	assert_int_equal(waitpid(child, &status, 0), child);
	while ((n = read(err_pipe[0], out->err + have, sizeof(out->err) - 1 - have)) > 0)
		have += (size_t)n;
	out->booted = read(rec_pipe[0], &out->rec, sizeof(out->rec)) == sizeof(out->rec);
	close(err_pipe[0]);
	close(rec_pipe[0]);
	out->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(disk_path, sizeof(disk_path), "/tmp/mg-plat-boot-XXXXXX");
	fd = mkstemp(disk_path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8 * 512), 0);
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(disk_path);
	return 0;
}

static void
test_good_start_hands_the_runtime_everything(void **state)
{
	char flag[96];
	char *argv[] = { "./hello.unix", flag, "--mem=64", "--", "a b", "it's", "", NULL };
	struct outcome a, b;

	(void)state;
	snprintf(flag, sizeof(flag), "--block:disk=%s", disk_path);
	start(NULL, argv, &a);
	assert_string_equal(a.err, "");
	assert_true(a.booted);
	/* The app's main ran and its status is the process's. */
	assert_int_equal(a.status, 42);
	assert_string_equal(a.rec.cmdline, "'a b' 'it'\\''s' ''");
	assert_int_equal(a.rec.heap_start, 0);
	assert_int_equal(a.rec.heap_size, 0);
	assert_int_equal(a.rec.tsc_hz, 0);
	assert_true(a.rec.manifest_is_the_image_s);
	assert_true(a.rec.disk_acquired);
	assert_int_equal(a.rec.disk_capacity, 8 * 512);
	/* The seed is fresh for every boot. */
	start(NULL, argv, &b);
	assert_true(b.booted);
	assert_memory_not_equal(a.rec.seed, b.rec.seed, sizeof(a.rec.seed));
}

static void
test_usage_errors_exit_64_with_one_line(void **state)
{
	char *none[] = { "./hello.unix", NULL };
	char *twice[] = { "./hello.unix", "--block:disk=/x", "--block:disk=/y", NULL };
	char *missing[] = { "./hello.unix", "--block:disk=/nonexistent/d.img", NULL };
	struct outcome o;

	(void)state;
	start(NULL, none, &o);
	assert_false(o.booted);
	assert_int_equal(o.status, MG_UNIX_EX_USAGE);
	assert_string_equal(o.err, "hello: block device 'disk' is declared in unikernel.conf "
			    "but not attached: add --block:disk=PATH\n");

	start(NULL, twice, &o);
	assert_int_equal(o.status, MG_UNIX_EX_USAGE);
	assert_string_equal(o.err, "hello: --block:disk=/y: device 'disk' is already attached "
			    "by --block:disk=/x; expected one --block:disk flag\n");

	start(NULL, missing, &o);
	assert_false(o.booted);
	assert_int_equal(o.status, MG_UNIX_EX_USAGE);
	assert_string_equal(o.err, "hello: --block:disk=/nonexistent/d.img: cannot open "
			    "'/nonexistent/d.img' for reading and writing: No such file or "
			    "directory; expected an existing file you may write (create one: "
			    "truncate -s 64M FILE)\n");
}

static void
test_broken_manifest_exits_70_with_the_reason(void **state)
{
	struct mg_manifest_note note = mg_manifest_note;
	char *argv[] = { "./hello.unix", NULL };
	struct outcome o;

	(void)state;
	note.desc.version = 9;
	start(&note, argv, &o);
	assert_false(o.booted);
	assert_int_equal(o.status, MG_UNIX_EX_SOFTWARE);
	assert_string_equal(o.err, "./hello.unix: this image's device manifest is broken "
			    "(manifest version 9 is not supported; expected 1); rebuild it "
			    "with morgana build\n");

	note = mg_manifest_note;
	note.type = 0;
	start(&note, argv, &o);
	assert_int_equal(o.status, MG_UNIX_EX_SOFTWARE);
	assert_non_null(strstr(o.err, "manifest note header is not Morgana's"));

	note = mg_manifest_note;
	note.desc.devices[0].name[0] = '\n';
	start(&note, argv, &o);
	assert_int_equal(o.status, MG_UNIX_EX_SOFTWARE);
	assert_non_null(strstr(o.err, "device 0's name has a disallowed character"));
}

static void
test_start_without_arguments_or_devices_boots(void **state)
{
	struct mg_manifest_note note = mg_manifest_note;
	char *argv0_only[] = { "\x1b[31m", "--", "--block:disk=x", NULL };
	char *no_argv[] = { NULL };
	struct outcome o;

	(void)state;
	note.desc.device_count = 0;
	start(&note, no_argv, &o);
	assert_true(o.booted);
	assert_int_equal(o.status, 42);
	assert_string_equal(o.rec.cmdline, "");
	assert_false(o.rec.disk_acquired);
	/* The runtime gets the manifest start-up checked, not some other one. */
	assert_true(o.rec.manifest_is_the_image_s);

	start(&note, argv0_only, &o);
	assert_true(o.booted);
	assert_string_equal(o.rec.cmdline, "'--block:disk=x'");
	/* An undeclared device stays unreachable even when the command line names it. */
	assert_false(o.rec.disk_acquired);

	/* A hostile argv[0] cannot paint the terminal. */
	note.desc.version = 0;
	start(&note, argv0_only, &o);
	assert_int_equal(o.status, MG_UNIX_EX_SOFTWARE);
	assert_null(strchr(o.err, '\x1b'));
	assert_ptr_equal(strchr(o.err, '\n'), o.err + strlen(o.err) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_start_hands_the_runtime_everything),
		cmocka_unit_test(test_usage_errors_exit_64_with_one_line),
		cmocka_unit_test(test_broken_manifest_exits_70_with_the_reason),
		cmocka_unit_test(test_start_without_arguments_or_devices_boots),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
