/* SPDX-License-Identifier: ISC */
/*
 * loop.c -- boot (mg_runtime_start) and the event loop.
 *
 * The loop is the only place that blocks: it runs timers and ready fibers, lets the
 * flush hooks send what was batched, then asks the platform to wait for input or the
 * next timer, and hands input to whoever watches the device.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/fiber.h>
#include <morgana/log.h>
#include <morgana/panic.h>
#include <morgana/plat.h>
#include <morgana/runtime.h>

#include "internal.h"

#define EX_USAGE 64

struct watch {
	void (*on_input)(void *arg);
	void *arg;
};

static struct {
	const struct mg_plat_boot_info *info;
	const char *app_name;
	struct watch watch[MG_PLAT_HANDLE_MAX];
	mg_plat_handle_set watched;
	struct mg_list hooks;
	int (*app_main)(int argc, char **argv);
	int argc;
	char **argv;
} rt = {
	.hooks = MG_LIST_INIT(rt.hooks),
};

const struct mg_plat_boot_info *
mg_boot_info(void)
{
	return rt.info;
}

uint64_t
mg_now_ns(void)
{
	return mg_plat_clock_monotonic();
}

int
mg_runtime_watch(mg_plat_handle h, void (*on_input)(void *arg), void *arg)
{
	if (h >= MG_PLAT_HANDLE_MAX || on_input == NULL)
		return -EINVAL;
	if (rt.watched & (1ull << h))
		return -EBUSY;
	rt.watch[h].on_input = on_input;
	rt.watch[h].arg = arg;
	rt.watched |= 1ull << h;
	return 0;
}

void
mg_runtime_unwatch(mg_plat_handle h)
{
	if (h >= MG_PLAT_HANDLE_MAX)
		return;
	rt.watched &= ~(1ull << h);
	rt.watch[h].on_input = NULL;
	rt.watch[h].arg = NULL;
}

void
mg_runtime_add_flush_hook(struct mg_runtime_hook *h, void (*fn)(void *arg), void *arg)
{
	h->fn = fn;
	h->arg = arg;
	mg_list_push_back(&rt.hooks, &h->link);
}

void
mg_runtime_remove_flush_hook(struct mg_runtime_hook *h)
{
	if (h->link.next != NULL)
		mg_list_remove(&h->link);
}

/* A hook may remove itself or add others while running. */
static void
run_flush_hooks(void)
{
	struct mg_list *node, *tmp;

	mg_list_for_each_safe(node, tmp, &rt.hooks) {
		struct mg_runtime_hook *h = mg_container_of(node, struct mg_runtime_hook, link);

		h->fn(h->arg);
	}
}

static void
dispatch_input(mg_plat_handle_set ready)
{
	ready &= rt.watched;
	while (ready != 0) {
		unsigned h = (unsigned)__builtin_ctzll(ready);

		ready &= ready - 1;
		/* An earlier callback may have unwatched h. */
		if (rt.watched & (1ull << h))
			rt.watch[h].on_input(rt.watch[h].arg);
	}
}

static _Noreturn void usage_exit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on the console, then exit with EX_USAGE. */
static _Noreturn void
usage_exit(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n = snprintf(line, sizeof(line), "%s: ", rt.app_name);

	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	mg_plat_console_write(line, (size_t)n);
	mg_plat_exit(EX_USAGE);
}

/*
 * Take the runtime's flags (-l SPEC, -lSPEC, --logs=SPEC) out of argv, in place, up to a
 * "--", which stays for the application. Repeated -l flags add up, later ones winning.
 */
static void
consume_runtime_flags(int *argc, char **argv)
{
	int out = 1, i;

	for (i = 1; i < *argc; i++) {
		const char *arg = argv[i], *spec;

		if (strcmp(arg, "--") == 0)
			break;
		if (strcmp(arg, "-l") == 0) {
			if (i + 1 >= *argc)
				usage_exit("-l needs a log spec, e.g. -l debug or -l tcp:debug");
			spec = argv[++i];
		} else if (strncmp(arg, "-l", 2) == 0) {
			spec = arg + 2;
		} else if (strncmp(arg, "--logs=", 7) == 0) {
			spec = arg + 7;
		} else {
			argv[out++] = argv[i];
			continue;
		}
		if (mg_rt_log_add(spec) != 0)
			usage_exit("bad log spec '%.64s': %s", spec, mg_log_spec_error());
	}
	while (i < *argc)
		argv[out++] = argv[i++];
	argv[out] = NULL;
	*argc = out;
}

static int
main_fiber(void *arg)
{
	(void)arg;
	return rt.app_main(rt.argc, rt.argv);
}

static void
runtime_reset(const struct mg_plat_boot_info *info, void *boot_frame)
{
	rt.info = info;
	rt.app_name = info->manifest != NULL && info->manifest->app_name[0] != '\0'
		? info->manifest->app_name : "morgana";
	memset(rt.watch, 0, sizeof(rt.watch));
	rt.watched = 0;
	mg_list_init(&rt.hooks);
	free(rt.argv);
	rt.argv = NULL;
	mg_rt_panic_reset();
	mg_rt_timers_reset();
	mg_rt_fibers_reset(boot_frame);
	mg_rt_log_reset(mg_now_ns());
	mg_rt_random_seed(info->seed, info->cpu_features);
}

static _Noreturn void
deadlock(void)
{
	char who[256];

	mg_rt_fibers_describe_blocked(who, sizeof(who));
	mg_panic("deadlock: every fiber is blocked and no timer or input can wake one: %s",
		 who);
}

static _Noreturn void
run_loop(const struct mg_fiber *main_f)
{
	for (;;) {
		mg_plat_handle_set ready = 0;
		uint64_t deadline;
		bool more;
		int status;

		mg_rt_timers_run(mg_now_ns());
		more = mg_rt_fibers_run_pass(main_f);
		run_flush_hooks();
		if (mg_rt_fiber_done(main_f, &status))
			mg_plat_exit(status);
		if (more) {
			/* Poll without blocking, and only if there is input to poll for: a
			 * pass of yielding fibers should not cost a VM exit. */
			if (rt.watched == 0)
				continue;
			deadline = 0;
		} else if (!mg_rt_timers_next(&deadline)) {
			if (rt.watched == 0)
				deadlock();
			deadline = MG_FOREVER;
		}
		mg_plat_yield(deadline, &ready);
		dispatch_input(ready);
	}
}

_Noreturn void
mg_runtime_start(const struct mg_plat_boot_info *info, int (*app_main)(int argc, char **argv))
{
	struct mg_fiber *main_f;
	int err;

	runtime_reset(info, __builtin_frame_address(0));
	rt.app_main = app_main;
	err = mg_rt_cmdline_split(rt.app_name, info->cmdline, &rt.argc, &rt.argv);
	if (err == -ENOMEM)
		mg_panic("out of memory splitting the command line");
	if (err != 0)
		usage_exit("bad command line: %s", err == -E2BIG
			   ? "too many or too long arguments"
			   : "unterminated quote or trailing backslash");
	consume_runtime_flags(&rt.argc, rt.argv);
	main_f = mg_rt_fiber_spawn_main(main_fiber, NULL, (void *)info->main_stack,
					 info->main_stack_size);
	if (main_f == NULL)
		mg_panic("out of memory for the main fiber's stack");
	run_loop(main_f);
}
