/* SPDX-License-Identifier: ISC */
/*
 * fake_plat_net.c -- the network calls of plat.h for tests on the fake platform: there
 * is no platform device (the tests bring their own, e.g. the simulated link of net/sim/),
 * so acquiring one fails and reading or writing one is an error.
 */
#include <errno.h>

#include <morgana/plat.h>

int
mg_plat_net_acquire(const char *name, mg_plat_handle *handle, struct mg_plat_net_info *info)
{
	(void)name;
	(void)handle;
	(void)info;
	return -ENOENT;
}

int
mg_plat_net_write(mg_plat_handle handle, const struct mg_plat_frame *frames, size_t count,
		  size_t *sent)
{
	(void)handle;
	(void)frames;
	(void)count;
	*sent = 0;
	return -EBADF;
}

int
mg_plat_net_read(mg_plat_handle handle, struct mg_plat_frame *frames, size_t count,
		 size_t *received)
{
	(void)handle;
	(void)frames;
	(void)count;
	*received = 0;
	return -EBADF;
}
