/* SPDX-License-Identifier: ISC */
/*
 * Property: Ethernet frames cross the TAP both ways. The unikernel broadcasts an ARP
 * request for the host's address (argv[2]) from its own (argv[1]); the host's kernel,
 * which owns that address on the TAP, answers, and the unikernel receives an ARP reply
 * addressed to its own MAC. The request is repeated every 250 ms, for 5 s at most.
 * Where the device moves frames behind a virtio-net header (offloads on, the default),
 * the request goes with a zero header and the reply's header is skipped.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <morgana/fiber.h>
#include <morgana/plat.h>
#include <morgana/runtime.h>

#define MS 1000000ull
#define ETH_ARP 0x0806
#define ARP_LEN 42	/* Ethernet header 14 + ARP for IPv4 over Ethernet 28 */

static uint8_t frame_in[MG_PLAT_NET_FRAME_MAX];

static int
parse_ipv4(const char *s, uint8_t ip[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || v > 255 || *s != (i < 3 ? '.' : '\0'))
			return -EINVAL;
		ip[i] = (uint8_t)v;
		s++;
	}
	return 0;
}

static void
arp_request(uint8_t f[ARP_LEN], const uint8_t mac[6], const uint8_t ip[4],
	    const uint8_t target[4])
{
	static const uint8_t head[] = { 0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1 };

	memset(f, 0xff, 6);		/* broadcast */
	memcpy(f + 6, mac, 6);
	memcpy(f + 12, head, sizeof(head));	/* ethertype, htype, ptype, sizes, op 1 */
	memcpy(f + 22, mac, 6);		/* sender */
	memcpy(f + 28, ip, 4);
	memset(f + 32, 0, 6);		/* target hardware address: unknown */
	memcpy(f + 38, target, 4);
}

/* An ARP reply from target's owner to us. */
static bool
is_reply(const uint8_t *f, size_t len, const uint8_t mac[6], const uint8_t ip[4],
	 const uint8_t target[4])
{
	return len >= ARP_LEN && f[12] == ETH_ARP >> 8 && f[13] == (ETH_ARP & 0xff) &&
	       f[20] == 0 && f[21] == 2 && memcmp(f + 28, target, 4) == 0 &&
	       memcmp(f + 32, mac, 6) == 0 && memcmp(f + 38, ip, 4) == 0 &&
	       memcmp(f, mac, 6) == 0;
}

int
main(int argc, char **argv)
{
	uint8_t ip[4], host[4], request[MG_PLAT_NET_VNET_HDR_LEN + ARP_LEN] = { 0 };
	struct mg_plat_net_info info;
	mg_plat_handle h;
	unsigned frames = 0, sent = 0;
	size_t hdr;
	uint64_t give_up = mg_now_ns() + 5000 * MS, resend = 0;
	int rc;

	if (argc != 3 || parse_ipv4(argv[1], ip) != 0 || parse_ipv4(argv[2], host) != 0) {
		printf("FAIL: usage: net-arp OWN_IPV4 HOST_IPV4\n");
		return 64;
	}
	if ((rc = mg_plat_net_acquire("service", &h, &info)) != 0) {
		printf("FAIL: acquire: %d\n", rc);
		return 1;
	}
	printf("mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u\n", info.mac[0], info.mac[1],
	       info.mac[2], info.mac[3], info.mac[4], info.mac[5], info.mtu);
	hdr = info.offloads & MG_PLAT_NET_VNET_HDR ? MG_PLAT_NET_VNET_HDR_LEN : 0;
	arp_request(request + hdr, info.mac, ip, host);
	while (mg_now_ns() < give_up) {
		struct mg_plat_frame out = { request, hdr + ARP_LEN };
		struct mg_plat_frame in = { frame_in, sizeof(frame_in) };
		const uint8_t *f = frame_in + hdr;
		size_t n;

		if (mg_now_ns() >= resend) {
			if ((rc = mg_plat_net_write(h, &out, 1, &n)) != 0) {
				printf("FAIL: write: %d\n", rc);
				return 1;
			}
			sent += (unsigned)n;
			resend = mg_now_ns() + 250 * MS;
		}
		rc = mg_plat_net_read(h, &in, 1, &n);
		if (rc == -EAGAIN) {
			mg_sleep_ns(5 * MS);
			continue;
		}
		if (rc != 0) {
			printf("FAIL: read: %d\n", rc);
			return 1;
		}
		frames++;
		if (in.len >= hdr && is_reply(f, in.len - hdr, info.mac, ip, host)) {
			printf("arp reply from %02x:%02x:%02x:%02x:%02x:%02x after %u requests, "
			       "%u frames\n", f[22], f[23], f[24], f[25], f[26], f[27], sent,
			       frames);
			return 0;
		}
	}
	printf("FAIL: no ARP reply in 5 s (%u requests sent, %u frames received)\n", sent,
	       frames);
	return 1;
}
