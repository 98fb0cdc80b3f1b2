# SPDX-License-Identifier: ISC
# Unit tests of the spt tender: its seccomp filter (installed for real in a child) and
# its memory plan.
UNIT_TESTS += spt_seccomp spt_layout
spt_seccomp_SRCS = tests/unit/spt_seccomp.c tender/spt/seccomp.c
spt_layout_SRCS = tests/unit/spt_layout.c tender/spt/layout.c tender/common/util.c \
	platform/common/cpu.c
