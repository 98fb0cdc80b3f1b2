# SPDX-License-Identifier: ISC
# Unit tests of the platform layer: the shared manifest checker and the unix target.
# Tests other than plat_boot leave out boot.c, which needs an app's main and manifest.
PLAT_UNIX_TEST_SRCS = $(filter-out platform/unix/boot.c,$(PLAT_UNIX_SRCS)) \
	$(PLAT_COMMON_SRCS)

UNIT_TESTS += plat_manifest plat_args plat_block plat_clock plat_tap plat_boot
plat_manifest_SRCS = tests/unit/plat_manifest.c $(PLAT_COMMON_SRCS)
plat_args_SRCS = tests/unit/plat_args.c platform/unix/args.c $(PLAT_COMMON_SRCS)
plat_block_SRCS = tests/unit/plat_block.c $(PLAT_UNIX_TEST_SRCS)
plat_clock_SRCS = tests/unit/plat_clock.c $(PLAT_UNIX_TEST_SRCS)
plat_tap_SRCS = tests/unit/plat_tap.c $(PLAT_UNIX_TEST_SRCS) net/wire/vnet.c
plat_boot_SRCS = tests/unit/plat_boot.c $(PLAT_UNIX_SRCS) $(PLAT_COMMON_SRCS)
