/* SPDX-License-Identifier: ISC */
/*
 * conf.h -- unikernel.conf, the file that names an application and its devices.
 *
 * The format is line based:
 *
 *	# a comment; '#' also ends a value, anywhere on a line
 *	name = hello		application name, required, exactly once
 *	net = service		a network device (repeatable)
 *	block = disk		a block device (repeatable)
 *	kv = htdocs ./public	a read-only key-value store filled from a folder (repeatable)
 *
 * Spaces and tabs around '=' and at either end of a line are optional; blank lines are
 * ignored; a line may end in "\r\n". Application names are 1..31 characters of [a-z0-9_-]
 * starting with a letter; device and store names the same without '-'. Device and store
 * names are unique across net, block and kv. A kv folder is a relative path of printable,
 * non-blank ASCII characters.
 *
 * mg_conf_parse() is pure: a buffer in, a struct or one error with its line number out.
 */
#ifndef MORGANA_TOOLS_CONF_H
#define MORGANA_TOOLS_CONF_H

#include <stddef.h>

#include <morgana/manifest.h>

#define MG_CONF_LINE_MAX	512u	/* bytes in a line, without its line ending */
#define MG_CONF_MAX_KV		16u	/* kv lines in one file */
#define MG_CONF_PATH_MAX	256u	/* bytes in a kv folder path, including the NUL */
#define MG_CONF_WHY_MAX		192u	/* bytes in an error message, including the NUL */

struct mg_conf_device {
	char name[MG_NAME_MAX];
	enum mg_device_type type;
	size_t line;		/* where it was declared, for error messages */
};

struct mg_conf_kv {
	char store[MG_NAME_MAX];
	char folder[MG_CONF_PATH_MAX];	/* relative to the application's folder */
	size_t line;
};

struct mg_conf {
	char name[MG_NAME_MAX];
	size_t name_line;
	size_t device_count;	/* <= MG_MANIFEST_MAX_DEVICES, in file order */
	struct mg_conf_device devices[MG_MANIFEST_MAX_DEVICES];
	size_t kv_count;	/* <= MG_CONF_MAX_KV, in file order */
	struct mg_conf_kv kvs[MG_CONF_MAX_KV];
};

struct mg_conf_error {
	/* 1-based line of the error; 0 when it concerns the whole file (no name line). */
	size_t line;
	/* One line of text, NUL-terminated, without the file name or line number. Bytes
	 * from the input that are not printable ASCII appear as \xHH. */
	char why[MG_CONF_WHY_MAX];
};

/*
 * Parse the len bytes at buf (not NUL-terminated; a NUL byte in it is an error) into
 * *conf. Returns 0, or -EINVAL with *err filled in and *conf in an unspecified state.
 */
int mg_conf_parse(const char *buf, size_t len, struct mg_conf *conf,
		  struct mg_conf_error *err);

/*
 * Check that the NUL-terminated name is a valid application name. Returns 0, or -EINVAL
 * with a one-line reason in why (why_len bytes, NUL-terminated).
 */
int mg_conf_check_app_name(const char *name, char *why, size_t why_len);

/* The same for a device name, given as the first len bytes of name. */
int mg_conf_check_device_name(const char *name, size_t len, char *why, size_t why_len);

#endif /* MORGANA_TOOLS_CONF_H */
