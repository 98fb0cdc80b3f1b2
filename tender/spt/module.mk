# SPDX-License-Identifier: ISC
# morgana-spt, the seccomp tender (host side); what it shares with morgana-hvt is in
# tender/common/module.mk.
TENDER_SPT_SRCS = tender/spt/main.c tender/spt/layout.c tender/spt/seccomp.c \
	tender/spt/fault.c tender/spt/launch.S $(TENDER_COMMON_SRCS)
