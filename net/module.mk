# SPDX-License-Identifier: ISC
# The network stack. NET_WIRE_SRCS are the pure codecs (no runtime needed); NET_SRCS is
# the whole stack, linked into the libraries of every target (libmorgana.a,
# libmorgana-hvt.a); unused parts fall away with --gc-sections.
NET_WIRE_SRCS = net/wire/checksum.c net/wire/eth.c net/wire/arp.c net/wire/ipv4.c \
	net/wire/icmp.c net/wire/udp.c net/wire/tcp.c
NET_STACK_SRCS = net/pkt.c net/netdev.c net/netdev_plat.c net/config.c net/stack.c net/counters.c \
	net/arp.c net/ipv4.c net/reasm.c net/icmp.c net/udp.c
NET_SRCS = $(NET_WIRE_SRCS) $(NET_STACK_SRCS) $(NET_TCP_SRCS)
# TCP (module: tcp).
NET_TCP_SRCS = net/tcp.c net/tcp_listen.c net/tcp_input.c net/tcp_output.c net/tcp_timer.c \
	net/tcp_cc.c net/tcp_buf.c net/tcp_api.c
