/* SPDX-License-Identifier: ISC */
/*
 * blk.c -- an hvt guest with one block device, "disk": writes several blocks in one call,
 * reads them back in one call, and checks that the tender refuses ranges outside the
 * device and unaligned ones with -EINVAL. Exits 0 when all holds.
 */
#include "guest.h"

GUEST_MANIFEST("blk", 1, { .name = "disk", .type = MG_DEVICE_BLOCK });

static uint8_t out[4096], in[4096];

static _Noreturn void
fail(const char *why)
{
	guest_puts("blk: FAIL ");
	guest_puts(why);
	guest_puts("\n");
	guest_exit(1);
}

static int64_t
block(unsigned call, uint64_t offset, void *buf, uint64_t len)
{
	struct mg_hvt_block_io io = { .handle = 0, .offset = offset, .buf = (uintptr_t)buf,
				      .len = len };

	mg_hvt_call(call, &io);
	return io.ret;
}

_Noreturn void
guest_main(const struct mg_plat_boot_info *bi)
{
	struct mg_hvt_block_info info = { .handle = 0 };

	(void)bi;
	if (mg_hvt_traps_install() != 0)
		fail("trap install");
	mg_hvt_call(MG_HVT_CALL_BLOCK_INFO, &info);
	if (info.ret != 0 || info.block_size != 512 || info.capacity < sizeof(out))
		fail("block info");
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 3);
	if (block(MG_HVT_CALL_BLOCK_WRITE, 512, out, sizeof(out)) != 0)
		fail("write of 8 blocks");
	if (block(MG_HVT_CALL_BLOCK_READ, 512, in, sizeof(in)) != 0)
		fail("read of 8 blocks");
	for (size_t i = 0; i < sizeof(in); i++)
		if (in[i] != out[i])
			fail("read back differs");
	if (block(MG_HVT_CALL_BLOCK_READ, info.capacity, in, 512) != -22 ||
	    block(MG_HVT_CALL_BLOCK_READ, 100, in, 512) != -22 ||
	    block(MG_HVT_CALL_BLOCK_READ, 0, in, 100) != -22)
		fail("a bad range was not refused");
	guest_puts("blk: capacity ");
	guest_put_u64(info.capacity);
	guest_puts(", 8 blocks written and read back\n");
	guest_exit(0);
}
