/* SPDX-License-Identifier: ISC */
/*
 * util.c -- small pieces every tender needs before the guest runs: the image file, the
 * --mem option and the guest's command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tender.h"

int
mg_tender_open_file(const char *path, size_t limit, int *fd, size_t *size)
{
	struct stat st;
	int rc = 0;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (fstat(*fd, &st) < 0) {
		rc = -errno;
	} else if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > limit) {
		rc = S_ISREG(st.st_mode) && st.st_size > 0 ? -EFBIG : -EINVAL;
	} else {
		*size = (size_t)st.st_size;
		return 0;
	}
	close(*fd);
	*fd = -1;
	return rc;
}

int
mg_tender_parse_mem(const char *s, unsigned min_mb, unsigned max_mb, uint64_t *bytes)
{
	char *end;
	unsigned long mb;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	mb = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || mb < min_mb || mb > max_mb)
		return -EINVAL;
	*bytes = (uint64_t)mb << 20;
	return 0;
}

size_t
mg_tender_quote_args(char *buf, size_t len, char *const argv[], int argc)
{
	size_t n = 0;

#define PUT(c) do { if (n == len) return 0; buf[n++] = (c); } while (0)
	for (int i = 0; i < argc; i++) {
		if (i > 0)
			PUT(' ');
		PUT('\'');
		for (const char *p = argv[i]; *p != '\0'; p++) {
			if (*p == '\'') {
				PUT('\''); PUT('\\'); PUT('\''); PUT('\'');
			} else {
				PUT(*p);
			}
		}
		PUT('\'');
	}
	PUT('\0');
#undef PUT
	return n;
}
