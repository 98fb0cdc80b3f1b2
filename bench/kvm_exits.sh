# SPDX-License-Identifier: ISC
#
# Sourced by the network benchmarks: how often an hvt guest leaves the VM while it is
# loaded, counted with perf on KVM's tracepoints (kvm_exit does not fire on this host's
# kvm_pvm; kvm_userspace_exit and kvm_mmio do). Without perf the functions print nothing.
#
#   kvm_exits_start PID FILE SECONDS   count for process PID (the tender) for SECONDS
#   kvm_exits_stop FILE        wait for the count; set KVM_EXITS to "N exits/s to the
#                              tender, M kicks/s" -- exits that reached the tender
#                              (hypercalls), and MMIO stores KVM handled in the kernel
#                              (the rings' kicks) -- or to "" (call it in the same shell:
#                              a subshell cannot wait for perf)
# (perf's own --timeout ends the count: a background job of a script ignores SIGINT.)

kvm_exits_start() {
	KVM_EXITS_PERF=
	type -P perf >/dev/null || return 0	# (bench/dns has a function of that name)
	command perf stat -x, -e kvm:kvm_userspace_exit,kvm:kvm_mmio -p "$1" -o "$2" \
		--timeout $(($3 * 1000)) 2>/dev/null &
	KVM_EXITS_PERF=$!
	KVM_EXITS_SECS=$3
}

kvm_exits_stop() {
	KVM_EXITS=
	[ -n "${KVM_EXITS_PERF:-}" ] || return 0
	wait "$KVM_EXITS_PERF" 2>/dev/null
	KVM_EXITS_PERF=
	[ -r "$1" ] || return 0
	KVM_EXITS=$(awk -F, -v s="$KVM_EXITS_SECS" '
		/kvm_userspace_exit/ { u = $1 } /kvm_mmio/ { m = $1 }
		END { if (u == "" || u !~ /^[0-9]+$/) exit
		      printf "%.0f exits/s to the tender, %.0f kicks/s", u / s, (m - u) / s }' "$1")
}
