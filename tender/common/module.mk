# SPDX-License-Identifier: ISC
# What the tenders (morgana-hvt, morgana-spt) share on the host side: the command line,
# the ELF loader, the manifest check and the devices.
TENDER_COMMON_SRCS = tender/common/setup.c tender/common/util.c tender/common/elf.c \
	tender/common/devices.c platform/common/manifest.c $(PLAT_HOST_SRCS)
