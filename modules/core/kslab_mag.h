/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slabcache's magazine layer, after Bonwick and Adams, "Magazines and
 * Vmem" (USENIX 2001).
 *
 * A magazine is an array of object pointers (its rounds) with a capacity.
 * Each CPU holds two: the loaded one, which alloc pops and free pushes,
 * and the previous one, which is always either full or empty.  When both
 * are exhausted the CPU trades with the depot, a cache-wide store of full
 * and empty magazines under a lock:
 *
 *   alloc: loaded has rounds -> pop; previous is full -> swap, pop;
 *          depot has a full one -> previous (empty) to the depot,
 *          loaded becomes previous, load the full one, pop;
 *          otherwise fill loaded from the slab layer.
 *   free:  loaded has room -> push; previous is empty -> swap, push;
 *          previous (full) to the depot unless it holds its limit of full
 *          magazines (then its rounds go back to the slab layer),
 *          loaded becomes previous, load an empty one, push.
 *
 * The depot records the fewest full and empty magazines it held since
 * the last reap: that many were not needed during the interval (they are
 * outside the working set) and kslab_mc_reap() gives them back.
 *
 * None of this locks the CPU's magazines: the caller makes its CPU cache
 * its own (the kernel disables interrupts on that CPU).  The depot has
 * its own lock, which the engine takes; the caller must already exclude
 * interrupts on the CPU so that the lock is never wanted by an interrupt
 * that preempts its holder.  The slab layer and magazine allocation are
 * reached through kslab_mc_ops, and must not sleep.
 */
#ifndef _KSLAB_MAG_H
#define _KSLAB_MAG_H

#include "klab_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest magazine, in rounds: a magazine then fills 2 KiB */
#define KSLAB_MAG_MAX	254u

struct kslab_mag {
	struct kslab_mag *next;	/* in a depot list */
	u32 size;		/* capacity in rounds */
	u32 rounds;		/* rounds held, while in the depot */
	void *objs[];
};

/* Bytes of a magazine of @size rounds */
static inline size_t kslab_mag_bytes(u32 size)
{
	return sizeof(struct kslab_mag) + (size_t)size * sizeof(void *);
}

/*
 * One CPU's magazines.  The round counts live here rather than in the
 * magazines, as in Solaris' kmem_cpu_cache, so that the fast path touches
 * this structure and one slot.  A missing magazine has size 0.
 */
struct kslab_cc {
	struct kslab_mag *loaded;
	struct kslab_mag *prev;
	u32 rounds;		/* in @loaded */
	u32 lsize;		/* capacity of @loaded */
	u32 prounds;		/* in @prev: 0 or @psize */
	u32 psize;		/* capacity of @prev */
	u32 owned;		/* the kernel's claim on them: alloc.c */
	unsigned long alloc_hit;	/* objects the CPU had when asked */
	unsigned long alloc_miss;	/* objects from the depot or slabs */
	unsigned long free_hit;		/* objects the CPU had room for */
	unsigned long free_miss;	/* objects that needed the depot */
};

struct kslab_depot {
	struct klab_lock lock;
	struct kslab_mag *full;		/* stack of full magazines */
	struct kslab_mag *empty;	/* stack of empty magazines */
	u32 nr_full;
	u32 nr_empty;
	u32 min_full;		/* fewest full ones since the last reap */
	u32 min_empty;		/* fewest empty ones since the last reap */
	u32 limit;		/* most full (and empty) magazines kept */
	u32 magsize;		/* capacity of magazines handed out, 0: none */
	unsigned long reaped;	/* magazines given back by reaps and purges */
};

struct kslab_mc_ops {
	/* Take up to @n objects from the slab layer; never grows it */
	u32 (*refill)(void *ctx, void **objs, u32 n);
	/* Give @n objects back to the slab layer */
	void (*flush)(void *ctx, void **objs, u32 n);
	/* An empty magazine of @size rounds, or NULL */
	struct kslab_mag *(*mag_alloc)(void *ctx, u32 size);
	void (*mag_free)(void *ctx, struct kslab_mag *m);
};

/* A cache's magazine layer */
struct kslab_mc {
	const struct kslab_mc_ops *ops;
	void *ctx;
	struct kslab_depot depot;
};

void kslab_mc_init(struct kslab_mc *mc, const struct kslab_mc_ops *ops,
		   void *ctx, u32 magsize, u32 limit);
void kslab_mc_destroy(struct kslab_mc *mc);
void kslab_cc_init(struct kslab_cc *cc);

void *kslab_mc_alloc(struct kslab_mc *mc, struct kslab_cc *cc);
void kslab_mc_free(struct kslab_mc *mc, struct kslab_cc *cc, void *obj);
u32 kslab_mc_alloc_bulk(struct kslab_mc *mc, struct kslab_cc *cc,
			void **p, u32 n);
void kslab_mc_free_bulk(struct kslab_mc *mc, struct kslab_cc *cc,
			void **p, u32 n);
void kslab_mc_drain_cc(struct kslab_mc *mc, struct kslab_cc *cc);
u32 kslab_mc_reap(struct kslab_mc *mc);
u32 kslab_mc_purge(struct kslab_mc *mc);
int kslab_mc_tune(struct kslab_mc *mc, u32 magsize, u32 limit);
u32 kslab_cc_cached(const struct kslab_cc *cc);
u32 kslab_mc_depot_rounds(struct kslab_mc *mc);

/* Batch a refill asks the slab layer for: half a magazine, as SLAB does */
static inline u32 kslab_mc_batch(u32 size)
{
	return (size + 1) / 2;
}

static inline void kslab_cc_swap(struct kslab_cc *cc)
{
	struct kslab_mag *m = cc->loaded;
	u32 r = cc->rounds, s = cc->lsize;

	cc->loaded = cc->prev;
	cc->rounds = cc->prounds;
	cc->lsize = cc->psize;
	cc->prev = m;
	cc->prounds = r;
	cc->psize = s;
}

/*
 * The fast paths.  Return NULL (false) when the CPU's two magazines
 * cannot serve the request; the caller then takes the slow path.
 */
static inline void *kslab_cc_pop(struct kslab_cc *cc)
{
	if (cc->rounds)
		return cc->loaded->objs[--cc->rounds];
	if (!cc->prounds)
		return NULL;
	kslab_cc_swap(cc);
	return cc->loaded->objs[--cc->rounds];
}

static inline bool kslab_cc_push(struct kslab_cc *cc, void *obj)
{
	if (cc->rounds < cc->lsize) {
		cc->loaded->objs[cc->rounds++] = obj;
		return true;
	}
	if (!cc->psize || cc->prounds)
		return false;
	kslab_cc_swap(cc);
	cc->loaded->objs[cc->rounds++] = obj;
	return true;
}

#ifdef __cplusplus
}
#endif

#endif /* _KSLAB_MAG_H */
