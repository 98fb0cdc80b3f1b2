#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Writes the seed scripts of fuzz_tcp_conn (tests/fuzz/seeds/fuzz_tcp_conn/): whole
conversations the fuzzer then varies, so that it starts from established connections,
data both ways, SACK, FIN and timers rather than having to find a handshake first.
The script format is fuzz_tcp_conn.c's; run this after changing it."""
import os
import struct

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS, WSCALE, SACKOK, TS, SACK = 1, 2, 4, 8, 16
ECHO_PEER, ACTIVE = 0, 4


def settings(flags=0, bufs=0):
    return bytes([flags, bufs])


def segment(peer, flags, dseq=0, dack=0, win=0xffff, opts=TS, length=0, sack=()):
    out = struct.pack(">BBBhhHB", 0, peer, flags, dseq, dack, win, opts | (SACK if sack else 0))
    if opts & MSS:
        out += struct.pack(">H", 1460)
    if opts & WSCALE:
        out += bytes([7])
    if opts & TS:
        out += bytes([1, 0])            # the peer's clock ticks 1; echo the stack's last
    if sack:
        out += bytes([len(sack) - 1])
        for left, size in sack:         # left relative to the stack's highest seq sent
            out += struct.pack(">hH", left, size)
    return out + struct.pack(">H", length)


def wait(ms):
    return struct.pack(">BH", 5, ms)


def next_timer():
    return bytes([6])


def app(peer, what, arg=0):
    return struct.pack(">BBBH", 7, peer, what, arg)


ALL = MSS | WSCALE | SACKOK | TS

SEEDS = {
    # A client of the echo: handshake, data, the echo's ACKs, FIN both ways.
    "echo": settings() + segment(ECHO_PEER, SYN, opts=ALL) + segment(ECHO_PEER, ACK)
    + segment(ECHO_PEER, ACK | PSH, length=100) + segment(ECHO_PEER, ACK, length=1400)
    + wait(50) + segment(ECHO_PEER, ACK) + segment(ECHO_PEER, FIN | ACK)
    + wait(50) + segment(ECHO_PEER, ACK),
    # Out of order: two segments above a hole (SACKed), then the hole filled.
    "echo_ooo": settings() + segment(ECHO_PEER, SYN, opts=ALL) + segment(ECHO_PEER, ACK)
    + segment(ECHO_PEER, ACK, dseq=1000, length=1000)
    + segment(ECHO_PEER, ACK, dseq=3000, length=500)
    + segment(ECHO_PEER, ACK, length=1000) + segment(ECHO_PEER, ACK, length=1000)
    + next_timer() + segment(ECHO_PEER, ACK),
    # The stack's own connection: SYN-ACK, the application writes 30000 bytes, the peer
    # acknowledges part and SACKs above a hole, time passes for the retransmission.
    "active_sack": settings(0, 6) + segment(ACTIVE, SYN | ACK, opts=ALL)
    + app(ACTIVE, 0, 30000) + segment(ACTIVE, ACK, dack=-20000)
    + segment(ACTIVE, ACK, dack=-20000, sack=[(-14000, 6000)])
    + segment(ACTIVE, ACK, dack=-20000, sack=[(-14000, 10000)])
    + next_timer() + segment(ACTIVE, ACK) + app(ACTIVE, 2) + next_timer(),
    # Plain options (no SACK, no timestamps), small buffers, a zero window, then open.
    "zero_window": settings(0x06, 0) + segment(ACTIVE, SYN | ACK, win=2000, opts=MSS)
    + app(ACTIVE, 0, 8000) + segment(ACTIVE, ACK, win=0, opts=0) + next_timer()
    + segment(ACTIVE, ACK, win=8000, opts=0) + next_timer(),
    # A SYN flood on a backlog of one, then a client that completes with a cookie.
    "cookies": settings(0x00) + b"".join(segment(p, SYN, opts=ALL) for p in range(4))
    + segment(3, ACK) + segment(3, ACK | PSH, length=10),
}

if __name__ == "__main__":
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "fuzz_tcp_conn")
    os.makedirs(here, exist_ok=True)
    for name, script in SEEDS.items():
        with open(os.path.join(here, name), "wb") as f:
            f.write(script)
