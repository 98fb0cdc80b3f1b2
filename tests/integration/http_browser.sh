#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# The website unikernel (examples/website as `make` builds it) in a real browser:
# headless Chromium, inside a network namespace made for this run, loads the home page
# and a docs page through the unikernel. Checks the titles in the DOM, that the
# stylesheet and the logo were fetched with 200 (the unikernel's request log), and
# saves a screenshot as a test artifact: $BUILD/test-artifacts/website-TARGET.png.
# Speaks TAP; needs root and the Debian package chromium.
#
# Usage: tests/integration/http_browser.sh [-t unix|spt|hvt]
set -u
. "$(dirname "$0")/http_lib.sh"
needs_common
command -v chromium >/dev/null || skip_all "needs chromium (scripts/install-deps)"
IMAGE=$BUILD/examples/website.$TARGET
[ -f "$IMAGE" ] || skip_all "$IMAGE is not built (make)"
ARTIFACTS=$BUILD/test-artifacts
mkdir -p "$ARTIFACTS"
start_guest "$IMAGE"
URL=http://$GUEST_IP

# chromium ARGS...: a fresh profile each time, nothing that calls out, at most 60 s.
chromium_run() {
	local profile
	profile=$(mktemp -d "$TMP/profile.XXXX")
	in_ns timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" "$@" 2>>"$TMP/chromium.err"
}

chromium_run --dump-dom "$URL/" >"$TMP/home.dom"
if ! grep -q '</html>' "$TMP/home.dom"; then
	# Seen once in many runs (spt): Chromium printed nothing. Say so, and load again.
	echo "# the first load gave no DOM; Chromium said: $(grep -v dbus "$TMP/chromium.err" | tail -n 3)"
	echo "# the unikernel logged: $(tail -n 3 "$GUEST_LOG")"
	chromium_run --dump-dom "$URL/" >"$TMP/home.dom"
fi
check "Chromium loads the home page: title Morgana" grep -q '<title>Morgana</title>' "$TMP/home.dom"
check "the page's body came through (the README's heading and the docs link)" bash -c "
	grep -q '<h1 id=\"morgana\">Morgana</h1>' $TMP/home.dom &&
	grep -q 'href=\"docs/getting-started.html\"' $TMP/home.dom"
check "Chromium fetched the stylesheet and the logo image, each 200" bash -c "
	grep -q 'http: GET /style.css 200 ' $GUEST_LOG && grep -q 'http: GET /logo.svg 200 ' $GUEST_LOG"

shot=$ARTIFACTS/website-$TARGET.png
rm -f "$shot"
chromium_run --window-size=1280,900 --screenshot="$shot" "$URL/docs/http.html" >/dev/null
check "a screenshot of a docs page is saved ($shot)" bash -c "
	[ -s $shot ] && [ \"\$(head -c 8 $shot | od -An -c | tr -d ' ')\" = '211PNG\r\n032\n' ]"
check "the docs page was served: GET /docs/http.html 200" \
	grep -q 'http: GET /docs/http.html 200 ' "$GUEST_LOG"
chromium_run --dump-dom "$URL/docs/" >"$TMP/docs.dom"
check "the docs index lists the docs (title Documentation — Morgana)" bash -c "
	grep -q '<title>Documentation — Morgana</title>' $TMP/docs.dom &&
	grep -q 'href=\"http.html\"' $TMP/docs.dom"
guest_alive
[ -n "${HTTP_DEBUG:-}" ] && { cat "$GUEST_LOG" "$TMP/chromium.err" "$TMP/home.dom"; }
finish
