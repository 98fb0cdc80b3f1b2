/* SPDX-License-Identifier: ISC */
/*
 * hvt_netq.c -- the tender's network rings (tender/hvt/netq.c) on crafted guest memory,
 * with a datagram socketpair as the TAP and the real I/O thread: frames go out and come
 * in, in order; POLL wakes for an RX frame; and every hostile index or descriptor ends
 * the guest at its next call without the tender touching memory outside the rings (the
 * ASan build checks that part).
 *
 * Each test has its own tender state: a broken device stays broken, and the I/O thread of
 * a test (which never ends, as in the tender) keeps pointing at its memory, so that is
 * never freed.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tender/hvt/hvt.h"

#define MEM_SIZE	(2u << 20)
#define HEAP		0x100000u
#define ARG		HEAP			/* argument structs */
#define AREA		(HEAP + 0x1000u)	/* the rings */
#define DATA_SIZE	(64u * 1024)
#define RW		(HVT_PROT_R | HVT_PROT_W)

struct guest {
	struct mg_hvt hvt;
	int peer;			/* the host's end of the "TAP" */
	struct mg_hvt_ring_ctl *ctl;
	struct mg_hvt_ring_desc *tx_desc, *rx_desc;
	uint8_t *tx_data, *rx_data;
};

/* Every guest made, so that they stay reachable (the leak checker agrees). */
static struct guest *guests[16];
static size_t guest_count;

/* A tender with one network device and, if rings, its rings announced. Never freed. */
static struct guest *
guest_new(bool rings)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct mg_hvt_net_rings *r;
	int sv[2], status = 0;
	char why[256];
	uint8_t *area;

	assert_non_null(g);
	assert_true(guest_count < sizeof(guests) / sizeof(guests[0]));
	guests[guest_count++] = g;
	g->hvt.mem.size = MEM_SIZE;
	g->hvt.mem.base = aligned_alloc(HVT_PAGE, MEM_SIZE);
	assert_non_null(g->hvt.mem.base);
	memset(g->hvt.mem.base, 0, MEM_SIZE);
	assert_int_equal(mg_hvt_mem_add_region(&g->hvt.mem, HEAP, MEM_SIZE, RW), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
	g->peer = sv[1];
	g->hvt.device_count = 1;
	g->hvt.devices[0] = (struct mg_tender_device){ .type = MG_DEVICE_NET, .fd = sv[0],
						       .mtu = 1500 };
	assert_int_equal(mg_hvt_io_create(&g->hvt, -1, why, sizeof(why)), 0);
	area = g->hvt.mem.base + AREA;
	g->ctl = (struct mg_hvt_ring_ctl *)(void *)area;
	g->tx_desc = (struct mg_hvt_ring_desc *)(void *)(area + MG_HVT_RING_TX_DESC);
	g->rx_desc = (struct mg_hvt_ring_desc *)(void *)(area + MG_HVT_RING_RX_DESC);
	g->tx_data = area + MG_HVT_RING_DATA;
	g->rx_data = g->tx_data + DATA_SIZE;
	if (!rings)
		return g;
	r = (struct mg_hvt_net_rings *)(void *)(g->hvt.mem.base + ARG);
	*r = (struct mg_hvt_net_rings){ .handle = 0, .area = AREA, .data_size = DATA_SIZE };
	assert_int_equal(mg_hvt_hypercall(&g->hvt, MG_HVT_MMIO_BASE + 8 * MG_HVT_CALL_NET_RINGS,
					  ARG, &status), 0);
	assert_int_equal(r->ret, 0);
	return g;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A POLL call of up to timeout_ms; returns mg_hvt_hypercall's result, *ready the set. */
static int
guest_poll(struct guest *g, uint64_t timeout_ms, uint64_t *ready, int *status)
{
	struct mg_hvt_poll *p = (struct mg_hvt_poll *)(void *)(g->hvt.mem.base + ARG);
	int rc;

	*p = (struct mg_hvt_poll){ .timeout_ns = timeout_ms * 1000 * 1000 };
	rc = mg_hvt_hypercall(&g->hvt, MG_HVT_MMIO_BASE + 8 * MG_HVT_CALL_POLL, ARG, status);
	*ready = p->ready;
	return rc;
}

static void
guest_kick(struct guest *g)
{
	int status = 0;

	assert_int_equal(mg_hvt_hypercall(&g->hvt, MG_HVT_KICK, 0, &status), 0);
}

static void
set_shared(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static uint32_t
get_shared(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* Poll until the guest is ended (1, status 255), for up to 2 s (a bad RX index looks
 * like frames waiting, so POLL may return at once). */
static void
assert_guest_ended(struct guest *g)
{
	uint64_t ready, t0 = now_ms();
	int status = 0;

	while (now_ms() - t0 < 2000) {
		if (guest_poll(g, 10, &ready, &status) == 1) {
			assert_int_equal(status, 255);
			return;
		}
		usleep(1000);
	}
	fail_msg("the tender took the hostile ring");
}

static void
frames_go_out_in_order(void **state)
{
	struct guest *g = guest_new(true);
	uint8_t buf[2048];
	ssize_t n;

	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		memset(g->tx_data + i * 2048, (int)('a' + i), 60 + i);
		g->tx_desc[i] = (struct mg_hvt_ring_desc){ .off = i * 2048, .len = 60 + i };
	}
	set_shared(&g->ctl->tx_prod, 3);
	guest_kick(g);
	for (uint32_t i = 0; i < 3; i++) {
		struct pollfd p = { .fd = g->peer, .events = POLLIN };

		assert_int_equal(poll(&p, 1, 2000), 1);
		n = recv(g->peer, buf, sizeof(buf), 0);
		assert_int_equal(n, 60 + i);
		assert_int_equal(buf[0], 'a' + i);
	}
	for (int i = 0; i < 200 && get_shared(&g->ctl->tx_cons) != 3; i++)
		usleep(10 * 1000);
	assert_int_equal(get_shared(&g->ctl->tx_cons), 3);
}

static void *
send_later(void *arg)
{
	struct guest *g = arg;
	uint8_t frame[30] = { 0 };

	usleep(50 * 1000);
	if (send(g->peer, frame, sizeof(frame), 0) != sizeof(frame))
		abort();
	return NULL;
}

static void
frames_come_in_in_order_and_poll_wakes(void **state)
{
	struct guest *g = guest_new(true);
	uint8_t frame[100];
	uint64_t ready = 0, t0;
	pthread_t sender;
	int status = 0;

	(void)state;
	/* Let the thread fall asleep first, so that only the TAP can wake it. */
	usleep(20 * 1000);
	for (int i = 0; i < 5; i++) {
		memset(frame, 'A' + i, sizeof(frame));
		assert_int_equal(send(g->peer, frame, 20 + (size_t)i, 0), 20 + i);
	}
	/* A poll returns at once while a frame waits, so wait by time, not by polls: the
	 * I/O thread may have published the first frame and be off the CPU (2 s at most). */
	for (int i = 0; i < 200 && get_shared(&g->ctl->rx_prod) < 5; i++) {
		assert_int_equal(guest_poll(g, 20, &ready, &status), 0);
		if (get_shared(&g->ctl->rx_prod) < 5)
			usleep(10 * 1000);
	}
	assert_int_equal(get_shared(&g->ctl->rx_prod), 5);
	assert_int_equal(guest_poll(g, 0, &ready, &status), 0);
	assert_int_equal(ready, 1);
	for (uint32_t i = 0; i < 5; i++) {
		struct mg_hvt_ring_desc d = g->rx_desc[i];

		assert_int_equal(d.len, 20 + i);
		assert_true(d.off + d.len <= DATA_SIZE);
		assert_int_equal(g->rx_data[d.off], 'A' + i);
	}
	/* With the ring empty, a 2 s POLL ends when a frame sent 50 ms later lands on it. */
	set_shared(&g->ctl->rx_cons, 5);
	assert_int_equal(pthread_create(&sender, NULL, send_later, g), 0);
	t0 = now_ms();
	/* A wake-up left over from the polls above may end one POLL early (the ABI allows
	 * spurious returns): poll again until the frame is there. */
	do
		assert_int_equal(guest_poll(g, 2000, &ready, &status), 0);
	while (ready == 0 && now_ms() - t0 < 2000);
	assert_int_equal(ready, 1);
	assert_true(now_ms() - t0 < 1000);
	assert_int_equal(pthread_join(sender, NULL), 0);
	assert_int_equal(get_shared(&g->ctl->rx_prod), 6);
	assert_int_equal(g->rx_desc[5].len, 30);
}

static void
rings_are_announced_once_and_checked(void **state)
{
	struct guest *g = guest_new(false);
	struct mg_hvt_net_rings *r = (struct mg_hvt_net_rings *)(void *)(g->hvt.mem.base + ARG);
	const uint64_t call = MG_HVT_MMIO_BASE + 8 * MG_HVT_CALL_NET_RINGS;
	int status = 0;

	(void)state;
	*r = (struct mg_hvt_net_rings){ .handle = 0, .area = AREA, .data_size = 1000 };
	assert_int_equal(mg_hvt_hypercall(&g->hvt, call, ARG, &status), 0);
	assert_int_equal(r->ret, -EINVAL);
	*r = (struct mg_hvt_net_rings){ .handle = 1, .area = AREA, .data_size = DATA_SIZE };
	assert_int_equal(mg_hvt_hypercall(&g->hvt, call, ARG, &status), 0);
	assert_int_equal(r->ret, -EINVAL);
	*r = (struct mg_hvt_net_rings){ .handle = 0, .area = AREA, .data_size = DATA_SIZE };
	assert_int_equal(mg_hvt_hypercall(&g->hvt, call, ARG, &status), 0);
	assert_int_equal(r->ret, 0);
	assert_int_equal(mg_hvt_hypercall(&g->hvt, call, ARG, &status), 0);
	assert_int_equal(r->ret, -EBUSY);
	/* Frames of a device with rings are the rings': the batch calls refuse them. */
	{
		struct mg_hvt_net_io *io = (struct mg_hvt_net_io *)(void *)(g->hvt.mem.base + ARG);

		*io = (struct mg_hvt_net_io){ .handle = 0, .frames = ARG + 64, .count = 0 };
		assert_int_equal(mg_hvt_hypercall(&g->hvt, MG_HVT_MMIO_BASE +
						  8 * MG_HVT_CALL_NET_READ, ARG, &status), 0);
		assert_int_equal(io->ret, -EINVAL);
	}
}

static void
rings_outside_memory_end_the_guest(void **state)
{
	struct guest *g = guest_new(false);
	struct mg_hvt_net_rings *r = (struct mg_hvt_net_rings *)(void *)(g->hvt.mem.base + ARG);
	int status = 0;

	(void)state;
	/* Fits at its start, not at its end. */
	*r = (struct mg_hvt_net_rings){ .handle = 0, .area = MEM_SIZE - HVT_PAGE,
					.data_size = DATA_SIZE };
	assert_int_equal(mg_hvt_hypercall(&g->hvt, MG_HVT_MMIO_BASE +
					  8 * MG_HVT_CALL_NET_RINGS, ARG, &status), 1);
	assert_int_equal(status, 255);
}

static void
tx_index_too_far_ends_the_guest(void **state)
{
	struct guest *g = guest_new(true);

	(void)state;
	set_shared(&g->ctl->tx_prod, MG_HVT_RING_SLOTS + 1);
	guest_kick(g);
	assert_guest_ended(g);
}

static void
tx_descriptor_too_long_ends_the_guest(void **state)
{
	struct guest *g = guest_new(true);

	(void)state;
	g->tx_desc[0] = (struct mg_hvt_ring_desc){ .off = 0, .len = 1515 };
	set_shared(&g->ctl->tx_prod, 1);
	guest_kick(g);
	assert_guest_ended(g);
}

static void
tx_descriptor_past_the_data_ends_the_guest(void **state)
{
	struct guest *g = guest_new(true);

	(void)state;
	/* off + len wraps around 2^32 if added: checked without the addition. */
	g->tx_desc[0] = (struct mg_hvt_ring_desc){ .off = 0xfffffff0u, .len = 100 };
	set_shared(&g->ctl->tx_prod, 1);
	guest_kick(g);
	assert_guest_ended(g);
}

static void
rx_index_beyond_production_ends_the_guest(void **state)
{
	struct guest *g = guest_new(true);

	(void)state;
	set_shared(&g->ctl->rx_cons, 7);
	guest_kick(g);
	assert_guest_ended(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frames_go_out_in_order),
		cmocka_unit_test(frames_come_in_in_order_and_poll_wakes),
		cmocka_unit_test(rings_are_announced_once_and_checked),
		cmocka_unit_test(rings_outside_memory_end_the_guest),
		cmocka_unit_test(tx_index_too_far_ends_the_guest),
		cmocka_unit_test(tx_descriptor_too_long_ends_the_guest),
		cmocka_unit_test(tx_descriptor_past_the_data_ends_the_guest),
		cmocka_unit_test(rx_index_beyond_production_ends_the_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
