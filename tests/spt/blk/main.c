/* SPDX-License-Identifier: ISC */
/*
 * blk -- a test guest for morgana-spt (tests/spt/run.sh): acquire block device "disk",
 * check the plat.h refusals (misaligned, out of range), write 8 blocks in one call, read
 * them back in one call and compare. With "keep", block 3 is left holding a marker the
 * test script then finds in the file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <morgana/plat.h>

#define BLOCKS 8

int
main(int argc, char **argv)
{
	static uint8_t out[BLOCKS * 512], in[BLOCKS * 512];
	struct mg_plat_block_info info;
	mg_plat_handle h;
	int rc;

	if ((rc = mg_plat_block_acquire("disk", &h, &info)) != 0) {
		printf("FAIL: acquire: %d\n", rc);
		return 1;
	}
	if (mg_plat_block_acquire("disk", &h, &info) != -EBUSY) {
		printf("FAIL: acquired twice\n");
		return 1;
	}
	printf("blk: capacity %llu, block size %llu\n", (unsigned long long)info.capacity,
	       (unsigned long long)info.block_size);
	if (mg_plat_block_write(h, 1, out, 512) != -EINVAL ||
	    mg_plat_block_write(h, 0, out, 100) != -EINVAL ||
	    mg_plat_block_read(h, info.capacity, in, 512) != -EINVAL ||
	    mg_plat_block_read(h, info.capacity - 512, in, 1024) != -EINVAL ||
	    mg_plat_block_read(h + 1, 0, in, 512) != -EINVAL) {
		printf("FAIL: a bad transfer was not refused\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + i / 512);
	if (argc > 1 && strcmp(argv[1], "keep") == 0)
		memcpy(out + 3 * 512, "written by blk on spt", 21);
	if ((rc = mg_plat_block_write(h, 0, out, sizeof(out))) != 0 ||
	    (rc = mg_plat_block_read(h, 0, in, sizeof(in))) != 0) {
		printf("FAIL: transfer: %d\n", rc);
		return 1;
	}
	if (memcmp(in, out, sizeof(in)) != 0) {
		printf("FAIL: read back other data\n");
		return 1;
	}
	printf("blk: %d blocks written and read back\n", BLOCKS);
	return 0;
}
