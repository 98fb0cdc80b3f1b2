/* SPDX-License-Identifier: ISC */
/*
 * boot.c -- start-up of a unikernel built for the unix target.
 *
 * `morgana build -t unix` links the app with -Wl,--wrap=main, so the C library's start-up
 * code calls __wrap_main() here and the app's own main() becomes __real_main(). We check
 * the manifest the build embedded, take our flags off the front of the command line,
 * attach the declared devices and hand the rest to the runtime, which calls the app.
 *
 * Usage: APP [--net:NAME=TAPIF]... [--block:NAME=PATH]... [--mem=MB] [--] [APP ARGS]
 * --mem is accepted so that one command line works for unix and hvt alike; here the host
 * C library owns memory and the value is not used.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cpu.h"
#include "unix.h"

static _Noreturn void refuse_start(int status, const char *line);
static int check_note(const struct mg_manifest_note *note, char *why, size_t why_len);

/* The one line goes to stderr in one write so it cannot be torn. */
static _Noreturn void
refuse_start(int status, const char *line)
{
	char buf[MG_UNIX_ERR_MAX + 1];
	size_t len = strnlen(line, MG_UNIX_ERR_MAX), i;
	ssize_t n;

	memcpy(buf, line, len);
	/* argv[0] and friends may hold anything; keep it one printable line. */
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	buf[len++] = '\n';
	do
		n = write(STDERR_FILENO, buf, len);
	while (n < 0 && errno == EINTR);
	mg_plat_exit(status);
}

/* The note wrapper comes from the same generated file as the manifest; check it too. */
static int
check_note(const struct mg_manifest_note *note, char *why, size_t why_len)
{
	if (note->namesz != sizeof(MG_MANIFEST_NOTE_NAME) ||
	    note->descsz != sizeof(struct mg_manifest) ||
	    note->type != MG_MANIFEST_NOTE_TYPE ||
	    memcmp(note->name, MG_MANIFEST_NOTE_NAME, sizeof(MG_MANIFEST_NOTE_NAME)) != 0) {
		snprintf(why, why_len, "manifest note header is not Morgana's (namesz %u, "
			 "descsz %u, type 0x%x)", note->namesz, note->descsz, note->type);
		return -EINVAL;
	}
	return mg_manifest_check(&note->desc, why, why_len);
}

_Noreturn void
mg_unix_boot(const struct mg_manifest_note *note, int argc, char **argv,
	     int (*app_main)(int argc, char **argv))
{
	static struct mg_plat_boot_info info;
	static struct mg_unix_config cfg;
	char why[256], line[MG_UNIX_ERR_MAX];
	const char *self = argc > 0 && argv[0] != NULL ? argv[0] : "morgana";
	char *cmdline;
	size_t size;
	int rc;

	if (check_note(note, why, sizeof(why)) < 0) {
		snprintf(line, sizeof(line), "%.64s: this image's device manifest is broken (%s); "
			 "rebuild it with morgana build", self, why);
		refuse_start(MG_UNIX_EX_SOFTWARE, line);
	}
	if (mg_unix_parse_args(&note->desc, argc, argv, &cfg, line, sizeof(line)) < 0)
		refuse_start(MG_UNIX_EX_USAGE, line);
	if (mg_unix_attach(&note->desc, &cfg, line, sizeof(line)) < 0)
		refuse_start(MG_UNIX_EX_USAGE, line);

	size = mg_unix_quoted_size(cfg.app_argv, cfg.app_argc);
	cmdline = size > 0 ? malloc(size) : NULL;
	if (cmdline == NULL || mg_unix_quote_args(cfg.app_argv, cfg.app_argc, cmdline,
						  size) < 0) {
		snprintf(line, sizeof(line), "%s: no memory for a %zu-byte command line; "
			 "expected shorter arguments", note->desc.app_name, size);
		refuse_start(MG_UNIX_EX_OSERR, line);
	}
	rc = mg_unix_random(info.seed, sizeof(info.seed));
	if (rc < 0) {
		snprintf(line, sizeof(line), "%s: cannot read a boot seed from getrandom: %s; "
			 "expected a Linux kernel with getrandom(2)", note->desc.app_name,
			 strerror(-rc));
		refuse_start(MG_UNIX_EX_OSERR, line);
	}
	info.cmdline = cmdline;
	info.heap_start = 0;
	info.heap_size = 0;
	info.tsc_hz = 0;
	info.cpu_features = mg_cpu_features_host();
	info.manifest = &note->desc;
	/*
	 * Apps print with the host's printf and the runtime writes the console directly:
	 * an unbuffered stdout keeps the two in order and loses nothing at mg_plat_exit(),
	 * which does not flush stdio. glibc still formats each printf into one write.
	 */
	setvbuf(stdout, NULL, _IONBF, 0);
	mg_runtime_start(&info, app_main);
}

int
__wrap_main(int argc, char **argv)
{
	mg_unix_boot(&mg_manifest_note, argc, argv, __real_main);
}
