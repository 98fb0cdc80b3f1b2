/* SPDX-License-Identifier: ISC */
/*
 * The stub resolver's transport: one query over UDP from a fresh random port, sent
 * again after each timeout (doubling), and every datagram that arrives checked by
 * mg_dns_stub_check() until one is the answer; then, if that answer is truncated and the
 * caller gave a TCP instance, the same query once more over TCP (RFC 7766).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <morgana/dns.h>
#include <morgana/net.h>
#include <morgana/random.h>
#include <morgana/runtime.h>
#include <morgana/tcp.h>
#include <morgana/udp.h>

#include "dns_int.h"

#define EDNS_PAYLOAD_DEFAULT	1232	/* DNS flag day 2020: fits a path MTU of 1280 */
#define TRIES_MAX		10
/* The largest query: header, question, OPT without options. */
#define QUERY_MAX		(MG_DNS_HEADER_LEN + MG_DNS_NAME_MAX + 4 + MG_DNS_OPT_LEN)

static void random_id(void *ctx, void *out, size_t len);
static int settle_opts(const struct mg_dns_resolve_opts *in, size_t cap,
		       struct mg_dns_resolve_opts *o);
static int read_full(struct mg_tcp_conn *c, uint8_t *buf, size_t len,
		     uint64_t deadline_ns);
static int ask_over_tcp(const struct mg_dns_resolve_opts *o, uint32_t server,
			const uint8_t *query, size_t query_len, uint8_t *buf, size_t cap,
			struct mg_dns_reply *reply);
static int await_reply(struct mg_udp_sock *sock, uint32_t server,
		       const struct mg_dns_resolve_opts *o, uint64_t deadline_ns,
		       uint8_t *buf, size_t cap, struct mg_dns_reply *reply);

static void
random_id(void *ctx, void *out, size_t len)
{
	(void)ctx;
	mg_random_bytes(out, len);
}

/* Fill in the defaults and check what the caller set. */
static int
settle_opts(const struct mg_dns_resolve_opts *in, size_t cap, struct mg_dns_resolve_opts *o)
{
	*o = in != NULL ? *in : (struct mg_dns_resolve_opts){ 0 };
	if (o->port == 0)
		o->port = MG_DNS_PORT;
	if (o->tries == 0)
		o->tries = MG_DNS_TRIES_DEFAULT;
	if (o->timeout_ns == 0)
		o->timeout_ns = MG_DNS_TIMEOUT_DEFAULT;
	if (o->edns_payload == 0)
		o->edns_payload = (uint16_t)(cap < EDNS_PAYLOAD_DEFAULT ? cap
								 : EDNS_PAYLOAD_DEFAULT);
	/* A response longer than buf would be cut by the socket and then look malformed. */
	if (o->tries > TRIES_MAX || o->timeout_ns > MG_DNS_TIMEOUT_MAX ||
	    o->edns_payload < MG_DNS_UDP_MIN || o->edns_payload > cap)
		return -EINVAL;
	return 0;
}

/*
 * Wait until deadline_ns for the answer to reply->q: 1 when it came (reply filled),
 * 0 at the deadline, <0 on a socket error. Anything else that arrives is ignored: it
 * may be a late answer to someone else, or a spoofing attempt.
 */
static int
await_reply(struct mg_udp_sock *sock, uint32_t server, const struct mg_dns_resolve_opts *o,
	    uint64_t deadline_ns, uint8_t *buf, size_t cap, struct mg_dns_reply *reply)
{
	for (;;) {
		uint32_t src;
		uint16_t sport;
		unsigned rcode;
		long n = mg_udp_recvfrom(sock, buf, cap, &src, &sport, deadline_ns);
		int rc;

		if (n == -ETIMEDOUT)
			return 0;
		if (n < 0)
			return (int)n;
		if (src != server || sport != o->port)
			continue;
		rc = mg_dns_stub_check(&reply->q, buf, (size_t)n, &rcode);
		if (rc != 0 && rc != MG_DNS_STUB_TRUNCATED)
			continue;
		reply->rcode = rcode;
		reply->msg = buf;
		reply->len = (size_t)n;
		reply->truncated = rc == MG_DNS_STUB_TRUNCATED;
		return 1;
	}
}

/* Read exactly len octets; an end of stream before them is -ECONNRESET. */
static int
read_full(struct mg_tcp_conn *c, uint8_t *buf, size_t len, uint64_t deadline_ns)
{
	while (len > 0) {
		long n = mg_tcp_read(c, buf, len, deadline_ns);

		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return (int)n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The query again over one TCP connection (RFC 7766 5). The response is read into buf
 * only once its length is known to fit, so -EMSGSIZE leaves the truncated one there;
 * after any other failure reply->msg is NULL.
 */
static int
ask_over_tcp(const struct mg_dns_resolve_opts *o, uint32_t server, const uint8_t *query,
	     size_t query_len, uint8_t *buf, size_t cap, struct mg_dns_reply *reply)
{
	uint8_t framed[2 + QUERY_MAX], prefix[2];
	uint64_t budget = o->timeout_ns * o->tries, deadline;
	struct mg_tcp_conn *c;
	unsigned rcode;
	size_t len;
	long n;
	int err, rc;

	deadline = mg_now_ns() + (budget < MG_DNS_TIMEOUT_MAX ? budget : MG_DNS_TIMEOUT_MAX);
	if ((err = mg_tcp_dial(o->tcp, server, o->port, deadline, &c)) != 0) {
		reply->msg = NULL;
		reply->len = 0;
		return err;
	}
	dns_put16(framed, (uint16_t)query_len);
	memcpy(framed + 2, query, query_len);
	n = mg_tcp_write(c, framed, query_len + 2, deadline);
	if (n != (long)(query_len + 2)) {
		err = n < 0 ? (int)n : -ETIMEDOUT;
		goto fail;
	}
	if ((err = read_full(c, prefix, sizeof(prefix), deadline)) != 0)
		goto fail;
	len = dns_get16(prefix);
	if (len > cap) {
		err = -EMSGSIZE;
		goto fail;
	}
	if ((err = read_full(c, buf, len, deadline)) != 0)
		goto fail;
	rc = mg_dns_stub_check(&reply->q, buf, len, &rcode);
	if (rc != 0 && rc != MG_DNS_STUB_TRUNCATED) {
		err = -EBADMSG;	/* a stream is no place for spoofs: this is the server */
		goto fail;
	}
	reply->rcode = rcode;
	reply->msg = buf;
	reply->len = len;
	reply->truncated = rc == MG_DNS_STUB_TRUNCATED;
	reply->over_tcp = true;
	/* Everything it sent was read, so this closes with a FIN. */
	(void)mg_tcp_close(c);
	return 0;
fail:
	if (err != -EMSGSIZE) {
		reply->msg = NULL;
		reply->len = 0;
	}
	(void)mg_tcp_abort(c);
	return err;
}

int
mg_dns_resolve(struct mg_net *net, uint32_t server, const char *name, uint16_t type,
	       const struct mg_dns_resolve_opts *opts, uint8_t *buf, size_t cap,
	       struct mg_dns_reply *reply)
{
	struct mg_dns_resolve_opts o;
	struct mg_udp_sock *sock;
	uint8_t query[QUERY_MAX];
	size_t query_len;
	uint64_t timeout;
	int err, send_err = 0;

	if (net == NULL || name == NULL || buf == NULL || reply == NULL || server == 0 ||
	    cap < MG_DNS_UDP_MIN || settle_opts(opts, cap, &o) != 0 ||
	    (o.tcp != NULL && mg_tcp_net(o.tcp) != net))
		return -EINVAL;
	memset(reply, 0, sizeof(*reply));
	if (mg_dns_stub_build(&reply->q, name, type, o.no_edns ? 0 : o.edns_payload,
			      random_id, NULL, query, sizeof(query), &query_len) != 0)
		return -EINVAL;
	/* Port 0: a random ephemeral port, so that an off-path spoofer must guess it too. */
	if ((err = mg_udp_bind(net, 0, NULL, NULL, &sock)) != 0)
		return err;
	timeout = o.timeout_ns;
	for (unsigned try = 1; try <= o.tries; try++) {
		reply->tries = try;
		send_err = mg_udp_sendto(sock, server, o.port, query, query_len);
		/* No route and too big do not get better by waiting; a full queue might. */
		if (send_err == -ENETUNREACH || send_err == -EMSGSIZE) {
			err = send_err;
			goto out;
		}
		err = await_reply(sock, server, &o, mg_now_ns() + timeout, buf, cap, reply);
		if (err < 0)
			goto out;
		if (err > 0) {
			err = 0;
			if (reply->truncated)
				err = o.tcp == NULL ? -EMSGSIZE :
				      ask_over_tcp(&o, server, query, query_len, buf, cap, reply);
			goto out;
		}
		timeout = timeout * 2 < MG_DNS_TIMEOUT_MAX ? timeout * 2 : MG_DNS_TIMEOUT_MAX;
	}
	err = send_err != 0 ? send_err : -ETIMEDOUT;
out:
	/* The socket has no callback and this fiber is its only reader, so it closes. */
	(void)mg_udp_close(sock);
	return err;
}

int
mg_dns_resolve_ipv4(struct mg_net *net, uint32_t server, const char *name, uint32_t *addrs,
		    size_t max, size_t *count)
{
	uint8_t buf[EDNS_PAYLOAD_DEFAULT], rdata[4];
	struct mg_dns_reply reply;
	size_t rdlen, n = 0;
	uint32_t ttl;
	int err;

	*count = 0;
	if ((err = mg_dns_resolve(net, server, name, MG_DNS_T_A, NULL, buf, sizeof(buf),
				  &reply)) != 0)
		return err;
	if (reply.rcode != MG_DNS_R_NOERROR && reply.rcode != MG_DNS_R_NXDOMAIN)
		return -EIO;
	while (n < max && mg_dns_stub_answer(&reply.q, reply.msg, reply.len, n, &ttl, rdata,
					     sizeof(rdata), &rdlen) == 0 && rdlen == 4)
		addrs[n++] = dns_get32(rdata);
	*count = n;
	return n > 0 ? 0 : -ENOENT;
}

int
mg_dns_server_from_args(int *argc, char **argv, uint32_t *server, char *why, size_t why_len)
{
	static const char flag[] = "--dns-server";
	const size_t flag_len = sizeof(flag) - 1;
	uint32_t addr = *server;
	int out = 1, i;

	for (i = 1; i < *argc; i++) {
		const char *v = NULL;

		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], flag, flag_len) != 0 ||
		    (argv[i][flag_len] != '=' && argv[i][flag_len] != '\0')) {
			argv[out++] = argv[i];
			continue;
		}
		if (argv[i][flag_len] == '=')
			v = argv[i] + flag_len + 1;
		else if (i + 1 < *argc)
			v = argv[++i];
		if (v == NULL || *v == '\0') {
			snprintf(why, why_len, "--dns-server needs an address, e.g. "
				 "--dns-server=10.0.0.1");
			return -EINVAL;
		}
		if (mg_ipv4_addr_parse(v, &addr) != 0 || addr == 0) {
			snprintf(why, why_len, "--dns-server: '%.40s' is not an IPv4 address "
				 "like 10.0.0.1", v);
			return -EINVAL;
		}
	}
	while (i < *argc)
		argv[out++] = argv[i++];
	argv[out] = NULL;
	*argc = out;
	*server = addr;
	return 0;
}
