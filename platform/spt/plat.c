/* SPDX-License-Identifier: ISC */
/*
 * plat.c -- the platform ABI (morgana/plat.h) on spt: each call is one or a few raw Linux
 * system calls on the file descriptors the tender opened and named in the boot info.
 * Every check plat.h promises is made here, before the kernel sees anything, so a
 * correct guest never trips the seccomp filter. A handle is the device's index in the
 * manifest, as on hvt.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "spt.h"
#include "sys.h"

#define ETHER_HEADER	14u
#define NS_PER_S	1000000000ull

static const struct mg_spt_boot_info *boot;
static uint64_t acquired;	/* bit h: handle h was acquired */

void
mg_spt_plat_init(const struct mg_spt_boot_info *info)
{
	boot = info;
}

void
mg_plat_console_write(const char *buf, size_t len)
{
	struct spt_pollfd out = { .fd = 1, .events = SPT_POLLOUT };
	long n;

	while (len > 0) {
		n = spt_syscall3(SPT_SYS_WRITE, 1, (long)buf, (long)len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == -EINTR) {
			continue;
		} else if (n == -EAGAIN) {
			/* Someone made our stdout non-blocking; wait instead of dropping. */
			spt_syscall4(SPT_SYS_PPOLL, (long)&out, 1, 0, 0);
		} else {
			return;	/* a closed or broken console has nobody left to tell */
		}
	}
}

static uint64_t
clock_ns(int clock)
{
	struct spt_timespec ts;

	if (spt_syscall3(SPT_SYS_CLOCK_GETTIME, clock, (long)&ts, 0) != 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

uint64_t
mg_plat_clock_monotonic(void)
{
	return clock_ns(SPT_CLOCK_MONOTONIC);
}

uint64_t
mg_plat_clock_wall(void)
{
	return clock_ns(SPT_CLOCK_REALTIME);
}

void
mg_plat_yield(uint64_t deadline_ns, mg_plat_handle_set *ready)
{
	struct spt_pollfd fds[MG_MANIFEST_MAX_DEVICES];
	uint8_t handle_of[MG_MANIFEST_MAX_DEVICES];
	uint64_t now = mg_plat_clock_monotonic(), wait = deadline_ns > now ? deadline_ns - now : 0;
	struct spt_timespec ts = { .tv_sec = (int64_t)(wait / NS_PER_S),
				   .tv_nsec = (int64_t)(wait % NS_PER_S) };
	mg_plat_handle_set set = 0;
	long n, count = 0;

	for (uint32_t h = 0; h < boot->device_count; h++) {
		if (!(acquired & (1ull << h)) || boot->devices[h].type != MG_DEVICE_NET)
			continue;
		fds[count] = (struct spt_pollfd){ .fd = boot->devices[h].fd,
						  .events = SPT_POLLIN };
		handle_of[count++] = (uint8_t)h;
	}
	n = spt_syscall4(SPT_SYS_PPOLL, (long)fds, count, (long)&ts, 0);
	/* Errors and hang-ups count as ready: the reader then sees -EIO, not silence. */
	for (long i = 0; n > 0 && i < count; i++)
		if (fds[i].revents & (SPT_POLLIN | SPT_POLLERR | SPT_POLLHUP))
			set |= 1ull << handle_of[i];
	if (ready != NULL)
		*ready = set;
}

_Noreturn void
mg_plat_exit(int status)
{
	spt_exit_group(status & 0xff);
}

_Noreturn void
mg_plat_abort(void)
{
	static const char msg[] = "morgana-spt: guest aborted\n";

	spt_syscall3(SPT_SYS_WRITE, 2, (long)msg, sizeof(msg) - 1);
	spt_exit_group(255);
}

/* The manifest index of device name of the given type, marked acquired; or -errno. */
static int
acquire(const char *name, uint32_t type, mg_plat_handle *handle)
{
	const struct mg_manifest *m = boot->plat.manifest;
	const struct mg_manifest_device *d = mg_manifest_find(m, name);
	uint64_t index;

	if (d == NULL || d->type != type)
		return -ENOENT;
	index = (uint64_t)(d - m->devices);
	if (acquired & (1ull << index))
		return -EBUSY;
	acquired |= 1ull << index;
	*handle = index;
	return 0;
}

/* The device behind an acquired handle of the given type, or NULL. */
static const struct mg_spt_device *
device(mg_plat_handle handle, uint32_t type)
{
	if (handle >= MG_PLAT_HANDLE_MAX || !(acquired & (1ull << handle)) ||
	    boot->devices[handle].type != type)
		return NULL;
	return &boot->devices[handle];
}

/* The longest frame of dev, the virtio-net header included when it has one. */
static size_t
frame_max(const struct mg_spt_device *dev)
{
	const struct mg_plat_net_info info = { .mtu = dev->mtu, .offloads = dev->offloads };

	return mg_plat_net_frame_max(&info);
}

int
mg_plat_net_acquire(const char *name, mg_plat_handle *handle, struct mg_plat_net_info *info)
{
	const struct mg_spt_device *dev;
	int rc = acquire(name, MG_DEVICE_NET, handle);

	if (rc != 0)
		return rc;
	dev = &boot->devices[*handle];
	for (int i = 0; i < 6; i++)
		info->mac[i] = dev->mac[i];
	info->mtu = dev->mtu;
	info->offloads = dev->offloads;
	return 0;
}

int
mg_plat_net_write(mg_plat_handle handle, const struct mg_plat_frame *frames, size_t count,
		  size_t *sent)
{
	const struct mg_spt_device *dev = device(handle, MG_DEVICE_NET);
	long n;

	*sent = 0;
	if (dev == NULL)
		return -EINVAL;
	for (size_t i = 0; i < count; i++)
		if (frames[i].len < ETHER_HEADER + (dev->offloads ? MG_PLAT_NET_VNET_HDR_LEN : 0) ||
		    frames[i].len > frame_max(dev))
			return -EINVAL;
	/* A TAP takes one frame per write; a full queue answers -EAGAIN. */
	while (*sent < count) {
		const struct mg_plat_frame *f = &frames[*sent];

		n = spt_syscall3(SPT_SYS_WRITE, dev->fd, (long)f->buf, (long)f->len);
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN)
			break;
		/* A header the kernel refuses loses that frame only (plat.h). */
		if (n == -EINVAL && dev->offloads != 0)
			n = (long)f->len;
		if (n != (long)f->len)
			return -EIO;
		(*sent)++;
	}
	return 0;
}

int
mg_plat_net_read(mg_plat_handle handle, struct mg_plat_frame *frames, size_t count,
		 size_t *received)
{
	const struct mg_spt_device *dev = device(handle, MG_DEVICE_NET);
	long n;

	*received = 0;
	if (dev == NULL)
		return -EINVAL;
	for (size_t i = 0; i < count; i++)
		if (frames[i].buf == NULL || frames[i].len < frame_max(dev))
			return -EINVAL;
	while (*received < count) {
		struct mg_plat_frame *f = &frames[*received];

		n = spt_syscall3(SPT_SYS_READ, dev->fd, (long)f->buf, (long)f->len);
		if (n == -EINTR)
			continue;
		if (n == -EAGAIN || n == 0)
			break;
		if (n < 0)
			return *received > 0 ? 0 : -EIO;
		f->len = (size_t)n;
		(*received)++;
	}
	return *received > 0 ? 0 : -EAGAIN;
}

int
mg_plat_block_acquire(const char *name, mg_plat_handle *handle, struct mg_plat_block_info *info)
{
	int rc = acquire(name, MG_DEVICE_BLOCK, handle);

	if (rc != 0)
		return rc;
	info->capacity = boot->devices[*handle].capacity;
	info->block_size = boot->devices[*handle].block_size;
	return 0;
}

/* Check a transfer against plat.h's rules, then move it with pread64/pwrite64. */
static int
block_io(long nr, mg_plat_handle handle, uint64_t offset, uintptr_t buf, size_t len)
{
	const struct mg_spt_device *dev = device(handle, MG_DEVICE_BLOCK);
	long n;

	if (dev == NULL || buf == 0 || len == 0 || offset % dev->block_size != 0 ||
	    len % dev->block_size != 0 || len > dev->capacity || offset > dev->capacity - len ||
	    offset + len > (uint64_t)INT64_MAX)
		return -EINVAL;
	while (len > 0) {
		n = spt_syscall4(nr, dev->fd, (long)buf, (long)len, (long)offset);
		if (n == -EINTR)
			continue;
		if (n <= 0)	/* 0: the file shrank under us; the host broke the device */
			return -EIO;
		buf += (uintptr_t)n;
		offset += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int
mg_plat_block_write(mg_plat_handle handle, uint64_t offset, const void *buf, size_t len)
{
	return block_io(SPT_SYS_PWRITE64, handle, offset, (uintptr_t)buf, len);
}

int
mg_plat_block_read(mg_plat_handle handle, uint64_t offset, void *buf, size_t len)
{
	return block_io(SPT_SYS_PREAD64, handle, offset, (uintptr_t)buf, len);
}
