/* SPDX-License-Identifier: ISC */
/* Property: the allocator keeps every live block's contents intact and aligned through a
 * long random mix of malloc, calloc, realloc and free, from several fibers at once. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/fiber.h>
#include <morgana/random.h>

#define SLOTS 256
#define OPS 40000
#define MAX_SIZE 20000

struct slot {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static int
check(const struct slot *s)
{
	if ((uintptr_t)s->p % 16 != 0)
		return 1;
	for (size_t i = 0; i < s->size; i++)
		if (s->p[i] != s->fill)
			return 1;
	return 0;
}

static int
stress(void *arg)
{
	struct mg_rng rng;
	uint8_t seed[32] = { (uint8_t)(uintptr_t)arg };
	static struct slot slots_by_fiber[4][SLOTS];
	struct slot *slots = slots_by_fiber[(uintptr_t)arg];

	mg_rng_init(&rng, seed);
	for (int op = 0; op < OPS; op++) {
		struct slot *s = &slots[mg_rng_below(&rng, SLOTS)];
		size_t size = 1 + mg_rng_below(&rng, mg_rng_below(&rng, 8) == 0 ? MAX_SIZE : 200);
		if (s->p != NULL && check(s)) {
			printf("FAIL: block of %zu bytes corrupted or misaligned\n", s->size);
			return 1;
		}
		switch (mg_rng_below(&rng, 4)) {
		case 0:
			free(s->p);
			s->p = malloc(size);
			break;
		case 1:
			free(s->p);
			s->p = calloc(1, size);
			s->fill = 0;
			break;
		case 2: {
			unsigned char *q = realloc(s->p, size);
			if (q == NULL)
				break;
			if (s->p != NULL) {
				for (size_t i = 0; i < (s->size < size ? s->size : size); i++)
					if (q[i] != s->fill) {
						printf("FAIL: realloc lost contents\n");
						return 1;
					}
			}
			s->p = q;
			break;
		}
		default:
			free(s->p);
			s->p = NULL;
			continue;
		}
		if (s->p == NULL) {
			printf("FAIL: allocation of %zu bytes failed\n", size);
			return 1;
		}
		s->size = size;
		s->fill = (unsigned char)mg_rng_below(&rng, 256);
		memset(s->p, s->fill, size);
		if ((op & 255) == 0)
			mg_fiber_yield();
	}
	for (int i = 0; i < SLOTS; i++) {
		if (slots[i].p != NULL && check(&slots[i])) {
			printf("FAIL: block corrupted at the end\n");
			return 1;
		}
		free(slots[i].p);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct mg_fiber *fibers[4];
	int failures = 0;

	(void)argc;
	(void)argv;
	for (uintptr_t i = 0; i < 4; i++)
		if ((fibers[i] = mg_fiber_spawn("stress", stress, (void *)i, 0)) == NULL)
			return 1;
	for (int i = 0; i < 4; i++) {
		int status = 1;
		mg_fiber_join(fibers[i], &status);
		failures += status;
	}
	if (failures == 0)
		printf("malloc ok\n");
	return failures != 0;
}
