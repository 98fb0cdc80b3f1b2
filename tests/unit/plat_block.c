/* SPDX-License-Identifier: ISC */
/*
 * plat_block.c -- unit tests of the unix target's block devices over a temporary file:
 * data round-trips and reaches the file, every transfer plat.h forbids is refused without
 * touching the data, and files that cannot be a disk are refused at attach with a reason.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../platform/unix/unix.h"
#include "plat_test.h"

#define BLOCKS	64u
#define BSIZE	512u

struct fixture {
	char path[64];
	struct mg_manifest m;
	mg_plat_handle disk;
	struct mg_plat_block_info info;
};

/* A fresh disk image of `size` bytes filled with 0xee. */
static void
make_image(char *path, size_t path_len, size_t size)
{
	uint8_t fill[BSIZE];
	size_t done;
	int fd;

	snprintf(path, path_len, "/tmp/mg-plat-block-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	memset(fill, 0xee, sizeof(fill));
	for (done = 0; done < size; done += sizeof(fill))
		assert_true(write(fd, fill, size - done < sizeof(fill) ? size - done
								       : sizeof(fill)) > 0);
	close(fd);
}

static int
open_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct mg_unix_config cfg = { 0 };
	char err[MG_UNIX_ERR_MAX];

	assert_non_null(f);
	make_image(f->path, sizeof(f->path), BLOCKS * BSIZE);
	manifest_init(&f->m, "hello");
	manifest_add(&f->m, "disk", MG_DEVICE_BLOCK);
	cfg.attach[0] = f->path;
	cfg.flag[0] = "--block:disk=...";
	assert_int_equal(mg_unix_attach(&f->m, &cfg, err, sizeof(err)), 0);
	assert_int_equal(mg_plat_block_acquire("disk", &f->disk, &f->info), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	mg_unix_detach();
	unlink(f->path);
	free(f);
	return 0;
}

static void
test_acquire_reports_capacity_and_refuses_twice(void **state)
{
	struct fixture *f = *state;
	struct mg_plat_block_info info;
	struct mg_plat_net_info net;
	mg_plat_handle h;

	assert_int_equal(f->info.capacity, BLOCKS * BSIZE);
	assert_int_equal(f->info.block_size, BSIZE);
	assert_int_equal(mg_plat_block_acquire("disk", &h, &info), -EBUSY);
	assert_int_equal(mg_plat_block_acquire("nope", &h, &info), -ENOENT);
	assert_int_equal(mg_plat_block_acquire(NULL, &h, &info), -ENOENT);
	assert_int_equal(mg_plat_net_acquire("disk", &h, &net), -ENOENT);
	assert_int_equal(mg_plat_block_acquire("disk", NULL, &info), -EINVAL);
}

static void
test_blocks_round_trip_and_reach_the_file(void **state)
{
	static const size_t batches[] = { 1, 3, 7, 16, 2, 1, 30, 4 };	/* sums to 64 */
	struct fixture *f = *state;
	uint8_t *data = malloc(BLOCKS * BSIZE), *back = malloc(BLOCKS * BSIZE);
	uint64_t seed = 99;
	size_t i, at = 0;
	int fd;

	assert_non_null(data);
	assert_non_null(back);
	for (i = 0; i < BLOCKS * BSIZE; i++)
		data[i] = (uint8_t)test_rand(&seed);
	for (i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
		assert_int_equal(mg_plat_block_write(f->disk, at * BSIZE, data + at * BSIZE,
						     batches[i] * BSIZE), 0);
		at += batches[i];
	}
	assert_int_equal(at, BLOCKS);
	memset(back, 0, BLOCKS * BSIZE);
	assert_int_equal(mg_plat_block_read(f->disk, 0, back, BLOCKS * BSIZE), 0);
	assert_memory_equal(back, data, BLOCKS * BSIZE);
	/* Reads in other batch shapes see the same bytes. */
	for (at = 0; at < BLOCKS; at += 5) {
		size_t n = BLOCKS - at < 5 ? BLOCKS - at : 5;

		memset(back, 0, n * BSIZE);
		assert_int_equal(mg_plat_block_read(f->disk, at * BSIZE, back, n * BSIZE), 0);
		assert_memory_equal(back, data + at * BSIZE, n * BSIZE);
	}
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, back, BLOCKS * BSIZE, 0), BLOCKS * BSIZE);
	close(fd);
	assert_memory_equal(back, data, BLOCKS * BSIZE);
	free(data);
	free(back);
}

/* Each refused call must leave the device as it was. */
static void
assert_disk_untouched(const struct fixture *f)
{
	uint8_t block[BSIZE], fill[BSIZE];
	size_t b;

	memset(fill, 0xee, sizeof(fill));
	for (b = 0; b < BLOCKS; b++) {
		assert_int_equal(mg_plat_block_read(f->disk, b * BSIZE, block, BSIZE), 0);
		assert_memory_equal(block, fill, BSIZE);
	}
}

static void
test_misaligned_offset_or_length_is_refused(void **state)
{
	static const uint64_t bad_offsets[] = { 1, 256, 511, 513, BSIZE * 3 + 7 };
	static const size_t bad_lengths[] = { 0, 1, 100, 511, 513, 2 * BSIZE - 1 };
	struct fixture *f = *state;
	uint8_t buf[4 * BSIZE];
	size_t i;

	memset(buf, 0x11, sizeof(buf));
	for (i = 0; i < sizeof(bad_offsets) / sizeof(bad_offsets[0]); i++) {
		assert_int_equal(mg_plat_block_write(f->disk, bad_offsets[i], buf, BSIZE),
				 -EINVAL);
		assert_int_equal(mg_plat_block_read(f->disk, bad_offsets[i], buf, BSIZE),
				 -EINVAL);
	}
	for (i = 0; i < sizeof(bad_lengths) / sizeof(bad_lengths[0]); i++) {
		assert_int_equal(mg_plat_block_write(f->disk, 0, buf, bad_lengths[i]), -EINVAL);
		assert_int_equal(mg_plat_block_read(f->disk, 0, buf, bad_lengths[i]), -EINVAL);
	}
	assert_int_equal(mg_plat_block_write(f->disk, 0, NULL, BSIZE), -EINVAL);
	assert_int_equal(mg_plat_block_read(f->disk, 0, NULL, BSIZE), -EINVAL);
	assert_disk_untouched(f);
}

static void
test_out_of_range_transfers_are_refused(void **state)
{
	struct fixture *f = *state;
	const uint64_t cap = BLOCKS * BSIZE;
	uint8_t buf[2 * BSIZE];

	memset(buf, 0x22, sizeof(buf));
	assert_int_equal(mg_plat_block_write(f->disk, cap, buf, BSIZE), -EINVAL);
	assert_int_equal(mg_plat_block_write(f->disk, cap - BSIZE, buf, 2 * BSIZE), -EINVAL);
	assert_int_equal(mg_plat_block_read(f->disk, cap, buf, BSIZE), -EINVAL);
	assert_int_equal(mg_plat_block_read(f->disk, cap - BSIZE, buf, 2 * BSIZE), -EINVAL);
	/* Sums that would wrap around 2^64 must not sneak back into range. */
	assert_int_equal(mg_plat_block_write(f->disk, UINT64_MAX - 511, buf, 2 * BSIZE),
			 -EINVAL);
	assert_int_equal(mg_plat_block_read(f->disk, BSIZE, buf, SIZE_MAX - 511), -EINVAL);
	/* The last block itself is fine. */
	assert_int_equal(mg_plat_block_read(f->disk, cap - BSIZE, buf, BSIZE), 0);
	assert_disk_untouched(f);
}

static void
test_wrong_handles_are_refused(void **state)
{
	struct fixture *f = *state;
	struct mg_plat_frame frame = { .buf = (uint8_t[64]){ 0 }, .len = 64 };
	uint8_t buf[BSIZE];
	size_t moved = 99;

	assert_int_equal(mg_plat_block_read(f->disk + 1, 0, buf, BSIZE), -EINVAL);
	assert_int_equal(mg_plat_block_write(MG_PLAT_HANDLE_MAX, 0, buf, BSIZE), -EINVAL);
	assert_int_equal(mg_plat_block_read(UINT64_MAX, 0, buf, BSIZE), -EINVAL);
	/* A block handle is not a net handle. */
	assert_int_equal(mg_plat_net_write(f->disk, &frame, 1, &moved), -EINVAL);
	assert_int_equal(moved, 0);
	moved = 99;
	assert_int_equal(mg_plat_net_read(f->disk, &frame, 1, &moved), -EINVAL);
	assert_int_equal(moved, 0);
	assert_disk_untouched(f);
}

/* Attach `path` as disk; expect refusal with a message containing needle, no fd left. */
static void
assert_attach_refused(const char *path, const char *needle)
{
	struct mg_unix_config cfg = { 0 };
	struct mg_manifest m;
	char err[MG_UNIX_ERR_MAX], flag[96], prefix[128];
	int fds = open_fd_count();

	manifest_init(&m, "hello");
	manifest_add(&m, "disk", MG_DEVICE_BLOCK);
	snprintf(flag, sizeof(flag), "--block:disk=%s", path);
	snprintf(prefix, sizeof(prefix), "hello: %s: ", flag);
	cfg.attach[0] = path;
	cfg.flag[0] = flag;
	assert_true(mg_unix_attach(&m, &cfg, err, sizeof(err)) < 0);
	assert_memory_equal(err, prefix, strlen(prefix));
	if (strstr(err, needle) == NULL)
		fail_msg("'%s' does not say '%s'", err, needle);
	assert_int_equal(open_fd_count(), fds);
	assert_int_equal(mg_plat_block_acquire("disk", &(mg_plat_handle){ 0 },
					       &(struct mg_plat_block_info){ 0 }), -ENOENT);
}

static void
test_unusable_files_are_refused_at_attach(void **state)
{
	char path[64];

	(void)state;
	mg_unix_detach();
	make_image(path, sizeof(path), 1000);
	assert_attach_refused(path, "is 1000 bytes, not a multiple of 512; expected whole "
			      "512-byte blocks");
	unlink(path);
	assert_attach_refused("/nonexistent/disk.img", "cannot open '/nonexistent/disk.img' "
			      "for reading and writing: No such file or directory");
	assert_attach_refused("/tmp", "cannot open '/tmp' for reading and writing: Is a "
			      "directory");
	assert_attach_refused("/dev/null", "is not a regular file or block device");
}

static void
test_empty_file_is_a_disk_without_blocks(void **state)
{
	struct mg_unix_config cfg = { 0 };
	struct mg_plat_block_info info;
	struct mg_manifest m;
	char err[MG_UNIX_ERR_MAX], path[64];
	uint8_t buf[BSIZE];
	mg_plat_handle h;

	(void)state;
	make_image(path, sizeof(path), 0);
	manifest_init(&m, "hello");
	manifest_add(&m, "disk", MG_DEVICE_BLOCK);
	cfg.attach[0] = path;
	assert_int_equal(mg_unix_attach(&m, &cfg, err, sizeof(err)), 0);
	assert_int_equal(mg_plat_block_acquire("disk", &h, &info), 0);
	assert_int_equal(info.capacity, 0);
	assert_int_equal(mg_plat_block_read(h, 0, buf, BSIZE), -EINVAL);
	mg_unix_detach();
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_acquire_reports_capacity_and_refuses_twice,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_blocks_round_trip_and_reach_the_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_misaligned_offset_or_length_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range_transfers_are_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wrong_handles_are_refused, setup,
						teardown),
		cmocka_unit_test(test_unusable_files_are_refused_at_attach),
		cmocka_unit_test(test_empty_file_is_a_disk_without_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
