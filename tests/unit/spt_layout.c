/* SPDX-License-Identifier: ISC */
/*
 * spt_layout.c -- the spt tender's memory plan and boot info: regions cover guest memory
 * from the TCB to the top without gaps, nothing is writable and executable, the TCB and
 * boot info are read-only, a guard page lies below the stack; the boot info carries the
 * quoted arguments, the manifest, the devices and a canary with a zero low byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../../tender/spt/spt.h"

static struct mg_elf_image
three_segments(void)
{
	struct mg_elf_image image = {
		.entry = MG_SPT_IMAGE_BASE,
		.segment_count = 3,
		.segments = {
			{ MG_SPT_IMAGE_BASE, MG_SPT_IMAGE_BASE + 0x5000, MG_ELF_R | MG_ELF_X },
			{ MG_SPT_IMAGE_BASE + 0x6000, MG_SPT_IMAGE_BASE + 0x8000, MG_ELF_R },
			{ MG_SPT_IMAGE_BASE + 0x8000, MG_SPT_IMAGE_BASE + 0xa000,
			  MG_ELF_R | MG_ELF_W },
		},
	};

	image.end = image.segments[2].end;
	image.manifest.version = MG_MANIFEST_VERSION;
	strcpy(image.manifest.app_name, "app");
	return image;
}

static void
test_plan_covers_memory_wx_with_readonly_boot_and_a_guard(void **state)
{
	struct mg_elf_image image = three_segments();
	struct mg_spt_layout l;
	char why[128];
	uint64_t at = MG_SPT_TCB;
	int guards = 0;

	(void)state;
	assert_int_equal(mg_spt_layout_plan(16u << 20, &image, MG_SPT_BOOT_INFO + 100, &l, why,
					    sizeof(why)), 0);
	for (size_t i = 0; i < l.region_count; i++) {
		const struct mg_spt_region *r = &l.regions[i];

		assert_int_equal(r->start, at);
		assert_true(r->end > r->start);
		assert_false((r->prot & PROT_WRITE) && (r->prot & PROT_EXEC));
		if (r->start < MG_SPT_IMAGE_BASE)
			assert_int_equal(r->prot & (PROT_WRITE | PROT_EXEC), 0);
		if (r->start == l.heap_end) {
			assert_int_equal(r->prot, PROT_NONE);
			assert_int_equal(r->end - r->start, SPT_PAGE);
			guards++;
		}
		at = r->end;
	}
	assert_int_equal(at, 16u << 20);
	assert_int_equal(guards, 1);
	assert_int_equal(l.regions[0].prot, PROT_READ);	/* TCB */
	assert_int_equal(l.heap_start, image.end);
	assert_int_equal(l.stack_top - (l.heap_end + SPT_PAGE), MG_SPT_STACK_SIZE);
}

static void
test_plan_refuses_what_does_not_fit(void **state)
{
	struct mg_elf_image image = three_segments();
	struct mg_spt_layout l;
	char why[128] = "";
	uint64_t lo, hi;

	(void)state;
	assert_int_equal(mg_spt_layout_plan(16u << 20, &image, MG_SPT_IMAGE_BASE + 1, &l, why,
					    sizeof(why)), -EINVAL);
	assert_true(why[0] != '\0');
	mg_spt_image_range(2u << 20, &lo, &hi);
	assert_true(hi > lo + (512u << 10));	/* --mem=2 leaves room for an image */
	image.segments[2].end = image.end = hi + SPT_PAGE;
	assert_int_equal(mg_spt_layout_plan(2u << 20, &image, MG_SPT_BOOT_INFO + 100, &l, why,
					    sizeof(why)), -EINVAL);
}

static void
test_boot_info_holds_args_manifest_devices_and_canary(void **state)
{
	const uint64_t mem = 2u << 20;
	uint8_t *stage = calloc(1, mem);
	struct mg_elf_image image = three_segments();
	struct mg_tender_device devs[1] = {
		{ .type = MG_DEVICE_BLOCK, .fd = 9, .capacity = 4096, .block_size = 512 },
	};
	char *argv[] = { "a b", "it's", NULL };
	struct mg_spt_layout l;
	struct mg_spt_boot_info bi;
	uint64_t end, canary, self;
	char why[128];

	(void)state;
	assert_non_null(stage);
	image.manifest.device_count = 1;
	assert_int_equal(mg_spt_boot_write(stage, mem, &image, devs, argv, 2, &end, why,
					   sizeof(why)), 0);
	assert_int_equal(mg_spt_layout_plan(mem, &image, end, &l, why, sizeof(why)), 0);
	mg_spt_boot_set_heap(stage, &l);
	memcpy(&bi, stage + MG_SPT_BOOT_INFO, sizeof(bi));
	assert_int_equal(bi.abi_version, MG_SPT_ABI_VERSION);
	assert_string_equal((char *)stage + (uintptr_t)bi.plat.cmdline, "'a b' 'it'\\''s'");
	assert_memory_equal(stage + (uintptr_t)bi.plat.manifest, &image.manifest,
			    sizeof(image.manifest));
	assert_int_equal(bi.device_count, 1);
	assert_int_equal(bi.devices[0].fd, 9);
	assert_int_equal(bi.devices[0].capacity, 4096);
	assert_int_equal(bi.plat.heap_start, image.end);
	assert_int_equal(bi.plat.heap_start + bi.plat.heap_size, l.heap_end);
	memcpy(&self, stage + MG_SPT_TCB, 8);
	memcpy(&canary, stage + MG_SPT_TCB + MG_SPT_TCB_CANARY, 8);
	assert_int_equal(self, MG_SPT_TCB);
	assert_int_equal(canary & 0xff, 0);
	assert_true(canary != 0);
	free(stage);
}

static void
test_boot_info_refuses_overlong_arguments(void **state)
{
	const uint64_t mem = 2u << 20;
	uint8_t *stage = calloc(1, mem);
	struct mg_elf_image image = three_segments();
	char *big = malloc(SPT_CMDLINE_MAX);
	char *argv[] = { big, NULL };
	uint64_t end;
	char why[128];

	(void)state;
	assert_non_null(stage);
	assert_non_null(big);
	memset(big, 'x', SPT_CMDLINE_MAX - 1);
	big[SPT_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(mg_spt_boot_write(stage, mem, &image, NULL, argv, 1, &end, why,
					   sizeof(why)), -E2BIG);
	free(big);
	free(stage);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_covers_memory_wx_with_readonly_boot_and_a_guard),
		cmocka_unit_test(test_plan_refuses_what_does_not_fit),
		cmocka_unit_test(test_boot_info_holds_args_manifest_devices_and_canary),
		cmocka_unit_test(test_boot_info_refuses_overlong_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
