/* SPDX-License-Identifier: ISC */
/* Property: main gets argv[0] = the app name, then the arguments exactly as given on the
 * command line: spaces, empty words, quotes, and words that look like platform flags. */
#include <stdio.h>
#include <string.h>

static const char *const expected[] = {
	"argv", "one", "two words", "", "it's", "\"dq\"", "back\\slash", "--net:x=y", "--",
};
#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

int
main(int argc, char **argv)
{
	int bad = 0;

	if ((size_t)argc != N_EXPECTED) {
		printf("FAIL: argc is %d, expected %zu\n", argc, N_EXPECTED);
		bad = 1;
	}
	for (int i = 0; i < argc && (size_t)i < N_EXPECTED; i++) {
		if (strcmp(argv[i], expected[i]) != 0) {
			printf("FAIL: argv[%d] is [%s], expected [%s]\n", i, argv[i], expected[i]);
			bad = 1;
		}
	}
	if (argv[argc] != NULL) {
		printf("FAIL: argv[argc] is not NULL\n");
		bad = 1;
	}
	if (!bad)
		printf("argv ok\n");
	return bad;
}
