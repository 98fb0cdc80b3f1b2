# SPDX-License-Identifier: ISC
# morgana-spt, the seccomp tender (host side), and what the tenders share.
TENDER_COMMON_SRCS = tender/common/elf.c tender/common/devices.c tender/common/util.c \
	platform/common/manifest.c
TENDER_SPT_SRCS = tender/spt/main.c tender/spt/layout.c tender/spt/seccomp.c \
	tender/spt/fault.c tender/spt/launch.S $(TENDER_COMMON_SRCS)
