# SPDX-License-Identifier: ISC
# libc: Morgana's freestanding C library subset, linked into guest images (hvt, spt).
# The unix target uses the host's C library instead.

LIBC_SRCS = libc/src/mem.c libc/src/string.c libc/src/strerror.c libc/src/ctype.c \
	libc/src/format.c libc/src/malloc.c libc/src/stdlib.c libc/src/qsort.c \
	libc/src/assert.c libc/src/x86_64/setjmp.S

# -fno-builtin and -fno-tree-loop-distribute-patterns: memset's loop must not become a
# call to memset. -fno-strict-aliasing is not needed: word access goes through
# may_alias types (libc/src/word.h).
CFLAGS_EXTRA_libc = -fno-builtin -fno-tree-loop-distribute-patterns
