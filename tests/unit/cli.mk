# SPDX-License-Identifier: ISC
# Unit tests of the morgana CLI's pure parts.
UNIT_TESTS += conf
conf_SRCS = tests/unit/conf.c tools/morgana/conf.c
