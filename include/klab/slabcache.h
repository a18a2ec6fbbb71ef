/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slabcache: a slab allocator with per-CPU magazines and a depot, for
 * other kernel modules.  Load slabcache.ko first; the functions below are
 * exported to GPL modules.
 *
 *	struct kslab_cache *c;
 *
 *	c = kslab_cache_create("my_objs", sizeof(struct my_obj), 0, 0, NULL);
 *	obj = kslab_alloc(c, GFP_KERNEL);
 *	...
 *	kslab_free(c, obj);
 *	kslab_cache_destroy(c);
 *
 * Each cache shows in /proc/slabcacheinfo and /sys/kernel/slabcache/<name>/.
 */
#ifndef _KLAB_SLABCACHE_H
#define _KLAB_SLABCACHE_H

#include <linux/gfp.h>
#include <linux/types.h>
#include <klab/slab.h>

/* Cache flags for kslab_cache_create() */
#define KSLAB_RED_ZONE		KLAB_SLAB_F_RED_ZONE
#define KSLAB_POISON		KLAB_SLAB_F_POISON
#define KSLAB_STORE_USER	KLAB_SLAB_F_STORE_USER
#define KSLAB_HWCACHE_ALIGN	KLAB_SLAB_F_HWCACHE_ALIGN
#define KSLAB_DEBUG		KLAB_SLAB_F_DEBUG

/* Longest name of a cache, with its NUL */
#define KSLAB_NAME_LEN		KLAB_SLAB_NAME_LEN

struct kslab_cache;

struct kslab_cache *kslab_cache_create(const char *name, unsigned int size,
				       unsigned int align, unsigned int flags,
				       void (*ctor)(void *));
unsigned long kslab_cache_destroy(struct kslab_cache *s);
void *kslab_alloc(struct kslab_cache *s, gfp_t gfp);
void kslab_free(struct kslab_cache *s, void *obj);
int kslab_alloc_bulk(struct kslab_cache *s, gfp_t gfp, size_t nr, void **p);
void kslab_free_bulk(struct kslab_cache *s, size_t nr, void **p);
unsigned long kslab_cache_shrink(struct kslab_cache *s);
unsigned int kslab_cache_size(const struct kslab_cache *s);

#endif /* _KLAB_SLABCACHE_H */
