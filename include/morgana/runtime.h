/* SPDX-License-Identifier: ISC */
/*
 * runtime.h -- the runtime's event loop and what it was booted with.
 *
 * The runtime owns the one thread of execution. mg_runtime_start() (declared in plat.h,
 * called by the target's start-up code) splits the command line, takes the runtime's own
 * flags out of it, and runs the application's main(argc, argv) as the first fiber. From
 * then on one loop runs everything:
 *
 *	1. expired timers' callbacks, then every fiber that is ready, once each, in the
 *	   order they became ready;
 *	2. the flush hooks (mg_runtime_add_flush_hook), e.g. to send batched output;
 *	3. mg_plat_yield() until the earliest timer or until a watched device has input;
 *	   if a fiber is still ready it only polls, and skips the call when no device
 *	   is watched;
 *	4. the on_input callback of each watched handle that the platform reported ready.
 *
 * When main returns, the flush hooks run once more and the unikernel exits with main's
 * status; other fibers are not waited for. If at step 3 nothing could ever wake a fiber
 * (no ready fiber, no armed timer, no watched handle) the runtime panics with
 * "deadlock: ...", which is better than sleeping forever.
 *
 * Runtime flags, removed from argv before main sees them (scanning stops at "--"):
 *	-l SPEC, -lSPEC, --logs=SPEC	set log levels, see mg_log_set() in log.h;
 *					repeated flags add up (later items win)
 * A bad flag prints one line saying why and exits with status 64 (EX_USAGE).
 *
 * Callbacks run by the loop itself (timer callbacks, on_input, flush hooks) run outside
 * any fiber: they MUST NOT block (sleep, wait, join, yield); they may wake fibers, arm
 * timers and spawn fibers.
 */
#ifndef MORGANA_RUNTIME_H
#define MORGANA_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include <morgana/list.h>
#include <morgana/plat.h>

/* A deadline that never comes: wait without a timeout. */
#define MG_FOREVER UINT64_MAX

/* The boot information the platform handed to mg_runtime_start(); never NULL once the
 * runtime runs. */
const struct mg_plat_boot_info *mg_boot_info(void);

/* The monotonic clock in nanoseconds (mg_plat_clock_monotonic()). Deadlines are on this
 * clock. */
uint64_t mg_now_ns(void);

/*
 * Input dispatch: after each mg_plat_yield() that reports handle h ready, the loop calls
 * on_input(arg). The callback runs outside any fiber (see above) and is expected to read
 * what is waiting, or to wake a fiber that will. Readiness is level-triggered: if input
 * is left unread the callback runs again on the next pass.
 * Returns 0, -EINVAL (h >= MG_PLAT_HANDLE_MAX or on_input NULL) or -EBUSY (h is already
 * watched). mg_runtime_unwatch() stops the calls; unwatching an unwatched handle is a
 * no-op.
 */
int mg_runtime_watch(mg_plat_handle h, void (*on_input)(void *arg), void *arg);
void mg_runtime_unwatch(mg_plat_handle h);

/*
 * Flush hooks run once per loop pass, just before the loop blocks or polls, and once
 * when main returns. The caller owns the struct (no allocation) and MUST keep it alive
 * and not add it twice; hooks run in the order they were added.
 * mg_runtime_remove_flush_hook() removes an added hook (a no-op otherwise).
 */
struct mg_runtime_hook {
	struct mg_list link;
	void (*fn)(void *arg);
	void *arg;
};

void mg_runtime_add_flush_hook(struct mg_runtime_hook *h, void (*fn)(void *arg), void *arg);
void mg_runtime_remove_flush_hook(struct mg_runtime_hook *h);

/* What the heap holds now: the same question on every target. */
struct mg_mem_usage {
	size_t heap_used;	/* bytes in allocated blocks, allocator headers included */
	size_t heap_size;	/* bytes the heap manages; 0: unbounded (the unix target) */
	size_t allocations;	/* blocks allocated now; 0 on the unix target */
};

/*
 * Fill *u. On hvt and spt this is the guest allocator's own account (heap.h), so it
 * counts everything the application and the OS have allocated, within the memory given
 * with --mem; on the unix target it is the host C library's (mallinfo2()).
 */
void mg_mem_usage(struct mg_mem_usage *u);

/*
 * Command lines.
 *
 * mg_cmdline_split() splits cmdline into words by the sh-like rules of plat.h's
 * mg_plat_boot_info.cmdline: blanks (space, tab, newline) separate words; '...' is
 * literal; inside "..." a backslash escapes only " and \ (before anything else it is kept);
 * outside quotes a backslash makes the next character literal; quoted parts and unquoted
 * parts next to each other form one word, and '' or "" alone is an empty word.
 * On success *argv is one allocation (free it with free()) holding *argc words followed
 * by a NULL pointer. Returns 0, -EINVAL (unterminated quote or a trailing backslash),
 * -E2BIG (more than MG_CMDLINE_MAX_ARGS words or MG_CMDLINE_MAX_LEN bytes) or -ENOMEM.
 *
 * mg_cmdline_quote() is the inverse: it writes argv[0..argc) into buf as one
 * NUL-terminated line that mg_cmdline_split() turns back into the same words. Returns the
 * line's length without the NUL, or -ENOSPC if it does not fit in size bytes (buf then
 * holds a truncated, still NUL-terminated line when size > 0), or -EINVAL if argc < 0.
 */
#define MG_CMDLINE_MAX_ARGS 4096
#define MG_CMDLINE_MAX_LEN (1024 * 1024)

int mg_cmdline_split(const char *cmdline, int *argc, char ***argv);
int mg_cmdline_quote(char *buf, size_t size, int argc, char *const argv[]);

#endif /* MORGANA_RUNTIME_H */
