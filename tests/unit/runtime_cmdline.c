/* SPDX-License-Identifier: ISC */
/*
 * runtime_cmdline.c -- command-line splitting and quoting: the rules, the errors, the
 * bounds, and split(quote(argv)) == argv for thousands of random argument vectors.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/random.h>
#include <morgana/runtime.h>

#include "../../runtime/internal.h"

static void
expect_split(const char *line, int want_argc, const char *const *want)
{
	char **argv = NULL;
	int argc = -1;

	assert_int_equal(mg_cmdline_split(line, &argc, &argv), 0);
	assert_int_equal(argc, want_argc);
	for (int i = 0; i < argc; i++)
		assert_string_equal(argv[i], want[i]);
	assert_null(argv[argc]);
	free(argv);
}

static void
blanks_separate_words_and_quotes_join_them(void **state)
{
	static const char *const empty[] = { NULL };
	static const char *const simple[] = { "a", "bc", "d" };
	static const char *const quotes[] = { "two words", "", "it's", "\"dq\"", "abc" };
	static const char *const guest[] = {
		"one", "two words", "", "it's", "\"dq\"", "back\\slash", "--net:x=y", "--",
	};

	(void)state;
	expect_split("", 0, empty);
	expect_split(" \t\n ", 0, empty);
	expect_split(NULL, 0, empty);
	expect_split("  a\tbc\n d  ", 3, simple);
	expect_split("'two words' \"\" \"it's\" '\"dq\"' a'b'\"c\"", 5, quotes);
	expect_split("one \"two words\" '' \"it's\" '\"dq\"' 'back\\slash' --net:x=y --", 8,
		     guest);
}

static void
backslashes_escape_outside_quotes_and_only_quote_or_backslash_in_double_quotes(void **state)
{
	static const char *const out[] = { "a b", "'", "x\"y\\z\\n", "\\q", "lit\\" };

	(void)state;
	expect_split("a\\ b \\' \"x\\\"y\\\\z\\n\" '\\q' \"lit\\\\\"", 5, out);
}

static void
unterminated_quotes_and_a_trailing_backslash_are_refused(void **state)
{
	static const char *const bad[] = { "'abc", "a \"abc", "a\\", "\"a\\\"", "ok 'x' 'y" };
	char **argv = NULL;
	int argc = -1;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(mg_cmdline_split(bad[i], &argc, &argv), -EINVAL);
		assert_null(argv);
		assert_int_equal(argc, -1);
	}
}

static void
too_many_words_or_too_long_a_line_is_refused(void **state)
{
	size_t len = 2 * (MG_CMDLINE_MAX_ARGS + 1);
	char *line = malloc(MG_CMDLINE_MAX_LEN + 2);
	char **argv = NULL;
	int argc = 0;

	(void)state;
	assert_non_null(line);
	for (size_t i = 0; i < len; i += 2) {
		line[i] = 'x';
		line[i + 1] = ' ';
	}
	line[len] = '\0';
	assert_int_equal(mg_cmdline_split(line, &argc, &argv), -E2BIG);
	line[len - 2] = '\0';	/* exactly MG_CMDLINE_MAX_ARGS words */
	assert_int_equal(mg_cmdline_split(line, &argc, &argv), 0);
	assert_int_equal(argc, MG_CMDLINE_MAX_ARGS);
	free(argv);
	memset(line, 'y', MG_CMDLINE_MAX_LEN + 1);
	line[MG_CMDLINE_MAX_LEN + 1] = '\0';
	assert_int_equal(mg_cmdline_split(line, &argc, &argv), -E2BIG);
	free(line);
}

static void
the_runtime_puts_the_app_name_first(void **state)
{
	char **argv = NULL;
	int argc = 0;

	(void)state;
	assert_int_equal(mg_rt_cmdline_split("app", "x 'y z'", &argc, &argv), 0);
	assert_int_equal(argc, 3);
	assert_string_equal(argv[0], "app");
	assert_string_equal(argv[1], "x");
	assert_string_equal(argv[2], "y z");
	assert_null(argv[3]);
	free(argv);
}

static void
quote_leaves_plain_words_alone_and_single_quotes_the_rest(void **state)
{
	char *const argv[] = { "plain-1.0_x=y:z,@%+/", "two words", "", "it's", "$HOME" };
	char buf[128];

	(void)state;
	assert_int_equal(mg_cmdline_quote(buf, sizeof(buf), 5, argv),
			 (int)strlen("plain-1.0_x=y:z,@%+/ 'two words' '' 'it'\\''s' '$HOME'"));
	assert_string_equal(buf, "plain-1.0_x=y:z,@%+/ 'two words' '' 'it'\\''s' '$HOME'");
	assert_int_equal(mg_cmdline_quote(buf, sizeof(buf), 0, argv), 0);
	assert_string_equal(buf, "");
	assert_int_equal(mg_cmdline_quote(buf, sizeof(buf), -1, argv), -EINVAL);
}

static void
quote_reports_no_space_and_still_terminates_the_buffer(void **state)
{
	char *const argv[] = { "abc", "def" };
	char buf[8];

	(void)state;
	assert_int_equal(mg_cmdline_quote(buf, 8, 2, argv), 7);	/* "abc def" + NUL fits */
	assert_string_equal(buf, "abc def");
	assert_int_equal(mg_cmdline_quote(buf, 7, 2, argv), -ENOSPC);
	assert_string_equal(buf, "abc de");
	assert_int_equal(mg_cmdline_quote(buf, 1, 2, argv), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(mg_cmdline_quote(NULL, 0, 2, argv), -ENOSPC);
}

/* Random words of random bytes 1..255, mostly the ones the quoting rules care about. */
static void
random_word(struct mg_rng *rng, char *w, size_t max)
{
	static const char special[] = " \t\n'\"\\$`*?~#;&|<>(){}[]!";
	size_t len = mg_rng_below(rng, (uint32_t)max);

	for (size_t i = 0; i < len; i++) {
		switch (mg_rng_below(rng, 3)) {
		case 0:
			w[i] = special[mg_rng_below(rng, sizeof(special) - 1)];
			break;
		case 1:
			w[i] = (char)('a' + mg_rng_below(rng, 26));
			break;
		default:
			w[i] = (char)(1 + mg_rng_below(rng, 255));
			break;
		}
	}
	w[len] = '\0';
}

static void
split_of_quote_gives_back_thousands_of_random_argument_vectors(void **state)
{
	enum { VECTORS = 5000, MAX_ARGS = 10, MAX_WORD = 24 };
	static char words[MAX_ARGS][MAX_WORD + 1];
	char *in[MAX_ARGS], line[MAX_ARGS * (4 * MAX_WORD + 3) + 1];
	uint8_t seed[32] = { 0xc0, 0xde };
	struct mg_rng rng;

	(void)state;
	mg_rng_init(&rng, seed);
	for (int v = 0; v < VECTORS; v++) {
		int n = (int)mg_rng_below(&rng, MAX_ARGS + 1), argc = -1, len;
		char **out = NULL;

		for (int i = 0; i < n; i++) {
			random_word(&rng, words[i], MAX_WORD + 1);
			in[i] = words[i];
		}
		len = mg_cmdline_quote(line, sizeof(line), n, in);
		assert_true(len >= 0);
		assert_int_equal((size_t)len, strlen(line));
		assert_int_equal(mg_cmdline_split(line, &argc, &out), 0);
		assert_int_equal(argc, n);
		for (int i = 0; i < n; i++)
			assert_string_equal(out[i], in[i]);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blanks_separate_words_and_quotes_join_them),
		cmocka_unit_test(
			backslashes_escape_outside_quotes_and_only_quote_or_backslash_in_double_quotes),
		cmocka_unit_test(unterminated_quotes_and_a_trailing_backslash_are_refused),
		cmocka_unit_test(too_many_words_or_too_long_a_line_is_refused),
		cmocka_unit_test(the_runtime_puts_the_app_name_first),
		cmocka_unit_test(quote_leaves_plain_words_alone_and_single_quotes_the_rest),
		cmocka_unit_test(quote_reports_no_space_and_still_terminates_the_buffer),
		cmocka_unit_test(split_of_quote_gives_back_thousands_of_random_argument_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
