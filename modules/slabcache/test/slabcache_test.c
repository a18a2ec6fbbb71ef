// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache_test: a small module that allocates through slabcache's
 * exported API (<klab/slabcache.h>), as any other module would, and
 * checks what it gets.  Loading it:
 *
 *   - creates the cache "slabcache_test" with a constructor and checks
 *     that every object it allocates is in the constructed state, that
 *     freeing and allocating again does not run the constructor, and that
 *     bulk allocation and GFP_ATOMIC allocation from a hard interrupt
 *     (an hrtimer) work;
 *   - keeps `objects` objects allocated while it is loaded, for
 *     /proc/slabcacheinfo and /sys/kernel/slabcache/slabcache_test/;
 *   - creates a kmem_cache (SLUB) of the same size with a constructor,
 *     which keeps SLUB from merging it, and keeps as many of its objects,
 *     so that /proc/slabinfo shows the two side by side.
 *
 * A failed check fails the load with EINVAL after one pr_err line.
 * Unloading frees everything and destroys both caches; a leak is reported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <klab/slabcache.h>

static unsigned int objects = 1000;
module_param(objects, uint, 0444);
MODULE_PARM_DESC(objects, "Objects kept allocated while loaded (default: 1000)");

static unsigned int size = 192;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "Object size in bytes, at least 16 (default: 192)");

#define SCT_MAGIC	0x7e57c7087e57c708UL
#define SCT_BULK	64
#define SCT_IRQ_ROUNDS	8

static struct kslab_cache *sct_cache;
static struct kmem_cache *sct_slub;
static void **sct_objs;
static void **sct_slub_objs;
static atomic_long_t sct_ctor_calls;

static struct hrtimer sct_timer;
static DECLARE_COMPLETION(sct_timer_done);
static unsigned int sct_irq_rounds;
static unsigned int sct_irq_allocs;

/* The constructor: the object's first word depends on its address */
static void sct_ctor(void *obj)
{
	*(unsigned long *)obj = SCT_MAGIC ^ (unsigned long)obj;
	atomic_long_inc(&sct_ctor_calls);
}

static void sct_slub_ctor(void *obj)
{
	*(unsigned long *)obj = SCT_MAGIC;
}

static bool sct_constructed(const void *obj)
{
	return *(const unsigned long *)obj == (SCT_MAGIC ^ (unsigned long)obj);
}

/* Allocate and free in hard interrupt context, SCT_IRQ_ROUNDS times */
static enum hrtimer_restart sct_timer_fn(struct hrtimer *t)
{
	void *obj = kslab_alloc(sct_cache, GFP_ATOMIC);

	if (obj) {
		sct_irq_allocs += sct_constructed(obj);
		kslab_free(sct_cache, obj);
	}
	if (++sct_irq_rounds == SCT_IRQ_ROUNDS) {
		complete(&sct_timer_done);
		return HRTIMER_NORESTART;
	}
	hrtimer_forward_now(t, ms_to_ktime(1));
	return HRTIMER_RESTART;
}

static int sct_check_irq(void)
{
	hrtimer_init(&sct_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	sct_timer.function = sct_timer_fn;
	hrtimer_start(&sct_timer, ms_to_ktime(1), HRTIMER_MODE_REL_HARD);
	wait_for_completion(&sct_timer_done);
	if (sct_irq_allocs != SCT_IRQ_ROUNDS) {
		pr_err("%u of %u allocations in hard irq context gave a constructed object\n",
		       sct_irq_allocs, SCT_IRQ_ROUNDS);
		return -EINVAL;
	}
	return 0;
}

static int sct_check_reuse(void)
{
	long calls = atomic_long_read(&sct_ctor_calls);
	unsigned int i, half = objects / 2;

	/* constructed objects come back constructed, without the ctor */
	kslab_free_bulk(sct_cache, half, sct_objs);
	for (i = 0; i < half; i++) {
		sct_objs[i] = kslab_alloc(sct_cache, GFP_KERNEL);
		if (!sct_objs[i] || !sct_constructed(sct_objs[i])) {
			pr_err("object %u allocated again is %s\n", i,
			       sct_objs[i] ? "not in its constructed state" :
			       "missing");
			return -EINVAL;
		}
	}
	if (atomic_long_read(&sct_ctor_calls) != calls) {
		pr_err("the constructor ran %ld times for reused objects\n",
		       atomic_long_read(&sct_ctor_calls) - calls);
		return -EINVAL;
	}
	return 0;
}

static int sct_check_bulk(void)
{
	void *p[SCT_BULK];
	unsigned int i;

	if (kslab_alloc_bulk(sct_cache, GFP_KERNEL, SCT_BULK, p) != SCT_BULK) {
		pr_err("bulk allocation failed\n");
		return -ENOMEM;
	}
	for (i = 0; i < SCT_BULK; i++) {
		if (!sct_constructed(p[i])) {
			pr_err("bulk object %u is not in its constructed state\n",
			       i);
			kslab_free_bulk(sct_cache, SCT_BULK, p);
			return -EINVAL;
		}
	}
	kslab_free_bulk(sct_cache, SCT_BULK, p);
	return 0;
}

static int sct_fill(void)
{
	unsigned int i;

	for (i = 0; i < objects; i++) {
		sct_objs[i] = kslab_alloc(sct_cache, GFP_KERNEL);
		if (!sct_objs[i])
			return -ENOMEM;
		if (!sct_constructed(sct_objs[i])) {
			pr_err("object %u is not in its constructed state\n", i);
			kslab_free(sct_cache, sct_objs[i]);
			sct_objs[i] = NULL;
			return -EINVAL;
		}
	}
	for (i = 0; i < objects; i++) {
		sct_slub_objs[i] = kmem_cache_alloc(sct_slub, GFP_KERNEL);
		if (!sct_slub_objs[i])
			return -ENOMEM;
	}
	return 0;
}

static void sct_free_all(void)
{
	unsigned int i;

	for (i = 0; i < objects; i++) {
		if (sct_objs[i])
			kslab_free(sct_cache, sct_objs[i]);
		if (sct_slub_objs[i])
			kmem_cache_free(sct_slub, sct_slub_objs[i]);
	}
}

static int __init sct_init(void)
{
	int err = -ENOMEM;

	if (size < 16 || !objects)
		return -EINVAL;
	sct_objs = kvcalloc(objects, sizeof(*sct_objs), GFP_KERNEL);
	if (!sct_objs)
		return -ENOMEM;
	sct_slub_objs = kvcalloc(objects, sizeof(*sct_slub_objs), GFP_KERNEL);
	if (!sct_slub_objs)
		goto err_free_objs;
	sct_cache = kslab_cache_create("slabcache_test", size, 0, 0, sct_ctor);
	if (!sct_cache)
		goto err_free_slub_objs;
	sct_slub = kmem_cache_create("slabcache_test_slub", size, 0, 0,
				     sct_slub_ctor);
	if (!sct_slub)
		goto err_destroy_cache;

	err = sct_fill();
	if (err)
		goto err_free_all;
	err = sct_check_reuse();
	if (err)
		goto err_free_all;
	err = sct_check_bulk();
	if (err)
		goto err_free_all;
	err = sct_check_irq();
	if (err)
		goto err_free_all;

	pr_info("%u objects held in slabcache_test and slabcache_test_slub; %ld constructor calls\n",
		objects, atomic_long_read(&sct_ctor_calls));
	return 0;

err_free_all:
	sct_free_all();
	kmem_cache_destroy(sct_slub);
err_destroy_cache:
	kslab_cache_destroy(sct_cache);
err_free_slub_objs:
	kvfree(sct_slub_objs);
err_free_objs:
	kvfree(sct_objs);
	return err;
}

static void __exit sct_exit(void)
{
	unsigned long leaked;

	sct_free_all();
	kmem_cache_destroy(sct_slub);
	leaked = kslab_cache_destroy(sct_cache);
	if (leaked)
		pr_err("%lu objects leaked\n", leaked);
	kvfree(sct_slub_objs);
	kvfree(sct_objs);
}

module_init(sct_init);
module_exit(sct_exit);

MODULE_DESCRIPTION("klab slabcache: a module allocating through slabcache");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
