/* SPDX-License-Identifier: ISC */
/*
 * The DNS wire codec: names (RFC 1035 4.1.4 compression, malformed pointers and
 * labels), presentation form, canonical order, writing with compression, RDATA.
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
name(const char *text, uint8_t out[MG_DNS_NAME_MAX])
{
	size_t len;

	assert_int_equal(mg_dns_name_from_text(text, strlen(text), NULL, out, &len), 0);
}

static void
test_wire_unpacks_the_rfc1035_compression_example(void **state)
{
	/* RFC 1035 4.1.4: F.ISI.ARPA at 20, FOO.F.ISI.ARPA at 40, ARPA at 64, root at 92. */
	uint8_t msg[100] = { 0 }, out[MG_DNS_NAME_MAX];
	size_t pos, len;

	(void)state;
	memcpy(msg + 20, "\1F\3ISI\4ARPA\0", 12);
	memcpy(msg + 40, "\3FOO\xc0\x14", 6);
	memcpy(msg + 64, "\xc0\x1a", 2);
	pos = 20;
	assert_int_equal(mg_dns_name_unpack(msg, sizeof msg, &pos, out, &len), 0);
	assert_int_equal(pos, 32);
	assert_memory_equal(out, "\1F\3ISI\4ARPA\0", 12);
	pos = 40;
	assert_int_equal(mg_dns_name_unpack(msg, sizeof msg, &pos, out, &len), 0);
	assert_int_equal(pos, 46);
	assert_int_equal(len, 16);
	assert_memory_equal(out, "\3FOO\1F\3ISI\4ARPA\0", 16);
	pos = 64;
	assert_int_equal(mg_dns_name_unpack(msg, sizeof msg, &pos, out, &len), 0);
	assert_int_equal(pos, 66);
	assert_memory_equal(out, "\4ARPA\0", 6);
	pos = 92;
	assert_int_equal(mg_dns_name_unpack(msg, sizeof msg, &pos, out, &len), 0);
	assert_int_equal(len, 1);
}

static int
unpack_at(const uint8_t *msg, size_t len, size_t pos)
{
	uint8_t out[MG_DNS_NAME_MAX];
	size_t olen;

	return mg_dns_name_unpack(msg, len, &pos, out, &olen);
}

static void
test_wire_rejects_pointer_loops_forward_pointers_and_header_pointers(void **state)
{
	uint8_t msg[64] = { 0 };

	(void)state;
	memcpy(msg + 12, "\xc0\x0c", 2);	/* points at itself */
	assert_int_equal(unpack_at(msg, sizeof msg, 12), -EBADMSG);
	memcpy(msg + 12, "\xc0\x10\0\0\xc0\x0c", 6);	/* forward, then back: a loop */
	assert_int_equal(unpack_at(msg, sizeof msg, 12), -EBADMSG);
	assert_int_equal(unpack_at(msg, sizeof msg, 16), -EBADMSG);
	memcpy(msg + 12, "\1a\xc0\x0c", 4);	/* back into its own labels */
	assert_int_equal(unpack_at(msg, sizeof msg, 12), -EBADMSG);
	memcpy(msg + 12, "\xc0\x02", 2);	/* into the header */
	assert_int_equal(unpack_at(msg, sizeof msg, 12), -EBADMSG);
}

static void
test_wire_bounds_pointer_hops(void **state)
{
	uint8_t msg[12 + 2 + 2 * 40] = { 0 };

	(void)state;
	/* msg[12] is the root; each later pointer points at the one before it. */
	for (size_t i = 0; i < 40; i++) {
		size_t at = 14 + 2 * i, to = i == 0 ? 12 : at - 2;
		msg[at] = (uint8_t)(0xc0 | to >> 8);
		msg[at + 1] = (uint8_t)to;
	}
	assert_int_equal(unpack_at(msg, sizeof msg, 14 + 2 * (MG_DNS_PTR_HOPS_MAX - 1)), 0);
	assert_int_equal(unpack_at(msg, sizeof msg, 14 + 2 * MG_DNS_PTR_HOPS_MAX), -EBADMSG);
}

static void
test_wire_rejects_long_labels_long_names_and_truncation(void **state)
{
	uint8_t msg[400] = { 0 };

	(void)state;
	msg[12] = 64;	/* a label of 64 octets */
	assert_int_equal(unpack_at(msg, sizeof msg, 12), -EBADMSG);
	msg[12] = 0x40;	/* the extended label type of RFC 6891 */
	assert_int_equal(unpack_at(msg, sizeof msg, 12), -EBADMSG);
	msg[12] = 0x80;
	assert_int_equal(unpack_at(msg, sizeof msg, 12), -EBADMSG);
	/* 5 labels of 63: 320 octets, over 255. */
	memset(msg + 12, 0, sizeof msg - 12);
	for (size_t i = 0; i < 5; i++)
		msg[12 + 64 * i] = 63;
	assert_int_equal(unpack_at(msg, sizeof msg, 12), -EBADMSG);
	/* 4 labels of 63 are 256 octets with the root: still one too many. */
	msg[12 + 64 * 4] = 0;
	assert_int_equal(unpack_at(msg, sizeof msg, 12), -EBADMSG);
	/* 3 of 63 and one of 61: exactly 255. */
	msg[12 + 64 * 3] = 61;
	msg[12 + 64 * 3 + 62] = 0;
	assert_int_equal(unpack_at(msg, sizeof msg, 12), 0);
	/* Cut short inside a label, and before a pointer's second octet. */
	memcpy(msg + 12, "\3ab", 3);
	assert_int_equal(unpack_at(msg, 15, 12), -EBADMSG);
	msg[12] = 0xc0;
	assert_int_equal(unpack_at(msg, 13, 12), -EBADMSG);
	assert_int_equal(unpack_at(msg, 12, 12), -EBADMSG);
}

static void
test_wire_name_text_round_trip_with_escapes(void **state)
{
	static const char *const names[] = {
		".", "example.com.", "a\\.b.example.", "sp\\032ace.\\000\\255\\\\.",
		"\\@\\$\\(\\)\\;\\\".",
	};
	uint8_t wire[MG_DNS_NAME_MAX], again[MG_DNS_NAME_MAX];
	char text[1100];
	size_t len, len2;

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(mg_dns_name_from_text(names[i], strlen(names[i]), NULL, wire,
						       &len), 0);
		assert_int_equal(mg_dns_name_to_text(wire, text, sizeof text), 0);
		assert_string_equal(text, names[i]);
		assert_int_equal(mg_dns_name_from_text(text, strlen(text), NULL, again, &len2), 0);
		assert_int_equal(len, len2);
		assert_memory_equal(wire, again, len);
	}
	assert_int_equal(mg_dns_name_from_text("a\\.b.", 5, NULL, wire, &len), 0);
	assert_memory_equal(wire, "\3a.b\0", 5);
	assert_int_equal(mg_dns_name_from_text("\\065\\066.", 9, NULL, wire, &len), 0);
	assert_memory_equal(wire, "\2AB\0", 4);
}

static void
test_wire_name_text_rejects_malformed(void **state)
{
	static const char *const bad[] = { "", "a..b.", ".a.", "\\256.", "\\25.", "a\\",
					   "relative" };
	uint8_t wire[MG_DNS_NAME_MAX];
	char long_label[80];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(mg_dns_name_from_text(bad[i], strlen(bad[i]), NULL, wire, &len),
				 -EINVAL);
	memset(long_label, 'x', 64);
	long_label[64] = '.';
	assert_int_equal(mg_dns_name_from_text(long_label, 65, NULL, wire, &len), -EINVAL);
	assert_int_equal(mg_dns_name_from_text(long_label + 1, 64, NULL, wire, &len), 0);
	/* Relative names take the origin, within 255 octets. */
	assert_int_equal(mg_dns_name_from_text("www", 3, (const uint8_t *)"\3com", wire, &len),
			 0);
	assert_memory_equal(wire, "\3www\3com\0", 9);
}

static void
test_wire_compares_names_without_case_in_canonical_order(void **state)
{
	/* RFC 4034 section 6.1's example, in order. */
	static const char *const order[] = {
		"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
		"zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.", "*.z.example.",
		"\\200.z.example.",
	};
	uint8_t a[MG_DNS_NAME_MAX], b[MG_DNS_NAME_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
			name(order[i], a);
			name(order[k], b);
			int c = mg_dns_name_compare(a, b);
			assert_true(i < k ? c < 0 : i > k ? c > 0 : c == 0);
		}
	name("WWW.Example.COM.", a);
	name("www.example.com.", b);
	assert_true(mg_dns_name_equal(a, b));
	assert_int_equal(mg_dns_name_compare(a, b), 0);
	name("example.com.", b);
	assert_true(mg_dns_name_is_subdomain(a, b));
	assert_false(mg_dns_name_is_subdomain(b, a));
	name("ample.com.", a);
	assert_false(mg_dns_name_is_subdomain(b, a));
}

/* Write a question and three RRs; read them back; check compression happened. */
static void
test_wire_compression_round_trip(void **state)
{
	uint8_t buf[512], www[MG_DNS_NAME_MAX], mx[MG_DNS_NAME_MAX + 2], srv[MG_DNS_NAME_MAX + 6];
	uint8_t out[MG_DNS_NAME_MAX + 6];
	struct mg_dns_writer w;
	struct mg_dns_reader r;
	struct mg_dns_question q;
	struct mg_dns_rr rr;
	size_t len;

	(void)state;
	name("www.example.com.", www);
	memcpy(mx, "\0\12", 2);
	name("mail.example.com.", mx + 2);
	memcpy(srv, "\0\1\0\2\0\3", 6);
	name("sip.example.com.", srv + 6);
	assert_int_equal(mg_dns_writer_init(&w, buf, sizeof buf), 0);
	assert_int_equal(mg_dns_put_question(&w, www, MG_DNS_T_MX, MG_DNS_C_IN), 0);
	assert_int_equal(mg_dns_put_rr(&w, www, MG_DNS_T_MX, MG_DNS_C_IN, 60, mx, 20), 0);
	/* Owner: a pointer to the question (2 octets); MX's name: "mail" + pointer. */
	assert_int_equal(w.len, 12 + 17 + 4 + 2 + 10 + 2 + 5 + 2);
	size_t before = w.len;
	assert_int_equal(mg_dns_put_rr(&w, www, MG_DNS_T_SRV, MG_DNS_C_IN, 60, srv, 23), 0);
	/* SRV's target is not compressed (RFC 2782, RFC 3597 4). */
	assert_int_equal(w.len - before, 2 + 10 + 23);
	mg_dns_writer_header(&w, &(struct mg_dns_header){ .id = 7, .qdcount = 1, .ancount = 2 });

	assert_int_equal(mg_dns_reader_init(&r, buf, w.len), 0);
	assert_int_equal(r.hdr.id, 7);
	assert_int_equal(mg_dns_read_question(&r, &q), 0);
	assert_memory_equal(q.name, www, 17);
	assert_int_equal(mg_dns_read_rr(&r, &rr), 0);
	assert_int_equal(rr.type, MG_DNS_T_MX);
	assert_int_equal(mg_dns_rdata_unpack(buf, w.len, &rr, out, sizeof out, &len), 0);
	assert_int_equal(len, 20);
	assert_memory_equal(out, mx, 20);
	assert_int_equal(mg_dns_read_rr(&r, &rr), 0);
	assert_int_equal(mg_dns_rdata_unpack(buf, w.len, &rr, out, sizeof out, &len), 0);
	assert_memory_equal(out, srv, 23);
	assert_int_equal(r.pos, w.len);
	assert_int_equal(mg_dns_read_rr(&r, &rr), -EBADMSG);	/* counts beyond the data */
}

static void
test_wire_compression_keeps_case(void **state)
{
	uint8_t buf[512], a[MG_DNS_NAME_MAX], b[MG_DNS_NAME_MAX];
	struct mg_dns_writer w;

	(void)state;
	name("www.example.com.", a);
	name("WWW.EXAMPLE.COM.", b);
	mg_dns_writer_init(&w, buf, sizeof buf);
	mg_dns_put_question(&w, a, 1, 1);
	size_t before = w.len;
	assert_int_equal(mg_dns_put_rr(&w, b, 1, 1, 0, (const uint8_t *)"\1\2\3\4", 4), 0);
	/* Nothing in common when case differs: written in full. */
	assert_int_equal(w.len - before, 17 + 10 + 4);
}

static void
test_wire_writer_fails_cleanly_when_full(void **state)
{
	uint8_t buf[40], n[MG_DNS_NAME_MAX];
	struct mg_dns_writer w;

	(void)state;
	name("a-long-name.example.com.", n);
	mg_dns_writer_init(&w, buf, sizeof buf);
	assert_int_equal(mg_dns_put_rr(&w, n, 1, 1, 0, (const uint8_t *)"\1\2\3\4", 4), -ENOSPC);
	assert_int_equal(w.len, 12);
	assert_int_equal(w.nnames, 0);
	assert_int_equal(mg_dns_writer_init(&w, buf, 11), -EINVAL);
}

static void
test_wire_rdata_validation_and_decoding(void **state)
{
	struct mg_dns_rdata rd;
	uint8_t soa[64];
	size_t n = 0;

	(void)state;
	assert_true(mg_dns_rdata_valid(MG_DNS_T_A, (const uint8_t *)"\1\2\3\4", 4));
	assert_false(mg_dns_rdata_valid(MG_DNS_T_A, (const uint8_t *)"\1\2\3", 3));
	assert_false(mg_dns_rdata_valid(MG_DNS_T_AAAA, (const uint8_t *)"\1\2\3\4", 4));
	assert_false(mg_dns_rdata_valid(MG_DNS_T_TXT, (const uint8_t *)"", 0));
	assert_true(mg_dns_rdata_valid(MG_DNS_T_TXT, (const uint8_t *)"\0", 1));
	assert_false(mg_dns_rdata_valid(MG_DNS_T_TXT, (const uint8_t *)"\3ab", 3));
	assert_false(mg_dns_rdata_valid(MG_DNS_T_NS, (const uint8_t *)"\3com", 4));
	assert_false(mg_dns_rdata_valid(MG_DNS_T_MX, (const uint8_t *)"\0\1\0\0", 4));
	assert_false(mg_dns_rdata_valid(MG_DNS_T_CAA, (const uint8_t *)"\0\0", 2));
	assert_false(mg_dns_rdata_valid(MG_DNS_T_CAA, (const uint8_t *)"\0\2a-", 4));
	assert_true(mg_dns_rdata_valid(65280, (const uint8_t *)"", 0));

	memcpy(soa, "\2ns\0\2hm\0", 8);
	n = 8;
	for (uint8_t i = 1; i <= 5; i++, n += 4)
		memcpy(soa + n, (uint8_t[]){ 0, 0, 0, i }, 4);
	assert_int_equal(mg_dns_rdata_decode(MG_DNS_T_SOA, soa, n, &rd), 0);
	assert_memory_equal(rd.u.soa.rname, "\2hm\0", 4);
	assert_int_equal(rd.u.soa.serial, 1);
	assert_int_equal(rd.u.soa.minimum, 5);
	assert_int_equal(mg_dns_rdata_decode(MG_DNS_T_SOA, soa, n - 1, &rd), -EBADMSG);
	assert_int_equal(mg_dns_rdata_decode(MG_DNS_T_CAA,
					     (const uint8_t *)"\x80\5issueca", 9, &rd), 0);
	assert_int_equal(rd.u.caa.flags, 128);
	assert_int_equal(rd.u.caa.tag_len, 5);
	assert_int_equal(rd.u.caa.value_len, 2);
	assert_int_equal(mg_dns_rdata_decode(MG_DNS_T_SRV,
					     (const uint8_t *)"\0\1\0\2\1\0\1x\0", 9, &rd), 0);
	assert_int_equal(rd.u.srv.port, 256);
}

static void
test_wire_rdata_unpack_rejects_names_overrunning_rdata(void **state)
{
	/* An NS whose RDLENGTH (2) stops inside its name. */
	uint8_t msg[] = { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
			  0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 2, 3, 'c', 'o', 'm', 0 };
	struct mg_dns_reader r;
	struct mg_dns_rr rr;
	uint8_t out[300];
	size_t len;

	(void)state;
	assert_int_equal(mg_dns_reader_init(&r, msg, sizeof msg), 0);
	assert_int_equal(mg_dns_read_rr(&r, &rr), 0);
	assert_int_equal(rr.rdlen, 2);
	assert_int_equal(mg_dns_rdata_unpack(msg, sizeof msg, &rr, out, sizeof out, &len),
			 -EBADMSG);
}

static void
test_wire_types_in_text(void **state)
{
	uint16_t t;
	char buf[16];

	(void)state;
	assert_int_equal(mg_dns_type_from_text("aaaa", 4, &t), 0);
	assert_int_equal(t, MG_DNS_T_AAAA);
	assert_int_equal(mg_dns_type_from_text("TYPE65280", 9, &t), 0);
	assert_int_equal(t, 65280);
	assert_int_equal(mg_dns_type_from_text("TYPE65536", 9, &t), -EINVAL);
	assert_int_equal(mg_dns_type_from_text("FOO", 3, &t), -EINVAL);
	assert_string_equal(mg_dns_type_to_text(257, buf, sizeof buf), "CAA");
	assert_string_equal(mg_dns_type_to_text(999, buf, sizeof buf), "TYPE999");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire_unpacks_the_rfc1035_compression_example),
		cmocka_unit_test(test_wire_rejects_pointer_loops_forward_pointers_and_header_pointers),
		cmocka_unit_test(test_wire_bounds_pointer_hops),
		cmocka_unit_test(test_wire_rejects_long_labels_long_names_and_truncation),
		cmocka_unit_test(test_wire_name_text_round_trip_with_escapes),
		cmocka_unit_test(test_wire_name_text_rejects_malformed),
		cmocka_unit_test(test_wire_compares_names_without_case_in_canonical_order),
		cmocka_unit_test(test_wire_compression_round_trip),
		cmocka_unit_test(test_wire_compression_keeps_case),
		cmocka_unit_test(test_wire_writer_fails_cleanly_when_full),
		cmocka_unit_test(test_wire_rdata_validation_and_decoding),
		cmocka_unit_test(test_wire_rdata_unpack_rejects_names_overrunning_rdata),
		cmocka_unit_test(test_wire_types_in_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
