/* SPDX-License-Identifier: ISC */
/*
 * link.c -- the simulated link of net_sim.h: two netdev drivers joined by two
 * directions, each a list of frames in flight ordered by arrival time and a timer for
 * the earliest, plus an arrived queue the receiving device reads from.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <morgana/list.h>
#include <morgana/net_sim.h>
#include <morgana/random.h>
#include <morgana/runtime.h>
#include <morgana/timer.h>

#define DEFAULT_QUEUE_BYTES	(64 * 1024)
#define DUP_GAP_NS		1000
#define FNV_OFFSET		0xcbf29ce484222325ull
#define FNV_PRIME		0x100000001b3ull

struct frame {
	struct mg_list link;
	uint64_t arrive_ns;
	size_t len;
	uint8_t data[];
};

struct direction {
	struct mg_sim_link *link;
	unsigned from;
	struct mg_sim_link_config cfg;
	struct mg_list flight;		/* ordered by arrive_ns, then by sending order */
	size_t flight_count;
	struct mg_list arrived;		/* waiting for the receiving device's read */
	struct mg_timer timer;
	uint64_t tx_free_ns;		/* when the bottleneck is free again */
	struct mg_sim_stats stats;
};

struct mg_sim_link {
	struct mg_netdev dev[2];
	struct direction dir[2];	/* dir[i]: frames sent by side i */
	struct mg_rng rng;
	mg_sim_filter filter;
	void *filter_arg;
	uint64_t hash;
};

static void deliver_fire(void *arg);

static bool
chance(struct mg_sim_link *l, uint32_t ppm)
{
	return ppm > 0 && mg_rng_below(&l->rng, 1000000) < ppm;
}

static void
hash_bytes(struct mg_sim_link *l, const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++) {
		l->hash ^= b[i];
		l->hash *= FNV_PRIME;
	}
}

/* Insert f into d's flight list by arrival time; equal times keep sending order. */
static void
schedule(struct direction *d, struct frame *f)
{
	struct mg_list *pos = d->flight.prev;

	while (pos != &d->flight &&
	       mg_container_of(pos, struct frame, link)->arrive_ns > f->arrive_ns)
		pos = pos->prev;
	mg_list_insert_between(&f->link, pos, pos->next);
	d->flight_count++;
	mg_timer_arm(&d->timer, mg_container_of(d->flight.next, struct frame, link)->arrive_ns);
}

static struct frame *
frame_new(const void *data, size_t len, uint64_t arrive_ns)
{
	struct frame *f = malloc(sizeof(*f) + len);

	if (f == NULL)
		return NULL;
	mg_list_init(&f->link);
	f->len = len;
	f->arrive_ns = arrive_ns;
	memcpy(f->data, data, len);
	return f;
}

/* One frame sent by d's side: impairments drawn in a fixed order, then scheduled. */
static void
send_one(struct direction *d, const uint8_t *data, size_t len)
{
	struct mg_sim_link *l = d->link;
	const struct mg_sim_link_config *cfg = &d->cfg;
	uint64_t now = mg_now_ns(), depart = now, arrive;
	struct frame *f;

	d->stats.sent++;
	if (l->filter != NULL && l->filter(l->filter_arg, d->from, data, len)) {
		d->stats.filtered++;
		return;
	}
	if (chance(l, cfg->loss_ppm)) {
		d->stats.lost++;
		return;
	}
	if (cfg->bandwidth_bps > 0) {
		uint64_t queue = cfg->queue_bytes ? cfg->queue_bytes : DEFAULT_QUEUE_BYTES;
		uint64_t backlog_ns = d->tx_free_ns > now ? d->tx_free_ns - now : 0;

		if (backlog_ns * cfg->bandwidth_bps / 8000000000ull > queue) {
			d->stats.queue_drops++;
			return;
		}
		depart = (d->tx_free_ns > now ? d->tx_free_ns : now) +
			 len * 8000000000ull / cfg->bandwidth_bps;
		d->tx_free_ns = depart;
	}
	if (d->flight_count >= MG_SIM_FLIGHT_MAX) {
		d->stats.queue_drops++;
		return;
	}
	arrive = depart + cfg->delay_ns;
	if (cfg->jitter_ns > 0)
		arrive += mg_rng_u64(&l->rng) % cfg->jitter_ns;
	if (chance(l, cfg->reorder_ppm)) {
		d->stats.reordered++;
		arrive += cfg->reorder_ns ? cfg->reorder_ns : 2 * cfg->delay_ns + 1000000;
	}
	if ((f = frame_new(data, len, arrive)) == NULL) {
		d->stats.queue_drops++;
		return;
	}
	if (len > 0 && chance(l, cfg->corrupt_ppm)) {
		uint32_t bit = mg_rng_below(&l->rng, (uint32_t)(len * 8));

		f->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		d->stats.corrupted++;
	}
	schedule(d, f);
	if (chance(l, cfg->dup_ppm) && d->flight_count < MG_SIM_FLIGHT_MAX) {
		struct frame *copy = frame_new(f->data, len, arrive + DUP_GAP_NS);

		if (copy != NULL) {
			d->stats.duplicated++;
			schedule(d, copy);
		}
	}
}

/* Frames whose time has come move to the receiver's queue, which it then reads. */
static void
deliver_fire(void *arg)
{
	struct direction *d = arg;
	struct mg_sim_link *l = d->link;
	unsigned to = 1 - d->from;
	uint64_t now = mg_now_ns();
	struct mg_list *node;

	while ((node = mg_list_first(&d->flight)) != NULL) {
		struct frame *f = mg_container_of(node, struct frame, link);

		if (f->arrive_ns > now)
			break;
		mg_list_remove(node);
		d->flight_count--;
		d->stats.delivered++;
		hash_bytes(l, &to, sizeof(to));
		hash_bytes(l, &f->arrive_ns, sizeof(f->arrive_ns));
		hash_bytes(l, f->data, f->len);
		mg_list_push_back(&d->arrived, node);
	}
	if ((node = mg_list_first(&d->flight)) != NULL)
		mg_timer_arm(&d->timer, mg_container_of(node, struct frame, link)->arrive_ns);
	while (!mg_list_empty(&d->arrived))
		if (mg_netdev_poll(&l->dev[to], 64) == 0)
			break;
	/* What the device could not take (pool empty) is lost, as on a real NIC. */
	while ((node = mg_list_pop_front(&d->arrived)) != NULL) {
		d->stats.queue_drops++;
		free(mg_container_of(node, struct frame, link));
	}
}

/* --- the driver ---------------------------------------------------------------------------- */

static int
sim_read(struct mg_netdev *dev, struct mg_plat_frame *frames, size_t count, size_t *received)
{
	struct mg_sim_link *l = dev->driver;
	unsigned side = dev == &l->dev[0] ? 0 : 1;
	struct direction *d = &l->dir[1 - side];
	size_t n = 0;

	while (n < count && !mg_list_empty(&d->arrived)) {
		struct frame *f = mg_container_of(mg_list_pop_front(&d->arrived), struct frame,
						  link);
		size_t len = f->len < frames[n].len ? f->len : frames[n].len;

		memcpy(frames[n].buf, f->data, len);
		frames[n].len = len;
		free(f);
		n++;
	}
	*received = n;
	return n > 0 ? 0 : -EAGAIN;
}

static int
sim_write(struct mg_netdev *dev, const struct mg_plat_frame *frames, size_t count,
	  size_t *sent)
{
	struct mg_sim_link *l = dev->driver;
	unsigned side = dev == &l->dev[0] ? 0 : 1;

	for (size_t i = 0; i < count; i++)
		send_one(&l->dir[side], frames[i].buf, frames[i].len);
	*sent = count;
	return 0;
}

static const struct mg_netdev_ops sim_ops = {
	.read = sim_read,
	.write = sim_write,
};

int
mg_sim_link_create(uint16_t mtu, const struct mg_sim_link_config *cfg, const uint8_t seed[32],
		   struct mg_sim_link **out)
{
	struct mg_sim_link *l;
	int err;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	mg_rng_init(&l->rng, seed);
	l->hash = FNV_OFFSET;
	for (unsigned i = 0; i < 2; i++) {
		struct direction *d = &l->dir[i];

		d->link = l;
		d->from = i;
		if (cfg != NULL)
			d->cfg = *cfg;
		mg_list_init(&d->flight);
		mg_list_init(&d->arrived);
		mg_timer_init(&d->timer, deliver_fire, d);
		l->dev[i].ops = &sim_ops;
		l->dev[i].driver = l;
		l->dev[i].mtu = mtu ? mtu : 1500;
		l->dev[i].mac = (struct mg_mac){ { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) } };
		if ((err = mg_netdev_init(&l->dev[i], 0, 0)) != 0) {
			if (i == 1)
				mg_netdev_fini(&l->dev[0]);
			mg_rng_wipe(&l->rng);
			free(l);
			return err;
		}
	}
	*out = l;
	return 0;
}

static void
free_frames(struct mg_list *list)
{
	struct mg_list *node;

	while ((node = mg_list_pop_front(list)) != NULL)
		free(mg_container_of(node, struct frame, link));
}

void
mg_sim_link_destroy(struct mg_sim_link *l)
{
	if (l == NULL)
		return;
	for (unsigned i = 0; i < 2; i++) {
		mg_timer_cancel(&l->dir[i].timer);
		free_frames(&l->dir[i].flight);
		free_frames(&l->dir[i].arrived);
		mg_netdev_fini(&l->dev[i]);
	}
	mg_rng_wipe(&l->rng);
	free(l);
}

struct mg_netdev *
mg_sim_link_dev(struct mg_sim_link *l, unsigned side)
{
	return &l->dev[side & 1];
}

void
mg_sim_link_configure(struct mg_sim_link *l, unsigned from_side,
		      const struct mg_sim_link_config *cfg)
{
	l->dir[from_side & 1].cfg = *cfg;
}

void
mg_sim_link_set_filter(struct mg_sim_link *l, mg_sim_filter filter, void *arg)
{
	l->filter = filter;
	l->filter_arg = arg;
}

int
mg_sim_link_inject(struct mg_sim_link *l, unsigned to_side, const void *frame, size_t len,
		   uint64_t delay_ns)
{
	struct direction *d = &l->dir[1 - (to_side & 1)];
	struct frame *f;

	if (len > (size_t)l->dev[to_side & 1].mtu + MG_ETH_HDR_LEN)
		return -EMSGSIZE;
	if (d->flight_count >= MG_SIM_FLIGHT_MAX)
		return -ENOBUFS;
	if ((f = frame_new(frame, len, mg_now_ns() + delay_ns)) == NULL)
		return -ENOMEM;
	schedule(d, f);
	return 0;
}

const struct mg_sim_stats *
mg_sim_link_stats(const struct mg_sim_link *l, unsigned from_side)
{
	return &l->dir[from_side & 1].stats;
}

uint64_t
mg_sim_link_hash(const struct mg_sim_link *l)
{
	return l->hash;
}
