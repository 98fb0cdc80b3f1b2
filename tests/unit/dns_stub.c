/* SPDX-License-Identifier: ISC */
/*
 * The stub resolver's checks: random IDs from the caller's source, responses that are
 * not ours (ID, QR, question) told apart from malformed ones, TC, extended rcodes and
 * answers reached through CNAMEs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <morgana/dns.h>

static void
fixed_random(void *ctx, void *out, size_t len)
{
	memset(out, *(const uint8_t *)ctx, len);
}

static void
test_stub_query_has_the_callers_random_id_and_rd(void **state)
{
	struct mg_dns_stub_query q;
	uint8_t buf[512], seed = 0xab;
	size_t len;
	struct mg_dns_reader r;
	struct mg_dns_question qu;

	(void)state;
	assert_int_equal(mg_dns_stub_build(&q, "www.example.com", MG_DNS_T_AAAA, 1232,
					   fixed_random, &seed, buf, sizeof buf, &len), 0);
	assert_int_equal(q.id, 0xabab);
	assert_int_equal(mg_dns_reader_init(&r, buf, len), 0);
	assert_int_equal(r.hdr.id, 0xabab);
	assert_int_equal(r.hdr.flags, MG_DNS_F_RD);
	assert_int_equal(r.hdr.arcount, 1);
	assert_int_equal(mg_dns_read_question(&r, &qu), 0);
	assert_int_equal(qu.type, MG_DNS_T_AAAA);
	assert_memory_equal(qu.name, "\3www\7example\3com\0", 17);
	assert_int_equal(mg_dns_stub_build(&q, "a..b", 1, 0, fixed_random, &seed, buf,
					   sizeof buf, &len), -EINVAL);
	assert_int_equal(mg_dns_stub_build(&q, "a", 1, 100, fixed_random, &seed, buf,
					   sizeof buf, &len), -EINVAL);
	assert_int_equal(mg_dns_stub_build(&q, "a", 1, 0, fixed_random, &seed, buf, 15, &len),
			 -ENOSPC);
}

/* A response to q: header flags, then the question and answers given as raw bytes. */
static size_t
response(uint8_t *buf, uint16_t id, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ar,
	 const void *body, size_t len)
{
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = (uint8_t)(flags >> 8);
	buf[3] = (uint8_t)flags;
	buf[4] = 0, buf[5] = (uint8_t)qd;
	buf[6] = 0, buf[7] = (uint8_t)an;
	buf[8] = 0, buf[9] = 0;
	buf[10] = 0, buf[11] = (uint8_t)ar;
	memcpy(buf + 12, body, len);
	return 12 + len;
}

#define QUESTION "\3www\7example\3com\0\0\1\0\1"
#define CNAME_RR "\xc0\x0c\0\5\0\1\0\0\0\x3c\0\6\3web\xc0\x10"
#define A_RR(last) "\3web\xc0\x10\0\1\0\1\0\0\0\x3c\0\4\xc0\0\2" last

static void
test_stub_tells_foreign_responses_from_malformed_ones(void **state)
{
	struct mg_dns_stub_query q;
	uint8_t buf[512], seed = 1;
	size_t len;
	unsigned rcode;

	(void)state;
	assert_int_equal(mg_dns_stub_build(&q, "www.example.com.", MG_DNS_T_A, 0, fixed_random,
					   &seed, buf, sizeof buf, &len), 0);
	len = response(buf, 0x0101, 0x8180, 1, 0, 0, QUESTION, 21);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), 0);
	assert_int_equal(rcode, 0);
	len = response(buf, 0x0102, 0x8180, 1, 0, 0, QUESTION, 21);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), -ESRCH);	/* ID */
	len = response(buf, 0x0101, 0x0100, 1, 0, 0, QUESTION, 21);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), -ESRCH);	/* not QR */
	len = response(buf, 0x0101, 0x8180, 1, 0, 0, "\3www\7example\3org\0\0\1\0\1", 21);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), -ESRCH);	/* question */
	len = response(buf, 0x0101, 0x8180, 1, 0, 0, "\3WWW\7example\3COM\0\0\1\0\1", 21);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), 0);	/* case is free */
	len = response(buf, 0x0101, 0x8180, 1, 1, 0, QUESTION, 21);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), -EBADMSG);	/* counts */
	assert_int_equal(mg_dns_stub_check(&q, buf, 11, &rcode), -EBADMSG);
	len = response(buf, 0x0101, 0x8380, 1, 0, 0, QUESTION, 21);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), MG_DNS_STUB_TRUNCATED);
	len = response(buf, 0x0101, 0x8183, 1, 0, 0, QUESTION, 21);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), 0);
	assert_int_equal(rcode, MG_DNS_R_NXDOMAIN);
	len = response(buf, 0x0101, 0x8181, 0, 0, 0, "", 0);	/* FORMERR, no question */
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), 0);
	assert_int_equal(rcode, MG_DNS_R_FORMERR);
	/* BADVERS: 1 in the OPT's extended rcode, 0 in the header. */
	len = response(buf, 0x0101, 0x8180, 1, 0, 1, QUESTION "\0\0\x29\x04\xd0\1\0\0\0\0\0", 32);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), 0);
	assert_int_equal(rcode, MG_DNS_R_BADVERS);
}

static void
test_stub_answers_follow_cnames(void **state)
{
	struct mg_dns_stub_query q;
	uint8_t buf[512], rdata[64], seed = 1;
	size_t len, rdlen;
	uint32_t ttl;
	unsigned rcode;

	(void)state;
	mg_dns_stub_build(&q, "www.example.com", MG_DNS_T_A, 0, fixed_random, &seed, buf,
			  sizeof buf, &len);
	len = response(buf, 0x0101, 0x8180, 1, 3, 0, QUESTION CNAME_RR A_RR("\1") A_RR("\2"),
		       21 + 18 + 2 * 20);
	assert_int_equal(mg_dns_stub_check(&q, buf, len, &rcode), 0);
	assert_int_equal(mg_dns_stub_answer(&q, buf, len, 0, &ttl, rdata, sizeof rdata, &rdlen),
			 0);
	assert_int_equal(rdlen, 4);
	assert_int_equal(ttl, 60);
	assert_memory_equal(rdata, "\xc0\0\2\1", 4);
	assert_int_equal(mg_dns_stub_answer(&q, buf, len, 1, &ttl, rdata, sizeof rdata, &rdlen),
			 0);
	assert_memory_equal(rdata, "\xc0\0\2\2", 4);
	assert_int_equal(mg_dns_stub_answer(&q, buf, len, 2, &ttl, rdata, sizeof rdata, &rdlen),
			 -ENOENT);
	/* A CNAME whose target has no A: nothing to give. */
	len = response(buf, 0x0101, 0x8180, 1, 1, 0, QUESTION CNAME_RR, 21 + 18);
	assert_int_equal(mg_dns_stub_answer(&q, buf, len, 0, &ttl, rdata, sizeof rdata, &rdlen),
			 -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stub_query_has_the_callers_random_id_and_rd),
		cmocka_unit_test(test_stub_tells_foreign_responses_from_malformed_ones),
		cmocka_unit_test(test_stub_answers_follow_cnames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
