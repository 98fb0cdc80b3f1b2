/* SPDX-License-Identifier: ISC */
/*
 * hypercall.c -- the tender's half of the hvt hypercall ABI (include/morgana/hvt_abi.h).
 * Every guest address goes through mg_hvt_checked_gpa(); every argument struct is copied
 * into a local before its fields are used, so a value is validated and used once. A guest
 * that breaks the ABI is ended with status 255 and a message, never trusted further.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <morgana/plat.h>

#include "hvt.h"

#define RW (HVT_PROT_R | HVT_PROT_W)
#define ETH_HEADER 14u

static int
guest_error(const char *what, uint64_t gpa, int *status)
{
	fprintf(stderr, "morgana-hvt: guest error: %s (0x%" PRIx64 "); stopping it\n", what,
		gpa);
	*status = 255;
	return 1;
}

/*
 * Straight to fd 1, not through stdio: a first fwrite would fstat and allocate, which
 * the sandbox forbids. Best effort: a closed stdout must not stop the guest (the tender
 * ignores SIGPIPE).
 */
static void
console_write(const uint8_t *data, uint64_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(STDOUT_FILENO, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		data += n;
		len -= (uint64_t)n;
	}
}

int
mg_hvt_console_drain(struct mg_hvt *hvt, int *status)
{
	struct mg_hvt_console_buf *b = hvt->console;
	uint32_t len;

	if (b == NULL)
		return 0;
	len = __atomic_load_n(&b->len, __ATOMIC_RELAXED);	/* once: the guest's to change */
	if (len == 0)
		return 0;
	b->len = 0;
	if (len > hvt->console_cap)
		return guest_error("console buffer length out of range", len, status);
	console_write(b->data, len);
	return 0;
}

static const char *
vector_name(uint64_t v)
{
	static const char *const names[] = {
		"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
		"#BR bound range", "#UD invalid opcode", "#NM device not available",
		"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
		"#NP segment not present", "#SS stack fault", "#GP general protection",
		"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
		"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control",
	};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "reserved vector";
}

static int
report_trap(const struct mg_hvt *hvt, uint64_t gpa, int *status)
{
	const struct mg_hvt_trap_frame *p;
	struct mg_hvt_trap_frame f;

	p = mg_hvt_checked_gpa(&hvt->mem, gpa, sizeof(f), 8, HVT_PROT_SYS | RW);
	if (p == NULL)
		return guest_error("trap frame outside the exception stack", gpa, status);
	f = *p;
	fprintf(stderr,
		"morgana-hvt: guest fault: %s (vector %" PRIu64 ") at rip=0x%" PRIx64 "\n"
		"  fault address (cr2)=0x%" PRIx64 " error code=0x%" PRIx64 "%s%s%s\n"
		"  rax=0x%016" PRIx64 " rbx=0x%016" PRIx64 " rcx=0x%016" PRIx64 "\n"
		"  rdx=0x%016" PRIx64 " rsi=0x%016" PRIx64 " rdi=0x%016" PRIx64 "\n"
		"  rbp=0x%016" PRIx64 " rsp=0x%016" PRIx64 " r8 =0x%016" PRIx64 "\n"
		"  r9 =0x%016" PRIx64 " r10=0x%016" PRIx64 " r11=0x%016" PRIx64 "\n"
		"  r12=0x%016" PRIx64 " r13=0x%016" PRIx64 " r14=0x%016" PRIx64 "\n"
		"  r15=0x%016" PRIx64 " rflags=0x%" PRIx64 " cs=0x%" PRIx64 " ss=0x%" PRIx64 "\n",
		vector_name(f.vector), f.vector, f.rip, f.cr2, f.error,
		f.vector == 14 ? (f.error & 1 ? " (protection" : " (not present") : "",
		f.vector == 14 ? (f.error & 16 ? ", instruction fetch" :
				  f.error & 2 ? ", write" : ", read") : "",
		f.vector == 14 ? ")" : "",
		f.rax, f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp, f.rsp, f.r8, f.r9, f.r10,
		f.r11, f.r12, f.r13, f.r14, f.r15, f.rflags, f.cs, f.ss);
	*status = 255;
	return 1;
}

static int
set_traps(struct mg_hvt *hvt, struct mg_hvt_traps *a)
{
	uint64_t stubs = a->stubs;

	if (hvt->traps_set || mg_hvt_checked_gpa(&hvt->mem, stubs,
			MG_HVT_TRAP_VECTORS * MG_HVT_TRAP_STUB_SIZE, MG_HVT_TRAP_STUB_SIZE,
			HVT_PROT_R | HVT_PROT_X) == NULL) {
		a->ret = -EINVAL;
		return 0;
	}
	mg_hvt_layout_set_traps(hvt, stubs);
	hvt->traps_set = true;
	a->ret = 0;
	return 0;
}

static const struct mg_tender_device *
device(const struct mg_hvt *hvt, uint64_t handle, uint32_t type)
{
	if (handle >= hvt->device_count || hvt->devices[handle].type != type)
		return NULL;
	return &hvt->devices[handle];
}

/*
 * Check a batch: the frame array and every buffer. Writes need buffers the guest can
 * read, 14 (plus the header) up to frame_max() bytes; reads need writable ones of at
 * least frame_max() bytes. Frames are opaque bytes: the kernel judges the header.
 * Returns 0, -EINVAL (a bad frame: the guest's mistake) or 1 (a bad address).
 */
static int
check_batch(const struct mg_hvt *hvt, const struct mg_tender_device *dev,
	    const struct mg_hvt_net_io *a, bool is_read, struct mg_hvt_frame *frames,
	    uint8_t **bufs)
{
	const struct mg_hvt_frame *g;
	uint64_t max = mg_hvt_frame_max(dev), min = mg_hvt_frame_min(dev);

	if (a->count > MG_HVT_NET_BATCH_MAX)
		return -EINVAL;
	g = mg_hvt_checked_gpa(&hvt->mem, a->frames, a->count * sizeof(*g), 8,
			       is_read ? RW : HVT_PROT_R);
	if (g == NULL)
		return 1;
	memcpy(frames, g, a->count * sizeof(*g));
	for (uint64_t i = 0; i < a->count; i++) {
		if (is_read ? frames[i].len < max :
			      frames[i].len < min || frames[i].len > max)
			return -EINVAL;
		bufs[i] = mg_hvt_checked_gpa(&hvt->mem, frames[i].buf, is_read ? max :
					     frames[i].len, 1, is_read ? RW : HVT_PROT_R);
		if (bufs[i] == NULL)
			return 1;
	}
	return 0;
}

/* The request is copied first: a frame read may land on the guest's own request. */
static int
net_io(struct mg_hvt *hvt, struct mg_hvt_net_io *a, bool is_read, int *status)
{
	static struct mg_hvt_frame frames[MG_HVT_NET_BATCH_MAX];
	static uint8_t *bufs[MG_HVT_NET_BATCH_MAX];
	const struct mg_hvt_net_io req = *a;
	const struct mg_tender_device *dev = device(hvt, req.handle, MG_DEVICE_NET);
	struct mg_hvt_frame *g;
	uint64_t done = 0, len;
	int64_t ret;
	ssize_t n;
	int rc;

	/* A device with rings is the I/O thread's: frames must not overtake each other. */
	if (dev == NULL || mg_hvt_io_has_rings(hvt, req.handle)) {
		ret = -EINVAL;
		goto out;
	}
	rc = check_batch(hvt, dev, &req, is_read, frames, bufs);
	if (rc == 1)
		return guest_error("network frame outside guest memory", req.frames, status);
	ret = rc;
	if (rc != 0)
		goto out;
	g = mg_hvt_checked_gpa(&hvt->mem, req.frames, req.count * sizeof(*g), 8, HVT_PROT_R);
	for (; done < req.count; done++) {
		len = is_read ? mg_hvt_frame_max(dev) : frames[done].len;
		n = is_read ? read(dev->fd, bufs[done], len) : write(dev->fd, bufs[done], len);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* A header the kernel refuses loses that frame only (plat.h). */
		if (n < 0 && errno == EINVAL && !is_read && dev->offloads != 0)
			n = (ssize_t)len;
		if (n < 0) {
			ret = -EIO;
			break;
		}
		if (is_read)
			g[done].len = (uint64_t)n;
	}
	if (is_read && done == 0 && ret == 0)
		ret = -EAGAIN;
out:
	a->done = done;
	a->ret = ret;
	return 0;
}

static int
block_io(struct mg_hvt *hvt, struct mg_hvt_block_io *a, bool is_read, int *status)
{
	const struct mg_tender_device *dev = device(hvt, a->handle, MG_DEVICE_BLOCK);
	uint64_t off = a->offset, len = a->len, at = 0;
	uint8_t *buf;
	ssize_t n;

	if (dev == NULL || off % dev->block_size != 0 || len % dev->block_size != 0 ||
	    len > dev->capacity || off > dev->capacity - len) {
		a->ret = -EINVAL;
		return 0;
	}
	a->ret = 0;
	if (len == 0)
		return 0;
	buf = mg_hvt_checked_gpa(&hvt->mem, a->buf, len, 1, is_read ? RW : HVT_PROT_R);
	if (buf == NULL)
		return guest_error("block buffer outside guest memory", a->buf, status);
	while (at < len) {
		if (is_read)
			n = pread(dev->fd, buf + at, len - at, (off_t)(off + at));
		else
			n = pwrite(dev->fd, buf + at, len - at, (off_t)(off + at));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			a->ret = -EIO;
			break;
		}
		at += (uint64_t)n;
	}
	return 0;
}

/* The argument struct of a call: size, and whether the tender writes results into it. */
static const struct {
	size_t size;
	unsigned prot;
} args[MG_HVT_CALL_COUNT] = {
	[MG_HVT_CALL_TRAPS] = { sizeof(struct mg_hvt_traps), RW },
	[MG_HVT_CALL_TRAP] = { sizeof(struct mg_hvt_trap_frame), HVT_PROT_SYS | RW },
	[MG_HVT_CALL_CONSOLE] = { sizeof(struct mg_hvt_console), HVT_PROT_R },
	[MG_HVT_CALL_WALLTIME] = { sizeof(struct mg_hvt_walltime), RW },
	[MG_HVT_CALL_EXIT] = { sizeof(struct mg_hvt_exit), HVT_PROT_R },
	[MG_HVT_CALL_ABORT] = { sizeof(struct mg_hvt_exit), HVT_PROT_R },
	[MG_HVT_CALL_POLL] = { sizeof(struct mg_hvt_poll), RW },
	[MG_HVT_CALL_NET_INFO] = { sizeof(struct mg_hvt_net_info), RW },
	[MG_HVT_CALL_NET_WRITE] = { sizeof(struct mg_hvt_net_io), RW },
	[MG_HVT_CALL_NET_READ] = { sizeof(struct mg_hvt_net_io), RW },
	[MG_HVT_CALL_BLOCK_INFO] = { sizeof(struct mg_hvt_block_info), RW },
	[MG_HVT_CALL_BLOCK_WRITE] = { sizeof(struct mg_hvt_block_io), RW },
	[MG_HVT_CALL_BLOCK_READ] = { sizeof(struct mg_hvt_block_io), RW },
	[MG_HVT_CALL_NET_RINGS] = { sizeof(struct mg_hvt_net_rings), RW },
};

int
mg_hvt_hypercall(struct mg_hvt *hvt, uint64_t gpa, uint32_t value, int *status)
{
	uint64_t call = (gpa - MG_HVT_MMIO_BASE) / 8;
	struct timespec now;
	void *arg;
	/* The guest's buffered output first: it was written before this call. */
	int bad_console = mg_hvt_console_drain(hvt, status);

	if (gpa == MG_HVT_MMIO_BASE + 8 * MG_HVT_CALL_TRAP)
		return report_trap(hvt, value, status);
	if (bad_console != 0 || mg_hvt_io_check(hvt, status) != 0)
		return 1;
	if (gpa == MG_HVT_KICK) {
		mg_hvt_io_kick(hvt);
		return 0;
	}
	if (gpa < MG_HVT_MMIO_BASE || gpa % 8 != 0 || call == 0 || call >= MG_HVT_CALL_COUNT)
		return guest_error("store to an unknown hypercall address", gpa, status);
	arg = mg_hvt_checked_gpa(&hvt->mem, value, args[call].size, 8, args[call].prot);
	if (arg == NULL)
		return guest_error("hypercall argument misaligned or outside guest memory",
				   value, status);
	switch (call) {
	case MG_HVT_CALL_TRAPS:
		return set_traps(hvt, arg);
	case MG_HVT_CALL_CONSOLE: {
		struct mg_hvt_console c = *(struct mg_hvt_console *)arg;
		const uint8_t *data = mg_hvt_checked_gpa(&hvt->mem, c.data, c.len, 1, HVT_PROT_R);

		if (data == NULL)
			return guest_error("console data outside guest memory", c.data, status);
		console_write(data, c.len);
		return 0;
	}
	case MG_HVT_CALL_WALLTIME:
		clock_gettime(CLOCK_REALTIME, &now);
		((struct mg_hvt_walltime *)arg)->ns =
			(uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
		return 0;
	case MG_HVT_CALL_EXIT:
		*status = (int)(((struct mg_hvt_exit *)arg)->status & 0xff);
		return 1;
	case MG_HVT_CALL_ABORT:
		fprintf(stderr, "morgana-hvt: the guest aborted\n");
		*status = 255;
		return 1;
	case MG_HVT_CALL_POLL: {
		struct mg_hvt_poll *a = arg;

		a->ready = mg_hvt_io_poll(hvt, a->timeout_ns);
		return mg_hvt_io_check(hvt, status);
	}
	case MG_HVT_CALL_NET_INFO: {
		struct mg_hvt_net_info *a = arg;
		const struct mg_tender_device *dev = device(hvt, a->handle, MG_DEVICE_NET);

		a->ret = dev == NULL ? -EINVAL : 0;
		if (dev != NULL) {
			memcpy(a->mac, dev->mac, sizeof(a->mac));
			a->mtu = dev->mtu;
			a->offloads = dev->offloads;
		}
		return 0;
	}
	case MG_HVT_CALL_NET_RINGS: {
		struct mg_hvt_net_rings *a = arg;
		const struct mg_tender_device *dev = device(hvt, a->handle, MG_DEVICE_NET);

		if (dev == NULL) {
			a->ret = -EINVAL;
			return 0;
		}
		return mg_hvt_io_rings(hvt, dev, a->handle, a, status);
	}
	case MG_HVT_CALL_NET_WRITE:
	case MG_HVT_CALL_NET_READ:
		return net_io(hvt, arg, call == MG_HVT_CALL_NET_READ, status);
	case MG_HVT_CALL_BLOCK_INFO: {
		struct mg_hvt_block_info *a = arg;
		const struct mg_tender_device *dev = device(hvt, a->handle, MG_DEVICE_BLOCK);

		a->ret = dev == NULL ? -EINVAL : 0;
		a->capacity = dev == NULL ? 0 : dev->capacity;
		a->block_size = dev == NULL ? 0 : dev->block_size;
		return 0;
	}
	case MG_HVT_CALL_BLOCK_WRITE:
	case MG_HVT_CALL_BLOCK_READ:
		return block_io(hvt, arg, call == MG_HVT_CALL_BLOCK_READ, status);
	default:
		break;
	}
	return guest_error("unhandled hypercall", call, status);
}
