/* SPDX-License-Identifier: ISC */
/*
 * run.c -- `morgana run`: build an application folder if given one, then hand the image,
 * its devices and its arguments to the target's runner.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* Linux's IFNAMSIZ, including the NUL. */
#define TAP_NAME_MAX 16u
/* 1 TiB: beyond it a typo is likelier than a wish. */
#define MEM_MB_MAX 1048576ul

static int add_device(struct mg_run_opts *opts, const char *kind, const char *spec);
static int check_mem(const char *mb);

/* spec is NAME=TAPIF or NAME=PATH; kept as "--KIND:NAME=VALUE" for the image. */
static int
add_device(struct mg_run_opts *opts, const char *kind, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char why[MG_CONF_WHY_MAX];
	size_t name_len;

	if (eq == NULL || eq[1] == '\0') {
		mg_cli_error("--%s '%s': expected NAME=%s", kind, spec,
			     strcmp(kind, "net") == 0 ? "TAPIF" : "PATH");
		return MG_EXIT_USAGE;
	}
	name_len = (size_t)(eq - spec);
	if (mg_conf_check_device_name(spec, name_len, why, sizeof(why)) != 0) {
		mg_cli_error("--%s '%s': %s", kind, spec, why);
		return MG_EXIT_USAGE;
	}
	if (strcmp(kind, "net") == 0 && strlen(eq + 1) >= TAP_NAME_MAX) {
		mg_cli_error("--net '%s': interface name longer than %u characters", spec,
			     TAP_NAME_MAX - 1);
		return MG_EXIT_USAGE;
	}
	for (size_t i = 0; i < opts->devices.count; i++) {
		const char *other = strchr(opts->devices.v[i], ':') + 1;
		if (strncmp(other, spec, name_len + 1) == 0) {
			mg_cli_error("device '%.*s' is given twice", (int)name_len, spec);
			return MG_EXIT_USAGE;
		}
	}
	return mg_strv_pushf(&opts->devices, "--%s:%s", kind, spec);
}

static int
check_mem(const char *mb)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(mb, &end, 10);
	if (mb[0] < '0' || mb[0] > '9' || *end != '\0' || errno != 0 || n == 0 ||
	    n > MEM_MB_MAX) {
		mg_cli_error("--mem '%s': expected a number of megabytes, 1..%lu", mb,
			     MEM_MB_MAX);
		return MG_EXIT_USAGE;
	}
	return 0;
}

int
mg_cmd_run(int argc, char **argv)
{
	const char *target_name = "unix", *path = NULL, *value;
	const struct mg_target *target;
	struct mg_run_opts opts = { 0 };
	char image[PATH_MAX];
	struct stat st;
	int rc = 0;

	for (int i = 1; i < argc && rc == 0; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0) {
			opts.app_argv = argv + i + 1;
			opts.app_argc = argc - i - 1;
			break;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			mg_cli_help("run");
			goto out;
		}
		if (mg_opt_value(argv, argc, &i, "-t", "--target", &target_name, &rc))
			continue;
		if (mg_opt_value(argv, argc, &i, NULL, "--mem", &opts.mem_mb, &rc)) {
			if (rc == 0)
				rc = check_mem(opts.mem_mb);
			continue;
		}
		if (strcmp(arg, "--net-offload=on") == 0 || strcmp(arg, "--net-offload=off") == 0) {
			opts.net_offload = arg + strlen("--net-offload=");
			continue;
		}
		if (strncmp(arg, "--net:", 6) == 0) {
			rc = add_device(&opts, "net", arg + 6);
			continue;
		}
		if (strncmp(arg, "--block:", 8) == 0) {
			rc = add_device(&opts, "block", arg + 8);
			continue;
		}
		if (mg_opt_value(argv, argc, &i, NULL, "--net", &value, &rc)) {
			if (rc == 0)
				rc = add_device(&opts, "net", value);
			continue;
		}
		if (mg_opt_value(argv, argc, &i, NULL, "--block", &value, &rc)) {
			if (rc == 0)
				rc = add_device(&opts, "block", value);
			continue;
		}
		if (arg[0] == '-' && arg[1] != '\0') {
			mg_cli_error("unknown flag '%s' for run (see 'morgana run --help')", arg);
			rc = MG_EXIT_USAGE;
		} else if (path != NULL) {
			mg_cli_error("unexpected argument '%s': the unikernel's arguments go "
				     "after '--'", arg);
			rc = MG_EXIT_USAGE;
		} else {
			path = arg;
		}
	}
	if (rc != 0)
		goto out;
	if (path == NULL) {
		mg_cli_error("missing APPDIR or IMAGE (usage: morgana run [-t TARGET] "
			     "[options] APPDIR|IMAGE [-- ARGS...])");
		rc = MG_EXIT_USAGE;
		goto out;
	}
	if ((target = mg_target_find(target_name)) == NULL) {
		rc = MG_EXIT_USAGE;
		goto out;
	}
	if (stat(path, &st) != 0) {
		mg_cli_error("no such application folder or image '%s'", path);
		rc = MG_EXIT_MISSING;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		if ((rc = mg_build_app(target, path, NULL, false, image)) != 0)
			goto out;
		path = image;
	} else if (!S_ISREG(st.st_mode)) {
		mg_cli_error("'%s' is neither an application folder nor an image", path);
		rc = MG_EXIT_MISSING;
		goto out;
	}
	rc = target->run(path, &opts);
out:
	mg_strv_free(&opts.devices);
	return rc;
}
