/* SPDX-License-Identifier: ISC */
/*
 * log.h -- levelled logging by source, to the console.
 *
 * Each part of the system declares a source and logs through it:
 *
 *	MG_LOG_SOURCE(tcp_log, "tcp");
 *	mg_log_debug(&tcp_log, "segment %u dropped: %s", seq, why);
 *
 * Which levels print is set per source by a spec (mg_log_set(), or the runtime flag
 * `-l SPEC`); the default is info for every source. A line reads
 *
 *	[   12.345678] INFO  tcp: message
 *
 * with the seconds since the runtime started, and is written with one console write
 * (at most MG_LOG_LINE_MAX bytes; longer messages are cut and end in "...").
 *
 * Cost when disabled: a message below its source's level costs one compare; the
 * arguments are not evaluated.
 */
#ifndef MORGANA_LOG_H
#define MORGANA_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum mg_log_level {
	MG_LOG_ERROR = 0,
	MG_LOG_WARN = 1,
	MG_LOG_INFO = 2,
	MG_LOG_DEBUG = 3,
};

#define MG_LOG_LINE_MAX		512
#define MG_LOG_NAME_MAX		32	/* bytes in a source name, including the NUL */
#define MG_LOG_MAX_RULES	32	/* SRC:LEVEL items a spec may hold */

struct mg_log_source {
	/* Private to the runtime. `enabled` is the highest level that prints, or
	 * MG_LOG_UNRESOLVED until the source first logs; sources that have logged are
	 * linked so that mg_log_set() can update them. */
	const char *name;
	int enabled;
	struct mg_log_source *next;
};

#define MG_LOG_UNRESOLVED 0x7fff

/* Define a source named name (characters [A-Za-z0-9_.-], < MG_LOG_NAME_MAX). */
#define MG_LOG_SOURCE(var, name) \
	static struct mg_log_source var = { (name), MG_LOG_UNRESOLVED, 0 }

void mg_log_write(struct mg_log_source *src, enum mg_log_level level, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

#define mg_log_at(src, level, ...) \
	do { \
		if ((int)(level) <= (src)->enabled) \
			mg_log_write((src), (level), __VA_ARGS__); \
	} while (0)

#define mg_log_error(src, ...)	mg_log_at(src, MG_LOG_ERROR, __VA_ARGS__)
#define mg_log_warn(src, ...)	mg_log_at(src, MG_LOG_WARN, __VA_ARGS__)
#define mg_log_info(src, ...)	mg_log_at(src, MG_LOG_INFO, __VA_ARGS__)
#define mg_log_debug(src, ...)	mg_log_at(src, MG_LOG_DEBUG, __VA_ARGS__)

/* True if a message of level from src would print. */
bool mg_log_enabled(struct mg_log_source *src, enum mg_log_level level);

/*
 * Set the levels from spec: items separated by commas, each either LEVEL (every source)
 * or SRC:LEVEL (one source; SRC "*" means every source). LEVEL is error, warn (or
 * warning), info or debug. A SRC:LEVEL item wins over the default wherever it stands:
 * "*:info,tcp:debug" and "tcp:debug,info" are the same. Later items win over earlier ones
 * for the same source. The whole spec replaces the previous one.
 * Returns 0, or -EINVAL if spec is malformed (the levels are then unchanged).
 * mg_log_spec_error() explains the last -EINVAL in one line.
 */
int mg_log_set(const char *spec);
const char *mg_log_spec_error(void);

#endif /* MORGANA_LOG_H */
