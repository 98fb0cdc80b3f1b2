#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Runs each libFuzzer target of tests/fuzz for a bounded time or number of runs and
# reports one TAP result per target. Crashes leave their input in $BUILD/fuzz/crashes/.
# The corpus grows in $BUILD/fuzz/corpus/NAME, seeded from tests/fuzz/seeds/NAME if any.
#
# Usage: tests/fuzz/run.sh [-runs=N | -max_total_time=S]   (default: -runs=20000)
# fuzz_tcp_conn builds a whole TCP instance per run (~4 ms): it gets a tenth of -runs=N.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
LIMIT=${1:--runs=20000}
bins=()
for src in tests/fuzz/fuzz_*.c; do bins+=("$BUILD/fuzz/$(basename "$src" .c)"); done
echo "1..${#bins[@]}"
mkdir -p "$BUILD/fuzz/crashes" "$BUILD/fuzz/corpus"
n=0
for bin in "${bins[@]}"; do
	n=$((n + 1))
	name=${bin##*/}
	if [ ! -x "$bin" ]; then
		echo "ok $n # SKIP $name not built (needs clang with libFuzzer: make fuzz-build)"
		continue
	fi
	mkdir -p "$BUILD/fuzz/corpus/$name"
	log=$BUILD/fuzz/$name.log
	seeds=()
	[ -d "tests/fuzz/seeds/$name" ] && seeds=("tests/fuzz/seeds/$name")
	limit=$LIMIT
	case $name:$LIMIT in
	fuzz_tcp_conn:-runs=*) limit=-runs=$(( ${LIMIT#-runs=} / 10 )) ;;
	esac
	if "$bin" "$limit" -artifact_prefix="$BUILD/fuzz/crashes/$name-" \
		"$BUILD/fuzz/corpus/$name" "${seeds[@]}" >"$log" 2>&1; then
		echo "ok $n - $name: $(grep -Eo 'Done [0-9]+ runs' "$log" | tail -n 1)"
	else
		echo "not ok $n - $name"
		grep -E 'property failed|ERROR|SUMMARY' "$log" | head -n 5 | sed 's/^/# /'
	fi
done
