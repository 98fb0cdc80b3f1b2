#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# TCP against Linux's own: the echo unikernel (examples/echo) echoes small messages
# and a 50 MB random file, checked by sha256, from a python3 client over a TAP
# interface in a network namespace made for this run. Speaks TAP; needs root.
#
# Usage: tests/integration/tcp_echo.sh [-t unix|hvt]
set -u
PLAN=5
IMAGE=
. "$(dirname "$0")/tcp_lib.sh"
IMAGE=$BUILD/examples/echo.$TARGET
needs_common
start_guest

# echo_file SIZE: send SIZE random bytes to port 7 while reading them back; compare.
ECHO='
import hashlib, os, socket, sys, threading
host, size = sys.argv[1], int(sys.argv[2])
data = os.urandom(size)
s = socket.create_connection((host, 7), timeout=30)
h, got = hashlib.sha256(), [0]
def reader():
    while True:
        b = s.recv(1 << 20)
        if not b:
            return
        h.update(b)
        got[0] += len(b)
t = threading.Thread(target=reader)
t.start()
s.sendall(data)
s.shutdown(socket.SHUT_WR)
t.join()
if got[0] != size or h.hexdigest() != hashlib.sha256(data).hexdigest():
    sys.exit("sent %d bytes, got %d back, sha256 %s" % (size, got[0],
             "differs" if h.hexdigest() != hashlib.sha256(data).hexdigest() else "equal"))
'
check "TCP echo of 1 byte" in_ns python3 -c "$ECHO" "$GUEST_IP" 1
check "TCP echo of 100 kB" in_ns python3 -c "$ECHO" "$GUEST_IP" 100000
check "TCP echo of 50 MB, sha256 equal" in_ns timeout 120 python3 -c "$ECHO" "$GUEST_IP" 50000000

# Several connections at once, interleaved.
PARALLEL='
import socket, sys
socks = [socket.create_connection((sys.argv[1], 7), timeout=10) for _ in range(50)]
for i, s in enumerate(socks):
    s.sendall(b"conn %d\n" % i)
for i, s in enumerate(socks):
    want = b"conn %d\n" % i
    got = b""
    while len(got) < len(want):
        got += s.recv(100)
    if got != want:
        sys.exit("connection %d: %r" % (i, got))
    s.close()
'
check "50 connections at once" in_ns python3 -c "$PARALLEL" "$GUEST_IP"
guest_alive
