# SPDX-License-Identifier: ISC
# The network stack. NET_WIRE_SRCS are the pure codecs (no runtime needed); NET_SRCS is
# the whole stack, linked into the libraries of every target.
NET_WIRE_SRCS = net/wire/checksum.c net/wire/eth.c net/wire/arp.c net/wire/ipv4.c \
	net/wire/icmp.c net/wire/udp.c net/wire/tcp.c
NET_SRCS = $(NET_WIRE_SRCS)
