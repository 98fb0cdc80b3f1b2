/* SPDX-License-Identifier: ISC */
/*
 * net.c -- network devices of the unix target: Ethernet frames over a Linux TAP interface.
 *
 * The TAP interface must exist before start (`ip tuntap add NAME mode tap`): attaching
 * to a name that does not exist would make the kernel create a transient interface that
 * nobody configured, which only ever looks like a network that silently does nothing.
 * The descriptor is non-blocking; mg_plat_yield() is where the unikernel waits.
 *
 * Offloads: unless --net-offload=off, the TAP is opened with IFF_VNET_HDR and a 12-byte
 * header (virtio 1.0's struct virtio_net_hdr_v1, the layout a virtio-net device uses, so
 * the stack has one format for both); writes may then ask for checksums and TCP
 * segmentation, and TUNSETOFFLOAD lets the kernel hand us partial checksums and
 * coalesced TCP frames of up to 64 KiB -- one read or write per 64 KiB instead of per
 * 1.5 KiB. The kernel may refuse some of them; plat.h's offload bits say what was
 * granted.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/tap.h"
#include "unix.h"

#define ETHER_HEADER_LEN	14
#define DEFAULT_MTU		1500

static uint16_t interface_mtu(const char *ifname);
static int tap_error(int error, const char *ifname, char *err, size_t err_len);

/*
 * The interface's MTU as the host configured it, so that the stack never builds frames
 * the host side would drop. Falls back to 1500 if the host will not say.
 */
static uint16_t
interface_mtu(const char *ifname)
{
	struct ifreq ifr;
	int sock, mtu = DEFAULT_MTU;

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return DEFAULT_MTU;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(sock, SIOCGIFMTU, &ifr) == 0)
		mtu = ifr.ifr_mtu;
	close(sock);
	if (mtu < 68 || mtu > UINT16_MAX - ETHER_HEADER_LEN)
		mtu = DEFAULT_MTU;
	return (uint16_t)mtu;
}

/* Turn an attach failure into a reason and a fix. */
static int
tap_error(int error, const char *ifname, char *err, size_t err_len)
{
	switch (error) {
	case EPERM:
	case EACCES:
		snprintf(err, err_len, "cannot attach TAP interface '%s': %s; run as root (or "
			 "with CAP_NET_ADMIN), or give it to your user: ip tuntap add %s mode "
			 "tap user $USER", ifname, strerror(error), ifname);
		break;
	case EBUSY:
		snprintf(err, err_len, "TAP interface '%s' is in use by another process; stop "
			 "it or create another: ip tuntap add NAME mode tap", ifname);
		break;
	case EINVAL:
		snprintf(err, err_len, "'%s' is not a TAP interface; create one: ip tuntap add "
			 "NAME mode tap", ifname);
		break;
	default:
		snprintf(err, err_len, "cannot attach TAP interface '%s': %s; check that it "
			 "exists: ip link show %s", ifname, strerror(error), ifname);
		break;
	}
	return -error;
}

int
mg_unix_tap_open(const char *ifname, bool offload, struct mg_unix_device *dev, char *err,
		 size_t err_len)
{
	struct ifreq ifr;
	int fd, error;

	if (if_nametoindex(ifname) == 0) {
		snprintf(err, err_len, "there is no network interface '%s'; create it first: "
			 "ip tuntap add %s mode tap && ip link set %s up", ifname, ifname,
			 ifname);
		return -ENODEV;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		error = errno;
		snprintf(err, err_len, "cannot open /dev/net/tun: %s; %s", strerror(error),
			 error == ENOENT ? "load the tun module: modprobe tun"
					 : "run as root (or with CAP_NET_ADMIN)");
		return -error;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		error = errno;
		close(fd);
		return tap_error(error, ifname, err, err_len);
	}
	dev->net.offloads = offload ? mg_tap_offloads(fd) : 0;
	if (offload && dev->net.offloads == 0) {
		close(fd);
		snprintf(err, err_len, "TAP interface '%s' refuses a 12-byte virtio-net header: "
			 "%s; run with --net-offload=off", ifname, strerror(errno));
		return -EINVAL;
	}
	error = mg_unix_random(dev->net.mac, sizeof(dev->net.mac));
	if (error < 0) {
		close(fd);
		snprintf(err, err_len, "cannot draw a MAC address: %s; check getrandom(2)",
			 strerror(-error));
		return error;
	}
	/* Locally administered (bit 1 set), unicast (bit 0 clear). */
	dev->net.mac[0] = (uint8_t)((dev->net.mac[0] & 0xfc) | 0x02);
	dev->net.mtu = interface_mtu(ifname);
	dev->fd = fd;
	return 0;
}

int
mg_plat_net_write(mg_plat_handle handle, const struct mg_plat_frame *frames, size_t count,
		  size_t *sent)
{
	struct mg_unix_device *dev = mg_unix_device_get(handle, MG_DEVICE_NET);
	size_t i, max_len, min_len;
	ssize_t n;

	if (sent != NULL)
		*sent = 0;
	if (dev == NULL || sent == NULL || (frames == NULL && count > 0))
		return -EINVAL;
	max_len = mg_plat_net_frame_max(&dev->net);
	min_len = ETHER_HEADER_LEN + (dev->net.offloads ? MG_PLAT_NET_VNET_HDR_LEN : 0);
	for (i = 0; i < count; i++)
		if (frames[i].buf == NULL || frames[i].len < min_len || frames[i].len > max_len)
			return -EINVAL;
	for (i = 0; i < count; i++) {
		do
			n = write(dev->fd, frames[i].buf, frames[i].len);
		while (n < 0 && errno == EINTR);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/*
		 * A down interface refuses frames with EIO; that is a cable pulled out, not a
		 * broken device, so the frame counts as sent and is lost on the wire.
		 */
		if (n < 0 && errno == EIO)
			n = (ssize_t)frames[i].len;
		/* A header the kernel refuses loses that frame only (plat.h). */
		if (n < 0 && errno == EINVAL && dev->net.offloads != 0)
			n = (ssize_t)frames[i].len;
		if (n < 0 || (size_t)n != frames[i].len)
			return -EIO;
		(*sent)++;
	}
	return 0;
}

int
mg_plat_net_read(mg_plat_handle handle, struct mg_plat_frame *frames, size_t count,
		 size_t *received)
{
	struct mg_unix_device *dev = mg_unix_device_get(handle, MG_DEVICE_NET);
	size_t i, min_len;
	ssize_t n;

	if (received != NULL)
		*received = 0;
	if (dev == NULL || received == NULL || frames == NULL || count == 0)
		return -EINVAL;
	min_len = mg_plat_net_frame_max(&dev->net);
	for (i = 0; i < count; i++)
		if (frames[i].buf == NULL || frames[i].len < min_len)
			return -EINVAL;
	for (i = 0; i < count; i++) {
		do
			n = read(dev->fd, frames[i].buf, frames[i].len);
		while (n < 0 && errno == EINTR);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			/* Hand over what already arrived; the error will come back next call. */
			return i > 0 ? 0 : -EIO;
		frames[i].len = (size_t)n;
		(*received)++;
	}
	return *received > 0 ? 0 : -EAGAIN;
}
