/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: any bytes as a DNS query to the engine (UDP and TCP, AXFR included)
 * and as a response to the stub resolver. Nothing may crash or read out of bounds;
 * responses must fit the buffer and parse again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/dns.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char zone[] =
	"$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.2\n"
	"a CNAME www\n*.w MX 1 www\nsub NS ns.sub\nns.sub A 192.0.2.3\nt TXT a b c\n";

static struct mg_dns_server server;
static struct mg_dns_zone *z;
static uint8_t out[MG_DNS_TCP_MAX];

static void
check(const uint8_t *msg, size_t len, size_t cap)
{
	struct mg_dns_reader r;

	if (len > cap || mg_dns_reader_init(&r, msg, len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mg_dns_xfer x;
	struct mg_dns_stub_query q = { .id = 0, .qtype = 1, .qname = "\3www\0", .qname_len = 5 };
	size_t len;
	unsigned rcode;
	uint8_t rdata[MG_DNS_TCP_MAX];

	if (!z) {
		char err[128];
		if (mg_dns_zone_parse("f", zone, sizeof zone - 1, "example.com.", &z, err,
				      sizeof err))
			abort();
		mg_dns_server_init(&server);
		mg_dns_server_add_zone(&server, z);
	}
	if (mg_dns_respond(&server, data, size, MG_DNS_UDP, out, 512, &len, &x) == 0)
		check(out, len, 512);
	int rc = mg_dns_respond(&server, data, size, MG_DNS_TCP, out, sizeof out, &len, &x);
	if (rc >= 0)
		check(out, len, sizeof out);
	while (rc == 1) {
		rc = mg_dns_xfer_next(&server, &x, out, 600, &len);
		if (rc >= 0)
			check(out, len, 600);
	}
	if (size >= 2)
		q.id = (uint16_t)(data[0] << 8 | data[1]);
	if (mg_dns_stub_check(&q, data, size, &rcode) == 0) {
		uint32_t ttl;
		for (size_t i = 0; i < 4; i++)
			if (mg_dns_stub_answer(&q, data, size, i, &ttl, rdata, sizeof rdata, &len))
				break;
	}
	return 0;
}
