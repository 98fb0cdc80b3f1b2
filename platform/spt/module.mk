# SPDX-License-Identifier: ISC
# The spt target, guest side (built in the freestanding variant, linked with spt.ld).
PLAT_SPT_SRCS = platform/spt/start.S platform/spt/boot.c platform/spt/plat.c
