/* SPDX-License-Identifier: ISC */
/*
 * hvt_mem.c -- the tender's checked accessor and hypercall handlers on crafted guest
 * memory: every address a guest hands over is granted only inside its own regions with
 * the right permissions, and a hostile call ends the guest instead of touching the tender.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tender/hvt/hvt.h"

#define MEM_SIZE	(4u << 20)
#define BOOT_INFO	0x6000u
#define TEXT		0x100000u
#define RODATA		0x101000u
#define DATA		0x102000u
#define HEAP		0x104000u
#define HEAP_END	0x300000u
#define ARG		HEAP		/* where tests place argument structs */
#define RW		(HVT_PROT_R | HVT_PROT_W)

static struct mg_hvt hvt;

static int
setup(void **state)
{
	(void)state;
	memset(&hvt, 0, sizeof(hvt));
	hvt.mem.size = MEM_SIZE;
	hvt.mem.base = aligned_alloc(HVT_PAGE, MEM_SIZE);
	if (hvt.mem.base == NULL)
		return -1;
	memset(hvt.mem.base, 0, MEM_SIZE);
	/* Added out of order on purpose: the map keeps itself sorted. */
	return mg_hvt_mem_add_region(&hvt.mem, HEAP, HEAP_END, RW) ||
	       mg_hvt_mem_add_region(&hvt.mem, HVT_SYS, HVT_SYS + HVT_PAGE, HVT_PROT_SYS | RW) ||
	       mg_hvt_mem_add_region(&hvt.mem, HVT_TRAP_STACK, HVT_TRAP_STACK_TOP,
				     HVT_PROT_SYS | RW) ||
	       mg_hvt_mem_add_region(&hvt.mem, BOOT_INFO, BOOT_INFO + HVT_PAGE, HVT_PROT_R) ||
	       mg_hvt_mem_add_region(&hvt.mem, TEXT, RODATA, HVT_PROT_R | HVT_PROT_X) ||
	       mg_hvt_mem_add_region(&hvt.mem, RODATA, DATA, HVT_PROT_R) ||
	       mg_hvt_mem_add_region(&hvt.mem, DATA, HEAP, RW);
}

static int
teardown(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < hvt.device_count; i++)
		if (hvt.devices[i].type != 0)
			close(hvt.devices[i].fd);
	free(hvt.mem.base);
	return 0;
}

static void *
checked(uint64_t gpa, uint64_t len, uint64_t align, unsigned prot)
{
	return mg_hvt_checked_gpa(&hvt.mem, gpa, len, align, prot);
}

static void
range_in_one_region_is_granted(void **state)
{
	(void)state;
	assert_ptr_equal(checked(HEAP + 8, 64, 8, RW), hvt.mem.base + HEAP + 8);
	assert_ptr_equal(checked(HEAP_END - 1, 1, 1, RW), hvt.mem.base + HEAP_END - 1);
	assert_ptr_equal(checked(TEXT, 16, 16, HVT_PROT_R | HVT_PROT_X), hvt.mem.base + TEXT);
}

static void
range_across_adjacent_regions_is_granted(void **state)
{
	(void)state;
	assert_non_null(checked(HEAP - 16, 32, 8, RW));		/* data into heap */
	assert_non_null(checked(RODATA - 8, 16, 1, HVT_PROT_R));	/* text into rodata */
	assert_null(checked(DATA - 8, 16, 1, RW));		/* rodata is not writable */
}

static void
range_across_a_gap_is_refused(void **state)
{
	(void)state;
	assert_null(checked(BOOT_INFO + HVT_PAGE - 8, 16, 1, HVT_PROT_R));
	assert_null(checked(HEAP_END - 8, 16, 1, RW));
}

static void
page_zero_and_unmapped_memory_are_refused(void **state)
{
	(void)state;
	assert_null(checked(0, 8, 8, HVT_PROT_R));
	assert_null(checked(0x2000, 8, 8, HVT_PROT_R));		/* trap stack guard */
	assert_null(checked(MEM_SIZE - 8, 8, 8, HVT_PROT_R));	/* e.g. page tables */
}

static void
range_outside_memory_is_refused(void **state)
{
	(void)state;
	assert_null(checked(MEM_SIZE, 1, 1, HVT_PROT_R));
	assert_null(checked(0xfff00000u, 8, 8, HVT_PROT_R));
	assert_null(checked(MG_HVT_MMIO_BASE, 8, 8, HVT_PROT_R));
}

static void
wrapping_range_is_refused(void **state)
{
	(void)state;
	assert_null(checked(UINT64_MAX - 15, 32, 1, HVT_PROT_R));
	assert_null(checked(UINT64_MAX, 1, 1, HVT_PROT_R));
}

static void
huge_length_is_refused(void **state)
{
	(void)state;
	assert_null(checked(HEAP, UINT64_MAX, 1, RW));
	assert_null(checked(HEAP, HEAP_END - HEAP + 1, 1, RW));
	assert_null(checked(HEAP, UINT64_MAX - HEAP + 1, 1, RW));	/* ends exactly at 2^64 */
}

static void
misaligned_address_is_refused(void **state)
{
	(void)state;
	assert_null(checked(HEAP + 1, 8, 8, RW));
	assert_null(checked(HEAP, 8, 3, RW));	/* not a power of two */
	assert_null(checked(HEAP, 8, 0, RW));
}

static void
write_to_read_only_region_is_refused(void **state)
{
	(void)state;
	assert_null(checked(BOOT_INFO, 8, 8, RW));
	assert_null(checked(TEXT, 8, 8, RW));
	assert_null(checked(RODATA, 8, 8, RW));
	assert_non_null(checked(BOOT_INFO, 8, 8, HVT_PROT_R));
}

static void
supervisor_regions_are_granted_only_with_sys(void **state)
{
	(void)state;
	assert_null(checked(HVT_SYS, 8, 8, HVT_PROT_R));
	assert_null(checked(HVT_TRAP_STACK, 8, 8, RW));
	assert_non_null(checked(HVT_TRAP_STACK, 8, 8, HVT_PROT_SYS | RW));
	assert_null(checked(HEAP, 8, 8, HVT_PROT_SYS | RW));
}

static void
overlapping_or_unaligned_regions_are_refused(void **state)
{
	(void)state;
	assert_int_equal(mg_hvt_mem_add_region(&hvt.mem, HEAP_END - HVT_PAGE, HEAP_END + HVT_PAGE,
					       RW), -EINVAL);
	assert_int_equal(mg_hvt_mem_add_region(&hvt.mem, HEAP_END + 1, HEAP_END + HVT_PAGE, RW),
			 -EINVAL);
	assert_int_equal(mg_hvt_mem_add_region(&hvt.mem, MEM_SIZE - HVT_PAGE, MEM_SIZE + HVT_PAGE,
					       RW), -EINVAL);
	assert_int_equal(mg_hvt_mem_add_region(&hvt.mem, HEAP_END, HEAP_END, RW), -EINVAL);
}

/* Make a call with argument struct arg (copied to ARG in guest memory). */
static int
call(uint64_t number, const void *arg, size_t len, int *status)
{
	memcpy(hvt.mem.base + ARG, arg, len);
	return mg_hvt_hypercall(&hvt, MG_HVT_MMIO_BASE + 8 * number, ARG, status);
}

static void
unknown_calls_end_the_guest(void **state)
{
	int status = 0;

	(void)state;
	assert_int_equal(mg_hvt_hypercall(&hvt, MG_HVT_MMIO_BASE + 8 * 100, ARG, &status), 1);
	assert_int_equal(status, 255);
	status = 0;
	assert_int_equal(mg_hvt_hypercall(&hvt, MG_HVT_MMIO_BASE, ARG, &status), 1);
	assert_int_equal(mg_hvt_hypercall(&hvt, MG_HVT_MMIO_BASE + 4, ARG, &status), 1);
	assert_int_equal(mg_hvt_hypercall(&hvt, 0x1000, ARG, &status), 1);
	assert_int_equal(status, 255);
}

static void
argument_outside_guest_memory_ends_the_guest(void **state)
{
	int status = 0;
	uint64_t console = MG_HVT_MMIO_BASE + 8 * MG_HVT_CALL_CONSOLE;

	(void)state;
	assert_int_equal(mg_hvt_hypercall(&hvt, console, 0xfff00000u, &status), 1);
	assert_int_equal(mg_hvt_hypercall(&hvt, console, HVT_SYS, &status), 1);
	assert_int_equal(mg_hvt_hypercall(&hvt, console, HEAP_END - 8, &status), 1);
	assert_int_equal(mg_hvt_hypercall(&hvt, console, ARG + 4, &status), 1);
	assert_int_equal(status, 255);
}

static void
console_data_length_overflow_ends_the_guest(void **state)
{
	struct mg_hvt_console c = { .data = HEAP + 64, .len = UINT64_MAX };
	int status = 0;

	(void)state;
	assert_int_equal(call(MG_HVT_CALL_CONSOLE, &c, sizeof(c), &status), 1);
	c = (struct mg_hvt_console){ .data = UINT64_MAX - 4095, .len = 8192 };
	assert_int_equal(call(MG_HVT_CALL_CONSOLE, &c, sizeof(c), &status), 1);
	c = (struct mg_hvt_console){ .data = RODATA, .len = 0 };
	assert_int_equal(call(MG_HVT_CALL_CONSOLE, &c, sizeof(c), &status), 0);
}

static void
exit_status_keeps_its_low_8_bits(void **state)
{
	struct mg_hvt_exit e = { .status = 0x1234 };
	int status = 0;

	(void)state;
	assert_int_equal(call(MG_HVT_CALL_EXIT, &e, sizeof(e), &status), 1);
	assert_int_equal(status, 0x34);
	e.status = -1;
	assert_int_equal(call(MG_HVT_CALL_EXIT, &e, sizeof(e), &status), 1);
	assert_int_equal(status, 255);
}

static void
traps_are_accepted_once_and_only_in_text(void **state)
{
	struct mg_hvt_traps t = { .stubs = HEAP };
	const struct mg_hvt_traps *out = (void *)(hvt.mem.base + ARG);
	uint64_t gate[2];
	int status = 0;

	(void)state;
	assert_int_equal(call(MG_HVT_CALL_TRAPS, &t, sizeof(t), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	t.stubs = RODATA - 256;	/* 32 stubs of 16 bytes would run into rodata */
	assert_int_equal(call(MG_HVT_CALL_TRAPS, &t, sizeof(t), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	t.stubs = TEXT + 0x100;
	assert_int_equal(call(MG_HVT_CALL_TRAPS, &t, sizeof(t), &status), 0);
	assert_int_equal(out->ret, 0);
	memcpy(gate, hvt.mem.base + HVT_IDT + 14 * 16, sizeof(gate));
	assert_int_equal((gate[0] & 0xffff) | (gate[0] >> 32 & 0xffff0000), TEXT + 0x100 + 14 * 16);
	assert_int_equal(gate[0] >> 16 & 0xffff, HVT_SEL_KCODE);
	assert_int_equal(gate[0] >> 40 & 0xff, 0x8e);	/* present interrupt gate, DPL0 */
	assert_int_equal(call(MG_HVT_CALL_TRAPS, &t, sizeof(t), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
}

static void
trap_frame_must_lie_on_the_exception_stack(void **state)
{
	uint64_t trap = MG_HVT_MMIO_BASE + 8 * MG_HVT_CALL_TRAP;
	int status = 0;

	(void)state;
	assert_int_equal(mg_hvt_hypercall(&hvt, trap, HEAP, &status), 1);
	assert_int_equal(status, 255);
	assert_int_equal(mg_hvt_hypercall(&hvt, trap, HVT_TRAP_STACK_TOP - 8, &status), 1);
	status = 0;
	assert_int_equal(mg_hvt_hypercall(&hvt, trap, HVT_TRAP_STACK_TOP -
					  sizeof(struct mg_hvt_trap_frame), &status), 1);
	assert_int_equal(status, 255);
}

static void
add_block_device(void)
{
	char path[] = "/tmp/hvt_mem_block.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, 4096), 0);
	hvt.device_count = 1;
	hvt.devices[0] = (struct mg_tender_device){ .type = MG_DEVICE_BLOCK, .fd = fd,
						 .capacity = 4096, .block_size = 512 };
}

static void
block_io_checks_range_alignment_and_buffer(void **state)
{
	struct mg_hvt_block_io io = { .handle = 0, .offset = 1024, .buf = HEAP + 4096,
				      .len = 1024 };
	const struct mg_hvt_block_io *out = (void *)(hvt.mem.base + ARG);
	int status = 0;

	(void)state;
	add_block_device();
	memset(hvt.mem.base + HEAP + 4096, 0x77, 1024);
	assert_int_equal(call(MG_HVT_CALL_BLOCK_WRITE, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, 0);
	io.buf = HEAP + 8192;
	assert_int_equal(call(MG_HVT_CALL_BLOCK_READ, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, 0);
	assert_memory_equal(hvt.mem.base + HEAP + 8192, hvt.mem.base + HEAP + 4096, 1024);

	io.offset = 3584;	/* last block + one more */
	assert_int_equal(call(MG_HVT_CALL_BLOCK_READ, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	io.offset = 100;
	assert_int_equal(call(MG_HVT_CALL_BLOCK_READ, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	io.offset = 512;
	io.len = UINT64_MAX - 511;	/* a multiple of 512 whose end wraps */
	assert_int_equal(call(MG_HVT_CALL_BLOCK_READ, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	io = (struct mg_hvt_block_io){ .handle = 1, .len = 512, .buf = HEAP };
	assert_int_equal(call(MG_HVT_CALL_BLOCK_READ, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	io = (struct mg_hvt_block_io){ .handle = 0, .len = 512, .buf = TEXT };
	assert_int_equal(call(MG_HVT_CALL_BLOCK_READ, &io, sizeof(io), &status), 1);
	assert_int_equal(status, 255);
}

static int
add_net_device(void)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	hvt.device_count = 1;
	hvt.devices[0] = (struct mg_tender_device){ .type = MG_DEVICE_NET, .fd = sv[0],
						 .mtu = 1500 };
	return sv[1];
}

static void
net_batches_move_several_frames_per_call(void **state)
{
	struct mg_hvt_frame *frames = (void *)(hvt.mem.base + HEAP + 256);
	const struct mg_hvt_net_io *out = (void *)(hvt.mem.base + ARG);
	struct mg_hvt_net_io io = { .handle = 0, .frames = HEAP + 256, .count = 3 };
	uint8_t buf[2000];
	int peer = add_net_device(), status = 0;

	(void)state;
	for (int i = 0; i < 3; i++)
		frames[i] = (struct mg_hvt_frame){ .buf = HEAP + 0x10000 + i * 0x1000,
						   .len = 60 + (uint64_t)i };
	assert_int_equal(call(MG_HVT_CALL_NET_WRITE, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, 0);
	assert_int_equal(out->done, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(read(peer, buf, sizeof(buf)), 60 + i);

	assert_int_equal(write(peer, buf, 100), 100);
	assert_int_equal(write(peer, buf, 200), 200);
	for (int i = 0; i < 3; i++)
		frames[i].len = 1514;
	assert_int_equal(call(MG_HVT_CALL_NET_READ, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, 0);
	assert_int_equal(out->done, 2);
	assert_int_equal(frames[0].len, 100);
	assert_int_equal(frames[1].len, 200);
	assert_int_equal(frames[2].len, 1514);
	frames[0].len = frames[1].len = 1514;
	assert_int_equal(call(MG_HVT_CALL_NET_READ, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EAGAIN);
	close(peer);
}

static void
net_batches_with_bad_frames_are_refused_whole(void **state)
{
	struct mg_hvt_frame *frames = (void *)(hvt.mem.base + HEAP + 256);
	const struct mg_hvt_net_io *out = (void *)(hvt.mem.base + ARG);
	struct mg_hvt_net_io io = { .handle = 0, .frames = HEAP + 256, .count = 2 };
	uint8_t buf[2000];
	int peer = add_net_device(), status = 0;

	(void)state;
	frames[0] = (struct mg_hvt_frame){ .buf = HEAP + 0x10000, .len = 60 };
	frames[1] = (struct mg_hvt_frame){ .buf = HEAP + 0x11000, .len = 10 };	/* < 14 */
	assert_int_equal(call(MG_HVT_CALL_NET_WRITE, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	assert_int_equal(out->done, 0);
	assert_int_equal(read(peer, buf, sizeof(buf)), -1);	/* nothing was sent */
	frames[1].len = 1515;	/* > mtu + 14 */
	assert_int_equal(call(MG_HVT_CALL_NET_WRITE, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	frames[1].len = 1000;	/* read buffers must hold mtu + 14 */
	assert_int_equal(call(MG_HVT_CALL_NET_READ, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	io.count = MG_HVT_NET_BATCH_MAX + 1;
	assert_int_equal(call(MG_HVT_CALL_NET_WRITE, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	io.count = UINT64_MAX / 8;	/* count * 16 overflows */
	assert_int_equal(call(MG_HVT_CALL_NET_WRITE, &io, sizeof(io), &status), 0);
	assert_int_equal(out->ret, -EINVAL);
	io.count = 2;
	frames[1] = (struct mg_hvt_frame){ .buf = MEM_SIZE - 8, .len = 60 };
	assert_int_equal(call(MG_HVT_CALL_NET_WRITE, &io, sizeof(io), &status), 1);
	assert_int_equal(status, 255);
	close(peer);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(range_in_one_region_is_granted),
		T(range_across_adjacent_regions_is_granted),
		T(range_across_a_gap_is_refused),
		T(page_zero_and_unmapped_memory_are_refused),
		T(range_outside_memory_is_refused),
		T(wrapping_range_is_refused),
		T(huge_length_is_refused),
		T(misaligned_address_is_refused),
		T(write_to_read_only_region_is_refused),
		T(supervisor_regions_are_granted_only_with_sys),
		T(overlapping_or_unaligned_regions_are_refused),
		T(unknown_calls_end_the_guest),
		T(argument_outside_guest_memory_ends_the_guest),
		T(console_data_length_overflow_ends_the_guest),
		T(exit_status_keeps_its_low_8_bits),
		T(traps_are_accepted_once_and_only_in_text),
		T(trap_frame_must_lie_on_the_exception_stack),
		T(block_io_checks_range_alignment_and_buffer),
		T(net_batches_move_several_frames_per_call),
		T(net_batches_with_bad_frames_are_refused_whole),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
