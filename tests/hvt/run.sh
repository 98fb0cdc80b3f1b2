#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# Integration tests of morgana-hvt with the test guests of tests/hvt/ (built by make into
# $BUILD/hvt/tests/): boot, exit status, arguments, memory sizes, devices, W^X and guard
# faults, hostile hypercalls and hostile images. Prints TAP; skips everything, with the
# reason, when /dev/kvm is not usable.
#
# Usage: tests/hvt/run.sh      (after `make build/bin/morgana-hvt $BUILD/hvt/tests/...`)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
HVT=$BUILD/bin/morgana-hvt
TINY=$BUILD/hvt/tests/tiny.hvt
BLK=$BUILD/hvt/tests/blk.hvt
RINGS=$BUILD/hvt/tests/rings.hvt
work=$(mktemp -d)
ns=mgrings$$
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT

n=0
declare -a lines=()
# t NAME STATUS REGEX CMD...: CMD must exit with STATUS and print a line matching REGEX.
t() {
	local name=$1 want=$2 regex=$3 got; shift 3
	n=$((n + 1))
	timeout --kill-after=5 20 "$@" >"$work/out" 2>&1
	got=$?
	if [[ "$got" =~ ^($want)$ ]] && grep -Eq -- "$regex" "$work/out"; then
		lines+=("ok $n - $name")
	else
		lines+=("not ok $n - $name" "# wanted status $want and /$regex/, got status $got:")
		while IFS= read -r l; do lines+=("#   $l"); done < <(head -n 12 "$work/out")
	fi
}

# patch FILE OFFSET HEXBYTES: overwrite bytes of a copy of an image.
patch() {
	printf "$(echo "$3" | sed 's/../\\x&/g')" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

if [ ! -c /dev/kvm ] || ! : 2>/dev/null <>/dev/kvm; then
	echo "1..1"
	echo "ok 1 - hvt # SKIP /dev/kvm is missing or not usable by $(id -un)"
	exit 0
fi
for f in "$HVT" "$TINY" "$BLK" "$RINGS"; do
	if [ ! -x "$f" ]; then
		echo "1..1"
		echo "not ok 1 - hvt: $f is not built (make $f)"
		exit 1
	fi
done

# Boot, status, arguments, memory.
t "tiny guest prints and exits 0" 0 '^tiny: done' "$HVT" "$TINY"
t "guest exit status reaches the host" 42 '' "$HVT" "$TINY" exit 42
t "exit status keeps its low 8 bits" 44 '' "$HVT" "$TINY" exit 300
t "arguments arrive sh-quoted" 0 "cmdline: 'a b' 'it'\\\\''s' '\\\$x'" "$HVT" "$TINY" 'a b' "it's" '$x'
t "boots with --mem=2" 0 'heap of [0-9]+ KiB ok' "$HVT" --mem=2 "$TINY" memory
t "heap and boot info with 64 MiB" 0 'heap of 6[0-9]{4} KiB ok' "$HVT" --mem=64 "$TINY" memory
t "--mem=1 is refused" 64 'mem wants' "$HVT" --mem=1 "$TINY"
t "--mem=4096 is refused" 64 'mem wants' "$HVT" --mem=4096 "$TINY"
t "unknown option is refused" 64 'bad option' "$HVT" --frobnicate "$TINY"
t "CPUID shows SSSE3/SSE4.2/POPCNT and they run" 0 'tiny: cpu ok' "$HVT" "$TINY" cpu
t "TSC clock and poll timeout agree" 0 'poll took' "$HVT" "$TINY" clock
t "exception stubs are accepted once" 0 '^tiny: done' "$HVT" "$TINY" traps-twice
t "abort ends with 255" 255 'guest aborted' "$HVT" "$TINY" abort

# The tender confines itself once the guest runs (Seccomp: 2 is filter mode), and the
# guest still does everything it needs: console, clock, poll, exit.
n=$((n + 1))
"$HVT" "$TINY" sleep >"$work/sleep.out" 2>&1 &
pid=$! seccomp=""
for _ in $(seq 50); do
	seccomp=$(sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
	[ "$seccomp" = 2 ] && break
	sleep 0.01
done
filters=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
wait "$pid"; got=$?
if [ "$seccomp" = 2 ] && [ "$filters" = 1 ] && [ "$got" -eq 0 ] &&
   grep -q '^tiny: done' "$work/sleep.out"; then
	lines+=("ok $n - tender runs the guest under a seccomp filter")
else
	lines+=("not ok $n - tender runs the guest under a seccomp filter"
		"# Seccomp: '$seccomp', filters: '$filters', status $got")
fi

# Devices and the manifest.
truncate -s 64K "$work/disk.img"
t "block device: batched write and read" 0 '8 blocks written and read back' \
	"$HVT" --block:disk="$work/disk.img" "$BLK"
t "declared device missing is refused" 255 'needs block device' "$HVT" "$BLK"
t "undeclared device is refused" 255 'declares no block device' \
	"$HVT" --block:other="$work/disk.img" "$BLK"
t "device of the wrong kind is refused" 255 'declares no network device' \
	"$HVT" --net:disk=tap0 "$BLK"

# W^X, guard pages and faults: each reported with vector, addresses and registers.
pf='#PF page fault .* at rip=0x[0-9a-f]+'
t "write to text faults" 255 'cr2\)=0x1[0-9a-f]{5} error code=0x7 \(protection, write\)' \
	"$HVT" "$TINY" fault-text
t "read of page 0 faults" 255 'cr2\)=0x0 error code=0x4 \(not present, read\)' \
	"$HVT" "$TINY" fault-null
t "write to rodata faults" 255 'error code=0x7 \(protection, write\)' \
	"$HVT" "$TINY" fault-rodata
t "executing data faults (NX)" 255 'instruction fetch' "$HVT" "$TINY" fault-exec-data
t "executing the heap's middle faults (NX on 2 MiB pages)" 255 \
	'cr2\)=0x[0-9a-f]*00000 error code=0x15 \(protection, instruction fetch\)' \
	"$HVT" --mem=64 "$TINY" fault-exec-heap
t "write to boot info faults" 255 'error code=0x7 \(protection, write\)' \
	"$HVT" "$TINY" fault-bootinfo
t "page tables are out of reach" 255 "$pf" "$HVT" "$TINY" fault-tables
t "stack overflow hits the guard page" 255 'not present, write' "$HVT" "$TINY" fault-stack
t "fault report shows registers" 255 'rax=0x[0-9a-f]{16} rbx=' "$HVT" "$TINY" fault-null
t "invalid opcode is reported" 255 '#UD invalid opcode' "$HVT" "$TINY" fault-ud

# The console buffer a guest names in a note: written out when the guest stops anyway,
# in order, before the fault report; a length beyond it ends the guest.
t "console buffer is written at exit" 0 '^tiny: buffered at exit$' "$HVT" "$TINY" console-exit
n=$((n + 1))
"$HVT" "$TINY" console-order >"$work/order.out" 2>&1
if [ "$(grep -E '^tiny: (first|second)' "$work/order.out" | tr '\n' ' ')" = \
     "tiny: first tiny: second " ]; then
	lines+=("ok $n - console buffer comes before the output of the call that empties it")
else
	lines+=("not ok $n - console buffer comes before the output of the call that empties it")
	while IFS= read -r l; do lines+=("#   $l"); done < "$work/order.out"
fi
n=$((n + 1))
"$HVT" "$TINY" console-fault >"$work/cfault.out" 2>&1
got=$?
before=$(grep -n '^tiny: before the fault$' "$work/cfault.out" | cut -d: -f1)
report=$(grep -n '#UD invalid opcode' "$work/cfault.out" | cut -d: -f1)
if [ "$got" = 255 ] && [ -n "$before" ] && [ -n "$report" ] && [ "$before" -lt "$report" ]; then
	lines+=("ok $n - console buffer is written before a fault report")
else
	lines+=("not ok $n - console buffer is written before a fault report (status $got)")
	while IFS= read -r l; do lines+=("#   $l"); done < "$work/cfault.out"
fi
t "console buffer length beyond it ends the guest" 255 'console buffer length out of range' \
	"$HVT" "$TINY" console-bad-len
t "privileged instruction is reported" 255 '#GP general protection' \
	"$HVT" "$TINY" fault-privileged

# Hostile hypercalls: the tender stops the guest with a message and does not crash.
t "argument beyond memory" 255 'argument misaligned or outside' "$HVT" "$TINY" bad-arg
t "misaligned argument" 255 'argument misaligned or outside' \
	"$HVT" "$TINY" bad-arg-unaligned
t "argument in the tender's tables" 255 'argument misaligned or outside' \
	"$HVT" "$TINY" bad-arg-sys
t "length overflow" 255 'console data outside' "$HVT" "$TINY" bad-len
t "address wrap-around" 255 'console data outside' "$HVT" "$TINY" bad-wrap
t "null data pointer" 255 'console data outside' "$HVT" "$TINY" bad-null
t "unknown hypercall" 255 'unknown hypercall address' "$HVT" "$TINY" bad-call
t "read from the hypercall window" 255 'read at 0xfffff008' "$HVT" "$TINY" bad-call-read
t "port I/O (out) faults" 255 '#GP general protection' "$HVT" "$TINY" bad-port
t "port I/O (in) faults" 255 '#GP general protection' "$HVT" "$TINY" bad-in

# Network rings (root: a TAP in a network namespace of our own). The guest owns the
# rings; every index and descriptor it puts there is checked, and a bad one ends it.
if [ "$(id -u)" -ne 0 ] || ! ip netns add "$ns" 2>/dev/null; then
	n=$((n + 1))
	lines+=("ok $n - network rings # SKIP needs root and network namespaces")
else
	rings=(ip netns exec "$ns" "$HVT" --net:net=mgr0 --block:disk="$work/disk.img" "$RINGS")
	# The host sends frames (ARP for a neighbour) once the guest's TAP is up.
	( for _ in $(seq 100); do
		ip -n "$ns" link set mgr0 up 2>/dev/null && break; sleep 0.05
	  done
	  ip -n "$ns" addr add 10.77.0.1/24 dev mgr0 2>/dev/null
	  for _ in $(seq 20); do
		ip netns exec "$ns" ping -c 1 -W 0.2 10.77.0.2 >/dev/null 2>&1; done ) &
	t "rings: a frame goes out and one comes in" 0 'rings: ok' "${rings[@]}" ok
	wait
	t "rings: bad sizes and devices are refused" 0 'rings: refused' "${rings[@]}" refused
	t "rings beyond guest memory" 255 'network rings outside guest memory' \
		"${rings[@]}" area-outside
	t "rings over the guest's text" 255 'network rings outside guest memory' \
		"${rings[@]}" area-text
	t "TX index out of range" 255 'TX ring index out of range' "${rings[@]}" tx-prod-far
	t "TX descriptor too long" 255 'TX descriptor' "${rings[@]}" tx-len-huge
	t "TX descriptor too short" 255 'TX descriptor' "${rings[@]}" tx-len-short
	t "TX descriptor past the data" 255 'TX descriptor' "${rings[@]}" tx-off-outside
	t "RX index out of range" 255 'RX ring index out of range' "${rings[@]}" rx-cons-far
	# Changing under the tender's feet: sent or refused, never a crash.
	t "descriptors flipping while read" '0|255' 'flip survived|guest error: TX' \
		"${rings[@]}" flip
fi

# Hostile images.
head -c 100 "$TINY" >"$work/trunc-hdr.hvt"
t "image truncated in its headers" 255 'outside the file' "$HVT" "$work/trunc-hdr.hvt"
rodata_off=$(od -An -t u8 -j $((64 + 56 + 8)) -N 8 "$TINY" | tr -d ' ')	# phdr 1 p_offset
head -c $((rodata_off + 16)) "$TINY" >"$work/trunc.hvt"
t "image truncated in a segment" 255 'bad image' "$HVT" "$work/trunc.hvt"
cp "$TINY" "$work/arch.hvt"; patch "$work/arch.hvt" 18 b700	# EM_AARCH64
t "image for another architecture" 255 'not an x86_64 image' "$HVT" "$work/arch.hvt"
cp "$TINY" "$work/class.hvt"; patch "$work/class.hvt" 4 01	# ELFCLASS32
t "32-bit image" 255 'not a 64-bit' "$HVT" "$work/class.hvt"
cp "$TINY" "$work/dyn.hvt"; patch "$work/dyn.hvt" 16 0300	# ET_DYN
t "position-independent image" 255 'not a static executable' "$HVT" "$work/dyn.hvt"
# Program header 1 (rodata) at 64 + 56; p_vaddr at +16, p_memsz at +40.
cp "$TINY" "$work/overlap.hvt"; patch "$work/overlap.hvt" $((64 + 56 + 16)) 0000100000000000
t "overlapping segments" 255 'overlaps' "$HVT" "$work/overlap.hvt"
cp "$TINY" "$work/big.hvt"; patch "$work/big.hvt" $((64 + 56 + 40)) 0000000001000000
t "segment beyond memory" 255 'does not fit' "$HVT" "$work/big.hvt"
cp "$TINY" "$work/wx.hvt"; patch "$work/wx.hvt" $((64 + 56 + 4)) 07	# p_flags RWX
t "writable and executable segment" 255 'writable and executable' "$HVT" "$work/wx.hvt"
# The console note's descriptor (address, size) follows its type and name.
cnote=$(LC_ALL=C grep -obUaP '\x03\x00\x47\x4dMorgana\x00' "$TINY" | head -1 | cut -d: -f1)
rodata_va=$(od -An -t x8 -j $((64 + 56 + 16)) -N 8 "$TINY" | tr -d ' ')
cp "$TINY" "$work/console.hvt"
patch "$work/console.hvt" $((cnote + 12)) "$(printf '%016x' $((16#$rodata_va)) |
					      sed 's/../& /g' | awk '{for (i = 8; i; i--) printf "%s", $i}')"
t "console note naming read-only memory" 255 'console note names' "$HVT" "$work/console.hvt"
t "not an ELF file" 255 'not an ELF file' "$HVT" "$0"
t "missing image" 255 'No such file' "$HVT" "$work/none.hvt"

echo "1..$n"
printf '%s\n' "${lines[@]}"
