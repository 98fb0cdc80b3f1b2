# SPDX-License-Identifier: ISC
# platform/common: code every target shares (host monitors and in-process targets alike).
PLAT_COMMON_SRCS = platform/common/manifest.c
