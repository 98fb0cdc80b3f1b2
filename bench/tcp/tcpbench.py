#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
#
# The client and the Linux servers of bench/tcp/run, so that every measurement uses
# the same tool on the Linux side:
#   tcpbench.py serve PORT_DISCARD PORT_SOURCE     discard and source servers (Linux peer)
#   tcpbench.py send HOST PORT SECONDS             bulk to a discard port; prints Mbit/s
#   tcpbench.py recv HOST PORT SECONDS             bulk from a source port; prints Mbit/s
#   tcpbench.py idle HOST PORT COUNT               hold COUNT idle connections open; prints
#                                                  "open" when done; on a line on stdin
#                                                  sends one byte on each and prints
#                                                  "sent N" (N: sends that worked); closes
#                                                  them when stdin closes
#   tcpbench.py stats HOST [PORT]                  the sink's report (UDP, port 9999)
# Linux's sending sockets (send, and the source server) use the congestion control named
# by TCP_CC in the environment, else the system's default
# (net.ipv4.tcp_congestion_control).
import os, socket, sys, threading, time

CHUNK = 1 << 20


def congestion_control(s):
    cc = os.environ.get("TCP_CC")
    if cc:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())


def discard(conn):
    while conn.recv(CHUNK):
        pass
    conn.close()


def source(conn):
    congestion_control(conn)
    buf = bytes(range(256)) * (CHUNK // 256)
    try:
        while True:
            conn.sendall(buf)
    except OSError:
        pass
    conn.close()


def serve(port, handler):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(64)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def send(host, port, seconds):
    s = socket.create_connection((host, port), timeout=30)
    congestion_control(s)
    buf = b"x" * CHUNK
    sent, t0 = 0, time.time()
    while time.time() - t0 < seconds:
        s.sendall(buf)
        sent += len(buf)
    s.shutdown(socket.SHUT_WR)
    while s.recv(CHUNK):	# the peer closes once it has read everything
        pass
    dt = time.time() - t0
    print("%.0f" % (sent * 8 / dt / 1e6))


def recv(host, port, seconds):
    s = socket.create_connection((host, port), timeout=30)
    got, t0 = 0, time.time()
    while time.time() - t0 < seconds:
        b = s.recv(CHUNK)
        if not b:
            break
        got += len(b)
    dt = time.time() - t0
    s.close()
    print("%.0f" % (got * 8 / dt / 1e6))


def idle(host, port, count):
    socks = []
    for _ in range(count):
        socks.append(socket.create_connection((host, port), timeout=30))
    print("open", flush=True)
    if sys.stdin.readline():
        sent = 0
        for s in socks:
            try:
                sent += s.send(b"!")
            except OSError:
                pass
        print("sent %d" % sent, flush=True)
        sys.stdin.read()
    for s in socks:
        s.close()


def stats(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1)
    for _ in range(5):
        s.sendto(b"?", (host, port))
        try:
            print(s.recvfrom(65536)[0].decode(), end="")
            return
        except socket.timeout:
            pass
    sys.exit("tcpbench.py: no answer from %s:%d" % (host, port))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "serve":
        threading.Thread(target=serve, args=(int(sys.argv[2]), discard), daemon=True).start()
        serve(int(sys.argv[3]), source)
    elif cmd == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "recv":
        recv(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif cmd == "idle":
        idle(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "stats":
        stats(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 9999)
    else:
        sys.exit("tcpbench.py: unknown command " + cmd)
