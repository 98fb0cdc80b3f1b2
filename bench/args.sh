# SPDX-License-Identifier: ISC
#
# Sourced by each bench/*/run right after it moved to the repository's top: its one
# optional argument, a whole number (seconds or runs).
#
#   bench_arg VAR SCRIPT DEFAULT [ARG...]   set VAR to ARG, or to DEFAULT without one;
#       with -h or --help print SCRIPT's header comment and exit 0; with more than one
#       argument, or one that is not a whole number above 0, say so and exit 2
bench_arg() {
	local var=$1 script=$2 default=$3

	shift 3
	case ${1:-} in
	-h|--help)
		# The comment block after the licence line and the blank one, without '#'.
		awk 'NR > 3 && !/^#/ { exit } NR > 3 { sub(/^# ?/, ""); print }' "$script"
		exit 0 ;;
	esac
	if [ $# -gt 1 ] || { [ $# -eq 1 ] && ! [[ $1 =~ ^[1-9][0-9]*$ ]]; }; then
		echo "$script: expected one whole number above 0 (default $default), got '$*';" \
			"see $script --help" >&2
		exit 2
	fi
	printf -v "$var" '%s' "${1:-$default}"
}
