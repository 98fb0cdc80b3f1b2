/* SPDX-License-Identifier: ISC */
/*
 * dns.h -- the transport-independent core of Morgana's DNS: the wire codec (RFC 1035,
 * EDNS(0) of RFC 6891, unknown types of RFC 3597), zone files (RFC 1035 section 5), an
 * authoritative engine and the checks of a stub resolver.
 *
 * Everything here is pure: functions work on the bytes and structures they are given,
 * keep no globals and do no I/O. The UDP/TCP server and the resolver's transport drive
 * them. Functions return 0 or a negative errno code unless they say otherwise:
 *   -EBADMSG  malformed wire data (never trusted, never read out of bounds);
 *   -ENOSPC   the output buffer is too small (the writer is left as it was);
 *   -EINVAL   the caller broke the contract (bad argument);
 *   -ENOMEM   an allocation failed.
 *
 * Names are handled in uncompressed wire form ("\3www\7example\3com\0", at most
 * MG_DNS_NAME_MAX octets). Comparisons ignore ASCII case; stored names keep theirs.
 * docs/dns.md describes the zone file dialect and the engine's rules.
 */
#ifndef MORGANA_DNS_H
#define MORGANA_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MG_DNS_NAME_MAX		255	/* octets of a wire name, root label included */
#define MG_DNS_LABEL_MAX	63
#define MG_DNS_HEADER_LEN	12
#define MG_DNS_PTR_HOPS_MAX	32	/* compression pointers followed per name */
#define MG_DNS_COMPRESS_MAX	96	/* names remembered per message for compression */
#define MG_DNS_UDP_MIN		512	/* payload without EDNS (RFC 1035 4.2.1) */
#define MG_DNS_TCP_MAX		65535
#define MG_DNS_CNAME_CHAIN_MAX	8	/* CNAMEs followed inside a zone per answer */

/* Types (the ones the codec knows, and the meta types the engine handles). */
enum {
	MG_DNS_T_A = 1, MG_DNS_T_NS = 2, MG_DNS_T_CNAME = 5, MG_DNS_T_SOA = 6,
	MG_DNS_T_PTR = 12, MG_DNS_T_HINFO = 13, MG_DNS_T_MX = 15, MG_DNS_T_TXT = 16,
	MG_DNS_T_AAAA = 28, MG_DNS_T_SRV = 33, MG_DNS_T_OPT = 41, MG_DNS_T_DS = 43,
	MG_DNS_T_IXFR = 251, MG_DNS_T_AXFR = 252, MG_DNS_T_MAILB = 253,
	MG_DNS_T_MAILA = 254, MG_DNS_T_ANY = 255, MG_DNS_T_CAA = 257,
};
enum { MG_DNS_C_IN = 1, MG_DNS_C_ANY = 255 };
enum {
	MG_DNS_R_NOERROR = 0, MG_DNS_R_FORMERR = 1, MG_DNS_R_SERVFAIL = 2,
	MG_DNS_R_NXDOMAIN = 3, MG_DNS_R_NOTIMP = 4, MG_DNS_R_REFUSED = 5,
	MG_DNS_R_NOTAUTH = 9, MG_DNS_R_BADVERS = 16,	/* BADVERS needs an OPT RR */
};
/* Header flag bits (the opcode and rcode fields are read with the macros). */
#define MG_DNS_F_QR	0x8000u
#define MG_DNS_F_AA	0x0400u
#define MG_DNS_F_TC	0x0200u
#define MG_DNS_F_RD	0x0100u
#define MG_DNS_F_RA	0x0080u
#define MG_DNS_F_AD	0x0020u
#define MG_DNS_F_CD	0x0010u
#define MG_DNS_OPCODE(flags)	(((flags) >> 11) & 0xfu)
#define MG_DNS_RCODE(flags)	((flags) & 0xfu)

struct mg_dns_header {
	uint16_t id, flags;
	uint16_t qdcount, ancount, nscount, arcount;
};

/* ---- names ------------------------------------------------------------------------- */

/*
 * Read the (possibly compressed) name at msg[*pos] into out, uncompressed, and move *pos
 * past it. Pointers must point backwards, before the part of the name being read, and
 * not into the header; at most MG_DNS_PTR_HOPS_MAX are followed; labels of 64..255
 * octets (0x40/0x80 prefixes) and names over 255 octets are -EBADMSG.
 */
int mg_dns_name_unpack(const uint8_t *msg, size_t msg_len, size_t *pos,
		       uint8_t out[MG_DNS_NAME_MAX], size_t *out_len);
/* Length of the valid uncompressed wire name at the start of buf[0..len), or -EBADMSG. */
int mg_dns_name_len(const uint8_t *buf, size_t len);
/*
 * Presentation form to wire form. text[0..len) may use \X and \DDD escapes. A name that
 * does not end in an unescaped '.' is relative: origin (a wire name) is appended, and
 * with origin NULL it is an error. "@" is not special here (zone files handle it).
 */
int mg_dns_name_from_text(const char *text, size_t len, const uint8_t *origin,
			  uint8_t out[MG_DNS_NAME_MAX], size_t *out_len);
/* Wire name to presentation form with a trailing dot, escaping as zone files need. */
int mg_dns_name_to_text(const uint8_t *name, char *buf, size_t cap);
/* Case-insensitive equality of two valid wire names. */
bool mg_dns_name_equal(const uint8_t *a, const uint8_t *b);
/* Canonical order of RFC 4034 section 6.1: <0, 0, >0. */
int mg_dns_name_compare(const uint8_t *a, const uint8_t *b);
/* True if name is parent or below it (case-insensitive). */
bool mg_dns_name_is_subdomain(const uint8_t *name, const uint8_t *parent);
unsigned mg_dns_name_labels(const uint8_t *name);	/* the root label not counted */

/* ---- reading messages -------------------------------------------------------------- */

struct mg_dns_reader {
	const uint8_t *msg;
	size_t len, pos;
	struct mg_dns_header hdr;
};
struct mg_dns_question {
	uint8_t name[MG_DNS_NAME_MAX];
	size_t name_len;
	uint16_t type, qclass;
};
struct mg_dns_rr {
	uint8_t owner[MG_DNS_NAME_MAX];
	size_t owner_len;
	uint16_t type, rclass;
	uint32_t ttl;
	size_t rdata_pos;	/* offset of RDATA in the message; it may hold pointers */
	uint16_t rdlen;
};
/* EDNS(0) fields of an OPT RR (RFC 6891 section 6.1.3). */
struct mg_dns_edns {
	uint16_t payload;
	uint8_t ext_rcode, version;
	bool do_bit;
};

/* Decode the header; -EBADMSG if msg is shorter than a header. */
int mg_dns_reader_init(struct mg_dns_reader *r, const uint8_t *msg, size_t len);
/* Read the next question / resource record; the caller counts them per the header. */
int mg_dns_read_question(struct mg_dns_reader *r, struct mg_dns_question *q);
int mg_dns_read_rr(struct mg_dns_reader *r, struct mg_dns_rr *rr);
/* OPT RR → EDNS fields; -EBADMSG if rr is not a valid OPT (type 41, owner root). */
int mg_dns_edns_from_rr(const struct mg_dns_rr *rr, struct mg_dns_edns *edns);

/* ---- RDATA ------------------------------------------------------------------------- */

/*
 * Copy rr's RDATA out of msg into out in canonical uncompressed form: names in NS,
 * CNAME, SOA, MX, PTR and SRV are decompressed (RFC 3597 section 4); every other type is
 * copied as opaque octets. The result passes mg_dns_rdata_valid().
 */
int mg_dns_rdata_unpack(const uint8_t *msg, size_t msg_len, const struct mg_dns_rr *rr,
			uint8_t *out, size_t cap, size_t *out_len);
/* True if rdata (uncompressed) is well formed for type; unknown types always are. */
bool mg_dns_rdata_valid(uint16_t type, const uint8_t *rdata, size_t len);

/* Typed view of uncompressed RDATA; pointers point into the RDATA decoded. */
struct mg_dns_rdata {
	uint16_t type;
	union {
		uint8_t a[4];
		uint8_t aaaa[16];
		struct { uint8_t name[MG_DNS_NAME_MAX]; } ns, cname, ptr;
		struct {
			uint8_t mname[MG_DNS_NAME_MAX], rname[MG_DNS_NAME_MAX];
			uint32_t serial, refresh, retry, expire, minimum;
		} soa;
		struct { uint16_t preference; uint8_t exchange[MG_DNS_NAME_MAX]; } mx;
		/* TXT: one or more <length><octets> character-strings, as on the wire */
		struct { const uint8_t *strings; size_t len; } txt;
		struct {
			uint16_t priority, weight, port;
			uint8_t target[MG_DNS_NAME_MAX];
		} srv;
		struct {
			uint8_t flags;
			const uint8_t *tag, *value;
			size_t tag_len, value_len;
		} caa;
		struct { const uint8_t *data; size_t len; } opaque;	/* other types */
	} u;
};
/* -EBADMSG unless mg_dns_rdata_valid(type, rdata, len). */
int mg_dns_rdata_decode(uint16_t type, const uint8_t *rdata, size_t len,
			struct mg_dns_rdata *out);

/* ---- writing messages -------------------------------------------------------------- */

/*
 * A message under construction. The header is written last (mg_dns_writer_header), so
 * that counts can follow what fitted. Names are compressed against names written
 * before, when their octets are equal (which keeps every name's case as given).
 */
struct mg_dns_writer {
	uint8_t *buf;
	size_t cap, len;
	uint16_t names[MG_DNS_COMPRESS_MAX];	/* offsets of label sequences written */
	size_t nnames;
};
/* buf[0..cap) receives the message; cap must be at least MG_DNS_HEADER_LEN. */
int mg_dns_writer_init(struct mg_dns_writer *w, uint8_t *buf, size_t cap);
void mg_dns_writer_header(struct mg_dns_writer *w, const struct mg_dns_header *h);
int mg_dns_put_question(struct mg_dns_writer *w, const uint8_t *name, uint16_t type,
			uint16_t qclass);
/*
 * Append one RR; rdata is uncompressed and valid for type. The owner is compressed; so
 * are the names inside NS, CNAME, SOA, MX and PTR RDATA, and no others (RFC 3597 4).
 */
int mg_dns_put_rr(struct mg_dns_writer *w, const uint8_t *owner, uint16_t type,
		  uint16_t rclass, uint32_t ttl, const uint8_t *rdata, size_t rdlen);
#define MG_DNS_OPT_LEN 11	/* an OPT RR without options */
int mg_dns_put_opt(struct mg_dns_writer *w, const struct mg_dns_edns *edns);

/* ---- types in text ----------------------------------------------------------------- */

/* "A", "TYPE65280"...; -EINVAL for unknown mnemonics. */
int mg_dns_type_from_text(const char *text, size_t len, uint16_t *type);
/* Mnemonic or "TYPEnnn" into buf; returns buf. */
const char *mg_dns_type_to_text(uint16_t type, char *buf, size_t cap);

/* ---- zones ------------------------------------------------------------------------- */

struct mg_dns_zone;

/*
 * Parse a zone file held in memory (text[0..len), need not be NUL-terminated). file
 * names it in error messages; origin is the zone's apex in presentation form and the
 * initial $ORIGIN. On error returns a negative code and writes "FILE:LINE: what is
 * wrong" into err (always NUL-terminated when err_cap > 0). $INCLUDE is refused.
 * The zone is checked: exactly one SOA, at the apex; NS at the apex; no data outside
 * the apex; no CNAME beside other data or a second CNAME; RDATA valid for its type.
 */
int mg_dns_zone_parse(const char *file, const char *text, size_t len, const char *origin,
		      struct mg_dns_zone **zone, char *err, size_t err_cap);
void mg_dns_zone_free(struct mg_dns_zone *zone);

/* Building a zone from code: new, add RRs (class IN), finish; the parser uses these. */
int mg_dns_zone_new(const uint8_t *apex, struct mg_dns_zone **zone);
/* line is quoted in error messages (0 if none). */
int mg_dns_zone_add(struct mg_dns_zone *zone, const uint8_t *owner, uint16_t type,
		    uint32_t ttl, const uint8_t *rdata, size_t rdlen, unsigned line,
		    char *err, size_t err_cap);
/* Checks the rules above and builds the lookup tables; file prefixes messages. */
int mg_dns_zone_finish(struct mg_dns_zone *zone, const char *file, char *err,
		       size_t err_cap);
const uint8_t *mg_dns_zone_apex(const struct mg_dns_zone *zone);
size_t mg_dns_zone_names(const struct mg_dns_zone *zone);	/* incl. empty non-terminals */
size_t mg_dns_zone_records(const struct mg_dns_zone *zone);

/* ---- the authoritative engine ------------------------------------------------------ */

#define MG_DNS_ZONES_MAX 64

struct mg_dns_stats {
	uint64_t queries;	/* messages given to mg_dns_respond */
	uint64_t dropped;	/* no response: shorter than a header, or a response */
	uint64_t formerr, notimp, refused, nxdomain, nodata, referrals;
	uint64_t truncated;	/* UDP responses sent with TC (the client asks over TCP) */
	uint64_t too_big;	/* TCP answers over a whole message: SERVFAIL, never TC */
	uint64_t badvers, axfr;
};

struct mg_dns_server {
	/* Set by the caller before use (mg_dns_server_init sets defaults). */
	uint16_t udp_payload_max;	/* EDNS payload this server accepts and announces */
	bool allow_axfr;		/* AXFR over TCP to anyone who asks */
	/* Private: use mg_dns_server_add_zone. */
	const struct mg_dns_zone *zones[MG_DNS_ZONES_MAX];
	size_t nzones;
	struct mg_dns_stats stats;
};

enum mg_dns_transport { MG_DNS_UDP, MG_DNS_TCP };

/* State of a zone transfer that spans several TCP messages. */
struct mg_dns_xfer {
	/* Private to the engine. */
	const struct mg_dns_zone *zone;
	struct mg_dns_header hdr;
	bool edns, do_bit;
	uint16_t payload;
	uint32_t node, rrset, rr;	/* next RR to send */
	int phase;			/* 0 first SOA, 1 body, 2 last SOA, 3 done */
};

/* Defaults: udp_payload_max 1232 (DNS flag day 2020), allow_axfr true, no zones. */
void mg_dns_server_init(struct mg_dns_server *s);
/* The zone must outlive the server; -EEXIST for a second zone with the same apex. */
int mg_dns_server_add_zone(struct mg_dns_server *s, const struct mg_dns_zone *zone);

/*
 * Answer one query (a UDP datagram, or a TCP message without its length prefix).
 * out[0..out_cap) receives the response; out_cap must be at least 512 for UDP and should
 * be 65535 for TCP (responses are cut to min(out_cap, what the client accepts)). An
 * answer that does not fit is sent with TC over UDP (the client asks again over TCP);
 * over TCP there is nowhere further to go, so it is SERVFAIL without records, counted
 * in too_big (TC over TCP would only make clients loop).
 * Returns:
 *   0        send out[0..*out_len), done;
 *   1        send it, then call mg_dns_xfer_next() until it returns 0 (AXFR over TCP);
 *   <0       send nothing (the query was dropped and counted).
 * The zones must not change while a transfer is in progress.
 */
int mg_dns_respond(struct mg_dns_server *s, const uint8_t *query, size_t query_len,
		   enum mg_dns_transport transport, uint8_t *out, size_t out_cap,
		   size_t *out_len, struct mg_dns_xfer *xfer);
/* The next message of a transfer: 1 more follow, 0 it was the last, <0 abort (close). */
int mg_dns_xfer_next(struct mg_dns_server *s, struct mg_dns_xfer *xfer, uint8_t *out,
		     size_t out_cap, size_t *out_len);

/* ---- stub resolver ----------------------------------------------------------------- */

/* Fills out[0..len) with random octets (e.g. a wrapper around mg_rng_bytes). */
typedef void (*mg_dns_random_fn)(void *ctx, void *out, size_t len);

/* What a stub remembers about a query it sent, to check the response against. */
struct mg_dns_stub_query {
	uint16_t id, qtype;
	uint8_t qname[MG_DNS_NAME_MAX];
	size_t qname_len;
};
/*
 * Build a recursive query (RD set) for name (presentation form, absolute or taken as
 * absolute) and qtype, with a fresh random ID from rnd. edns_payload 0 sends no OPT;
 * otherwise an OPT advertising that many octets (at least 512).
 */
int mg_dns_stub_build(struct mg_dns_stub_query *q, const char *name, uint16_t qtype,
		      uint16_t edns_payload, mg_dns_random_fn rnd, void *rnd_ctx,
		      uint8_t *out, size_t out_cap, size_t *out_len);

#define MG_DNS_STUB_TRUNCATED 1
/*
 * Check a response to q. Returns 0 (the response belongs to q; *rcode is its rcode,
 * extended by EDNS if present), MG_DNS_STUB_TRUNCATED (TC set: ask again over TCP),
 * -ESRCH (not a response to q: wrong ID, not QR, other question; keep waiting, it may be
 * spoofed) or -EBADMSG (malformed).
 */
int mg_dns_stub_check(const struct mg_dns_stub_query *q, const uint8_t *resp,
		      size_t len, unsigned *rcode);
/*
 * The index-th answer RR of q's type reached from q's name through the CNAMEs of the
 * answer section (at most MG_DNS_CNAME_CHAIN_MAX), in uncompressed form in
 * rdata[0..*rdlen). -ENOENT when there are fewer. Call after mg_dns_stub_check() == 0.
 */
int mg_dns_stub_answer(const struct mg_dns_stub_query *q, const uint8_t *resp,
		       size_t len, size_t index, uint32_t *ttl, uint8_t *rdata,
		       size_t rdata_cap, size_t *rdlen);

/* ==== on the network: lib/dns/service.c and lib/dns/resolve.c ========================
 *
 * The only part of lib/dns that does I/O: it runs the engine and the stub checks above
 * over a network stack (net.h, udp.h). Everything is bounded and allocates only when a
 * service starts or a resolution begins, never per query.
 */

struct mg_net;

#define MG_DNS_PORT		53
#define MG_DNS_TRIES_DEFAULT	3		/* datagrams a resolution sends, at most */
#define MG_DNS_TIMEOUT_DEFAULT	(1000ull * 1000000)	/* first wait for an answer, ns */
#define MG_DNS_TIMEOUT_MAX	(30ull * 1000000000)	/* bound of one try's wait */

/* ---- the authoritative service --------------------------------------------------- */

struct mg_dns_service;

/* What the transport saw; the engine's own counters are struct mg_dns_stats. */
struct mg_dns_service_stats {
	uint64_t udp_queries;		/* datagrams received on the port */
	uint64_t udp_responses;		/* responses handed to the stack */
	uint64_t udp_dropped;		/* no response: the engine's choice (shorter than a
					 * header, a response), to a broadcast address, or
					 * from source port 0 */
	uint64_t udp_send_errors;	/* responses the stack refused (no buffer, no route) */
	uint64_t udp_truncated;		/* responses sent with TC (the client asks again
					 * over TCP) */
	uint64_t tcp_connections;	/* accepted and served */
	uint64_t tcp_queries;		/* messages read from connections */
	uint64_t tcp_responses;		/* messages handed to TCP (an AXFR is several) */
	uint64_t tcp_refused;		/* connections reset at once: max_conns were open */
	uint64_t tcp_timeouts;		/* connections closed by the idle timeout */
	uint64_t tcp_dropped;		/* messages the engine dropped (shorter than a
					 * header, a response): the connection is closed */
	uint64_t tcp_errors;		/* connections reset: TCP refused data, no memory,
					 * a transfer that could not go on */
	uint64_t tcp_active;		/* connections open now */
};

/*
 * Serve engine (with its zones added; both MUST outlive the service) on UDP port of
 * net (MG_DNS_PORT normally). Queries are answered from the UDP receive callback, in
 * the event loop: one mg_dns_respond() per datagram into one response buffer sized at
 * start to max(512, engine->udp_payload_max), and the response is queued on the device
 * with the others of the same receive batch, so they go out in one device write (one VM
 * exit on hvt). engine->udp_payload_max is read here, once.
 *
 * UDP only until mg_dns_service_tcp() adds TCP on the same port.
 * Returns 0, -EADDRINUSE (port taken), -EINVAL (net, engine or out NULL) or -ENOMEM.
 */
int mg_dns_service_start(struct mg_net *net, struct mg_dns_server *engine, uint16_t port,
			 struct mg_dns_service **out);

struct mg_tcp;

/* How the service runs TCP; a zero field means the default in brackets. */
struct mg_dns_tcp_config {
	unsigned max_conns;	/* connections served at once; one more is reset as soon
				 * as TCP hands it over [64] */
	uint64_t idle_ns;	/* a connection is closed when, for this long, no query
				 * arrived whole and no response octet was taken by TCP
				 * [10 s] */
	unsigned backlog;	/* the listener's (tcp.h) [TCP's default] */
};

/*
 * Serve the engine over TCP too (RFC 7766), on svc's port of tcp, a TCP instance on
 * svc's stack (tcp MUST outlive svc). Every connection carries any number of messages,
 * each behind a two-octet length (so at most MG_DNS_TCP_MAX octets), pipelined; they
 * are answered in the order they arrive, never with TC, and an AXFR (RFC 5936) goes out
 * as many messages as the zone needs, SOA first and last.
 *
 * Bounds: at most cfg->max_conns connections; per connection, what TCP buffers (its
 * sndbuf and rcvbuf), plus one message being read and one response TCP could not take
 * yet, each at most MG_DNS_TCP_MAX + 2 octets. While a response waits, the connection
 * reads nothing more, so a client that sends and never reads stalls only itself, until
 * the idle timeout. A client that sends half a message and stalls is closed by the
 * same timeout. A message the engine drops (shorter than a header, a response) closes
 * the connection: the stream cannot be trusted after it. Everything is counted in
 * struct mg_dns_service_stats.
 *
 * Runs from TCP's callbacks and timers, in the event loop: no fiber is needed. Allocates
 * one response buffer of MG_DNS_TCP_MAX + 2 octets here, and per connection its state
 * (a query of up to 512 octets included); larger queries and responses that wait get a
 * buffer of their own, freed once done.
 * Returns 0, -EALREADY (svc serves TCP already), -EINVAL, -EADDRINUSE or -ENOMEM.
 */
int mg_dns_service_tcp(struct mg_dns_service *svc, struct mg_tcp *tcp,
		       const struct mg_dns_tcp_config *cfg);

/* Close the port (UDP and TCP: connections are reset) and free svc; svc MUST NOT be
 * used afterwards. */
void mg_dns_service_stop(struct mg_dns_service *svc);
const struct mg_dns_service_stats *mg_dns_service_stats(const struct mg_dns_service *svc);
/*
 * Render the service's and the engine's counters as "dns.NAME VALUE" lines, every one
 * of them, zeros included, into buf (NUL-terminated, truncated to size). Returns the
 * length it needed, as snprintf does.
 */
size_t mg_dns_service_format(const struct mg_dns_service *svc, char *buf, size_t size);

/* ---- the stub resolver over UDP --------------------------------------------------- */

/* How a resolution runs; a zero field means the default in brackets. */
struct mg_dns_resolve_opts {
	uint16_t port;			/* the server's port [53] */
	unsigned tries;			/* datagrams sent, 1..10 [MG_DNS_TRIES_DEFAULT] */
	uint64_t timeout_ns;		/* wait after the first; doubled after each try,
					 * at most MG_DNS_TIMEOUT_MAX [1 s] */
	uint16_t edns_payload;		/* EDNS payload advertised, >= 512
					 * [min(1232, the caller's buffer)] */
	bool no_edns;			/* send no OPT: answers are cut at 512 octets */
	struct mg_tcp *tcp;		/* TCP on the same stack, to ask again over when
					 * the UDP answer is truncated [none] */
};

/* A response, as mg_dns_resolve() leaves it in the caller's buffer. */
struct mg_dns_reply {
	struct mg_dns_stub_query q;	/* what was asked: pass to mg_dns_stub_answer() */
	unsigned rcode;			/* MG_DNS_R_*, extended by EDNS */
	const uint8_t *msg;		/* the whole response, in the caller's buffer */
	size_t len;
	bool truncated;			/* TC was set: msg holds what fitted */
	bool over_tcp;			/* the answer came over TCP, after TC over UDP */
	unsigned tries;			/* datagrams it took */
};

/*
 * From a fiber: ask server (an IPv4 address, host order) for name (presentation form,
 * taken as absolute) and type, recursion desired, over UDP from a fresh random port
 * (RFC 5452), and wait for the answer. The same query is sent again after each timeout,
 * up to opts->tries times; datagrams that are not the answer (another source, another
 * ID or question, malformed) are ignored and the wait goes on. buf[0..cap) receives the
 * response (cap at least 512; 1232 lets EDNS answers fit whole).
 *
 * When the answer has TC and opts->tcp is set, the query is asked again over a TCP
 * connection to the same server and port (RFC 7766 5), once: TCP retransmits by itself.
 * The whole exchange, connecting included, must end within opts->tries times
 * opts->timeout_ns (at most MG_DNS_TIMEOUT_MAX); the answer replaces the truncated one
 * in buf only if it fits there whole.
 * Returns:
 *   0           reply filled; reply->rcode says NOERROR, NXDOMAIN, SERVFAIL, ...;
 *   -EMSGSIZE   the answer was truncated (TC) and opts->tcp is NULL, or the answer over
 *               TCP is larger than cap; reply holds the truncated response;
 *   -ETIMEDOUT  no answer after every try (or over TCP, by the deadline);
 *   -ECONNREFUSED, -ECONNRESET: over TCP, the server refused or cut the connection;
 *   -EBADMSG    over TCP, the server sent something that is not the answer;
 *               after any failure over TCP but -EMSGSIZE, reply->msg is NULL;
 *   -EINVAL     bad name, cap below 512, server 0, bad opts;
 *   -ENOMEM, -EAGAIN (no UDP port free), or an error of mg_udp_sendto() that persisted
 *               through every try (-ENETUNREACH, -ENOBUFS).
 */
int mg_dns_resolve(struct mg_net *net, uint32_t server, const char *name, uint16_t type,
		   const struct mg_dns_resolve_opts *opts, uint8_t *buf, size_t cap,
		   struct mg_dns_reply *reply);

/*
 * From a fiber: the IPv4 addresses of name (A records, through CNAMEs), at most max of
 * them, into addrs (host order); *count says how many. Returns 0 (at least one), -ENOENT
 * (NXDOMAIN or no A record), -EIO (the server answered SERVFAIL, REFUSED, ...), or an
 * error of mg_dns_resolve().
 */
int mg_dns_resolve_ipv4(struct mg_net *net, uint32_t server, const char *name,
			uint32_t *addrs, size_t max, size_t *count);

/*
 * Take --dns-server=A.B.C.D (also as two words) out of argv, in place, up to a "--",
 * as mg_net_config_from_args() does for --ipv4=. *server is left as it was when the flag
 * is absent. Returns 0, or -EINVAL (a bad address or a missing value) with a one-line
 * reason in why.
 */
int mg_dns_server_from_args(int *argc, char **argv, uint32_t *server, char *why,
			    size_t why_len);

#endif /* MORGANA_DNS_H */
