/* SPDX-License-Identifier: ISC */
/*
 * cli.h -- what the parts of the `morgana` command-line tool share: exit statuses, the
 * one-line error reporter, the target table, application folders and the source/build
 * tree the tool belongs to.
 *
 * Command functions return the process's exit status: 0, or one of the MG_EXIT_ codes
 * after they have printed exactly one line starting with "morgana: " on stderr
 * (a compiler's own output, passed through, is the only other thing written there).
 */
#ifndef MORGANA_TOOLS_CLI_H
#define MORGANA_TOOLS_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

#define MORGANA_VERSION "0.1.0"

/* Exit statuses, from sysexits(3) where one fits; all below 128 so no shell mistakes
 * them for a death by signal. */
enum {
	MG_EXIT_OK = 0,
	MG_EXIT_BUILD = 1,	/* the compiler or linker failed */
	MG_EXIT_USAGE = 64,	/* bad command line */
	MG_EXIT_CONF = 65,	/* bad unikernel.conf */
	MG_EXIT_MISSING = 69,	/* a folder, file, library or program is not there */
	MG_EXIT_OS = 71,	/* a system call failed (out of memory, fork, mkdtemp) */
	MG_EXIT_CANTCREAT = 73,	/* refusing to overwrite, or cannot create, a file */
	MG_EXIT_IO = 74,	/* reading or writing a file failed */
};

/* Print "morgana: MESSAGE\n" on stderr as one write; control characters in the message
 * (say, a newline in a file name) are shown as '?' so the line stays one line. */
void mg_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Where the tool finds headers (src) and libraries (build). */
struct mg_cli_tree {
	char src[PATH_MAX];	/* holds include/morgana/plat.h */
	char build[PATH_MAX];	/* holds <target>/libmorgana.a */
};

/* Locate the tree: MORGANA_ROOT / MORGANA_BUILD if set, else from the executable's own
 * path, else the source path compiled in. Returns 0 or an exit status. */
int mg_cli_find_tree(struct mg_cli_tree *tree);

/* An application folder, loaded: its conf and its C sources (sorted, for repeatable
 * builds). */
#define MG_APP_MAX_SOURCES 1024u
struct mg_app {
	char dir[PATH_MAX];	/* as given, without trailing slashes */
	struct mg_conf conf;
	size_t source_count;
	char **sources;		/* "DIR/file.c", malloc'd; freed by mg_app_free() */
};

int mg_app_load(struct mg_app *app, const char *dir);
void mg_app_free(struct mg_app *app);

/* A growable NULL-terminated vector of strings it owns (copies). */
struct mg_strv {
	char **v;
	size_t count;
	size_t cap;
};

/* Each returns 0 or MG_EXIT_OS after reporting. push_words pushes each blank-separated
 * word of s (no quoting: CC="ccache gcc" works, file names with blanks do not). */
int mg_strv_push(struct mg_strv *sv, const char *s);
int mg_strv_pushf(struct mg_strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mg_strv_push_words(struct mg_strv *sv, const char *s);
void mg_strv_free(struct mg_strv *sv);

/* Options of `morgana run` that the target passes on to the image. */
struct mg_run_opts {
	const char *mem_mb;		/* NULL if not given; else validated digits */
	const char *net_offload;	/* NULL if not given; else "on" or "off" */
	struct mg_strv devices;		/* "--net:NAME=TAPIF", "--block:NAME=PATH" */
	char **app_argv;		/* after "--" */
	int app_argc;
};

/*
 * A target. Adding one is an entry in mg_targets[] (targets.c) and its two functions.
 * build: compile app into out (a path the caller renames into place afterwards), with
 *	manifest_c the generated manifest source; returns 0 or an exit status.
 * run: replace the process with the image running (returns only on failure, with an
 *	exit status).
 */
struct mg_target {
	const char *name;
	int (*build)(const struct mg_app *app, const struct mg_cli_tree *tree,
		     const char *manifest_c, const char *out, bool sanitize);
	int (*run)(const char *image, const struct mg_run_opts *opts);
};

/* The freestanding guest targets (target_guest.c): hvt, KVM guest images run by
 * morgana-hvt, and spt, seccomp-confined processes run by morgana-spt. */
int mg_hvt_build(const struct mg_app *app, const struct mg_cli_tree *tree,
		 const char *manifest_c, const char *out, bool sanitize);
int mg_hvt_run(const char *image, const struct mg_run_opts *opts);
int mg_spt_build(const struct mg_app *app, const struct mg_cli_tree *tree,
		 const char *manifest_c, const char *out, bool sanitize);
int mg_spt_run(const char *image, const struct mg_run_opts *opts);

/* "unix, hvt, ...": the targets' names, for messages and help. */
const char *mg_target_names(void);

/* The target called name, or NULL after reporting "unknown target". */
const struct mg_target *mg_target_find(const char *name);

/* Build app for target into out (NULL: DIR/dist/NAME.TARGET, created). If out_path is
 * not NULL it receives the image's path (PATH_MAX bytes). Returns 0 or an exit status. */
int mg_build_app(const struct mg_target *target, const char *dir, const char *out,
		 bool sanitize, char *out_path);

/* Run argv as a child, stdio inherited; returns 0 or an exit status after reporting
 * what failed (what: a short noun for messages, e.g. "compiler"). */
int mg_cli_spawn(char *const *argv, const char *what);

/* The commands; argv[0] is the command's name. */
int mg_cmd_new(int argc, char **argv);
int mg_cmd_build(int argc, char **argv);
int mg_cmd_run(int argc, char **argv);

/* Print a command's help to stdout; returns false if there is no such command. */
bool mg_cli_help(const char *command);

/*
 * Option parsing shared by the commands: returns true if argv[*i] is the option long
 * (or short, if not NULL) and stores its value, taken from "--long=V", "-sV" or the next
 * argument; reports a missing value with *rc = MG_EXIT_USAGE.
 */
bool mg_opt_value(char **argv, int argc, int *i, const char *short_opt, const char *long_opt,
		  const char **value, int *rc);

#endif /* MORGANA_TOOLS_CLI_H */
