# SPDX-License-Identifier: ISC
# Unit tests of lib/dns: the codec, zone files, the engine and the stub resolver.
# They read tests/dns/zones/ relative to the top of the tree (where tests/run runs them).
UNIT_TESTS += dns_zone
dns_zone_SRCS = tests/unit/dns_zone.c $(LIB_DNS_SRCS)
UNIT_TESTS += dns_wire
dns_wire_SRCS = tests/unit/dns_wire.c $(LIB_DNS_SRCS)
UNIT_TESTS += dns_server
dns_server_SRCS = tests/unit/dns_server.c $(LIB_DNS_SRCS)
UNIT_TESTS += dns_stub
dns_stub_SRCS = tests/unit/dns_stub.c $(LIB_DNS_SRCS)
# The service and the resolver on the stack, over a test link on the fake platform.
UNIT_TESTS += dns_net
dns_net_SRCS = tests/unit/dns_net.c $(LIB_DNS_SRCS) $(LIB_DNS_NET_SRCS) \
	$(filter-out net/netdev_plat.c,$(NET_SRCS)) $(RUNTIME_SRCS) tests/unit/fake_plat.c
# The service over TCP and the resolver's fallback, between two stacks over net/sim.
UNIT_TESTS += dns_tcp
dns_tcp_SRCS = tests/unit/dns_tcp.c $(LIB_DNS_SRCS) $(LIB_DNS_NET_SRCS) $(TCP_SIM_TEST_SRCS)
