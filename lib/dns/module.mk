# SPDX-License-Identifier: ISC
# dns: the wire codec, zone files, the authoritative engine and the stub resolver's
# checks (include/morgana/dns.h). Pure code: compiled for the host and freestanding.
LIB_DNS_SRCS = lib/dns/name.c lib/dns/wire.c lib/dns/zone.c lib/dns/zone_rdata.c \
	lib/dns/zonefile.c lib/dns/server.c lib/dns/stub.c
# The part that does I/O: the service on a UDP and TCP port and the resolver's transport. It
# needs the network stack and the runtime, so it is in the images' library only.
LIB_DNS_NET_SRCS = lib/dns/service.c lib/dns/service_tcp.c lib/dns/resolve.c
