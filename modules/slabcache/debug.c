// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: debug caches.  Chosen per cache at creation, as SLUB's
 * slub_debug flags:
 *
 *   KSLAB_RED_ZONE    bytes before and after each object hold 0xbb while
 *                     it is free and 0xcc while it is allocated (SLUB's
 *                     SLUB_RED_INACTIVE and SLUB_RED_ACTIVE); checked on
 *                     every allocation and free
 *   KSLAB_POISON      a free object holds 0x6b with a last byte of 0xa5
 *                     (POISON_FREE, POISON_END), checked when it is
 *                     allocated again; constructed objects are not poisoned
 *   KSLAB_STORE_USER  who allocated and who freed each object, for reports
 *
 * Every debug cache also keeps a state word per object (free, allocated,
 * quarantined), which catches double frees even while the object sits in
 * a magazine, and checks that a freed pointer is an object of the cache.
 * The checks run under the cache's debug_lock, so they are exact against
 * each other and against validation; the magazine layer below is the
 * same as for any cache.
 *
 * A problem is reported with one pr_err line naming the cache and the
 * object, counted, and the object is quarantined: it stays counted in use
 * in its slab and is never handed out again.  No stack dump and no taint:
 * the kernel carries on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/poison.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "slabcache.h"

#define kslab_err(s, fmt, ...)						\
	pr_err_ratelimited("cache %s: " fmt, (s)->name, ##__VA_ARGS__)

static bool kslab_poison_objects(const struct kslab_cache *s)
{
	return (s->flags & KSLAB_POISON) && !s->ctor;
}

static u8 *kslab_red_left(const struct kslab_cache *s, void *obj)
{
	return (u8 *)obj - s->layout.red_left;
}

static u8 *kslab_red_right(const struct kslab_cache *s, void *obj)
{
	return (u8 *)obj + s->layout.object_size;
}

static u32 kslab_red_right_len(const struct kslab_cache *s)
{
	return s->layout.inuse - s->layout.object_size;
}

static void kslab_red_set(struct kslab_cache *s, void *obj, u8 val)
{
	if (!(s->flags & KSLAB_RED_ZONE))
		return;
	memset(kslab_red_left(s, obj), val, s->layout.red_left);
	memset(kslab_red_right(s, obj), val, kslab_red_right_len(s));
}

static void kslab_poison(struct kslab_cache *s, void *obj)
{
	u8 *p = obj;

	if (!kslab_poison_objects(s))
		return;
	memset(p, POISON_FREE, s->object_size - 1);
	p[s->object_size - 1] = POISON_END;
}

static void kslab_track_set(struct kslab_cache *s, void *obj, int which,
			    unsigned long caller)
{
	struct kslab_track *t;

	if (!(s->flags & KSLAB_STORE_USER))
		return;
	t = kslab_tracks(s, obj) + which;
	t->addr = caller;
	t->when = jiffies;
	t->cpu = raw_smp_processor_id();
	t->pid = current->pid;
}

/**
 * kslab_debug_init_obj() - set up an object of a new slab of a debug cache
 * @s: the cache
 * @obj: the object, free
 */
void kslab_debug_init_obj(struct kslab_cache *s, void *obj)
{
	kslab_red_set(s, obj, SLUB_RED_INACTIVE);
	kslab_poison(s, obj);
	if (s->flags & KSLAB_STORE_USER)
		memset(kslab_tracks(s, obj), 0, 2 * sizeof(struct kslab_track));
	*kslab_state(s, obj) = KSLAB_STATE_FREE;
}

/* "; allocated by f+0x12/0x40 [m] (pid 5, cpu 1)", or "" untracked */
static void kslab_owner(struct kslab_cache *s, void *obj, int which,
			char *buf, size_t len)
{
	struct kslab_track *t;

	buf[0] = '\0';
	if (!(s->flags & KSLAB_STORE_USER))
		return;
	t = kslab_tracks(s, obj) + which;
	if (!t->addr)
		return;
	snprintf(buf, len, "; %s by %pS (pid %d, cpu %d, %u ms ago)",
		 which ? "last freed" : "allocated", (void *)t->addr, t->pid,
		 t->cpu, jiffies_to_msecs(jiffies - t->when));
}

/* Take @obj out of circulation: counted in use forever */
static void kslab_quarantine(struct kslab_cache *s, void *obj)
{
	*kslab_state(s, obj) = KSLAB_STATE_QUARANTINE;
	atomic_long_inc(&s->quarantined);
	atomic_long_inc(&s->dropped);
}

/* The first bad red zone byte of @obj, or NULL */
static u8 *kslab_red_check(struct kslab_cache *s, void *obj, u8 val)
{
	u8 *bad;

	if (!(s->flags & KSLAB_RED_ZONE))
		return NULL;
	bad = memchr_inv(kslab_red_left(s, obj), val, s->layout.red_left);
	if (!bad)
		bad = memchr_inv(kslab_red_right(s, obj), val,
				 kslab_red_right_len(s));
	return bad;
}

/* The first byte of @obj that is not as poisoned, or NULL */
static u8 *kslab_poison_check(struct kslab_cache *s, void *obj)
{
	u8 *p = obj, *bad;

	if (!kslab_poison_objects(s))
		return NULL;
	bad = memchr_inv(p, POISON_FREE, s->object_size - 1);
	if (!bad && p[s->object_size - 1] != POISON_END)
		bad = p + s->object_size - 1;
	return bad;
}

static void kslab_report_red(struct kslab_cache *s, void *obj, u8 *bad,
			     bool allocated)
{
	char owner[128];
	long off = bad - (u8 *)obj;

	kslab_owner(s, obj, allocated ? 0 : 1, owner, sizeof(owner));
	if (off < 0)
		kslab_err(s, "red zone overwritten: %ld byte(s) before %s object %p (0x%02x)%s; object quarantined\n",
			  -off, allocated ? "allocated" : "free", obj, *bad,
			  owner);
	else
		kslab_err(s, "red zone overwritten: %ld byte(s) after the end of %s object %p (%u bytes) (0x%02x)%s; object quarantined\n",
			  off - s->object_size + 1,
			  allocated ? "allocated" : "free", obj,
			  s->object_size, *bad, owner);
	atomic_long_inc(&s->corrupt_redzone);
}

static void kslab_report_state(struct kslab_cache *s, void *obj, u32 state)
{
	kslab_err(s, "metadata of object %p overwritten (state 0x%08x); object quarantined\n",
		  obj, state);
	atomic_long_inc(&s->corrupt_redzone);
}

/* Checks of an object leaving the magazine layer; debug_lock held */
static bool kslab_check_alloc(struct kslab_cache *s, void *obj,
			      unsigned long caller)
{
	u32 state = *kslab_state(s, obj);
	char owner[128];
	u8 *bad;

	if (state == KSLAB_STATE_QUARANTINE) {
		/* reported when it was found; drop it now */
		atomic_long_inc(&s->dropped);
		return false;
	}
	if (state != KSLAB_STATE_FREE) {
		kslab_report_state(s, obj, state);
		kslab_quarantine(s, obj);
		return false;
	}
	bad = kslab_poison_check(s, obj);
	if (bad) {
		kslab_owner(s, obj, 1, owner, sizeof(owner));
		kslab_err(s, "write after free: object %p changed at offset %ld (0x%02x, poison 0x%02x)%s; object quarantined\n",
			  obj, (long)(bad - (u8 *)obj), *bad,
			  bad - (u8 *)obj == s->object_size - 1 ?
			  POISON_END : POISON_FREE, owner);
		atomic_long_inc(&s->corrupt_poison);
		kslab_quarantine(s, obj);
		return false;
	}
	bad = kslab_red_check(s, obj, SLUB_RED_INACTIVE);
	if (bad) {
		kslab_report_red(s, obj, bad, false);
		kslab_quarantine(s, obj);
		return false;
	}
	*kslab_state(s, obj) = KSLAB_STATE_ALLOC;
	kslab_red_set(s, obj, SLUB_RED_ACTIVE);
	kslab_track_set(s, obj, 0, caller);
	return true;
}

/**
 * kslab_debug_alloc() - allocate from a debug cache
 * @s: the cache
 * @gfp: allocation flags
 * @caller: the caller's address, for the owner record
 *
 * Objects that fail their checks are quarantined and the next one is
 * tried.
 *
 * Return: a checked object, or NULL.
 */
void *kslab_debug_alloc(struct kslab_cache *s, gfp_t gfp,
			unsigned long caller)
{
	unsigned long flags;
	void *obj;
	bool ok;

	do {
		obj = kslab_alloc_objs(s, gfp);
		if (!obj)
			return NULL;
		spin_lock_irqsave(&s->debug_lock, flags);
		ok = kslab_check_alloc(s, obj, caller);
		spin_unlock_irqrestore(&s->debug_lock, flags);
	} while (!ok);

	if (kslab_init_on_alloc(s, gfp))
		memset(obj, 0, s->object_size);
	return obj;
}

/* Checks of an object a client frees; debug_lock held */
static bool kslab_check_free(struct kslab_cache *s, void *obj,
			     unsigned long caller)
{
	u32 state = *kslab_state(s, obj);
	char owner[128];
	u8 *bad;

	if (state == KSLAB_STATE_FREE || state == KSLAB_STATE_QUARANTINE) {
		kslab_owner(s, obj, 1, owner, sizeof(owner));
		kslab_err(s, "double free of %s object %p%s; object quarantined\n",
			  state == KSLAB_STATE_FREE ? "free" : "quarantined",
			  obj, owner);
		atomic_long_inc(&s->double_free);
		if (state == KSLAB_STATE_FREE) {
			/* it is still in a magazine or on a free list:
			 * allocation drops it when it comes out
			 */
			*kslab_state(s, obj) = KSLAB_STATE_QUARANTINE;
			atomic_long_inc(&s->quarantined);
		}
		return false;
	}
	if (state != KSLAB_STATE_ALLOC) {
		kslab_report_state(s, obj, state);
		kslab_quarantine(s, obj);
		return false;
	}
	bad = kslab_red_check(s, obj, SLUB_RED_ACTIVE);
	if (bad) {
		kslab_report_red(s, obj, bad, true);
		kslab_quarantine(s, obj);
		return false;
	}
	kslab_track_set(s, obj, 1, caller);
	if (s->init_on_free)
		memset(obj, 0, s->object_size);
	kslab_poison(s, obj);
	kslab_red_set(s, obj, SLUB_RED_INACTIVE);
	*kslab_state(s, obj) = KSLAB_STATE_FREE;
	return true;
}

/**
 * kslab_debug_free() - free to a debug cache
 * @s: the cache
 * @obj: what the client passed
 * @caller: the caller's address, for the owner record
 *
 * A pointer that is not an object of @s is reported and ignored.
 */
void kslab_debug_free(struct kslab_cache *s, void *obj, unsigned long caller)
{
	struct kslab_slab_state st;
	unsigned long flags;
	struct page *page;
	u32 idx;
	bool ok;

	page = kslab_obj_page(s, obj);
	if (!page) {
		kslab_err(s, "invalid free of %p from %pS: not in a slab of this cache; ignored\n",
			  obj, (void *)caller);
		atomic_long_inc(&s->invalid_free);
		return;
	}
	/* a slab's colour never changes: no lock needed to read it */
	kslab_slab_state(page, &st);
	if (kslab_slab_index(&s->layout, kslab_slab_base(page), st.colour,
			     obj, &idx)) {
		kslab_err(s, "invalid free of %p from %pS: inside a slab of this cache but not at an object's start; ignored\n",
			  obj, (void *)caller);
		atomic_long_inc(&s->invalid_free);
		return;
	}

	spin_lock_irqsave(&s->debug_lock, flags);
	ok = kslab_check_free(s, obj, caller);
	spin_unlock_irqrestore(&s->debug_lock, flags);
	if (ok)
		kslab_free_objs(s, obj);
}

/**
 * kslab_report_double_free() - an object freed right after itself
 * @s: the cache, without debug checks
 * @obj: the object, already the last one freed on this CPU or the first
 *	on its slab's free list
 * @counted: the magazine layer counted this free already
 */
void kslab_report_double_free(struct kslab_cache *s, void *obj,
			      bool counted)
{
	kslab_err(s, "double free of object %p (it was the last object freed); second free ignored\n",
		  obj);
	atomic_long_inc(&s->double_free);
	if (counted)
		atomic_long_inc(&s->ignored);
}

/**
 * kslab_report_freelist() - a free link pointed outside its slab
 * @s: the cache
 * @page: the slab
 * @lost: free objects taken off the list and quarantined
 *
 * Context: the node's lock held.
 */
void kslab_report_freelist(struct kslab_cache *s, struct page *page,
			   u32 lost)
{
	kslab_err(s, "free list of slab %p corrupted (a free object was written to); %u free object(s) quarantined\n",
		  kslab_slab_base(page), lost);
	atomic_long_inc(&s->corrupt_freelist);
	atomic_long_add(lost, &s->quarantined);
	atomic_long_add(lost, &s->lost);
}

/* Mark the objects on a slab's free list in @onlist */
static void kslab_mark_free(struct kslab_cache *s, struct page *page,
			    const struct kslab_slab_state *st,
			    unsigned long *onlist)
{
	struct kslab_slab_state walk = *st;
	void *base = kslab_slab_base(page);
	void *objs[32];
	u32 n, i, idx, lost;

	bitmap_zero(onlist, s->layout.objects);
	do {
		n = kslab_slab_take(&s->layout, base, s->secret, &walk, objs,
				    ARRAY_SIZE(objs), &lost);
		for (i = 0; i < n; i++)
			if (!kslab_slab_index(&s->layout, base, st->colour,
					      objs[i], &idx))
				__set_bit(idx, onlist);
	} while (n == ARRAY_SIZE(objs));
}

/* Check one object of a debug cache; returns the problems found */
static unsigned long kslab_validate_obj(struct kslab_cache *s, void *obj,
					bool onlist)
{
	u32 state = *kslab_state(s, obj);
	u8 *bad;

	if (state == KSLAB_STATE_QUARANTINE)
		return 0;
	if (state == KSLAB_STATE_ALLOC && !onlist) {
		bad = kslab_red_check(s, obj, SLUB_RED_ACTIVE);
		if (!bad)
			return 0;
		/* the client still holds it: its free quarantines it */
		kslab_report_red(s, obj, bad, true);
		return 1;
	}
	if (state != KSLAB_STATE_FREE) {
		kslab_report_state(s, obj, state);
		*kslab_state(s, obj) = KSLAB_STATE_QUARANTINE;
		atomic_long_inc(&s->quarantined);
		return 1;
	}
	bad = kslab_poison_check(s, obj);
	if (bad) {
		kslab_err(s, "write after free: object %p changed at offset %ld (0x%02x); object quarantined\n",
			  obj, (long)(bad - (u8 *)obj), *bad);
		atomic_long_inc(&s->corrupt_poison);
	} else {
		bad = kslab_red_check(s, obj, SLUB_RED_INACTIVE);
		if (bad)
			kslab_report_red(s, obj, bad, false);
	}
	if (!bad)
		return 0;
	/* free, in a magazine or on a free list: allocation drops it */
	*kslab_state(s, obj) = KSLAB_STATE_QUARANTINE;
	atomic_long_inc(&s->quarantined);
	return 1;
}

static unsigned long kslab_validate_slab(struct kslab_cache *s,
					 struct page *page,
					 unsigned long *onlist)
{
	const struct kslab_layout *l = &s->layout;
	struct kslab_slab_state st;
	unsigned long errors = 0;
	u32 nr_free, i;
	int err;

	kslab_slab_state(page, &st);
	err = kslab_slab_check(l, kslab_slab_base(page), s->secret, &st,
			       &nr_free);
	if (err) {
		kslab_err(s, "free list of slab %p inconsistent (%d: %u free, %u in use, %u objects)\n",
			  kslab_slab_base(page), err, nr_free, st.inuse,
			  l->objects);
		atomic_long_inc(&s->corrupt_freelist);
		return 1;
	}
	if (!kslab_debug(s))
		return 0;
	kslab_mark_free(s, page, &st, onlist);
	for (i = 0; i < l->objects; i++)
		errors += kslab_validate_obj(s,
					     kslab_slab_obj(l,
							    kslab_slab_base(page),
							    st.colour, i),
					     test_bit(i, onlist));
	return errors;
}

/**
 * kslab_validate() - check every slab and object of a cache
 * @s: the cache
 * @checked: set to the number of objects looked at
 * @errors: set to the number of problems found (each also reported)
 *
 * Every slab's free list is walked and must hold exactly the objects not
 * in use; in debug caches every object's red zones, poison and state are
 * checked as well.  Free objects found corrupt are quarantined.
 *
 * Context: process context; interrupts are off while a node is walked.
 * Return: 0 or -ENOMEM.
 */
int kslab_validate(struct kslab_cache *s, unsigned long *checked,
		   unsigned long *errors)
{
	struct list_head *lists[3];
	unsigned long *onlist;
	unsigned long flags;
	struct page *page;
	int nid, i;

	onlist = bitmap_zalloc(s->layout.objects, GFP_KERNEL);
	if (!onlist)
		return -ENOMEM;
	*checked = 0;
	*errors = 0;
	spin_lock_irqsave(&s->debug_lock, flags);
	for_each_node(nid) {
		struct kslab_node *n = s->node[nid];

		lists[0] = &n->partial;
		lists[1] = &n->full;
		lists[2] = &n->free;
		spin_lock(&n->lock);
		for (i = 0; i < ARRAY_SIZE(lists); i++) {
			list_for_each_entry(page, lists[i], lru) {
				*errors += kslab_validate_slab(s, page, onlist);
				*checked += s->layout.objects;
			}
		}
		spin_unlock(&n->lock);
	}
	spin_unlock_irqrestore(&s->debug_lock, flags);
	bitmap_free(onlist);
	return 0;
}
