// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: test caches, which klabctl creates, fills and destroys, and
 * the bugs KLAB_SLAB_CMD_BUG plants in them to show the debug checks at
 * work.  A test cache holds the objects KLAB_SLAB_CMD_ALLOC allocated
 * until KLAB_SLAB_CMD_FREE frees them; destroying it with objects held
 * leaks them on purpose.  Their number and size are bounded by module
 * parameters; bugs are planted only with test_bugs=1.
 */
#include <linux/cpu.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/slab.h>

#include "slabcache.h"

unsigned int kslab_max_test_caches = 16;
module_param_named(max_test_caches, kslab_max_test_caches, uint, 0644);
MODULE_PARM_DESC(max_test_caches,
		 "Most caches klabctl may create (default: 16)");

unsigned int kslab_max_object_size = 65536;
module_param_named(max_object_size, kslab_max_object_size, uint, 0644);
MODULE_PARM_DESC(max_object_size,
		 "Largest object of a cache klabctl creates (default: 65536)");

unsigned int kslab_max_held = 262144;
module_param_named(max_held, kslab_max_held, uint, 0644);
MODULE_PARM_DESC(max_held,
		 "Most objects a test cache holds for klabctl (default: 262144)");

bool kslab_test_bugs;
module_param_named(test_bugs, kslab_test_bugs, bool, 0444);
MODULE_PARM_DESC(test_bugs,
		 "Let KLAB_SLAB_CMD_BUG plant bugs in debug test caches (default: off)");

/* Serialises everything done to test caches and their held objects */
DEFINE_MUTEX(kslab_test_mutex);

atomic_long_t kslab_test_ctor_calls = ATOMIC_LONG_INIT(0);

#define KSLAB_CTOR_MAGIC	0xc0575a11c0575a11UL

/**
 * kslab_test_ctor() - the constructor of test caches
 * @obj: the object
 *
 * Marks the object's first word with a value derived from its address
 * and counts the call: objects reused without being constructed again
 * still carry the mark.
 */
void kslab_test_ctor(void *obj)
{
	*(unsigned long *)obj = KSLAB_CTOR_MAGIC ^ (unsigned long)obj;
	atomic_long_inc(&kslab_test_ctor_calls);
}

static bool kslab_test_ctor_ok(const void *obj)
{
	return *(const unsigned long *)obj ==
	       (KSLAB_CTOR_MAGIC ^ (unsigned long)obj);
}

static unsigned int kslab_test_count(void)
{
	struct kslab_cache *s;
	unsigned int n = 0;

	mutex_lock(&kslab_mutex);
	list_for_each_entry(s, &kslab_caches, list)
		n += s->test;
	mutex_unlock(&kslab_mutex);
	return n;
}

/**
 * kslab_test_get() - a test cache by name
 * @name: its name
 *
 * Context: kslab_test_mutex held; the cache stays valid until it is
 * released.
 * Return: the cache or NULL.
 */
struct kslab_cache *kslab_test_get(const char *name)
{
	struct kslab_cache *s;

	lockdep_assert_held(&kslab_test_mutex);
	mutex_lock(&kslab_mutex);
	s = kslab_cache_find(name);
	mutex_unlock(&kslab_mutex);
	return s && s->test ? s : NULL;
}

/**
 * kslab_test_create() - create a test cache
 * @req: what klabctl asked for
 * @why: set to a message for the extended ack on error
 *
 * Context: kslab_test_mutex held.
 * Return: the cache, or an ERR_PTR(): -ENOSPC beyond the module's bounds,
 * -EINVAL, -EEXIST, -ENOMEM.
 */
struct kslab_cache *kslab_test_create(const struct kslab_test_req *req,
				      enum kslab_why *why)
{
	struct kslab_cache *s;
	int err;

	if (kslab_test_count() >= READ_ONCE(kslab_max_test_caches)) {
		*why = KSLAB_WHY_TOO_MANY_CACHES;
		return ERR_PTR(-ENOSPC);
	}
	if (req->size > READ_ONCE(kslab_max_object_size)) {
		*why = KSLAB_WHY_SIZE_TOO_BIG;
		return ERR_PTR(-ENOSPC);
	}
	if ((req->flags & KLAB_SLAB_F_CTOR) && req->size < sizeof(long)) {
		*why = KSLAB_WHY_CTOR_SMALL;
		return ERR_PTR(-EINVAL);
	}
	s = kslab_test_cache_create(req->name, req->size, req->align,
				    req->flags,
				    req->flags & KLAB_SLAB_F_CTOR ?
				    kslab_test_ctor : NULL);
	if (IS_ERR(s)) {
		*why = PTR_ERR(s) == -EEXIST ? KSLAB_WHY_EXISTS :
		       PTR_ERR(s) == -EINVAL ? KSLAB_WHY_BAD_CACHE :
		       KSLAB_WHY_NONE;
		return s;
	}
	if (req->set_magsize || req->set_limit) {
		cpus_read_lock();
		mutex_lock(&kslab_mutex);
		err = kslab_cache_tune(s, req->set_magsize ? req->magsize :
				       s->mc.depot.magsize,
				       req->set_limit ? req->limit :
				       s->mc.depot.limit);
		mutex_unlock(&kslab_mutex);
		cpus_read_unlock();
		if (err) {
			*why = KSLAB_WHY_TUNE_RANGE;
			kslab_cache_destroy(s);
			return ERR_PTR(err);
		}
	}
	return s;
}

/**
 * kslab_test_destroy() - destroy a test cache, leaking what it holds
 * @s: the cache
 *
 * Context: kslab_test_mutex held.
 * Return: the objects leaked.
 */
unsigned long kslab_test_destroy(struct kslab_cache *s)
{
	kvfree(s->held);
	s->held = NULL;
	s->nr_held = 0;
	return kslab_cache_destroy(s);
}

static int kslab_test_held_room(struct kslab_cache *s, u32 count)
{
	u32 max = READ_ONCE(kslab_max_held);
	void **held;

	if (count > max || s->nr_held > max - count)
		return -ENOSPC;
	if (s->held)
		return 0;
	held = kvmalloc_array(max, sizeof(*held), GFP_KERNEL);
	if (!held)
		return -ENOMEM;
	s->held = held;
	return 0;
}

/* Look at a new object as klabctl's checks want */
static void kslab_test_inspect(struct kslab_cache *s, void *obj,
			       struct kslab_test_alloc *res)
{
	struct page *page;

	if (s->ctor)
		res->ctor_bad += !kslab_test_ctor_ok(obj);
	else if (memchr_inv(obj, 0, s->object_size))
		res->nonzero++;
	if (res->nr_offsets < KLAB_SLAB_OFFSETS_MAX) {
		page = virt_to_head_page(obj);
		res->offsets[res->nr_offsets++] =
			(char *)obj - (char *)kslab_slab_base(page);
	}
}

/**
 * kslab_test_alloc() - allocate objects into a test cache's hold
 * @s: the cache
 * @count: how many
 * @gfp: GFP_KERNEL or GFP_ATOMIC, maybe with __GFP_ZERO; GFP_ATOMIC
 *	allocations run with interrupts disabled, 64 at a time, so that any
 *	sleep would be caught as scheduling while atomic
 * @res: counts of what the objects looked like; offsets of the first ones
 *
 * Context: kslab_test_mutex held.
 * Return: 0, -ENOSPC beyond max_held, -ENOMEM (the objects allocated so
 * far stay held).
 */
int kslab_test_alloc(struct kslab_cache *s, u32 count, gfp_t gfp,
		     struct kslab_test_alloc *res)
{
	bool atomic = !gfpflags_allow_blocking(gfp);
	unsigned long flags = 0;
	int err;
	u32 i;

	err = kslab_test_held_room(s, count);
	if (err)
		return err;
	for (i = 0; i < count; i++) {
		void *obj;

		if (atomic && !(i % 64))
			local_irq_save(flags);
		obj = kslab_alloc(s, gfp);
		if (atomic && (i % 64 == 63 || i == count - 1 || !obj))
			local_irq_restore(flags);
		if (!obj)
			return -ENOMEM;
		kslab_test_inspect(s, obj, res);
		s->held[s->nr_held++] = obj;
		if (!atomic)
			cond_resched();
	}
	return 0;
}

/**
 * kslab_test_free() - free held objects, the last allocated first
 * @s: the cache
 * @count: how many; fewer when fewer are held
 *
 * Context: kslab_test_mutex held.
 */
void kslab_test_free(struct kslab_cache *s, u32 count)
{
	while (count-- && s->nr_held) {
		kslab_free(s, s->held[--s->nr_held]);
		cond_resched();
	}
}

/**
 * kslab_test_exit() - free every held object of every test cache, then
 * destroy them
 */
void kslab_test_exit(void)
{
	struct kslab_cache *s;

	mutex_lock(&kslab_test_mutex);
	for (;;) {
		mutex_lock(&kslab_mutex);
		list_for_each_entry(s, &kslab_caches, list)
			if (s->test)
				break;
		mutex_unlock(&kslab_mutex);
		if (list_entry_is_head(s, &kslab_caches, list))
			break;
		kslab_test_free(s, s->nr_held);
		kslab_test_destroy(s);
	}
	mutex_unlock(&kslab_test_mutex);
}

static int kslab_bug_needs(struct kslab_cache *s, unsigned int flags,
			   enum kslab_why *why)
{
	if ((s->flags & flags) == flags)
		return 0;
	*why = flags == KSLAB_RED_ZONE ? KSLAB_WHY_NEEDS_RED_ZONE :
	       flags == KSLAB_POISON ? KSLAB_WHY_NEEDS_POISON :
	       KSLAB_WHY_NEEDS_DEBUG;
	return -EINVAL;
}

/* Write after free, on one CPU so that the object comes back next */
static void kslab_bug_use_after_free(struct kslab_cache *s)
{
	u8 *obj, *again;

	migrate_disable();
	obj = kslab_alloc(s, GFP_KERNEL);
	if (obj) {
		kslab_free(s, obj);
		obj[s->object_size / 2] ^= 0x55;
		again = kslab_alloc(s, GFP_KERNEL);
		kslab_free(s, again);
	}
	migrate_enable();
}

/* Overwrite the free link of a free object on its slab's free list */
static int kslab_bug_freelist(struct kslab_cache *s, enum kslab_why *why)
{
	void *obj, *again;

	if (kslab_debug(s) || s->mc.depot.magsize ||
	    kslab_link_outside(&s->layout)) {
		*why = KSLAB_WHY_NEEDS_PLAIN;
		return -EINVAL;
	}
	obj = kslab_alloc(s, GFP_KERNEL);
	if (!obj)
		return -ENOMEM;
	kslab_free(s, obj);
	memset((char *)obj + s->layout.link, 0x41, sizeof(void *));
	again = kslab_alloc(s, GFP_KERNEL);
	kslab_free(s, again);
	return 0;
}

/**
 * kslab_test_bug() - plant a bug in a test cache
 * @s: the cache
 * @bug: enum klab_slab_bug
 * @why: set to a message for the extended ack on error
 *
 * The detection is the cache's business: its counters and the kernel log
 * show whether it caught the bug.
 *
 * Context: kslab_test_mutex held.
 * Return: 0, -EPERM without test_bugs=1, -EINVAL when the cache cannot
 * detect that bug, -ENOMEM.
 */
int kslab_test_bug(struct kslab_cache *s, u32 bug, enum kslab_why *why)
{
	u8 *obj, *foreign;
	int err;

	if (!kslab_test_bugs) {
		*why = KSLAB_WHY_BUGS_OFF;
		return -EPERM;
	}
	switch (bug) {
	case KLAB_SLAB_BUG_REDZONE_RIGHT:
	case KLAB_SLAB_BUG_REDZONE_LEFT:
		err = kslab_bug_needs(s, KSLAB_RED_ZONE, why);
		if (err)
			return err;
		obj = kslab_alloc(s, GFP_KERNEL);
		if (!obj)
			return -ENOMEM;
		if (bug == KLAB_SLAB_BUG_REDZONE_RIGHT)
			obj[s->object_size] = 0;
		else
			obj[-1] = 0;
		kslab_free(s, obj);
		return 0;
	case KLAB_SLAB_BUG_USE_AFTER_FREE:
		err = kslab_bug_needs(s, KSLAB_POISON, why);
		if (err)
			return err;
		kslab_bug_use_after_free(s);
		return 0;
	case KLAB_SLAB_BUG_DOUBLE_FREE:
		obj = kslab_alloc(s, GFP_KERNEL);
		if (!obj)
			return -ENOMEM;
		kslab_free(s, obj);
		kslab_free(s, obj);
		return 0;
	case KLAB_SLAB_BUG_FOREIGN_FREE:
	case KLAB_SLAB_BUG_INTERIOR_FREE:
		if (!kslab_debug(s))
			return kslab_bug_needs(s, KSLAB_DEBUG, why);
		if (bug == KLAB_SLAB_BUG_FOREIGN_FREE) {
			foreign = kmalloc(s->object_size, GFP_KERNEL);
			if (!foreign)
				return -ENOMEM;
			kslab_free(s, foreign);
			kfree(foreign);
			return 0;
		}
		obj = kslab_alloc(s, GFP_KERNEL);
		if (!obj)
			return -ENOMEM;
		kslab_free(s, obj + 8);
		kslab_free(s, obj);
		return 0;
	case KLAB_SLAB_BUG_FREELIST:
		return kslab_bug_freelist(s, why);
	default:
		*why = KSLAB_WHY_UNKNOWN_BUG;
		return -EINVAL;
	}
}
