/* SPDX-License-Identifier: ISC */
/*
 * log.c -- log level specs and the writing of log lines.
 *
 * Sources are static structs scattered over the image, so the runtime cannot know them
 * all in advance. A source resolves its level the first time it logs (its `enabled`
 * starts above every level, so the inline check lets that first call through) and is
 * then linked into a list, which mg_log_set() walks to re-resolve every known source.
 * The check in the macros therefore stays a single compare.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <morgana/log.h>
#include <morgana/plat.h>
#include <morgana/runtime.h>

#include "internal.h"

struct log_rule {
	char name[MG_LOG_NAME_MAX];
	int level;
};

struct log_config {
	int default_level;
	size_t rule_count;
	struct log_rule rules[MG_LOG_MAX_RULES];
};

static const char *const level_names[] = {
	[MG_LOG_ERROR] = "ERROR",
	[MG_LOG_WARN] = "WARN",
	[MG_LOG_INFO] = "INFO",
	[MG_LOG_DEBUG] = "DEBUG",
};

static struct {
	struct log_config config;
	struct mg_log_source *sources;	/* every source that has resolved its level */
	uint64_t origin_ns;
	char why[160];
} logs = {
	.config = { .default_level = MG_LOG_INFO },
};

static int
parse_level(const char *s, size_t len)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{ "error", MG_LOG_ERROR }, { "warn", MG_LOG_WARN }, { "warning", MG_LOG_WARN },
		{ "info", MG_LOG_INFO }, { "debug", MG_LOG_DEBUG },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len && strncmp(names[i].name, s, len) == 0)
			return names[i].level;
	return -EINVAL;
}

static bool
valid_source_name(const char *s, size_t len)
{
	if (len == 0 || len >= MG_LOG_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int
spec_error(const char *fmt, const char *item, size_t len)
{
	snprintf(logs.why, sizeof(logs.why), fmt, (int)(len > 40 ? 40 : len), item);
	return -EINVAL;
}

/* One item of a spec: "LEVEL", "*:LEVEL" or "SRC:LEVEL". */
static int
parse_item(struct log_config *c, const char *item, size_t len)
{
	const char *colon = memchr(item, ':', len);
	const char *lv = colon != NULL ? colon + 1 : item;
	size_t lv_len = len - (size_t)(lv - item), name_len;
	int level = parse_level(lv, lv_len);
	size_t i;

	if (len == 0)
		return spec_error("empty item%.*s", item, 0);
	if (level < 0)
		return spec_error("unknown level in '%.*s' (levels: error, warn, info, debug)",
				  item, len);
	if (colon == NULL || (colon - item == 1 && item[0] == '*')) {
		c->default_level = level;
		return 0;
	}
	name_len = (size_t)(colon - item);
	if (!valid_source_name(item, name_len))
		return spec_error("bad source name in '%.*s' (use [A-Za-z0-9_.-], or *)",
				  item, len);
	for (i = 0; i < c->rule_count; i++)
		if (strlen(c->rules[i].name) == name_len &&
		    memcmp(c->rules[i].name, item, name_len) == 0)
			break;
	if (i == MG_LOG_MAX_RULES)
		return spec_error("too many sources at '%.*s'", item, len);
	memcpy(c->rules[i].name, item, name_len);
	c->rules[i].name[name_len] = '\0';
	c->rules[i].level = level;
	if (i == c->rule_count)
		c->rule_count++;
	return 0;
}

/* Apply the items of spec on top of what c already holds. */
static int
parse_spec(struct log_config *c, const char *spec)
{
	const char *item = spec;
	int err;

	if (spec == NULL || spec[0] == '\0')
		return spec_error("empty spec%.*s", "", 0);
	for (;;) {
		const char *end = strchr(item, ',');
		size_t len = end != NULL ? (size_t)(end - item) : strlen(item);

		err = parse_item(c, item, len);
		if (err != 0)
			return err;
		if (end == NULL)
			return 0;
		item = end + 1;
	}
}

static int
resolve(const struct mg_log_source *src)
{
	for (size_t i = 0; i < logs.config.rule_count; i++)
		if (strcmp(logs.config.rules[i].name, src->name) == 0)
			return logs.config.rules[i].level;
	return logs.config.default_level;
}

static void
apply(const struct log_config *c)
{
	logs.config = *c;
	for (struct mg_log_source *s = logs.sources; s != NULL; s = s->next)
		s->enabled = resolve(s);
}

int
mg_log_set(const char *spec)
{
	struct log_config c = { .default_level = MG_LOG_INFO };
	int err = parse_spec(&c, spec);

	if (err == 0)
		apply(&c);
	return err;
}

/* Like mg_log_set(), but on top of the current levels: for repeated -l flags. */
int
mg_rt_log_add(const char *spec)
{
	struct log_config c = logs.config;
	int err = parse_spec(&c, spec);

	if (err == 0)
		apply(&c);
	return err;
}

const char *
mg_log_spec_error(void)
{
	return logs.why;
}

static void
source_resolve(struct mg_log_source *src)
{
	if (src->enabled != MG_LOG_UNRESOLVED)
		return;
	src->enabled = resolve(src);
	src->next = logs.sources;
	logs.sources = src;
}

bool
mg_log_enabled(struct mg_log_source *src, enum mg_log_level level)
{
	source_resolve(src);
	return (int)level <= src->enabled;
}

void
mg_log_write(struct mg_log_source *src, enum mg_log_level level, const char *fmt, ...)
{
	char line[MG_LOG_LINE_MAX];
	uint64_t t = mg_now_ns() - logs.origin_ns;
	size_t len;
	va_list ap;
	int n;

	if ((unsigned)level > MG_LOG_DEBUG || !mg_log_enabled(src, level))
		return;
	n = snprintf(line, sizeof(line), "[%5llu.%06llu] %-5s %s: ",
		     (unsigned long long)(t / 1000000000u),
		     (unsigned long long)(t % 1000000000u / 1000u), level_names[level],
		     src->name);
	len = n > 0 ? (size_t)n : 0;
	if (len < sizeof(line)) {
		va_start(ap, fmt);
		n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
		va_end(ap);
		len += n > 0 ? (size_t)n : 0;
	}
	if (len > sizeof(line) - 1) {
		/* Cut: end with "..." and the newline where the NUL would have been. */
		len = sizeof(line) - 1;
		memcpy(line + len - 3, "...", 3);
	}
	line[len++] = '\n';
	mg_plat_console_write(line, len);
}

/* Back to the default levels; log times count from origin_ns. */
void
mg_rt_log_reset(uint64_t origin_ns)
{
	struct log_config c = { .default_level = MG_LOG_INFO };

	logs.origin_ns = origin_ns;
	apply(&c);
}
