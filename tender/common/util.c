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
mg_tender_read_file(const char *path, size_t limit, uint8_t **data, size_t *size)
{
	struct stat st;
	size_t at = 0;
	ssize_t n;
	int fd, rc = 0;

	*data = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > limit) {
		rc = S_ISREG(st.st_mode) && st.st_size > 0 ? -EFBIG : -EINVAL;
		goto out;
	}
	*size = (size_t)st.st_size;
	if ((*data = malloc(*size)) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (at < *size) {
		n = read(fd, *data + at, *size - at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			goto out;
		}
		at += (size_t)n;
	}
out:
	if (rc != 0) {
		free(*data);
		*data = NULL;
	}
	close(fd);
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
