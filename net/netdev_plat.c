/* SPDX-License-Identifier: ISC */
/*
 * netdev_plat.c -- network devices over the platform ABI (mg_plat_net_*), and
 * mg_net_open(), the usual start of a networked unikernel. Kept apart from netdev.c so
 * that tests and simulations link the stack without a platform.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/net.h>
#include <morgana/runtime.h>

#include "internal.h"

static void plat_on_input(void *arg);

static char open_error[256];

struct plat_driver {
	mg_plat_handle handle;
};

static int
plat_read(struct mg_netdev *dev, struct mg_plat_frame *frames, size_t count,
	  size_t *received)
{
	const struct plat_driver *d = dev->driver;

	return mg_plat_net_read(d->handle, frames, count, received);
}

static int
plat_write(struct mg_netdev *dev, const struct mg_plat_frame *frames, size_t count,
	   size_t *sent)
{
	const struct plat_driver *d = dev->driver;

	return mg_plat_net_write(d->handle, frames, count, sent);
}

static void
plat_close(struct mg_netdev *dev)
{
	struct plat_driver *d = dev->driver;

	mg_runtime_unwatch(d->handle);
	free(d);
	dev->driver = NULL;
}

static const struct mg_netdev_ops plat_ops = {
	.read = plat_read,
	.write = plat_write,
	.close = plat_close,
};

/* Level-triggered: whatever is left after a few batches brings us back next pass, so
 * one busy device cannot starve timers and fibers. */
static void
plat_on_input(void *arg)
{
	mg_netdev_poll(arg, 4);
}

int
mg_netdev_plat_open(struct mg_netdev *dev, const char *name)
{
	struct mg_plat_net_info info;
	struct plat_driver *d;
	int err;

	d = malloc(sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	err = mg_plat_net_acquire(name, &d->handle, &info);
	if (err != 0)
		goto fail;
	dev->ops = &plat_ops;
	dev->driver = d;
	memcpy(dev->mac.b, info.mac, 6);
	dev->mtu = info.mtu;
	dev->offloads = info.offloads;
	err = mg_netdev_init(dev, 0, 0);
	if (err != 0)
		goto fail;
	err = mg_runtime_watch(d->handle, plat_on_input, dev);
	if (err != 0) {
		mg_netdev_fini(dev);	/* frees d through plat_close */
		return err;
	}
	return 0;
fail:
	free(d);
	dev->driver = NULL;
	return err;
}

int
mg_net_open(const char *devname, int *argc, char **argv, struct mg_net **out)
{
	struct mg_net_config cfg = { 0 };
	struct mg_netdev *dev;
	char why[200];
	int err;

	open_error[0] = '\0';
	if ((err = mg_net_config_from_args(argc, argv, &cfg, why, sizeof(why))) != 0) {
		snprintf(open_error, sizeof(open_error), "%s", why);
		return err;
	}
	if (cfg.addr == 0) {
		snprintf(open_error, sizeof(open_error), "no address: give one with "
			 "--ipv4=ADDRESS/PREFIX, e.g. --ipv4=10.0.0.2/24");
		return -EINVAL;
	}
	dev = calloc(1, sizeof(*dev));
	if (dev == NULL) {
		snprintf(open_error, sizeof(open_error), "out of memory");
		return -ENOMEM;
	}
	if ((err = mg_netdev_plat_open(dev, devname)) != 0) {
		snprintf(open_error, sizeof(open_error), "cannot open network device '%s': %s",
			 devname, err == -ENOENT ? "the manifest declares no such device "
			 "(add `net = NAME` to unikernel.conf)" : strerror(-err));
		free(dev);
		return err;
	}
	if ((err = mg_net_create(dev, &cfg, out)) != 0) {
		snprintf(open_error, sizeof(open_error), "cannot create the stack: %s",
			 strerror(-err));
		mg_netdev_fini(dev);
		free(dev);
		return err;
	}
	{
		char a[16], g[16];

		mg_log_info(&mg_net_log, "%s: %s/%u gateway %s mtu %u offloads %s%s%s", devname,
			    mg_ipv4_addr_format(cfg.addr, a), cfg.prefix_len,
			    cfg.gateway ? mg_ipv4_addr_format(cfg.gateway, g) : "none",
			    dev->mtu, dev->offloads == 0 ? "off" : "csum",
			    (dev->offloads & MG_PLAT_NET_TSO4) ? " tso4" : "",
			    (dev->offloads & MG_PLAT_NET_GUEST_TSO4) ? " rx-coalesce" : "");
	}
	return 0;
}

const char *
mg_net_open_error(void)
{
	return open_error;
}
