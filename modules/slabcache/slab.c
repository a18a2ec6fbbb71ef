// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: the slab layer.  Slabs are 2^order pages from alloc_pages(),
 * kept per NUMA node on a full, a partial and a free list.
 *
 * A slab's state lives in its head struct page, as SLUB's struct slab
 * overlays struct page, so a slab costs no memory besides its pages:
 *
 *   page->private   the cache (object-to-cache lookup and ownership check)
 *   page->lru       the slab's place on its node's list
 *   page->index     bits 63-32: byte offset + 1 of the first free object
 *                   (0: none), bits 31-16: colour index, bits 15-0:
 *                   objects in use
 *
 * These fields belong to whoever allocated a page that is neither in the
 * page cache, nor mapped, nor on an LRU list; they are cleared before the
 * page goes back.  Slabs of order > 0 are compound pages, so that
 * virt_to_head_page() finds the head from any object.  PG_slab is not set:
 * the pages are not SLUB's.
 *
 * Objects in use are those not on the slab's free list: held by clients,
 * cached in magazines, or quarantined.  Everything here runs with
 * interrupts off on this CPU and the node's lock held, so that the
 * magazine layer may call in from any context.
 */
#include <linux/gfp.h>
#include <linux/nodemask.h>

#include "slabcache.h"

#define KSLAB_INUSE_MASK	0xffffUL
#define KSLAB_COLOUR_SHIFT	16
#define KSLAB_FREE_SHIFT	32

/**
 * kslab_slab_base() - the first byte of a slab
 * @page: the slab's head page
 *
 * Return: its address in the direct map.
 */
void *kslab_slab_base(struct page *page)
{
	return page_address(page);
}

/**
 * kslab_slab_state() - unpack a slab's free list head and counts
 * @page: the slab's head page
 * @st: filled in
 */
void kslab_slab_state(struct page *page, struct kslab_slab_state *st)
{
	unsigned long v = page->index;
	u32 off = v >> KSLAB_FREE_SHIFT;

	st->free = off ? (char *)kslab_slab_base(page) + off - 1 : NULL;
	st->inuse = v & KSLAB_INUSE_MASK;
	st->colour = (v >> KSLAB_COLOUR_SHIFT) & KSLAB_INUSE_MASK;
}

static void kslab_slab_store(struct page *page,
			     const struct kslab_slab_state *st)
{
	unsigned long off = 0;

	if (st->free)
		off = (char *)st->free - (char *)kslab_slab_base(page) + 1;
	page->index = off << KSLAB_FREE_SHIFT |
		      (unsigned long)st->colour << KSLAB_COLOUR_SHIFT |
		      st->inuse;
}

/**
 * kslab_obj_page() - the slab of an object of @s
 * @s: the cache
 * @obj: any pointer
 *
 * Return: the head page of the slab @obj lies in, or NULL when @obj is not
 * in the direct map or not in a slab of @s.  Whether @obj is an object's
 * start is for the caller to check (kslab_slab_index()).
 */
struct page *kslab_obj_page(const struct kslab_cache *s, const void *obj)
{
	struct page *page;

	if (!virt_addr_valid(obj))
		return NULL;
	page = virt_to_head_page(obj);
	if (PageSlab(page) || page_private(page) != (unsigned long)s)
		return NULL;
	return page;
}

/**
 * kslab_nodes_init() - allocate the slab lists of every possible node
 * @s: the cache
 *
 * Return: 0 or -ENOMEM.
 */
int kslab_nodes_init(struct kslab_cache *s)
{
	int nid;

	s->node = kcalloc(nr_node_ids, sizeof(*s->node), GFP_KERNEL);
	if (!s->node)
		return -ENOMEM;
	for_each_node(nid) {
		struct kslab_node *n;

		n = kzalloc_node(sizeof(*n), GFP_KERNEL, nid);
		if (!n)
			goto err_free_nodes;
		spin_lock_init(&n->lock);
		INIT_LIST_HEAD(&n->partial);
		INIT_LIST_HEAD(&n->full);
		INIT_LIST_HEAD(&n->free);
		s->node[nid] = n;
	}
	return 0;

err_free_nodes:
	kslab_nodes_free(s);
	return -ENOMEM;
}

/**
 * kslab_nodes_free() - free the slab lists (which must be empty)
 * @s: the cache
 */
void kslab_nodes_free(struct kslab_cache *s)
{
	int nid;

	if (!s->node)
		return;
	for_each_node(nid)
		kfree(s->node[nid]);
	kfree(s->node);
	s->node = NULL;
}

/* Pages of a slab of @s */
static unsigned long kslab_slab_pages(const struct kslab_cache *s)
{
	return 1UL << s->layout.order;
}

static void kslab_pages_account(struct kslab_cache *s, long pages)
{
	atomic_long_add(pages, &s->pages);
	atomic_long_add(pages, s->dead ? &kslab_leaked_pages : &kslab_nr_pages);
}

/**
 * kslab_slab_grow() - add a slab of free objects to the cache
 * @s: the cache
 * @gfp: the allocation's flags: the pages are allocated with them, so an
 *	atomic allocation never sleeps here
 * @nid: the node to allocate on
 *
 * Every object of the new slab is set up at once: red zones and poison in
 * debug caches, then the constructor, which runs here and never again for
 * these objects.  Successive slabs take successive colours.
 *
 * Context: interrupts enabled unless @gfp is atomic; no locks held.
 * Return: 0, or -ENOMEM.
 */
int kslab_slab_grow(struct kslab_cache *s, gfp_t gfp, int nid)
{
	const struct kslab_layout *l = &s->layout;
	struct kslab_slab_state st;
	struct kslab_node *n;
	unsigned long flags;
	struct page *page;
	u32 colour, i;
	void *base;

	gfp &= ~__GFP_ZERO;
	if (l->order)
		gfp |= __GFP_COMP;
	page = alloc_pages_node(nid, gfp, l->order);
	if (!page)
		return -ENOMEM;

	base = kslab_slab_base(page);
	colour = (u32)(atomic_inc_return(&s->colour_seq) - 1) % l->colours;
	kslab_slab_init(l, base, colour, s->secret, &st);
	for (i = 0; i < l->objects; i++) {
		void *obj = kslab_slab_obj(l, base, colour, i);

		if (kslab_debug(s))
			kslab_debug_init_obj(s, obj);
		if (s->ctor)
			s->ctor(obj);
	}
	if (s->ctor)
		atomic_long_add(l->objects, &s->constructed);

	set_page_private(page, (unsigned long)s);
	kslab_slab_store(page, &st);
	n = s->node[page_to_nid(page)];
	spin_lock_irqsave(&n->lock, flags);
	list_add(&page->lru, &n->free);
	n->nr_free++;
	spin_unlock_irqrestore(&n->lock, flags);

	kslab_pages_account(s, kslab_slab_pages(s));
	atomic_long_inc(&s->slabs_created);
	return 0;
}

/* Give a slab that is off every list back to the page allocator */
static void kslab_slab_free(struct kslab_cache *s, struct page *page)
{
	set_page_private(page, 0);
	page->index = 0;
	INIT_LIST_HEAD(&page->lru);
	__free_pages(page, s->layout.order);
	kslab_pages_account(s, -(long)kslab_slab_pages(s));
	atomic_long_inc(&s->slabs_freed);
}

/* Move a slab to the list its count of objects in use calls for */
static void kslab_slab_relist(struct kslab_cache *s, struct kslab_node *n,
			      struct page *page, u32 was, u32 now)
{
	u32 objects = s->layout.objects;

	if (!was)
		n->nr_free--;
	else if (was == objects)
		n->nr_full--;
	else
		n->nr_partial--;

	if (!now) {
		list_move(&page->lru, &n->free);
		n->nr_free++;
	} else if (now == objects) {
		list_move_tail(&page->lru, &n->full);
		n->nr_full++;
	} else {
		list_move(&page->lru, &n->partial);
		n->nr_partial++;
	}
}

static u32 kslab_node_take(struct kslab_cache *s, struct kslab_node *n,
			   void **objs, u32 want)
{
	const struct kslab_layout *l = &s->layout;
	u32 got = 0;

	spin_lock(&n->lock);
	while (got < want) {
		struct kslab_slab_state st;
		struct page *page;
		u32 was, lost;

		page = list_first_entry_or_null(&n->partial, struct page, lru);
		if (!page)
			page = list_first_entry_or_null(&n->free, struct page,
							lru);
		if (!page)
			break;
		kslab_slab_state(page, &st);
		was = st.inuse;
		got += kslab_slab_take(l, kslab_slab_base(page), s->secret, &st,
				       objs + got, want - got, &lost);
		if (unlikely(lost))
			kslab_report_freelist(s, page, lost);
		kslab_slab_relist(s, n, page, was, st.inuse);
		kslab_slab_store(page, &st);
	}
	spin_unlock(&n->lock);
	return got;
}

/**
 * kslab_slab_refill() - take free objects for the magazine layer
 * @ctx: the cache
 * @objs: where the objects go
 * @n: how many are wanted
 *
 * Partial slabs of this CPU's node are emptied first, then free ones.  No
 * slab is ever created here: when this returns 0 the caller grows the
 * cache, so a cache never holds more slabs than its objects in use need
 * plus one.
 *
 * Context: interrupts off, the CPU's magazines owned by the caller.
 * Return: the number of objects stored in @objs.
 */
u32 kslab_slab_refill(void *ctx, void **objs, u32 n)
{
	struct kslab_cache *s = ctx;
	u32 got, i;

	got = kslab_node_take(s, s->node[numa_mem_id()], objs, n);
	if (s->wipe_link)
		for (i = 0; i < got; i++)
			*(void **)((char *)objs[i] + s->layout.link) = NULL;
	return got;
}

/**
 * kslab_slab_flush() - put objects back on their slabs' free lists
 * @ctx: the cache
 * @objs: the objects, of any node
 * @n: how many
 *
 * A slab whose last object comes back moves to the free list; the reaper
 * or the shrinker gives it back to the page allocator.
 *
 * Context: interrupts off.
 */
void kslab_slab_flush(void *ctx, void **objs, u32 n)
{
	struct kslab_cache *s = ctx;
	struct kslab_node *locked = NULL;
	u32 i;

	for (i = 0; i < n; i++) {
		struct page *page = virt_to_head_page(objs[i]);
		struct kslab_node *node = s->node[page_to_nid(page)];
		struct kslab_slab_state st;
		u32 was;

		if (node != locked) {
			if (locked)
				spin_unlock(&locked->lock);
			spin_lock(&node->lock);
			locked = node;
		}
		kslab_slab_state(page, &st);
		/* the naive double free check of SLUB's set_freepointer() */
		if (unlikely(st.free == objs[i])) {
			kslab_report_double_free(s, objs[i], true);
			continue;
		}
		was = st.inuse;
		kslab_slab_push(&s->layout, s->secret, &st, objs[i]);
		kslab_slab_relist(s, node, page, was, st.inuse);
		kslab_slab_store(page, &st);
	}
	if (locked)
		spin_unlock(&locked->lock);
}

/**
 * kslab_slab_trim() - give free slabs back to the page allocator
 * @s: the cache
 * @keep: free slabs to leave on each node
 *
 * The slabs freed are those that have been free the longest.
 *
 * Return: the number of pages given back.
 */
unsigned long kslab_slab_trim(struct kslab_cache *s, unsigned long keep)
{
	struct page *page, *next;
	unsigned long flags, pages = 0;
	LIST_HEAD(victims);
	int nid;

	for_each_node(nid) {
		struct kslab_node *n = s->node[nid];

		spin_lock_irqsave(&n->lock, flags);
		while (n->nr_free > keep) {
			page = list_last_entry(&n->free, struct page, lru);
			list_move(&page->lru, &victims);
			n->nr_free--;
		}
		spin_unlock_irqrestore(&n->lock, flags);
	}
	list_for_each_entry_safe(page, next, &victims, lru) {
		list_del(&page->lru);
		kslab_slab_free(s, page);
		pages += kslab_slab_pages(s);
	}
	return pages;
}

/**
 * kslab_slab_release_all() - free every free slab, count what is left
 * @s: the cache being destroyed, its magazines drained
 * @inuse: set to the objects still in use in the slabs that stay
 *
 * Slabs with objects in use stay allocated and on their lists: their
 * objects may still be freed.
 *
 * Return: the number of pages given back.
 */
unsigned long kslab_slab_release_all(struct kslab_cache *s,
				     unsigned long *inuse)
{
	unsigned long flags, objs = 0;
	struct kslab_slab_state st;
	struct page *page;
	int nid;

	for_each_node(nid) {
		struct kslab_node *n = s->node[nid];

		spin_lock_irqsave(&n->lock, flags);
		list_for_each_entry(page, &n->partial, lru) {
			kslab_slab_state(page, &st);
			objs += st.inuse;
		}
		objs += n->nr_full * s->layout.objects;
		spin_unlock_irqrestore(&n->lock, flags);
	}
	*inuse = objs;
	return kslab_slab_trim(s, 0);
}

/**
 * kslab_slab_discard() - free every slab, objects in use or not
 * @s: the cache being destroyed, whose objects in use are all quarantined
 *	(nobody holds them)
 */
void kslab_slab_discard(struct kslab_cache *s)
{
	struct page *page, *next;
	unsigned long flags;
	LIST_HEAD(victims);
	int nid;

	for_each_node(nid) {
		struct kslab_node *n = s->node[nid];

		spin_lock_irqsave(&n->lock, flags);
		list_splice_init(&n->partial, &victims);
		list_splice_init(&n->full, &victims);
		list_splice_init(&n->free, &victims);
		n->nr_partial = 0;
		n->nr_full = 0;
		n->nr_free = 0;
		spin_unlock_irqrestore(&n->lock, flags);
	}
	list_for_each_entry_safe(page, next, &victims, lru) {
		list_del(&page->lru);
		kslab_slab_free(s, page);
	}
}
