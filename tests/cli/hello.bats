#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The hello example, run exactly as the README and getting-started guide tell a user to.

setup() {
	cd "$BATS_TEST_DIRNAME/../.."
	MORGANA=${BUILD:-build}/bin/morgana
}

@test "hello prints the greeting, both arguments and the fibers in wake-up order" {
	run "$MORGANA" run -t unix examples/hello -- a b
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Hello from Morgana" ]
	[ "${lines[1]}" = "argv[1] = a" ]
	[ "${lines[2]}" = "argv[2] = b" ]
	[[ "${lines[3]}" == "fiber a woke after "*" ms" ]]
	[[ "${lines[4]}" == "fiber b woke after "*" ms" ]]
	[[ "${lines[5]}" == "fiber c woke after "*" ms" ]]
	[[ "${lines[6]}" == "fiber d woke after "*" ms" ]]
	[ "${lines[7]}" = "all fibers done" ]
	[ "${#lines[@]}" -eq 8 ]
}

@test "hello runs clean under valgrind" {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	"$MORGANA" build -t unix -o "$BATS_TEST_TMPDIR/hello" examples/hello
	run valgrind -q --error-exitcode=99 "$BATS_TEST_TMPDIR/hello" -- a b
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Hello from Morgana" ]
	[ "${lines[7]}" = "all fibers done" ]
}

@test "hello prints the same on hvt as on unix" {
	{ [ -c /dev/kvm ] && : 2>/dev/null <>/dev/kvm; } ||
		skip "/dev/kvm is missing or not usable by $(id -un)"
	# The same lines; a loaded machine may wake a fiber a millisecond late.
	run "$MORGANA" run -t unix examples/hello -- a b
	[ "$status" -eq 0 ]
	unix_output=$(sed -E 's/after [0-9]+ ms/after N ms/' <<<"$output")
	run "$MORGANA" run -t hvt examples/hello -- a b
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 8 ]
	[ "$(sed -E 's/after [0-9]+ ms/after N ms/' <<<"$output")" = "$unix_output" ]
}
