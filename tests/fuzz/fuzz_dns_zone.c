/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: any bytes as a zone file. The parser must return a zone or an
 * error message naming the file, never crash; a parsed zone must answer a query.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/dns.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t query[] = "\0\1\0\0\0\1\0\0\0\0\0\0\3www\7example\3com\0\0\1\0\1";
	static uint8_t out[MG_DNS_TCP_MAX];
	struct mg_dns_zone *z;
	struct mg_dns_server s;
	char err[256];
	size_t len;

	if (mg_dns_zone_parse("fuzz.zone", (const char *)data, size, "example.com.", &z, err,
			      sizeof err)) {
		if (strncmp(err, "fuzz.zone:", 10) != 0)
			abort();
		return 0;
	}
	mg_dns_server_init(&s);
	if (mg_dns_server_add_zone(&s, z) ||
	    mg_dns_respond(&s, query, sizeof query - 1, MG_DNS_UDP, out, 512, &len, NULL) != 0)
		abort();
	mg_dns_zone_free(z);
	return 0;
}
