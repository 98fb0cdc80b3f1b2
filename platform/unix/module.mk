# SPDX-License-Identifier: ISC
# platform/unix: the unix target (a unikernel as a Linux process), linked into libmorgana.a.
PLAT_UNIX_SRCS = platform/unix/boot.c platform/unix/args.c platform/unix/devices.c \
	platform/unix/net.c platform/unix/block.c platform/unix/core.c $(PLAT_HOST_SRCS)
