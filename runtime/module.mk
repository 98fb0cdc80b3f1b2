# SPDX-License-Identifier: ISC
# The runtime: boot to main, fibers, timers, event loop, log, random, panic, trace.
RUNTIME_SRCS = runtime/x86_64/switch.S runtime/fiber.c runtime/timer.c runtime/loop.c \
	runtime/log.c runtime/random.c runtime/panic.c runtime/trace.c runtime/cmdline.c \
	runtime/mem.c
# Only in guest images (the host C library has its own).
RUNTIME_FREESTANDING_SRCS = runtime/stack_chk.c
