/* SPDX-License-Identifier: ISC */
/*
 * plat.h -- the Morgana platform ABI.
 *
 * These are the only calls a target (unix, hvt, spt, ...) provides to the code above it.
 * Everything else -- runtime, network stack, protocols, applications -- is the same C on
 * every target. The ABI is deliberately narrow, in the spirit of Solo5's, and batched where
 * a call may cost a VM exit (microseconds): network calls move many frames, block calls
 * move many blocks.
 *
 * Conventions:
 *  - Calls that can fail return 0 on success or a negative errno-style code (-EINVAL,
 *    -EAGAIN, -ENOENT, -EIO, ...; the numbers are Linux's on every target).
 *  - The platform never calls back into the runtime except through mg_runtime_start().
 *  - Nothing here is reentrant or thread-safe: there is one thread of execution.
 *  - Callers MUST NOT rely on any behaviour not written here.
 */
#ifndef MORGANA_PLAT_H
#define MORGANA_PLAT_H

#include <stddef.h>
#include <stdint.h>

#include <morgana/manifest.h>

/*
 * A handle names one acquired device. Handles are small integers, below
 * MG_PLAT_HANDLE_MAX, so that a set of them fits in one mg_plat_handle_set word.
 */
typedef uint64_t mg_plat_handle;
typedef uint64_t mg_plat_handle_set;
#define MG_PLAT_HANDLE_MAX 64

/*
 * What the platform hands the runtime at boot. The memory it points to stays valid and
 * unchanged for the life of the unikernel; the caller MUST NOT write to it.
 */
struct mg_plat_boot_info {
	/*
	 * The arguments after the image name, as one NUL-terminated string quoted in the
	 * manner of sh: words are separated by blanks; '...' is literal; "..." allows
	 * \" and \\; a backslash outside quotes escapes the next character.
	 * The runtime splits it into argv[1..]; argv[0] is the manifest's application name.
	 */
	const char *cmdline;
	/*
	 * The heap: [heap_start, heap_start + heap_size). Both are 0 on targets where the
	 * host C library owns memory (unix).
	 */
	uintptr_t heap_start;
	size_t heap_size;
	/* 32 bytes from the host's random source (getrandom), fresh for every boot. */
	uint8_t seed[32];
	/* The CPU's time-stamp counter frequency in Hz, or 0 if the target does not use it. */
	uint64_t tsc_hz;
	/* The manifest embedded in the image: application name and declared devices. */
	const struct mg_manifest *manifest;
	/*
	 * A stack for main's fiber, [main_stack, main_stack + main_stack_size), with an
	 * unmapped guard page just below it, so that main overflowing its stack faults
	 * instead of overwriting other memory. Both 0 where the platform offers none: the
	 * runtime then allocates main's stack like any other fiber's.
	 */
	uintptr_t main_stack;
	size_t main_stack_size;
	/*
	 * What the CPU lets the unikernel use, as MG_PLAT_CPU_* bits: each set bit means
	 * the instructions work at the unikernel's privilege level and, for register state,
	 * that the platform keeps that state. The platform finds this out once, outside the
	 * guest where it can (on hvt and spt the tender does), so that guest code never
	 * needs the cpuid instruction, which costs a VM exit on hvt.
	 */
	uint64_t cpu_features;
};

#define MG_PLAT_CPU_RDRAND	(1ull << 0)	/* rdrand */
#define MG_PLAT_CPU_RDSEED	(1ull << 1)	/* rdseed */
#define MG_PLAT_CPU_FSGSBASE	(1ull << 2)	/* rdfsbase, wrfsbase and their gs twins */
#define MG_PLAT_CPU_AVX		(1ull << 3)	/* AVX instructions, ymm state kept */

/*
 * Entry into the runtime. Each target's start-up code calls this once, after it has set up
 * memory, the console and the clocks and checked the manifest against the attached
 * devices. The runtime runs app_main as the first fiber and exits with its status.
 */
_Noreturn void mg_runtime_start(const struct mg_plat_boot_info *info,
				int (*app_main)(int argc, char **argv));

/*
 * Console.
 *
 * Write len bytes of buf to the console (the process's stdout on unix, the tender's on
 * hvt/spt). Output comes out in call order and is never interleaved within one call. On
 * unix and spt it is written when the call returns; hvt may hold it in guest memory until
 * the unikernel next waits for input or a timer, for at most 10 ms while it is busy, and
 * always writes it before the unikernel's exit, abort or fault is reported (hvt_abi.h's
 * console buffer), so a log line costs no VM exit of its own. There is no console input.
 */
void mg_plat_console_write(const char *buf, size_t len);

/*
 * Clocks.
 *
 * mg_plat_clock_monotonic() returns nanoseconds since an arbitrary origin fixed at boot.
 * It never goes backwards and is not affected by changes of wall-clock time.
 *
 * mg_plat_clock_wall() returns nanoseconds since the Unix epoch (UTC) as the host knows
 * it. It MAY jump in either direction; use it for dates, never for measuring intervals.
 */
uint64_t mg_plat_clock_monotonic(void);
uint64_t mg_plat_clock_wall(void);

/*
 * Blocking.
 *
 * Suspend the unikernel until at least one acquired device has input waiting or until the
 * monotonic clock reaches deadline_ns, whichever is first. A deadline in the past returns
 * at once after polling the devices. On return *ready holds the set of handles with input
 * waiting (bit h for handle h), possibly empty. Spurious returns are allowed: callers
 * check the clock and the set, not the reason.
 */
void mg_plat_yield(uint64_t deadline_ns, mg_plat_handle_set *ready);

/*
 * Exiting.
 *
 * mg_plat_exit() ends the unikernel with status (0..255 reach the host; other values are
 * truncated to their low 8 bits). mg_plat_abort() ends it abnormally, after the caller
 * has printed why: on unix by SIGABRT (so debuggers and core dumps work), on tenders with
 * status 255. Neither returns.
 */
_Noreturn void mg_plat_exit(int status);
_Noreturn void mg_plat_abort(void);

/*
 * Network devices.
 *
 * mg_plat_net_acquire() looks up the network device the manifest declares as name and
 * returns its handle and properties. Returns -ENOENT if the manifest declares no network
 * device of that name, -EBUSY if it was already acquired.
 *
 * Frames are whole Ethernet frames without preamble or FCS.
 *
 * Offloads. A device MAY offer the offloads of a virtio-net device (the TAP device's
 * IFF_VNET_HDR), listed in info->offloads. If MG_PLAT_NET_VNET_HDR is set, every frame
 * read or written starts with a MG_PLAT_NET_VNET_HDR_LEN-byte header in the layout of
 * virtio 1.0's struct virtio_net_hdr_v1 (little-endian; num_buffers is 0), followed by
 * the Ethernet frame; the header says what the device did (read) or is asked to do
 * (write): net_wire.h has its codec. The other bits say what the header may ask:
 *  - MG_PLAT_NET_CSUM: a written frame may carry NEEDS_CSUM; the device then completes
 *    the checksum at csum_start + csum_offset over [csum_start, end), the field holding
 *    the pseudo-header sum.
 *  - MG_PLAT_NET_TSO4: a written frame may be a TCP/IPv4 super-segment up to 65535
 *    bytes of IP (GSO type TCPV4, NEEDS_CSUM, gso_size = payload per segment), which
 *    the device cuts into segments as Linux's GSO does.
 *  - MG_PLAT_NET_GUEST_CSUM: a frame read may carry DATA_VALID (the device checked the
 *    transport checksum) or NEEDS_CSUM (the checksum field holds only the pseudo-header
 *    sum; the data came from the host itself and is intact).
 *  - MG_PLAT_NET_GUEST_TSO4: a frame read may be up to 65535 bytes of IP, coalesced
 *    TCP/IPv4 segments with GSO type TCPV4.
 * Without MG_PLAT_NET_VNET_HDR, offloads is 0 and frames are plain Ethernet frames.
 */
#define MG_PLAT_NET_VNET_HDR	0x01u
#define MG_PLAT_NET_CSUM	0x02u
#define MG_PLAT_NET_TSO4	0x04u
#define MG_PLAT_NET_GUEST_CSUM	0x08u
#define MG_PLAT_NET_GUEST_TSO4	0x10u
#define MG_PLAT_NET_VNET_HDR_LEN	12
/* The longest frame any device may move: header, Ethernet, a 65535-byte datagram. */
#define MG_PLAT_NET_FRAME_MAX	(MG_PLAT_NET_VNET_HDR_LEN + 14 + 65535)

struct mg_plat_net_info {
	uint8_t mac[6];		/* the unikernel's own MAC address */
	uint16_t mtu;		/* largest IP packet, super-segments aside */
	uint32_t offloads;	/* MG_PLAT_NET_*, 0 for plain frames */
};

/*
 * The longest frame of a device, header included: what read buffers must hold and
 * what a write may carry. mtu + 14 without offloads.
 */
static inline size_t
mg_plat_net_frame_max(const struct mg_plat_net_info *info)
{
	if (!(info->offloads & MG_PLAT_NET_VNET_HDR))
		return (size_t)info->mtu + 14;
	if (info->offloads & (MG_PLAT_NET_TSO4 | MG_PLAT_NET_GUEST_TSO4))
		return MG_PLAT_NET_FRAME_MAX;
	return MG_PLAT_NET_VNET_HDR_LEN + (size_t)info->mtu + 14;
}

/* One frame of a batch: a buffer and its length. */
struct mg_plat_frame {
	void *buf;
	size_t len;
};

int mg_plat_net_acquire(const char *name, mg_plat_handle *handle,
			struct mg_plat_net_info *info);

/*
 * Send up to count frames, in order. frames[i].len is the frame's length; a frame longer
 * than mg_plat_net_frame_max(), or shorter than 14 (plus the header with
 * MG_PLAT_NET_VNET_HDR), is refused with -EINVAL before anything of the batch is sent;
 * a frame whose header the host refuses (an offload it did not offer) is dropped as if
 * lost on the wire. On return *sent is the number of frames the device took: fewer than count
 * means the device's queue is full (retry later; frames not taken were not sent).
 * Returns 0, -EINVAL (bad handle or frame) or -EIO.
 */
int mg_plat_net_write(mg_plat_handle handle, const struct mg_plat_frame *frames,
		      size_t count, size_t *sent);

/*
 * Receive up to count frames. On entry frames[i].buf points to a buffer of frames[i].len
 * bytes, each at least mg_plat_net_frame_max(); on return the first *received entries
 * have len set to the length of the frame placed in them. Returns 0 with *received >= 1,
 * -EAGAIN if no frame was waiting (*received = 0), -EINVAL (bad handle or buffer too
 * small) or -EIO.
 */
int mg_plat_net_read(mg_plat_handle handle, struct mg_plat_frame *frames, size_t count,
		     size_t *received);

/*
 * Block devices.
 *
 * mg_plat_block_acquire() looks up the block device the manifest declares as name.
 * Returns -ENOENT or -EBUSY as for network devices.
 *
 * Reads and writes move one or more whole blocks: offset and len MUST be multiples of
 * block_size and the range MUST lie inside the device, else -EINVAL and nothing is done.
 * The calls are synchronous: a completed write has reached the host's storage layer
 * (not necessarily stable storage). Returns 0, -EINVAL or -EIO.
 */
struct mg_plat_block_info {
	uint64_t capacity;	/* bytes; a multiple of block_size */
	uint64_t block_size;	/* bytes; a power of two, at least 512 */
};

int mg_plat_block_acquire(const char *name, mg_plat_handle *handle,
			  struct mg_plat_block_info *info);
int mg_plat_block_write(mg_plat_handle handle, uint64_t offset, const void *buf,
			size_t len);
int mg_plat_block_read(mg_plat_handle handle, uint64_t offset, void *buf, size_t len);

#endif /* MORGANA_PLAT_H */
