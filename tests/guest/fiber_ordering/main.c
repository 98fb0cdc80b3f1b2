/* SPDX-License-Identifier: ISC */
/* Property: fibers are scheduled first-in first-out: spawned fibers run in spawn order,
 * mg_fiber_yield() lets every other ready fiber run once before the caller continues,
 * and join returns each fiber's status. */
#include <stdio.h>
#include <string.h>

#include <morgana/fiber.h>

#define ROUNDS 3

static char trace[64];
static size_t trace_len;

static int
worker(void *arg)
{
	char tag = *(const char *)arg;
	for (int i = 0; i < ROUNDS; i++) {
		trace[trace_len++] = tag;
		mg_fiber_yield();
	}
	return tag;
}

int
main(int argc, char **argv)
{
	static char tags[] = "abc";
	struct mg_fiber *fibers[3];

	(void)argc;
	(void)argv;
	for (int i = 0; i < 3; i++)
		if ((fibers[i] = mg_fiber_spawn("worker", worker, (void *)&tags[i], 0)) == NULL)
			return 1;
	trace[trace_len++] = 'M';
	mg_fiber_yield();
	trace[trace_len++] = 'M';
	for (int i = 0; i < 3; i++) {
		int status = -1;
		if (mg_fiber_join(fibers[i], &status) != 0 || status != tags[i]) {
			printf("FAIL: fiber %c joined with status %d\n", tags[i], status);
			return 1;
		}
	}
	static const char want[] = "MabcMabcabc";
	if (trace_len != strlen(want) || memcmp(trace, want, trace_len) != 0) {
		printf("FAIL: order %.*s, expected %s\n", (int)trace_len, trace, want);
		return 1;
	}
	printf("order ok: %.*s\n", (int)trace_len, trace);
	return 0;
}
