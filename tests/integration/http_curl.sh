#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# The website unikernel against curl over a TAP interface: the example's code built
# with tests/http/site as its htdocs and tests/http's API routes (api.c), so that every
# check of tests/http/curl.sh (headers, HEAD, Range, conditional requests, gzip,
# uploads, chunked both ways, keep-alive, pipelining, each limit answered while still
# serving) runs against it; then slowloris (slow heads are cut off with 408 while
# others are served), the connection bound (503, then served again) and the request
# log. Speaks TAP; needs root.
#
# Usage: tests/integration/http_curl.sh [-t unix|spt|hvt]
set -u
. "$(dirname "$0")/http_lib.sh"
needs_common

app=$TMP/app
mkdir -p "$app"
cp examples/website/*.c tests/http/api.c tests/http/api.h "$app/"
cp -a tests/http/site "$app/htdocs"
printf 'name = website\nnet = service\nkv = htdocs ./htdocs\n' >"$app/unikernel.conf"
build_app "$app" "$TMP/website.$TARGET"
start_guest "$TMP/website.$TARGET" --header-timeout-ms=1500 --max-conns=32
URL=http://$GUEST_IP

# curl.sh's checks, renumbered into this script's sequence.
while IFS= read -r line; do
	case $line in
	"ok "*"# SKIP"*) n=$((n + 1)); echo "ok $n # SKIP curl.sh: ${line#*# SKIP }" ;;
	"ok "*)		ok "curl.sh: ${line#ok * - }" ;;
	"not ok "*)	not_ok "curl.sh: ${line#not ok * - }" ;;
	"1.."*)		;;
	*)		echo "$line" ;;
	esac
done < <(in_ns env HTTP_TARGET="$GUEST_IP:80" tests/http/curl.sh 2>&1)

# Slowloris: 20 connections trickle a head a byte every 200 ms; each must get 408 and
# a close about 1.5 s after its first byte, while curl is served meanwhile.
SLOW='
import socket, sys, time
host, conns = sys.argv[1], int(sys.argv[2])
socks = [socket.create_connection((host, 80), timeout=5) for _ in range(conns)]
start = time.time()
head = b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 100
answers = {}
for i in range(len(head)):
    for k, s in enumerate(socks):
        if k in answers:
            continue
        try:
            s.send(head[i:i + 1])
        except OSError:
            answers[k] = b"<send failed>"
    time.sleep(0.2)
    for k, s in enumerate(socks):
        if k in answers:
            continue
        s.setblocking(False)
        try:
            b = s.recv(4096)
            answers[k] = b or b"<closed>"
        except BlockingIOError:
            pass
        s.setblocking(True)
    if len(answers) == conns or time.time() - start > 6:
        break
took = time.time() - start
bad = [k for k in range(conns) if not answers.get(k, b"").startswith(b"HTTP/1.1 408 ")]
if bad or not 1.3 < took < 3.5:
    sys.exit("after %.1f s: %d of %d not cut off with 408: %r" % (took, len(bad), conns,
             [answers.get(k) for k in bad[:3]]))
'
in_ns python3 -c "$SLOW" "$GUEST_IP" 20 >"$TMP/slow.out" 2>&1 &
slow_pid=$!
sleep 0.3
served=0
for _ in 1 2 3 4 5; do
	code=$(in_ns curl -s -m 2 -o /dev/null -w '%{http_code}' "$URL/")
	[ "$code" = 200 ] && served=$((served + 1))
	sleep 0.1
done
if wait "$slow_pid"; then ok "20 slowloris connections are cut off with 408 at the deadline"
else not_ok "20 slowloris connections are cut off with 408 at the deadline" "$(cat "$TMP/slow.out")"; fi
check "curl is served while they trickle (5 of 5)" test "$served" = 5

# The connection bound: 32 idle connections fill it (for the 1.5 s the header deadline
# gives a silent connection); one more gets 503; once they are gone, requests are served
# again.
HOLD='
import socket, sys, time
socks = [socket.create_connection((sys.argv[1], 80), timeout=5) for _ in range(32)]
print("held", flush=True)
time.sleep(1)
'
in_ns python3 -c "$HOLD" "$GUEST_IP" >"$TMP/hold.out" 2>&1 &
hold_pid=$!
for _ in $(seq 50); do grep -q held "$TMP/hold.out" && break; sleep 0.05; done
check "past --max-conns a connection is refused with 503" bash -c "
	[ \"\$(ip netns exec $NS curl -s -m 2 -o /dev/null -w '%{http_code}' $URL/)\" = 503 ]"
wait "$hold_pid"
sleep 0.3
check "once the others are gone, requests are served again" bash -c "
	[ \"\$(ip netns exec $NS curl -s -m 2 -o /dev/null -w '%{http_code}' $URL/)\" = 200 ]"

check "one log line per request: method, target, status, bytes, time" \
	grep -qE 'INFO  http: GET / 200 [0-9]+ [0-9]+\.[0-9]{3} ms$' "$GUEST_LOG"
check "refusals and 408s are logged too" bash -c "
	grep -q 'http: - - 503 ' $GUEST_LOG && grep -q 'http: - - 408 ' $GUEST_LOG"
guest_alive
finish
