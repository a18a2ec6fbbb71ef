// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: benchmarks against the kernel's kmem_cache (SLUB), in the
 * manner of Jesper Brouer's slab_bulk_test01: alloc+free pairs and bulk
 * alloc+bulk free of objects of one size, timed with preemption off, after
 * a warm-up, in chunks of bounded work with a reschedule point between
 * them (only the chunks are timed); the same on every online CPU at once; and objects held in a
 * cache of their own, for the memory comparison (the caller reads
 * /proc/slabinfo and /proc/slabcacheinfo while they are held).
 *
 * Each allocator is an ops vector, as kernel/rcu/refscale.c chooses its
 * readers; the timed loops live inside each allocator's ops and call the
 * allocator directly, so the measurement holds no indirect call per
 * object.  Allocations use GFP_ATOMIC, as preemption is off.  SLUB's cache
 * is created with a usercopy region (kmem_cache_create_usercopy()), which
 * keeps it from being merged into another cache of the same size.
 */
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "slabcache.h"

/* Most bytes a hold's objects take (KSLAB_BENCH_MAX_WORK objects at most) */
#define KSLAB_BENCH_MAX_HOLD_BYTES	(256ULL << 20)
/*
 * Objects one chunk of a timed run touches with preemption off: a whole
 * run with preemption off held it off for seconds under TCG and gave an
 * RCU stall; a chunk is well under a millisecond on hardware and some
 * milliseconds under TCG, and the time between two chunks is not counted.
 */
#define KSLAB_BENCH_CHUNK	16384U

struct kslab_bench_ops {
	const char *name;
	void *(*create)(const char *name, unsigned int size);
	void (*destroy)(void *cache);
	/* @loops alloc+free pairs; false if an allocation failed */
	bool (*pairs)(void *cache, u32 loops);
	/* @loops bulk allocations of @bulk objects into @p, each freed */
	bool (*bulk)(void *cache, void **p, u32 bulk, u32 loops);
	/* allocate @n objects into @p (may sleep); false if it failed */
	bool (*hold)(void *cache, void **p, u32 n);
	void (*release)(void *cache, void **p, u32 n);
};

static void *kslab_bench_sc_create(const char *name, unsigned int size)
{
	return kslab_cache_create(name, size, 0, 0, NULL);
}

static void kslab_bench_sc_destroy(void *cache)
{
	kslab_cache_destroy(cache);
}

static bool kslab_bench_sc_pairs(void *cache, u32 loops)
{
	struct kslab_cache *s = cache;
	void *obj;
	u32 i;

	for (i = 0; i < loops; i++) {
		obj = kslab_alloc(s, GFP_ATOMIC);
		if (unlikely(!obj))
			return false;
		kslab_free(s, obj);
	}
	return true;
}

static bool kslab_bench_sc_bulk(void *cache, void **p, u32 bulk, u32 loops)
{
	struct kslab_cache *s = cache;
	u32 i;

	for (i = 0; i < loops; i++) {
		if (unlikely(!kslab_alloc_bulk(s, GFP_ATOMIC, bulk, p)))
			return false;
		kslab_free_bulk(s, bulk, p);
	}
	return true;
}

static bool kslab_bench_sc_hold(void *cache, void **p, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		p[i] = kslab_alloc(cache, GFP_KERNEL);
		if (!p[i]) {
			kslab_free_bulk(cache, i, p);
			return false;
		}
		cond_resched();
	}
	return true;
}

static void kslab_bench_sc_release(void *cache, void **p, u32 n)
{
	kslab_free_bulk(cache, n, p);
}

static const struct kslab_bench_ops kslab_bench_slabcache = {
	.name = "slabcache",
	.create = kslab_bench_sc_create,
	.destroy = kslab_bench_sc_destroy,
	.pairs = kslab_bench_sc_pairs,
	.bulk = kslab_bench_sc_bulk,
	.hold = kslab_bench_sc_hold,
	.release = kslab_bench_sc_release,
};

static void *kslab_bench_kc_create(const char *name, unsigned int size)
{
	/* a usercopy region: never merged with another cache */
	return kmem_cache_create_usercopy(name, size, 0, 0, 0, size, NULL);
}

static void kslab_bench_kc_destroy(void *cache)
{
	kmem_cache_destroy(cache);
}

static bool kslab_bench_kc_pairs(void *cache, u32 loops)
{
	struct kmem_cache *c = cache;
	void *obj;
	u32 i;

	for (i = 0; i < loops; i++) {
		obj = kmem_cache_alloc(c, GFP_ATOMIC);
		if (unlikely(!obj))
			return false;
		kmem_cache_free(c, obj);
	}
	return true;
}

static bool kslab_bench_kc_bulk(void *cache, void **p, u32 bulk, u32 loops)
{
	struct kmem_cache *c = cache;
	u32 i;

	for (i = 0; i < loops; i++) {
		if (unlikely(!kmem_cache_alloc_bulk(c, GFP_ATOMIC, bulk, p)))
			return false;
		kmem_cache_free_bulk(c, bulk, p);
	}
	return true;
}

static bool kslab_bench_kc_hold(void *cache, void **p, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		p[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		if (!p[i]) {
			kmem_cache_free_bulk(cache, i, p);
			return false;
		}
		cond_resched();
	}
	return true;
}

static void kslab_bench_kc_release(void *cache, void **p, u32 n)
{
	kmem_cache_free_bulk(cache, n, p);
}

static const struct kslab_bench_ops kslab_bench_kmem_cache = {
	.name = "kmem_cache",
	.create = kslab_bench_kc_create,
	.destroy = kslab_bench_kc_destroy,
	.pairs = kslab_bench_kc_pairs,
	.bulk = kslab_bench_kc_bulk,
	.hold = kslab_bench_kc_hold,
	.release = kslab_bench_kc_release,
};

static const struct kslab_bench_ops *kslab_bench_impls[] = {
	[KLAB_SLAB_IMPL_SLABCACHE] = &kslab_bench_slabcache,
	[KLAB_SLAB_IMPL_KMEM_CACHE] = &kslab_bench_kmem_cache,
};

/* Objects held for the memory comparison, per allocator */
struct kslab_bench_hold {
	void *cache;
	void **objs;
	u32 n;
	char name[KSLAB_NAME_LEN];
};

/* Serialises the benchmarks; the holds live under it */
static DEFINE_MUTEX(kslab_bench_mutex);
static struct kslab_bench_hold kslab_bench_holds[__KLAB_SLAB_IMPL_END];

/*
 * One timed run of @ops on this CPU: chunks of at most KSLAB_BENCH_CHUNK
 * objects, each with preemption off, a reschedule point between them.
 * *@ns is the sum of the chunks' times.  A fatal signal ends the run.
 */
static int kslab_bench_timed(const struct kslab_bench_ops *ops, void *cache,
			     void **p, u32 bulk, u32 loops, u64 *ns,
			     const bool *stop)
{
	u32 per_chunk = p ? max(KSLAB_BENCH_CHUNK / bulk, 1U) :
			    KSLAB_BENCH_CHUNK;
	u32 n;
	u64 t0;
	bool ok;

	*ns = 0;
	while (loops) {
		n = min(loops, per_chunk);
		preempt_disable();
		t0 = ktime_get_ns();
		ok = p ? ops->bulk(cache, p, bulk, n) : ops->pairs(cache, n);
		*ns += ktime_get_ns() - t0;
		preempt_enable();
		if (!ok)
			return -ENOMEM;
		loops -= n;
		cond_resched();
		if (fatal_signal_pending(current) || (stop && READ_ONCE(*stop)))
			return -EINTR;
	}
	return 0;
}

/*
 * Warm up (a tenth of the work, untimed), then measure; give up between
 * two chunks on a fatal signal or when *@stop (if any) is set
 */
static int kslab_bench_run(const struct kslab_bench_ops *ops, void *cache,
			   void **p, u32 bulk, u32 loops, u64 *ns,
			   const bool *stop)
{
	u64 warm;
	int err;

	err = kslab_bench_timed(ops, cache, p, bulk, max(loops / 10, 1U),
				&warm, stop);
	if (!err)
		err = kslab_bench_timed(ops, cache, p, bulk, loops, ns, stop);
	return err;
}

struct kslab_bench_cpu {
	const struct kslab_bench_ops *ops;
	void *cache;
	u32 loops;
	atomic_t *ready;
	/* set when the caller was killed: the workers end early */
	const bool *stop;
	struct completion done;
	u64 ns;
	int err;
};

static int kslab_bench_cpu_fn(void *arg)
{
	struct kslab_bench_cpu *b = arg;

	/* start together: the CPUs contend for nothing but shared state */
	atomic_dec(b->ready);
	while (atomic_read(b->ready))
		cpu_relax();
	b->err = kslab_bench_run(b->ops, b->cache, NULL, 1, b->loops, &b->ns,
				 b->stop);
	complete(&b->done);
	return 0;
}

/* Pairs on every online CPU at once */
static int kslab_bench_concurrent(const struct kslab_bench_ops *ops,
				  void *cache, u32 loops,
				  struct kslab_bench_result *res)
{
	struct kslab_bench_cpu *b;
	struct task_struct *t;
	bool stop = false;
	atomic_t ready;
	int cpu, n = 0, i, err = 0;

	cpus_read_lock();
	b = kcalloc(num_online_cpus(), sizeof(*b), GFP_KERNEL);
	if (!b) {
		cpus_read_unlock();
		return -ENOMEM;
	}
	atomic_set(&ready, num_online_cpus());
	for_each_online_cpu(cpu) {
		b[n] = (struct kslab_bench_cpu){
			.ops = ops, .cache = cache, .loops = loops,
			.ready = &ready, .stop = &stop,
		};
		init_completion(&b[n].done);
		t = kthread_create_on_cpu(kslab_bench_cpu_fn, &b[n], cpu,
					  "kslab_bench/%u");
		if (IS_ERR(t)) {
			/* nobody starts: those waiting give up the count */
			err = PTR_ERR(t);
			atomic_sub(num_online_cpus() - n, &ready);
			break;
		}
		wake_up_process(t);
		n++;
	}
	for (i = 0; i < n; i++) {
		/*
		 * Killable: a run can take minutes under slub_debug and
		 * emulation, and a task in an uninterruptible sleep that long
		 * is reported hung.  Once killed, the workers stop at their
		 * next chunk; they use b and the stack, so wait for them.
		 */
		if (wait_for_completion_killable(&b[i].done)) {
			WRITE_ONCE(stop, true);
			wait_for_completion(&b[i].done);
		}
		if (b[i].err)
			err = b[i].err;
		res->ns += b[i].ns;
		res->max_ns = max(res->max_ns, b[i].ns);
		res->ops += loops;
	}
	res->cpus = n;
	kfree(b);
	cpus_read_unlock();
	return err;
}

static int kslab_bench_hold(const struct kslab_bench_ops *ops, u32 impl,
			    u32 size, u32 n, struct kslab_bench_result *res,
			    enum kslab_why *why)
{
	struct kslab_bench_hold *h = &kslab_bench_holds[impl];
	u64 t0;

	if (h->cache) {
		*why = KSLAB_WHY_BENCH_HELD;
		return -EBUSY;
	}
	if (n > KSLAB_BENCH_MAX_WORK ||
	    (u64)n * size > KSLAB_BENCH_MAX_HOLD_BYTES) {
		*why = KSLAB_WHY_BENCH_HOLD_MAX;
		return -EINVAL;
	}
	snprintf(h->name, sizeof(h->name), "%s_hold_%u",
		 impl == KLAB_SLAB_IMPL_SLABCACHE ? "kslab" : "klab_slub",
		 size);
	h->objs = kvmalloc_array(n, sizeof(*h->objs), GFP_KERNEL);
	if (!h->objs)
		return -ENOMEM;
	h->cache = ops->create(h->name, size);
	if (!h->cache)
		goto err_free_objs;
	t0 = ktime_get_ns();
	if (!ops->hold(h->cache, h->objs, n))
		goto err_destroy;
	res->ns = ktime_get_ns() - t0;
	res->ops = n;
	h->n = n;
	strscpy(res->name, h->name, sizeof(res->name));
	return 0;

err_destroy:
	ops->destroy(h->cache);
	h->cache = NULL;
err_free_objs:
	kvfree(h->objs);
	h->objs = NULL;
	return -ENOMEM;
}

static void kslab_bench_release(const struct kslab_bench_ops *ops, u32 impl)
{
	struct kslab_bench_hold *h = &kslab_bench_holds[impl];

	if (!h->cache)
		return;
	ops->release(h->cache, h->objs, h->n);
	ops->destroy(h->cache);
	kvfree(h->objs);
	memset(h, 0, sizeof(*h));
}

/**
 * kslab_bench() - measure one allocator
 * @impl: enum klab_slab_impl
 * @test: enum klab_slab_bench
 * @size: object size
 * @bulk: objects per bulk call (KLAB_SLAB_BENCH_BULK)
 * @loops: pairs or bulk calls per CPU, or objects to hold
 * @res: the time and the operations counted
 * @why: set to a message for the extended ack on error
 *
 * Return: 0, -EINVAL, -EBUSY, -ENOMEM, or -EINTR on a fatal signal.
 */
int kslab_bench(u32 impl, u32 test, u32 size, u32 bulk, u32 loops,
		struct kslab_bench_result *res, enum kslab_why *why)
{
	const struct kslab_bench_ops *ops = kslab_bench_impls[impl];
	char name[KSLAB_NAME_LEN];
	void **p = NULL;
	void *cache;
	int err;

	if ((u64)loops * (test == KLAB_SLAB_BENCH_BULK ? bulk : 1) >
	    KSLAB_BENCH_MAX_WORK && test != KLAB_SLAB_BENCH_HOLD) {
		*why = KSLAB_WHY_BENCH_TOO_MUCH;
		return -EINVAL;
	}
	/* another caller's run may take minutes (see above) */
	if (mutex_lock_killable(&kslab_bench_mutex))
		return -EINTR;
	if (test == KLAB_SLAB_BENCH_HOLD) {
		err = kslab_bench_hold(ops, impl, size, loops, res, why);
		goto out_unlock;
	}
	if (test == KLAB_SLAB_BENCH_RELEASE) {
		kslab_bench_release(ops, impl);
		err = 0;
		goto out_unlock;
	}

	err = -ENOMEM;
	snprintf(name, sizeof(name), "%s_bench_%u",
		 impl == KLAB_SLAB_IMPL_SLABCACHE ? "kslab" : "klab_slub", size);
	cache = ops->create(name, size);
	if (!cache)
		goto out_unlock;
	if (test == KLAB_SLAB_BENCH_BULK) {
		p = kcalloc(bulk, sizeof(*p), GFP_KERNEL);
		if (!p)
			goto out_destroy;
	}
	if (test == KLAB_SLAB_BENCH_CONCURRENT) {
		err = kslab_bench_concurrent(ops, cache, loops, res);
	} else {
		err = kslab_bench_run(ops, cache, p, bulk, loops, &res->ns,
				      NULL);
		res->max_ns = res->ns;
		res->ops = (u64)loops * (p ? bulk : 1);
		res->cpus = 1;
	}
	kfree(p);
out_destroy:
	ops->destroy(cache);
out_unlock:
	mutex_unlock(&kslab_bench_mutex);
	return err;
}

/**
 * kslab_bench_exit() - release whatever is still held
 */
void kslab_bench_exit(void)
{
	u32 impl;

	mutex_lock(&kslab_bench_mutex);
	for (impl = 0; impl < __KLAB_SLAB_IMPL_END; impl++)
		kslab_bench_release(kslab_bench_impls[impl], impl);
	mutex_unlock(&kslab_bench_mutex);
}
