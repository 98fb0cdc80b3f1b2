/* SPDX-License-Identifier: ISC */
/*
 * devices.c -- the unix target's table of attached devices: attaching them at start,
 * handing out handles, and waiting on them in mg_plat_yield().
 *
 * Device slots mirror manifest->devices (attached at start, before the app runs); handles
 * are given out in acquire order and index a second, smaller table. The app can therefore
 * only ever reach a device the manifest declares and the command line attached.
 */
/* ppoll() */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "unix.h"

static struct {
	const struct mg_manifest *manifest;
	struct mg_unix_device slots[MG_MANIFEST_MAX_DEVICES];
	struct mg_unix_device *handles[MG_PLAT_HANDLE_MAX];
	size_t handle_count;
} devices;

static struct mg_unix_device *acquire(const char *name, uint32_t type, mg_plat_handle *handle);
static struct timespec timeout_until(uint64_t deadline_ns);

void
mg_unix_detach(void)
{
	size_t i;

	for (i = 0; i < MG_MANIFEST_MAX_DEVICES; i++)
		if (devices.manifest != NULL && devices.slots[i].fd >= 0)
			close(devices.slots[i].fd);
	memset(&devices, 0, sizeof(devices));
}

int
mg_unix_attach(const struct mg_manifest *m, const struct mg_unix_config *cfg, char *err,
	       size_t err_len)
{
	char why[MG_UNIX_ERR_MAX];
	uint32_t i;
	int rc = 0;

	mg_unix_detach();
	devices.manifest = m;
	for (i = 0; i < MG_MANIFEST_MAX_DEVICES; i++)
		devices.slots[i].fd = -1;
	for (i = 0; i < m->device_count; i++) {
		struct mg_unix_device *dev = &devices.slots[i];

		dev->type = m->devices[i].type;
		if (cfg->attach[i] == NULL) {
			snprintf(why, sizeof(why), "device is not attached; expected a flag "
				 "for it");
			rc = -EINVAL;
		} else if (dev->type == MG_DEVICE_NET) {
			rc = mg_unix_tap_open(cfg->attach[i], !cfg->net_offload_off, dev, why,
					      sizeof(why));
		} else {
			rc = mg_unix_block_open(cfg->attach[i], dev, why, sizeof(why));
		}
		if (rc < 0) {
			snprintf(err, err_len, "%s: %s: %s", m->app_name,
				 cfg->flag[i] != NULL ? cfg->flag[i] : m->devices[i].name, why);
			goto fail;
		}
	}
	return 0;
fail:
	mg_unix_detach();
	return rc;
}

static struct mg_unix_device *
acquire(const char *name, uint32_t type, mg_plat_handle *handle)
{
	const struct mg_manifest_device *d;
	struct mg_unix_device *dev;

	d = mg_manifest_find(devices.manifest, name);
	if (d == NULL || d->type != type)
		return NULL;
	dev = &devices.slots[d - devices.manifest->devices];
	if (dev->fd < 0)
		return NULL;
	if (!dev->acquired) {
		/* The manifest holds at most 32 devices, so handles never run out. */
		*handle = devices.handle_count;
		devices.handles[devices.handle_count++] = dev;
	}
	return dev;
}

int
mg_plat_net_acquire(const char *name, mg_plat_handle *handle, struct mg_plat_net_info *info)
{
	struct mg_unix_device *dev;
	mg_plat_handle h = 0;

	if (handle == NULL || info == NULL)
		return -EINVAL;
	dev = acquire(name, MG_DEVICE_NET, &h);
	if (dev == NULL)
		return -ENOENT;
	if (dev->acquired)
		return -EBUSY;
	dev->acquired = true;
	*handle = h;
	*info = dev->net;
	return 0;
}

int
mg_plat_block_acquire(const char *name, mg_plat_handle *handle,
		      struct mg_plat_block_info *info)
{
	struct mg_unix_device *dev;
	mg_plat_handle h = 0;

	if (handle == NULL || info == NULL)
		return -EINVAL;
	dev = acquire(name, MG_DEVICE_BLOCK, &h);
	if (dev == NULL)
		return -ENOENT;
	if (dev->acquired)
		return -EBUSY;
	dev->acquired = true;
	*handle = h;
	info->capacity = dev->capacity;
	info->block_size = 512;
	return 0;
}

struct mg_unix_device *
mg_unix_device_get(mg_plat_handle handle, uint32_t type)
{
	struct mg_unix_device *dev;

	if (handle >= devices.handle_count)
		return NULL;
	dev = devices.handles[handle];
	return dev->type == type ? dev : NULL;
}

/*
 * The relative timeout until deadline_ns on the monotonic clock. ppoll() sleeps at least
 * that long measured on the same clock, so the caller never wakes before the deadline.
 */
static struct timespec
timeout_until(uint64_t deadline_ns)
{
	uint64_t now = mg_plat_clock_monotonic(), left;
	struct timespec ts;

	left = deadline_ns > now ? deadline_ns - now : 0;
	ts.tv_sec = (time_t)(left / 1000000000u);
	ts.tv_nsec = (long)(left % 1000000000u);
	return ts;
}

void
mg_plat_yield(uint64_t deadline_ns, mg_plat_handle_set *ready)
{
	struct pollfd fds[MG_PLAT_HANDLE_MAX];
	mg_plat_handle handle_of[MG_PLAT_HANDLE_MAX];
	struct timespec timeout;
	nfds_t n = 0;
	mg_plat_handle_set ignored;
	size_t h;

	if (ready == NULL)
		ready = &ignored;
	*ready = 0;
	for (h = 0; h < devices.handle_count; h++) {
		if (devices.handles[h]->type != MG_DEVICE_NET)
			continue;
		fds[n].fd = devices.handles[h]->fd;
		fds[n].events = POLLIN;
		fds[n].revents = 0;
		handle_of[n++] = h;
	}
	timeout = timeout_until(deadline_ns);
	/*
	 * A signal (EINTR) or a transient failure is a spurious return, which plat.h allows:
	 * the caller looks at the clock and calls again.
	 */
	if (ppoll(fds, n, &timeout, NULL) <= 0)
		return;
	for (h = 0; h < n; h++)
		if (fds[h].revents & (POLLIN | POLLERR | POLLHUP))
			*ready |= (mg_plat_handle_set)1 << handle_of[h];
}
