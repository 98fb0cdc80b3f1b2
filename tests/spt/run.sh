#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Integration tests of morgana-spt with the test guests tests/spt/probe and tests/spt/blk
# (built here with `morgana build -t spt`): boot, exit status, arguments, memory sizes,
# the seccomp allow-list (a forbidden call is killed by SIGSYS: status 159), W^X and
# guard faults (reported, status 255), devices and hostile images. Prints TAP.
#
# Usage: tests/spt/run.sh      (after `make`)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SPT=$BUILD/bin/morgana-spt
MORGANA=$BUILD/bin/morgana
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null; rm -rf "$work"' EXIT
PROBE=$work/probe.spt
BLK=$work/blk.spt

n=0
declare -a lines=()
pass() { n=$((n + 1)); lines+=("ok $n - $1"); }
fail() {	# fail NAME WHY [FILE]
	n=$((n + 1)); lines+=("not ok $n - $1" "# $2")
	[ -n "${3:-}" ] && while IFS= read -r l; do lines+=("#   $l"); done < <(head -n 12 "$3")
}
# t NAME STATUS REGEX CMD...: CMD must exit with STATUS and print a line matching REGEX
# (an empty REGEX: print nothing but FAIL-free lines).
t() {
	local name=$1 want=$2 regex=$3 got; shift 3
	# In a subshell whose stderr is closed: a guest killed by SIGSYS would otherwise make
	# bash print "Bad system call" into the log.
	( timeout --kill-after=5 20 "$@" >"$work/out" 2>&1; exit $? ) 2>/dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$name" "wanted status $want, got $got:" "$work/out"
	elif grep -q FAIL "$work/out"; then
		fail "$name" "the guest survived what should have ended it:" "$work/out"
	elif [ -n "$regex" ] && ! grep -Eq -- "$regex" "$work/out"; then
		fail "$name" "no line matches /$regex/:" "$work/out"
	else
		pass "$name"
	fi
}

# patch FILE OFFSET HEXBYTES: overwrite bytes of a copy of an image.
patch() {
	printf "$(echo "$3" | sed 's/../\\x&/g')" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

for f in "$SPT" "$MORGANA"; do
	if [ ! -x "$f" ]; then
		echo "1..1"
		echo "not ok 1 - spt: $f is not built (make $f)"
		exit 1
	fi
done
for g in probe blk; do
	if ! "$MORGANA" build -t spt -o "$work/$g.spt" "tests/spt/$g" >"$work/build.log" 2>&1; then
		echo "1..1"
		echo "not ok 1 - spt: cannot build tests/spt/$g"
		sed 's/^/# /' "$work/build.log"
		exit 1
	fi
done

# Boot, status, arguments, memory.
t "guest prints and exits 0" 0 '^probe: hello$' "$SPT" "$PROBE"
t "guest exit status reaches the host" 42 '' "$SPT" "$PROBE" exit 42
t "exit status keeps its low 8 bits" 44 '' "$SPT" "$PROBE" exit 300
t "arguments arrive as words" 0 "^arg: \\[it's a \"b\" \\\\\\\$x\\]$" \
	"$SPT" "$PROBE" args "it's a \"b\" \\\$x"
t "-- ends the tender's options" 0 '^arg: \[--mem=2\]$' "$SPT" -- "$PROBE" args --mem=2
t "stack-protector canary is set at %fs:0x28" 0 'canary ok' "$SPT" "$PROBE" canary
t "boots with --mem=2" 0 '512 KiB of heap ok' "$SPT" --mem=2 "$PROBE" heap 512
t "--mem=2 bounds the heap" 1 '' "$SPT" --mem=2 "$PROBE" heap 4096
t "--mem=64 gives a 60 MiB heap" 0 '61440 KiB of heap ok' "$SPT" --mem=64 "$PROBE" heap 61440
t "--mem=1 is refused" 64 'mem wants' "$SPT" --mem=1 "$PROBE"
t "--mem=65537 is refused" 64 'mem wants' "$SPT" --mem=65537 "$PROBE"
t "unknown option is refused" 64 'bad option' "$SPT" --frobnicate "$PROBE"
t "no image is a usage error" 64 'usage' "$SPT"
t "abort ends with 255" 255 'guest aborted' "$SPT" "$PROBE" abort
"$SPT" "$PROBE" hello >&- 2>"$work/out"
[ $? -eq 0 ] && pass "runs with stdout closed" || fail "runs with stdout closed" "status" "$work/out"

# The seccomp allow-list: everything else kills the process (SIGSYS, 128 + 31).
for call in getpid open mmap execve write-stdin write-fd3 read-stdout clock-cputime; do
	t "forbidden call killed: $call" 159 '' "$SPT" "$PROBE" "$call"
done

# W^X, page 0, guard page: each fault reported with the address and registers.
t "write to text faults" 255 'fault address=0x1[0-9a-f]{5} error code=0x7 \(protection, write\)' \
	"$SPT" "$PROBE" fault-text
t "write to rodata faults" 255 'error code=0x7 \(protection, write\)' "$SPT" "$PROBE" fault-rodata
t "write to boot info faults" 255 'fault address=0x11000 .*write' "$SPT" "$PROBE" fault-bootinfo
t "write to the canary's page faults" 255 'fault address=0x10028 .*write' \
	"$SPT" "$PROBE" fault-tcb
t "page 0 is never mapped" 255 'fault address=0x8 .*page 0' "$SPT" "$PROBE" fault-null
t "guard page below the stack" 255 'stack guard page' "$SPT" "$PROBE" fault-guard
t "executing data faults (NX)" 255 'instruction fetch' "$SPT" "$PROBE" fault-exec-data
t "invalid opcode is reported" 255 'SIGILL .* at rip=0x1[0-9a-f]{5}' "$SPT" "$PROBE" fault-ud
t "fault report shows registers" 255 'rax=0x[0-9a-f]{16} rbx=' "$SPT" "$PROBE" fault-null

# A running guest: confined, and its memory W^X as the kernel sees it.
"$SPT" "$PROBE" sleep 1500 >"$work/sleep.out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q sleeping "$work/sleep.out" && break; sleep 0.02; done
status=$(cat "/proc/$pid/status" 2>/dev/null)
maps=$(cat "/proc/$pid/maps" 2>/dev/null)
if grep -q '^Seccomp:[[:space:]]*2$' <<<"$status" && grep -q '^NoNewPrivs:[[:space:]]*1$' <<<"$status"; then
	pass "Seccomp: 2 (filter mode) and NoNewPrivs while the guest sleeps"
else
	fail "Seccomp: 2 (filter mode) and NoNewPrivs while the guest sleeps" "$(grep -E 'Seccomp|NoNew' <<<"$status" | tr '\n' ' ')"
fi
# Mappings below 16 MiB are guest memory (the tender's own lie far above).
low=() wx=0 zero=0
while read -r range perms _; do
	start=$((16#${range%-*}))
	[ "$start" -ge $((16 << 20)) ] && continue
	low+=("$range $perms")
	[ "$start" -eq 0 ] && zero=1
	[[ $perms == *w*x* ]] && wx=1
done <<<"$maps"
if [ "${#low[@]}" -ge 5 ] && [ "$zero" -eq 0 ] && [ "$wx" -eq 0 ]; then
	pass "guest memory: no page 0, nothing writable and executable (/proc/PID/maps)"
else
	fail "guest memory: no page 0, nothing writable and executable (/proc/PID/maps)" \
		"maps: ${low[*]}"
fi
kill -STOP "$pid"; sleep 0.1; kill -CONT "$pid"
wait "$pid"; got=$?; pid=
if [ "$got" -eq 0 ] && grep -q woke "$work/sleep.out"; then
	pass "a stopped and continued guest sleeps on (ppoll restarts inside the allow-list)"
else
	fail "a stopped and continued guest sleeps on (ppoll restarts inside the allow-list)" "status $got" "$work/sleep.out"
fi

# Devices and the manifest.
truncate -s 64K "$work/disk.img"
t "block device: batched write and read, plat.h refusals" 0 '8 blocks written and read back' \
	"$SPT" --block:disk="$work/disk.img" "$BLK" keep
if [ "$(dd if="$work/disk.img" bs=512 skip=3 count=1 status=none | head -c 21)" = "written by blk on spt" ]; then
	pass "block writes reach the file"
else
	fail "block writes reach the file" "block 3 does not hold the marker"
fi
t "declared device missing is refused" 255 'needs block device' "$SPT" "$BLK"
t "undeclared device is refused" 255 'declares no block device' \
	"$SPT" --block:disk="$work/disk.img" --block:other="$work/disk.img" "$BLK"
t "device of the wrong kind is refused" 255 'declares no network device' \
	"$SPT" --net:disk=tap0 "$BLK"
t "device given twice is refused" 255 'given twice' \
	"$SPT" --block:disk="$work/disk.img" --block:disk="$work/disk.img" "$BLK"
t "missing block file is refused" 255 'No such file' "$SPT" --block:disk="$work/none" "$BLK"

# Hostile images.
head -c 100 "$PROBE" >"$work/trunc-hdr.spt"
t "image truncated in its headers" 255 'outside the file' "$SPT" "$work/trunc-hdr.spt"
rodata_off=$(od -An -t u8 -j $((64 + 56 + 8)) -N 8 "$PROBE" | tr -d ' ')	# phdr 1 p_offset
head -c $((rodata_off + 16)) "$PROBE" >"$work/trunc.spt"
t "image truncated in a segment" 255 'bad image' "$SPT" "$work/trunc.spt"
cp "$PROBE" "$work/arch.spt"; patch "$work/arch.spt" 18 b700	# EM_AARCH64
t "image for another architecture" 255 'not an x86_64 image' "$SPT" "$work/arch.spt"
cp "$PROBE" "$work/class.spt"; patch "$work/class.spt" 4 01	# ELFCLASS32
t "32-bit image" 255 'not a 64-bit' "$SPT" "$work/class.spt"
cp "$PROBE" "$work/dyn.spt"; patch "$work/dyn.spt" 16 0300	# ET_DYN
t "position-independent image" 255 'not a static executable' "$SPT" "$work/dyn.spt"
# Program header 1 (rodata) at 64 + 56; p_vaddr at +16, p_memsz at +40.
cp "$PROBE" "$work/overlap.spt"; patch "$work/overlap.spt" $((64 + 56 + 16)) 0000100000000000
t "overlapping segments" 255 'overlaps' "$SPT" "$work/overlap.spt"
cp "$PROBE" "$work/low.spt"; patch "$work/low.spt" $((64 + 16)) 0000010000000000	# phdr 0 at 64 KiB
t "segment over the boot info" 255 'does not fit' "$SPT" "$work/low.spt"
cp "$PROBE" "$work/big.spt"; patch "$work/big.spt" $((64 + 56 + 40)) 0000000001000000
t "segment beyond memory" 255 'does not fit' "$SPT" "$work/big.spt"
cp "$PROBE" "$work/wx.spt"; patch "$work/wx.spt" $((64 + 56 + 4)) 07	# p_flags RWX
t "writable and executable segment" 255 'writable and executable' "$SPT" "$work/wx.spt"
t "not an ELF file" 255 'not an ELF file' "$SPT" "$0"
t "missing image" 255 'No such file' "$SPT" "$work/none.spt"

# The CLI runs spt images as it runs unix ones.
t "morgana run -t spt passes devices and arguments" 0 '8 blocks written' \
	"$MORGANA" run -t spt --block:disk="$work/disk.img" "$BLK"
"$MORGANA" run -t spt examples/hello -- a b 2>&1 | grep -v 'woke after' >"$work/spt.out"
"$MORGANA" run -t unix examples/hello -- a b 2>&1 | grep -v 'woke after' >"$work/unix.out"
if [ -s "$work/spt.out" ] && cmp -s "$work/spt.out" "$work/unix.out"; then
	pass "examples/hello prints the same on spt as on unix"
else
	fail "examples/hello prints the same on spt as on unix" "outputs differ" "$work/spt.out"
fi

echo "1..$n"
printf '%s\n' "${lines[@]}"
