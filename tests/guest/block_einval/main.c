/* SPDX-License-Identifier: ISC */
/*
 * Property: block I/O that is not whole blocks inside the device is refused with
 * -EINVAL and does nothing: misaligned offsets and lengths, ranges that start at or run
 * past the end (also by wrapping around), and a handle that is not an acquired device.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <morgana/plat.h>

#define CAPACITY (8u * 1024)
#define BLOCK 512u

static uint8_t buf[2 * CAPACITY], zeros[CAPACITY];

static const struct {
	const char *what;
	uint64_t offset;
	size_t len;
} bad[] = {
	{ "misaligned offset", 100, BLOCK },
	{ "misaligned length", 0, 100 },
	{ "offset at the end", CAPACITY, BLOCK },
	{ "range past the end", CAPACITY - BLOCK, 2 * BLOCK },
	{ "range larger than the device", 0, 2 * CAPACITY },
	{ "offset wrapping around", UINT64_MAX - BLOCK + 1, 2 * BLOCK },
};

int
main(int argc, char **argv)
{
	struct mg_plat_block_info info;
	mg_plat_handle disk;
	int failed = 0, rc;

	(void)argc;
	(void)argv;
	if ((rc = mg_plat_block_acquire("disk", &disk, &info)) != 0 ||
	    info.capacity != CAPACITY) {
		printf("FAIL: acquire: %d\n", rc);
		return 1;
	}
	memset(buf, 0xee, sizeof(buf));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = mg_plat_block_write(disk, bad[i].offset, buf, bad[i].len);
		if (rc != -EINVAL) {
			printf("FAIL: write, %s: %d, not -EINVAL\n", bad[i].what, rc);
			failed = 1;
		}
		rc = mg_plat_block_read(disk, bad[i].offset, buf, bad[i].len);
		if (rc != -EINVAL) {
			printf("FAIL: read, %s: %d, not -EINVAL\n", bad[i].what, rc);
			failed = 1;
		}
	}
	if ((rc = mg_plat_block_write(disk + 1, 0, buf, BLOCK)) != -EINVAL ||
	    (rc = mg_plat_block_read(MG_PLAT_HANDLE_MAX + 5, 0, buf, BLOCK)) != -EINVAL) {
		printf("FAIL: I/O on a handle never acquired: %d, not -EINVAL\n", rc);
		failed = 1;
	}
	/* Nothing of the refused writes reached the device, nor the refused reads buf. */
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != 0xee) {
			printf("FAIL: a refused read changed the buffer at %zu\n", i);
			return 1;
		}
	if ((rc = mg_plat_block_read(disk, 0, buf, CAPACITY)) != 0 ||
	    memcmp(buf, zeros, CAPACITY) != 0) {
		printf("FAIL: the device changed (read: %d)\n", rc);
		return 1;
	}
	if (failed)
		return 1;
	printf("block I/O refusals ok: %zu kinds\n", sizeof(bad) / sizeof(bad[0]) + 1);
	return 0;
}
