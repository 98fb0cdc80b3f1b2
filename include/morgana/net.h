/* SPDX-License-Identifier: ISC */
/*
 * net.h -- the network stack of one interface: Ethernet, ARP, IPv4, ICMP, and the hooks
 * transport protocols (UDP in net/udp.c, TCP) plug into.
 *
 * A struct mg_net binds one network device (netdev.h) to one static IPv4 configuration.
 * Everything is event driven: frames arrive from the device's input callback, timers
 * drive ARP retries and fragment reassembly timeouts, and output is queued on the device
 * and sent in batches before the unikernel blocks. Nothing in here blocks; the UDP API
 * (udp.h) offers fiber-blocking calls on top.
 *
 * Bounds (see the MG_NET_* constants): the ARP cache, the packets waiting for address
 * resolution, the fragment reassembly slots and the bytes per reassembled datagram.
 * Whatever falls outside a bound is dropped and counted, as is every malformed packet,
 * by reason, in struct mg_net_counters.
 *
 * Typical use, in main():
 *
 *	struct mg_net *net;
 *	int err = mg_net_open("service", &argc, argv, &net);   // --ipv4=, --ipv4-gateway=
 *	if (err) { printf("%s\n", mg_net_open_error()); return 1; }
 */
#ifndef MORGANA_NET_H
#define MORGANA_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <morgana/net_wire.h>
#include <morgana/netdev.h>
#include <morgana/pkt.h>

#define MG_NET_ARP_CACHE	64		/* cache entries (resolved + pending) */
#define MG_NET_ARP_PENDING	64		/* packets waiting for resolution, total */
#define MG_NET_ARP_PENDING_PER	8		/* ... per destination */
#define MG_NET_ARP_TTL_NS	(60ull * 1000000000)	/* a resolved entry lives this long */
#define MG_NET_ARP_RETRY_NS	(1000ull * 1000000)	/* between requests */
#define MG_NET_ARP_TRIES	3		/* requests before giving up */
#define MG_NET_REASM_SLOTS	8		/* datagrams being reassembled at once */
#define MG_NET_REASM_FRAGS	64		/* fragments per datagram */
#define MG_NET_REASM_TIMEOUT_NS	(30ull * 1000000000)
#define MG_NET_TTL		64		/* TTL of the datagrams we send */
#define MG_NET_ICMP_BURST	10		/* unreachables sent at once at most ... */
#define MG_NET_ICMP_PER_SEC	100		/* ... and per second on average */

/* --- configuration -------------------------------------------------------------------- */
struct mg_net_config {
	uint32_t addr;		/* our address; 0: not configured */
	uint8_t prefix_len;	/* 0..32 */
	uint32_t gateway;	/* 0: none, only the local subnet is reachable */
};

/*
 * Parse "A.B.C.D" into *addr (host order). Exactly four decimal parts 0..255 without
 * leading zeros (so that 010 cannot mean 8 or 10 depending on who reads it).
 * Returns 0 or -EINVAL. Pure.
 */
int mg_ipv4_addr_parse(const char *s, uint32_t *addr);
/* Write addr as "A.B.C.D" into buf (at least 16 bytes); returns buf. Pure. */
char *mg_ipv4_addr_format(uint32_t addr, char buf[16]);

/*
 * Take the stack's flags out of argv, in place (as the runtime takes -l): --ipv4=A.B.C.D/N
 * and --ipv4-gateway=A.B.C.D, both also as two words (--ipv4 A.B.C.D/N), up to a "--".
 * Fields of cfg whose flags are absent are left as they are, so a caller can preset
 * defaults. Checks: prefix 0..32; the address is not 0, broadcast, multicast, the
 * subnet's network or broadcast address (for prefixes up to 30); the gateway lies in the
 * subnet and is not our address.
 * Returns 0, or -EINVAL with a one-line reason in why (why_len bytes). Pure.
 */
int mg_net_config_from_args(int *argc, char **argv, struct mg_net_config *cfg, char *why,
			    size_t why_len);

/* --- counters --------------------------------------------------------------------------- */
struct mg_net_counters {
	struct {
		uint64_t rx, tx;
		uint64_t drop_malformed;	/* too short, 802.3 length field */
		uint64_t drop_not_for_us;	/* unicast to another MAC, or multicast */
		uint64_t drop_unknown_type;	/* neither IPv4 nor ARP */
	} eth;
	struct {
		uint64_t rx_requests, rx_replies, tx_requests, tx_replies;
		uint64_t drop_malformed, drop_unsupported;
		uint64_t drop_not_for_us;	/* requests for another address */
		uint64_t cache_evictions;	/* entries replaced while still valid */
		uint64_t resolve_failures;	/* no reply after MG_NET_ARP_TRIES requests */
		uint64_t drop_pending_full;	/* packets not queued: queue full */
		uint64_t drop_unresolved;	/* queued packets dropped by a failure */
		uint64_t conflicts;		/* someone else claims our address */
	} arp;
	struct {
		uint64_t rx, tx;		/* datagrams delivered / handed to the link */
		uint64_t drop_malformed;	/* mg_ipv4_parse() refused it */
		uint64_t drop_bad_csum;
		uint64_t drop_not_for_us;
		uint64_t drop_bad_src;		/* broadcast, multicast or our own */
		uint64_t drop_unknown_proto;	/* no handler (unreachable sent) */
		uint64_t drop_no_route;		/* output: off-link, no gateway */
		uint64_t drop_too_big;		/* output: above 65535 */
		uint64_t drop_nobuf;		/* output: packet pool empty */
		uint64_t frags_rx, frags_tx;
		uint64_t reasm_ok;
		uint64_t reasm_timeout;		/* incomplete datagrams given up */
		uint64_t reasm_overlap;		/* datagrams with overlapping frags */
		uint64_t reasm_no_slot;		/* fragments dropped: all slots busy */
		uint64_t reasm_bad;		/* inconsistent lengths, too many fragments */
	} ipv4;
	struct {
		uint64_t rx, tx;
		uint64_t rx_echo_requests, tx_echo_replies;
		uint64_t drop_malformed, drop_bad_csum;
		uint64_t tx_unreach;
		uint64_t unreach_rate_limited;	/* unreachables not sent: rate limit */
		uint64_t rx_errors;		/* unreachables, time exceeded received */
		uint64_t drop_bad_quote;	/* ... quoting a datagram we did not send */
	} icmp;
	struct {
		uint64_t rx, tx;
		uint64_t drop_malformed, drop_bad_csum;
		uint64_t drop_no_port;		/* no socket bound (port unreachable sent) */
		uint64_t drop_queue_full;	/* the socket's receive queue was full */
		uint64_t drop_nobuf;
	} udp;
	struct {			/* TCP (tcp.h) */
		uint64_t rx, tx;		/* segments in / out */
		uint64_t drop_malformed, drop_bad_csum;
		uint64_t drop_no_conn;		/* no connection or listener (RST sent) */
		uint64_t drop_out_of_window;	/* unacceptable segments */
		uint64_t drop_paws;		/* old timestamp (RFC 7323 PAWS) */
		uint64_t drop_backlog;		/* SYNs dropped: backlog full, no cookies */
		uint64_t drop_accept_queue;	/* handshakes dropped: accept queue full */
		uint64_t drop_ooo_full;		/* out-of-order data: no room to keep it */
		uint64_t drop_max_conns;	/* SYNs dropped: max_conns reached */
		uint64_t drop_nobuf;		/* segments not sent: packet pool empty */
		uint64_t active_opens, passive_opens;
		uint64_t established;		/* handshakes completed */
		uint64_t resets_rx, resets_tx;
		uint64_t conn_timeouts;		/* connections given up after retries */
		uint64_t retransmits;		/* segments sent again */
		uint64_t fast_retransmits;	/* recoveries entered on duplicate ACKs/SACK */
		uint64_t timeouts;		/* retransmission timeouts */
		uint64_t tlp_probes;		/* tail loss probes sent (RFC 8985 7) */
		uint64_t tlp_losses;		/* losses they revealed or repaired */
		uint64_t challenge_acks;
		uint64_t challenge_acks_limited;	/* not sent: rate limit */
		uint64_t syncookies_sent, syncookies_ok, syncookies_bad;
		uint64_t zero_window_probes, keepalive_probes;
		uint64_t timewait_evicted;	/* TIME_WAIT entries dropped: table full */
		uint64_t timewait_reused;	/* ... taken over by a new connection */
		uint64_t pmtu_updates;		/* segment size lowered: "fragmentation needed" */
		uint64_t pmtu_ignored;		/* ... about no segment in flight (RFC 5927) */
		uint64_t bytes_queued;		/* accepted from applications */
		uint64_t bytes_sent;		/* first transmissions */
		uint64_t bytes_retransmitted;
		uint64_t bytes_acked;
		uint64_t bytes_received;	/* delivered in order */
		uint64_t acks_coalesced;	/* ACKs saved (one per second segment)
						 * by one ACK for a whole batch */
		uint64_t tx_wait_big;		/* sends held for the next ACK: no 64 KiB
						 * packet free (offloads) */
	} tcp;
};

/*
 * Every counter of the stack is readable three ways:
 *  - mg_net_counters(): the struct above (the device's own in mg_net_dev(net)->stats);
 *  - mg_net_counters_list() / mg_net_counter_get(): by name, "layer.name" as in the
 *    table of docs/networking.md, the device's as "dev.name", zeros included;
 *  - the trace ring (trace.h): while tracing is on, each change is an MG_TRACE_COUNTER
 *    event, fiber = the counter's id, arg = its new value. The id of layer.name is
 *    MG_NET_COUNTER_ID(layer, name) (the field's position, stable for a build), the
 *    device's MG_NETDEV_COUNTER_ID(name); mg_net_counter_name() turns an id back into
 *    its name.
 * Counters only grow (uint64_t; they do not wrap in practice) and are never reset.
 */
#define MG_TRACE_NET_COUNTERS	0x6e00
#define MG_NET_COUNTER_ID(layer, name) ((uint32_t)(MG_TRACE_NET_COUNTERS + \
	offsetof(struct mg_net_counters, layer.name) / sizeof(uint64_t)))

struct mg_net_counter {
	const char *name;	/* "ipv4.drop_bad_csum", "dev.rx_frames"; static storage */
	uint32_t trace_id;	/* MG_NET_COUNTER_ID / MG_NETDEV_COUNTER_ID */
	uint64_t value;
};

/* --- the stack ----------------------------------------------------------------------- */
struct mg_net;

/*
 * Create a stack over dev (initialised with mg_netdev_init(); the stack becomes its
 * receiver) with configuration cfg (cfg->addr MUST be set). Sends a gratuitous ARP.
 * Returns 0, -EINVAL or -ENOMEM.
 */
int mg_net_create(struct mg_netdev *dev, const struct mg_net_config *cfg,
		  struct mg_net **out);

/* Tear the stack down: drop what is queued, free everything; dev is left to its owner.
 * UDP sockets MUST have been closed and protocol handlers unregistered. */
void mg_net_destroy(struct mg_net *net);

/*
 * The usual start: open the manifest's network device devname over the platform,
 * take --ipv4=/--ipv4-gateway= out of argv (mg_net_config_from_args), create the stack.
 * --ipv4 is required. On failure returns a negative errno and mg_net_open_error() says
 * why in one line. The device and stack live until the unikernel exits.
 */
int mg_net_open(const char *devname, int *argc, char **argv, struct mg_net **out);
const char *mg_net_open_error(void);

/* The counters of every layer above the device, live (see "counters" above). */
const struct mg_net_counters *mg_net_counters(const struct mg_net *net);
/*
 * Every counter, the device's first then layer by layer up to TCP, in a fixed order,
 * zeros included: fills out[0 .. min(max, total)) and returns the total (max 0 to ask
 * how many there are). Pure apart from reading the counters.
 */
size_t mg_net_counters_list(const struct mg_net *net, struct mg_net_counter *out,
			    size_t max);
/* The value of the counter called name ("tcp.retransmits"); 0 or -ENOENT. */
int mg_net_counter_get(const struct mg_net *net, const char *name, uint64_t *value);
/* The name of a counter's trace id, or NULL if trace_id names no counter. */
const char *mg_net_counter_name(uint32_t trace_id);
/* Render every non-zero counter as "layer.name value" lines into buf (NUL-terminated,
 * truncated to size). Returns the length it needed, as snprintf does. */
size_t mg_net_counters_format(const struct mg_net *net, char *buf, size_t size);

struct mg_netdev *mg_net_dev(struct mg_net *net);
const struct mg_net_config *mg_net_config(const struct mg_net *net);
uint32_t mg_net_ipv4_addr(const struct mg_net *net);
/* Largest IP datagram the link carries without fragmenting (the device's MTU). */
uint16_t mg_net_mtu(const struct mg_net *net);

/* --- IPv4: what transport protocols use ------------------------------------------------ */

/* One received datagram as a transport handler sees it. Valid only during the call. */
struct mg_ipv4_rx {
	uint32_t src, dst;
	uint8_t proto, ttl, tos;
	bool to_broadcast;		/* dst is the limited or the subnet broadcast */
	const uint8_t *ip_hdr;		/* IPv4 header (the first fragment's) */
	size_t ip_hdr_len;
	const uint8_t *payload;		/* the transport header and what follows */
	size_t len;
	/* The device checked the transport checksum, or the datagram came from the host
	 * itself with the checksum left to fill (netdev.h offloads): transports skip their
	 * own check. Never set for reassembled datagrams. A TCP datagram may then also be
	 * a coalesced super-segment of up to 65535 bytes, above the MTU. */
	bool l4_csum_ok;
};

typedef void (*mg_ipv4_handler)(void *arg, struct mg_net *net, const struct mg_ipv4_rx *rx);

/*
 * Deliver datagrams of protocol proto (e.g. MG_IP_PROTO_TCP) addressed to us to
 * handler(arg, net, rx). ICMP and UDP are registered by the stack itself. Datagrams of a
 * protocol without a handler get a (rate-limited) ICMP protocol unreachable.
 * Returns 0, -EBUSY (proto taken) or -EINVAL (handler NULL).
 */
int mg_ipv4_register(struct mg_net *net, uint8_t proto, mg_ipv4_handler handler, void *arg);
void mg_ipv4_unregister(struct mg_net *net, uint8_t proto);

/*
 * A packet for zero-copy output: len 0, headroom for the Ethernet and IPv4 headers
 * below and up to 60 bytes of transport header, tailroom for the rest of
 * mg_net_mtu() - 20 bytes. NULL when the pool is empty (counted in ipv4.drop_nobuf).
 */
struct mg_pkt *mg_ipv4_alloc(struct mg_net *net);
/* The same with tailroom for at least size bytes after the transport header's start
 * (a 64 KiB packet of the device's second pool when size is above the MTU's room), or
 * NULL (not counted: the caller falls back to mg_ipv4_alloc()). */
struct mg_pkt *mg_ipv4_alloc_size(struct mg_net *net, size_t size);

/*
 * Send pkt (its data is the transport header and payload, checksums filled in) to dst
 * with protocol proto: prepend the IPv4 header, pick the next hop (dst on the subnet,
 * else the gateway), resolve it with ARP (queueing pkt if need be) and queue the frame
 * on the device. Always takes ownership of pkt. Datagrams above the MTU are fragmented,
 * except a TCP super-segment (pkt->off.gso_type, only for a device with
 * MG_PLAT_NET_TSO4), which the device cuts into segments of pkt->off.gso_size bytes.
 * Returns 0 (sent or queued for resolution), -ENETUNREACH (no route), -EMSGSIZE (above
 * 65535 bytes), -ENOBUFS (a queue or the pool was full); every error is a counted drop.
 */
int mg_ipv4_output(struct mg_net *net, struct mg_pkt *pkt, uint32_t dst, uint8_t proto);

/* Flags of mg_ipv4_output_flags(). */
#define MG_IPV4_DF	0x1	/* Don't Fragment: path MTU discovery (RFC 1191) */

/*
 * mg_ipv4_output() with flags: MG_IPV4_DF sets the Don't Fragment bit, so that a router
 * that cannot forward the datagram whole drops it and answers with ICMP "fragmentation
 * needed" (passed to the protocol's mg_icmp_register_error() handler). A datagram with
 * MG_IPV4_DF MUST fit the link (mg_net_mtu()); otherwise it is refused with -EMSGSIZE
 * (counted in ipv4.drop_too_big). Same returns as mg_ipv4_output().
 */
int mg_ipv4_output_flags(struct mg_net *net, struct mg_pkt *pkt, uint32_t dst, uint8_t proto,
			 unsigned flags);

/*
 * The copying variant: send the transport header hdr (hdr_len bytes, even) followed by
 * payload (payload_len bytes) as one datagram, fragmented as needed. Same returns.
 */
int mg_ipv4_send(struct mg_net *net, uint32_t dst, uint8_t proto, const void *hdr,
		 size_t hdr_len, const void *payload, size_t payload_len);

/* --- ICMP ------------------------------------------------------------------------------- */

/*
 * Send an ICMP destination unreachable (code MG_ICMP_UNREACH_*) about the received
 * datagram rx, quoting its header and first 8 payload bytes, subject to the rate limit
 * (MG_NET_ICMP_BURST, MG_NET_ICMP_PER_SEC). Never about a datagram sent to a broadcast
 * address. Returns 0, -EAGAIN (rate limited; counted), -EPERM (broadcast) or an error of
 * mg_ipv4_send().
 */
int mg_icmp_send_unreach(struct mg_net *net, const struct mg_ipv4_rx *rx, uint8_t code);

/*
 * ICMP errors about datagrams we sent (destination unreachable, time exceeded), handed
 * to the transport protocol that sent them, e.g. for TCP to abort a connection attempt
 * on a port unreachable or to lower its segment size on "fragmentation needed".
 * Only errors that quote a datagram from our address, with at least 8 bytes of its
 * transport header, are passed on; others are counted in icmp.drop_bad_quote.
 */
struct mg_icmp_error {
	uint8_t type, code;		/* MG_ICMP_UNREACH / MG_ICMP_TIME_EXCEEDED, code */
	uint16_t next_hop_mtu;		/* for MG_ICMP_UNREACH_NEEDFRAG, else 0 */
	uint32_t reporter;		/* who sent the ICMP message */
	uint32_t src, dst;		/* of the quoted datagram: src is our address */
	uint8_t proto;
	const uint8_t *l4;		/* the quoted transport header, l4_len >= 8 */
	size_t l4_len;
};

typedef void (*mg_icmp_error_handler)(void *arg, struct mg_net *net,
				      const struct mg_icmp_error *e);

/* Pass ICMP errors about datagrams of protocol proto to handler(arg, net, e); handler
 * NULL stops. Returns 0 or -EBUSY (another handler is registered for proto). */
int mg_icmp_register_error(struct mg_net *net, uint8_t proto, mg_icmp_error_handler handler,
			   void *arg);

#endif /* MORGANA_NET_H */
