# SPDX-License-Identifier: ISC
# Unit tests of the runtime, on the fake platform of tests/unit/fake_plat.c.
RUNTIME_TEST_SRCS = $(RUNTIME_SRCS) tests/unit/fake_plat.c

UNIT_TESTS += runtime_fiber runtime_timer runtime_loop runtime_log runtime_random \
	runtime_cmdline runtime_trace runtime_panic
runtime_fiber_SRCS = tests/unit/runtime_fiber.c $(RUNTIME_TEST_SRCS)
runtime_timer_SRCS = tests/unit/runtime_timer.c $(RUNTIME_TEST_SRCS)
runtime_loop_SRCS = tests/unit/runtime_loop.c $(RUNTIME_TEST_SRCS)
runtime_log_SRCS = tests/unit/runtime_log.c $(RUNTIME_TEST_SRCS)
runtime_random_SRCS = tests/unit/runtime_random.c $(RUNTIME_TEST_SRCS)
runtime_cmdline_SRCS = tests/unit/runtime_cmdline.c $(RUNTIME_TEST_SRCS)
runtime_trace_SRCS = tests/unit/runtime_trace.c $(RUNTIME_TEST_SRCS)
runtime_panic_SRCS = tests/unit/runtime_panic.c $(RUNTIME_TEST_SRCS)
