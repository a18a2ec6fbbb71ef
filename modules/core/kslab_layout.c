// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache's slab geometry and the free list inside a slab; see
 * kslab_layout.h.
 */
#include "kslab_layout.h"

#define KSLAB_WORD	((u32)sizeof(void *))

static u32 kslab_align_up(u32 x, u32 a)
{
	return (x + a - 1) & ~(a - 1);
}

static bool kslab_is_pow2(u32 x)
{
	return x && !(x & (x - 1));
}

/* As SLUB's calculate_alignment(): small objects share cache lines */
static u32 kslab_alignment(const struct kslab_layout_req *req)
{
	u32 align = req->align ? req->align : KSLAB_WORD;

	if (req->flags & KSLAB_L_HWCACHE_ALIGN) {
		u32 ralign = req->cache_line;

		while (req->size <= ralign / 2)
			ralign /= 2;
		if (ralign > align)
			align = ralign;
	}
	if (align < KSLAB_WORD)
		align = KSLAB_WORD;
	return align;
}

/**
 * kslab_layout_objects() - how many slots of @stride fit in a slab
 * @stride: bytes per slot, > 0
 * @slab_bytes: bytes per slab
 *
 * Return: the count, capped at KSLAB_MAX_OBJS.
 */
u32 kslab_layout_objects(u32 stride, u32 slab_bytes)
{
	u32 n = slab_bytes / stride;

	return n > KSLAB_MAX_OBJS ? KSLAB_MAX_OBJS : n;
}

/* The order rule of kslab_layout.h, from @min_order up to @max_order */
static u32 kslab_pick_order(u32 stride, u32 page_size, u32 min_order,
			    u32 max_order)
{
	u32 best = min_order, order;
	u64 best_num = 1, best_den = 1;	/* fraction of slack at @best */

	for (order = min_order; order <= max_order; order++) {
		u32 bytes = page_size << order;
		u32 objs = kslab_layout_objects(stride, bytes);
		u32 slack = bytes - objs * stride;

		if (!objs)
			continue;
		if ((u64)slack * KSLAB_WASTE_FRACT <= bytes)
			return order;
		/* slack / bytes < best_num / best_den */
		if ((u64)slack * best_den < best_num * bytes) {
			best = order;
			best_num = slack;
			best_den = bytes;
		}
	}
	return best;
}

/**
 * kslab_layout_compute() - lay out the objects of a cache
 * @req: object size, alignment, flags and the machine's page and cache
 *	line sizes
 * @l: the layout, filled in on success
 *
 * Object parts are placed as SLUB's calculate_sizes() places them (see
 * kslab_layout.h), plus a state word in debug caches; then the slab order
 * follows the order rule, looking at orders from the smallest that holds
 * one slot up to @req->max_order (further only when one slot needs it).
 * Colour offsets are multiples of the cache line (or of the alignment when
 * that is larger) up to the slack.
 *
 * Return: 0, or -EINVAL for a zero size, a bad alignment, page or cache
 * line size, or a slot that would need more than KSLAB_MAX_ORDER.
 */
int kslab_layout_compute(const struct kslab_layout_req *req,
			 struct kslab_layout *l)
{
	u32 size, align, min_order, max_order;
	u64 slot;

	if (!req->size || (req->align && !kslab_is_pow2(req->align)) ||
	    !kslab_is_pow2(req->page_size) || !kslab_is_pow2(req->cache_line) ||
	    req->size > (req->page_size << KSLAB_MAX_ORDER))
		return -EINVAL;

	align = kslab_alignment(req);
	if (align > req->page_size)
		return -EINVAL;

	memset(l, 0, sizeof(*l));
	l->object_size = req->size;
	l->align = align;
	l->flags = req->flags;

	size = kslab_align_up(req->size, KSLAB_WORD);
	if ((req->flags & KSLAB_L_RED_ZONE) && size == req->size)
		size += KSLAB_WORD;
	l->inuse = size;

	if (req->flags & (KSLAB_L_CTOR | KSLAB_L_POISON) ||
	    ((req->flags & KSLAB_L_RED_ZONE) && req->size < KSLAB_WORD)) {
		l->link = size;
		size += KSLAB_WORD;
	} else {
		l->link = (req->size / 2) & ~(KSLAB_WORD - 1);
	}
	if (req->flags & KSLAB_L_STORE_USER) {
		l->track = size;
		size += 2 * kslab_align_up(req->track_size, KSLAB_WORD);
	}
	if (req->flags & KSLAB_L_DEBUG) {
		l->state = size;
		size += KSLAB_WORD;
	}
	slot = size;
	if (req->flags & KSLAB_L_RED_ZONE) {
		/* padding after the metadata, then the left red zone */
		slot += KSLAB_WORD;
		l->red_left = kslab_align_up(KSLAB_WORD, align);
		slot += l->red_left;
	}
	slot = (slot + align - 1) & ~((u64)align - 1);
	if (slot > (u64)req->page_size << KSLAB_MAX_ORDER)
		return -EINVAL;
	l->stride = (u32)slot;

	min_order = 0;
	while ((req->page_size << min_order) < l->stride)
		min_order++;
	max_order = req->max_order > min_order ? req->max_order : min_order;
	if (max_order > KSLAB_MAX_ORDER)
		max_order = KSLAB_MAX_ORDER;
	l->order = kslab_pick_order(l->stride, req->page_size, min_order,
				    max_order);
	l->slab_bytes = req->page_size << l->order;
	l->objects = kslab_layout_objects(l->stride, l->slab_bytes);
	l->slack = l->slab_bytes - l->objects * l->stride;
	l->colour_step = req->cache_line > align ? req->cache_line : align;
	l->colours = l->slack / l->colour_step + 1;
	return 0;
}

/**
 * kslab_colour_offset() - byte offset of the first slot for a colour
 * @l: the layout
 * @colour: colour index, below @l->colours
 *
 * Return: @colour times the colour step.
 */
u32 kslab_colour_offset(const struct kslab_layout *l, u32 colour)
{
	KLAB_ASSERT(colour < l->colours);
	return colour * l->colour_step;
}

/**
 * kslab_colour_next() - the colour of the slab after one of @colour
 * @l: the layout
 * @colour: the previous slab's colour index
 *
 * Successive slabs take successive colours, wrapping after the last one
 * that still fits in the slack.
 *
 * Return: the next colour index.
 */
u32 kslab_colour_next(const struct kslab_layout *l, u32 colour)
{
	return colour + 1 < l->colours ? colour + 1 : 0;
}

static void **kslab_link_addr(const struct kslab_layout *l, void *obj)
{
	return (void **)((char *)obj + l->link);
}

static void kslab_link_set(const struct kslab_layout *l, uintptr_t secret,
			   void *obj, void *next)
{
	void **where = kslab_link_addr(l, obj);

	*where = (void *)((uintptr_t)next ^ secret ^ (uintptr_t)where);
}

static void *kslab_link_get(const struct kslab_layout *l, uintptr_t secret,
			    void *obj)
{
	void **where = kslab_link_addr(l, obj);

	return (void *)((uintptr_t)*where ^ secret ^ (uintptr_t)where);
}

/**
 * kslab_slab_obj() - address of an object of a slab
 * @l: the layout
 * @base: the slab's first byte
 * @colour: the slab's colour index
 * @idx: object index, below @l->objects
 *
 * Return: the object's address (after its left red zone).
 */
void *kslab_slab_obj(const struct kslab_layout *l, void *base, u32 colour,
		     u32 idx)
{
	return (char *)base + kslab_colour_offset(l, colour) +
	       (size_t)idx * l->stride + l->red_left;
}

/**
 * kslab_slab_index() - index of the object at @obj
 * @l: the layout
 * @base: the slab's first byte
 * @colour: the slab's colour index
 * @obj: any address
 * @idx: the index, set on success
 *
 * Return: 0 when @obj is the address of an object of this slab, -EINVAL
 * when it lies inside the slab but not at an object's start, -ERANGE when
 * it lies outside the slab's objects.
 */
int kslab_slab_index(const struct kslab_layout *l, const void *base,
		     u32 colour, const void *obj, u32 *idx)
{
	const char *first = (const char *)base +
			    kslab_colour_offset(l, colour) + l->red_left;
	u32 off;

	if ((const char *)obj < first ||
	    (size_t)((const char *)obj - first) >=
	    (size_t)l->objects * l->stride)
		return -ERANGE;
	/* a slab is at most 4 MiB: 32-bit division is enough */
	off = (u32)((const char *)obj - first);
	if (off % l->stride)
		return -EINVAL;
	*idx = off / l->stride;
	return 0;
}

/**
 * kslab_slab_init() - make every object of a new slab free
 * @l: the layout
 * @base: the slab's first byte
 * @colour: the slab's colour index
 * @secret: the cache's link secret
 * @st: the slab's state, initialised here
 *
 * The list runs in address order, so a fresh slab hands out its objects
 * front to back.
 */
void kslab_slab_init(const struct kslab_layout *l, void *base, u32 colour,
		     uintptr_t secret, struct kslab_slab_state *st)
{
	void *next = NULL;
	u32 i = l->objects;

	while (i--) {
		void *obj = kslab_slab_obj(l, base, colour, i);

		kslab_link_set(l, secret, obj, next);
		next = obj;
	}
	st->free = next;
	st->inuse = 0;
	st->colour = colour;
}

/* Is @p a free-list link that may be followed? */
static bool kslab_link_ok(const struct kslab_layout *l, void *base, u32 colour,
			  void *p)
{
	u32 idx;

	return !p || !kslab_slab_index(l, base, colour, p, &idx);
}

/**
 * kslab_slab_take() - take objects off a slab's free list
 * @l: the layout
 * @base: the slab's first byte
 * @secret: the cache's link secret
 * @st: the slab's state
 * @objs: where the objects go
 * @n: how many are wanted
 * @lost: set to the number of free objects given up because a link
 *	pointed outside the slab's objects, 0 normally
 *
 * A bad link means a free object was written to: that object and
 * everything behind it on the list are taken off the list and counted in
 * use, never to be handed out (the caller quarantines them, and reports).
 *
 * Return: the number of objects stored in @objs.
 */
u32 kslab_slab_take(const struct kslab_layout *l, void *base,
		    uintptr_t secret, struct kslab_slab_state *st,
		    void **objs, u32 n, u32 *lost)
{
	u32 got = 0;

	*lost = 0;
	while (got < n && st->free) {
		void *obj = st->free;
		void *next = kslab_link_get(l, secret, obj);

		if (!kslab_link_ok(l, base, st->colour, next)) {
			*lost = l->objects - st->inuse;
			st->inuse = l->objects;
			st->free = NULL;
			break;
		}
		st->free = next;
		st->inuse++;
		objs[got++] = obj;
	}
	return got;
}

/**
 * kslab_slab_push() - put an object back on its slab's free list
 * @l: the layout
 * @secret: the cache's link secret
 * @st: the slab's state
 * @obj: an object of this slab, in use
 */
void kslab_slab_push(const struct kslab_layout *l, uintptr_t secret,
		     struct kslab_slab_state *st, void *obj)
{
	KLAB_ASSERT(st->inuse > 0);
	kslab_link_set(l, secret, obj, st->free);
	st->free = obj;
	st->inuse--;
}

/**
 * kslab_slab_check() - walk a slab's free list
 * @l: the layout
 * @base: the slab's first byte
 * @secret: the cache's link secret
 * @st: the slab's state
 * @nr_free: set to the number of objects on the list
 *
 * Return: 0 when every link points at an object of the slab and the list
 * holds exactly the objects not in use; -EFAULT on a bad link, -ELOOP when
 * the list is longer than the slab (a cycle), -EBADMSG when its length
 * disagrees with @st->inuse.
 */
int kslab_slab_check(const struct kslab_layout *l, void *base,
		     uintptr_t secret, const struct kslab_slab_state *st,
		     u32 *nr_free)
{
	void *p = st->free;
	u32 n = 0;

	while (p) {
		if (!kslab_link_ok(l, base, st->colour, p)) {
			*nr_free = n;
			return -EFAULT;
		}
		if (++n > l->objects) {
			*nr_free = n;
			return -ELOOP;
		}
		p = kslab_link_get(l, secret, p);
	}
	*nr_free = n;
	return n + st->inuse == l->objects ? 0 : -EBADMSG;
}

/**
 * kslab_slab_on_free_list() - is @obj on the slab's free list?
 * @l: the layout
 * @base: the slab's first byte
 * @secret: the cache's link secret
 * @st: the slab's state
 * @obj: an object of this slab
 *
 * Stops at a bad link or after @l->objects steps.
 *
 * Return: true if the list reaches @obj.
 */
bool kslab_slab_on_free_list(const struct kslab_layout *l, void *base,
			     uintptr_t secret,
			     const struct kslab_slab_state *st,
			     const void *obj)
{
	void *p = st->free;
	u32 n = 0;

	while (p && n++ < l->objects) {
		if (p == obj)
			return true;
		if (!kslab_link_ok(l, base, st->colour, p))
			return false;
		p = kslab_link_get(l, secret, p);
	}
	return false;
}
