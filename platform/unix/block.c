/* SPDX-License-Identifier: ISC */
/*
 * block.c -- block devices of the unix target: a host file (or host block device) read and
 * written in whole 512-byte blocks with pread/pwrite.
 *
 * The file's size fixes the capacity at start; a size that is not a whole number of blocks
 * is refused rather than rounded, because the missing tail would be silently unreachable.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unix.h"

#define BLOCK_SIZE	512u

static int check_range(const struct mg_unix_device *dev, uint64_t offset, const void *buf,
		       size_t len);

int
mg_unix_block_open(const char *path, struct mg_unix_device *dev, char *err, size_t err_len)
{
	struct stat st;
	off_t size;
	int fd, error;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		error = errno;
		snprintf(err, err_len, "cannot open '%s' for reading and writing: %s; expected "
			 "an existing file you may write (create one: truncate -s 64M FILE)",
			 path, strerror(error));
		return -error;
	}
	if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		close(fd);
		snprintf(err, err_len, "'%s' is not a regular file or block device; expected a "
			 "disk image file (create one: truncate -s 64M FILE)", path);
		return -EINVAL;
	}
	/* lseek rather than st_size: it also gives the size of a host block device. */
	size = lseek(fd, 0, SEEK_END);
	if (size < 0) {
		error = errno;
		close(fd);
		snprintf(err, err_len, "cannot find the size of '%s': %s; expected a seekable "
			 "disk image file", path, strerror(error));
		return -error;
	}
	if ((uint64_t)size % BLOCK_SIZE != 0) {
		close(fd);
		snprintf(err, err_len, "'%s' is %lld bytes, not a multiple of %u; expected whole "
			 "%u-byte blocks (pad it: truncate -s %%%u FILE)", path,
			 (long long)size, BLOCK_SIZE, BLOCK_SIZE, BLOCK_SIZE);
		return -EINVAL;
	}
	dev->fd = fd;
	dev->capacity = (uint64_t)size;
	return 0;
}

/* The plat.h rules for a transfer, in one place for reads and writes. */
static int
check_range(const struct mg_unix_device *dev, uint64_t offset, const void *buf, size_t len)
{
	if (dev == NULL || buf == NULL)
		return -EINVAL;
	if (offset % BLOCK_SIZE != 0 || len % BLOCK_SIZE != 0 || len == 0)
		return -EINVAL;
	if (offset > dev->capacity || len > dev->capacity - offset)
		return -EINVAL;
	/* pread/pwrite take a signed offset and return a signed count. */
	if (offset + len > (uint64_t)INT64_MAX || len > (size_t)SSIZE_MAX)
		return -EINVAL;
	return 0;
}

/* Move len bytes at offset, looping over short transfers; both directions are the same. */
static int
transfer(mg_plat_handle handle, uint64_t offset, uint8_t *p, size_t len, bool write)
{
	struct mg_unix_device *dev = mg_unix_device_get(handle, MG_DEVICE_BLOCK);
	ssize_t n;
	int rc;

	rc = check_range(dev, offset, p, len);
	if (rc < 0)
		return rc;
	while (len > 0) {
		n = write ? pwrite(dev->fd, p, len, (off_t)offset)
			  : pread(dev->fd, p, len, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		/* A read of 0 means the file shrank under us: the host broke the device. */
		if (n <= 0)
			return -EIO;
		p += n;
		offset += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int
mg_plat_block_write(mg_plat_handle handle, uint64_t offset, const void *buf, size_t len)
{
	/* pwrite only reads from p: dropping const here is safe. */
	return transfer(handle, offset, (uint8_t *)(uintptr_t)buf, len, true);
}

int
mg_plat_block_read(mg_plat_handle handle, uint64_t offset, void *buf, size_t len)
{
	return transfer(handle, offset, buf, len, false);
}
