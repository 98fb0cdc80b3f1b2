# SPDX-License-Identifier: ISC
# Differential tests of the guest libc against the host's glibc. Each links
# build/freestanding/libc-prefixed.o (the guest libc, symbols renamed mgc_*). Those
# objects are compiled without -fpie for the guest, hence -no-pie.

LIBC_TEST_OBJS = $(BUILD)/freestanding/libc-prefixed.o

UNIT_TESTS += libc_format
libc_format_SRCS = tests/unit/libc_format.c tests/unit/libc_support.c
libc_format_OBJS = $(LIBC_TEST_OBJS)
libc_format_LDLIBS = -no-pie

UNIT_TESTS += libc_strto
libc_strto_SRCS = tests/unit/libc_strto.c tests/unit/libc_support.c
libc_strto_OBJS = $(LIBC_TEST_OBJS)
libc_strto_LDLIBS = -no-pie

UNIT_TESTS += libc_string
libc_string_SRCS = tests/unit/libc_string.c tests/unit/libc_support.c
libc_string_OBJS = $(LIBC_TEST_OBJS)
libc_string_LDLIBS = -no-pie

UNIT_TESTS += libc_malloc
libc_malloc_SRCS = tests/unit/libc_malloc.c tests/unit/libc_support.c
libc_malloc_OBJS = $(LIBC_TEST_OBJS)
libc_malloc_LDLIBS = -no-pie

UNIT_TESTS += libc_misc
libc_misc_SRCS = tests/unit/libc_misc.c tests/unit/libc_support.c
libc_misc_OBJS = $(LIBC_TEST_OBJS)
libc_misc_LDLIBS = -no-pie -lm
