# SPDX-License-Identifier: ISC
# Unit tests of TCP (module: tcp): two stacks over the simulated link of net/sim/, on the
# fake platform's virtual clock (which has no platform network devices).
TCP_SIM_TEST_SRCS = tests/unit/tcp_sim.c tests/unit/fake_plat.c $(RUNTIME_SRCS) \
	$(filter-out net/netdev_plat.c,$(NET_SRCS)) $(NET_SIM_SRCS)

UNIT_TESTS += net_tcp_sim
net_tcp_sim_SRCS = tests/unit/net_tcp_sim.c $(TCP_SIM_TEST_SRCS)

UNIT_TESTS += net_tcp_rfc
net_tcp_rfc_SRCS = tests/unit/net_tcp_rfc.c $(TCP_SIM_TEST_SRCS)

UNIT_TESTS += net_tcp_more
net_tcp_more_SRCS = tests/unit/net_tcp_more.c $(TCP_SIM_TEST_SRCS)
