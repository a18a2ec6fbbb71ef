// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: caches.  Creation lays out the objects (modules/core/
 * kslab_layout.c), destruction drains every magazine and gives back every
 * slab, and reports a leak when objects are still allocated.
 *
 * Magazines come from slabcache itself: a few internal caches of
 * magazine-sized objects (kslab-mag-N, N rounds), which have no magazine
 * layer of their own, as Solaris' kmem_magazine caches.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/cpu.h>
#include <linux/ctype.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "slabcache.h"

/* Serialises creation, destruction, tuning and walks of kslab_caches */
DEFINE_MUTEX(kslab_mutex);
LIST_HEAD(kslab_caches);
/* Pages of every live cache's slabs, and those left to leaked objects */
atomic_long_t kslab_nr_pages = ATOMIC_LONG_INIT(0);
atomic_long_t kslab_leaked_pages = ATOMIC_LONG_INIT(0);
atomic_long_t kslab_nr_mag_bytes = ATOMIC_LONG_INIT(0);

/* Caches destroyed while objects were allocated, kept for those objects */
static LIST_HEAD(kslab_dead_caches);

unsigned int kslab_max_order = 3;
module_param_named(max_order, kslab_max_order, uint, 0444);
MODULE_PARM_DESC(max_order,
		 "Highest slab order the order rule picks (default: 3, as SLUB's slub_max_order)");

/* Magazine capacities: each fills an object of 2^k bytes exactly */
static const u32 kslab_mag_caps[] = { 6, 14, 30, 62, 126, KSLAB_MAG_MAX };
static struct kslab_cache *kslab_mag_caches[ARRAY_SIZE(kslab_mag_caps)];

static unsigned int kslab_mag_class(u32 size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kslab_mag_caps) - 1; i++)
		if (kslab_mag_caps[i] >= size)
			break;
	return i;
}

/**
 * kslab_mag_alloc() - an empty magazine, never sleeping
 * @ctx: the cache that wants it (unused: magazines are shared)
 * @size: rounds it must hold
 *
 * Return: the magazine or NULL.
 */
struct kslab_mag *kslab_mag_alloc(void *ctx, u32 size)
{
	unsigned int c = kslab_mag_class(size);
	struct kslab_mag *m;

	m = kslab_alloc_objs(kslab_mag_caches[c], GFP_ATOMIC | __GFP_NOWARN);
	if (!m)
		return NULL;
	m->next = NULL;
	m->size = size;
	m->rounds = 0;
	atomic_long_add(kslab_mag_bytes(kslab_mag_caps[c]), &kslab_nr_mag_bytes);
	return m;
}

/**
 * kslab_mag_free() - free a magazine whose rounds are gone
 * @ctx: the cache it served (unused)
 * @m: the magazine
 */
void kslab_mag_free(void *ctx, struct kslab_mag *m)
{
	unsigned int c = kslab_mag_class(m->size);

	atomic_long_sub(kslab_mag_bytes(kslab_mag_caps[c]), &kslab_nr_mag_bytes);
	kslab_free_objs(kslab_mag_caches[c], m);
}

const struct kslab_mc_ops kslab_mc_ops = {
	.refill = kslab_slab_refill,
	.flush = kslab_slab_flush,
	.mag_alloc = kslab_mag_alloc,
	.mag_free = kslab_mag_free,
};

/*
 * Default rounds per magazine, by object size: about SLAB's per-CPU array
 * limits (120, 54, 24, 8), rounded to the capacities above.
 */
static u32 kslab_default_magsize(u32 stride)
{
	if (stride > PAGE_SIZE)
		return kslab_mag_caps[0];
	if (stride > 1024)
		return kslab_mag_caps[2];
	if (stride > 256)
		return kslab_mag_caps[3];
	return kslab_mag_caps[4];
}

/* Default full magazines the depot keeps: two per CPU */
static u32 kslab_default_depot_limit(void)
{
	return clamp_t(u32, 2 * num_possible_cpus(), 4, 64);
}

/**
 * kslab_cache_name_check() - is @name usable as a cache name?
 * @name: the name
 *
 * Names appear as a /proc/slabcacheinfo field and a sysfs directory:
 * 1 to KSLAB_NAME_LEN - 1 of [A-Za-z0-9_.:-].
 *
 * Return: 0 or -EINVAL.
 */
int kslab_cache_name_check(const char *name)
{
	size_t len = strnlen(name, KSLAB_NAME_LEN);
	size_t i;

	if (!len || len >= KSLAB_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_.:-", name[i]))
			return -EINVAL;
	return 0;
}

/**
 * kslab_cache_find() - a live cache by name
 * @name: the name
 *
 * Context: kslab_mutex held.
 * Return: the cache or NULL.
 */
struct kslab_cache *kslab_cache_find(const char *name)
{
	struct kslab_cache *s;

	lockdep_assert_held(&kslab_mutex);
	list_for_each_entry(s, &kslab_caches, list)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static u32 kslab_layout_flags(unsigned int flags, void (*ctor)(void *))
{
	u32 lf = 0;

	if (ctor)
		lf |= KSLAB_L_CTOR;
	if (flags & KSLAB_RED_ZONE)
		lf |= KSLAB_L_RED_ZONE;
	if (flags & KSLAB_POISON)
		lf |= KSLAB_L_POISON;
	if (flags & KSLAB_STORE_USER)
		lf |= KSLAB_L_STORE_USER;
	if (flags & KSLAB_HWCACHE_ALIGN)
		lf |= KSLAB_L_HWCACHE_ALIGN;
	return lf;
}

/**
 * kslab_cache_free() - free what kslab_cache_alloc() set up
 * @s: the cache, with no slabs left on its lists
 *
 * Also the release of the cache's kobject.
 */
void kslab_cache_free(struct kslab_cache *s)
{
	kslab_nodes_free(s);
	free_percpu(s->cpu);
	kfree(s);
}

static struct kslab_cache *kslab_cache_alloc(const char *name,
					     unsigned int size,
					     unsigned int align,
					     unsigned int flags,
					     void (*ctor)(void *),
					     bool magazines)
{
	struct kslab_layout_req req = {
		.size = size,
		.align = align,
		.flags = kslab_layout_flags(flags, ctor),
		.page_size = PAGE_SIZE,
		.cache_line = cache_line_size(),
		.max_order = kslab_max_order,
		.track_size = sizeof(struct kslab_track),
	};
	struct kslab_cache *s;

	if (kslab_cache_name_check(name) || (flags & ~KLAB_SLAB_F_ALL))
		return NULL;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	if (kslab_layout_compute(&req, &s->layout))
		goto err_free;
	strscpy(s->name, name, sizeof(s->name));
	s->flags = flags & ~KLAB_SLAB_F_CTOR;
	s->object_size = size;
	s->ctor = ctor;
	s->secret = get_random_long();
	s->init_on_free = want_init_on_free() && !ctor &&
			  !(flags & KSLAB_POISON);
	s->wipe_link = s->init_on_free && !kslab_link_outside(&s->layout);
	s->free_limit = 1;
	spin_lock_init(&s->debug_lock);
	INIT_LIST_HEAD(&s->list);

	s->cpu = alloc_percpu(struct kslab_cc);
	if (!s->cpu)
		goto err_free;
	if (kslab_nodes_init(s))
		goto err_free_cpu;
	kslab_mc_init(&s->mc, &kslab_mc_ops, s,
		      magazines ? kslab_default_magsize(s->layout.stride) : 0,
		      kslab_default_depot_limit());
	/* from here on the kobject's release frees the cache */
	kslab_sysfs_init_cache(s);
	return s;

err_free_cpu:
	free_percpu(s->cpu);
err_free:
	kfree(s);
	return NULL;
}

/* Publish a new cache: sysfs, then the list /proc and reclaim walk */
static int kslab_cache_publish(struct kslab_cache *s)
{
	int err;

	mutex_lock(&kslab_mutex);
	if (kslab_cache_find(s->name)) {
		mutex_unlock(&kslab_mutex);
		return -EEXIST;
	}
	err = kslab_sysfs_add(s);
	if (!err)
		list_add(&s->list, &kslab_caches);
	mutex_unlock(&kslab_mutex);
	return err;
}

/**
 * kslab_cache_create() - create a cache
 * @name: 1 to KSLAB_NAME_LEN - 1 of [A-Za-z0-9_.:-], unique
 * @size: object size in bytes, 1 to 4 MiB
 * @align: 0, or a power of two up to PAGE_SIZE
 * @flags: KSLAB_RED_ZONE, KSLAB_POISON, KSLAB_STORE_USER,
 *	KSLAB_HWCACHE_ALIGN
 * @ctor: called once on every object when its slab is created, never on
 *	allocation; objects must be freed in their constructed state
 *
 * Context: process context, may sleep.
 * Return: the cache, or NULL on a bad argument, a name in use, or no memory.
 */
struct kslab_cache *kslab_cache_create(const char *name, unsigned int size,
				       unsigned int align, unsigned int flags,
				       void (*ctor)(void *))
{
	struct kslab_cache *s;

	s = kslab_cache_alloc(name, size, align, flags, ctor, true);
	if (!s)
		return NULL;
	if (kslab_cache_publish(s)) {
		kslab_sysfs_put(s);
		return NULL;
	}
	return s;
}
EXPORT_SYMBOL_GPL(kslab_cache_create);

/**
 * kslab_test_cache_create() - create a cache for klabctl
 * @name: as kslab_cache_create()
 * @size: as kslab_cache_create()
 * @align: as kslab_cache_create()
 * @flags: as kslab_cache_create()
 * @ctor: as kslab_cache_create()
 *
 * Return: the cache, or an ERR_PTR(): -EINVAL, -EEXIST or -ENOMEM.
 */
struct kslab_cache *kslab_test_cache_create(const char *name,
					    unsigned int size,
					    unsigned int align,
					    unsigned int flags,
					    void (*ctor)(void *))
{
	struct kslab_cache *s;
	int err;

	if (kslab_cache_name_check(name) || !size ||
	    size > kslab_max_object_size || (flags & ~KLAB_SLAB_F_ALL))
		return ERR_PTR(-EINVAL);
	s = kslab_cache_alloc(name, size, align, flags, ctor, true);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->test = true;
	err = kslab_cache_publish(s);
	if (err) {
		kslab_sysfs_put(s);
		return ERR_PTR(err);
	}
	return s;
}

/*
 * Objects are still allocated: keep the slabs that hold them, and the
 * cache for their frees, which go straight to the slabs from now on.
 */
static void kslab_cache_orphan(struct kslab_cache *s, unsigned long leaked)
{
	long pages;

	kslab_mc_tune(&s->mc, 0, 0);
	pages = atomic_long_read(&s->pages);
	atomic_long_sub(pages, &kslab_nr_pages);
	atomic_long_add(pages, &kslab_leaked_pages);
	s->dead = true;
	pr_err("cache %s: destroyed with %lu object(s) allocated; their %ld page(s) stay allocated\n",
	       s->name, leaked, pages);
	mutex_lock(&kslab_mutex);
	list_add(&s->list, &kslab_dead_caches);
	mutex_unlock(&kslab_mutex);
}

/**
 * kslab_cache_destroy() - destroy a cache
 * @s: the cache, or NULL
 *
 * Every magazine is emptied and every slab goes back to the page
 * allocator.  When objects are still allocated, the leak is reported with
 * its exact count, and the slabs holding them stay allocated (freeing the
 * objects later gives them back).
 *
 * Context: process context, may sleep.
 * Return: the number of objects still allocated (0 normally).
 */
unsigned long kslab_cache_destroy(struct kslab_cache *s)
{
	unsigned long inuse, leaked, resident;

	if (!s)
		return 0;
	mutex_lock(&kslab_mutex);
	list_del_init(&s->list);
	mutex_unlock(&kslab_mutex);
	/* waits for readers and writers of its files; no lock held */
	kslab_sysfs_del(s);
	cpus_read_lock();
	kslab_drain_cpus(s);
	cpus_read_unlock();
	kslab_depot_purge(s);

	kslab_slab_release_all(s, &inuse);
	/* quarantined objects stay in use but belong to nobody */
	resident = atomic_long_read(&s->dropped) + atomic_long_read(&s->lost);
	leaked = inuse > resident ? inuse - resident : 0;
	if (leaked) {
		kslab_cache_orphan(s, leaked);
		return leaked;
	}
	if (inuse)
		kslab_slab_discard(s);
	kslab_mc_destroy(&s->mc);
	kslab_sysfs_put(s);
	return 0;
}
EXPORT_SYMBOL_GPL(kslab_cache_destroy);

/**
 * kslab_cache_size() - bytes a client may use in an object
 * @s: the cache
 *
 * Return: the object size given at creation.
 */
unsigned int kslab_cache_size(const struct kslab_cache *s)
{
	return s->object_size;
}
EXPORT_SYMBOL_GPL(kslab_cache_size);

/**
 * kslab_cache_tune() - set the magazine size and the depot limit
 * @s: the cache
 * @magsize: rounds per magazine, 0 (no magazines) to KSLAB_MAG_MAX
 * @limit: most full magazines the depot keeps, up to KSLAB_DEPOT_MAX
 *
 * Changing the size drains every CPU's magazines and the depot.
 *
 * Context: cpus_read_lock() and kslab_mutex held.
 * Return: 0 or -EINVAL (nothing changed).
 */
int kslab_cache_tune(struct kslab_cache *s, unsigned int magsize,
		     unsigned int limit)
{
	unsigned long flags;
	int err;

	if (magsize > KSLAB_MAG_MAX || limit > KSLAB_DEPOT_MAX)
		return -EINVAL;
	local_irq_save(flags);
	err = kslab_mc_tune(&s->mc, magsize, limit);
	local_irq_restore(flags);
	if (err)
		return err;
	kslab_drain_cpus(s);
	kslab_depot_purge(s);
	return 0;
}

/**
 * kslab_cache_stats() - a snapshot of a cache's counters
 * @s: the cache
 * @st: filled in
 *
 * Per-CPU counters are read without stopping the CPUs: exact when the
 * cache is quiet, close otherwise.  Active objects are those clients hold:
 * allocations minus frees minus objects the debug checks dropped.
 */
void kslab_cache_stats(struct kslab_cache *s, struct kslab_stats *st)
{
	struct kslab_depot *d = &s->mc.depot;
	unsigned long flags;
	struct kslab_mag *m;
	long active;
	int cpu, nid;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		struct kslab_cc *cc = per_cpu_ptr(s->cpu, cpu);

		st->alloc_hit += READ_ONCE(cc->alloc_hit);
		st->alloc_miss += READ_ONCE(cc->alloc_miss);
		st->free_hit += READ_ONCE(cc->free_hit);
		st->free_miss += READ_ONCE(cc->free_miss);
		st->cached_objs += READ_ONCE(cc->rounds) +
				   READ_ONCE(cc->prounds);
	}
	/* the depot's lock is also taken by allocations in interrupts */
	local_irq_save(flags);
	klab_lock(&d->lock);
	st->depot_full = d->nr_full;
	st->depot_empty = d->nr_empty;
	st->magsize = d->magsize;
	st->depot_limit = d->limit;
	for (m = d->full; m; m = m->next)
		st->depot_rounds += m->rounds;
	klab_unlock(&d->lock);
	local_irq_restore(flags);
	st->cached_objs += st->depot_rounds;

	for_each_node(nid) {
		struct kslab_node *n = s->node[nid];

		spin_lock_irqsave(&n->lock, flags);
		st->slabs_full += n->nr_full;
		st->slabs_partial += n->nr_partial;
		st->slabs_free += n->nr_free;
		spin_unlock_irqrestore(&n->lock, flags);
	}
	st->total_objs = (st->slabs_full + st->slabs_partial +
			  st->slabs_free) * s->layout.objects;
	/* counters sampled while others move may run behind: clamp at 0 */
	active = (long)(st->alloc_hit + st->alloc_miss - st->free_hit -
			st->free_miss) - atomic_long_read(&s->dropped) +
		 atomic_long_read(&s->ignored) +
		 atomic_long_read(&s->nested_alloc) -
		 atomic_long_read(&s->nested_free);
	st->active_objs = max(active, 0L);
}

/**
 * kslab_caches_init() - create the magazine caches
 *
 * Return: 0 or -ENOMEM.
 */
int kslab_caches_init(void)
{
	char name[KSLAB_NAME_LEN];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kslab_mag_caps); i++) {
		struct kslab_cache *s;

		snprintf(name, sizeof(name), "kslab-mag-%u", kslab_mag_caps[i]);
		s = kslab_cache_alloc(name, kslab_mag_bytes(kslab_mag_caps[i]),
				      0, 0, NULL, false);
		if (!s)
			goto err_destroy;
		if (kslab_cache_publish(s)) {
			kslab_sysfs_put(s);
			goto err_destroy;
		}
		kslab_mag_caches[i] = s;
	}
	return 0;

err_destroy:
	while (i--)
		kslab_cache_destroy(kslab_mag_caches[i]);
	return -ENOMEM;
}

/**
 * kslab_caches_exit() - destroy the remaining caches, forget dead ones
 *
 * Modules using slabcache have unloaded by now, and klabctl's caches are
 * gone; a cache still listed was never destroyed by its module, and is
 * destroyed here (reporting any leak).  Dead caches' slabs stay allocated
 * for good: their objects' owners never freed them.
 */
void kslab_caches_exit(void)
{
	struct kslab_cache *s, *next;
	LIST_HEAD(orphans);
	unsigned int i;
	long pages;

	mutex_lock(&kslab_mutex);
	list_splice_init(&kslab_caches, &orphans);
	for (i = 0; i < ARRAY_SIZE(kslab_mag_caches); i++)
		list_move(&kslab_mag_caches[i]->list, &kslab_caches);
	mutex_unlock(&kslab_mutex);
	/* their magazines go back to the magazine caches, destroyed last */
	list_for_each_entry_safe(s, next, &orphans, list) {
		pr_err("cache %s was never destroyed by its owner\n", s->name);
		kslab_cache_destroy(s);
	}
	for (i = ARRAY_SIZE(kslab_mag_caps); i--;)
		kslab_cache_destroy(kslab_mag_caches[i]);

	mutex_lock(&kslab_mutex);
	list_for_each_entry_safe(s, next, &kslab_dead_caches, list) {
		list_del(&s->list);
		kslab_mc_destroy(&s->mc);
		kslab_sysfs_put(s);
	}
	mutex_unlock(&kslab_mutex);

	pages = atomic_long_read(&kslab_nr_pages);
	pr_info("unloading: %ld page(s) in slabs, %ld page(s) left to leaked objects\n",
		pages, atomic_long_read(&kslab_leaked_pages));
}
