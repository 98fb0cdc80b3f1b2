# SPDX-License-Identifier: ISC
#
# Shared by tests/integration/tcp_*.sh: TAP output, a network namespace with a TAP
# interface made for this run (unique names, removed on exit), and a unikernel example
# started on it (unix, hvt or spt target). Source it after setting PLAN; it reads -t TARGET.
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TARGET=unix
[ "${1:-}" = "-t" ] && TARGET=${2:-unix}
NS=mgtcp$$
TAP=mgtt$$
HOST_IP=10.79.0.1
GUEST_IP=10.79.0.2
LOG=$(mktemp)
PID=

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
	rm -f "$LOG" "$LOG.guest"
}
trap cleanup EXIT
in_ns() { ip netns exec "$NS" "$@"; }

# needs_common: skip unless root with python3 and the image built.
needs_common() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root for a network namespace and a TAP interface"
	command -v python3 >/dev/null || skip_all "needs python3"
	[ -x "$IMAGE" ] || skip_all "$IMAGE is not built (make)"
	if [ "$TARGET" = hvt ] && [ ! -w /dev/kvm ]; then skip_all "needs /dev/kvm"; fi
}

# start_guest: the namespace, the TAP, and the unikernel $IMAGE on it.
start_guest() {
	ip netns add "$NS" || skip_all "cannot create a network namespace"
	in_ns ip link set lo up
	in_ns ip tuntap add "$TAP" mode tap
	in_ns ip addr add "$HOST_IP/24" dev "$TAP"
	in_ns ip link set "$TAP" up
	case $TARGET in
	unix) ip netns exec "$NS" "$IMAGE" --net:service="$TAP" -- --ipv4="$GUEST_IP/24" >"$LOG.guest" 2>&1 & ;;
	hvt|spt) ip netns exec "$NS" "$BUILD/bin/morgana-$TARGET" --net:service="$TAP" "$IMAGE" \
		--ipv4="$GUEST_IP/24" >"$LOG.guest" 2>&1 & ;;
	*) skip_all "unknown target $TARGET" ;;
	esac
	PID=$!
	for _ in $(seq 50); do grep -q "ready" "$LOG.guest" 2>/dev/null && break; sleep 0.1; done
}

guest_alive() {
	if kill -0 "$PID" 2>/dev/null; then ok "the unikernel is still running"; else
		not_ok "the unikernel is still running" "$(tail -n 5 "$LOG.guest")"; fi
}
