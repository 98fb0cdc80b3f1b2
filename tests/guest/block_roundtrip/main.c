/* SPDX-License-Identifier: ISC */
/*
 * Property: what a unikernel writes to its block device it reads back, in one batch or
 * block by block, and the device is the size of the file attached (64 KiB, 512-byte
 * blocks). Only the declared device can be had, once: another name, or the block
 * device's name as a network device, is -ENOENT; a second acquire is -EBUSY.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <morgana/plat.h>

#define CAPACITY (64u * 1024)
#define BLOCK 512u

static uint8_t out[CAPACITY], in[CAPACITY];

static int
check_acquire_refusals(void)
{
	struct mg_plat_block_info bi;
	struct mg_plat_net_info ni;
	mg_plat_handle h;
	int rc;

	if ((rc = mg_plat_block_acquire("other", &h, &bi)) != -ENOENT) {
		printf("FAIL: acquiring undeclared 'other' gave %d, not -ENOENT\n", rc);
		return 1;
	}
	if ((rc = mg_plat_net_acquire("disk", &h, &ni)) != -ENOENT) {
		printf("FAIL: acquiring block 'disk' as a network device gave %d\n", rc);
		return 1;
	}
	if ((rc = mg_plat_block_acquire("disk", &h, &bi)) != -EBUSY) {
		printf("FAIL: acquiring 'disk' twice gave %d, not -EBUSY\n", rc);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct mg_plat_block_info info;
	mg_plat_handle disk;
	int rc;

	(void)argc;
	(void)argv;
	if ((rc = mg_plat_block_acquire("disk", &disk, &info)) != 0) {
		printf("FAIL: acquire: %d\n", rc);
		return 1;
	}
	if (info.capacity != CAPACITY || info.block_size != BLOCK) {
		printf("FAIL: capacity %llu block size %llu\n", (unsigned long long)info.capacity,
		       (unsigned long long)info.block_size);
		return 1;
	}
	if (check_acquire_refusals() != 0)
		return 1;
	for (size_t i = 0; i < CAPACITY; i++)
		out[i] = (uint8_t)(i * 7 + i / BLOCK);
	if ((rc = mg_plat_block_write(disk, 0, out, CAPACITY)) != 0) {
		printf("FAIL: write of the whole device: %d\n", rc);
		return 1;
	}
	if ((rc = mg_plat_block_read(disk, 0, in, CAPACITY)) != 0 ||
	    memcmp(in, out, CAPACITY) != 0) {
		printf("FAIL: whole-device read back: %d, %s\n", rc,
		       rc == 0 ? "different bytes" : "error");
		return 1;
	}
	/* Block by block, backwards, after overwriting every other block. */
	for (uint64_t off = 0; off < CAPACITY; off += 2 * BLOCK) {
		memset(out + off, 0xa5, BLOCK);
		if ((rc = mg_plat_block_write(disk, off, out + off, BLOCK)) != 0) {
			printf("FAIL: write at %llu: %d\n", (unsigned long long)off, rc);
			return 1;
		}
	}
	memset(in, 0, sizeof(in));
	for (uint64_t off = CAPACITY; off > 0; off -= BLOCK) {
		if ((rc = mg_plat_block_read(disk, off - BLOCK, in + off - BLOCK, BLOCK)) != 0) {
			printf("FAIL: read at %llu: %d\n", (unsigned long long)(off - BLOCK), rc);
			return 1;
		}
	}
	if (memcmp(in, out, CAPACITY) != 0) {
		printf("FAIL: block-by-block read back differs\n");
		return 1;
	}
	printf("block round trip ok: %u bytes\n", CAPACITY);
	return 0;
}
