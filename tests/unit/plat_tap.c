/* SPDX-License-Identifier: ISC */
/*
 * plat_tap.c -- unit tests of the unix target's network devices over a real TAP interface.
 *
 * Each test forks a child that moves into a network namespace of its own (so nothing on
 * the host is touched, and the namespace with its interfaces vanishes when the child
 * exits, whatever happens), creates a TAP interface there and talks to the platform from
 * the host side through a packet socket. Needs root (CAP_NET_ADMIN); skipped otherwise.
 */
#define _GNU_SOURCE	/* unshare() */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <morgana/net_wire.h>

#include "../../platform/unix/unix.h"
#include "plat_test.h"

#define TAP		"mgtap0"
#define ETHERTYPE_TEST	0x88b5	/* IEEE "local experimental" */
#define FRAME_MAX	1514
#define SECOND		1000000000ull
#define CHILD_SKIP	77

/* In the child: report the failed condition and end the child with status 1. */
#define CHECK(cond) do {							\
		if (!(cond)) {							\
			fprintf(stderr, "# %s:%d: child check failed: %s (errno %s)\n",\
				__FILE__, __LINE__, #cond, strerror(errno));	\
			_exit(1);						\
		}								\
	} while (0)

static const uint8_t host_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/*
 * Run scenario in a child inside a fresh network namespace; pass, skip (with the reason
 * printed) or fail on how the child ends.
 */
static void
run_in_netns(void (*scenario)(void))
{
	pid_t child;
	int status;

	if (geteuid() != 0) {
		fprintf(stderr, "# skipped: TAP tests need root to create a network namespace\n");
		skip();
	}
	fflush(NULL);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		if (unshare(CLONE_NEWNET) < 0) {
			fprintf(stderr, "# skipped: unshare(CLONE_NEWNET): %s\n", strerror(errno));
			_exit(CHILD_SKIP);
		}
		if (access("/dev/net/tun", R_OK | W_OK) < 0) {
			fprintf(stderr, "# skipped: /dev/net/tun: %s\n", strerror(errno));
			_exit(CHILD_SKIP);
		}
		scenario();
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_SKIP)
		skip();
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Create a persistent TAP interface, as `ip tuntap add NAME mode tap` would. */
static void
create_tap(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	CHECK(fd >= 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	CHECK(ioctl(fd, TUNSETIFF, &ifr) == 0);
	CHECK(ioctl(fd, TUNSETPERSIST, 1) == 0);
	close(fd);
}

static void
set_link(const char *name, bool up, int mtu)
{
	struct ifreq ifr;
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK(sock >= 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (mtu > 0) {
		ifr.ifr_mtu = mtu;
		CHECK(ioctl(sock, SIOCSIFMTU, &ifr) == 0);
	}
	CHECK(ioctl(sock, SIOCGIFFLAGS, &ifr) == 0);
	ifr.ifr_flags = (short)(up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP);
	CHECK(ioctl(sock, SIOCSIFFLAGS, &ifr) == 0);
	close(sock);
}

/*
 * A namespace with one TAP interface, attached to the platform as device "service" and
 * acquired, with or without offloads (--net-offload). IPv6 is off so the kernel sends
 * no frames of its own.
 */
static mg_plat_handle
attach_service(struct mg_plat_net_info *info, bool offload)
{
	static struct mg_manifest m;
	struct mg_unix_config cfg = { 0 };
	char err[MG_UNIX_ERR_MAX];
	mg_plat_handle h;
	int fd;

	fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY);
	if (fd >= 0) {
		CHECK(write(fd, "1", 1) == 1);
		close(fd);
	}
	create_tap(TAP);
	manifest_init(&m, "hello");
	manifest_add(&m, "service", MG_DEVICE_NET);
	cfg.attach[0] = TAP;
	cfg.flag[0] = "--net:service=" TAP;
	cfg.net_offload_off = !offload;
	if (mg_unix_attach(&m, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "# %s\n", err);
		CHECK(!"attach");
	}
	CHECK(mg_plat_net_acquire("service", &h, info) == 0);
	set_link(TAP, true, 0);
	return h;
}

/* The host's side of the wire: a packet socket on the TAP interface. */
static int
host_socket(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = (int)if_nametoindex(TAP),
	};
	int sock = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));

	CHECK(sock >= 0);
	CHECK(bind(sock, (struct sockaddr *)&sll, sizeof(sll)) == 0);
	return sock;
}

/* A test frame: dst, src, our ethertype, then a tag byte repeated. */
static size_t
make_frame(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint8_t tag, size_t len)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = ETHERTYPE_TEST >> 8;
	buf[13] = ETHERTYPE_TEST & 0xff;
	memset(buf + 14, tag, len - 14);
	return len;
}

static bool
is_test_frame(const uint8_t *buf, size_t len)
{
	return len >= 15 && buf[12] == ETHERTYPE_TEST >> 8 && buf[13] == (ETHERTYPE_TEST & 0xff);
}

/* Next test frame the host receives (not one it sent itself), within wait_ns. */
static size_t
host_receive(int sock, uint8_t *buf, uint64_t wait_ns)
{
	uint64_t end = mg_plat_clock_monotonic() + wait_ns;
	struct pollfd p = { .fd = sock, .events = POLLIN };
	struct sockaddr_ll from;
	socklen_t fromlen;
	ssize_t n;

	while (mg_plat_clock_monotonic() < end) {
		fromlen = sizeof(from);
		n = recvfrom(sock, buf, FRAME_MAX, 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0 && errno == EAGAIN) {
			poll(&p, 1, 100);
			continue;
		}
		CHECK(n >= 0);
		if (from.sll_pkttype != PACKET_OUTGOING && is_test_frame(buf, (size_t)n))
			return (size_t)n;
	}
	return 0;
}

static const size_t lengths[] = { 60, 14 + 1, 600, FRAME_MAX };

static void
batch_write_and_read(void)
{
	struct mg_plat_frame frames[8];
	struct mg_plat_net_info info;
	uint8_t out[4][FRAME_MAX], in[8][FRAME_MAX], got[FRAME_MAX];
	mg_plat_handle_set ready;
	mg_plat_handle h = attach_service(&info, false);
	size_t i, n, found = 0;
	uint64_t end;
	int sock = host_socket();

	CHECK(info.mtu == 1500);
	CHECK((info.mac[0] & 0x03) == 0x02);

	/* Platform to host: one batch of four frames, in order, byte for byte. */
	for (i = 0; i < 4; i++) {
		frames[i].buf = out[i];
		frames[i].len = make_frame(out[i], host_mac, info.mac, (uint8_t)(0xa0 + i),
					   lengths[i]);
	}
	CHECK(mg_plat_net_write(h, frames, 4, &n) == 0);
	CHECK(n == 4);
	for (i = 0; i < 4; i++) {
		CHECK(host_receive(sock, got, SECOND) == lengths[i]);
		CHECK(memcmp(got, out[i], lengths[i]) == 0);
	}

	/* Host to platform: yield wakes for the input, one read takes the whole batch. */
	for (i = 0; i < 4; i++)
		CHECK(send(sock, out[i], make_frame(out[i], info.mac, host_mac,
						    (uint8_t)(0xb0 + i), lengths[i]), 0) ==
		      (ssize_t)lengths[i]);
	end = mg_plat_clock_monotonic() + SECOND;
	while (found < 4 && mg_plat_clock_monotonic() < end) {
		mg_plat_yield(end, &ready);
		if (ready == 0)
			continue;
		CHECK(ready == (mg_plat_handle_set)1 << h);
		for (i = 0; i < 8; i++)
			frames[i] = (struct mg_plat_frame){ in[i], sizeof(in[i]) };
		if (mg_plat_net_read(h, frames, 8, &n) == -EAGAIN)
			continue;
		for (i = 0; i < n; i++) {
			if (!is_test_frame(in[i], frames[i].len))
				continue;
			CHECK(frames[i].len == lengths[found]);
			CHECK(memcmp(in[i], out[found], lengths[found]) == 0);
			found++;
		}
	}
	CHECK(found == 4);
	/* Drained: nothing waiting is -EAGAIN, and yield then times out with no bits. */
	for (i = 0; i < 8; i++)
		frames[i] = (struct mg_plat_frame){ in[i], sizeof(in[i]) };
	CHECK(mg_plat_net_read(h, frames, 8, &n) == -EAGAIN && n == 0);
	mg_plat_yield(mg_plat_clock_monotonic() + SECOND / 100, &ready);
	CHECK(ready == 0);
	close(sock);
	mg_unix_detach();
}

static void
test_batch_write_and_read_move_real_frames(void **state)
{
	(void)state;
	run_in_netns(batch_write_and_read);
}

static void
bad_frames_refused(void)
{
	struct mg_plat_net_info info;
	mg_plat_handle h = attach_service(&info, false);
	uint8_t buf[2][FRAME_MAX + 1], got[FRAME_MAX];
	struct mg_plat_frame frames[2] = { { buf[0], 60 }, { buf[1], 60 } };
	size_t n = 99;
	int sock = host_socket();

	make_frame(buf[0], host_mac, info.mac, 0xc0, 60);
	make_frame(buf[1], host_mac, info.mac, 0xc1, 60);
	/* One bad frame anywhere in the batch means nothing of it goes out. */
	frames[1].len = FRAME_MAX + 1;
	CHECK(mg_plat_net_write(h, frames, 2, &n) == -EINVAL && n == 0);
	frames[1].len = 13;
	CHECK(mg_plat_net_write(h, frames, 2, &n) == -EINVAL && n == 0);
	frames[1].len = 60;
	frames[1].buf = NULL;
	CHECK(mg_plat_net_write(h, frames, 2, &n) == -EINVAL && n == 0);
	CHECK(mg_plat_net_write(h, NULL, 1, &n) == -EINVAL);
	CHECK(mg_plat_net_write(h, frames, 1, NULL) == -EINVAL);
	CHECK(mg_plat_net_write(h + 1, frames, 1, &n) == -EINVAL);
	CHECK(mg_plat_net_write(UINT64_MAX, frames, 1, &n) == -EINVAL);
	CHECK(mg_plat_net_write(h, frames, 0, &n) == 0 && n == 0);
	CHECK(host_receive(sock, got, SECOND / 10) == 0);

	/* Receive buffers smaller than mtu + 14 are refused, whatever is waiting. */
	frames[0] = (struct mg_plat_frame){ buf[0], FRAME_MAX - 1 };
	CHECK(mg_plat_net_read(h, frames, 1, &n) == -EINVAL && n == 0);
	frames[0] = (struct mg_plat_frame){ buf[0], FRAME_MAX };
	frames[1] = (struct mg_plat_frame){ NULL, FRAME_MAX };
	CHECK(mg_plat_net_read(h, frames, 2, &n) == -EINVAL);
	CHECK(mg_plat_net_read(h, frames, 0, &n) == -EINVAL);
	CHECK(mg_plat_net_read(h, NULL, 1, &n) == -EINVAL);
	CHECK(mg_plat_net_read(h + 1, frames, 1, &n) == -EINVAL);
	close(sock);
	mg_unix_detach();
}

static void
test_frames_of_wrong_size_are_refused_before_any_is_sent(void **state)
{
	(void)state;
	run_in_netns(bad_frames_refused);
}

static void
write_while_down(void)
{
	struct mg_plat_net_info info;
	mg_plat_handle h = attach_service(&info, false);
	uint8_t buf[60];
	struct mg_plat_frame frame = { buf, make_frame(buf, host_mac, info.mac, 0xd0, 60) };
	size_t n = 0;

	set_link(TAP, false, 0);
	/* A pulled cable loses frames; it is not a device error. */
	CHECK(mg_plat_net_write(h, &frame, 1, &n) == 0);
	CHECK(n == 1);
	mg_unix_detach();
}

static void
test_frames_sent_while_the_link_is_down_are_lost_not_errors(void **state)
{
	(void)state;
	run_in_netns(write_while_down);
}

/* Attach ifname as "service"; expect refusal with needle in the message. */
static void
check_attach_refused(const char *ifname, const char *needle)
{
	struct mg_manifest m;
	struct mg_unix_config cfg = { 0 };
	char err[MG_UNIX_ERR_MAX], flag[64];

	manifest_init(&m, "hello");
	manifest_add(&m, "service", MG_DEVICE_NET);
	snprintf(flag, sizeof(flag), "--net:service=%s", ifname);
	cfg.attach[0] = ifname;
	cfg.flag[0] = flag;
	CHECK(mg_unix_attach(&m, &cfg, err, sizeof(err)) < 0);
	if (strstr(err, needle) == NULL || strncmp(err, "hello: --net:service=", 21) != 0) {
		fprintf(stderr, "# '%s' does not say '%s'\n", err, needle);
		CHECK(!"message");
	}
}

/*
 * With offloads every frame carries the 12-byte virtio-net header both ways: a zero
 * header sends the frame as it is, and what the host sends comes with a header saying
 * nothing was done to it. Read buffers must then hold a 64 KiB frame.
 */
static void
offload_header_on_every_frame(void)
{
	static uint8_t out[MG_PLAT_NET_FRAME_MAX], in[MG_PLAT_NET_FRAME_MAX];
	const uint32_t want = MG_PLAT_NET_VNET_HDR | MG_PLAT_NET_CSUM | MG_PLAT_NET_TSO4 |
			      MG_PLAT_NET_GUEST_CSUM | MG_PLAT_NET_GUEST_TSO4;
	struct mg_plat_net_info info;
	mg_plat_handle h = attach_service(&info, true);
	struct mg_plat_frame f;
	struct mg_vnet_hdr vh;
	uint8_t got[FRAME_MAX];
	uint64_t end;
	size_t n = 0, len;
	int sock = host_socket();

	CHECK((info.offloads & want) == want);
	CHECK(mg_plat_net_frame_max(&info) == MG_PLAT_NET_FRAME_MAX);

	memset(out, 0, MG_VNET_HDR_LEN);
	len = make_frame(out + MG_VNET_HDR_LEN, host_mac, info.mac, 0xc1, 600);
	f = (struct mg_plat_frame){ out, MG_VNET_HDR_LEN + len };
	CHECK(mg_plat_net_write(h, &f, 1, &n) == 0 && n == 1);
	CHECK(host_receive(sock, got, SECOND) == len);
	CHECK(memcmp(got, out + MG_VNET_HDR_LEN, len) == 0);
	/* Shorter than header + Ethernet header, or a read buffer below 64 KiB: refused. */
	f.len = MG_VNET_HDR_LEN + 13;
	CHECK(mg_plat_net_write(h, &f, 1, &n) == -EINVAL && n == 0);
	f = (struct mg_plat_frame){ in, MG_PLAT_NET_FRAME_MAX - 1 };
	CHECK(mg_plat_net_read(h, &f, 1, &n) == -EINVAL);

	len = make_frame(got, info.mac, host_mac, 0xc2, 300);
	CHECK(send(sock, got, len, 0) == (ssize_t)len);
	end = mg_plat_clock_monotonic() + SECOND;
	for (;;) {
		CHECK(mg_plat_clock_monotonic() < end);
		f = (struct mg_plat_frame){ in, sizeof(in) };
		if (mg_plat_net_read(h, &f, 1, &n) != 0) {
			poll(NULL, 0, 10);
			continue;
		}
		if (is_test_frame(in + MG_VNET_HDR_LEN, f.len - MG_VNET_HDR_LEN))
			break;
	}
	CHECK(f.len == MG_VNET_HDR_LEN + len);
	CHECK(mg_vnet_hdr_parse(in, f.len, &vh) == 0);
	CHECK(vh.gso_type == MG_VNET_GSO_NONE && (vh.flags & MG_VNET_F_NEEDS_CSUM) == 0);
	CHECK(memcmp(in + MG_VNET_HDR_LEN, got, len) == 0);
	close(sock);
	mg_unix_detach();
}

static void
test_offloads_put_a_virtio_net_header_on_every_frame(void **state)
{
	(void)state;
	run_in_netns(offload_header_on_every_frame);
}

static void
attach_errors(void)
{
	struct mg_plat_net_info info;
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	pid_t child;
	int fd, status;

	check_attach_refused("nosuch0", "there is no network interface 'nosuch0'; create it "
			     "first: ip tuntap add nosuch0 mode tap");
	/* Nothing may have been created by trying. */
	CHECK(if_nametoindex("nosuch0") == 0);
	check_attach_refused("lo", "'lo' is not a TAP interface");

	create_tap(TAP);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), TAP);
	CHECK(ioctl(fd, TUNSETIFF, &ifr) == 0);
	check_attach_refused(TAP, "TAP interface '" TAP "' is in use by another process");
	close(fd);

	/* An unprivileged user may not attach a TAP interface root owns. */
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		CHECK(setgid(65534) == 0 && setuid(65534) == 0);
		check_attach_refused(TAP, "; run as root");
		_exit(0);
	}
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* The MTU comes from the interface. */
	set_link(TAP, false, 4000);
	{
		struct mg_manifest m;
		struct mg_unix_config cfg = { .attach = { TAP } };
		char err[MG_UNIX_ERR_MAX];
		mg_plat_handle h;

		manifest_init(&m, "hello");
		manifest_add(&m, "service", MG_DEVICE_NET);
		CHECK(mg_unix_attach(&m, &cfg, err, sizeof(err)) == 0);
		CHECK(mg_plat_net_acquire("service", &h, &info) == 0);
		CHECK(info.mtu == 4000);
		CHECK(mg_plat_net_acquire("service", &h, &info) == -EBUSY);
		CHECK(mg_plat_net_acquire("other", &h, &info) == -ENOENT);
		mg_unix_detach();
	}
}

static void
test_tap_attach_errors_say_how_to_fix_them(void **state)
{
	(void)state;
	run_in_netns(attach_errors);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_write_and_read_move_real_frames),
		cmocka_unit_test(test_frames_of_wrong_size_are_refused_before_any_is_sent),
		cmocka_unit_test(test_frames_sent_while_the_link_is_down_are_lost_not_errors),
		cmocka_unit_test(test_tap_attach_errors_say_how_to_fix_them),
		cmocka_unit_test(test_offloads_put_a_virtio_net_header_on_every_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
