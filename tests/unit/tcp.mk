# SPDX-License-Identifier: ISC
# Unit tests of TCP (module: tcp): two stacks over the simulated link of net/sim/, on the
# fake platform's virtual clock.
TCP_SIM_TEST_SRCS = tests/unit/tcp_sim.c tests/unit/fake_plat.c tests/unit/fake_plat_net.c $(RUNTIME_SRCS) $(NET_SRCS) \
	$(NET_SIM_SRCS)

UNIT_TESTS += net_tcp_sim
net_tcp_sim_SRCS = tests/unit/net_tcp_sim.c $(TCP_SIM_TEST_SRCS)
