# SPDX-License-Identifier: ISC
#
# Shared by tests/integration/http_*.sh: TAP (the plan printed at the end), a network
# namespace with a TAP interface made for this run (unique names, removed on exit), and
# a website unikernel booted on it on the target of -t TARGET (unix, spt or hvt).
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TARGET=unix
[ "${1:-}" = "-t" ] && TARGET=${2:-unix}
NS=mghttp$$
TAP=mght$$
HOST_IP=10.80.0.1
GUEST_IP=10.80.0.2
TMP=$(mktemp -d)
GUEST_LOG=$TMP/guest.log
PID=

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do echo "# $l"; done; }
check() { local what=$1; shift; if "$@" >"$TMP/check.out" 2>&1; then ok "$what"; else
	not_ok "$what" "$(tail -n 5 "$TMP/check.out")"; fi; }
skip_all() { echo "ok 1 # SKIP $1"; echo "1..1"; exit 0; }
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit $?; }
stop_guest() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	PID=
}
cleanup() {
	stop_guest
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
in_ns() { ip netns exec "$NS" "$@"; }

# needs_common: skip unless root, with the target's tender (and KVM for hvt).
needs_common() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root for a network namespace and a TAP interface"
	command -v python3 >/dev/null || skip_all "needs python3"
	command -v curl >/dev/null || skip_all "needs curl (scripts/install-deps)"
	[ -x "$BUILD/bin/morgana" ] || skip_all "$BUILD/bin/morgana is not built (make)"
	case $TARGET in
	hvt) [ -w /dev/kvm ] || skip_all "needs /dev/kvm"
	     [ -x "$BUILD/bin/morgana-hvt" ] || skip_all "no $BUILD/bin/morgana-hvt (make)" ;;
	spt) [ -x "$BUILD/bin/morgana-spt" ] || skip_all "no $BUILD/bin/morgana-spt (make)" ;;
	esac
}

# build_app APPDIR OUT: build APPDIR for the target into OUT.
build_app() {
	MORGANA_CFLAGS=-Werror "$BUILD/bin/morgana" build -t "$TARGET" -o "$2" "$1" \
		>"$TMP/build.log" 2>&1 || { echo "Bail out! building $1 for $TARGET failed:"
		sed 's/^/# /' "$TMP/build.log"; exit 1; }
}

# start_guest IMAGE ARGS...: the namespace, the TAP, and the unikernel IMAGE on it with
# --ipv4 and ARGS; waits for its "ready" line.
start_guest() {
	local image=$1; shift
	ip netns add "$NS" || skip_all "cannot create a network namespace"
	in_ns ip link set lo up
	in_ns ip tuntap add "$TAP" mode tap
	in_ns ip addr add "$HOST_IP/24" dev "$TAP"
	in_ns ip link set "$TAP" up
	# `ip netns exec` itself (not the in_ns function, which would run in a subshell) is
	# the background job, so that $! is the process that becomes the unikernel. The
	# guest targets get 8 MiB, the memory the website is meant to run in.
	case $TARGET in
	unix) ip netns exec "$NS" "$image" --net:service="$TAP" -- --ipv4="$GUEST_IP/24" "$@" \
		>"$GUEST_LOG" 2>&1 & ;;
	spt) ip netns exec "$NS" "$BUILD/bin/morgana-spt" --mem=8 --net:service="$TAP" -- "$image" \
		--ipv4="$GUEST_IP/24" "$@" >"$GUEST_LOG" 2>&1 & ;;
	hvt) ip netns exec "$NS" "$BUILD/bin/morgana-hvt" --mem=8 --net:service="$TAP" "$image" \
		--ipv4="$GUEST_IP/24" "$@" >"$GUEST_LOG" 2>&1 & ;;
	esac
	PID=$!
	for _ in $(seq 100); do grep -q "ready" "$GUEST_LOG" 2>/dev/null && break; sleep 0.05; done
	grep -q "ready" "$GUEST_LOG" || { echo "Bail out! the unikernel did not start:"
		sed 's/^/# /' "$GUEST_LOG"; exit 1; }
}

guest_alive() {
	if kill -0 "$PID" 2>/dev/null; then ok "the unikernel is still running"; else
		not_ok "the unikernel is still running" "$(tail -n 5 "$GUEST_LOG")"; fi
}
