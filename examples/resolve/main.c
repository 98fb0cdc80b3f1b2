/* SPDX-License-Identifier: ISC */
/*
 * resolve -- a DNS client unikernel: asks the server of --dns-server= for each name it
 * is given (TYPE:NAME for another type than A), prints one line per answer, and exits
 * with 0 if every name resolved, 2 if some did not exist or had no data, 1 on errors.
 * An answer truncated over UDP is asked for again over TCP, unless --no-tcp.
 *
 *	morgana run -t unix --net service=tap0 examples/resolve -- --ipv4=10.0.0.3/24 \
 *		--dns-server=10.0.0.2 [--no-edns] [--no-tcp] [--tries=N] [--timeout-ms=N] \
 *		www.example.com AAAA:www.example.com MX:example.com
 *
 * Lines read "NAME TYPE TTL DATA" (DATA in presentation form for A, AAAA, NS, CNAME, PTR,
 * MX and SRV, else the RDATA's size), or "NAME TYPE: why" when there is no answer;
 * "NAME TYPE: truncated, asked again over TCP" comes before answers that took TCP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/dns.h>
#include <morgana/net.h>
#include <morgana/tcp.h>

static bool no_tcp;

static int parse_flag(const char *arg, struct mg_dns_resolve_opts *opts);
static void print_rdata(uint16_t type, const uint8_t *rd, size_t len, char *out,
			size_t cap);
static int lookup(struct mg_net *net, uint32_t server, const char *arg,
		  const struct mg_dns_resolve_opts *opts);

/* --no-edns, --no-tcp, --tries=N, --timeout-ms=N; 1 if arg is none of them, -1 if
 * bad. */
static int
parse_flag(const char *arg, struct mg_dns_resolve_opts *opts)
{
	char *end;
	unsigned long v;

	if (strcmp(arg, "--no-edns") == 0) {
		opts->no_edns = true;
		return 0;
	}
	if (strcmp(arg, "--no-tcp") == 0) {
		no_tcp = true;
		return 0;
	}
	if (strncmp(arg, "--tries=", 8) == 0) {
		v = strtoul(arg + 8, &end, 10);
		if (*end != '\0' || v < 1 || v > 10)
			return -1;
		opts->tries = (unsigned)v;
		return 0;
	}
	if (strncmp(arg, "--timeout-ms=", 13) == 0) {
		v = strtoul(arg + 13, &end, 10);
		if (*end != '\0' || v < 1 || v > 30000)
			return -1;
		opts->timeout_ns = (uint64_t)v * 1000000;
		return 0;
	}
	return strncmp(arg, "--", 2) == 0 ? -1 : 1;
}

static void
print_rdata(uint16_t type, const uint8_t *rd, size_t len, char *out, size_t cap)
{
	static struct mg_dns_rdata d;	/* three names of 255 octets: off the fiber stack */
	char name[MG_DNS_NAME_MAX * 4 + 2];
	size_t n = 0;

	if (mg_dns_rdata_decode(type, rd, len, &d) != 0) {
		snprintf(out, cap, "(malformed, %zu octets)", len);
		return;
	}
	switch (type) {
	case MG_DNS_T_A:
		snprintf(out, cap, "%u.%u.%u.%u", rd[0], rd[1], rd[2], rd[3]);
		return;
	case MG_DNS_T_AAAA:
		for (size_t i = 0; i < 16 && n < cap; i += 2)
			n += (size_t)snprintf(out + n, cap - n, "%s%x", i ? ":" : "",
					      (unsigned)(rd[i] << 8 | rd[i + 1]));
		return;
	case MG_DNS_T_NS: case MG_DNS_T_CNAME: case MG_DNS_T_PTR:
		mg_dns_name_to_text(d.u.ptr.name, name, sizeof(name));
		snprintf(out, cap, "%s", name);
		return;
	case MG_DNS_T_MX:
		mg_dns_name_to_text(d.u.mx.exchange, name, sizeof(name));
		snprintf(out, cap, "%u %s", d.u.mx.preference, name);
		return;
	case MG_DNS_T_SRV:
		mg_dns_name_to_text(d.u.srv.target, name, sizeof(name));
		snprintf(out, cap, "%u %u %u %s", d.u.srv.priority, d.u.srv.weight,
			 d.u.srv.port, name);
		return;
	}
	snprintf(out, cap, "(%zu octets)", len);
}

/* Resolve one TYPE:NAME or NAME; 0 answered, 2 no answer, 1 error. */
static int
lookup(struct mg_net *net, uint32_t server, const char *arg,
       const struct mg_dns_resolve_opts *opts)
{
	static uint8_t buf[MG_DNS_TCP_MAX];	/* what an answer over TCP may need */
	const char *colon = strchr(arg, ':'), *name = colon ? colon + 1 : arg;
	struct mg_dns_reply reply;
	uint16_t type = MG_DNS_T_A;
	char tname[16], data[MG_DNS_NAME_MAX * 4 + 32];
	uint8_t rd[512];
	size_t rdlen, i;
	uint32_t ttl;
	int err;

	if (colon && mg_dns_type_from_text(arg, (size_t)(colon - arg), &type) != 0) {
		printf("%s: unknown type\n", arg);
		return 1;
	}
	mg_dns_type_to_text(type, tname, sizeof(tname));
	err = mg_dns_resolve(net, server, name, type, opts, buf, sizeof(buf), &reply);
	if (err == -EMSGSIZE) {
		printf("%s %s: truncated%s\n", name, tname, opts->tcp == NULL ?
		       ", and TCP is off" : ", and too big for the buffer even over TCP");
		return 1;
	}
	if (err != 0) {
		printf("%s %s: %s\n", name, tname, err == -ETIMEDOUT ? "no answer (timed out)" :
		       err == -EINVAL ? "not a valid name" : err == -ECONNREFUSED ?
		       "TCP connection refused" : "cannot ask");
		return 1;
	}
	if (reply.over_tcp)
		printf("%s %s: truncated, asked again over TCP\n", name, tname);
	if (reply.rcode != MG_DNS_R_NOERROR) {
		printf("%s %s: rcode %u%s\n", name, tname, reply.rcode,
		       reply.rcode == MG_DNS_R_NXDOMAIN ? " (NXDOMAIN)" : "");
		return reply.rcode == MG_DNS_R_NXDOMAIN ? 2 : 1;
	}
	for (i = 0; mg_dns_stub_answer(&reply.q, reply.msg, reply.len, i, &ttl, rd,
				       sizeof(rd), &rdlen) == 0; i++) {
		print_rdata(type, rd, rdlen, data, sizeof(data));
		printf("%s %s %u %s\n", name, tname, (unsigned)ttl, data);
	}
	if (i == 0) {
		printf("%s %s: no data\n", name, tname);
		return 2;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct mg_dns_resolve_opts opts = { 0 };
	struct mg_net *net;
	struct mg_tcp *tcp = NULL;
	uint32_t server = 0;
	char why[128];
	int status = 0, rc;

	if (mg_net_open("service", &argc, argv, &net) != 0) {
		printf("resolve: %s\n", mg_net_open_error());
		return 64;
	}
	if (mg_dns_server_from_args(&argc, argv, &server, why, sizeof(why)) != 0) {
		printf("resolve: %s\n", why);
		return 64;
	}
	if (server == 0) {
		printf("resolve: --dns-server=A.B.C.D is required\n");
		return 64;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0 && parse_flag(argv[i], &opts) < 0) {
			printf("resolve: bad flag '%s'\n", argv[i]);
			return 64;
		}
	}
	if (!no_tcp) {
		/* A client asks one query at a time: small buffers do. */
		const struct mg_tcp_config cfg = { .sndbuf = 4096, .rcvbuf = 64 * 1024 };

		if ((rc = mg_tcp_create(net, &cfg, &tcp)) != 0) {
			printf("resolve: cannot start TCP: error %d\n", rc);
			return 1;
		}
		opts.tcp = tcp;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 || parse_flag(argv[i], &opts) != 1)
			continue;
		rc = lookup(net, server, argv[i], &opts);
		if (rc == 1 || (rc == 2 && status == 0))
			status = rc;
	}
	return status;
}
