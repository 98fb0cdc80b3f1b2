# SPDX-License-Identifier: ISC
# Unit test of the hvt tender's seccomp filter (installed for real, in child processes).
UNIT_TESTS += hvt_sandbox
hvt_sandbox_SRCS = tests/unit/hvt_sandbox.c tender/hvt/sandbox.c
