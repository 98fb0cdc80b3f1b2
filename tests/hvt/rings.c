/* SPDX-License-Identifier: ISC */
/*
 * rings.c -- an hvt guest with one network device, "net", that gives it rings
 * (MG_HVT_CALL_NET_RINGS) and then, by its first argument:
 *
 *   ok              sends a frame through TX, waits for one on RX (tests/hvt/run.sh has
 *                   the host send some), checks a second announcement is refused
 *   refused         bad sizes and a block device are refused with -EINVAL; exits 0
 *   area-outside    rings beyond guest memory         } the tender ends the guest
 *   area-text       rings over the guest's own text   } (255, a message)
 *   tx-prod-far     TX prod more than a ring ahead of cons
 *   tx-len-huge     a TX descriptor longer than any frame
 *   tx-len-short    a TX descriptor shorter than an Ethernet header
 *   tx-off-outside  a TX descriptor running past the end of the data
 *   rx-cons-far     RX cons beyond what the tender produced
 *   flip            rewrites a queued descriptor and TX prod between good and bad values
 *                   while the tender reads them; the tender either sends good frames or
 *                   ends the guest, and never crashes
 *
 * A hostile mode kicks the tender and then waits in POLL, the call at which the tender
 * reports a broken ring; reaching the end means the tender accepted the values.
 */
#include "guest.h"

GUEST_MANIFEST("rings", 2, { .name = "net", .type = MG_DEVICE_NET },
	       { .name = "disk", .type = MG_DEVICE_BLOCK });

#define DATA	(128u * 1024)	/* room for a 64 KiB frame with offloads */

static uint8_t area[MG_HVT_RING_AREA(DATA)] __attribute__((aligned(4096)));
static struct mg_hvt_ring_ctl *const ctl = (struct mg_hvt_ring_ctl *)(void *)area;
static struct mg_hvt_ring_desc *const tx_desc =
	(struct mg_hvt_ring_desc *)(void *)(area + MG_HVT_RING_TX_DESC);
static struct mg_hvt_ring_desc *const rx_desc =
	(struct mg_hvt_ring_desc *)(void *)(area + MG_HVT_RING_RX_DESC);
static uint8_t *const tx_data = area + MG_HVT_RING_DATA;

static _Noreturn void
fail(const char *why)
{
	guest_puts("rings: FAIL ");
	guest_puts(why);
	guest_puts("\n");
	guest_exit(1);
}

static int64_t
announce(uint64_t handle, uint64_t at, uint64_t data_size)
{
	struct mg_hvt_net_rings r = { .handle = handle, .area = at, .data_size = data_size };

	mg_hvt_call(MG_HVT_CALL_NET_RINGS, &r);
	return r.ret;
}

static void
set(volatile uint32_t *p, uint32_t v)
{
	*p = v;
}

static uint32_t
get(const volatile uint32_t *p)
{
	return *p;
}

static uint64_t
poll_ms(uint64_t ms)
{
	struct mg_hvt_poll p = { .timeout_ns = ms * 1000 * 1000 };

	mg_hvt_call(MG_HVT_CALL_POLL, &p);
	return p.ready;
}

/* Queue one 60-byte broadcast frame in TX slot prod. */
static void
queue_frame(uint32_t prod)
{
	for (int i = 0; i < 6; i++)
		tx_data[i] = 0xff;
	for (int i = 6; i < 60; i++)
		tx_data[i] = (uint8_t)i;
	tx_data[12] = 0x88;	/* EtherType 0x88b5: local experimental */
	tx_data[13] = 0xb5;
	tx_desc[prod % MG_HVT_RING_SLOTS] = (struct mg_hvt_ring_desc){ .off = 0, .len = 60 };
}

static _Noreturn void
mode_ok(void)
{
	uint64_t start = guest_rdtsc();

	queue_frame(0);
	set(&ctl->tx_prod, 1);
	mg_hvt_kick();
	/* The tender takes the frame by itself; a second kick costs nothing. */
	while (get(&ctl->tx_cons) != 1) {
		poll_ms(1);
		mg_hvt_kick();
		if (guest_rdtsc() - start > 20ull * 1000 * 1000 * 1000)
			fail("TX frame not taken");
	}
	guest_puts("rings: frame sent\n");
	for (int i = 0; i < 100 && get(&ctl->rx_prod) == get(&ctl->rx_cons); i++)
		poll_ms(100);
	if (get(&ctl->rx_prod) == 0)
		fail("no RX frame in 10 s");
	if (rx_desc[0].len < 14 || rx_desc[0].off + rx_desc[0].len > DATA)
		fail("RX descriptor");
	set(&ctl->rx_cons, 1);
	guest_puts("rings: frame received\n");
	if (announce(0, (uintptr_t)area, DATA) != -16)	/* -EBUSY */
		fail("second announcement accepted");
	guest_puts("rings: ok\n");
	guest_exit(0);
}

static _Noreturn void
mode_refused(void)
{
	if (announce(0, (uintptr_t)area, DATA + 100) != -22)
		fail("data size not a multiple of 4096");
	if (announce(0, (uintptr_t)area, 0) != -22)
		fail("data size 0");
	if (announce(0, (uintptr_t)area, 128u << 20) != -22)
		fail("data size beyond the maximum");
	if (announce(1, (uintptr_t)area, DATA) != -22)
		fail("a block device");
	if (announce(7, (uintptr_t)area, DATA) != -22)
		fail("no such device");
	guest_puts("rings: refused\n");
	guest_exit(0);
}

/* Flip a descriptor and the TX index between good and bad values as fast as we can. */
static _Noreturn void
mode_flip(void)
{
	volatile struct mg_hvt_ring_desc *d = tx_desc;
	uint32_t prod = 0;

	queue_frame(0);
	for (int round = 0; round < 20000; round++) {
		set(&ctl->tx_prod, prod + 1);
		mg_hvt_kick();
		for (int i = 0; i < 50; i++) {
			d[prod % MG_HVT_RING_SLOTS].len = i & 1 ? 0xfffffff0u : 60;
			d[prod % MG_HVT_RING_SLOTS].off = i & 2 ? DATA - 8 : 0;
			set(&ctl->tx_prod, i % 7 == 6 ? prod + 100000 : prod + 1);
		}
		d[prod % MG_HVT_RING_SLOTS].len = 60;
		d[prod % MG_HVT_RING_SLOTS].off = 0;
		set(&ctl->tx_prod, prod + 1);
		prod = get(&ctl->tx_cons);
	}
	poll_ms(100);
	guest_puts("rings: flip survived\n");
	guest_exit(0);
}

_Noreturn void
guest_main(const struct mg_plat_boot_info *bi)
{
	char mode[32];

	if (mg_hvt_traps_install() != 0)
		fail("trap install");
	guest_word(bi->cmdline, mode, sizeof(mode), 0);
	if (guest_streq(mode, "refused"))
		mode_refused();
	if (guest_streq(mode, "area-outside"))
		announce(0, 0x7ff00000, DATA);
	if (guest_streq(mode, "area-text"))
		announce(0, 0x100000, DATA);
	if (announce(0, (uintptr_t)area, DATA) != 0)
		fail("rings refused");
	if (guest_streq(mode, "ok"))
		mode_ok();
	if (guest_streq(mode, "flip"))
		mode_flip();
	if (guest_streq(mode, "tx-prod-far")) {
		set(&ctl->tx_prod, 100000);
	} else if (guest_streq(mode, "tx-len-huge")) {
		tx_desc[0] = (struct mg_hvt_ring_desc){ .off = 0, .len = 0x7fffffff };
		set(&ctl->tx_prod, 1);
	} else if (guest_streq(mode, "tx-len-short")) {
		tx_desc[0] = (struct mg_hvt_ring_desc){ .off = 0, .len = 5 };
		set(&ctl->tx_prod, 1);
	} else if (guest_streq(mode, "tx-off-outside")) {
		tx_desc[0] = (struct mg_hvt_ring_desc){ .off = DATA - 10, .len = 60 };
		set(&ctl->tx_prod, 1);
	} else if (guest_streq(mode, "rx-cons-far")) {
		set(&ctl->rx_cons, 1000);
	} else {
		fail("unknown mode");
	}
	mg_hvt_kick();
	/* POLL may return at once (a bad RX index looks like frames waiting): wait 2 s. */
	for (uint64_t start = guest_rdtsc(); guest_rdtsc() - start < 2 * bi->tsc_hz;)
		poll_ms(100);
	guest_puts("rings: the tender took it\n");
	guest_exit(0);
}
