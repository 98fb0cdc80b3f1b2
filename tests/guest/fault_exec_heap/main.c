/* SPDX-License-Identifier: ISC */
/* Property: the heap is not executable. Jumping to instructions written into a malloc'd
 * buffer faults on the instruction fetch. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char **argv)
{
	static const uint8_t code[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };
	uint8_t *buf = malloc(sizeof(code));
	int (*fn)(void);

	(void)argc;
	(void)argv;
	if (buf == NULL) {
		printf("FAIL: no memory\n");
		return 1;
	}
	memcpy(buf, code, sizeof(code));
	fn = (int (*)(void))(uintptr_t)buf;
	printf("calling heap at %p\n", (void *)buf);
	printf("FAIL: heap ran and returned %d\n", fn());
	return 0;
}
