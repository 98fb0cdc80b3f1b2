/* SPDX-License-Identifier: ISC */
/*
 * netq.c -- the tender's half of the hvt network rings (morgana/hvt_abi.h): a thread that
 * moves frames between each device's rings in guest memory and its TAP while the vCPU
 * runs, so that a busy network costs no VM exits.
 *
 * The I/O thread drains TX to the TAP and fills RX from it; after SPIN_NS without work it
 * tells the guest it sleeps (tender_idle) and waits in ppoll() for a kick (the eventfd KVM
 * signals when the guest stores to MG_HVT_KICK) or, for devices with RX room, the TAP.
 * The vCPU thread's POLL waits on a second eventfd that the I/O thread signals when it
 * put frames on an RX ring while the vCPU waits, and on the TAPs themselves: a frame
 * that comes while the guest waits is read onto the ring by the vCPU thread, which
 * saves the I/O thread's wake-up and the second wake-up it would send on (each a
 * cross-CPU interrupt, an exit to the outer hypervisor on a nested host). Filling a ring
 * is one thread at a time (rx_busy). Both hand-offs are the store, full fence, load
 * pattern on each side, so neither a kick nor a wake-up is lost.
 *
 * The rings lie in guest memory the guest may change at any moment. Every index and
 * descriptor is read once into a local, checked, and only the local is used; the
 * tender's own positions live here, never there. A bad value marks the device broken:
 * both threads leave it alone and the vCPU thread ends the guest at its next call.
 */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <linux/kvm.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <morgana/hvt_ring.h>

#include "hvt.h"

#define SPIN_NS		(50 * 1000)	/* stay awake this long after the last frame */
#define BATCH		64		/* frames per ring per pass, so no ring starves */

/* One device's rings as the tender sees them. */
struct netq {
	int fd;
	uint32_t frame_min, frame_max, data_size;
	struct mg_hvt_ring_ctl *ctl;		/* shared: hostile */
	const struct mg_hvt_ring_desc *tx_desc;	/* shared: hostile */
	struct mg_hvt_ring_desc *rx_desc;	/* shared: written only */
	uint8_t *tx_data, *rx_data;		/* shared */
	uint32_t tx_cons;			/* private from here on */
	uint32_t rx_prod, rx_cons;
	bool stalled;				/* RX full: TAP not read */
	atomic_int rx_busy;			/* a thread is filling RX */
	struct mg_hvt_ring_alloc rx;
	uint64_t tx_frames, rx_frames, tx_errors, rx_short;
};

struct mg_hvt_io {
	int kick_fd, wake_fd;
	atomic_uint_fast64_t active;		/* bit h: device h has rings (release) */
	atomic_int vcpu_waiting;		/* in POLL; cleared by whoever wakes it */
	atomic_int started;			/* the thread runs io_main */
	atomic_int breaking;			/* a thread is marking a device broken */
	atomic_int broken;			/* 0, or 1 + the broken device's handle */
	const char *broken_why;			/* set before broken */
	uint64_t broken_value;
	struct netq q[MG_MANIFEST_MAX_DEVICES];
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Read a shared index once: the guest may change it between any two loads. */
static uint32_t
load_shared(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void
store_shared(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void
signal_fd(int fd)
{
	uint64_t one = 1;

	/* A full counter (2^64 - 2 pending) still wakes the reader: nothing to handle. */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

static void
drain_fd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;	/* EAGAIN: nothing was pending */
}

/* Stop serving device h for good and have the vCPU thread end the guest. */
static void
mark_broken(struct mg_hvt_io *io, uint32_t h, const char *why, uint64_t value)
{
	/* Either thread may get here; the first reason is the one reported. */
	if (atomic_exchange(&io->breaking, 1) == 0) {
		io->broken_why = why;
		io->broken_value = value;
		atomic_store(&io->broken, (int)h + 1);
		signal_fd(io->wake_fd);
	}
	atomic_fetch_and(&io->active, ~(1ull << h));
}

/* Send what the guest queued on TX, up to BATCH frames. Returns whether any moved. */
static bool
tx_drain(struct mg_hvt_io *io, uint32_t h)
{
	struct netq *q = &io->q[h];
	uint32_t prod = load_shared(&q->ctl->tx_prod), n = 0;
	struct mg_hvt_ring_desc d;
	ssize_t w;

	if (prod - q->tx_cons > MG_HVT_RING_SLOTS) {
		mark_broken(io, h, "TX ring index out of range", prod);
		return false;
	}
	while (q->tx_cons != prod && n < BATCH) {
		/* One copy of the descriptor: the guest may rewrite it as we look. */
		__atomic_load(&q->tx_desc[q->tx_cons % MG_HVT_RING_SLOTS], &d, __ATOMIC_RELAXED);
		if (d.len < q->frame_min || d.len > q->frame_max || d.off > q->data_size - d.len) {
			mark_broken(io, h, "TX descriptor outside the ring or of a bad length",
				    (uint64_t)d.off << 32 | d.len);
			return false;
		}
		/* A TAP takes one frame per write (a writev too would make one frame). */
		w = write(q->fd, q->tx_data + d.off, d.len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;		/* the host is backed up: retry on the next pass */
		if (w < 0)
			q->tx_errors++;	/* dropped, as a NIC would (e.g. a header refused) */
		else
			q->tx_frames++;
		q->tx_cons++;
		n++;
	}
	if (n > 0)
		store_shared(&q->ctl->tx_cons, q->tx_cons);
	return n > 0;
}

/* Take the guest's RX progress; false (and broken) if it is impossible. */
static bool
rx_take_cons(struct mg_hvt_io *io, uint32_t h)
{
	struct netq *q = &io->q[h];
	uint32_t cons = load_shared(&q->ctl->rx_cons);

	/* cons may only move forward, and not past what was produced. */
	if (cons - q->rx_cons > q->rx_prod - q->rx_cons) {
		mark_broken(io, h, "RX ring index out of range", cons);
		return false;
	}
	if (cons != q->rx_cons)
		mg_hvt_ring_release(&q->rx, cons - 1);
	__atomic_store_n(&q->rx_cons, cons, __ATOMIC_RELAXED);	/* work_pending reads it */
	return true;
}

/* After a frame was published: wake the vCPU thread if it waits, once a wait (the
 * eventfd stays readable until that wait ends). */
static void
wake_vcpu(struct mg_hvt_io *io)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&io->vcpu_waiting, memory_order_relaxed) &&
	    atomic_exchange(&io->vcpu_waiting, 0))
		signal_fd(io->wake_fd);
}

/*
 * Read frames from the TAP onto RX, up to BATCH, from either thread: the I/O thread, or
 * the vCPU thread while the guest waits in POLL (one wake-up fewer on the way in). One
 * at a time; the other returns at once. If wake, a waiting vCPU is woken at the first
 * frame it can take. Returns whether any moved.
 */
static bool
rx_fill(struct mg_hvt_io *io, uint32_t h, bool wake)
{
	struct netq *q = &io->q[h];
	uint32_t n = 0;
	int64_t off;
	ssize_t r;

	if (atomic_exchange_explicit(&q->rx_busy, 1, memory_order_acquire) != 0)
		return false;
	if (!rx_take_cons(io, h)) {
		atomic_store_explicit(&q->rx_busy, 0, memory_order_release);
		return false;
	}
	__atomic_store_n(&q->stalled, false, __ATOMIC_RELAXED);
	while (n < BATCH) {
		off = -1;
		if (q->rx_prod - q->rx_cons < MG_HVT_RING_SLOTS)
			off = mg_hvt_ring_reserve(&q->rx, q->frame_max, q->rx_prod == q->rx_cons);
		if (off < 0) {
			__atomic_store_n(&q->stalled, true, __ATOMIC_RELAXED);
			break;
		}
		r = read(q->fd, q->rx_data + off, q->frame_max);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;		/* EAGAIN, or an error the next pass meets again */
		if (r < (ssize_t)q->frame_min) {
			q->rx_short++;
			continue;
		}
		mg_hvt_ring_commit(&q->rx, q->rx_prod, (uint32_t)r);
		q->rx_desc[q->rx_prod % MG_HVT_RING_SLOTS] =
			(struct mg_hvt_ring_desc){ .off = (uint32_t)off, .len = (uint32_t)r };
		q->rx_prod++;
		q->rx_frames++;
		n++;
		/* Each frame is the guest's as soon as it is there: the guest works on it
		 * while the next one is read, and a guest about to wait sees it. */
		store_shared(&q->ctl->rx_prod, q->rx_prod);
		if (wake)
			wake_vcpu(io);
	}
	store_shared(&q->ctl->rx_stalled, q->stalled);
	atomic_store_explicit(&q->rx_busy, 0, memory_order_release);
	return n > 0;
}

/* Is there work a sleeping thread would miss? (After tender_idle is published.) */
static bool
work_pending(struct mg_hvt_io *io, uint64_t active)
{
	for (uint32_t h = 0; h < MG_MANIFEST_MAX_DEVICES; h++) {
		struct netq *q = &io->q[h];

		if (!(active & (1ull << h)))
			continue;
		if (load_shared(&q->ctl->tx_prod) != q->tx_cons)
			return true;
		if (__atomic_load_n(&q->stalled, __ATOMIC_RELAXED) &&
		    load_shared(&q->ctl->rx_cons) != __atomic_load_n(&q->rx_cons, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

static void
set_idle(struct mg_hvt_io *io, uint64_t active, uint32_t idle)
{
	for (uint32_t h = 0; h < MG_MANIFEST_MAX_DEVICES; h++)
		if (active & (1ull << h))
			store_shared(&io->q[h].ctl->tender_idle, idle);
}

/* Sleep until a kick, or a frame on the TAP of a device with RX room. */
static void
io_sleep(struct mg_hvt_io *io, uint64_t active)
{
	struct pollfd fds[MG_MANIFEST_MAX_DEVICES + 1];
	nfds_t n = 0;

	set_idle(io, active, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (!work_pending(io, active)) {
		fds[n++] = (struct pollfd){ .fd = io->kick_fd, .events = POLLIN };
		for (uint32_t h = 0; h < MG_MANIFEST_MAX_DEVICES; h++)
			if ((active & (1ull << h)) &&
			    !__atomic_load_n(&io->q[h].stalled, __ATOMIC_RELAXED))
				fds[n++] = (struct pollfd){ .fd = io->q[h].fd, .events = POLLIN };
		/* An interrupted or failed wait only means one more pass. */
		if (ppoll(fds, n, NULL, NULL) > 0 && (fds[0].revents & POLLIN))
			drain_fd(io->kick_fd);
	}
	set_idle(io, active, 0);
}

static void *
io_main(void *arg)
{
	struct mg_hvt_io *io = arg;
	uint64_t last_work = now_ns(), active;
	bool work;

	atomic_store(&io->started, 1);
	for (;;) {
		active = atomic_load_explicit(&io->active, memory_order_acquire);
		work = false;
		for (uint32_t h = 0; h < MG_MANIFEST_MAX_DEVICES; h++) {
			if (!(active & (1ull << h)))
				continue;
			work |= tx_drain(io, h);
			if (atomic_load(&io->broken) == 0)
				work |= rx_fill(io, h, true);
		}
		if (work) {
			last_work = now_ns();
		} else if (now_ns() - last_work >= SPIN_NS) {
			io_sleep(io, atomic_load_explicit(&io->active, memory_order_acquire));
			last_work = now_ns();
		} else {
			__builtin_ia32_pause();
		}
	}
	return NULL;
}

int
mg_hvt_io_create(struct mg_hvt *hvt, int vm_fd, char *why, size_t why_len)
{
	struct mg_hvt_io *io;
	pthread_t thread;
	int err;
	bool any = false;

	for (uint32_t i = 0; i < hvt->device_count; i++)
		any |= hvt->devices[i].type == MG_DEVICE_NET;
	if (!any)
		return 0;
	io = calloc(1, sizeof(*io));
	if (io == NULL) {
		snprintf(why, why_len, "out of memory for the network rings");
		return -ENOMEM;
	}
	io->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	io->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (io->kick_fd < 0 || io->wake_fd < 0) {
		err = errno;
		snprintf(why, why_len, "eventfd: %s", strerror(err));
		goto fail;
	}
	/* Without an ioeventfd the kick is an ordinary exit, which kvm.c passes on. */
	if (vm_fd >= 0) {
		struct kvm_ioeventfd ioev = { .addr = MG_HVT_KICK, .len = 4, .fd = io->kick_fd };

		if (ioctl(vm_fd, KVM_IOEVENTFD, &ioev) < 0)
			fprintf(stderr, "morgana-hvt: KVM_IOEVENTFD: %s; ring kicks will exit\n",
				strerror(errno));
	}
	/* Created before the sandbox, which then confines this thread too (TSYNC). */
	err = pthread_create(&thread, NULL, io_main, io);
	if (err != 0) {
		snprintf(why, why_len, "cannot start the network I/O thread: %s",
			 strerror(err));
		goto fail;
	}
	/* glibc's start-up of the thread makes calls the sandbox forbids: let it finish. */
	while (!atomic_load(&io->started))
		sched_yield();
	hvt->io = io;
	hvt->io_fds[0] = io->kick_fd;
	hvt->io_fds[1] = io->wake_fd;
	hvt->io_fd_count = 2;
	return 0;
fail:
	if (io->kick_fd >= 0)
		close(io->kick_fd);
	if (io->wake_fd >= 0)
		close(io->wake_fd);
	free(io);
	return -err;
}

bool
mg_hvt_io_has_rings(const struct mg_hvt *hvt, uint64_t handle)
{
	return hvt->io != NULL && handle < MG_MANIFEST_MAX_DEVICES &&
	       (atomic_load(&hvt->io->active) & (1ull << handle)) != 0;
}

void
mg_hvt_io_kick(struct mg_hvt *hvt)
{
	if (hvt->io != NULL)
		signal_fd(hvt->io->kick_fd);
}

int
mg_hvt_io_check(const struct mg_hvt *hvt, int *status)
{
	const struct mg_hvt_io *io = hvt->io;
	int broken = io != NULL ? atomic_load(&io->broken) : 0;

	if (broken == 0)
		return 0;
	fprintf(stderr, "morgana-hvt: guest error: %s on device %d (0x%llx); stopping it\n",
		io->broken_why, broken - 1, (unsigned long long)io->broken_value);
	*status = 255;
	return 1;
}

int
mg_hvt_io_rings(struct mg_hvt *hvt, const struct mg_tender_device *dev, uint64_t handle,
		struct mg_hvt_net_rings *a, int *status)
{
	struct mg_hvt_io *io = hvt->io;
	const uint64_t area = a->area, data_size = a->data_size;
	uint32_t frame_max = mg_hvt_frame_max(dev);
	struct netq *q;
	uint8_t *p;

	if (io == NULL || data_size % HVT_PAGE != 0 || data_size > MG_HVT_RING_DATA_MAX ||
	    data_size < mg_hvt_ring_round(frame_max)) {
		a->ret = -EINVAL;
		return 0;
	}
	if (mg_hvt_io_has_rings(hvt, handle)) {
		a->ret = -EBUSY;
		return 0;
	}
	p = mg_hvt_checked_gpa(&hvt->mem, area, MG_HVT_RING_AREA(data_size), HVT_PAGE,
			       HVT_PROT_R | HVT_PROT_W);
	if (p == NULL) {
		fprintf(stderr, "morgana-hvt: guest error: network rings outside guest memory "
			"(0x%llx); stopping it\n", (unsigned long long)area);
		*status = 255;
		return 1;
	}
	q = &io->q[handle];
	memset(q, 0, sizeof(*q));
	q->fd = dev->fd;
	q->frame_max = frame_max;
	q->frame_min = mg_hvt_frame_min(dev);
	q->data_size = (uint32_t)data_size;
	q->ctl = (struct mg_hvt_ring_ctl *)(void *)p;
	q->tx_desc = (const struct mg_hvt_ring_desc *)(void *)(p + MG_HVT_RING_TX_DESC);
	q->rx_desc = (struct mg_hvt_ring_desc *)(void *)(p + MG_HVT_RING_RX_DESC);
	q->tx_data = p + MG_HVT_RING_DATA;
	q->rx_data = q->tx_data + data_size;
	mg_hvt_ring_alloc_init(&q->rx, (uint32_t)data_size);
	/* The tender's fields start from its own values; the guest's are checked on use. */
	store_shared(&q->ctl->tx_cons, 0);
	store_shared(&q->ctl->rx_prod, 0);
	store_shared(&q->ctl->tender_idle, 0);
	store_shared(&q->ctl->rx_stalled, 0);
	atomic_fetch_or_explicit(&io->active, 1ull << handle, memory_order_release);
	signal_fd(io->kick_fd);
	a->ret = 0;
	return 0;
}

/* Bit h set for every device with rings whose RX ring holds a frame (a hint only). */
static uint64_t
rings_ready(const struct mg_hvt_io *io)
{
	uint64_t active = atomic_load(&io->active), ready = 0;

	for (uint32_t h = 0; h < MG_MANIFEST_MAX_DEVICES; h++)
		if ((active & (1ull << h)) &&
		    load_shared(&io->q[h].ctl->rx_prod) != load_shared(&io->q[h].ctl->rx_cons))
			ready |= 1ull << h;
	return ready;
}

/* The vCPU thread's turn at filling the RX rings while the guest waits. */
static bool
fill_here(struct mg_hvt_io *io, uint64_t active)
{
	bool moved = false;

	if (atomic_load(&io->broken) != 0)
		return false;
	for (uint32_t h = 0; h < MG_MANIFEST_MAX_DEVICES; h++)
		if (active & (1ull << h))
			moved |= rx_fill(io, h, false);
	return moved;
}

uint64_t
mg_hvt_io_poll(struct mg_hvt *hvt, uint64_t timeout_ns)
{
	struct mg_hvt_io *io = hvt->io;
	struct pollfd fds[MG_MANIFEST_MAX_DEVICES + 1];
	uint32_t handle[MG_MANIFEST_MAX_DEVICES];
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000u),
		.tv_nsec = (long)(timeout_ns % 1000000000u),
	};
	uint64_t ready = 0, active = 0;
	nfds_t n = 0, first_tap;

	if (io != NULL) {
		atomic_store(&io->vcpu_waiting, 1);
		active = atomic_load(&io->active);
		ready = rings_ready(io);
		if (ready != 0 || atomic_load(&io->broken) != 0)
			ts = (struct timespec){ 0 };
		fds[n++] = (struct pollfd){ .fd = io->wake_fd, .events = POLLIN };
		/* fds[1, first_tap): the TAPs of devices with rings. A frame there (one that
		 * already waits, too) ends the wait, and this thread reads it itself instead
		 * of the I/O thread waking and then waking this one. */
		for (uint32_t h = 0; h < MG_MANIFEST_MAX_DEVICES; h++)
			if (active & (1ull << h))
				fds[n++] = (struct pollfd){ .fd = io->q[h].fd, .events = POLLIN };
	}
	first_tap = n;
	for (uint32_t i = 0; i < hvt->device_count; i++) {
		if (hvt->devices[i].type != MG_DEVICE_NET || mg_hvt_io_has_rings(hvt, i))
			continue;
		fds[n] = (struct pollfd){ .fd = hvt->devices[i].fd, .events = POLLIN };
		handle[n++ - first_tap] = i;
	}
	/* An interrupted or failed wait is a spurious return, which the ABI allows. */
	if (ppoll(fds, n, &ts, NULL) > 0)
		for (nfds_t i = first_tap; i < n; i++)
			if (fds[i].revents & POLLIN)
				ready |= 1ull << handle[i - first_tap];
	if (io != NULL) {
		bool tap = false;

		for (nfds_t i = 1; i < first_tap; i++)
			tap |= (fds[i].revents & POLLIN) != 0;
		if (tap)
			(void)fill_here(io, active);
		atomic_store(&io->vcpu_waiting, 0);
		if (fds[0].revents & POLLIN)
			drain_fd(io->wake_fd);
		ready |= rings_ready(io);
	}
	return ready;
}
