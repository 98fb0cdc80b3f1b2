#!/usr/bin/python3
# SPDX-License-Identifier: ISC
#
# Malformed frames against the echo unikernel (examples/echo), built with scapy and
# written raw onto its TAP interface: one class of damage at a time, each frame sent
# FLOOD times. After each class the drop counters that must have moved are read from the
# unikernel (UDP port 9999, `layer.name value` lines) and compared exactly, and a ping
# and a TCP echo must still be answered. Speaks TAP. Run by net_malformed.sh inside a
# network namespace; needs Debian's python3-scapy, hence /usr/bin/python3.
#
# Usage: net_malformed.py TAP GUEST_MAC HOST_IP GUEST_IP [FLOOD]
import os
import random
import socket
import subprocess
import sys
import time

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, conf, raw

TAP, GUEST_MAC, HOST_IP, GUEST_IP = sys.argv[1:5]
FLOOD = int(sys.argv[5]) if len(sys.argv) > 5 else 100
HOST_MAC = open("/sys/class/net/%s/address" % TAP).read().strip()
OTHER_IP = "10.77.0.50"          # on the subnet, nobody's; safe to put in ARP garbage
COUNTERS_PORT, ECHO_PORT = 9999, 7
# Incomplete datagrams wait this long in the unikernel's reassembly slots
# (MG_NET_REASM_TIMEOUT_NS), and that many slots exist (MG_NET_REASM_SLOTS).
REASM_TIMEOUT_S, REASM_SLOTS = 30, 8

l2 = conf.L2socket(iface=TAP)
n_test = 0


def tap_result(ok, what, diag=()):
    global n_test
    n_test += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n_test, what))
    for line in diag:
        print("# %s" % line)
    sys.stdout.flush()


def eth(payload=b"", dst=None, etype=0x0800):
    return Ether(dst=dst or GUEST_MAC, src=HOST_MAC, type=etype) / payload


def ip(**kw):
    return IP(src=HOST_IP, dst=GUEST_IP, **kw)


def ip_bytes(l3, **kw):
    """An IPv4 datagram as bytes, with the header checksum recomputed after edits."""
    b = bytearray(raw(l3))
    for off, val in kw.get("patch", {}).items():
        b[off] = val
    if kw.get("fix_csum", True):
        ihl = (b[0] & 0xF) * 4
        b[10:12] = b"\0\0"
        b[10:12] = checksum(bytes(b[:max(ihl, 20)])).to_bytes(2, "big")
    return bytes(b)


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def counters():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    try:
        for _ in range(5):
            s.sendto(b"?", (GUEST_IP, COUNTERS_PORT))
            try:
                text = s.recvfrom(65536)[0].decode()
                return {k: int(v) for k, v in (l.split() for l in text.splitlines() if l)}
            except socket.timeout:
                continue
    finally:
        s.close()
    raise RuntimeError("no answer on UDP port %d" % COUNTERS_PORT)


def send_flood(frames, copies):
    """Every frame copies times, in bursts the TAP queue (1000 frames) holds."""
    sent = 0
    for _ in range(copies):
        for f in frames:
            l2.send(f)
            sent += 1
            if sent % 64 == 0:
                time.sleep(0.002)


def ping(size=56):
    return subprocess.run(["ping", "-c", "1", "-W", "2", "-s", str(size), GUEST_IP],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def tcp_echo():
    msg = os.urandom(3000)
    try:
        with socket.create_connection((GUEST_IP, ECHO_PORT), timeout=3) as s:
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            return got == msg
    except OSError:
        return False


def wait_deltas(before, want, timeout=10):
    """Counters once every wanted delta is reached (or the timeout passed)."""
    deadline = time.time() + timeout
    while True:
        now = counters()
        if all(now.get(k, 0) - before.get(k, 0) >= v for k, v in want.items()):
            time.sleep(0.2)        # anything more arriving late would be an error too
            return counters()
        if time.time() > deadline:
            return now
        time.sleep(0.1)


def check_class(what, frames, want, copies=FLOOD, serving=True):
    """Send frames (copies times each); want: counter -> delta per copy of the set."""
    before = counters()
    send_flood([bytes(f) for f in frames], copies)
    want = {k: v * copies for k, v in want.items()}
    after = wait_deltas(before, want)
    diag = []
    for k, v in want.items():
        d = after.get(k, 0) - before.get(k, 0)
        if d != v:
            diag.append("%s moved by %d, want %d" % (k, d, v))
    if serving and not ping():
        diag.append("ping not answered afterwards")
    if serving and not tcp_echo():
        diag.append("TCP echo failed afterwards")
    tap_result(not diag, "%s (x%d): dropped and counted, still serving" % (what, copies), diag)
    return after


# --- the classes -------------------------------------------------------------------------

echo = ICMP(type=8, id=0x4d47, seq=1) / Raw(b"morgana!")


def ethernet_frames():
    return [
        eth(b"\0" * 46, etype=0x0000),                       # 802.3 length fields
        eth(b"\0" * 46, etype=0x05DC),
        eth(ip() / echo, dst="02:12:34:56:78:9a"),           # unicast to another MAC
    ]


def unknown_type_frames():
    return [eth(b"\xaa" * 46, etype=t) for t in (0x88B5, 0x1234, 0x86DD, 0xFFFF, 0x0600)]


def ipv4_truncated_frames():
    full = raw(ip() / echo)
    return [eth(b""), eth(full[:1]), eth(full[:10]), eth(full[:19])]


def ipv4_ihl_frames():
    return [
        eth(ip_bytes(ip(ihl=4) / echo)),                     # below 5
        eth(ip_bytes(ip(ihl=0) / echo)),
        eth(ip_bytes(ip(ihl=15) / echo)),                    # beyond the datagram
        eth(ip_bytes(ip(ihl=6, len=20) / echo)),             # beyond the total length
        eth(ip_bytes(ip(version=6) / echo)),                 # IPv6 in an IPv4 frame
    ]


def ipv4_length_frames():
    return [
        eth(ip_bytes(ip(len=2000) / echo)),                  # beyond the frame
        eth(ip_bytes(ip(len=29) / echo)[:29 - 1]),           # one byte short
        eth(ip_bytes(ip(len=19) / echo)),                    # below the header
        eth(ip_bytes(ip(len=0) / echo)),
    ]


def ipv4_csum_frames():
    return [eth(ip_bytes(ip(chksum=c) / echo, fix_csum=False)) for c in (0x1234, 0xFFFF)]


def with_ip_options(opts):
    """An echo request whose IPv4 header carries opts (a multiple of 4 bytes) verbatim."""
    return eth(ip_bytes(ip(ihl=5 + len(opts) // 4, proto=1) / Raw(opts + raw(echo))))


def ipv4_options_frames():
    return [
        with_ip_options(b"\x94\x00\x00\x00"),                 # length 0
        with_ip_options(b"\x07\x01\x00\x00"),                 # length 1
        with_ip_options(b"\x01\x01\x83\x09"),                 # past the header
        with_ip_options(b"\x44\x29" + b"\0" * 38),             # 41 bytes in 40
        eth(ip_bytes(ip(flags=4) / echo)),                   # the reserved flag
    ]


def icmp_frames():
    return [
        # The frame holds the whole message, the total length only 4 bytes of it.
        (eth(ip_bytes(ip(len=24) / echo)), "icmp.drop_malformed"),
        (eth(ip_bytes(ip() / ICMP(type=8, chksum=0xBEEF) / Raw(b"x" * 8))),
         "icmp.drop_bad_csum"),
        (eth(ip_bytes(ip(len=28 + 4) / echo)), "icmp.drop_bad_csum"),   # payload cut
    ]


def udp_frames():
    return [
        (eth(ip_bytes(ip(len=24) / UDP(sport=5555, dport=7) / Raw(b"hello"))),
         "udp.drop_malformed"),                              # header cut by total length
        (eth(ip_bytes(ip() / UDP(sport=5555, dport=7, len=4) / Raw(b"hello"))),
         "udp.drop_malformed"),                              # length field below 8
        (eth(ip_bytes(ip() / UDP(sport=5555, dport=7, len=300) / Raw(b"hello"))),
         "udp.drop_malformed"),                              # length field beyond the data
        (eth(ip_bytes(ip() / UDP(sport=5555, dport=7, chksum=0x1234) / Raw(b"hello"))),
         "udp.drop_bad_csum"),
    ]


def tcp_header_frames():
    syn = TCP(sport=40000, dport=ECHO_PORT, flags="S", seq=1000)
    return [
        (eth(ip_bytes(ip(len=30) / syn)), "tcp.drop_malformed"),          # 10 bytes
        (eth(ip_bytes(ip() / TCP(sport=40000, dport=7, flags="S", dataofs=4))),
         "tcp.drop_malformed"),                              # data offset below 5
        (eth(ip_bytes(ip() / TCP(sport=40000, dport=7, flags="S", dataofs=15))),
         "tcp.drop_malformed"),                              # beyond the segment
        (eth(ip_bytes(ip() / TCP(sport=40000, dport=7, flags="S", chksum=0x1234))),
         "tcp.drop_bad_csum"),
    ]


def tcp_option_frames():
    def with_opts(b):
        return eth(ip_bytes(ip() / TCP(sport=40001, dport=ECHO_PORT, flags="S",
                                       dataofs=5 + len(b) // 4) / Raw(b)))
    return [
        with_opts(b"\x02\x00\x05\xb4"),                      # MSS, length 0
        with_opts(b"\x08\x01\x00\x00"),                      # timestamps, length 1
        with_opts(b"\x02\x28\x05\xb4"),                      # length past the header
        with_opts(b"\x02\x03\x05\x00"),                      # MSS of 3 bytes
        with_opts(b"\x01\x01\x05\x09" + b"\0" * 8),          # SACK of 9 bytes
        with_opts(b"\x03\x02\x00\x00"),                      # window scale of 2 bytes
    ]


def frag(ident, off, payload, mf=True):
    return eth(ip_bytes(ip(id=ident, flags="MF" if mf else 0, frag=off // 8, proto=1) /
                        Raw(payload)))


def fragment_frames():
    blob = bytes(random.getrandbits(8) for _ in range(1480))
    return [
        # Overlapping: 0..1480, then 1472..1536.
        (frag(0x1001, 0, blob), None),
        (frag(0x1001, 1472, blob[:64], mf=False), "ipv4.reasm_overlap"),
        # Oversized: a fragment ending beyond 65535 bytes.
        (frag(0x1002, 65528, blob[:64], mf=False), "ipv4.drop_malformed"),
        # A middle fragment that is not a multiple of 8 bytes.
        (frag(0x1003, 8, blob[:13]), "ipv4.reasm_bad"),
        # A last fragment shorter than data already held beyond it.
        (frag(0x1004, 1480, blob[:16]), None),
        (frag(0x1004, 8, blob[:8], mf=False), "ipv4.reasm_bad"),
    ]


def arp_frames():
    def arp(**kw):
        base = dict(op=1, hwsrc=HOST_MAC, psrc=OTHER_IP, hwdst="00:00:00:00:00:00",
                    pdst=GUEST_IP)
        base.update(kw)
        return eth(ARP(**base), dst="ff:ff:ff:ff:ff:ff", etype=0x0806)
    return [
        (arp(op=9), "arp.drop_malformed"),                   # no such operation
        (eth(raw(ARP(psrc=OTHER_IP, pdst=GUEST_IP))[:20], dst="ff:ff:ff:ff:ff:ff",
             etype=0x0806), "arp.drop_malformed"),           # truncated
        (arp(hwsrc="01:00:5e:00:00:01"), "arp.drop_malformed"),   # group sender
        (arp(psrc="0.0.0.0"), "arp.drop_malformed"),         # zero sender
        (arp(hwtype=6), "arp.drop_unsupported"),             # not Ethernet
        (arp(ptype=0x86DD), "arp.drop_unsupported"),         # not IPv4
        (arp(pdst=OTHER_IP), "arp.drop_not_for_us"),         # for somebody else
    ]


def labelled(pairs):
    frames, want = [], {}
    for f, counter in pairs:
        frames.append(f)
        if counter:
            want[counter] = want.get(counter, 0) + 1
    return frames, want


def main():
    plan = 17
    print("1..%d" % plan)
    random.seed(20240)
    try:
        counters()
    except RuntimeError as e:
        for _ in range(plan):
            tap_result(False, "counters readable", [str(e)])
        return
    tap_result(ping() and tcp_echo(), "ping and TCP echo answered before the flood")

    # Fragments first: the never-completing ones below hold every reassembly slot for
    # REASM_TIMEOUT_S seconds, and would turn these into slot shortages.
    frames, want = labelled(fragment_frames())
    check_class("IPv4 fragments: overlapping, oversized, misaligned, inconsistent",
                frames, want)
    # Fragments that never complete, each of another datagram: REASM_SLOTS take a
    # slot, the others find none; all slots are given up after the timeout.
    incomplete = [frag(0x2000 + i, 0, b"z" * 64) for i in range(FLOOD)]
    t_incomplete = time.time()
    before = counters()
    send_flood([bytes(f) for f in incomplete], 1)
    after = wait_deltas(before, {"ipv4.reasm_no_slot": FLOOD - REASM_SLOTS,
                                 "ipv4.frags_rx": FLOOD})
    diag = ["%s moved by %d, want %d" % (k, after.get(k, 0) - before.get(k, 0), v)
            for k, v in (("ipv4.reasm_no_slot", FLOOD - REASM_SLOTS),
                         ("ipv4.frags_rx", FLOOD))
            if after.get(k, 0) - before.get(k, 0) != v]
    if not ping() or not tcp_echo():
        diag.append("ping or TCP echo not answered afterwards")
    tap_result(not diag, "IPv4 fragments that never complete (x%d): slots full, counted, "
               "still serving" % FLOOD, diag)
    before_timeout = before

    check_class("Ethernet: 802.3 length fields, another MAC", ethernet_frames(),
                {"eth.drop_malformed": 2, "eth.drop_not_for_us": 1})
    check_class("Ethernet: unknown ethertypes", unknown_type_frames(),
                {"eth.drop_unknown_type": 5})
    check_class("IPv4: truncated headers", ipv4_truncated_frames(),
                {"ipv4.drop_malformed": 4})
    check_class("IPv4: bad IHL and version", ipv4_ihl_frames(), {"ipv4.drop_malformed": 5})
    check_class("IPv4: total length larger than the frame, smaller than the header",
                ipv4_length_frames(), {"ipv4.drop_malformed": 4})
    check_class("IPv4: bad header checksums", ipv4_csum_frames(), {"ipv4.drop_bad_csum": 2})
    check_class("IPv4: garbage options, reserved flag", ipv4_options_frames(),
                {"ipv4.drop_malformed": 5})
    frames, want = labelled(icmp_frames())
    check_class("ICMP: truncated header, bad checksums", frames, want)
    frames, want = labelled(udp_frames())
    check_class("UDP: truncated header, bad length fields, bad checksum", frames, want)
    frames, want = labelled(tcp_header_frames())
    check_class("TCP: truncated header, data offset out of range, bad checksum", frames,
                want)
    check_class("TCP: bad option lengths", tcp_option_frames(), {"tcp.drop_malformed": 6})
    frames, want = labelled(arp_frames())
    check_class("ARP: garbage operations, lengths, senders and types", frames, want)

    # The incomplete datagrams time out; a fragmented ping then gets through again.
    time.sleep(max(0.0, t_incomplete + REASM_TIMEOUT_S + 2 - time.time()))
    after = counters()
    d = after.get("ipv4.reasm_timeout", 0) - before_timeout.get("ipv4.reasm_timeout", 0)
    diag = [] if d == REASM_SLOTS else ["ipv4.reasm_timeout moved by %d, want %d" %
                                         (d, REASM_SLOTS)]
    if not ping(4000):
        diag.append("a fragmented ping (-s 4000) was not answered")
    tap_result(not diag, "incomplete datagrams are given up after %d s, reassembly works "
               "again" % REASM_TIMEOUT_S, diag)
    tap_result(ping() and tcp_echo(), "ping and TCP echo answered after everything")


if __name__ == "__main__":
    main()
