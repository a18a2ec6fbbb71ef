// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: allocation and free, through each CPU's magazines.
 *
 * The fast path claims the CPU's magazines with a flag, pops a round from
 * (or pushes one onto) the loaded magazine and lets go, with preemption
 * disabled and interrupts left on: no lock, no atomic read-modify-write,
 * no other CPU's cache line, no change of the interrupt flag.
 *
 *   task / softirq / hardirq on CPU n         struct kslab_cc of CPU n
 *   ---------------------------------         -------------------------
 *   preempt_disable()
 *   owned?  yes -> nested path (below)        owned = 0 -> 1
 *           no  -> owned = 1                  rounds--, loaded->objs[]
 *   pop or push one round                     alloc_hit++ (free_hit++)
 *   owned = 0; preempt_enable()               owned = 1 -> 0
 *
 * Why a plain flag is enough.  Only code running on CPU n changes CPU n's
 * magazines: other CPUs drain them through an IPI, which is itself code
 * running on CPU n, and only read them for statistics.  On one CPU the
 * contexts nest (a task, a softirq interrupting it, a hard interrupt
 * interrupting either; hard interrupts do not nest), and an interrupting
 * context runs to completion before the one it interrupted resumes; with
 * preemption disabled the task is neither preempted nor migrated.  So a
 * context that reads owned == 0 and then sets it is interrupted, in
 * between, only by contexts that have finished and cleared the flag again
 * by the time it goes on; and any context interrupting it once it has set
 * the flag sees owned == 1 and leaves the magazines alone.  The compiler
 * barriers keep the magazine accesses inside the claim; the CPU sees its
 * own stores in program order, interrupts included.
 *
 * The nested path, taken by an interrupt that landed inside another
 * context's claim (a window of a few instructions, so rarely), takes the
 * object from or gives it to the slab layer directly, with interrupts
 * disabled for its node lock, and counts it in nested_alloc/nested_free.
 *
 * The slow path (magazines exhausted) keeps the claim and disables
 * interrupts as well, because the depot's lock and the slab lists' locks
 * are also taken by interrupts (on the nested path, and on their own slow
 * paths when they run while nobody holds the claim).  It gives the claim
 * back before a new slab's pages are allocated, which may sleep.
 *
 * NMIs must not allocate or free, as with kmalloc(): an NMI can land in a
 * context holding the depot or a node lock with interrupts disabled.
 *
 * SLUB's fast path uses this_cpu_cmpxchg_double() on (freelist, tid)
 * instead: its free writes the link into the object being freed, which
 * nobody else can touch, before the compare-and-exchange publishes it.  A
 * magazine push writes a slot of the shared array first, which an
 * interrupt may have filled meanwhile, so a transaction id would detect
 * the race only after a round had been overwritten; the claim avoids the
 * race instead, and costs two plain per-CPU stores where SLUB's costs a
 * cmpxchg16b per operation.
 *
 * Objects are initialised exactly as SLUB initialises them: zeroed on
 * allocation when __GFP_ZERO is given or init_on_alloc=1 is in force,
 * except that constructed objects are never zeroed by init_on_alloc and
 * poisoned ones only on __GFP_ZERO (slab_want_init_on_alloc() in
 * mm/slab.h); zeroed on free when init_on_free=1, constructed and
 * poisoned objects excepted (slab_want_init_on_free()).
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/sched/mm.h>
#include <linux/smp.h>

#include "slabcache.h"

/*
 * Is the CPU's claim held by the context this one interrupted?  A kernel
 * built with `make KSLAB_PLANT=nested` (a planted bug, see the README)
 * never sees it held, so that an interrupt inside a claim works on the
 * magazines under the interrupted context's feet: the workload (klabctl
 * slab run, with its hard-irq timer) is shown to catch that.
 */
static __always_inline bool kslab_cc_held(const struct kslab_cc *cc)
{
#ifdef KSLAB_PLANT_NESTED
	return false;
#else
	return READ_ONCE(cc->owned);
#endif
}

/*
 * Claim this CPU's magazines.  NULL: the context this one interrupted
 * holds them (the caller is an interrupt and takes the nested path).
 */
static __always_inline struct kslab_cc *kslab_cc_claim(struct kslab_cache *s)
{
	struct kslab_cc *cc;

	preempt_disable();
	cc = this_cpu_ptr(s->cpu);
	if (unlikely(kslab_cc_held(cc))) {
		preempt_enable();
		return NULL;
	}
	WRITE_ONCE(cc->owned, 1);
	barrier();
	return cc;
}

static __always_inline void kslab_cc_unclaim(struct kslab_cc *cc)
{
	barrier();
	WRITE_ONCE(cc->owned, 0);
	preempt_enable();
}

/* An interrupt inside another context's claim: straight from the slabs */
static noinline u32 kslab_alloc_nested(struct kslab_cache *s, gfp_t gfp,
				       void **p, u32 n)
{
	unsigned long flags;
	u32 got = 0;
	int nid;

	while (got < n) {
		local_irq_save(flags);
		got += kslab_slab_refill(s, p + got, n - got);
		nid = numa_mem_id();
		local_irq_restore(flags);
		if (got < n && kslab_slab_grow(s, gfp, nid))
			break;
	}
	atomic_long_add(got, &s->nested_alloc);
	return got;
}

/* An interrupt inside another context's claim: straight to the slabs */
static noinline void kslab_free_nested(struct kslab_cache *s, void **p,
				       u32 n)
{
	unsigned long flags;

	local_irq_save(flags);
	kslab_slab_flush(s, p, n);
	local_irq_restore(flags);
	atomic_long_add(n, &s->nested_free);
	if (unlikely(s->dead))
		kslab_slab_trim(s, 0);
}

/*
 * Both magazines empty: the depot, the slab layer, and when that has no
 * free object, a new slab (which may sleep if @gfp allows it, so it is
 * grown with the claim given back and interrupts on).
 */
static noinline void *kslab_alloc_slow(struct kslab_cache *s,
				       struct kslab_cc *cc, gfp_t gfp)
{
	unsigned long flags;
	void *obj;
	int nid;

	for (;;) {
		local_irq_save(flags);
		obj = kslab_mc_alloc(&s->mc, cc);
		nid = numa_mem_id();
		local_irq_restore(flags);
		kslab_cc_unclaim(cc);
		if (obj || kslab_slab_grow(s, gfp, nid))
			return obj;
		cc = kslab_cc_claim(s);
		if (!cc)
			return kslab_alloc_nested(s, gfp, &obj, 1) ? obj : NULL;
	}
}

static __always_inline void *kslab_alloc_cpu(struct kslab_cache *s, gfp_t gfp)
{
	struct kslab_cc *cc = kslab_cc_claim(s);
	void *obj;

	if (unlikely(!cc))
		return kslab_alloc_nested(s, gfp, &obj, 1) ? obj : NULL;
	if (unlikely(!cc->rounds))
		return kslab_alloc_slow(s, cc, gfp);
	obj = cc->loaded->objs[--cc->rounds];
	cc->alloc_hit++;
	kslab_cc_unclaim(cc);
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
 * interrupts included; not from NMIs.
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

/* Both magazines full: the depot, or the slab layer */
static noinline void kslab_free_slow(struct kslab_cache *s,
				     struct kslab_cc *cc, void *obj)
{
	unsigned long flags;

	local_irq_save(flags);
	kslab_mc_free(&s->mc, cc, obj);
	local_irq_restore(flags);
	kslab_cc_unclaim(cc);
	/* a destroyed cache gives its slabs back as they empty */
	if (unlikely(s->dead))
		kslab_slab_trim(s, 0);
}

static noinline void kslab_free_double(struct kslab_cache *s,
				       struct kslab_cc *cc, void *obj)
{
	kslab_cc_unclaim(cc);
	kslab_report_double_free(s, obj, false);
}

static __always_inline void kslab_free_cpu(struct kslab_cache *s, void *obj)
{
	struct kslab_cc *cc = kslab_cc_claim(s);

	if (unlikely(!cc)) {
		kslab_free_nested(s, &obj, 1);
		return;
	}
	if (unlikely(cc->rounds >= cc->lsize)) {
		kslab_free_slow(s, cc, obj);
		return;
	}
	/* a naive double free check, as SLUB's set_freepointer() does */
	if (unlikely(cc->rounds && cc->loaded->objs[cc->rounds - 1] == obj)) {
		kslab_free_double(s, cc, obj);
		return;
	}
	cc->loaded->objs[cc->rounds++] = obj;
	cc->free_hit++;
	kslab_cc_unclaim(cc);
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
 * Never sleeps; callable from any context, hard interrupts included, not
 * from NMIs.  Debug caches check the object first and quarantine it
 * (never hand it out again) when it is corrupt.
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

/*
 * Up to @n objects for one bulk call, under one claim: from the CPU's two
 * magazines alone when they hold enough (interrupts stay on), else from
 * the depot and the slab layer too, in one section with interrupts off.
 * Sets @nid to the node a new slab should come from.
 */
static u32 kslab_alloc_bulk_cpu(struct kslab_cache *s, gfp_t gfp, void **p,
				u32 n, int *nid)
{
	struct kslab_cc *cc = kslab_cc_claim(s);
	unsigned long flags;
	u32 got;

	if (unlikely(!cc)) {
		*nid = NUMA_NO_NODE;
		return kslab_alloc_nested(s, gfp, p, n);
	}
	*nid = numa_mem_id();
	if (likely(cc->rounds + cc->prounds >= n)) {
		got = kslab_mc_alloc_bulk(&s->mc, cc, p, n);
		kslab_cc_unclaim(cc);
		return got;
	}
	local_irq_save(flags);
	got = kslab_mc_alloc_bulk(&s->mc, cc, p, n);
	local_irq_restore(flags);
	kslab_cc_unclaim(cc);
	return got;
}

/*
 * A bulk call the loaded magazine can serve alone, inline: the rounds are
 * copied out top first (p[0] is the most recently freed object, as with
 * successive kslab_alloc() calls) under one claim.  False: the general
 * path serves it, a magazine at a time.
 */
static __always_inline bool kslab_alloc_bulk_fast(struct kslab_cache *s,
						  size_t nr, void **p)
{
	struct kslab_cc *cc = kslab_cc_claim(s);
	void **top;
	size_t i;

	if (unlikely(!cc))
		return false;
	if (unlikely(cc->rounds < nr)) {
		kslab_cc_unclaim(cc);
		return false;
	}
	top = cc->loaded->objs + cc->rounds - 1;
	for (i = 0; i < nr; i++)
		p[i] = top[-(long)i];
	cc->rounds -= nr;
	cc->alloc_hit += nr;
	kslab_cc_unclaim(cc);
	return true;
}

/**
 * kslab_alloc_bulk() - allocate several objects at once
 * @s: the cache
 * @gfp: as for kslab_alloc()
 * @nr: how many
 * @p: where they go
 *
 * A call the loaded magazine holds enough rounds for is served inline
 * under one claim of the CPU's magazines.  Otherwise rounds are copied
 * out of the magazines a magazine at a time under one claim per call,
 * with interrupts disabled (once) only when the CPU's own two magazines
 * do not hold @nr objects.
 *
 * Return: @nr, or 0 (and nothing allocated) if there was not enough memory,
 * as kmem_cache_alloc_bulk().
 */
int kslab_alloc_bulk(struct kslab_cache *s, gfp_t gfp, size_t nr, void **p)
{
	size_t got = 0, i;
	u32 want, k;
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
	if (likely(kslab_alloc_bulk_fast(s, nr, p)))
		goto init;
	while (got < nr) {
		want = min_t(size_t, nr - got, SZ_1M);
		k = kslab_alloc_bulk_cpu(s, gfp, p + got, want, &nid);
		got += k;
		/* the nested path grew the cache already, if it could */
		if (k < want &&
		    (nid == NUMA_NO_NODE || kslab_slab_grow(s, gfp, nid)))
			goto err_free;
	}
init:
	/* after the claim, as SLUB zeroes in slab_post_alloc_hook() */
	if (kslab_init_on_alloc(s, gfp))
		for (i = 0; i < nr; i++)
			memset(p[i], 0, s->object_size);
	return nr;

err_free:
	kslab_free_bulk(s, got, p);
	return 0;
}
EXPORT_SYMBOL_GPL(kslab_alloc_bulk);

/* As kslab_alloc_bulk_cpu(), for @n objects to free */
static void kslab_free_bulk_cpu(struct kslab_cache *s, void **p, u32 n)
{
	struct kslab_cc *cc = kslab_cc_claim(s);
	unsigned long flags;
	u32 room;

	if (unlikely(!cc)) {
		kslab_free_nested(s, p, n);
		return;
	}
	room = cc->lsize - cc->rounds + (cc->prounds ? 0 : cc->psize);
	if (likely(room >= n)) {
		kslab_mc_free_bulk(&s->mc, cc, p, n);
		kslab_cc_unclaim(cc);
		return;
	}
	local_irq_save(flags);
	kslab_mc_free_bulk(&s->mc, cc, p, n);
	local_irq_restore(flags);
	kslab_cc_unclaim(cc);
	if (unlikely(s->dead))
		kslab_slab_trim(s, 0);
}

/*
 * A bulk free the loaded magazine has room for, inline: pushed in order
 * (p[nr - 1] ends on top, as with successive kslab_free() calls) under
 * one claim.  False: the general path serves it.
 */
static __always_inline bool kslab_free_bulk_fast(struct kslab_cache *s,
						 size_t nr, void **p)
{
	struct kslab_cc *cc = kslab_cc_claim(s);
	void **slot;
	size_t i;

	if (unlikely(!cc))
		return false;
	if (unlikely(cc->lsize - cc->rounds < nr)) {
		kslab_cc_unclaim(cc);
		return false;
	}
	slot = cc->loaded->objs + cc->rounds;
	for (i = 0; i < nr; i++)
		slot[i] = p[i];
	cc->rounds += nr;
	cc->free_hit += nr;
	kslab_cc_unclaim(cc);
	return true;
}

/**
 * kslab_free_bulk() - free several objects at once
 * @s: the cache they came from
 * @nr: how many
 * @p: the objects
 */
void kslab_free_bulk(struct kslab_cache *s, size_t nr, void **p)
{
	size_t i;

	if (unlikely(kslab_debug(s))) {
		for (i = 0; i < nr; i++)
			kslab_debug_free(s, p[i], _RET_IP_);
		return;
	}
	if (unlikely(s->init_on_free))
		for (i = 0; i < nr; i++)
			memset(p[i], 0, s->object_size);
	if (likely(kslab_free_bulk_fast(s, nr, p)))
		return;
	while (nr) {
		u32 n = min_t(size_t, nr, SZ_1M);

		kslab_free_bulk_cpu(s, p, n);
		p += n;
		nr -= n;
	}
}
EXPORT_SYMBOL_GPL(kslab_free_bulk);

/*
 * The CPUs whose magazines a drain has still to empty, and the ones it
 * asks in the current round; under kslab_drain_mutex.
 */
static struct cpumask kslab_drain_todo;
static struct cpumask kslab_drain_ask;
static DEFINE_MUTEX(kslab_drain_mutex);

static void kslab_drain_local(void *info)
{
	struct kslab_cache *s = info;
	struct kslab_cc *cc = this_cpu_ptr(s->cpu);

	/* the IPI interrupted this CPU's own claim: it is asked again */
	if (READ_ONCE(cc->owned))
		return;
	kslab_mc_drain_cc(&s->mc, cc);
	cpumask_clear_cpu(smp_processor_id(), &kslab_drain_todo);
}

/**
 * kslab_drain_cpus() - empty every online CPU's magazines into the slabs
 * @s: the cache
 *
 * Each CPU drains its own magazines in an IPI (interrupts off, as the slow
 * path expects).  An IPI that lands inside the CPU's claim of its
 * magazines leaves them alone and is sent again: the claim lasts a few
 * instructions.  Offline CPUs were drained when they went down.
 *
 * Context: process context; the caller holds cpus_read_lock() or accepts
 * that a CPU going down meanwhile is drained by the hotplug callback.
 */
void kslab_drain_cpus(struct kslab_cache *s)
{
	mutex_lock(&kslab_drain_mutex);
	cpumask_copy(&kslab_drain_todo, cpu_online_mask);
	for (;;) {
		cpumask_and(&kslab_drain_ask, &kslab_drain_todo,
			    cpu_online_mask);
		if (cpumask_empty(&kslab_drain_ask))
			break;
		on_each_cpu_mask(&kslab_drain_ask, kslab_drain_local, s, true);
		cond_resched();
	}
	mutex_unlock(&kslab_drain_mutex);
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
