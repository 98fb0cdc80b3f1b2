#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# 70,000 short TCP connections in sequence from Linux to the echo unikernel
# (examples/echo): connect, one byte there and back, close. Linux holds TIME_WAIT
# (it closes first), so the namespace lets it reuse those ports (tcp_tw_reuse, with our
# timestamps) from a wide range. Afterwards the unikernel holds no connection. Speaks
# TAP; needs root.
#
# Usage: tests/integration/tcp_conns.sh [-t unix|hvt] [COUNT]
set -u
PLAN=3
IMAGE=
COUNT=${3:-70000}
. "$(dirname "$0")/tcp_lib.sh"
IMAGE=$BUILD/examples/echo.$TARGET
needs_common
start_guest
in_ns sysctl -qw net.ipv4.tcp_tw_reuse=1 net.ipv4.ip_local_port_range="1024 65535"

MANY='
import socket, sys, time
host, count = sys.argv[1], int(sys.argv[2])
t0 = time.time()
for i in range(count):
    s = socket.create_connection((host, 7), timeout=5)
    b = bytes([i & 0xff])
    s.sendall(b)
    if s.recv(1) != b:
        sys.exit("connection %d: wrong echo" % i)
    s.close()
print("%d connections in %.1f s" % (count, time.time() - t0))
'
check "$COUNT sequential connections each echo a byte" in_ns timeout 900 \
	python3 -c "$MANY" "$GUEST_IP" "$COUNT"
grep -o "[0-9]* connections in [0-9.]* s" "$LOG" | sed 's/^/# /'

COUNTERS='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"?", (sys.argv[1], 9999))
print(s.recvfrom(70000)[0].decode())
'
sleep 1
counters=$(in_ns python3 -c "$COUNTERS" "$GUEST_IP" 2>>"$LOG")
get() { echo "$counters" | awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }'; }
est=$(get tcp.established)
if [ "$est" -ge "$COUNT" ] && [ "$(get tcp.resets_tx)" -eq 0 ]; then
	ok "the unikernel counted $est handshakes and sent no reset"
else
	not_ok "the unikernel counted every handshake and sent no reset" \
		"$(echo "$counters" | grep '^tcp' | tr '\n' ' ')"
fi
guest_alive
