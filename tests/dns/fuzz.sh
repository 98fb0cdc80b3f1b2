#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Builds the libFuzzer targets of lib/dns (tests/fuzz/fuzz_dns_*.c) with clang,
# ASan and UBSan, and runs each for a short while (FUZZ_SECONDS, default 30) from a
# seed corpus: the zone files of tests/dns/zones for the zone parser, a few queries for
# the message parser. Speaks TAP. Corpora grow in $BUILD/fuzz/corpus-*.
#
# Usage: tests/dns/fuzz.sh [SECONDS]
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SECONDS_EACH=${1:-${FUZZ_SECONDS:-30}}
OUT=$BUILD/fuzz
SRCS=$(sed -n 's/^LIB_DNS_SRCS = //p; s/^\t//p' lib/dns/module.mk | tr -d '\\')

if ! command -v clang >/dev/null; then
	echo "1..0 # SKIP clang is not installed"
	exit 0
fi
mkdir -p "$OUT"
n=0 failed=0
for target in fuzz_dns_msg fuzz_dns_zone; do
	corpus=$OUT/corpus-$target
	mkdir -p "$corpus"
	if [ "$target" = fuzz_dns_zone ]; then
		cp tests/dns/zones/*.zone tests/dns/zones/*/*.zone "$corpus"/ 2>/dev/null
	else
		printf '\0\1\0\0\0\1\0\0\0\0\0\1\3www\7example\3com\0\0\1\0\1\0\0\x29\x10\0\0\0\0\0\0\0' \
			>"$corpus/www-a-edns"
		printf '\0\2\0\0\0\1\0\0\0\0\0\0\7example\3com\0\0\xfc\0\1' >"$corpus/axfr"
		printf '\0\3\x81\x80\0\1\0\1\0\0\0\0\3www\0\0\1\0\1\xc0\x0c\0\1\0\1\0\0\0\1\0\4\1\2\3\4' \
			>"$corpus/stub-answer"
	fi
	n=$((n + 1))
	# shellcheck disable=SC2086
	if ! clang -g -O1 -std=gnu17 -Iinclude -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o "$OUT/$target" "tests/fuzz/$target.c" $SRCS \
		2>"$OUT/$target.build.log"; then
		failed=$((failed + 1))
		echo "not ok $n - $target builds"
		sed 's/^/# /' "$OUT/$target.build.log" | head -n 20
		continue
	fi
	if "$OUT/$target" -max_total_time="$SECONDS_EACH" -max_len=4096 -timeout=10 \
		"$corpus" >"$OUT/$target.log" 2>&1; then
		echo "ok $n - $target: $(grep -oE '#[0-9]+' "$OUT/$target.log" | tail -n 1) runs in ${SECONDS_EACH}s, no crash"
	else
		failed=$((failed + 1))
		echo "not ok $n - $target crashed"
		grep -E 'ERROR|SUMMARY|Test unit written' "$OUT/$target.log" | head -n 10 | sed 's/^/# /'
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
