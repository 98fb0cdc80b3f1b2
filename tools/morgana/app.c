/* SPDX-License-Identifier: ISC */
/*
 * app.c -- loading an application folder: its unikernel.conf and its *.c files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Far more than any sane unikernel.conf; keeps the read bounded. */
#define CONF_FILE_MAX (64u * 1024)

static int read_conf(struct mg_app *app);
static int list_sources(struct mg_app *app);
static int compare_strings(const void *a, const void *b);

static int
read_conf(struct mg_app *app)
{
	char path[PATH_MAX];
	char *buf = NULL;
	size_t len = 0;
	struct mg_conf_error err;
	int fd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/unikernel.conf", app->dir) >= sizeof(path)) {
		mg_cli_error("'%s': path too long", app->dir);
		return MG_EXIT_USAGE;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			mg_cli_error("'%s' has no unikernel.conf (is it an application folder?)",
				     app->dir);
		else
			mg_cli_error("%s: %s", path, strerror(errno));
		return errno == ENOENT ? MG_EXIT_MISSING : MG_EXIT_IO;
	}
	if ((buf = malloc(CONF_FILE_MAX + 1)) == NULL) {
		mg_cli_error("out of memory");
		rc = MG_EXIT_OS;
		goto out;
	}
	/* One byte more than allowed, to tell "exactly the limit" from "too big". */
	while (len < CONF_FILE_MAX + 1) {
		ssize_t n = read(fd, buf + len, CONF_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mg_cli_error("%s: %s", path, strerror(errno));
			rc = MG_EXIT_IO;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONF_FILE_MAX) {
		mg_cli_error("%s: larger than %u bytes", path, CONF_FILE_MAX);
		rc = MG_EXIT_CONF;
		goto out;
	}
	rc = 0;
	if (mg_conf_parse(buf, len, &app->conf, &err) != 0) {
		if (err.line > 0)
			mg_cli_error("%s:%zu: %s", path, err.line, err.why);
		else
			mg_cli_error("%s: %s", path, err.why);
		rc = MG_EXIT_CONF;
	}
out:
	free(buf);
	close(fd);
	return rc;
}

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
list_sources(struct mg_app *app)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if ((d = opendir(app->dir)) == NULL) {
		mg_cli_error("'%s': %s", app->dir, strerror(errno));
		return MG_EXIT_IO;
	}
	app->sources = calloc(MG_APP_MAX_SOURCES, sizeof(*app->sources));
	if (app->sources == NULL) {
		mg_cli_error("out of memory");
		rc = MG_EXIT_OS;
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		struct stat st;
		char *path;

		/* As the shell's *.c would: hidden files are not sources. */
		if (n < 3 || e->d_name[0] == '.' || strcmp(e->d_name + n - 2, ".c") != 0)
			continue;
		if (app->source_count == MG_APP_MAX_SOURCES) {
			mg_cli_error("'%s' has more than %u .c files", app->dir,
				     MG_APP_MAX_SOURCES);
			rc = MG_EXIT_USAGE;
			goto out;
		}
		if (asprintf(&path, "%s/%s", app->dir, e->d_name) < 0) {
			mg_cli_error("out of memory");
			rc = MG_EXIT_OS;
			goto out;
		}
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		app->sources[app->source_count++] = path;
	}
	if (app->source_count == 0) {
		mg_cli_error("'%s' has no .c files", app->dir);
		rc = MG_EXIT_MISSING;
		goto out;
	}
	qsort(app->sources, app->source_count, sizeof(*app->sources), compare_strings);
out:
	closedir(d);
	return rc;
}

int
mg_app_load(struct mg_app *app, const char *dir)
{
	struct stat st;
	int rc;

	size_t len = strlen(dir);

	memset(app, 0, sizeof(*app));
	/* "app/" and "app" name the same folder; keep paths in messages tidy. */
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len >= sizeof(app->dir)) {
		mg_cli_error("'%s': path too long", dir);
		return MG_EXIT_USAGE;
	}
	memcpy(app->dir, dir, len);
	app->dir[len] = '\0';
	dir = app->dir;
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT)
			mg_cli_error("no such folder '%s'", dir);
		else
			mg_cli_error("'%s': %s", dir, strerror(errno));
		return MG_EXIT_MISSING;
	}
	if (!S_ISDIR(st.st_mode)) {
		mg_cli_error("'%s' is not a folder", dir);
		return MG_EXIT_MISSING;
	}
	if ((rc = read_conf(app)) != 0)
		return rc;
	return list_sources(app);
}

void
mg_app_free(struct mg_app *app)
{
	for (size_t i = 0; i < app->source_count; i++)
		free(app->sources[i]);
	free(app->sources);
	app->sources = NULL;
	app->source_count = 0;
}
