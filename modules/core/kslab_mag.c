// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache's magazine layer: a CPU's loaded and previous magazines and
 * the depot; see kslab_mag.h.
 */
#include "kslab_mag.h"

static u32 kslab_min(u32 a, u32 b)
{
	return a < b ? a : b;
}

/**
 * kslab_mc_init() - set up a cache's magazine layer
 * @mc: the layer
 * @ops: the slab layer and magazine allocation
 * @ctx: passed to @ops
 * @magsize: rounds per magazine, 0 for no magazines, at most KSLAB_MAG_MAX
 * @limit: most full (and most empty) magazines the depot keeps
 */
void kslab_mc_init(struct kslab_mc *mc, const struct kslab_mc_ops *ops,
		   void *ctx, u32 magsize, u32 limit)
{
	memset(mc, 0, sizeof(*mc));
	mc->ops = ops;
	mc->ctx = ctx;
	klab_lock_init(&mc->depot.lock);
	mc->depot.magsize = kslab_min(magsize, KSLAB_MAG_MAX);
	mc->depot.limit = limit;
}

/**
 * kslab_cc_init() - a CPU without magazines
 * @cc: the CPU's cache
 *
 * The CPU gets its magazines from the depot or @ops->mag_alloc on its
 * first miss.
 */
void kslab_cc_init(struct kslab_cc *cc)
{
	memset(cc, 0, sizeof(*cc));
}

static struct kslab_mag *kslab_stack_pop(struct kslab_mag **head, u32 *nr,
					 u32 *min)
{
	struct kslab_mag *m = *head;

	if (!m)
		return NULL;
	*head = m->next;
	m->next = NULL;
	if (--*nr < *min)
		*min = *nr;
	return m;
}

static void kslab_stack_push(struct kslab_mag **head, u32 *nr,
			     struct kslab_mag *m, u32 rounds)
{
	m->rounds = rounds;
	m->next = *head;
	*head = m;
	++*nr;
}

/* Detach the @k magazines at the bottom of a stack: the least used */
static struct kslab_mag *kslab_stack_cut(struct kslab_mag **head, u32 *nr,
					 u32 k)
{
	struct kslab_mag **link = head, *cut;
	u32 keep = *nr - k;

	if (!k)
		return NULL;
	while (keep--)
		link = &(*link)->next;
	cut = *link;
	*link = NULL;
	*nr -= k;
	return cut;
}

/* The loaded magazine becomes the previous one; @m is loaded */
static void kslab_cc_load(struct kslab_cc *cc, struct kslab_mag *m,
			  u32 rounds)
{
	cc->prev = cc->loaded;
	cc->prounds = cc->rounds;
	cc->psize = cc->lsize;
	cc->loaded = m;
	cc->rounds = rounds;
	cc->lsize = m->size;
}

/* Give a magazine's rounds to the slab layer and free the magazine */
static void kslab_mc_release(struct kslab_mc *mc, struct kslab_mag *m,
			     u32 rounds)
{
	if (rounds)
		mc->ops->flush(mc->ctx, m->objs, rounds);
	mc->ops->mag_free(mc->ctx, m);
}

static u32 kslab_mc_release_list(struct kslab_mc *mc, struct kslab_mag *m)
{
	u32 n = 0;

	while (m) {
		struct kslab_mag *next = m->next;

		kslab_mc_release(mc, m, m->rounds);
		m = next;
		n++;
	}
	return n;
}

/*
 * Both magazines of @cc are empty (or missing): load a full magazine from
 * the depot.  The previous magazine goes back to the depot, the loaded
 * one becomes the previous one.
 */
static bool kslab_mc_load_full(struct kslab_mc *mc, struct kslab_cc *cc)
{
	struct kslab_depot *d = &mc->depot;
	struct kslab_mag *full, *stale = NULL;

	klab_lock(&d->lock);
	full = kslab_stack_pop(&d->full, &d->nr_full, &d->min_full);
	if (full && cc->psize) {
		if (cc->psize == d->magsize && d->nr_empty < d->limit)
			kslab_stack_push(&d->empty, &d->nr_empty, cc->prev, 0);
		else
			stale = cc->prev;
	}
	klab_unlock(&d->lock);
	if (!full)
		return false;

	kslab_cc_load(cc, full, full->rounds);
	if (stale)
		mc->ops->mag_free(mc->ctx, stale);
	return true;
}

/*
 * Both magazines of @cc are full (or missing): load an empty magazine.
 * The previous magazine goes to the depot's full ones, or, when the depot
 * holds its limit, its rounds go back to the slab layer and it serves as
 * the empty one.  Returns false when no magazine could be had.
 */
static bool kslab_mc_load_empty(struct kslab_mc *mc, struct kslab_cc *cc)
{
	struct kslab_depot *d = &mc->depot;
	struct kslab_mag *empty = NULL, *stale = NULL;
	bool stored = false, reuse = false;
	u32 magsize;

	klab_lock(&d->lock);
	magsize = d->magsize;
	if (cc->psize && cc->psize == magsize && d->nr_full < d->limit) {
		kslab_stack_push(&d->full, &d->nr_full, cc->prev, cc->prounds);
		stored = true;
	}
	reuse = cc->psize && !stored && cc->psize == magsize;
	if (magsize && !reuse)
		empty = kslab_stack_pop(&d->empty, &d->nr_empty, &d->min_empty);
	klab_unlock(&d->lock);

	if (cc->psize && !stored) {
		mc->ops->flush(mc->ctx, cc->prev->objs, cc->prounds);
		if (reuse)
			empty = cc->prev;
		else
			stale = cc->prev;
	}
	cc->prev = NULL;
	cc->prounds = 0;
	cc->psize = 0;
	if (stale)
		mc->ops->mag_free(mc->ctx, stale);

	if (!empty && magsize)
		empty = mc->ops->mag_alloc(mc->ctx, magsize);
	if (!empty)
		return false;

	kslab_cc_load(cc, empty, 0);
	return true;
}

/* A CPU without a loaded magazine gets an empty one, if it can */
static void kslab_mc_load_first(struct kslab_mc *mc, struct kslab_cc *cc)
{
	struct kslab_depot *d = &mc->depot;
	struct kslab_mag *m;
	u32 magsize;

	klab_lock(&d->lock);
	magsize = d->magsize;
	m = kslab_stack_pop(&d->empty, &d->nr_empty, &d->min_empty);
	klab_unlock(&d->lock);
	if (!m && magsize)
		m = mc->ops->mag_alloc(mc->ctx, magsize);
	/* without a loaded magazine there is no previous one either */
	if (m)
		kslab_cc_load(cc, m, 0);
}

/**
 * kslab_mc_alloc() - allocate through the magazine layer
 * @mc: the cache's magazine layer
 * @cc: the calling CPU's magazines, exclusively the caller's
 *
 * Tries the CPU's magazines, then the depot, then fills the loaded
 * magazine from the slab layer (half of it, or one object when the cache
 * has no magazines).
 *
 * Return: an object, or NULL when the slab layer has no free object left
 * (the caller then grows the cache and calls again).
 */
void *kslab_mc_alloc(struct kslab_mc *mc, struct kslab_cc *cc)
{
	void *obj = kslab_cc_pop(cc);
	u32 n;

	if (obj) {
		cc->alloc_hit++;
		return obj;
	}
	if (kslab_mc_load_full(mc, cc))
		goto pop;

	if (!cc->lsize)
		kslab_mc_load_first(mc, cc);
	if (!cc->lsize) {
		if (!mc->ops->refill(mc->ctx, &obj, 1))
			return NULL;
		cc->alloc_miss++;
		return obj;
	}
	n = mc->ops->refill(mc->ctx, cc->loaded->objs + cc->rounds,
			    kslab_mc_batch(cc->lsize - cc->rounds));
	cc->rounds += n;
	if (!n)
		return NULL;
pop:
	cc->alloc_miss++;
	return cc->loaded->objs[--cc->rounds];
}

/**
 * kslab_mc_free() - free through the magazine layer
 * @mc: the cache's magazine layer
 * @cc: the calling CPU's magazines, exclusively the caller's
 * @obj: the object
 *
 * Tries the CPU's magazines, then trades with the depot; when no empty
 * magazine can be had, @obj goes straight back to the slab layer.
 */
void kslab_mc_free(struct kslab_mc *mc, struct kslab_cc *cc, void *obj)
{
	if (kslab_cc_push(cc, obj)) {
		cc->free_hit++;
		return;
	}
	cc->free_miss++;
	if (kslab_mc_load_empty(mc, cc))
		cc->loaded->objs[cc->rounds++] = obj;
	else
		mc->ops->flush(mc->ctx, &obj, 1);
}

/**
 * kslab_mc_alloc_bulk() - allocate @n objects through the magazine layer
 * @mc: the cache's magazine layer
 * @cc: the calling CPU's magazines, exclusively the caller's
 * @p: where the objects go
 * @n: how many
 *
 * Rounds are copied out a magazine at a time; what the magazines and the
 * depot cannot give comes straight from the slab layer.
 *
 * Return: the number of objects stored in @p; fewer than @n when the slab
 * layer ran out (the caller grows the cache and asks for the rest).
 */
u32 kslab_mc_alloc_bulk(struct kslab_mc *mc, struct kslab_cc *cc,
			void **p, u32 n)
{
	unsigned long *stat = &cc->alloc_hit;
	u32 got = 0, k;

	while (got < n) {
		if (!cc->rounds) {
			if (cc->prounds)
				kslab_cc_swap(cc);
			else if (kslab_mc_load_full(mc, cc))
				stat = &cc->alloc_miss;
			else
				break;
		}
		k = kslab_min(cc->rounds, n - got);
		cc->rounds -= k;
		memcpy(p + got, cc->loaded->objs + cc->rounds, k * sizeof(*p));
		*stat += k;
		got += k;
	}
	if (got < n) {
		k = mc->ops->refill(mc->ctx, p + got, n - got);
		cc->alloc_miss += k;
		got += k;
	}
	return got;
}

/**
 * kslab_mc_free_bulk() - free @n objects through the magazine layer
 * @mc: the cache's magazine layer
 * @cc: the calling CPU's magazines, exclusively the caller's
 * @p: the objects
 * @n: how many
 */
void kslab_mc_free_bulk(struct kslab_mc *mc, struct kslab_cc *cc,
			void **p, u32 n)
{
	unsigned long *stat = &cc->free_hit;
	u32 done = 0, k;

	while (done < n) {
		if (cc->rounds == cc->lsize) {
			if (cc->psize && !cc->prounds)
				kslab_cc_swap(cc);
			else if (kslab_mc_load_empty(mc, cc))
				stat = &cc->free_miss;
			else
				break;
		}
		k = kslab_min(cc->lsize - cc->rounds, n - done);
		memcpy(cc->loaded->objs + cc->rounds, p + done,
		       k * sizeof(*p));
		cc->rounds += k;
		*stat += k;
		done += k;
	}
	if (done < n) {
		mc->ops->flush(mc->ctx, p + done, n - done);
		cc->free_miss += n - done;
	}
}

/**
 * kslab_mc_drain_cc() - empty a CPU's magazines into the slab layer
 * @mc: the cache's magazine layer
 * @cc: the CPU's magazines, exclusively the caller's
 *
 * Both magazines are freed; the CPU's counters stay.
 */
void kslab_mc_drain_cc(struct kslab_mc *mc, struct kslab_cc *cc)
{
	if (cc->lsize)
		kslab_mc_release(mc, cc->loaded, cc->rounds);
	if (cc->psize)
		kslab_mc_release(mc, cc->prev, cc->prounds);
	cc->loaded = NULL;
	cc->prev = NULL;
	cc->rounds = 0;
	cc->prounds = 0;
	cc->lsize = 0;
	cc->psize = 0;
}

/*
 * Free the depot's magazines from the bottom of its stacks (the least
 * recently used): all of them, or those outside its working set.  The
 * interval of the working set starts again.
 */
static u32 kslab_mc_trim(struct kslab_mc *mc, bool all)
{
	struct kslab_depot *d = &mc->depot;
	struct kslab_mag *full, *empty;
	u32 n;

	klab_lock(&d->lock);
	full = kslab_stack_cut(&d->full, &d->nr_full,
			       all ? d->nr_full :
			       kslab_min(d->min_full, d->nr_full));
	empty = kslab_stack_cut(&d->empty, &d->nr_empty,
				all ? d->nr_empty :
				kslab_min(d->min_empty, d->nr_empty));
	d->min_full = d->nr_full;
	d->min_empty = d->nr_empty;
	klab_unlock(&d->lock);

	n = kslab_mc_release_list(mc, full) + kslab_mc_release_list(mc, empty);
	klab_lock(&d->lock);
	d->reaped += n;
	klab_unlock(&d->lock);
	return n;
}

/**
 * kslab_mc_reap() - give back the depot's magazines outside its working set
 * @mc: the cache's magazine layer
 *
 * The fewest full and empty magazines the depot held since the last reap
 * were not needed during the interval: that many full ones have their
 * rounds flushed, and they and that many empty ones are freed.  The
 * interval then starts again.
 *
 * Return: the number of magazines freed.
 */
u32 kslab_mc_reap(struct kslab_mc *mc)
{
	return kslab_mc_trim(mc, false);
}

/**
 * kslab_mc_purge() - give back every magazine in the depot
 * @mc: the cache's magazine layer
 *
 * Return: the number of magazines freed.
 */
u32 kslab_mc_purge(struct kslab_mc *mc)
{
	return kslab_mc_trim(mc, true);
}

/**
 * kslab_mc_tune() - change the magazine size and the depot limit
 * @mc: the cache's magazine layer
 * @magsize: rounds per magazine, 0 for no magazines
 * @limit: most full (and empty) magazines the depot keeps
 *
 * The depot is purged when the size changes.  Magazines of the old size
 * still held by CPUs are not touched: the caller drains the CPUs after
 * this (the depot refuses magazines of another size from then on).
 *
 * Return: 0, or -EINVAL if @magsize is above KSLAB_MAG_MAX.
 */
int kslab_mc_tune(struct kslab_mc *mc, u32 magsize, u32 limit)
{
	struct kslab_depot *d = &mc->depot;
	bool resize;

	if (magsize > KSLAB_MAG_MAX)
		return -EINVAL;
	klab_lock(&d->lock);
	resize = d->magsize != magsize;
	d->magsize = magsize;
	d->limit = limit;
	klab_unlock(&d->lock);
	if (resize)
		kslab_mc_purge(mc);
	return 0;
}

/**
 * kslab_mc_destroy() - free the depot's magazines
 * @mc: the cache's magazine layer, whose CPUs are drained
 */
void kslab_mc_destroy(struct kslab_mc *mc)
{
	kslab_mc_purge(mc);
	klab_lock_destroy(&mc->depot.lock);
}

/**
 * kslab_cc_cached() - objects in a CPU's magazines
 * @cc: the CPU's magazines
 *
 * Return: rounds in the loaded and previous magazines.
 */
u32 kslab_cc_cached(const struct kslab_cc *cc)
{
	return cc->rounds + cc->prounds;
}

/**
 * kslab_mc_depot_rounds() - objects in the depot's full magazines
 * @mc: the cache's magazine layer
 *
 * Return: the sum of their rounds.
 */
u32 kslab_mc_depot_rounds(struct kslab_mc *mc)
{
	struct kslab_depot *d = &mc->depot;
	struct kslab_mag *m;
	u32 n = 0;

	klab_lock(&d->lock);
	for (m = d->full; m; m = m->next)
		n += m->rounds;
	klab_unlock(&d->lock);
	return n;
}
