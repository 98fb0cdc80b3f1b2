#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# The dns unikernel (examples/dns) behind a TAP interface in a network namespace made
# for this run, questioned by the real tools: tests/dns/dig.sh (dig, kdig, and NSD on
# the same zone for comparison) for every record type and rule, then malformed queries
# in raw UDP from python3 (truncated, pointer loops, bad labels, garbage), each answered
# FORMERR or dropped, and counted, while the server keeps serving. Then the resolver
# unikernel (examples/resolve), on a second TAP of the same bridge, asks the dns
# unikernel. Last, a zone with an error stops the unikernel at start, naming FILE:LINE.
# Speaks TAP. Needs root.
#
# The image is examples/dns built with tests/dns/zones/example.com.zone as its only
# zone, for the target given.
#
# Usage: tests/integration/dns_serve.sh [-t unix|spt|hvt] [--sanitize]
# --sanitize builds the unix images with ASan and UBSan.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TARGET=unix
SANITIZE=
while [ $# -gt 0 ]; do
	case $1 in
	-t) TARGET=${2:-unix}; shift 2 ;;
	--sanitize) SANITIZE=--sanitize; shift ;;
	*) echo "Bail out! usage: $0 [-t unix|spt|hvt] [--sanitize]"; exit 1 ;;
	esac
done
NS=mgdns$$
TAP=mgdtap$$
TAP2=mgrtap$$
BRIDGE=mgdbr$$
HOST_IP=10.79.0.1
GUEST_IP=10.79.0.2
CLIENT_IP=10.79.0.3
STATS_PORT=9999
tmp=$(mktemp -d /tmp/morgana-dns-serve.XXXXXX)
PID=
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done; }
result() { if [ "$1" -eq 0 ]; then ok "$2"; else not_ok "$2" "${3:-}"; fi; }
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

stop_guest() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	PID=
}
cleanup() {
	stop_guest
	ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || skip_all "needs root for a network namespace and a TAP interface"
for tool in python3 dig kdig; do
	command -v "$tool" >/dev/null || skip_all "needs $tool (scripts/install-deps)"
done
[ -x "$BUILD/bin/morgana" ] || skip_all "$BUILD/bin/morgana is not built (make)"
case $TARGET in
unix) ;;
spt) [ -x "$BUILD/bin/morgana-spt" ] || skip_all "morgana-spt is not built (make)" ;;
hvt) [ -x "$BUILD/bin/morgana-hvt" ] || skip_all "morgana-hvt is not built (make)"
     [ -w /dev/kvm ] || skip_all "needs /dev/kvm" ;;
*) echo "Bail out! unknown target '$TARGET'"; exit 1 ;;
esac

# build_app DIR ZONEFILE...: examples/dns with these zone files, built for the target.
build_app() {
	local dir=$1; shift
	mkdir -p "$dir/zones"
	cp examples/dns/main.c examples/dns/unikernel.conf "$dir/"
	cp "$@" "$dir/zones/"
	"$BUILD/bin/morgana" build -t "$TARGET" $SANITIZE -o "$dir/dns.$TARGET" "$dir" \
		>"$dir/build.log" 2>&1
}
# guest_cmd TAPIF IMAGE: the command that runs IMAGE on TAPIF in the namespace, into
# CMD. `ip netns exec` execs the program, so in the background $! is the unikernel (or
# its tender) itself.
guest_cmd() {
	case $TARGET in
	unix) CMD=(ip netns exec "$NS" "$2" --net:service="$1" --) ;;
	spt) CMD=(ip netns exec "$NS" "$BUILD/bin/morgana-spt" --net:service="$1" "$2") ;;
	hvt) CMD=(ip netns exec "$NS" "$BUILD/bin/morgana-hvt" --net:service="$1" "$2") ;;
	esac
}
# start_guest IMAGE LOG ARGS...: the dns unikernel on $TAP, in the background.
start_guest() {
	local image=$1 log=$2; shift 2
	guest_cmd "$TAP" "$image"
	"${CMD[@]}" "$@" >"$log" 2>&1 &
	PID=$!
}
in_ns() { ip netns exec "$NS" "$@"; }

build_app "$tmp/app" tests/dns/zones/example.com.zone ||
	{ echo "Bail out! cannot build the dns example: $(tail -n 5 "$tmp/app/build.log")"; exit 1; }
mkdir -p "$tmp/client/zones"
cp examples/resolve/main.c examples/resolve/unikernel.conf "$tmp/client/"
"$BUILD/bin/morgana" build -t "$TARGET" $SANITIZE -o "$tmp/client/resolve.$TARGET" "$tmp/client" \
	>"$tmp/client/build.log" 2>&1 ||
	{ echo "Bail out! cannot build the resolve example: $(tail -n 5 "$tmp/client/build.log")"
	  exit 1; }
ip netns add "$NS" || skip_all "cannot create a network namespace"
in_ns ip link set lo up
in_ns ip link add "$BRIDGE" type bridge
for t in "$TAP" "$TAP2"; do
	in_ns ip tuntap add "$t" mode tap
	in_ns ip link set "$t" master "$BRIDGE"
	in_ns ip link set "$t" up
done
in_ns ip addr add "$HOST_IP/24" dev "$BRIDGE"
in_ns ip link set "$BRIDGE" up

start_guest "$tmp/app/dns.$TARGET" "$tmp/guest.log" --ipv4="$GUEST_IP/24" \
	--stats-port="$STATS_PORT"
for _ in $(seq 100); do grep -q "ready" "$tmp/guest.log" 2>/dev/null && break; sleep 0.1; done
if ! grep -q "zone example.com. loaded from example.com.zone" "$tmp/guest.log" ||
   ! grep -q "ready" "$tmp/guest.log"; then
	echo "Bail out! the dns unikernel did not start: $(tail -n 5 "$tmp/guest.log")"
	exit 1
fi
ok "the unikernel logs the zone it loaded and gets ready"

# --- dig.sh: every record type and rule, against dig, kdig and NSD ------------------
# Its results join ours, renumbered; its plan line is dropped (ours comes last).
in_ns env BUILD="$BUILD" DNS_SERVER="$GUEST_IP" DNS_PORT=53 DNS_TCP=0 \
	DNS_TCP_WHY="TCP not in the stack yet" tests/dns/dig.sh >"$tmp/dig.tap" 2>&1
while IFS= read -r line; do
	case $line in
	"ok "*)		n=$((n + 1)); echo "ok $n ${line#ok * }" ;;
	"not ok "*)	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n ${line#not ok * }" ;;
	"1.."*)		;;
	*)		echo "$line" ;;
	esac
done <"$tmp/dig.tap"

# --- malformed queries --------------------------------------------------------------
# Each is sent from its own socket; the script prints, per query, the rcode of the
# answer or "none", then runs 300 datagrams of seeded garbage.
RAW='
import random, socket, struct, sys
server = (sys.argv[1], 53)
def ask(payload, wait=0.5):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(wait)
    s.sendto(payload, server)
    try:
        r = s.recv(4096)
    except socket.timeout:
        return "none"
    if len(r) < 12 or r[:2] != payload[:2] or not r[2] & 0x80:
        return "bad"
    return str(r[3] & 0x0f)
hdr = lambda qd=1, an=0, ns=0, ar=0, flags=0: struct.pack("!HHHHHH", 0x1234, flags, qd, an, ns, ar)
q = b"\x03www\x07example\x03com\x00\x00\x01\x00\x01"
cases = [
    ("truncated question", hdr() + b"\x03ab"),
    ("question without type and class", hdr() + b"\x03www\x07example\x03com\x00"),
    ("pointer to itself", hdr() + b"\xc0\x0c\x00\x01\x00\x01"),
    ("two pointers in a loop", hdr() + b"\x01a\xc0\x0e\x00\x01\x00\x01"),
    ("forward pointer", hdr() + b"\xc0\x10\x00\x01\x00\x01\x01a\x00"),
    ("label of 64 octets", hdr() + b"\x40" + b"a" * 64 + b"\x00\x00\x01\x00\x01"),
    ("name over 255 octets", hdr() + (b"\x3f" + b"a" * 63) * 5 + b"\x00\x00\x01\x00\x01"),
    ("answer count beyond the message", hdr(an=5) + q),
    ("two questions", hdr(qd=2) + q + q),
    ("no question", hdr(qd=0)),
    ("OPT with a name", hdr(ar=1) + q + b"\x01x\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"),
    ("opcode 15", hdr(flags=15 << 11) + q),
    ("shorter than a header", hdr()[:7]),
    ("empty datagram", b""),
    ("a response", hdr(flags=0x8000) + q),
]
for name, payload in cases:
    print("%s: %s" % (name, ask(payload)))
rng = random.Random(7)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(300):
    n = rng.choice([0, 1, 11, 12, 13, 20, 40, 100, 511, 512, 513, 1400])
    s.sendto(bytes(rng.getrandbits(8) for _ in range(n)), server)
'
STATS='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"?", (sys.argv[1], int(sys.argv[2])))
print(s.recvfrom(70000)[0].decode())
'
get() { awk -v k="$2" '$1 == k { v = $2 } END { print v + 0 }' <<<"$1"; }
stats() { in_ns python3 -c "$STATS" "$GUEST_IP" "$STATS_PORT" 2>>"$tmp/py.log"; }

before=$(stats)
in_ns python3 -c "$RAW" "$GUEST_IP" >"$tmp/raw.out" 2>"$tmp/raw.err"
sleep 0.3
after=$(stats)
expect_rcode() {	# expect_rcode NAME RCODE
	local got
	got=$(awk -F': ' -v k="$1" '$1 == k { print $2 }' "$tmp/raw.out")
	[ "$got" = "$2" ]
	result $? "malformed: $1 gets $( [ "$2" = none ] && echo silence || echo "rcode $2")" \
		"got '$got'; $(cat "$tmp/raw.err")"
}
for c in "truncated question" "question without type and class" "pointer to itself" \
	 "two pointers in a loop" "forward pointer" "label of 64 octets" \
	 "name over 255 octets" "answer count beyond the message" "two questions" \
	 "no question" "OPT with a name"; do
	expect_rcode "$c" 1
done
expect_rcode "opcode 15" 4
for c in "shorter than a header" "empty datagram" "a response"; do
	expect_rcode "$c" none
done

d_formerr=$(( $(get "$after" dns.formerr) - $(get "$before" dns.formerr) ))
d_queries=$(( $(get "$after" dns.udp_queries) - $(get "$before" dns.udp_queries) ))
d_answered=$(( $(get "$after" dns.udp_responses) - $(get "$before" dns.udp_responses) ))
d_dropped=$(( $(get "$after" dns.udp_dropped) - $(get "$before" dns.udp_dropped) ))
[ "$d_formerr" -ge 11 ] && [ "$d_queries" -eq 315 ] &&
	[ "$((d_answered + d_dropped))" -eq "$d_queries" ] && [ "$d_dropped" -ge 3 ]
result $? "every malformed datagram was answered or dropped, and counted" \
	"formerr +$d_formerr, udp_queries +$d_queries (want 315), responses +$d_answered, dropped +$d_dropped"

out=$(in_ns dig +norec +time=2 +tries=1 @"$GUEST_IP" www.example.com A 2>&1)
grep -q 'status: NOERROR' <<<"$out" && grep -q '192\.0\.2\.80' <<<"$out"
result $? "a good query after the malformed ones is answered" "$out"

# --- the stub resolver: examples/resolve asks the dns unikernel ---------------------
# resolve ARGS...: run it to the end; its output in $out, its status in $status.
resolve() {
	guest_cmd "$TAP2" "$tmp/client/resolve.$TARGET"
	out=$(timeout 30 "${CMD[@]}" --ipv4="$CLIENT_IP/24" "$@" 2>&1)
	status=$?
}
resolve --dns-server="$GUEST_IP" www.example.com AAAA:www.example.com MX:example.com \
	alias2.example.com nothing.example.com
grep -qx 'www.example.com A 3600 192.0.2.80' <<<"$out" &&
	grep -qx 'www.example.com A 3600 192.0.2.81' <<<"$out" &&
	grep -qx 'www.example.com AAAA 3600 2001:db8:0:0:0:0:0:80' <<<"$out" &&
	[ "$(grep -c '^example.com MX ' <<<"$out")" -eq 2 ] &&
	grep -q '^alias2.example.com A 3600 192.0.2.8[01]$' <<<"$out" &&
	grep -qx 'nothing.example.com A: rcode 3 (NXDOMAIN)' <<<"$out" && [ "$status" -eq 2 ]
result $? "resolver: A, AAAA, MX, a CNAME chain and NXDOMAIN from the dns unikernel" \
	"status $status: $out"
resolve --dns-server="$GUEST_IP" --no-edns TXT:big.example.com
grep -q 'big.example.com TXT: truncated, needs TCP' <<<"$out" && [ "$status" -eq 1 ]
result $? "resolver: a truncated answer is reported as needing TCP (not in the stack yet)" \
	"status $status: $out"
start=$(date +%s%N)
resolve --dns-server=10.79.0.9 --tries=2 --timeout-ms=200 www.example.com
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q 'www.example.com A: no answer (timed out)' <<<"$out" && [ "$status" -eq 1 ] &&
	[ "$ms" -lt 10000 ]
result $? "resolver: a server that does not answer times out after its tries (${ms} ms)" \
	"status $status: $out"

kill -0 "$PID" 2>/dev/null
result $? "the unikernel is still running" "$(tail -n 5 "$tmp/guest.log")"
stop_guest

# --- a zone with an error stops the unikernel at start -------------------------------
printf '$ORIGIN broken.example.\n$TTL 1h\n@ IN SOA ns h 1 2 3 4 5\n  IN NS ns\nns IN A 192.0.2.300\n' \
	>"$tmp/broken.example.zone"
if build_app "$tmp/bad" tests/dns/zones/example.com.zone "$tmp/broken.example.zone"; then
	start_guest "$tmp/bad/dns.$TARGET" "$tmp/bad.log" --ipv4="$GUEST_IP/24"
	status=0
	for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
	wait "$PID" 2>/dev/null
	status=$?
	PID=
	[ "$status" -ne 0 ] && grep -q 'broken.example.zone:5: ' "$tmp/bad.log" &&
		! grep -q ready "$tmp/bad.log"
	result $? "a zone error stops the unikernel at start with FILE:LINE (status $status)" \
		"$(cat "$tmp/bad.log")"
else
	not_ok "a zone error stops the unikernel at start with FILE:LINE" \
		"$(tail -n 5 "$tmp/bad/build.log")"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
