/* SPDX-License-Identifier: ISC */
/*
 * devices.c -- the host side of the guest's devices: TAP interfaces for network devices,
 * files for block devices. Devices are matched against the image's manifest by name, both
 * ways: the tender refuses to start an image when a declared device is missing or an
 * attached one was not declared, so a guest only ever reaches what it asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <morgana/plat.h>

#include "../../platform/common/tap.h"
#include "tender.h"

#define NET_MTU		1500u
#define BLOCK_SIZE	512u

int
mg_tender_device_parse(const char *opt, struct mg_tender_device_arg *arg)
{
	const char *name, *eq;

	if (strncmp(opt, "--net:", 6) == 0) {
		arg->type = MG_DEVICE_NET;
		name = opt + 6;
	} else if (strncmp(opt, "--block:", 8) == 0) {
		arg->type = MG_DEVICE_BLOCK;
		name = opt + 8;
	} else {
		return -EINVAL;
	}
	eq = strchr(name, '=');
	if (eq == NULL || eq == name || (size_t)(eq - name) >= MG_NAME_MAX || eq[1] == '\0')
		return -EINVAL;
	memset(arg->name, 0, sizeof(arg->name));
	memcpy(arg->name, name, (size_t)(eq - name));
	arg->path = eq + 1;
	return 0;
}

static int
open_tap(const char *ifname, bool offload, struct mg_tender_device *dev, char *why,
	 size_t why_len)
{
	struct ifreq ifr;
	int fd, err;

	if (strlen(ifname) >= IFNAMSIZ) {
		snprintf(why, why_len, "TAP interface name too long: %s", ifname);
		return -EINVAL;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto fail;
	dev->offloads = offload ? mg_tap_offloads(fd) : 0;
	if (offload && dev->offloads == 0)
		goto fail;
	/* A random, locally administered, unicast address. */
	if (getrandom(dev->mac, sizeof(dev->mac), 0) != sizeof(dev->mac))
		goto fail;
	dev->mac[0] = (uint8_t)((dev->mac[0] & 0xfe) | 0x02);
	dev->mtu = NET_MTU;
	dev->fd = fd;
	return 0;
fail:
	err = errno;
	snprintf(why, why_len, "TAP interface %s: %s", ifname, strerror(err));
	if (fd >= 0)
		close(fd);
	return -err;
}

static int
open_block(const char *path, struct mg_tender_device *dev, char *why, size_t why_len)
{
	struct stat st;
	int fd, err;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);

		if (end < 0)
			goto fail;
		st.st_size = end;
	}
	dev->block_size = BLOCK_SIZE;
	dev->capacity = (uint64_t)st.st_size / BLOCK_SIZE * BLOCK_SIZE;
	dev->fd = fd;
	return 0;
fail:
	err = errno;
	snprintf(why, why_len, "block file %s: %s", path, strerror(err));
	if (fd >= 0)
		close(fd);
	return -err;
}

int
mg_tender_devices_attach(struct mg_tender_device devices[MG_MANIFEST_MAX_DEVICES],
			 const struct mg_manifest *m, const struct mg_tender_device_arg *args,
			 size_t count, bool offload, char *why, size_t why_len)
{
	static const char *const kind[] = { "", "network", "block" };
	uint32_t i;
	int rc = 0;

	for (size_t a = 0; a < count; a++) {
		const struct mg_manifest_device *d = mg_manifest_find(m, args[a].name);

		if (d == NULL || d->type != args[a].type) {
			snprintf(why, why_len, "the image declares no %s device '%s'",
				 kind[args[a].type], args[a].name);
			return -ENOENT;
		}
		for (size_t b = 0; b < a; b++)
			if (strcmp(args[b].name, args[a].name) == 0) {
				snprintf(why, why_len, "device '%s' given twice", args[a].name);
				return -EINVAL;
			}
	}
	for (i = 0; i < m->device_count; i++)
		devices[i] = (struct mg_tender_device){ .type = 0, .fd = -1 };
	for (i = 0; i < m->device_count; i++) {
		const struct mg_manifest_device *d = &m->devices[i];
		const struct mg_tender_device_arg *arg = NULL;

		for (size_t a = 0; a < count; a++)
			if (strcmp(args[a].name, d->name) == 0)
				arg = &args[a];
		if (arg == NULL) {
			snprintf(why, why_len, "the image needs %s device '%s': give --%s:%s=%s",
				 kind[d->type], d->name, d->type == MG_DEVICE_NET ? "net" : "block",
				 d->name, d->type == MG_DEVICE_NET ? "TAPIF" : "PATH");
			rc = -ENOENT;
			break;
		}
		if (d->type == MG_DEVICE_NET)
			rc = open_tap(arg->path, offload, &devices[i], why, why_len);
		else
			rc = open_block(arg->path, &devices[i], why, why_len);
		if (rc != 0)
			break;
		devices[i].type = d->type;
	}
	if (rc != 0)
		mg_tender_devices_close(devices, m->device_count);
	return rc;
}

void
mg_tender_devices_close(struct mg_tender_device *devices, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (devices[i].type != 0 && devices[i].fd >= 0)
			close(devices[i].fd);
		devices[i].type = 0;
		devices[i].fd = -1;
	}
}
