/* SPDX-License-Identifier: ISC */
/*
 * args.c -- the unix target's command line: platform flags in, a config out, and the
 * app's arguments quoted back into one boot command line.
 *
 * Both halves are pure so that every refusal can be unit-tested without a process. Each
 * refusal is one line that names the offending flag and says what would be accepted,
 * because the person reading it is usually typing `morgana run` for the first time.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "unix.h"

/* What a device flag looks like for each kind of device. */
struct flag_kind {
	uint32_t type;
	const char *keyword;	/* "--net" */
	const char *metavar;	/* "TAPIF" */
	const char *noun;	/* "net" */
};

static const struct flag_kind net_kind = { MG_DEVICE_NET, "--net", "TAPIF", "net" };
static const struct flag_kind block_kind = { MG_DEVICE_BLOCK, "--block", "PATH", "block" };

static int fail(char *err, size_t err_len, const struct mg_manifest *m, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool is_flag(const char *arg, const char *keyword);
static const struct flag_kind *kind_of(uint32_t type);
static int find_device(const struct mg_manifest *m, const char *name, size_t name_len);
static void list_devices(const struct mg_manifest *m, char *out, size_t out_len);
static int parse_device(const struct mg_manifest *m, const struct flag_kind *kind,
			const char *arg, struct mg_unix_config *cfg, char *err,
			size_t err_len);
static int parse_mem(const struct mg_manifest *m, const char *arg, const char **mem_flag,
		     struct mg_unix_config *cfg, char *err, size_t err_len);
static int parse_offload(const struct mg_manifest *m, const char *arg,
			 struct mg_unix_config *cfg, char *err, size_t err_len);

/*
 * Write "APP: " and the message into err, keep it to one printable line whatever the
 * arguments held, and return -EINVAL.
 */
static int
fail(char *err, size_t err_len, const struct mg_manifest *m, const char *fmt, ...)
{
	va_list ap;
	size_t i;
	int n;

	if (err == NULL || err_len == 0)
		return -EINVAL;
	n = snprintf(err, err_len, "%s: ", m->app_name);
	if (n >= 0 && (size_t)n < err_len) {
		va_start(ap, fmt);
		vsnprintf(err + n, err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	for (i = 0; err[i] != '\0'; i++)
		if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
			err[i] = '?';
	return -EINVAL;
}

/* "--net", "--net:..." and "--net=..." are ours; "--network" belongs to the app. */
static bool
is_flag(const char *arg, const char *keyword)
{
	size_t n = strlen(keyword);

	if (strncmp(arg, keyword, n) != 0)
		return false;
	return arg[n] == '\0' || arg[n] == ':' || arg[n] == '=';
}

static const struct flag_kind *
kind_of(uint32_t type)
{
	return type == MG_DEVICE_NET ? &net_kind : &block_kind;
}

/* Index of the device called name[0..name_len-1], or -1. */
static int
find_device(const struct mg_manifest *m, const char *name, size_t name_len)
{
	uint32_t i;

	if (name_len == 0 || name_len >= MG_NAME_MAX)
		return -1;
	for (i = 0; i < m->device_count; i++)
		if (memcmp(m->devices[i].name, name, name_len) == 0 &&
		    m->devices[i].name[name_len] == '\0')
			return (int)i;
	return -1;
}

/* "service (net), disk (block)" or "none". */
static void
list_devices(const struct mg_manifest *m, char *out, size_t out_len)
{
	size_t used = 0;
	uint32_t i;
	int n;

	snprintf(out, out_len, "none");
	for (i = 0; i < m->device_count && used < out_len; i++) {
		n = snprintf(out + used, out_len - used, "%s%s (%s)", i > 0 ? ", " : "",
			     m->devices[i].name, kind_of(m->devices[i].type)->noun);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static int
parse_device(const struct mg_manifest *m, const struct flag_kind *kind, const char *arg,
	     struct mg_unix_config *cfg, char *err, size_t err_len)
{
	const char *name, *eq, *value;
	char declared[MG_MANIFEST_MAX_DEVICES * (MG_NAME_MAX + 10)];
	size_t name_len;
	int idx;

	name = arg + strlen(kind->keyword);
	if (*name != ':')
		return fail(err, err_len, m, "%s: no device name; expected %s:NAME=%s", arg,
			    kind->keyword, kind->metavar);
	name++;
	eq = strchr(name, '=');
	name_len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	if (name_len == 0)
		return fail(err, err_len, m, "%s: no device name; expected %s:NAME=%s", arg,
			    kind->keyword, kind->metavar);
	idx = find_device(m, name, name_len);
	if (idx < 0) {
		list_devices(m, declared, sizeof(declared));
		return fail(err, err_len, m,
			    "%s: no device '%.*s' is declared in unikernel.conf; declared: %s",
			    arg, (int)(name_len > 64 ? 64 : name_len), name, declared);
	}
	name = m->devices[idx].name;
	if (m->devices[idx].type != kind->type) {
		const struct flag_kind *right = kind_of(m->devices[idx].type);

		return fail(err, err_len, m, "%s: '%s' is a %s device; expected %s:%s=%s",
			    arg, name, right->noun, right->keyword, name, right->metavar);
	}
	if (eq == NULL || eq[1] == '\0')
		return fail(err, err_len, m, "%s: needs =%s; expected %s:%s=%s", arg,
			    kind->metavar, kind->keyword, name, kind->metavar);
	if (cfg->attach[idx] != NULL)
		return fail(err, err_len, m,
			    "%s: device '%s' is already attached by %s; expected one %s:%s "
			    "flag", arg, name, cfg->flag[idx], kind->keyword, name);
	value = eq + 1;
	if (kind->type == MG_DEVICE_NET && strlen(value) >= IFNAMSIZ)
		return fail(err, err_len, m,
			    "%s: interface name is %zu bytes long; expected at most %d", arg,
			    strlen(value), IFNAMSIZ - 1);
	cfg->attach[idx] = value;
	cfg->flag[idx] = arg;
	return 0;
}

static int
parse_mem(const struct mg_manifest *m, const char *arg, const char **mem_flag,
	  struct mg_unix_config *cfg, char *err, size_t err_len)
{
	const char *digits = arg + strlen("--mem");
	uint32_t mb = 0;
	size_t i;

	if (*digits != '=' || digits[1] == '\0')
		return fail(err, err_len, m, "%s: needs a size; expected --mem=MB", arg);
	digits++;
	for (i = 0; digits[i] != '\0'; i++) {
		/* Seven digits already exceed the limit; stop before mb can overflow. */
		if (digits[i] < '0' || digits[i] > '9' || i >= 7)
			goto bad;
		mb = mb * 10 + (uint32_t)(digits[i] - '0');
	}
	if (mb == 0 || mb > MG_UNIX_MEM_MB_MAX)
		goto bad;
	if (*mem_flag != NULL)
		return fail(err, err_len, m, "%s: --mem is already given as %s; expected it "
			    "at most once", arg, *mem_flag);
	*mem_flag = arg;
	cfg->mem_mb = mb;
	return 0;
bad:
	return fail(err, err_len, m, "%s: not a size in megabytes; expected --mem=MB with MB "
		    "from 1 to %u", arg, MG_UNIX_MEM_MB_MAX);
}

/* --net-offload=on|off: whether TAP interfaces are opened with their offloads. */
static int
parse_offload(const struct mg_manifest *m, const char *arg, struct mg_unix_config *cfg,
	      char *err, size_t err_len)
{
	const char *v = arg + strlen("--net-offload");

	if (strcmp(v, "=on") == 0)
		cfg->net_offload_off = false;
	else if (strcmp(v, "=off") == 0)
		cfg->net_offload_off = true;
	else
		return fail(err, err_len, m, "%s: expected --net-offload=on or --net-offload=off",
			    arg);
	return 0;
}

int
mg_unix_parse_args(const struct mg_manifest *m, int argc, char *const *argv,
		   struct mg_unix_config *cfg, char *err, size_t err_len)
{
	const char *mem_flag = NULL;
	const struct flag_kind *kind;
	uint32_t i;
	int arg, rc;

	memset(cfg, 0, sizeof(*cfg));
	for (arg = 1; arg < argc && argv[arg] != NULL; arg++) {
		const char *a = argv[arg];

		if (strcmp(a, "--") == 0) {
			arg++;
			break;
		}
		if (is_flag(a, "--net"))
			rc = parse_device(m, &net_kind, a, cfg, err, err_len);
		else if (is_flag(a, "--block"))
			rc = parse_device(m, &block_kind, a, cfg, err, err_len);
		else if (is_flag(a, "--mem"))
			rc = parse_mem(m, a, &mem_flag, cfg, err, err_len);
		else if (is_flag(a, "--net-offload"))
			rc = parse_offload(m, a, cfg, err, err_len);
		else
			break;
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < m->device_count; i++) {
		if (cfg->attach[i] != NULL)
			continue;
		kind = kind_of(m->devices[i].type);
		return fail(err, err_len, m, "%s device '%s' is declared in unikernel.conf but "
			    "not attached: add %s:%s=%s", kind->noun, m->devices[i].name,
			    kind->keyword, m->devices[i].name, kind->metavar);
	}
	cfg->app_argc = arg < argc ? argc - arg : 0;
	cfg->app_argv = argv + arg;
	return 0;
}

size_t
mg_unix_quoted_size(char *const *args, int count)
{
	size_t size = 1, len;
	const char *p;
	int i;

	for (i = 0; i < count; i++) {
		len = 2 + (i > 0);
		for (p = args[i]; *p != '\0'; p++)
			len += *p == '\'' ? 4 : 1;
		if (__builtin_add_overflow(size, len, &size))
			return 0;
	}
	return size;
}

int
mg_unix_quote_args(char *const *args, int count, char *out, size_t out_len)
{
	size_t need = mg_unix_quoted_size(args, count), o = 0;
	const char *p;
	int i;

	if (need == 0 || need > out_len)
		return -ENOSPC;
	for (i = 0; i < count; i++) {
		if (i > 0)
			out[o++] = ' ';
		out[o++] = '\'';
		for (p = args[i]; *p != '\0'; p++) {
			if (*p == '\'') {
				/* Close the quote, add an escaped quote, reopen. */
				memcpy(out + o, "'\\''", 4);
				o += 4;
			} else {
				out[o++] = *p;
			}
		}
		out[o++] = '\'';
	}
	out[o] = '\0';
	return 0;
}
