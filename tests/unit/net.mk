# SPDX-License-Identifier: ISC
# Unit tests of the network stack: the pure codecs, packet buffers, and the stack
# driven through a test netdev on the runtime's fake platform.
UNIT_TESTS += net_wire
net_wire_SRCS = tests/unit/net_wire.c $(NET_WIRE_SRCS)

UNIT_TESTS += net_pkt
net_pkt_SRCS = tests/unit/net_pkt.c net/pkt.c net/config.c $(NET_WIRE_SRCS)

UNIT_TESTS += net_stack
net_stack_SRCS = tests/unit/net_stack.c $(filter-out net/netdev_plat.c,$(NET_SRCS)) \
	$(RUNTIME_SRCS) tests/unit/fake_plat.c

UNIT_TESTS += net_offload
net_offload_SRCS = tests/unit/net_offload.c $(filter-out net/netdev_plat.c,$(NET_SRCS)) \
	$(RUNTIME_SRCS) tests/unit/fake_plat.c
