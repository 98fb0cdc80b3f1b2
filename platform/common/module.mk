# SPDX-License-Identifier: ISC
# platform/common: code every target shares (host monitors and in-process targets alike).
PLAT_COMMON_SRCS = platform/common/manifest.c
# Host-side only (the unix target and the tenders): what the CPU offers a Linux process,
# and the TAP offloads negotiation.
PLAT_HOST_SRCS = platform/common/cpu.c platform/common/tap.c
