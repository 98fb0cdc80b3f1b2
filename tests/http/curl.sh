#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# lib/http against real clients (curl, and raw sockets from python3 for what curl will
# not send), speaking TAP. By default it starts the test harness tests/http/hostd (the
# ASan build if there is one) serving tests/http/site on 127.0.0.1; with
# HTTP_TARGET=HOST:PORT it tests a server that is already running instead (the
# website unikernel: tests/integration/http_curl.sh), which must serve the same folder
# and the routes of tests/http/api.c.
#
# Usage: tests/http/curl.sh        (BUILD=build by default; HOSTD=COMMAND to run the
#                                   harness another way, e.g. under valgrind)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SITE=tests/http/site
TMP=$(mktemp -d)
HOSTD_PID=
cleanup() {
	[ -n "$HOSTD_PID" ] && kill "$HOSTD_PID" 2>/dev/null && wait "$HOSTD_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
# check NAME COMMAND...: one test, passing when COMMAND succeeds.
check() {
	local name=$1; shift
	if "$@" >"$TMP/check.out" 2>&1; then ok "$name"; else not_ok "$name" "$(tail -n 5 "$TMP/check.out")"; fi
}

start_hostd() {
	local bin=$BUILD/asan/tests/http/hostd
	[ -x "$bin" ] || bin=$BUILD/unix/tests/http/hostd
	[ -x "$bin" ] || { echo "Bail out! no $bin: make $bin"; exit 1; }
	# HOSTD="valgrind -q build/unix/tests/http/hostd" runs the harness under a tool.
	# shellcheck disable=SC2086
	${HOSTD:-$bin} --header-timeout-ms 800 "$SITE" >"$TMP/hostd.out" 2>"$TMP/hostd.err" &
	HOSTD_PID=$!
	for _ in $(seq 50); do
		grep -q '^port ' "$TMP/hostd.out" && break
		sleep 0.1
	done
	grep -q '^port ' "$TMP/hostd.out" || { echo "Bail out! hostd did not start: $(cat "$TMP/hostd.err")"; exit 1; }
	TARGET=127.0.0.1:$(awk '/^port /{print $2}' "$TMP/hostd.out")
}

if [ -n "${HTTP_TARGET:-}" ]; then TARGET=$HTTP_TARGET; else start_hostd; fi
URL=http://$TARGET
HOST=${TARGET%:*}
PORT=${TARGET##*:}

# raw BYTES: send BYTES (printf escapes) in one write, print all the server answers
# until it closes (or 3 s pass).
raw() {
	python3 - "$HOST" "$PORT" "$1" "${2:-0}" <<'PY'
import socket, sys, time
host, port, data, pause = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
data = data.encode('latin-1').decode('unicode_escape').encode('latin-1')
s = socket.create_connection((host, port))
s.sendall(data)
if pause:
    time.sleep(pause)
s.settimeout(3)
out = b''
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    out += b'<timeout>'
except ConnectionResetError:
    out += b'<reset>'
sys.stdout.buffer.write(out)
PY
}

# status_of RESPONSE_FILE: the status code of the first response in it.
status_of() { head -n 1 "$1" | cut -d' ' -f2; }
header() { grep -i "^$2:" "$1" | head -n 1 | cut -d' ' -f2- | tr -d '\r'; }
serving() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")" = 200 ]; }
export -f header
export URL TMP SITE

# --- plain GET, HEAD ---------------------------------------------------------------------
curl -s -D "$TMP/h" -o "$TMP/body" "$URL/"
check "GET / serves index.html byte for byte" cmp "$TMP/body" "$SITE/index.html"
check "GET / says 200, text/html, its length, ETag, Last-Modified and Date" bash -c "
	[ \"\$(head -n1 $TMP/h | tr -d '\r')\" = 'HTTP/1.1 200 OK' ] &&
	grep -qi '^content-type: text/html; charset=utf-8' $TMP/h &&
	grep -qi '^content-length: $(stat -c %s "$SITE/index.html")' $TMP/h &&
	grep -qiE '^etag: \"[0-9a-f]{32}\"' $TMP/h &&
	grep -qiE '^last-modified: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT' $TMP/h &&
	grep -qiE '^date: ' $TMP/h"
ETAG=$(header "$TMP/h" etag)
LASTMOD=$(header "$TMP/h" last-modified)
curl -s -I -o "$TMP/head" "$URL/index.html"
check "HEAD has the headers of GET and no body" bash -c "
	grep -qi '^content-length: $(stat -c %s "$SITE/index.html")' $TMP/head &&
	grep -qi '^etag: $ETAG' $TMP/head"
raw 'HEAD /index.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >"$TMP/rawhead"
check "HEAD sends no body bytes (raw)" bash -c "tail -c 4 $TMP/rawhead | od -c | grep -q '\\\\r  \\\\n  \\\\r  \\\\n'"
check "a folder without its slash is redirected (301, Location)" bash -c "
	curl -s -D - -o /dev/null $URL/docs | tr -d '\r' | grep -q '^Location: /docs/$' &&
	[ \"\$(curl -s -o /dev/null -w '%{http_code}' $URL/docs)\" = 301 ]"
check "a folder with its slash serves its index.html" bash -c "
	curl -s $URL/docs/ | cmp - $SITE/docs/index.html"
check "a missing file is 404" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $URL/nope.html)\" = 404 ]"
check "no escape from the store: /../, %2e%2e and //" bash -c "
	for p in /../etc/passwd /%2e%2e/etc/passwd /docs/../index.html //index.html /docs/%00; do
		c=\$(curl -s --path-as-is -o /dev/null -w '%{http_code}' $URL\$p)
		[ \"\$c\" = 404 ] || [ \"\$c\" = 400 ] || { echo \"\$p: \$c\"; exit 1; }
	done"
check "content types by extension" bash -c "
	curl -s -I $URL/style.css | grep -qi '^content-type: text/css' &&
	curl -s -I $URL/data.bin | grep -qi '^content-type: application/octet-stream' &&
	curl -s -I $URL/docs/guide.txt | grep -qi '^content-type: text/plain'"
check "POST to a file is 405 with Allow: GET, HEAD" bash -c "
	curl -s -D - -o /dev/null -d x $URL/index.html | tr -d '\r' > $TMP/405 &&
	head -n1 $TMP/405 | grep -q ' 405 ' && grep -q '^Allow: GET, HEAD$' $TMP/405"
check "a failing handler is 500" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $URL/api/fail)\" = 500 ]"

# --- conditional requests ------------------------------------------------------------------
check "If-None-Match with the ETag is 304" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: $ETAG' $URL/) = 304 ]"
check "If-None-Match compares weakly: W/ETag is 304 too" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: \"x\", W/$ETAG' $URL/) = 304 ]"
check "If-None-Match with another tag is 200" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: \"other\"' $URL/) = 200 ]"
check "If-Modified-Since Last-Modified is 304, an older date 200" bash -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'If-Modified-Since: $LASTMOD' $URL/) = 304 ] &&
	[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT' $URL/) = 200 ]"
check "a 304 carries the ETag and no body" bash -c "
	curl -s -D $TMP/304 -o $TMP/304.body -H 'If-None-Match: $ETAG' $URL/ &&
	grep -qi '^etag: $ETAG' $TMP/304 && [ ! -s $TMP/304.body ]"
check "If-Match with another tag is 412" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'If-Match: \"other\"' $URL/) = 412 ]"

# --- ranges ---------------------------------------------------------------------------------
curl -s -D "$TMP/r" -o "$TMP/rbody" -r 10-19 "$URL/data.bin"
check "Range 10-19 is 206 with those ten bytes and Content-Range" bash -c "
	head -n1 $TMP/r | grep -q ' 206 ' && grep -qi '^content-range: bytes 10-19/1000' $TMP/r &&
	cmp $TMP/rbody <(dd if=$SITE/data.bin bs=1 skip=10 count=10 status=none)"
check "suffix range -100 is the last 100 bytes" bash -c "
	curl -s -r -100 $URL/data.bin | cmp - <(tail -c 100 $SITE/data.bin)"
check "open range 990- is the last 10 bytes" bash -c "
	curl -s -r 990- $URL/data.bin | cmp - <(tail -c 10 $SITE/data.bin)"
check "a range past the end is 416 with Content-Range: bytes */1000" bash -c "
	curl -s -D - -o /dev/null -r 5000-6000 $URL/data.bin | tr -d '\r' > $TMP/416 &&
	head -n1 $TMP/416 | grep -q ' 416 ' && grep -qi '^content-range: bytes \*/1000$' $TMP/416"
check "several ranges get the whole body with 200 (documented)" bash -c "
	[ \$(curl -s -o $TMP/multi -w '%{http_code}' -r 0-1,5-6 $URL/data.bin) = 200 ] && cmp $TMP/multi $SITE/data.bin"
check "If-Range with a stale ETag ignores Range (200)" bash -c "
	[ \$(curl -s -o /dev/null -w '%{http_code}' -r 0-9 -H 'If-Range: \"stale\"' $URL/data.bin) = 200 ] &&
	[ \$(curl -s -o /dev/null -w '%{http_code}' -r 0-9 -H 'If-Range: $(curl -s -I $URL/data.bin | grep -i ^etag | cut -d' ' -f2 | tr -d '\r')' $URL/data.bin) = 206 ]"

# --- gzip ---------------------------------------------------------------------------------
curl -s -D "$TMP/gz" -o "$TMP/gzbody" --compressed "$URL/style.css"
check "--compressed gets the gzip variant, which inflates to the file" bash -c "
	grep -qi '^content-encoding: gzip' $TMP/gz && grep -qi '^vary: accept-encoding' $TMP/gz &&
	cmp $TMP/gzbody $SITE/style.css"
check "the gzip variant has its own ETag; without Accept-Encoding the plain file" bash -c "
	[ \"\$(header $TMP/gz etag)\" != \"\$(curl -s -I $URL/style.css | grep -i ^etag | cut -d' ' -f2 | tr -d '\r')\" ] &&
	! curl -s -I $URL/style.css | grep -qi '^content-encoding' &&
	curl -s $URL/style.css | cmp - $SITE/style.css"
check "Accept-Encoding: gzip;q=0 gets the plain file" bash -c "
	! curl -s -I -H 'Accept-Encoding: gzip;q=0' $URL/style.css | grep -qi '^content-encoding'"

# --- bodies: chunked both ways, Content-Length, 100-continue ------------------------------
head -c 5000 /dev/urandom >"$TMP/upload"
check "POST with Content-Length is echoed" bash -c "curl -s --data-binary @$TMP/upload $URL/api/echo | cmp - $TMP/upload"
check "a chunked upload is decoded and echoed" bash -c "
	curl -s -H 'Transfer-Encoding: chunked' --data-binary @$TMP/upload $URL/api/echo | cmp - $TMP/upload"
# curl sends the body anyway after --expect100-timeout without a 100; 10 s makes the
# difference plain even on a busy host.
check "Expect: 100-continue gets 100 and then the answer, without curl's wait" bash -c "
	t0=\$(date +%s%N)
	curl -s --expect100-timeout 10 -H 'Expect: 100-continue' --data-binary @$TMP/upload \
		$URL/api/echo | cmp - $TMP/upload &&
	[ \$(( (\$(date +%s%N) - t0) / 1000000 )) -lt 5000 ]"
check "a streamed body goes out chunked to HTTP/1.1" bash -c "
	curl -s -D $TMP/ch -o $TMP/chbody $URL/api/stream?n=3 && grep -qi '^transfer-encoding: chunked' $TMP/ch &&
	[ \"\$(cat $TMP/chbody)\" = \"\$(printf 'line 1 of the stream\nline 2 of the stream\nline 3 of the stream')\" ] &&
	curl -s --raw $URL/api/stream?n=1 | tr -d '\r' | head -n1 | grep -qx '15'"
check "a streamed body to HTTP/1.0 is delimited by close" bash -c "
	curl -s -0 -D $TMP/ch10 -o $TMP/ch10body $URL/api/stream?n=2 && ! grep -qi '^transfer-encoding' $TMP/ch10 &&
	grep -qi '^connection: close' $TMP/ch10 && [ \$(wc -l < $TMP/ch10body) = 2 ]"

# --- connections: keep-alive, pipelining, HTTP/1.0 -------------------------------------------
check "curl reuses the connection for a second request" bash -c "
	curl -sv -o /dev/null -o /dev/null $URL/ $URL/docs/ 2>&1 | grep -q 'Re-using existing connection'"
raw 'GET / HTTP/1.1\r\nHost: t\r\n\r\nHEAD /style.css HTTP/1.1\r\nHost: t\r\n\r\nGET /docs/guide.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' >"$TMP/pipe"
check "three pipelined requests in one write get three answers in order" bash -c "
	[ \$(grep -c '^HTTP/1.1 200 OK' $TMP/pipe) = 3 ] && tail -c 18 $TMP/pipe | grep -q 'Plain text guide.' &&
	grep -a -n '^Content-Type' $TMP/pipe | tr -d '\r' | cut -d' ' -f2 | tr '\n' ' ' | grep -q '^text/html; text/css; text/plain;'"
raw 'GET / HTTP/1.0\r\n\r\n' >"$TMP/h10"
check "HTTP/1.0 without keep-alive: the answer, then close" bash -c "
	head -n1 $TMP/h10 | grep -q '^HTTP/1.1 200' && ! grep -q '<timeout>' $TMP/h10"
raw 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /docs/guide.txt HTTP/1.0\r\n\r\n' >"$TMP/h10ka"
check "HTTP/1.0 with Connection: keep-alive keeps the connection for the next" bash -c "
	[ \$(grep -c '^HTTP/1.1 200' $TMP/h10ka) = 2 ] && grep -qi '^connection: keep-alive' $TMP/h10ka"

# --- every limit and malformed class: the status, then the server still serves ----------------
limit() { # NAME WANT_STATUS BYTES
	raw "$3" >"$TMP/limit"
	if [ "$(status_of "$TMP/limit")" = "$2" ] && serving; then ok "$1"
	else not_ok "$1" "got: $(head -c 200 "$TMP/limit" | tr -d '\r' | head -n 3)"; fi
}
long=$(head -c 9000 /dev/zero | tr '\0' a)
limit "a 9000-byte request target is 414" 414 "GET /$long HTTP/1.1\r\nHost: t\r\n\r\n"
fields=$(for i in $(seq 70); do printf 'X-F%d: v\\r\\n' "$i"; done)
limit "70 header fields are 431" 431 "GET / HTTP/1.1\r\nHost: t\r\n$fields\r\n"
big=$(head -c 17000 /dev/zero | tr '\0' b)
limit "a 17000-byte header field is 431" 431 "GET / HTTP/1.1\r\nHost: t\r\nX-Big: $big\r\n\r\n"
limit "Content-Length above the body limit is 413" 413 "POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"
limit "a chunked body above the limit is 413" 413 "POST /api/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n"
limit "HTTP/2.0 is 505" 505 "GET / HTTP/2.0\r\nHost: t\r\n\r\n"
limit "HTTP/x.y garbage is 400" 400 "GET / HTTP/1.x\r\nHost: t\r\n\r\n"
limit "an unknown method is 501" 501 "BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n"
limit "a missing Host in HTTP/1.1 is 400" 400 "GET / HTTP/1.1\r\n\r\n"
limit "two Host fields are 400" 400 "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
limit "a space before a field's colon is 400" 400 "GET / HTTP/1.1\r\nHost : t\r\n\r\n"
limit "obsolete line folding is 400" 400 "GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n"
limit "conflicting Content-Length is 400" 400 "POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"
limit "Content-Length with Transfer-Encoding is 400" 400 "POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
limit "an unknown transfer coding is 501" 501 "POST /api/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n"
limit "bad chunk syntax is 400" 400 "POST /api/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
limit "a control character in a field value is 400" 400 "GET / HTTP/1.1\r\nHost: t\r\nX: a\x01b\r\n\r\n"
limit "a bare CR in the request line is 400" 400 "GET /\r HTTP/1.1\r\nHost: t\r\n\r\n"
limit "an unknown Expect is 417" 417 "POST /api/echo HTTP/1.1\r\nHost: t\r\nExpect: tea\r\nContent-Length: 1\r\n\r\nx"
limit "Content-Length with a sign is 400" 400 "POST /api/echo HTTP/1.1\r\nHost: t\r\nContent-Length: +1\r\n\r\nx"

# --- deadlines ---------------------------------------------------------------------------------
# Both the harness and the website under test (started with --header-timeout-ms=1500) cut
# off a head that is not finished within 3 s, the time raw waits for an answer.
raw 'GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ' 0 >"$TMP/slow"
check "a head not finished before the header deadline gets 408 and a close" bash -c "
	head -n1 $TMP/slow | grep -q ' 408 ' && ! grep -q '<timeout>' $TMP/slow"
check "the server still serves after all of the above" serving
if [ -z "${HTTP_TARGET:-}" ]; then
	kill "$HOSTD_PID" && wait "$HOSTD_PID"
	status=$?
	HOSTD_PID=
	check "the harness exits cleanly with no sanitizer report" bash -c "
		[ $status = 0 ] && [ ! -s $TMP/hostd.err ] || { cat $TMP/hostd.err; exit 1; }"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
