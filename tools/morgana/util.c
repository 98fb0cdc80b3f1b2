/* SPDX-License-Identifier: ISC */
/*
 * util.c -- the small machinery every `morgana` command uses: the one-line error
 * reporter, string vectors, option values, running a child process and finding the
 * Morgana tree the tool belongs to.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

static int dir_of(char *path);
static bool has_plat_h(const char *src);
static int set_path(char *dst, const char *src, const char *what);

void
mg_cli_error(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	memcpy(line, "morgana: ", 9);
	va_start(ap, fmt);
	n = vsnprintf(line + 9, sizeof(line) - 10, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	n += 9;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	for (int i = 9; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[n++] = '\n';
	/* Nothing useful is left to do if stderr is gone. */
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

int
mg_strv_push(struct mg_strv *sv, const char *s)
{
	char *copy;

	if (sv->count + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 16;
		char **v = realloc(sv->v, cap * sizeof(*v));
		if (v == NULL)
			goto fail;
		sv->v = v;
		sv->cap = cap;
	}
	if ((copy = strdup(s)) == NULL)
		goto fail;
	sv->v[sv->count++] = copy;
	sv->v[sv->count] = NULL;
	return 0;
fail:
	mg_cli_error("out of memory");
	return MG_EXIT_OS;
}

int
mg_strv_pushf(struct mg_strv *sv, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		mg_cli_error("out of memory");
		return MG_EXIT_OS;
	}
	rc = mg_strv_push(sv, s);
	free(s);
	return rc;
}

int
mg_strv_push_words(struct mg_strv *sv, const char *s)
{
	while (*s != '\0') {
		size_t n;
		int rc;

		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n == 0)
			break;
		if ((rc = mg_strv_pushf(sv, "%.*s", (int)n, s)) != 0)
			return rc;
		s += n;
	}
	return 0;
}

void
mg_strv_free(struct mg_strv *sv)
{
	for (size_t i = 0; i < sv->count; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->count = sv->cap = 0;
}

bool
mg_opt_value(char **argv, int argc, int *i, const char *short_opt, const char *long_opt,
	     const char **value, int *rc)
{
	const char *arg = argv[*i];
	const char *flag = long_opt;
	size_t long_len = strlen(long_opt);

	*rc = 0;
	if (strcmp(arg, long_opt) == 0 || (short_opt != NULL && strcmp(arg, short_opt) == 0)) {
		flag = arg;
		if (*i + 1 >= argc) {
			mg_cli_error("flag '%s' needs a value", arg);
			*rc = MG_EXIT_USAGE;
			return true;
		}
		*value = argv[++*i];
	} else if (strncmp(arg, long_opt, long_len) == 0 && arg[long_len] == '=') {
		*value = arg + long_len + 1;
	} else if (short_opt != NULL && strncmp(arg, short_opt, 2) == 0 && arg[2] != '\0') {
		flag = short_opt;
		*value = arg + 2;
	} else {
		return false;
	}
	if (**value == '\0') {
		mg_cli_error("flag '%s' needs a non-empty value", flag);
		*rc = MG_EXIT_USAGE;
	}
	return true;
}

/* A signal that arrived while a child ran; the child gets it too, and the caller then
 * cleans up its temporary files instead of dying with them in place. */
static volatile sig_atomic_t caught_signal;
static volatile pid_t running_child;

static void
forward_signal(int sig)
{
	int saved_errno = errno;

	caught_signal = sig;
	if (running_child > 0)
		(void)kill(running_child, sig);
	errno = saved_errno;
}

int
mg_cli_spawn(char *const *argv, const char *what)
{
	static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction catch = { .sa_handler = forward_signal }, saved[3];
	pid_t pid;
	int err, status, rc;

	/* Caught signals are reset to their defaults in the child by exec. */
	(void)sigemptyset(&catch.sa_mask);
	catch.sa_flags = SA_RESTART;
	caught_signal = 0;
	running_child = 0;
	for (size_t i = 0; i < 3; i++)
		(void)sigaction(forwarded[i], &catch, &saved[i]);
	err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (err != 0) {
		mg_cli_error("cannot run the %s '%s': %s", what, argv[0], strerror(err));
		rc = MG_EXIT_MISSING;
		goto out;
	}
	/* A signal before this line is forwarded here, one after it by the handler. */
	running_child = pid;
	if (caught_signal != 0)
		(void)kill(pid, caught_signal);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			mg_cli_error("waiting for the %s: %s", what, strerror(errno));
			rc = MG_EXIT_OS;
			goto out;
		}
	}
	rc = 0;
	if (caught_signal != 0) {
		mg_cli_error("interrupted by signal %d (%s)", (int)caught_signal,
			     strsignal(caught_signal));
		rc = MG_EXIT_BUILD;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		mg_cli_error("the %s '%s' failed (exit status %d)", what, argv[0],
			     WEXITSTATUS(status));
		rc = MG_EXIT_BUILD;
	} else if (WIFSIGNALED(status)) {
		mg_cli_error("the %s '%s' was killed by signal %d (%s)", what, argv[0],
			     WTERMSIG(status), strsignal(WTERMSIG(status)));
		rc = MG_EXIT_BUILD;
	}
out:
	running_child = 0;
	for (size_t i = 0; i < 3; i++)
		(void)sigaction(forwarded[i], &saved[i], NULL);
	return rc;
}

/* Cut path at its last '/' (to "/" for a file in the root); -EINVAL if it has none. */
static int
dir_of(char *path)
{
	char *slash = strrchr(path, '/');

	if (slash == NULL)
		return -EINVAL;
	if (slash == path)
		slash++;
	*slash = '\0';
	return 0;
}

static bool
has_plat_h(const char *src)
{
	char path[PATH_MAX + 32];
	struct stat st;

	(void)snprintf(path, sizeof(path), "%s/include/morgana/plat.h", src);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
set_path(char *dst, const char *src, const char *what)
{
	size_t n = strlen(src);

	if (n == 0 || n >= PATH_MAX) {
		mg_cli_error("%s: %s path", what, n == 0 ? "empty" : "overlong");
		return MG_EXIT_USAGE;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int
mg_cli_find_tree(struct mg_cli_tree *tree)
{
	const char *env_build = getenv("MORGANA_BUILD");
	const char *env_src = getenv("MORGANA_ROOT");
	int rc;

	if (env_build != NULL && *env_build != '\0') {
		if ((rc = set_path(tree->build, env_build, "MORGANA_BUILD")) != 0)
			return rc;
		/* Absolute, so that the sources can be looked for above it. */
		if (realpath(env_build, tree->build) == NULL)
			memcpy(tree->build, env_build, strlen(env_build) + 1);
	} else {
		/* The executable is BUILD/bin/morgana. */
		ssize_t n = readlink("/proc/self/exe", tree->build, sizeof(tree->build) - 1);
		if (n < 0 || (size_t)n >= sizeof(tree->build) - 1) {
			mg_cli_error("cannot find my own executable (/proc/self/exe): %s",
				     n < 0 ? strerror(errno) : "path too long");
			return MG_EXIT_MISSING;
		}
		tree->build[n] = '\0';
		if (dir_of(tree->build) != 0 || dir_of(tree->build) != 0) {
			mg_cli_error("cannot find the build folder above '%s'", tree->build);
			return MG_EXIT_MISSING;
		}
	}

	if (env_src != NULL && *env_src != '\0') {
		if ((rc = set_path(tree->src, env_src, "MORGANA_ROOT")) != 0)
			return rc;
		if (!has_plat_h(tree->src)) {
			mg_cli_error("MORGANA_ROOT '%s' has no include/morgana/plat.h", tree->src);
			return MG_EXIT_MISSING;
		}
		return 0;
	}
	memcpy(tree->src, tree->build, sizeof(tree->src));
	if (dir_of(tree->src) == 0 && has_plat_h(tree->src))
		return 0;
	if ((rc = set_path(tree->src, MORGANA_SRC_ROOT, "compiled-in source root")) != 0)
		return rc;
	if (!has_plat_h(tree->src)) {
		mg_cli_error("cannot find Morgana's sources (include/morgana/plat.h); "
			     "set MORGANA_ROOT to the source folder");
		return MG_EXIT_MISSING;
	}
	return 0;
}
