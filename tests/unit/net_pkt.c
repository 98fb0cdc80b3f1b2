/* SPDX-License-Identifier: ISC */
/* net_pkt.c -- packet buffers and pools; the stack's flag parsing and address text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <morgana/net.h>
#include <morgana/pkt.h>

static void
push_pull_put_stay_inside_the_buffer(void **state)
{
	struct mg_pkt_pool pool;
	struct mg_pkt *p;

	(void)state;
	assert_int_equal(mg_pkt_pool_init(&pool, 1, 256), 0);
	p = mg_pkt_alloc(&pool, 64);
	assert_non_null(p);
	assert_int_equal(mg_pkt_headroom(p), 64);
	assert_int_equal(mg_pkt_tailroom(p), 256 - 64);
	assert_non_null(mg_pkt_put(p, 100));
	assert_int_equal(p->len, 100);
	assert_null(mg_pkt_put(p, 93));		/* 92 left */
	assert_non_null(mg_pkt_put(p, 92));
	assert_non_null(mg_pkt_push(p, 64));
	assert_null(mg_pkt_push(p, 1));
	assert_int_equal(p->len, 256);
	assert_null(mg_pkt_pull(p, 257));
	assert_ptr_equal(mg_pkt_pull(p, 14), p->buf + 14);
	mg_pkt_trim(p, 10);
	assert_int_equal(p->len, 10);
	mg_pkt_trim(p, 20);
	assert_int_equal(p->len, 10);
	mg_pkt_free(p);
	mg_pkt_pool_fini(&pool);
}

static void
an_empty_pool_returns_null_and_counts(void **state)
{
	struct mg_pkt_pool pool;
	struct mg_pkt *a, *b;

	(void)state;
	assert_int_equal(mg_pkt_pool_init(&pool, 2, 128), 0);
	a = mg_pkt_alloc(&pool, 0);
	b = mg_pkt_alloc(&pool, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(mg_pkt_alloc(&pool, 0));
	assert_null(mg_pkt_alloc(&pool, 0));
	assert_int_equal(pool.alloc_failures, 2);
	assert_int_equal(pool.in_use, 2);
	mg_pkt_free(a);
	assert_non_null(a = mg_pkt_alloc(&pool, 0));
	assert_null(mg_pkt_alloc(&pool, 4096));	/* headroom beyond the buffer */
	mg_pkt_free(a);
	mg_pkt_free(b);
	assert_int_equal(pool.in_use, 0);
	assert_int_equal(pool.in_use_max, 2);
	mg_pkt_pool_fini(&pool);
	assert_int_equal(mg_pkt_pool_init(&pool, 0, 128), -EINVAL);
	assert_int_equal(mg_pkt_pool_init(&pool, 1, MG_PKT_BUF_MAX + 1), -EINVAL);
}

static void
ipv4_addresses_parse_strictly(void **state)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01.2.3.4", "1..3.4",
		"1.2.3.4 ", " 1.2.3.4", "a.b.c.d", "1.2.3.4/24", "99999999999.1.1.1",
	};
	uint32_t a;
	char text[16];

	(void)state;
	assert_int_equal(mg_ipv4_addr_parse("10.0.0.2", &a), 0);
	assert_int_equal(a, 0x0a000002);
	assert_int_equal(mg_ipv4_addr_parse("255.255.255.0", &a), 0);
	assert_int_equal(a, 0xffffff00);
	assert_int_equal(mg_ipv4_addr_parse("0.0.0.0", &a), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mg_ipv4_addr_parse(bad[i], &a), -EINVAL);
	assert_string_equal(mg_ipv4_addr_format(0xc0a80001, text), "192.168.0.1");
	assert_string_equal(mg_ipv4_addr_format(0xffffffff, text), "255.255.255.255");
}

static void
net_flags_are_taken_out_of_argv(void **state)
{
	char *argv[] = { "app", "-x", "--ipv4=10.0.0.2/24", "keep", "--ipv4-gateway",
			 "10.0.0.1", "--", "--ipv4=1.2.3.4/8", NULL };
	int argc = 8;
	struct mg_net_config cfg = { 0 };
	char why[128];

	(void)state;
	assert_int_equal(mg_net_config_from_args(&argc, argv, &cfg, why, sizeof(why)), 0);
	assert_int_equal(cfg.addr, 0x0a000002);
	assert_int_equal(cfg.prefix_len, 24);
	assert_int_equal(cfg.gateway, 0x0a000001);
	assert_int_equal(argc, 5);
	assert_string_equal(argv[1], "-x");
	assert_string_equal(argv[2], "keep");
	assert_string_equal(argv[3], "--");
	assert_string_equal(argv[4], "--ipv4=1.2.3.4/8");	/* after "--": the app's */
	assert_null(argv[5]);
}

static void
bad_net_flags_are_refused_with_a_reason(void **state)
{
	static const struct {
		const char *flag, *reason;
	} cases[] = {
		{ "--ipv4=10.0.0.2", "ADDRESS/PREFIX" },
		{ "--ipv4=10.0.0.2/33", "ADDRESS/PREFIX" },
		{ "--ipv4=10.0.0.256/24", "ADDRESS/PREFIX" },
		{ "--ipv4=10.0.0.0/24", "network" },
		{ "--ipv4=10.0.0.255/24", "broadcast" },
		{ "--ipv4=224.0.0.1/4", "cannot be a host" },
		{ "--ipv4=127.0.0.1/8", "cannot be a host" },
		{ "--ipv4-gateway=10.0.1.1", "not in the subnet" },
		{ "--ipv4-gateway=10.0.0.2", "our own address" },
		{ "--ipv4-gateway=x", "not an IPv4 address" },
		{ "--ipv4", "needs ADDRESS/PREFIX" },
	};
	char why[160];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char flag[64];
		char *argv[] = { "app", "--ipv4=10.0.0.2/24", flag, NULL };
		int argc = 3;
		struct mg_net_config cfg = { 0 };

		snprintf(flag, sizeof(flag), "%s", cases[i].flag);

		if (strncmp(cases[i].flag, "--ipv4=", 7) == 0 || strcmp(cases[i].flag,
		    "--ipv4") == 0) {
			argv[1] = flag;
			argv[2] = NULL;
			argc = 2;
		}
		why[0] = '\0';
		assert_int_equal(mg_net_config_from_args(&argc, argv, &cfg, why, sizeof(why)),
				 -EINVAL);
		if (strstr(why, cases[i].reason) == NULL)
			fail_msg("%s: reason '%s' lacks '%s'", cases[i].flag, why,
				 cases[i].reason);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(push_pull_put_stay_inside_the_buffer),
		cmocka_unit_test(an_empty_pool_returns_null_and_counts),
		cmocka_unit_test(ipv4_addresses_parse_strictly),
		cmocka_unit_test(net_flags_are_taken_out_of_argv),
		cmocka_unit_test(bad_net_flags_are_refused_with_a_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
