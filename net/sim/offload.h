/* SPDX-License-Identifier: ISC */
/*
 * offload.h -- what the simulated link's emulation of a device with offloads (TSO and
 * checksum offload on sending, coalescing and checksum checks on receiving) offers
 * link.c. Private to net/sim.
 */
#ifndef MORGANA_NET_SIM_OFFLOAD_H
#define MORGANA_NET_SIM_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/net_wire.h>

/* Called with each wire frame a sent frame becomes. */
typedef void (*sim_emit_fn)(void *arg, const uint8_t *frame, size_t len);

/*
 * What the sending device does with a frame written to it (virtio-net header first):
 * complete a NEEDS_CSUM checksum and cut a TCPV4 super-segment into gso_size segments
 * with copies of the headers (IP ids counting up, sequence numbers advancing, FIN and
 * PSH on the last only, CWR on the first only, every checksum whole), as Linux's GSO
 * does. scratch has room for MG_PLAT_NET_FRAME_MAX bytes. Returns 0, or -EINVAL for a
 * malformed header or a super-segment that is not TCP/IPv4 (nothing emitted).
 */
int sim_offload_send(const uint8_t *frame, size_t len, uint8_t *scratch, sim_emit_fn emit,
		     void *arg);

/*
 * What the receiving device does: frames[0..count) arrived together; starting with the
 * first, coalesce as many as Linux's GRO would (same TCP/IPv4 flow, in sequence, equal
 * headers but for the length, all but the last carrying as many bytes as the first,
 * checksums right, at most 65535 bytes of IP) into out (out_len bytes, at least
 * MG_VNET_HDR_LEN + the first frame), preceded by a virtio-net header: NEEDS_CSUM with
 * GSO type TCPV4 and the pseudo-header sum in the checksum field for a coalesced
 * frame, DATA_VALID for a single TCP or UDP frame whose checksum is right, nothing
 * otherwise. Returns the bytes written to out; *used = frames consumed (at least 1).
 */
size_t sim_offload_receive(const uint8_t *const *frames, const size_t *lens, size_t count,
			   uint8_t *out, size_t out_len, size_t *used);

#endif /* MORGANA_NET_SIM_OFFLOAD_H */
