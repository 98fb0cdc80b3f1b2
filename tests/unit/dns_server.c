/* SPDX-License-Identifier: ISC */
/*
 * The authoritative engine, driven with queries from the stub resolver's builder and
 * checked with the stub's checks: every rule of docs/dns.md, malformed queries (never a
 * crash: a response or a counted drop), a 10,000-name zone and multi-message AXFR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <morgana/dns.h>

static const char zone_text[] =
	"$TTL 3600\n"
	"@ SOA ns1 hm 1 7200 1800 1209600 300\n"
	"  NS ns1\n"
	"  MX 10 mail\n"
	"  A 192.0.2.1\n"
	"ns1 A 192.0.2.53\n"
	"mail A 192.0.2.25\n"
	"www A 192.0.2.80\n"
	"alias CNAME www\n"
	"alias2 CNAME alias\n"
	"loop1 CNAME loop2\n"
	"loop2 CNAME loop1\n"
	"away CNAME www.example.net.\n"
	"*.wild A 192.0.2.99\n"
	"host.wild TXT \"h\"\n"
	"a.b.ent A 192.0.2.101\n"
	"sub NS ns.sub\n"
	"ns.sub A 192.0.2.200\n"
	"big TXT \"" "0123456789012345678901234567890123456789012345678901234567890123456789"
	"012345678901234567890123456789\"\n"
	"big TXT \"1123456789012345678901234567890123456789012345678901234567890123456789"
	"012345678901234567890123456789\"\n"
	"big TXT \"2123456789012345678901234567890123456789012345678901234567890123456789"
	"012345678901234567890123456789\"\n"
	"big TXT \"3123456789012345678901234567890123456789012345678901234567890123456789"
	"012345678901234567890123456789\"\n"
	"big TXT \"4123456789012345678901234567890123456789012345678901234567890123456789"
	"012345678901234567890123456789\"\n";

struct fixture {
	struct mg_dns_server s;
	struct mg_dns_zone *z;
	uint8_t out[MG_DNS_TCP_MAX];
	size_t len;
	struct mg_dns_stub_query q;
	struct mg_dns_reader r;
};

static void
counter_random(void *ctx, void *out, size_t len)
{
	uint32_t *state = ctx;

	for (size_t i = 0; i < len; i++) {
		*state = *state * 1103515245u + 12345u;
		((uint8_t *)out)[i] = (uint8_t)(*state >> 16);
	}
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[256];

	assert_non_null(f);
	assert_int_equal(mg_dns_zone_parse("t", zone_text, strlen(zone_text), "example.com.",
					   &f->z, err, sizeof err), 0);
	mg_dns_server_init(&f->s);
	assert_int_equal(mg_dns_server_add_zone(&f->s, f->z), 0);
	assert_int_equal(mg_dns_server_add_zone(&f->s, f->z), -EEXIST);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	mg_dns_zone_free(f->z);
	free(f);
	return 0;
}

/* Ask name/type (edns: payload, 0 none) over t; returns mg_dns_respond's result. */
static int
ask(struct fixture *f, const char *name, uint16_t type, uint16_t edns,
    enum mg_dns_transport t)
{
	static uint32_t seed = 1;
	uint8_t query[512];
	size_t qlen;
	struct mg_dns_xfer x;

	assert_int_equal(mg_dns_stub_build(&f->q, name, type, edns, counter_random, &seed,
					   query, sizeof query, &qlen), 0);
	int rc = mg_dns_respond(&f->s, query, qlen, t, f->out, sizeof f->out, &f->len, &x);
	if (rc >= 0) {
		assert_int_equal(mg_dns_reader_init(&f->r, f->out, f->len), 0);
		assert_int_equal(f->r.hdr.id, f->q.id);
	}
	return rc;
}

static unsigned
rcode_of(struct fixture *f)
{
	unsigned rcode = 99;

	assert_int_equal(mg_dns_stub_check(&f->q, f->out, f->len, &rcode), 0);
	return rcode;
}

/* The first byte of the index-th address answer for f->q. */
static int
answer_octet(struct fixture *f, size_t index, size_t octet)
{
	uint8_t rdata[64];
	size_t len;
	uint32_t ttl;
	int rc = mg_dns_stub_answer(&f->q, f->out, f->len, index, &ttl, rdata, sizeof rdata,
				    &len);
	return rc ? rc : rdata[octet];
}

static void
test_server_answers_with_aa(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ask(f, "www.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_NOERROR);
	assert_true(f->r.hdr.flags & MG_DNS_F_AA);
	assert_true(f->r.hdr.flags & MG_DNS_F_RD);	/* copied from the query */
	assert_int_equal(f->r.hdr.ancount, 1);
	assert_int_equal(answer_octet(f, 0, 3), 80);
	assert_int_equal(answer_octet(f, 1, 3), -ENOENT);
}

static void
test_server_follows_cname_chains_inside_the_zone(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ask(f, "alias2.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(f->r.hdr.ancount, 3);
	assert_int_equal(answer_octet(f, 0, 3), 80);
	assert_int_equal(ask(f, "away.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(f->r.hdr.ancount, 1);
	assert_int_equal(rcode_of(f), MG_DNS_R_NOERROR);
	assert_int_equal(ask(f, "loop1.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(f->r.hdr.ancount, 2);	/* loop1 → loop2 → loop1: stop */
}

static void
test_server_wildcards_follow_rfc4592(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ask(f, "x.y.wild.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(answer_octet(f, 0, 3), 99);	/* owner is the question's name */
	assert_int_equal(ask(f, "host.wild.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(f->r.hdr.ancount, 0);		/* the name exists: NODATA */
	assert_int_equal(rcode_of(f), MG_DNS_R_NOERROR);
	assert_int_equal(ask(f, "x.host.wild.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_NXDOMAIN);	/* closest encloser host.wild */
	assert_int_equal(ask(f, "b.ent.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_NOERROR);	/* empty non-terminal */
	assert_int_equal(f->r.hdr.ancount, 0);
	assert_int_equal(f->r.hdr.nscount, 1);
}

static void
test_server_refers_delegations_with_glue(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ask(f, "a.b.sub.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_false(f->r.hdr.flags & MG_DNS_F_AA);
	assert_int_equal(f->r.hdr.ancount, 0);
	assert_int_equal(f->r.hdr.nscount, 1);
	assert_int_equal(f->r.hdr.arcount, 1);
	assert_int_equal(ask(f, "ns.sub.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_false(f->r.hdr.flags & MG_DNS_F_AA);	/* glue is not authoritative */
	assert_int_equal(ask(f, "sub.example.com", MG_DNS_T_DS, 0, MG_DNS_UDP), 0);
	assert_true(f->r.hdr.flags & MG_DNS_F_AA);	/* DS: the parent's side */
}

static void
test_server_negative_answers_carry_soa_with_minimum_ttl(void **state)
{
	struct fixture *f = *state;
	struct mg_dns_question q;
	struct mg_dns_rr rr;

	assert_int_equal(ask(f, "nope.example.com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_NXDOMAIN);
	assert_true(f->r.hdr.flags & MG_DNS_F_AA);
	assert_int_equal(f->r.hdr.nscount, 1);
	assert_int_equal(mg_dns_read_question(&f->r, &q), 0);
	assert_int_equal(mg_dns_read_rr(&f->r, &rr), 0);
	assert_int_equal(rr.type, MG_DNS_T_SOA);
	assert_int_equal(rr.ttl, 300);
	assert_int_equal(ask(f, "www.example.com", MG_DNS_T_MX, 0, MG_DNS_UDP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_NOERROR);
	assert_int_equal(f->r.hdr.nscount, 1);
}

static void
test_server_refuses_other_zones_and_classes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ask(f, "example.org", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_REFUSED);
	assert_int_equal(ask(f, "com", MG_DNS_T_A, 0, MG_DNS_UDP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_REFUSED);
}

static void
test_server_truncates_to_the_clients_payload(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ask(f, "big.example.com", MG_DNS_T_TXT, 0, MG_DNS_UDP), 0);
	assert_true(f->r.hdr.flags & MG_DNS_F_TC);
	assert_int_equal(f->r.hdr.ancount, 0);
	assert_true(f->len <= 512);
	unsigned rcode;
	assert_int_equal(mg_dns_stub_check(&f->q, f->out, f->len, &rcode), MG_DNS_STUB_TRUNCATED);
	assert_int_equal(ask(f, "big.example.com", MG_DNS_T_TXT, 1232, MG_DNS_UDP), 0);
	assert_false(f->r.hdr.flags & MG_DNS_F_TC);
	assert_int_equal(f->r.hdr.ancount, 5);
	assert_int_equal(ask(f, "big.example.com", MG_DNS_T_TXT, 0, MG_DNS_TCP), 0);
	assert_int_equal(f->r.hdr.ancount, 5);
	/* The server's own maximum caps what the client offers. */
	f->s.udp_payload_max = 512;
	assert_int_equal(ask(f, "big.example.com", MG_DNS_T_TXT, 4096, MG_DNS_UDP), 0);
	assert_true(f->r.hdr.flags & MG_DNS_F_TC);
	assert_true(f->len <= 512);
	f->s.udp_payload_max = 1232;
}

/* Over TCP an answer larger than the message is SERVFAIL: TC would only loop. */
static void
test_server_never_sets_tc_over_tcp(void **state)
{
	struct fixture *f = *state;
	uint32_t seed = 3;
	uint8_t query[512];
	size_t qlen;
	unsigned rcode;
	uint64_t too_big = f->s.stats.too_big, truncated = f->s.stats.truncated;

	assert_int_equal(mg_dns_stub_build(&f->q, "big.example.com", MG_DNS_T_TXT, 0,
					   counter_random, &seed, query, sizeof query, &qlen), 0);
	assert_int_equal(mg_dns_respond(&f->s, query, qlen, MG_DNS_TCP, f->out, 512, &f->len,
					NULL), 0);
	assert_int_equal(mg_dns_stub_check(&f->q, f->out, f->len, &rcode), 0);
	assert_int_equal(rcode, MG_DNS_R_SERVFAIL);
	assert_int_equal(mg_dns_reader_init(&f->r, f->out, f->len), 0);
	assert_false(f->r.hdr.flags & (MG_DNS_F_TC | MG_DNS_F_AA));
	assert_int_equal(f->r.hdr.ancount + f->r.hdr.nscount + f->r.hdr.arcount, 0);
	assert_int_equal(f->s.stats.too_big, too_big + 1);
	assert_int_equal(f->s.stats.truncated, truncated);
}

static void
test_server_any_gets_one_rrset(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ask(f, "example.com", MG_DNS_T_ANY, 0, MG_DNS_UDP), 0);
	assert_int_equal(f->r.hdr.ancount, 1);	/* the lowest type: A */
	assert_int_equal(ask(f, "alias.example.com", MG_DNS_T_ANY, 0, MG_DNS_UDP), 0);
	assert_int_equal(f->r.hdr.ancount, 1);
}

static void
test_server_axfr_only_over_tcp(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ask(f, "example.com", MG_DNS_T_AXFR, 0, MG_DNS_UDP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_REFUSED);
	assert_int_equal(ask(f, "www.example.com", MG_DNS_T_AXFR, 0, MG_DNS_TCP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_REFUSED);
	assert_int_equal(ask(f, "example.com", MG_DNS_T_AXFR, 0, MG_DNS_TCP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_NOERROR);
	assert_int_equal(f->r.hdr.ancount, 23);	/* 22 records, SOA twice */
	f->s.allow_axfr = false;
	assert_int_equal(ask(f, "example.com", MG_DNS_T_AXFR, 0, MG_DNS_TCP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_REFUSED);
	f->s.allow_axfr = true;
	assert_int_equal(ask(f, "example.com", MG_DNS_T_IXFR, 0, MG_DNS_TCP), 0);
	assert_int_equal(rcode_of(f), MG_DNS_R_NOTIMP);
}

/* Respond to raw bytes; returns the rcode, or -1 for no response. */
static int
raw(struct fixture *f, const void *q, size_t len)
{
	struct mg_dns_xfer x;
	int rc = mg_dns_respond(&f->s, q, len, MG_DNS_UDP, f->out, 512, &f->len, &x);

	if (rc < 0)
		return -1;
	assert_int_equal(rc, 0);
	assert_true(f->len >= 12 && f->len <= 512);
	assert_true(f->out[2] & 0x80);
	return f->out[3] & 0xf;
}

#define Q_HDR(flags, qd, an, ns, ar) \
	"\x12\x34" flags "\0" qd "\0" an "\0" ns "\0" ar
#define Q_WWW "\3www\7example\3com\0\0\1\0\1"

static void
test_server_malformed_queries_get_formerr_or_silence(void **state)
{
	struct fixture *f = *state;
	uint64_t dropped = f->s.stats.dropped;

	assert_int_equal(raw(f, "\x12\x34\0", 3), -1);
	assert_int_equal(raw(f, Q_HDR("\x80\0", "\1", "\0", "\0", "\0") Q_WWW, 33), -1);
	assert_int_equal(f->s.stats.dropped, dropped + 2);
	assert_int_equal(raw(f, Q_HDR("\0\0", "\1", "\0", "\0", "\0") Q_WWW, 33), 0);
	assert_int_equal(raw(f, Q_HDR("\0\0", "\0", "\0", "\0", "\0"), 12), MG_DNS_R_FORMERR);
	assert_int_equal(raw(f, Q_HDR("\0\0", "\2", "\0", "\0", "\0") Q_WWW Q_WWW, 54),
			 MG_DNS_R_FORMERR);
	assert_int_equal(raw(f, Q_HDR("\0\0", "\1", "\0", "\0", "\0") Q_WWW, 30),
			 MG_DNS_R_FORMERR);	/* cut inside the question */
	assert_int_equal(raw(f, Q_HDR("\0\0", "\1", "\5", "\0", "\0") Q_WWW, 33),
			 MG_DNS_R_FORMERR);	/* counts larger than the message */
	assert_int_equal(raw(f, Q_HDR("\0\0", "\1", "\0", "\0", "\0") "\xc0\x0c\0\1\0\1", 18),
			 MG_DNS_R_FORMERR);	/* pointer to itself */
	assert_int_equal(raw(f, Q_HDR("\0\0", "\1", "\0", "\0", "\0") "\xc0\x20\0\1\0\1", 18),
			 MG_DNS_R_FORMERR);	/* forward pointer */
	assert_int_equal(raw(f, Q_HDR("\0\0", "\1", "\0", "\0", "\0")
				"\x40" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				"\0\0\1\0\1", 82),
			 MG_DNS_R_FORMERR);	/* a label of 64 */
	assert_int_equal(raw(f, Q_HDR("\x10\0", "\1", "\0", "\0", "\0") Q_WWW, 33),
			 MG_DNS_R_NOTIMP);	/* opcode 2 */
	/* Two OPT RRs; an OPT not at the root. */
	assert_int_equal(raw(f, Q_HDR("\0\0", "\1", "\0", "\0", "\2") Q_WWW
				"\0\0\x29\x10\0\0\0\0\0\0\0" "\0\0\x29\x10\0\0\0\0\0\0\0", 55),
			 MG_DNS_R_FORMERR);
	assert_int_equal(raw(f, Q_HDR("\0\0", "\1", "\0", "\0", "\1") Q_WWW
				"\1a\0\0\x29\x10\0\0\0\0\0\0\0", 46),
			 MG_DNS_R_FORMERR);
	/* EDNS version 1: BADVERS = 16, i.e. 0 in the header and 1 in the OPT. */
	assert_int_equal(raw(f, Q_HDR("\0\0", "\1", "\0", "\0", "\1") Q_WWW
				"\0\0\x29\x10\0\0\1\0\0\0\0", 44), 0);
	assert_int_equal(f->out[f->len - 11 + 5], 1);
	assert_int_equal(f->s.stats.badvers, 1);
}

/* Every prefix and many mutations of a valid query: a response or a drop, no crash. */
static void
test_server_survives_truncated_and_mutated_queries(void **state)
{
	struct fixture *f = *state;
	uint8_t q[64];
	const uint8_t good[] = Q_HDR("\0\0", "\1", "\0", "\0", "\1") Q_WWW
		"\0\0\x29\x10\0\0\0\0\0\0\0";
	uint32_t seed = 42;

	for (size_t len = 0; len <= sizeof good - 1; len++)
		(void)raw(f, good, len);
	for (int i = 0; i < 200000; i++) {
		uint8_t r[4];
		memcpy(q, good, sizeof good - 1);
		counter_random(&seed, r, 4);
		for (int k = 0; k < 1 + (r[3] & 3); k++) {
			counter_random(&seed, r, 3);
			q[r[0] % (sizeof good - 1)] = r[1];
		}
		(void)raw(f, q, (sizeof good - 1) - (r[2] & 7));
	}
}

static void
test_server_ten_thousand_names_and_multi_message_axfr(void **state)
{
	struct mg_dns_server s;
	struct mg_dns_zone *z;
	struct mg_dns_xfer x;
	static uint8_t out[MG_DNS_TCP_MAX];
	uint8_t apex[MG_DNS_NAME_MAX], owner[MG_DNS_NAME_MAX], query[512];
	char err[256], text[64];
	size_t len, qlen, total = 0, messages = 1;
	struct mg_dns_stub_query q;
	uint32_t seed = 7;

	(void)state;
	assert_int_equal(mg_dns_name_from_text("big.test.", 9, NULL, apex, &len), 0);
	assert_int_equal(mg_dns_zone_new(apex, &z), 0);
	assert_int_equal(mg_dns_zone_add(z, apex, MG_DNS_T_SOA, 60,
					 (const uint8_t *)"\0\0\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1",
					 22, 0, err, sizeof err), 0);
	assert_int_equal(mg_dns_zone_add(z, apex, MG_DNS_T_NS, 60, (const uint8_t *)"\0", 1, 0,
					 err, sizeof err), 0);
	for (unsigned i = 0; i < 10000; i++) {
		snprintf(text, sizeof text, "host%u.sub%u", i, i % 100);
		assert_int_equal(mg_dns_name_from_text(text, strlen(text), apex, owner, &len), 0);
		uint8_t a[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		assert_int_equal(mg_dns_zone_add(z, owner, MG_DNS_T_A, 60, a, 4, 0, err,
						 sizeof err), 0);
	}
	assert_int_equal(mg_dns_zone_finish(z, "big", err, sizeof err), 0);
	assert_int_equal(mg_dns_zone_names(z), 1 + 100 + 10000);
	mg_dns_server_init(&s);
	assert_int_equal(mg_dns_server_add_zone(&s, z), 0);

	clock_t start = clock();
	for (unsigned i = 0; i < 100000; i++) {
		unsigned rcode, k = i % 10000;
		uint8_t rdata[16];
		uint32_t ttl;
		snprintf(text, sizeof text, "host%u.sub%u.big.test", k, k % 100);
		mg_dns_stub_build(&q, text, MG_DNS_T_A, 1232, counter_random, &seed, query,
				  sizeof query, &qlen);
		assert_int_equal(mg_dns_respond(&s, query, qlen, MG_DNS_UDP, out, 1232, &len, &x), 0);
		assert_int_equal(mg_dns_stub_check(&q, out, len, &rcode), 0);
		assert_int_equal(mg_dns_stub_answer(&q, out, len, 0, &ttl, rdata, sizeof rdata,
						    &qlen), 0);
		assert_int_equal(rdata[3], (uint8_t)k);
	}
	double secs = (double)(clock() - start) / CLOCKS_PER_SEC;
	print_message("# 100000 queries (build, answer, check) in %.3f s: %.0f/s\n", secs,
		      100000 / (secs > 0 ? secs : 1e-9));

	mg_dns_stub_build(&q, "big.test", MG_DNS_T_AXFR, 0, counter_random, &seed, query,
			  sizeof query, &qlen);
	int rc = mg_dns_respond(&s, query, qlen, MG_DNS_TCP, out, 4096, &len, &x);
	assert_int_equal(rc, 1);
	total += (size_t)(out[6] << 8 | out[7]);
	while (rc == 1) {
		rc = mg_dns_xfer_next(&s, &x, out, 4096, &len);
		assert_true(rc >= 0 && len <= 4096);
		total += (size_t)(out[6] << 8 | out[7]);
		messages++;
	}
	assert_int_equal(total, 10000 + 1 + 2);
	assert_true(messages > 10);
	mg_dns_zone_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_answers_with_aa),
		cmocka_unit_test(test_server_follows_cname_chains_inside_the_zone),
		cmocka_unit_test(test_server_wildcards_follow_rfc4592),
		cmocka_unit_test(test_server_refers_delegations_with_glue),
		cmocka_unit_test(test_server_negative_answers_carry_soa_with_minimum_ttl),
		cmocka_unit_test(test_server_refuses_other_zones_and_classes),
		cmocka_unit_test(test_server_truncates_to_the_clients_payload),
		cmocka_unit_test(test_server_never_sets_tc_over_tcp),
		cmocka_unit_test(test_server_any_gets_one_rrset),
		cmocka_unit_test(test_server_axfr_only_over_tcp),
		cmocka_unit_test(test_server_malformed_queries_get_formerr_or_silence),
		cmocka_unit_test(test_server_survives_truncated_and_mutated_queries),
		cmocka_unit_test(test_server_ten_thousand_names_and_multi_message_axfr),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
