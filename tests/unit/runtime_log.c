/* SPDX-License-Identifier: ISC */
/*
 * runtime_log.c -- log specs (parsing, errors, per-source levels) and the line format.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/log.h>

#include "../../runtime/internal.h"
#include "fake_plat.h"

MG_LOG_SOURCE(tcp_log, "tcp");
MG_LOG_SOURCE(udp_log, "udp");
MG_LOG_SOURCE(late_log, "late");

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	mg_rt_log_reset(fake_clock_ns);
	return 0;
}

static void
info_is_the_default_level(void **state)
{
	(void)state;
	mg_log_debug(&tcp_log, "hidden %d", 1);
	mg_log_info(&tcp_log, "shown %d", 2);
	mg_log_warn(&tcp_log, "shown %d", 3);
	mg_log_error(&tcp_log, "shown %d", 4);
	assert_null(strstr(fake_console(), "hidden"));
	assert_non_null(strstr(fake_console(), "shown 2"));
	assert_non_null(strstr(fake_console(), "shown 3"));
	assert_non_null(strstr(fake_console(), "shown 4"));
}

static void
a_line_has_seconds_since_start_level_and_source(void **state)
{
	(void)state;
	fake_clock_ns += 12345678901ull;
	mg_log_info(&tcp_log, "hello %s", "world");
	mg_log_warn(&udp_log, "w");
	mg_log_error(&udp_log, "e");
	mg_log_set("debug");
	mg_log_debug(&udp_log, "d");
	assert_string_equal(fake_console(),
			    "[   12.345678] INFO  tcp: hello world\n"
			    "[   12.345678] WARN  udp: w\n"
			    "[   12.345678] ERROR udp: e\n"
			    "[   12.345678] DEBUG udp: d\n");
}

static void
a_long_message_is_cut_to_one_bounded_line_ending_in_dots(void **state)
{
	char big[2 * MG_LOG_LINE_MAX];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mg_log_info(&tcp_log, "%s", big);
	assert_int_equal(fake_console_len(), MG_LOG_LINE_MAX);
	assert_memory_equal(fake_console() + MG_LOG_LINE_MAX - 4, "...\n", 4);
}

static void
per_source_levels_win_over_the_default_wherever_they_stand(void **state)
{
	static const char *const specs[] = { "*:info,tcp:debug", "tcp:debug,info",
					     "tcp:debug,*:info", "warn,tcp:debug,info" };

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		assert_int_equal(mg_log_set(specs[i]), 0);
		assert_true(mg_log_enabled(&tcp_log, MG_LOG_DEBUG));
		assert_false(mg_log_enabled(&udp_log, MG_LOG_DEBUG));
		assert_true(mg_log_enabled(&udp_log, MG_LOG_INFO));
	}
	assert_int_equal(mg_log_set("tcp:error,tcp:warn,udp:error"), 0);
	assert_true(mg_log_enabled(&tcp_log, MG_LOG_WARN));	/* later item wins */
	assert_false(mg_log_enabled(&tcp_log, MG_LOG_INFO));
	assert_false(mg_log_enabled(&udp_log, MG_LOG_WARN));
	assert_true(mg_log_enabled(&udp_log, MG_LOG_ERROR));
	assert_int_equal(mg_log_set("warning"), 0);
	assert_false(mg_log_enabled(&tcp_log, MG_LOG_INFO));
	assert_true(mg_log_enabled(&tcp_log, MG_LOG_WARN));
}

static void
a_source_logging_for_the_first_time_sees_the_current_spec(void **state)
{
	(void)state;
	assert_int_equal(mg_log_set("late:error"), 0);
	mg_log_warn(&late_log, "not shown");	/* resolves now */
	assert_int_equal(fake_console_len(), 0);
	assert_int_equal(mg_log_set("late:debug"), 0);	/* re-resolves the known source */
	mg_log_debug(&late_log, "shown");
	assert_non_null(strstr(fake_console(), "DEBUG late: shown"));
}

static int evaluated;

static int
side_effect(void)
{
	return ++evaluated;
}

static void
arguments_of_a_disabled_message_are_not_evaluated(void **state)
{
	(void)state;
	evaluated = 0;
	mg_log_info(&tcp_log, "resolve the source");
	mg_log_debug(&tcp_log, "%d", side_effect());
	assert_int_equal(evaluated, 0);
	mg_log_info(&tcp_log, "%d", side_effect());
	assert_int_equal(evaluated, 1);
}

static void
malformed_specs_are_refused_with_a_reason_and_change_nothing(void **state)
{
	static const struct {
		const char *spec;
		const char *why;
	} bad[] = {
		{ "", "empty spec" },
		{ "loud", "unknown level in 'loud'" },
		{ "tcp:", "unknown level in 'tcp:'" },
		{ ":debug", "bad source name" },
		{ "tcp:loud", "unknown level in 'tcp:loud'" },
		{ "t p:debug", "bad source name" },
		{ "tcp:debug,", "empty item" },
		{ ",debug", "empty item" },
		{ "debug,,info", "empty item" },
		{ "a:b:debug", "unknown level" },
		{ "Debug", "unknown level" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:debug", "bad source name" },
	};

	(void)state;
	assert_int_equal(mg_log_set("tcp:debug"), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(mg_log_set(bad[i].spec), -EINVAL);
		assert_non_null(strstr(mg_log_spec_error(), bad[i].why));
		assert_true(mg_log_enabled(&tcp_log, MG_LOG_DEBUG));
	}
	assert_int_equal(mg_log_set(NULL), -EINVAL);
}

static void
a_spec_holds_a_bounded_number_of_sources(void **state)
{
	char spec[MG_LOG_MAX_RULES * 16 + 16];
	size_t len = 0;

	(void)state;
	for (int i = 0; i < MG_LOG_MAX_RULES; i++)
		len += (size_t)snprintf(spec + len, sizeof(spec) - len, "s%d:debug,", i);
	spec[len - 1] = '\0';
	assert_int_equal(mg_log_set(spec), 0);
	snprintf(spec + len - 1, sizeof(spec) - len + 1, ",extra:debug");
	assert_int_equal(mg_log_set(spec), -EINVAL);
	assert_non_null(strstr(mg_log_spec_error(), "too many sources"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(info_is_the_default_level, setup),
		cmocka_unit_test_setup(a_line_has_seconds_since_start_level_and_source, setup),
		cmocka_unit_test_setup(a_long_message_is_cut_to_one_bounded_line_ending_in_dots,
				       setup),
		cmocka_unit_test_setup(per_source_levels_win_over_the_default_wherever_they_stand,
				       setup),
		cmocka_unit_test_setup(a_source_logging_for_the_first_time_sees_the_current_spec,
				       setup),
		cmocka_unit_test_setup(arguments_of_a_disabled_message_are_not_evaluated, setup),
		cmocka_unit_test_setup(malformed_specs_are_refused_with_a_reason_and_change_nothing,
				       setup),
		cmocka_unit_test_setup(a_spec_holds_a_bounded_number_of_sources, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
