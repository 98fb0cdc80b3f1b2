# SPDX-License-Identifier: ISC
# Unit tests of the hvt tender: the ELF loader, the checked accessor and the hypercalls.
UNIT_TESTS += hvt_elf hvt_mem
hvt_elf_SRCS = tests/unit/hvt_elf.c tender/common/elf.c
hvt_mem_SRCS = tests/unit/hvt_mem.c tender/hvt/mem.c tender/hvt/hypercall.c \
	tender/hvt/layout.c tender/hvt/netq.c tender/common/util.c
UNIT_TESTS += hvt_ring
hvt_ring_SRCS = tests/unit/hvt_ring.c
UNIT_TESTS += hvt_netq
hvt_netq_SRCS = tests/unit/hvt_netq.c tender/hvt/netq.c tender/hvt/mem.c \
	tender/hvt/hypercall.c tender/hvt/layout.c tender/common/util.c
