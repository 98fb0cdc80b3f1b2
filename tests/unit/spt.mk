# SPDX-License-Identifier: ISC
# Unit tests of the spt tender: its seccomp filter (installed for real in a child) and
# its memory plan.
UNIT_TESTS += spt_seccomp spt_layout
spt_seccomp_SRCS = tests/unit/spt_seccomp.c tender/spt/seccomp.c
spt_layout_SRCS = tests/unit/spt_layout.c tender/spt/layout.c tender/common/util.c \
	platform/common/cpu.c
# The command line all tenders share.
UNIT_TESTS += tender_args
tender_args_SRCS = tests/unit/tender_args.c tender/common/setup.c tender/common/elf.c \
	tender/common/devices.c tender/common/util.c platform/common/manifest.c \
	platform/common/tap.c
