/* SPDX-License-Identifier: ISC */
/*
 * plat.c -- the platform ABI (morgana/plat.h) on hvt: each call is a hypercall to the
 * tender, except the monotonic clock, which reads the TSC (no VM exit) and scales it by
 * the frequency the tender measured, network frames, which go through rings in guest
 * memory (netq.c) when they fit in the heap, and console output, which waits in a
 * buffer the tender empties whenever the guest stops anyway. Devices are the manifest's:
 * a handle is the device's index in it, which is also the tender's name for it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hvt.h"

_Static_assert(sizeof(struct mg_plat_frame) == sizeof(struct mg_hvt_frame) &&
	       offsetof(struct mg_plat_frame, len) == offsetof(struct mg_hvt_frame, len),
	       "a batch of mg_plat_frame is passed to the tender as mg_hvt_frame");

/* Written by _start (start.S): the TSC at the image's first instruction. */
uint64_t mg_hvt_tsc_at_start;

static const struct mg_manifest *manifest;
static uint64_t tsc_hz, tsc_origin;
static size_t heap_size;
static uint64_t acquired;	/* bit h: handle h was acquired */
static uint64_t polled;		/* bit h: network device h has no rings: POLL asks the TAP */

/*
 * The console buffer, named to the tender in a note (hvt_abi.h): output waits here until
 * the guest next stops for a hypercall (POLL when it has nothing to do, EXIT, ABORT, a
 * fault), or until it has waited CONSOLE_HOLD_NS, so that a busy unikernel's log costs
 * no VM exit per line.
 */
#define CONSOLE_SIZE	(16 * 1024)
#define CONSOLE_HOLD_NS	(10 * 1000 * 1000)

static struct {
	struct mg_hvt_console_buf h;
	uint8_t data[CONSOLE_SIZE - sizeof(struct mg_hvt_console_buf)];
} console __attribute__((aligned(64)));
static uint64_t console_since;	/* when the oldest byte in the buffer was written */

MG_HVT_CONSOLE_NOTE(console);

static uint64_t
rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

void
mg_hvt_plat_init(const struct mg_plat_boot_info *info)
{
	manifest = info->manifest;
	tsc_hz = info->tsc_hz;
	tsc_origin = mg_hvt_tsc_at_start;
	heap_size = info->heap_size;
}

/* Have the tender write out the buffer, then len bytes of buf (0: just the buffer). */
static void
console_call(const char *buf, size_t len)
{
	struct mg_hvt_console c = { .data = (uintptr_t)buf, .len = len };

	mg_hvt_call(MG_HVT_CALL_CONSOLE, &c);
}

void
mg_plat_console_write(const char *buf, size_t len)
{
	uint32_t used = console.h.len;
	uint64_t now;

	if (len > sizeof(console.data) - used) {
		console_call(buf, len);
		return;
	}
	now = mg_plat_clock_monotonic();
	if (used == 0)
		console_since = now;
	memcpy(console.data + used, buf, len);
	/* The tender reads len only while the vCPU is stopped: a compiler barrier will do. */
	__atomic_store_n(&console.h.len, used + (uint32_t)len, __ATOMIC_RELEASE);
	if (now - console_since >= CONSOLE_HOLD_NS)
		console_call(buf, 0);
}

uint64_t
mg_plat_clock_monotonic(void)
{
	uint64_t ticks = rdtsc() - tsc_origin;

	/* Split so that nothing overflows for ~580 years at 1 GHz: ticks % hz < hz. */
	return ticks / tsc_hz * 1000000000u + ticks % tsc_hz * 1000000000u / tsc_hz;
}

/*
 * The host's wall clock is asked at most every WALL_SYNC_NS; in between it is the
 * monotonic clock plus the offset of the last answer. A server that stamps every
 * response with the date (HTTP) would otherwise pay a VM exit per response.
 */
#define WALL_SYNC_NS	(1000 * 1000 * 1000)

uint64_t
mg_plat_clock_wall(void)
{
	static uint64_t offset, synced_at;
	static int synced;
	struct mg_hvt_walltime w = { 0 };
	uint64_t now = mg_plat_clock_monotonic();

	if (!synced || now - synced_at >= WALL_SYNC_NS) {
		mg_hvt_call(MG_HVT_CALL_WALLTIME, &w);
		now = mg_plat_clock_monotonic();
		offset = w.ns - now;
		synced_at = now;
		synced = 1;
	}
	return now + offset;
}

/*
 * Frames waiting on a ring, or a deadline already past, need no exit (unless a device
 * without rings must be asked); only waiting does: the tender's POLL returns when a ring
 * gets a frame.
 */
void
mg_plat_yield(uint64_t deadline_ns, mg_plat_handle_set *ready)
{
	uint64_t now = mg_plat_clock_monotonic(), waiting = mg_hvt_netq_ready();
	struct mg_hvt_poll p = { .timeout_ns = deadline_ns > now ? deadline_ns - now : 0 };

	if (polled == 0 && (waiting != 0 || p.timeout_ns == 0)) {
		if (ready != NULL)
			*ready = waiting & acquired;
		if (console.h.len != 0 && now - console_since >= CONSOLE_HOLD_NS)
			console_call((const char *)console.data, 0);
		return;
	}
	if (waiting != 0)
		p.timeout_ns = 0;
	mg_hvt_call(MG_HVT_CALL_POLL, &p);
	if (ready != NULL)
		*ready = (p.ready | waiting) & acquired;
}

_Noreturn void
mg_plat_exit(int status)
{
	struct mg_hvt_exit e = { .status = status };

	mg_hvt_call(MG_HVT_CALL_EXIT, &e);
	__builtin_unreachable();
}

_Noreturn void
mg_plat_abort(void)
{
	struct mg_hvt_exit e = { .status = 255 };

	mg_hvt_call(MG_HVT_CALL_ABORT, &e);
	__builtin_unreachable();
}

/* The manifest index of device name of the given type, marked acquired; or -errno. */
static int
acquire(const char *name, uint32_t type, mg_plat_handle *handle)
{
	const struct mg_manifest_device *d = mg_manifest_find(manifest, name);
	uint64_t index;

	if (d == NULL || d->type != type)
		return -ENOENT;
	index = (uint64_t)(d - manifest->devices);
	if (acquired & (1ull << index))
		return -EBUSY;
	acquired |= 1ull << index;
	*handle = index;
	return 0;
}

static int
is_acquired(mg_plat_handle handle)
{
	return handle < MG_PLAT_HANDLE_MAX && (acquired & (1ull << handle));
}

int
mg_plat_net_acquire(const char *name, mg_plat_handle *handle, struct mg_plat_net_info *info)
{
	struct mg_hvt_net_info ni = { 0 };
	int rc = acquire(name, MG_DEVICE_NET, handle);

	if (rc != 0)
		return rc;
	ni.handle = *handle;
	mg_hvt_call(MG_HVT_CALL_NET_INFO, &ni);
	if (ni.ret != 0)
		return ni.ret;
	for (int i = 0; i < 6; i++)
		info->mac[i] = ni.mac[i];
	info->mtu = ni.mtu;
	info->offloads = ni.offloads;
	if (mg_hvt_netq_setup(*handle, (uint32_t)mg_plat_net_frame_max(info),
			      ni.offloads & MG_PLAT_NET_VNET_HDR ? MG_PLAT_NET_VNET_HDR_LEN : 0,
			      heap_size) != 0)
		polled |= 1ull << *handle;
	return 0;
}

/* Move count frames in batches of at most MG_HVT_NET_BATCH_MAX; stop at a short batch. */
static int
net_io(unsigned call, mg_plat_handle handle, struct mg_plat_frame *frames, size_t count,
       size_t *done)
{
	struct mg_hvt_net_io io;

	*done = 0;
	if (!is_acquired(handle))
		return -EINVAL;
	while (*done < count) {
		size_t batch = count - *done;

		if (batch > MG_HVT_NET_BATCH_MAX)
			batch = MG_HVT_NET_BATCH_MAX;
		io = (struct mg_hvt_net_io){ .handle = handle,
			.frames = (uintptr_t)(frames + *done), .count = batch };
		mg_hvt_call(call, &io);
		*done += io.done;
		if (io.ret != 0)
			return *done > 0 && io.ret == -EAGAIN ? 0 : (int)io.ret;
		if (io.done < batch)
			break;
	}
	return 0;
}

int
mg_plat_net_write(mg_plat_handle handle, const struct mg_plat_frame *frames, size_t count,
		  size_t *sent)
{
	if (is_acquired(handle) && mg_hvt_netq_active(handle))
		return mg_hvt_netq_write(handle, frames, count, sent);
	/* The tender only reads the frames of a write. */
	return net_io(MG_HVT_CALL_NET_WRITE, handle, (struct mg_plat_frame *)(uintptr_t)frames,
		      count, sent);
}

int
mg_plat_net_read(mg_plat_handle handle, struct mg_plat_frame *frames, size_t count,
		 size_t *received)
{
	if (count == 0) {
		*received = 0;
		return -EAGAIN;
	}
	if (is_acquired(handle) && mg_hvt_netq_active(handle))
		return mg_hvt_netq_read(handle, frames, count, received);
	return net_io(MG_HVT_CALL_NET_READ, handle, frames, count, received);
}

int
mg_plat_block_acquire(const char *name, mg_plat_handle *handle, struct mg_plat_block_info *info)
{
	struct mg_hvt_block_info bi = { 0 };
	int rc = acquire(name, MG_DEVICE_BLOCK, handle);

	if (rc != 0)
		return rc;
	bi.handle = *handle;
	mg_hvt_call(MG_HVT_CALL_BLOCK_INFO, &bi);
	if (bi.ret != 0)
		return (int)bi.ret;
	info->capacity = bi.capacity;
	info->block_size = bi.block_size;
	return 0;
}

static int
block_io(unsigned call, mg_plat_handle handle, uint64_t offset, uintptr_t buf, size_t len)
{
	struct mg_hvt_block_io io = { .handle = handle, .offset = offset, .buf = buf,
				      .len = len };

	if (!is_acquired(handle))
		return -EINVAL;
	mg_hvt_call(call, &io);
	return (int)io.ret;
}

int
mg_plat_block_write(mg_plat_handle handle, uint64_t offset, const void *buf, size_t len)
{
	return block_io(MG_HVT_CALL_BLOCK_WRITE, handle, offset, (uintptr_t)buf, len);
}

int
mg_plat_block_read(mg_plat_handle handle, uint64_t offset, void *buf, size_t len)
{
	return block_io(MG_HVT_CALL_BLOCK_READ, handle, offset, (uintptr_t)buf, len);
}
