#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# The echo unikernel (examples/echo) against Linux's own tools, over a TAP interface in
# a network namespace made for this run: ping (small and fragmented both ways), UDP echo
# with a python3 client, and malformed frames, which must be dropped and counted while
# the unikernel keeps answering. Speaks TAP. Needs root (skips otherwise).
#
# Usage: tests/integration/net_ping.sh [-t unix|hvt|spt]
# ECHO_IMAGE=PATH tests another build of the image (e.g. one built with --sanitize).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TARGET=unix
[ "${1:-}" = "-t" ] && TARGET=${2:-unix}
IMAGE=${ECHO_IMAGE:-$BUILD/examples/echo.$TARGET}
NS=mgnet$$
TAP=mgtap$$
HOST_IP=10.77.0.1
GUEST_IP=10.77.0.2
LOG=$(mktemp)
PID=

PLAN=9
echo "1..$PLAN"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip_all() {
	while [ "$n" -lt "$PLAN" ]; do n=$((n + 1)); echo "ok $n # SKIP $1"; done
	exit 0
}
check() { local what=$1; shift; if "$@" >>"$LOG" 2>&1; then ok "$what"; else
	not_ok "$what" "command: $*" "$(tail -n 5 "$LOG")"; fi; }

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -f "$LOG"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || skip_all "needs root for a network namespace and a TAP interface"
command -v python3 >/dev/null || skip_all "needs python3"
command -v ping >/dev/null || skip_all "needs ping (iputils-ping)"
[ -x "$IMAGE" ] || skip_all "$IMAGE is not built (make)"
if [ "$TARGET" = hvt ] && [ ! -w /dev/kvm ]; then skip_all "needs /dev/kvm"; fi

in_ns() { ip netns exec "$NS" "$@"; }
ip netns add "$NS" || skip_all "cannot create a network namespace"
in_ns ip link set lo up
in_ns ip tuntap add "$TAP" mode tap
in_ns ip addr add "$HOST_IP/24" dev "$TAP"
in_ns ip link set "$TAP" up

case $TARGET in
unix) in_ns "$IMAGE" --net:service="$TAP" -- --ipv4="$GUEST_IP/24" >"$LOG.guest" 2>&1 & ;;
hvt|spt) in_ns "$BUILD/bin/morgana-$TARGET" --net:service="$TAP" "$IMAGE" \
	--ipv4="$GUEST_IP/24" >"$LOG.guest" 2>&1 & ;;
*) echo "net_ping.sh: unknown target '$TARGET' (unix, hvt or spt)" >&2; exit 64 ;;
esac
PID=$!
trap 'cleanup; rm -f "$LOG.guest"' EXIT
for _ in $(seq 50); do grep -q "ready" "$LOG.guest" 2>/dev/null && break; sleep 0.1; done

check "ping gets answers" in_ns ping -c 3 -i 0.2 -W 2 "$GUEST_IP"
check "ping -s 4000: fragmented request and reply" in_ns ping -c 2 -i 0.2 -W 2 -s 4000 \
	"$GUEST_IP"
check "ping -s 1472: exactly one full frame each way" in_ns ping -c 1 -W 2 -s 1472 "$GUEST_IP"

# udp_client: send each argument as a datagram to port 7, expect it back.
UDP_CLIENT='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for size in map(int, sys.argv[2:]):
    msg = bytes((i * 7 + size) & 0xff for i in range(size))
    s.sendto(msg, (sys.argv[1], 7))
    data, _ = s.recvfrom(70000)
    if data != msg:
        sys.exit("datagram of %d bytes came back as %d bytes" % (size, len(data)))
'
check "UDP echo of 0, 1, 100, 1472 bytes" in_ns python3 -c "$UDP_CLIENT" "$GUEST_IP" 0 1 100 1472
check "UDP echo of 8000 and 65507 bytes (fragmented)" in_ns python3 -c "$UDP_CLIENT" \
	"$GUEST_IP" 8000 65507

# A closed port gets an ICMP port unreachable, which Linux reports as ECONNREFUSED.
CLOSED_PORT='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((sys.argv[1], 4242))
s.send(b"anyone?")
try:
    s.recv(100)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit("no port unreachable")
'
check "UDP to a closed port: ICMP port unreachable" in_ns python3 -c "$CLOSED_PORT" "$GUEST_IP"

# Malformed frames, written raw onto the link: each must be dropped and counted.
MALFORMED='
import socket, struct, sys
tap, guest_mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((tap, 0))
src = bytes.fromhex("02aabbccddee")
def csum(b):
    if len(b) % 2: b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16: t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
def ip(payload, ihl=5, total=None, proto=1, fix=True, opts=b"", flags=0):
    total = 20 + len(opts) + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, flags, 64, proto, 0,
                    socket.inet_aton("10.77.0.1"), socket.inet_aton("10.77.0.2")) + opts
    if fix:
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload
def eth(payload, etype=0x0800):
    return guest_mac + src + struct.pack("!H", etype) + payload
echo = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"x" * 8
frames = [
    eth(b"")[:10],                                   # runt frame
    eth(ip(echo, total=16)),                         # total length below the header
    eth(ip(echo, ihl=4)),                            # IHL below 5
    eth(ip(echo, ihl=15)),                           # IHL beyond the packet
    eth(ip(echo, total=2000)),                       # total length beyond the frame
    eth(ip(echo, fix=False)[:10] + b"\x12\x34" + ip(echo)[12:]),   # bad checksum
    eth(ip(echo, ihl=6, opts=b"\x94\x00\x00\x00")),  # option length 0
    eth(ip(echo, ihl=6, opts=b"\x01\x01\x94\x09")),  # option overflowing the header
    eth(ip(echo, flags=0x8000)),                     # reserved flag
    eth(ip(struct.pack("!HHHH", 1, 7, 3, 0))),       # UDP length below 8 (proto fixed below)
    eth(b"\x00\x01\x08\x00\x06\x04\x00\x09" + b"\0" * 20, 0x0806),  # ARP, bad op
]
frames[9] = eth(ip(struct.pack("!HHHH", 1, 7, 3, 0), proto=17))
for f in frames:
    s.send(f.ljust(60, b"\0"))
'
COUNTERS='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"?", (sys.argv[1], 9999))
print(s.recvfrom(70000)[0].decode())
'
guest_mac=$(in_ns ip neigh show "$GUEST_IP" | awk '{print $5}')
if [ -z "$guest_mac" ]; then
	not_ok "malformed frames are dropped and counted" "no neighbour entry for $GUEST_IP"
else
	before=$(in_ns python3 -c "$COUNTERS" "$GUEST_IP" 2>>"$LOG")
	in_ns python3 -c "$MALFORMED" "$TAP" "$guest_mac" >>"$LOG" 2>&1
	sleep 0.3
	after=$(in_ns python3 -c "$COUNTERS" "$GUEST_IP" 2>>"$LOG")
	get() { echo "$1" | awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }'; }
	bad=""
	for c in ipv4.drop_malformed:7 ipv4.drop_bad_csum:1 udp.drop_malformed:1 \
		 arp.drop_malformed:1; do
		k=${c%%:*} want=${c##*:}
		d=$(( $(get "$after" "$k") - $(get "$before" "$k") ))
		[ "$d" -eq "$want" ] || bad="$bad $k+$d(want +$want)"
	done
	if [ -z "$bad" ] && [ -n "$after" ]; then
		ok "malformed frames are dropped and counted"
	else
		not_ok "malformed frames are dropped and counted" "counters:$bad" \
			"$(echo "$after" | tr '\n' ' ')"
	fi
fi
check "still answers ping after the malformed frames" in_ns ping -c 2 -i 0.2 -W 2 "$GUEST_IP"
if kill -0 "$PID" 2>/dev/null; then ok "the unikernel is still running"; else
	not_ok "the unikernel is still running" "$(tail -n 5 "$LOG.guest")"; fi
