// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: allocation and free, through each CPU's magazines.
 *
 * The fast path pops a round from (or pushes one onto) the CPU's loaded
 * magazine with local interrupts disabled, and nothing else: no lock, no
 * atomic read-modify-write, no other CPU's cache line.  Interrupts rather
 * than preemption are disabled because allocation and free are allowed
 * from interrupt handlers, which run on the same CPU and would otherwise
 * find the magazine between reading the round count and writing it back.
 * The this_cpu operations alone cannot do this: a pop reads the count, then
 * a slot, then stores the count, and an interrupt handler that pops and
 * pushes in between hands out the same object twice.  SLUB closes that
 * window with this_cpu_cmpxchg_double() on its freelist and a transaction
 * id, an (unlocked) cmpxchg16b; a magazine needs two fields changed
 * together, which pushf/cli/popf (local_irq_save/restore) gives for a
 * couple of cycles more and no compare-and-retry.  SLUB's own bulk
 * functions disable interrupts the same way.
 *
 * Objects are initialised exactly as SLUB initialises them: zeroed on
 * allocation when __GFP_ZERO is given or init_on_alloc=1 is in force,
 * except that constructed objects are never zeroed by init_on_alloc and
 * poisoned ones only on __GFP_ZERO (slab_want_init_on_alloc() in
 * mm/slab.h); zeroed on free when init_on_free=1, constructed and
 * poisoned objects excepted (slab_want_init_on_free()).
 */
#include <linux/cpu.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>

#include "slabcache.h"

/*
 * Both magazines empty: the depot, the slab layer, and when that has no
 * free object, a new slab (which may sleep if @gfp allows it, so it is
 * grown with interrupts on and the CPU's magazines left alone).
 */
static noinline void *kslab_alloc_slow(struct kslab_cache *s, gfp_t gfp,
				       unsigned long flags)
{
	void *obj;
	int nid;

	for (;;) {
		obj = kslab_mc_alloc(&s->mc, this_cpu_ptr(s->cpu));
		nid = numa_mem_id();
		local_irq_restore(flags);
		if (obj || kslab_slab_grow(s, gfp, nid))
			return obj;
		local_irq_save(flags);
	}
}

static __always_inline void *kslab_alloc_cpu(struct kslab_cache *s, gfp_t gfp)
{
	struct kslab_cc *cc;
	unsigned long flags;
	void *obj;

	local_irq_save(flags);
	cc = this_cpu_ptr(s->cpu);
	if (unlikely(!cc->rounds))
		return kslab_alloc_slow(s, gfp, flags);
	obj = cc->loaded->objs[--cc->rounds];
	cc->alloc_hit++;
	local_irq_restore(flags);
	return obj;
}

/**
 * kslab_alloc_objs() - an object from the magazine layer, as it is
 * @s: the cache
 * @gfp: allocation flags
 *
 * No debug checks and no initialisation: for debug.c.
 *
 * Return: an object or NULL.
 */
void *kslab_alloc_objs(struct kslab_cache *s, gfp_t gfp)
{
	return kslab_alloc_cpu(s, gfp);
}

/**
 * kslab_alloc() - allocate an object
 * @s: the cache
 * @gfp: GFP_KERNEL, GFP_ATOMIC, ...; __GFP_ZERO zeroes the object
 *
 * Never sleeps unless @gfp allows it: only a new slab's pages can wait
 * for memory.  Callable from any context @gfp is valid in, hard
 * interrupts included.
 *
 * Return: the object, or NULL if no memory could be had.
 */
void *kslab_alloc(struct kslab_cache *s, gfp_t gfp)
{
	void *obj;

	might_alloc(gfp);
	if (unlikely(kslab_debug(s)))
		return kslab_debug_alloc(s, gfp, _RET_IP_);
	obj = kslab_alloc_cpu(s, gfp);
	if (likely(obj) && kslab_init_on_alloc(s, gfp))
		memset(obj, 0, s->object_size);
	return obj;
}
EXPORT_SYMBOL_GPL(kslab_alloc);

static noinline void kslab_free_double(struct kslab_cache *s, void *obj,
				       unsigned long flags)
{
	local_irq_restore(flags);
	kslab_report_double_free(s, obj, false);
}

static __always_inline void kslab_free_cpu(struct kslab_cache *s, void *obj)
{
	struct kslab_cc *cc;
	unsigned long flags;

	local_irq_save(flags);
	cc = this_cpu_ptr(s->cpu);
	if (unlikely(cc->rounds >= cc->lsize)) {
		kslab_mc_free(&s->mc, cc, obj);
		local_irq_restore(flags);
		/* a destroyed cache gives its slabs back as they empty */
		if (unlikely(s->dead))
			kslab_slab_trim(s, 0);
		return;
	}
	/* a naive double free check, as SLUB's set_freepointer() does */
	if (unlikely(cc->rounds && cc->loaded->objs[cc->rounds - 1] == obj)) {
		kslab_free_double(s, obj, flags);
		return;
	}
	cc->loaded->objs[cc->rounds++] = obj;
	cc->free_hit++;
	local_irq_restore(flags);
}

/**
 * kslab_free_objs() - give an object to the magazine layer, as it is
 * @s: the cache
 * @obj: the object
 *
 * No debug checks and no initialisation: for debug.c.
 */
void kslab_free_objs(struct kslab_cache *s, void *obj)
{
	kslab_free_cpu(s, obj);
}

/**
 * kslab_free() - free an object
 * @s: the cache it came from
 * @obj: the object, or NULL
 *
 * Never sleeps; callable from any context, hard interrupts included.
 * Debug caches check the object first and quarantine it (never hand it
 * out again) when it is corrupt.
 */
void kslab_free(struct kslab_cache *s, void *obj)
{
	if (unlikely(!obj))
		return;
	if (unlikely(kslab_debug(s))) {
		kslab_debug_free(s, obj, _RET_IP_);
		return;
	}
	if (unlikely(s->init_on_free))
		memset(obj, 0, s->object_size);
	kslab_free_cpu(s, obj);
}
EXPORT_SYMBOL_GPL(kslab_free);

/**
 * kslab_alloc_bulk() - allocate several objects at once
 * @s: the cache
 * @gfp: as for kslab_alloc()
 * @nr: how many
 * @p: where they go
 *
 * Rounds are copied out of the magazines a magazine at a time, with
 * interrupts disabled once per magazine rather than once per object.
 *
 * Return: @nr, or 0 (and nothing allocated) if there was not enough memory,
 * as kmem_cache_alloc_bulk().
 */
int kslab_alloc_bulk(struct kslab_cache *s, gfp_t gfp, size_t nr, void **p)
{
	unsigned long flags;
	size_t got = 0, i;
	int nid;

	might_alloc(gfp);
	if (unlikely(kslab_debug(s))) {
		for (got = 0; got < nr; got++) {
			p[got] = kslab_debug_alloc(s, gfp, _RET_IP_);
			if (!p[got])
				goto err_free;
		}
		return nr;
	}
	while (got < nr) {
		u32 want = min_t(size_t, nr - got, SZ_1M);

		local_irq_save(flags);
		got += kslab_mc_alloc_bulk(&s->mc, this_cpu_ptr(s->cpu),
					   p + got, want);
		nid = numa_mem_id();
		local_irq_restore(flags);
		if (got < nr && kslab_slab_grow(s, gfp, nid))
			goto err_free;
	}
	if (kslab_init_on_alloc(s, gfp))
		for (i = 0; i < nr; i++)
			memset(p[i], 0, s->object_size);
	return nr;

err_free:
	kslab_free_bulk(s, got, p);
	return 0;
}
EXPORT_SYMBOL_GPL(kslab_alloc_bulk);

/**
 * kslab_free_bulk() - free several objects at once
 * @s: the cache they came from
 * @nr: how many
 * @p: the objects
 */
void kslab_free_bulk(struct kslab_cache *s, size_t nr, void **p)
{
	unsigned long flags;
	size_t i;

	if (unlikely(kslab_debug(s))) {
		for (i = 0; i < nr; i++)
			kslab_debug_free(s, p[i], _RET_IP_);
		return;
	}
	if (unlikely(s->init_on_free))
		for (i = 0; i < nr; i++)
			memset(p[i], 0, s->object_size);
	while (nr) {
		u32 n = min_t(size_t, nr, SZ_1M);

		local_irq_save(flags);
		kslab_mc_free_bulk(&s->mc, this_cpu_ptr(s->cpu), p, n);
		local_irq_restore(flags);
		p += n;
		nr -= n;
	}
}
EXPORT_SYMBOL_GPL(kslab_free_bulk);

static void kslab_drain_local(void *info)
{
	struct kslab_cache *s = info;

	kslab_mc_drain_cc(&s->mc, this_cpu_ptr(s->cpu));
}

/**
 * kslab_drain_cpus() - empty every online CPU's magazines into the slabs
 * @s: the cache
 *
 * Each CPU drains its own magazines in an IPI (with interrupts off, as the
 * fast path expects); offline CPUs were drained when they went down.
 *
 * Context: process context; the caller holds cpus_read_lock() or accepts
 * that a CPU going down meanwhile is drained by the hotplug callback.
 */
void kslab_drain_cpus(struct kslab_cache *s)
{
	on_each_cpu(kslab_drain_local, s, 1);
}

/**
 * kslab_drain_cpu() - empty the magazines of a CPU that is down
 * @s: the cache
 * @cpu: the CPU, no longer running
 */
void kslab_drain_cpu(struct kslab_cache *s, int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	kslab_mc_drain_cc(&s->mc, per_cpu_ptr(s->cpu, cpu));
	local_irq_restore(flags);
}

/**
 * kslab_depot_reap() - give back the depot's magazines nobody needed
 * @s: the cache
 */
void kslab_depot_reap(struct kslab_cache *s)
{
	unsigned long flags;

	/* the depot's lock is also taken by allocations in interrupts */
	local_irq_save(flags);
	kslab_mc_reap(&s->mc);
	local_irq_restore(flags);
}

/**
 * kslab_depot_purge() - give back every magazine in the depot
 * @s: the cache
 */
void kslab_depot_purge(struct kslab_cache *s)
{
	unsigned long flags;

	local_irq_save(flags);
	kslab_mc_purge(&s->mc);
	local_irq_restore(flags);
}

/**
 * kslab_cache_shrink() - give back every free slab and cached object
 * @s: the cache
 *
 * The magazines of every CPU and of the depot are emptied into the slabs,
 * then every slab without objects in use goes back to the page allocator.
 *
 * Context: process context, may sleep.
 * Return: the number of pages given back.
 */
unsigned long kslab_cache_shrink(struct kslab_cache *s)
{
	cpus_read_lock();
	kslab_drain_cpus(s);
	cpus_read_unlock();
	kslab_depot_purge(s);
	return kslab_slab_trim(s, 0);
}
EXPORT_SYMBOL_GPL(kslab_cache_shrink);
