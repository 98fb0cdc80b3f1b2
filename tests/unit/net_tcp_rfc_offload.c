/* SPDX-License-Identifier: ISC */
/*
 * net_tcp_rfc_offload.c -- the RFC scenarios of net_tcp_rfc.c over a simulated link
 * whose devices have offloads (net_sim.h): super-segments out, coalesced frames in,
 * checksums left to the device. Each scenario's property must hold either way.
 */
#define TCP_RFC_OFFLOAD true
#include "net_tcp_rfc.c"
