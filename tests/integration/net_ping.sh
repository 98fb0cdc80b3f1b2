#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# The echo unikernel (examples/echo) against Linux's own tools, over a TAP interface in
# a network namespace made for this run: ping (small and fragmented both ways), UDP echo
# with a python3 client, port unreachables. Malformed frames are net_malformed.sh's.
# Speaks TAP. Needs root (skips otherwise).
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

PLAN=8
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
unix) ip netns exec "$NS" "$IMAGE" --net:service="$TAP" -- --ipv4="$GUEST_IP/24" >"$LOG.guest" 2>&1 & ;;
hvt|spt) ip netns exec "$NS" "$BUILD/bin/morgana-$TARGET" --net:service="$TAP" "$IMAGE" \
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

check "still answers ping afterwards" in_ns ping -c 2 -i 0.2 -W 2 "$GUEST_IP"
if kill -0 "$PID" 2>/dev/null; then ok "the unikernel is still running"; else
	not_ok "the unikernel is still running" "$(tail -n 5 "$LOG.guest")"; fi
