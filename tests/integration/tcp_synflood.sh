#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# A SYN flood (hping3, random spoofed sources) against the echo unikernel's TCP port
# 7; meanwhile a normal python3 client must still get its connections echoed, answered
# through SYN cookies once the backlog is full. Speaks TAP; needs root and hping3.
#
# Usage: tests/integration/tcp_synflood.sh [-t unix|hvt]
set -u
PLAN=4
IMAGE=
FLOOD_SECONDS=${FLOOD_SECONDS:-8}
. "$(dirname "$0")/tcp_lib.sh"
IMAGE=$BUILD/examples/echo.$TARGET
needs_common
command -v hping3 >/dev/null || skip_all "needs hping3 (apt-get install hping3)"
start_guest

COUNTERS='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"?", (sys.argv[1], 9999))
print(s.recvfrom(70000)[0].decode())
'
# Clients during the flood: 20 connections, each allowed a few SYN retries.
CLIENT='
import socket, sys, time
ok = 0
for i in range(int(sys.argv[2])):
    for attempt in range(3):
        try:
            s = socket.create_connection((sys.argv[1], 7), timeout=4)
            s.sendall(b"through the flood %d" % i)
            if s.recv(100).startswith(b"through the flood"):
                ok += 1
            s.close()
            break
        except OSError:
            pass
    time.sleep(0.2)
print("%d of %s served" % (ok, sys.argv[2]))
sys.exit(0 if ok == int(sys.argv[2]) else 1)
'
in_ns timeout "$FLOOD_SECONDS" hping3 --flood --rand-source -S -p 7 "$GUEST_IP" \
	>>"$LOG" 2>&1 &
FLOOD=$!
sleep 1
check "a normal client is served during the flood" in_ns python3 -c "$CLIENT" "$GUEST_IP" 20
grep -o "[0-9]* of [0-9]* served" "$LOG" | sed 's/^/# /'
wait "$FLOOD"
counters=$(in_ns python3 -c "$COUNTERS" "$GUEST_IP" 2>>"$LOG")
get() { echo "$counters" | awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'; }
echo "# SYNs seen $(get tcp.rx), cookies sent $(get tcp.syncookies_sent)," \
	"cookie handshakes $(get tcp.syncookies_ok), dropped without a route" \
	"$(get ipv4.drop_no_route)"
if [ "$(get tcp.syncookies_sent)" -gt 0 ]; then ok "the full backlog was answered with SYN cookies"
else not_ok "the full backlog was answered with SYN cookies" \
	"$(echo "$counters" | grep '^tcp' | tr '\n' ' ')"; fi
check "served after the flood" in_ns python3 -c "$CLIENT" "$GUEST_IP" 3
guest_alive
