/* SPDX-License-Identifier: GPL-2.0 */
/* slabcache: a slab allocator with per-CPU magazines and a depot */
#ifndef _SLABCACHE_H
#define _SLABCACHE_H

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <klab/slab.h>
#include <klab/slabcache.h>

#include "../common/klab_nl.h"
#include "../core/kslab_layout.h"
#include "../core/kslab_mag.h"

/*
 * The state word of a debug cache's object: what the object is as far as
 * its cache knows.  Changed only under the cache's debug_lock.
 */
#define KSLAB_STATE_FREE	0xf4eef4eeU
#define KSLAB_STATE_ALLOC	0xa110ca7eU
#define KSLAB_STATE_QUARANTINE	0x9a4a471eU

/* Most full magazines a depot may be told to keep */
#define KSLAB_DEPOT_MAX		1024

/* An owner record of a debug cache (KSLAB_STORE_USER) */
struct kslab_track {
	unsigned long addr;	/* caller of kslab_alloc() or kslab_free() */
	unsigned long when;	/* jiffies */
	int cpu;
	int pid;
};

/*
 * The slab lists of one NUMA node.  A slab is on exactly one of them,
 * chosen by how many of its objects are in use.
 */
struct kslab_node {
	spinlock_t lock;		/* the lists and the slabs on them; irqs off */
	struct list_head partial;
	struct list_head full;
	struct list_head free;
	unsigned long nr_partial;
	unsigned long nr_full;
	unsigned long nr_free;
};

/**
 * struct kslab_cache - a cache of objects of one size
 * @cpu: each CPU's magazines and hit/miss counters
 * @flags: KSLAB_* flags of kslab_cache_create()
 * @object_size: bytes a client may use
 * @init_on_free: zero objects as they are freed (init_on_free=1)
 * @wipe_link: clear the free link of objects leaving a slab (init_on_free
 *	with the link inside the object)
 * @ctor: constructor, run once per object when its slab is created
 * @layout: geometry of the objects and slabs
 * @secret: XORed into the free links
 * @colour_seq: slabs created so far; the next slab's colour follows
 * @node: slab lists per NUMA node
 * @mc: the magazine layer's depot
 * @debug_lock: serialises the checks of debug caches with validation
 * @free_limit: free slabs the reaper leaves on each node
 * @name: the cache's name
 * @list: in kslab_caches
 * @kobj: /sys/kernel/slabcache/<name>; its release frees the cache
 * @test: created by klabctl (KLAB_SLAB_CMD_CREATE)
 * @dead: destroyed with objects still allocated; kept for their frees
 * @busy: a test cache the workload runs on: not to be destroyed
 * @held: a test cache's objects allocated for klabctl
 * @nr_held: how many
 * @pages: pages of the cache's slabs
 * @slabs_created: slabs allocated so far
 * @slabs_freed: slabs given back so far
 * @constructed: constructor calls
 * @reaped_pages: pages the reaper gave back
 * @corrupt_redzone: red zones found overwritten
 * @corrupt_poison: writes into free objects found by their poison
 * @corrupt_freelist: free links found pointing outside their slab
 * @double_free: frees of free objects
 * @invalid_free: frees of pointers that are not objects of the cache
 * @quarantined: objects taken out of circulation for good
 * @dropped: those of them that had been counted as allocated (the
 *	debug checks drop them on their way in or out)
 * @lost: those of them lost with a corrupt free list (never allocated)
 * @ignored: frees counted by the magazine layer that gave nothing back
 *	(double frees caught on their way to a slab)
 * @nested_alloc: objects allocated by interrupts that found their CPU's
 *	magazines in use by the context they interrupted (from the slabs)
 * @nested_free: objects such interrupts freed (to the slabs)
 */
struct kslab_cache {
	struct kslab_cc __percpu *cpu;
	unsigned int flags;
	unsigned int object_size;
	bool init_on_free;
	bool wipe_link;
	void (*ctor)(void *obj);
	struct kslab_layout layout;
	unsigned long secret;
	atomic_t colour_seq;
	struct kslab_node **node;

	struct kslab_mc mc ____cacheline_aligned_in_smp;

	/* serialises debug checks with validation; irqs off */
	spinlock_t debug_lock;
	unsigned long free_limit;
	char name[KSLAB_NAME_LEN];
	struct list_head list;
	struct kobject kobj;
	bool test;
	bool dead;
	bool busy;
	void **held;
	u32 nr_held;

	atomic_long_t pages;
	atomic_long_t slabs_created;
	atomic_long_t slabs_freed;
	atomic_long_t constructed;
	atomic_long_t reaped_pages;
	atomic_long_t corrupt_redzone;
	atomic_long_t corrupt_poison;
	atomic_long_t corrupt_freelist;
	atomic_long_t double_free;
	atomic_long_t invalid_free;
	atomic_long_t quarantined;
	atomic_long_t dropped;
	atomic_long_t lost;
	atomic_long_t ignored;
	atomic_long_t nested_alloc;
	atomic_long_t nested_free;
};

/* A snapshot of a cache's counters (kslab_cache_stats()) */
struct kslab_stats {
	unsigned long slabs_full;
	unsigned long slabs_partial;
	unsigned long slabs_free;
	unsigned long active_objs;
	unsigned long total_objs;
	unsigned long cached_objs;
	unsigned long depot_rounds;
	unsigned int depot_full;
	unsigned int depot_empty;
	unsigned int magsize;
	unsigned int depot_limit;
	unsigned long alloc_hit;
	unsigned long alloc_miss;
	unsigned long free_hit;
	unsigned long free_miss;
};

/* Why a request was refused: netlink.c turns it into an extack message */
enum kslab_why {
	KSLAB_WHY_NONE,
	KSLAB_WHY_BENCH_HELD,
	KSLAB_WHY_BENCH_HOLD_MAX,
	KSLAB_WHY_BENCH_TOO_MUCH,
	KSLAB_WHY_RUN_TOO_LONG,
	KSLAB_WHY_RUN_SMALL,
	KSLAB_WHY_RUN_CTOR,
	KSLAB_WHY_SIZE_TOO_BIG,
	KSLAB_WHY_RUN_BUSY,
	KSLAB_WHY_TOO_MANY_CACHES,
	KSLAB_WHY_CTOR_SMALL,
	KSLAB_WHY_EXISTS,
	KSLAB_WHY_BAD_CACHE,
	KSLAB_WHY_TUNE_RANGE,
	KSLAB_WHY_NEEDS_RED_ZONE,
	KSLAB_WHY_NEEDS_POISON,
	KSLAB_WHY_NEEDS_DEBUG,
	KSLAB_WHY_NEEDS_PLAIN,
	KSLAB_WHY_BUGS_OFF,
	KSLAB_WHY_UNKNOWN_BUG,
};

/* cache.c: the cache list, creation, destruction, tuning */
extern struct mutex kslab_mutex;
extern struct list_head kslab_caches;
extern atomic_long_t kslab_nr_pages;
extern atomic_long_t kslab_leaked_pages;
extern atomic_long_t kslab_nr_mag_bytes;
extern unsigned int kslab_max_order;
void kslab_cache_free(struct kslab_cache *s);
struct kslab_cache *kslab_cache_find(const char *name);
int kslab_cache_name_check(const char *name);
int kslab_cache_tune(struct kslab_cache *s, unsigned int magsize,
		     unsigned int limit);
void kslab_cache_stats(struct kslab_cache *s, struct kslab_stats *st);
struct kslab_cache *kslab_test_cache_create(const char *name,
					    unsigned int size,
					    unsigned int align,
					    unsigned int flags,
					    void (*ctor)(void *));
int kslab_caches_init(void);
void kslab_caches_exit(void);

/* slab.c: slabs of pages and their lists */
int kslab_nodes_init(struct kslab_cache *s);
void kslab_nodes_free(struct kslab_cache *s);
int kslab_slab_grow(struct kslab_cache *s, gfp_t gfp, int nid);
u32 kslab_slab_refill(void *ctx, void **objs, u32 n);
void kslab_slab_flush(void *ctx, void **objs, u32 n);
unsigned long kslab_slab_trim(struct kslab_cache *s, unsigned long keep);
unsigned long kslab_slab_release_all(struct kslab_cache *s,
				     unsigned long *inuse);
void kslab_slab_discard(struct kslab_cache *s);
struct page *kslab_obj_page(const struct kslab_cache *s, const void *obj);
void kslab_slab_state(struct page *page, struct kslab_slab_state *st);
void *kslab_slab_base(struct page *page);

/* alloc.c: the allocation and free paths */
void *kslab_alloc_objs(struct kslab_cache *s, gfp_t gfp);
void kslab_free_objs(struct kslab_cache *s, void *obj);
void kslab_drain_cpus(struct kslab_cache *s);
void kslab_drain_cpu(struct kslab_cache *s, int cpu);
void kslab_depot_reap(struct kslab_cache *s);
void kslab_depot_purge(struct kslab_cache *s);
struct kslab_mag *kslab_mag_alloc(void *ctx, u32 size);
void kslab_mag_free(void *ctx, struct kslab_mag *m);
extern const struct kslab_mc_ops kslab_mc_ops;

/* debug.c: red zones, poison, owners, validation, reports */
void kslab_debug_init_obj(struct kslab_cache *s, void *obj);
void *kslab_debug_alloc(struct kslab_cache *s, gfp_t gfp,
			unsigned long caller);
void kslab_debug_free(struct kslab_cache *s, void *obj, unsigned long caller);
void kslab_report_double_free(struct kslab_cache *s, void *obj,
			      bool counted);
void kslab_report_freelist(struct kslab_cache *s, struct page *page,
			   u32 lost);
int kslab_validate(struct kslab_cache *s, unsigned long *checked,
		   unsigned long *errors);

/* reclaim.c: the shrinker, the reaper, CPU hotplug */
extern unsigned int kslab_reap_interval_ms;
int kslab_reclaim_init(void);
void kslab_reclaim_exit(void);

/* sysfs.c: /sys/kernel/slabcache/<cache>/ */
int kslab_sysfs_init(void);
void kslab_sysfs_exit(void);
void kslab_sysfs_init_cache(struct kslab_cache *s);
int kslab_sysfs_add(struct kslab_cache *s);
void kslab_sysfs_del(struct kslab_cache *s);
void kslab_sysfs_put(struct kslab_cache *s);

/* proc.c: /proc/slabcacheinfo */
int kslab_proc_init(void);
void kslab_proc_exit(void);

/* test.c: caches created by klabctl, held objects, planted bugs */
extern unsigned int kslab_max_test_caches;
extern unsigned int kslab_max_object_size;
extern unsigned int kslab_max_held;
extern bool kslab_test_bugs;
extern atomic_long_t kslab_test_ctor_calls;
extern struct mutex kslab_test_mutex;

/* What KLAB_SLAB_CMD_CREATE asks for */
struct kslab_test_req {
	const char *name;
	u32 size;
	u32 align;
	u32 flags;
	u32 magsize;
	u32 limit;
	bool set_magsize;
	bool set_limit;
};

/* What KLAB_SLAB_CMD_ALLOC found in the objects it allocated */
struct kslab_test_alloc {
	u32 nonzero;
	u32 ctor_bad;
	u32 nr_offsets;
	u32 offsets[KLAB_SLAB_OFFSETS_MAX];
};

void kslab_test_ctor(void *obj);
struct kslab_cache *kslab_test_get(const char *name);
struct kslab_cache *kslab_test_create(const struct kslab_test_req *req,
				      enum kslab_why *why);
unsigned long kslab_test_destroy(struct kslab_cache *s);
int kslab_test_alloc(struct kslab_cache *s, u32 count, gfp_t gfp,
		     struct kslab_test_alloc *res);
void kslab_test_free(struct kslab_cache *s, u32 count);
int kslab_test_bug(struct kslab_cache *s, u32 bug, enum kslab_why *why);
void kslab_test_exit(void);

/* run.c: the in-kernel workload */
struct kslab_run_status {
	bool running;
	u32 threads;
	u32 ms;
	u64 elapsed_ns;
	u64 allocs;
	u64 frees;
	u64 irq_ops;
	u64 remote_frees;
	u64 enomem;
	u64 errors;
	u64 leaked;
};

int kslab_run_start(struct kslab_cache *s, unsigned int size,
		    unsigned int flags, unsigned int threads,
		    unsigned int ms, enum kslab_why *why);
void kslab_run_stop(void);
void kslab_run_status(struct kslab_run_status *st);
void kslab_run_exit(void);

/* bench.c: slabcache against kmem_cache */
/*
 * Most objects one timed benchmark run may touch, and most a hold keeps:
 * seconds under TCG, not minutes (bench/slab.sh's runs are 200,000).  SLUB
 * with slub_debug (the test VM's boot) took 34 to 60 us an alloc+free pair
 * under TCG on a loaded host: 10^7 pairs ran 338 s and 500,000 pairs 30 s,
 * at the generic netlink fuzzer's reply deadline; this bound's take 13 s.
 */
#define KSLAB_BENCH_MAX_WORK	200000U

struct kslab_bench_result {
	u64 ns;
	u64 ops;
	u64 max_ns;
	u32 cpus;
	char name[KSLAB_NAME_LEN];
};

int kslab_bench(u32 impl, u32 test, u32 size, u32 bulk, u32 loops,
		struct kslab_bench_result *res, enum kslab_why *why);
void kslab_bench_exit(void);

/* mm.c: the observer of the kernel's memory management */
extern const struct nla_policy kslab_mm_walk_policy[KLAB_SLAB_A_MAX + 1];
int kslab_mm_zones_doit(struct sk_buff *skb, struct genl_info *info);
int kslab_mm_buddy_doit(struct sk_buff *skb, struct genl_info *info);
int kslab_mm_walk_doit(struct sk_buff *skb, struct genl_info *info);

/* netlink.c */
int kslab_nl_init(void);
void kslab_nl_exit(void);

/* Does this cache check its objects (any debug flag)? */
static inline bool kslab_debug(const struct kslab_cache *s)
{
	return s->flags & KSLAB_DEBUG;
}

/* slab_want_init_on_alloc() of mm/slab.h, for a cache of ours */
static __always_inline bool kslab_init_on_alloc(const struct kslab_cache *s,
						gfp_t gfp)
{
	if (static_branch_maybe(CONFIG_INIT_ON_ALLOC_DEFAULT_ON,
				&init_on_alloc)) {
		if (s->ctor)
			return false;
		if (s->flags & KSLAB_POISON)
			return gfp & __GFP_ZERO;
		return true;
	}
	return gfp & __GFP_ZERO;
}

static inline struct kslab_track *kslab_tracks(const struct kslab_cache *s,
					       void *obj)
{
	return (struct kslab_track *)((char *)obj + s->layout.track);
}

static inline u32 *kslab_state(const struct kslab_cache *s, void *obj)
{
	return (u32 *)((char *)obj + s->layout.state);
}

#endif /* _SLABCACHE_H */
