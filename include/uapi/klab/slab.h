/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* slabcache: a slab allocator (generic netlink family klab_slab) */
#ifndef _UAPI_KLAB_SLAB_H
#define _UAPI_KLAB_SLAB_H

#include <klab/klab.h>

#define KLAB_SLAB_FAMILY_NAME	"klab_slab"
#define KLAB_SLAB_FAMILY_VERSION	1

/* Longest cache name, with its NUL */
#define KLAB_SLAB_NAME_LEN	32

/* Cache flags (KLAB_SLAB_A_FLAGS), chosen at creation */
#define KLAB_SLAB_F_RED_ZONE	0x01	/* red zones around every object */
#define KLAB_SLAB_F_POISON	0x02	/* poison free objects, check on alloc */
#define KLAB_SLAB_F_STORE_USER	0x04	/* record who allocated and freed */
#define KLAB_SLAB_F_HWCACHE_ALIGN	0x08	/* align objects to cache lines */
#define KLAB_SLAB_F_CTOR	0x10	/* test caches: the test constructor */
#define KLAB_SLAB_F_DEBUG	(KLAB_SLAB_F_RED_ZONE | KLAB_SLAB_F_POISON | \
				 KLAB_SLAB_F_STORE_USER)
#define KLAB_SLAB_F_ALL		0x1f

/* Bugs KLAB_SLAB_CMD_BUG plants (module parameter test_bugs=1) */
enum klab_slab_bug {
	KLAB_SLAB_BUG_REDZONE_RIGHT,	/* write one byte past an object */
	KLAB_SLAB_BUG_REDZONE_LEFT,	/* write one byte before an object */
	KLAB_SLAB_BUG_USE_AFTER_FREE,	/* write into a freed object */
	KLAB_SLAB_BUG_DOUBLE_FREE,	/* free an object twice */
	KLAB_SLAB_BUG_FOREIGN_FREE,	/* free a kmalloc()ed pointer */
	KLAB_SLAB_BUG_INTERIOR_FREE,	/* free a pointer inside an object */
	KLAB_SLAB_BUG_FREELIST,		/* overwrite the free link of a free object */
	__KLAB_SLAB_BUG_END,
};

/* The allocators KLAB_SLAB_CMD_BENCH measures */
enum klab_slab_impl {
	KLAB_SLAB_IMPL_SLABCACHE,	/* this module */
	KLAB_SLAB_IMPL_KMEM_CACHE,	/* the kernel's kmem_cache (SLUB) */
	__KLAB_SLAB_IMPL_END,
};

/* What KLAB_SLAB_CMD_BENCH measures */
enum klab_slab_bench {
	KLAB_SLAB_BENCH_PAIR,		/* alloc+free pairs, one CPU */
	KLAB_SLAB_BENCH_BULK,		/* bulk alloc then bulk free */
	KLAB_SLAB_BENCH_CONCURRENT,	/* pairs on every online CPU at once */
	KLAB_SLAB_BENCH_HOLD,		/* allocate KLAB_SLAB_A_BENCH_LOOPS objects
					 * in a cache of their own and keep them
					 */
	KLAB_SLAB_BENCH_RELEASE,	/* free them and destroy that cache */
	__KLAB_SLAB_BENCH_END,
};

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum klab_slab_cmd {
	/* Dump every cache (one KLAB_SLAB_A_CACHE nest per message) */
	KLAB_SLAB_CMD_LIST = KLAB_CMD_MODULE_FIRST,
	/* One cache by KLAB_SLAB_A_NAME, with its per-CPU counters */
	KLAB_SLAB_CMD_GET,
	/* Admin: create a test cache: NAME, OBJECT_SIZE, optional ALIGN,
	 * FLAGS, MAG_SIZE, DEPOT_LIMIT; replies like GET
	 */
	KLAB_SLAB_CMD_CREATE,
	/* Admin: destroy a test cache (NAME); replies with LEAKED */
	KLAB_SLAB_CMD_DESTROY,
	/* Admin: give back free slabs and magazines of NAME (or of every
	 * cache); replies with PAGES_FREED
	 */
	KLAB_SLAB_CMD_SHRINK,
	/* Admin: check every object of NAME; replies with CHECKED, ERRORS */
	KLAB_SLAB_CMD_VALIDATE,
	/* Admin: allocate COUNT objects of a test cache and hold them;
	 * GFP_ATOMIC and GFP_ZERO flags; replies with HELD, NONZERO,
	 * CTOR_BAD and, for up to KLAB_SLAB_OFFSETS_MAX objects, OFFSETS
	 */
	KLAB_SLAB_CMD_ALLOC,
	/* Admin: free COUNT held objects (the last allocated first) */
	KLAB_SLAB_CMD_FREE,
	/* Admin, module parameter test_bugs=1: plant BUG on test cache NAME */
	KLAB_SLAB_CMD_BUG,
	/* Admin: start the workload: RUN_THREADS kthreads for RUN_MS on a
	 * cache of OBJECT_SIZE (and FLAGS) of its own, or on test cache NAME
	 */
	KLAB_SLAB_CMD_RUN,
	/* The workload's progress and result */
	KLAB_SLAB_CMD_RUN_STATUS,
	/* Admin: stop the workload early */
	KLAB_SLAB_CMD_RUN_STOP,
	/* Admin: measure: BENCH_IMPL, BENCH_TEST, OBJECT_SIZE, BENCH_BULK,
	 * BENCH_LOOPS; replies with BENCH_NS and BENCH_OPS (and NAME for
	 * HOLD)
	 */
	KLAB_SLAB_CMD_BENCH,
	/* The memory-management observer (klabctl slab mm): every populated
	 * zone, one MM_ZONE nest each (watermarks, page counts, free blocks)
	 */
	KLAB_SLAB_CMD_MM_ZONES,
	/* Admin: allocate a block of every order, then split one 512-page
	 * block into 128 + 128 + 256 pages and free them; replies with
	 * MM_MAX_ORDER, an MM_BLOCK nest per order and the MM_SPLIT_* results
	 */
	KLAB_SLAB_CMD_MM_BUDDY,
	/* Admin: walk the caller's page tables for MM_ADDR; replies with the
	 * index at each level, MM_LEVELS and MM_PFN
	 */
	KLAB_SLAB_CMD_MM_WALK,

	__KLAB_SLAB_CMD_END,
};

/* Up to this many object offsets come back from KLAB_SLAB_CMD_ALLOC */
#define KLAB_SLAB_OFFSETS_MAX	1024

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum klab_slab_attr {
	KLAB_SLAB_A_CACHE = KLAB_A_MODULE_FIRST,	/* nest: one cache */
	KLAB_SLAB_A_NAME,		/* string */
	KLAB_SLAB_A_OBJECT_SIZE,	/* u32: bytes a client may use */
	KLAB_SLAB_A_ALIGN,		/* u32 */
	KLAB_SLAB_A_FLAGS,		/* u32: KLAB_SLAB_F_* */
	KLAB_SLAB_A_STRIDE,		/* u32: bytes from object to object */
	KLAB_SLAB_A_ORDER,		/* u32: a slab is 2^order pages */
	KLAB_SLAB_A_OBJS_PER_SLAB,	/* u32 */
	KLAB_SLAB_A_COLOUR_STEP,	/* u32: bytes between colours */
	KLAB_SLAB_A_COLOURS,		/* u32: distinct colour offsets */
	KLAB_SLAB_A_SLABS_FULL,		/* u64 */
	KLAB_SLAB_A_SLABS_PARTIAL,	/* u64 */
	KLAB_SLAB_A_SLABS_FREE,		/* u64 */
	KLAB_SLAB_A_ACTIVE_OBJS,	/* u64: objects clients hold */
	KLAB_SLAB_A_TOTAL_OBJS,		/* u64: objects in all slabs */
	KLAB_SLAB_A_CACHED_OBJS,	/* u64: objects in magazines */
	KLAB_SLAB_A_PAGES,		/* u64: pages of the cache's slabs */
	KLAB_SLAB_A_MAG_SIZE,		/* u32: rounds per magazine */
	KLAB_SLAB_A_DEPOT_LIMIT,	/* u32: most full magazines kept */
	KLAB_SLAB_A_DEPOT_FULL,		/* u32 */
	KLAB_SLAB_A_DEPOT_EMPTY,	/* u32 */
	KLAB_SLAB_A_FREE_LIMIT,		/* u32: free slabs the reaper keeps */
	KLAB_SLAB_A_ALLOC_HIT,		/* u64 */
	KLAB_SLAB_A_ALLOC_MISS,		/* u64 */
	KLAB_SLAB_A_FREE_HIT,		/* u64 */
	KLAB_SLAB_A_FREE_MISS,		/* u64 */
	KLAB_SLAB_A_CPUS,		/* nest of KLAB_SLAB_A_CPU */
	KLAB_SLAB_A_CPU,		/* nest: CPU_ID, the four counters,
					 * CACHED_OBJS
					 */
	KLAB_SLAB_A_CPU_ID,		/* u32 */
	KLAB_SLAB_A_CORRUPT_REDZONE,	/* u64: red zones found overwritten */
	KLAB_SLAB_A_CORRUPT_POISON,	/* u64: writes after free found */
	KLAB_SLAB_A_CORRUPT_FREELIST,	/* u64: bad free links found */
	KLAB_SLAB_A_DOUBLE_FREE,	/* u64 */
	KLAB_SLAB_A_INVALID_FREE,	/* u64: pointers not from the cache */
	KLAB_SLAB_A_QUARANTINED,	/* u64: objects never handed out again */
	KLAB_SLAB_A_SLABS_CREATED,	/* u64 */
	KLAB_SLAB_A_SLABS_FREED,	/* u64 */
	KLAB_SLAB_A_CONSTRUCTED,	/* u64: constructor calls */
	KLAB_SLAB_A_REAPED_PAGES,	/* u64: pages the reaper gave back */
	KLAB_SLAB_A_TEST,		/* u8: a test cache (klabctl create) */
	KLAB_SLAB_A_COUNT,		/* u32: objects to allocate or free */
	KLAB_SLAB_A_GFP_ATOMIC,		/* flag: allocate with GFP_ATOMIC */
	KLAB_SLAB_A_GFP_ZERO,		/* flag: allocate with __GFP_ZERO */
	KLAB_SLAB_A_HELD,		/* u32: objects a test cache holds */
	KLAB_SLAB_A_NONZERO,		/* u32: objects not all zero */
	KLAB_SLAB_A_CTOR_BAD,		/* u32: objects not as constructed */
	KLAB_SLAB_A_OFFSETS,		/* binary: u32 offsets in their slabs */
	KLAB_SLAB_A_LEAKED,		/* u64: objects live at destroy */
	KLAB_SLAB_A_PAGES_FREED,	/* u64 */
	KLAB_SLAB_A_CHECKED,		/* u64: objects validated */
	KLAB_SLAB_A_ERRORS,		/* u64: problems found */
	KLAB_SLAB_A_BUG,		/* u32: enum klab_slab_bug */
	KLAB_SLAB_A_RUN_THREADS,	/* u32 */
	KLAB_SLAB_A_RUN_MS,		/* u32: how long the workload runs */
	KLAB_SLAB_A_RUN_RUNNING,	/* u8 */
	KLAB_SLAB_A_RUN_ELAPSED_NS,	/* u64 */
	KLAB_SLAB_A_RUN_ALLOCS,		/* u64 */
	KLAB_SLAB_A_RUN_FREES,		/* u64 */
	KLAB_SLAB_A_RUN_IRQ_OPS,	/* u64: allocs and frees in hard irqs */
	KLAB_SLAB_A_RUN_REMOTE_FREES,	/* u64: freed by another thread */
	KLAB_SLAB_A_RUN_ENOMEM,		/* u64: failed allocations */
	KLAB_SLAB_A_BENCH_IMPL,		/* u32: enum klab_slab_impl */
	KLAB_SLAB_A_BENCH_TEST,		/* u32: enum klab_slab_bench */
	KLAB_SLAB_A_BENCH_BULK,		/* u32: objects per bulk call */
	KLAB_SLAB_A_BENCH_LOOPS,	/* u32 */
	KLAB_SLAB_A_BENCH_NS,		/* u64: time measured */
	KLAB_SLAB_A_BENCH_OPS,		/* u64: pairs or objects measured */
	KLAB_SLAB_A_BENCH_CPUS,		/* u32: CPUs that ran */
	KLAB_SLAB_A_BENCH_MAX_NS,	/* u64: slowest CPU */
	/* INFO */
	KLAB_SLAB_A_TOTAL_PAGES,	/* u64: pages of every cache's slabs */
	KLAB_SLAB_A_LEAKED_PAGES,	/* u64: pages left to leaked objects */
	KLAB_SLAB_A_NR_CACHES,		/* u32 */
	KLAB_SLAB_A_INIT_ON_ALLOC,	/* u8: the kernel's init_on_alloc */
	KLAB_SLAB_A_INIT_ON_FREE,	/* u8: the kernel's init_on_free */
	KLAB_SLAB_A_CTOR_CALLS,		/* u64: calls of the test constructor */
	KLAB_SLAB_A_MAG_BYTES,		/* u64: bytes of magazines */
	/* MM_ZONES */
	KLAB_SLAB_A_MM_ZONE,		/* nest: one zone */
	KLAB_SLAB_A_MM_NODE,		/* u32 */
	KLAB_SLAB_A_MM_ZONE_NAME,	/* string: DMA, DMA32, Normal, ... */
	KLAB_SLAB_A_MM_WMARK_MIN,	/* u64: pages, as /proc/zoneinfo's min */
	KLAB_SLAB_A_MM_WMARK_LOW,	/* u64 */
	KLAB_SLAB_A_MM_WMARK_HIGH,	/* u64 */
	KLAB_SLAB_A_MM_WMARK_BOOST,	/* u64: added to all three while set */
	KLAB_SLAB_A_MM_SPANNED,		/* u64: pages from first to last pfn */
	KLAB_SLAB_A_MM_PRESENT,		/* u64: pages that exist */
	KLAB_SLAB_A_MM_MANAGED,		/* u64: pages the buddy allocator has */
	KLAB_SLAB_A_MM_NR_FREE,		/* binary: u64 free blocks per order */
	/* MM_BUDDY */
	KLAB_SLAB_A_MM_MAX_ORDER,	/* u32: orders 0 .. MAX_ORDER - 1 */
	KLAB_SLAB_A_MM_BLOCK,		/* nest: ORDER, MM_PFN of one block */
	KLAB_SLAB_A_MM_PFN,		/* u64 */
	KLAB_SLAB_A_MM_DRAINED,		/* u32: free 128- and 256-page blocks
					 * held so that a 512-page block splits
					 */
	KLAB_SLAB_A_MM_SPLIT_PFNS,	/* binary: u64 pfns of the 128, 128 and
					 * 256 pages blocks, in allocation order
					 */
	KLAB_SLAB_A_MM_SPLIT_BEFORE,	/* binary: NR_FREE of their zone before */
	KLAB_SLAB_A_MM_SPLIT_AFTER,	/* binary: ... after the first block */
	KLAB_SLAB_A_MM_MERGED,		/* binary: ... once all three are freed */
	KLAB_SLAB_A_MM_MERGED_ORDER,	/* u32: order of the free block that
					 * starts at the first pfn once freed;
					 * MAX_ORDER when it is not free
					 */
	/* MM_WALK */
	KLAB_SLAB_A_MM_ADDR,		/* u64: a user address of the caller */
	KLAB_SLAB_A_MM_LEVELS,		/* u32: 4 or 5 */
	KLAB_SLAB_A_MM_PGD,		/* u32: index in each level's table */
	KLAB_SLAB_A_MM_P4D,		/* u32 */
	KLAB_SLAB_A_MM_PUD,		/* u32 */
	KLAB_SLAB_A_MM_PMD,		/* u32 */
	KLAB_SLAB_A_MM_PTE,		/* u32 */
	KLAB_SLAB_A_MM_PAGE_SHIFT,	/* u32 */

	__KLAB_SLAB_A_END,
};

#define KLAB_SLAB_A_MAX	(__KLAB_SLAB_A_END - 1)

#endif /* _UAPI_KLAB_SLAB_H */
