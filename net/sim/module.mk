# SPDX-License-Identifier: ISC
# The simulated link (module: tcp). Test infrastructure over the netdev interface; the
# unit tests of TCP link it, the libraries do not need it.
NET_SIM_SRCS = net/sim/link.c
