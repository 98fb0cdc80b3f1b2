#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# The echo unikernel (examples/echo) under floods of malformed frames built with scapy
# (tests/integration/net_malformed.py): truncated and inconsistent Ethernet, IPv4, ICMP,
# UDP and TCP headers, bad checksums, garbage IPv4 and TCP options, bad fragments, ARP
# garbage, unknown ethertypes. Each class must be dropped and counted by reason (the
# counters the unikernel reports on UDP port 9999) while ping and TCP echo keep working.
# Runs in a network namespace made for this run. Needs root and Debian's python3-scapy
# (skips otherwise). Takes about 40 s (incomplete fragments wait out their timeout).
#
# Usage: tests/integration/net_malformed.sh [-t unix|hvt|spt]
# ECHO_IMAGE=PATH tests another build of the image; FLOOD=N copies of each frame (100).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TARGET=unix
[ "${1:-}" = "-t" ] && TARGET=${2:-unix}
IMAGE=${ECHO_IMAGE:-$BUILD/examples/echo.$TARGET}
SCAPY_PYTHON=/usr/bin/python3	# Debian's scapy is not importable from other pythons
NS=mgmal$$
TAP=mgmt$$
HOST_IP=10.77.0.1
GUEST_IP=10.77.0.2
GUEST_LOG=$(mktemp)
PID=
PLAN=17

skip_all() {
	echo "1..$PLAN"
	for n in $(seq "$PLAN"); do echo "ok $n # SKIP $1"; done
	exit 0
}
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -f "$GUEST_LOG"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || skip_all "needs root for a network namespace and a TAP interface"
"$SCAPY_PYTHON" -c 'import scapy.all' 2>/dev/null ||
	skip_all "needs python3-scapy (scripts/install-deps)"
command -v ping >/dev/null || skip_all "needs ping (iputils-ping)"
[ -x "$IMAGE" ] || skip_all "$IMAGE is not built (make)"
if [ "$TARGET" = hvt ] && [ ! -w /dev/kvm ]; then skip_all "needs /dev/kvm"; fi

in_ns() { ip netns exec "$NS" "$@"; }
ip netns add "$NS" || skip_all "cannot create a network namespace"
in_ns ip link set lo up
in_ns ip tuntap add "$TAP" mode tap
# No IPv6 from the host side: its neighbour discovery would add to the counters.
in_ns sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1"
in_ns ip addr add "$HOST_IP/24" dev "$TAP"
in_ns ip link set "$TAP" up

case $TARGET in
unix) ip netns exec "$NS" "$IMAGE" --net:service="$TAP" -- --ipv4="$GUEST_IP/24" >"$GUEST_LOG" 2>&1 & ;;
hvt|spt) ip netns exec "$NS" "$BUILD/bin/morgana-$TARGET" --net:service="$TAP" "$IMAGE" \
	--ipv4="$GUEST_IP/24" >"$GUEST_LOG" 2>&1 & ;;
*) echo "net_malformed.sh: unknown target '$TARGET' (unix, hvt or spt)" >&2; exit 64 ;;
esac
PID=$!
for _ in $(seq 50); do grep -q "ready" "$GUEST_LOG" 2>/dev/null && break; sleep 0.1; done

in_ns ping -c 1 -W 2 "$GUEST_IP" >/dev/null 2>&1
guest_mac=$(in_ns ip neigh show "$GUEST_IP" | awk '{ print $5 }')
if [ -z "$guest_mac" ]; then
	echo "1..$PLAN"
	echo "not ok 1 - the unikernel answers ARP"
	echo "# $(tail -n 5 "$GUEST_LOG")"
	exit 1
fi
in_ns "$SCAPY_PYTHON" tests/integration/net_malformed.py "$TAP" "$guest_mac" "$HOST_IP" \
	"$GUEST_IP" "${FLOOD:-100}"
status=$?
if ! kill -0 "$PID" 2>/dev/null; then
	echo "# the unikernel exited: $(tail -n 5 "$GUEST_LOG")"
	status=1
fi
exit "$status"
