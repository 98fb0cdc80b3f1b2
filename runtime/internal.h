/* SPDX-License-Identifier: ISC */
/*
 * internal.h -- what the runtime's files tell each other, and nobody else.
 *
 * Names are mg_rt_* so they cannot collide with an application's, even though they are
 * not part of the public API.
 */
#ifndef MORGANA_RUNTIME_INTERNAL_H
#define MORGANA_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mg_fiber;

/* x86_64/switch.S: save the callee-saved registers, MXCSR and the x87 control word on
 * the current stack, store the stack pointer in *save_sp, and resume the context whose
 * stack pointer is load_sp. mg_rt_ctx_entry is where a new fiber's first switch lands:
 * it calls r12(r13) on a 16-byte aligned stack. */
void mg_rt_ctx_switch(void **save_sp, void *load_sp);
void mg_rt_ctx_entry(void);

/* fiber.c: the scheduler side. */
void mg_rt_fibers_reset(void *boot_frame);
/* main's fiber, on [stack, stack + stack_size) if stack is not NULL (the platform's,
 * never freed), else on a stack of its own. */
struct mg_fiber *mg_rt_fiber_spawn_main(int (*fn)(void *arg), void *arg, void *stack,
					size_t stack_size);
bool mg_rt_fibers_run_pass(const struct mg_fiber *main_fiber);
bool mg_rt_fiber_done(const struct mg_fiber *f, int *status);
void mg_rt_fibers_describe_blocked(char *buf, size_t len);
bool mg_rt_stack_bounds(uintptr_t *lo, uintptr_t *hi);

/* timer.c */
void mg_rt_timers_reset(void);
void mg_rt_timers_run(uint64_t now_ns);
bool mg_rt_timers_next(uint64_t *deadline_ns);

/* log.c */
void mg_rt_log_reset(uint64_t origin_ns);
int mg_rt_log_add(const char *spec);

/* random.c: key the global generator from the boot seed XOR what the CPU's RDSEED or
 * RDRAND give, where cpu_features (MG_PLAT_CPU_*) has them. */
void mg_rt_random_seed(const uint8_t boot_seed[32], uint64_t cpu_features);

/* cmdline.c: split cmdline into argv[1..] with argv0 in front. */
int mg_rt_cmdline_split(const char *argv0, const char *cmdline, int *argc, char ***argv);

/* panic.c */
void mg_rt_panic_reset(void);

#endif /* MORGANA_RUNTIME_INTERNAL_H */
