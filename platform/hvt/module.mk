# SPDX-License-Identifier: ISC
# The hvt target, guest side (built in the freestanding variant, linked with hvt.ld).
# PLAT_HVT_BARE_SRCS need nothing but the compiler's headers: the test guests of
# tests/hvt link them without libc or runtime.
PLAT_HVT_BARE_SRCS = platform/hvt/trap.S platform/hvt/traps.c
PLAT_HVT_SRCS = $(PLAT_HVT_BARE_SRCS) platform/hvt/start.S platform/hvt/boot.c \
	platform/hvt/plat.c platform/hvt/netq.c
