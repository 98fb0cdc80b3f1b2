/* SPDX-License-Identifier: ISC */
/*
 * new.c -- `morgana new NAME`: create the folder NAME/ holding a unikernel.conf and a
 * small program a newcomer can build, run and change.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* "@NAME@" in a template stands for the application's name. */
static const char conf_template[] =
	"# @NAME@: the application's name and the devices it needs.\n"
	"name = @NAME@\n"
	"\n"
	"# Declare devices and stores one per line, for example:\n"
	"#   net = service           a network interface; run with --net service=tap0\n"
	"#   block = disk            a block device; run with --block disk=disk.img\n"
	"# See docs/cli.md in the Morgana tree for the whole format.\n";

static const char main_template[] =
	"/*\n"
	" * @NAME@ -- a Morgana unikernel.\n"
	" *\n"
	" *   morgana build @NAME@                 # the image is @NAME@/dist/@NAME@.unix\n"
	" *   morgana run @NAME@ -- Morgana        # build if needed, then run with an argument\n"
	" *\n"
	" * main() runs as the unikernel's first fiber; when it returns, the unikernel exits\n"
	" * with its return value as the status. Fibers are cooperative: one runs at a time\n"
	" * until it sleeps, waits or returns.\n"
	" */\n"
	"#include <stdint.h>\n"
	"#include <stdio.h>\n"
	"\n"
	"#include <morgana/fiber.h>\n"
	"\n"
	"#define GREETINGS 3\n"
	"#define INTERVAL_NS (250ull * 1000 * 1000) /* a quarter of a second */\n"
	"\n"
	"static char default_who[] = \"world\";\n"
	"\n"
	"/* A fiber's body: its return value is what mg_fiber_join() hands back. */\n"
	"static int\n"
	"greeter(void *arg)\n"
	"{\n"
	"\tconst char *who = arg;\n"
	"\n"
	"\tfor (int i = 1; i <= GREETINGS; i++) {\n"
	"\t\tprintf(\"Hello, %s! (%d of %d)\\n\", who, i, GREETINGS);\n"
	"\t\t/* Suspends this fiber only; others (here: none but main, which waits\n"
	"\t\t * in mg_fiber_join) keep running. */\n"
	"\t\tmg_sleep_ns(INTERVAL_NS);\n"
	"\t}\n"
	"\treturn 0;\n"
	"}\n"
	"\n"
	"int\n"
	"main(int argc, char **argv)\n"
	"{\n"
	"\t/* argv[0] is the application's name; the rest is what follows \"--\" on the\n"
	"\t * `morgana run` command line. */\n"
	"\tchar *who = argc > 1 ? argv[1] : default_who;\n"
	"\tstruct mg_fiber *fiber;\n"
	"\tint status;\n"
	"\n"
	"\t/* A stack size of 0 asks for the runtime's default. */\n"
	"\tfiber = mg_fiber_spawn(\"greeter\", greeter, who, 0);\n"
	"\tif (fiber == NULL) {\n"
	"\t\tprintf(\"cannot start the greeter fiber\\n\");\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tif (mg_fiber_join(fiber, &status) != 0) {\n"
	"\t\tprintf(\"cannot join the greeter fiber\\n\");\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tprintf(\"Goodbye from @NAME@.\\n\");\n"
	"\treturn status;\n"
	"}\n";

static int write_template(const char *dir, const char *file, const char *tmpl,
			  const char *name);

static int
write_template(const char *dir, const char *file, const char *tmpl, const char *name)
{
	char path[PATH_MAX];
	const char *p = tmpl, *mark;
	FILE *f;
	int fd, failed;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		mg_cli_error("cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return MG_EXIT_CANTCREAT;
	}
	while ((mark = strstr(p, "@NAME@")) != NULL) {
		fwrite(p, 1, (size_t)(mark - p), f);
		fputs(name, f);
		p = mark + strlen("@NAME@");
	}
	fputs(p, f);
	failed = ferror(f);
	if (fclose(f) != 0 || failed) {
		mg_cli_error("writing '%s' failed", path);
		return MG_EXIT_IO;
	}
	return 0;
}

int
mg_cmd_new(int argc, char **argv)
{
	const char *name = NULL;
	char why[MG_CONF_WHY_MAX], path[PATH_MAX];
	int rc;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			mg_cli_help("new");
			return 0;
		}
		if (arg[0] == '-' && arg[1] != '\0') {
			mg_cli_error("unknown flag '%s' for new (see 'morgana new --help')", arg);
			return MG_EXIT_USAGE;
		}
		if (name != NULL) {
			mg_cli_error("unexpected argument '%s': new takes one NAME", arg);
			return MG_EXIT_USAGE;
		}
		name = arg;
	}
	if (name == NULL) {
		mg_cli_error("missing NAME (usage: morgana new NAME)");
		return MG_EXIT_USAGE;
	}
	if (mg_conf_check_app_name(name, why, sizeof(why)) != 0) {
		mg_cli_error("%s", why);
		return MG_EXIT_USAGE;
	}
	/* mkdir is the existence check too: it never follows or replaces anything. */
	if (mkdir(name, 0777) != 0) {
		if (errno == EEXIST)
			mg_cli_error("'%s' already exists; choose another name", name);
		else
			mg_cli_error("cannot create '%s': %s", name, strerror(errno));
		return MG_EXIT_CANTCREAT;
	}
	if ((rc = write_template(name, "unikernel.conf", conf_template, name)) != 0 ||
	    (rc = write_template(name, "main.c", main_template, name)) != 0)
		goto fail;
	printf("created %s/ (unikernel.conf, main.c); next: morgana run %s\n", name, name);
	return 0;
fail:
	/* Leave nothing half-made behind. */
	(void)snprintf(path, sizeof(path), "%s/unikernel.conf", name);
	(void)unlink(path);
	(void)snprintf(path, sizeof(path), "%s/main.c", name);
	(void)unlink(path);
	(void)rmdir(name);
	return rc;
}
