/* SPDX-License-Identifier: ISC */
/*
 * main.c -- the `morgana` command: dispatch to a command, and the help texts.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_main[] =
	"usage: morgana COMMAND [ARGS...]\n"
	"\n"
	"Build and run Morgana unikernels. An application is a folder holding C files and a\n"
	"unikernel.conf that names it and the devices it needs.\n"
	"\n"
	"Commands:\n"
	"  new NAME               create the application folder NAME/ to start from\n"
	"  build APPDIR           compile an application into an image\n"
	"  run APPDIR|IMAGE       build an application if needed, then run it\n"
	"  help [COMMAND]         show this help, or a command's\n"
	"\n"
	"Options:\n"
	"  -h, --help             show this help\n"
	"  --version              show the version\n"
	"\n"
	"Examples:\n"
	"  morgana new hello\n"
	"  morgana build hello                  # makes hello/dist/hello.unix\n"
	"  morgana run hello -- --greeting=hi   # arguments after -- go to main()\n"
	"\n"
	"See 'morgana COMMAND --help' for a command's options.\n";

static const char usage_new[] =
	"usage: morgana new NAME\n"
	"\n"
	"Create the folder NAME/ with a unikernel.conf (name = NAME) and a main.c that\n"
	"greets from a fiber. NAME: 1 to 31 characters of a-z, 0-9, '_' and '-', starting\n"
	"with a letter. An existing file or folder is never touched.\n"
	"\n"
	"Example:\n"
	"  morgana new hello && morgana run hello\n";

static const char usage_build[] =
	"usage: morgana build [-t TARGET] [-o FILE] [--sanitize] APPDIR\n"
	"\n"
	"Compile the *.c files of APPDIR with its unikernel.conf into a unikernel image.\n"
	"\n"
	"Options:\n"
	"  -t, --target TARGET    what the image runs on (default: unix; available: @TARGETS@)\n"
	"  -o, --output FILE      where to write the image (default: APPDIR/dist/NAME.TARGET)\n"
	"  --sanitize             build with AddressSanitizer and UndefinedBehaviorSanitizer\n"
	"\n"
	"Environment:\n"
	"  CC                     the C compiler (default: cc)\n"
	"  MORGANA_CFLAGS         extra compiler flags, split at blanks (e.g. -Werror)\n"
	"  MORGANA_ROOT           Morgana's source folder (default: found from the tool)\n"
	"  MORGANA_BUILD          Morgana's build folder (default: the one holding bin/morgana)\n"
	"\n"
	"Examples:\n"
	"  morgana build hello\n"
	"  morgana build -t unix --sanitize -o /tmp/hello hello\n";

static const char usage_run[] =
	"usage: morgana run [-t TARGET] [--mem MB] [--net NAME=TAPIF]... [--block NAME=PATH]...\n"
	"                   APPDIR|IMAGE [-- ARGS...]\n"
	"\n"
	"Run a unikernel. Given an application folder, build it first (into\n"
	"APPDIR/dist/NAME.TARGET); given a file, run that image. ARGS go to main().\n"
	"\n"
	"Options:\n"
	"  -t, --target TARGET    the image's target (default: unix; available: @TARGETS@)\n"
	"  --mem MB               memory for the unikernel, in megabytes\n"
	"  --net NAME=TAPIF       attach the network device NAME to the TAP interface TAPIF\n"
	"                         (also spelt --net:NAME=TAPIF)\n"
	"  --block NAME=PATH      attach the block device NAME to the file PATH\n"
	"                         (also spelt --block:NAME=PATH)\n"
	"  --net-offload=off      TAP interfaces without checksum and segmentation\n"
	"                         offloads (default on)\n"
	"\n"
	"Every device unikernel.conf declares must be attached, and only those.\n"
	"\n"
	"Examples:\n"
	"  morgana run hello\n"
	"  morgana run --net service=tap0 website -- --ipv4=10.0.0.2/24\n"
	"  morgana run -t unix hello/dist/hello.unix -- Morgana\n";

static void print_usage(const char *text);

static const struct {
	const char *name;
	int (*run)(int, char **);
	const char *usage;
} commands[] = {
	{ "new", mg_cmd_new, usage_new },
	{ "build", mg_cmd_build, usage_build },
	{ "run", mg_cmd_run, usage_run },
};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

/* The text with "@TARGETS@" replaced by the targets' names, so the table in targets.c
 * is the only list of targets. */
static void
print_usage(const char *text)
{
	const char *mark;

	while ((mark = strstr(text, "@TARGETS@")) != NULL) {
		fwrite(text, 1, (size_t)(mark - text), stdout);
		fputs(mg_target_names(), stdout);
		text = mark + strlen("@TARGETS@");
	}
	fputs(text, stdout);
}

bool
mg_cli_help(const char *command)
{
	if (command == NULL) {
		print_usage(usage_main);
		return true;
	}
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		if (strcmp(commands[i].name, command) == 0) {
			print_usage(commands[i].usage);
			return true;
		}
	}
	return false;
}

static int
cmd_help(int argc, char **argv)
{
	if (argc > 2) {
		mg_cli_error("unexpected argument '%s': help takes one COMMAND", argv[2]);
		return MG_EXIT_USAGE;
	}
	/* "help", "help help" and "help --help" all mean the overview. */
	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		mg_cli_help(NULL);
		return 0;
	}
	if (!mg_cli_help(argv[1])) {
		mg_cli_error("no help for unknown command '%s' (commands: new, build, run)",
			     argv[1]);
		return MG_EXIT_USAGE;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *command;
	int rc;

	if (argc < 2) {
		mg_cli_error("missing command (see 'morgana --help')");
		return MG_EXIT_USAGE;
	}
	command = argv[1];
	if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0) {
		mg_cli_help(NULL);
		return 0;
	}
	if (strcmp(command, "--version") == 0 || strcmp(command, "-V") == 0) {
		printf("morgana %s\n", MORGANA_VERSION);
		return 0;
	}
	if (strcmp(command, "help") == 0)
		return cmd_help(argc - 1, argv + 1);
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		if (strcmp(commands[i].name, command) == 0) {
			rc = commands[i].run(argc - 1, argv + 1);
			if (fflush(stdout) != 0 && rc == 0) {
				mg_cli_error("writing to stdout failed");
				rc = MG_EXIT_IO;
			}
			return rc;
		}
	}
	if (command[0] == '-')
		mg_cli_error("unknown flag '%s' (see 'morgana --help')", command);
	else
		mg_cli_error("unknown command '%s' (see 'morgana --help')", command);
	return MG_EXIT_USAGE;
}
