/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slabcache's slab geometry and the free list inside a slab.
 *
 * A slab is 2^order contiguous pages carved into objects of one size.
 * Each object sits in a slot of @stride bytes:
 *
 *   slot:  [ left red zone | object | right red zone | link | owner | state ]
 *            red_left        object_size  up to inuse   8      2 x track  8
 *
 * Only the object is always there.  The free link (the next free object
 * of the slab's free list) lives in the middle of the object when nothing
 * forbids it, as in SLUB, and after the object when the object must keep
 * its contents while free: a constructor (Bonwick's constructed state),
 * poisoning, or red zoning an object smaller than a word.  The other
 * parts exist only in debug caches.  Offsets of the parts are given from
 * the object's address, the address clients see.
 *
 * Slots start at the slab's colour offset and follow each other; the
 * bytes after the last slot and before the colour offset are the slack
 * that colouring moves around.
 *
 * The free list is singly linked through the free objects.  A link is
 * stored XOR a per-cache secret and its own address (as SLUB's
 * CONFIG_SLAB_FREELIST_HARDENED does), and every link taken off the list
 * is checked to point at an object boundary inside the same slab, so a
 * stray write into a free object is caught instead of followed.
 */
#ifndef _KSLAB_LAYOUT_H
#define _KSLAB_LAYOUT_H

#include "klab_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Layout flags (KSLAB_L_*): what the cache's objects need around them */
#define KSLAB_L_CTOR		0x01u	/* constructed objects: link outside */
#define KSLAB_L_RED_ZONE	0x02u	/* red zones left and right */
#define KSLAB_L_POISON		0x04u	/* free objects are poisoned */
#define KSLAB_L_STORE_USER	0x08u	/* owner records (alloc and free) */
#define KSLAB_L_HWCACHE_ALIGN	0x10u	/* align objects to cache lines */
#define KSLAB_L_DEBUG		(KSLAB_L_RED_ZONE | KSLAB_L_POISON | \
				 KSLAB_L_STORE_USER)

/*
 * The order rule: the smallest order at which the slack is at most
 * 1/KSLAB_WASTE_FRACT of the slab; if no order up to the maximum gets
 * there, the order with the smallest fraction of slack.
 */
#define KSLAB_WASTE_FRACT	32u
/* Objects per slab are counted in 16 bits (see the kernel's slab word) */
#define KSLAB_MAX_OBJS		65535u
/* Largest order of a slab: the buddy allocator's MAX_ORDER - 1 */
#define KSLAB_MAX_ORDER		10u

struct kslab_layout_req {
	u32 size;		/* object size asked for, > 0 */
	u32 align;		/* 0 or a power of two */
	u32 flags;		/* KSLAB_L_* */
	u32 page_size;		/* a power of two */
	u32 cache_line;		/* a power of two */
	u32 max_order;		/* highest order the rule looks at */
	u32 track_size;		/* bytes of one owner record */
};

struct kslab_layout {
	u32 object_size;	/* bytes the client may use */
	u32 align;		/* of every object */
	u32 inuse;		/* object plus right red zone */
	u32 red_left;		/* left red zone: object offset in its slot */
	u32 link;		/* offset of the free link */
	u32 track;		/* offset of the owner records (debug) */
	u32 state;		/* offset of the state word (debug) */
	u32 stride;		/* bytes from one object to the next */
	u32 order;		/* slab = 2^order pages */
	u32 slab_bytes;		/* page_size << order */
	u32 objects;		/* objects per slab */
	u32 slack;		/* slab_bytes - objects * stride */
	u32 colour_step;	/* colour offsets are multiples of this */
	u32 colours;		/* distinct colour offsets: 0 .. colours - 1 */
	u32 flags;		/* KSLAB_L_* */
};

int kslab_layout_compute(const struct kslab_layout_req *req,
			 struct kslab_layout *l);
u32 kslab_layout_objects(u32 stride, u32 slab_bytes);
u32 kslab_colour_offset(const struct kslab_layout *l, u32 colour);
u32 kslab_colour_next(const struct kslab_layout *l, u32 colour);

/* Where the free link of a slab's objects sits */
static inline bool kslab_link_outside(const struct kslab_layout *l)
{
	return l->link >= l->inuse;
}

/*
 * The free list of one slab.  @free is the first free object or NULL;
 * @inuse counts the objects not on the list; @colour is the colour index
 * (the first slot starts kslab_colour_offset() bytes into the slab).
 */
struct kslab_slab_state {
	void *free;
	u32 inuse;
	u32 colour;
};

void kslab_slab_init(const struct kslab_layout *l, void *base, u32 colour,
		     uintptr_t secret, struct kslab_slab_state *st);
void kslab_slab_push(const struct kslab_layout *l, uintptr_t secret,
		     struct kslab_slab_state *st, void *obj);
u32 kslab_slab_take(const struct kslab_layout *l, void *base,
		    uintptr_t secret, struct kslab_slab_state *st,
		    void **objs, u32 n, u32 *lost);
int kslab_slab_check(const struct kslab_layout *l, void *base,
		     uintptr_t secret, const struct kslab_slab_state *st,
		     u32 *nr_free);
void *kslab_slab_obj(const struct kslab_layout *l, void *base, u32 colour,
		     u32 idx);
int kslab_slab_index(const struct kslab_layout *l, const void *base,
		     u32 colour, const void *obj, u32 *idx);
bool kslab_slab_on_free_list(const struct kslab_layout *l, void *base,
			     uintptr_t secret,
			     const struct kslab_slab_state *st,
			     const void *obj);

#ifdef __cplusplus
}
#endif

#endif /* _KSLAB_LAYOUT_H */
