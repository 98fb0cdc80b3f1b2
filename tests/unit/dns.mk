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
