#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
#
# `morgana build -t hvt` and `morgana run -t hvt` (docs/cli.md, docs/hvt.md): the image is
# a static guest executable with its manifest note; run hands options and devices to
# build/bin/morgana-hvt, and says in one line (status 69) when KVM is not there.
# Tests that boot a guest skip, with the reason, when /dev/kvm is not usable.
bats_require_minimum_version 1.5.0

setup() {
	REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	BUILD_DIR=${BUILD:-build}
	[[ $BUILD_DIR == /* ]] || BUILD_DIR=$REPO/$BUILD_DIR
	MORGANA=$BUILD_DIR/bin/morgana
	[ -x "$MORGANA" ] || { echo "no $MORGANA: run make first" >&2; return 1; }
	unset MORGANA_BUILD MORGANA_ROOT MORGANA_CFLAGS
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	mkdir -p "$TMPDIR"
	cd "$BATS_TEST_TMPDIR"
}

expect_error() {
	local want_status=$1 want_text=$2
	if [ "$status" -ne "$want_status" ] || [ -n "$output" ] ||
	   [ "${#stderr_lines[@]}" -ne 1 ] || [[ $stderr != "morgana: "* ]] ||
	   [[ $stderr != *"$want_text"* ]]; then
		echo "expected status $want_status and one line 'morgana: ...$want_text...'"
		echo "got status $status"
		echo "stdout: [$output]"
		echo "stderr: [$stderr]"
		return 1
	fi
}

needs_hvt_libs() {
	[ -s "$BUILD_DIR/freestanding/libmorgana-hvt.a" ] &&
		[ -s "$BUILD_DIR/freestanding/libc.a" ] ||
		skip "needs the hvt guest libraries: run make"
}

needs_kvm() {
	needs_hvt_libs
	[ -x "$BUILD_DIR/bin/morgana-hvt" ] || skip "needs $BUILD_DIR/bin/morgana-hvt: run make"
	{ [ -c /dev/kvm ] && : 2>/dev/null <>/dev/kvm; } ||
		skip "/dev/kvm is missing or not usable by $(id -un)"
}

# An app that prints its arguments and returns their count; with a block device if $2.
make_app() {
	mkdir -p "$1"
	printf 'name = %s\n' "$1" >"$1/unikernel.conf"
	[ -n "${2:-}" ] && printf 'block = %s\n' "$2" >>"$1/unikernel.conf"
	cat >"$1/main.c" <<'EOF'
#include <stdio.h>
int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		printf("arg [%s]\n", argv[i]);
	return argc;
}
EOF
}

@test "hvt build: a static image with the manifest note, in APPDIR/dist/NAME.hvt" {
	needs_hvt_libs
	make_app app disk
	run --separate-stderr "$MORGANA" build -t hvt app
	[ "$status" -eq 0 ]
	[ "$output" = "built app/dist/app.hvt" ]
	run readelf -h -l -n app/dist/app.hvt
	[[ $output == *"EXEC (Executable file)"* ]]
	[[ $output != *"INTERP"* ]]
	[[ $output == *"Morgana"* ]]
	# No segment is both writable and executable.
	! readelf -lW app/dist/app.hvt | grep -E '^ +LOAD' | grep -q 'RWE'
	# Debug information lives beside the image, not in it.
	! readelf -SW app/dist/app.hvt | grep -q '\.debug_info'
	readelf -SW app/dist/app.hvt.debug | grep -q '\.debug_info'
	[ "$(stat -c %s app/dist/app.hvt)" -lt 102400 ]
	[ ! -e app/dist/.app.hvt.tmp-*.debug ]
}

@test "hvt build: app code sees only the guest libc's headers" {
	needs_hvt_libs
	make_app app
	printf '#include <unistd.h>\n' >>app/main.c
	run --separate-stderr "$MORGANA" build -t hvt app
	[ "$status" -eq 1 ]
	[[ $stderr == *"unistd.h"* ]]
}

@test "hvt build: --sanitize is refused in one line" {
	needs_hvt_libs
	make_app app
	run --separate-stderr "$MORGANA" build -t hvt --sanitize app
	expect_error 64 "--sanitize is for -t unix only"
	[ ! -e app/dist/app.hvt ]
}

@test "hvt build: missing guest libraries are named" {
	make_app app
	mkdir -p fake
	run --separate-stderr env MORGANA_BUILD="$BATS_TEST_TMPDIR/fake" \
		MORGANA_ROOT="$REPO" "$MORGANA" build -t hvt app
	expect_error 69 "libmorgana-hvt.a is missing: run 'make'"
}

# Run the tender with /dev as the given setup inside a private mount namespace.
run_without_kvm() {
	local setup=$1
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null ||
		skip "needs root and unshare to hide /dev/kvm"
	run --separate-stderr unshare -m sh -c "$setup"' && exec "$0" run -t hvt "$1"' \
		"$MORGANA" "$BATS_TEST_TMPDIR/app.hvt"
}

@test "hvt run: no /dev/kvm is one line suggesting spt or unix, status 69" {
	needs_hvt_libs
	make_app app
	"$MORGANA" build -t hvt -o app.hvt app
	run_without_kvm 'mount -t tmpfs none /dev'
	expect_error 69 "cannot open /dev/kvm"
	[[ $stderr == *"try -t spt or -t unix"* ]]
}

@test "hvt run: a /dev/kvm that gives no VM is one line, status 69" {
	needs_hvt_libs
	make_app app
	"$MORGANA" build -t hvt -o app.hvt app
	run_without_kvm 'mount --bind /dev/null /dev/kvm'
	expect_error 69 "KVM_CREATE_VM"
	[[ $stderr == *"try -t spt or -t unix"* ]]
}

@test "hvt run: builds the folder, passes arguments, returns the guest's status" {
	needs_kvm
	make_app app
	run --separate-stderr "$MORGANA" run -t hvt app -- one 'two words' ''
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = "arg [one]" ]
	[ "${lines[1]}" = "arg [two words]" ]
	[ "${lines[2]}" = "arg []" ]
	[ -x app/dist/app.hvt ]
}

@test "hvt run: --mem and --block reach the tender" {
	needs_kvm
	make_app app disk
	truncate -s 4K disk.img
	run "$MORGANA" run -t hvt --mem 2 --block disk=disk.img app -- x
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "arg [x]" ]
	run "$MORGANA" run -t hvt --mem 1 --block disk=disk.img app
	[ "$status" -eq 64 ]
	[[ $output == *"--mem wants"* ]]
	run "$MORGANA" run -t hvt app
	[ "$status" -eq 255 ]
	[[ $output == *"needs block device 'disk'"* ]]
}
