// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: giving memory back.
 *
 * The reaper is SLAB's cache_reap(), which 6.1 no longer has (SLUB has
 * no reaper): a delayed work that runs every reap_interval_ms (2 s by
 * default, as SLAB's REAPTIMEOUT_AC), gives back the depot magazines
 * outside each cache's working set (Bonwick and Adams) and then the free
 * slabs above the cache's free_limit.
 *
 * The shrinker answers memory pressure and `echo 2 >
 * /proc/sys/vm/drop_caches`: depots and free slabs first, then every
 * CPU's magazines, until nothing is left.
 *
 * A CPU that goes down leaves its magazines behind: the hotplug callback
 * empties them once the CPU is dead.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/moduleparam.h>
#include <linux/shrinker.h>
#include <linux/workqueue.h>

#include "slabcache.h"

unsigned int kslab_reap_interval_ms = 2000;
module_param_named(reap_interval_ms, kslab_reap_interval_ms, uint, 0644);
MODULE_PARM_DESC(reap_interval_ms,
		 "Milliseconds between reaper runs, at least 100 (default: 2000)");

static void kslab_reap_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(kslab_reap_work, kslab_reap_fn);
static enum cpuhp_state kslab_cpuhp_state;

static void kslab_reap_schedule(void)
{
	unsigned int ms = max(READ_ONCE(kslab_reap_interval_ms), 100U);

	queue_delayed_work(system_power_efficient_wq, &kslab_reap_work,
			   round_jiffies_relative(msecs_to_jiffies(ms)));
}

static void kslab_reap_fn(struct work_struct *work)
{
	struct kslab_cache *s;
	unsigned long pages;

	mutex_lock(&kslab_mutex);
	list_for_each_entry(s, &kslab_caches, list) {
		kslab_depot_reap(s);
		pages = kslab_slab_trim(s, READ_ONCE(s->free_limit));
		atomic_long_add(pages, &s->reaped_pages);
	}
	mutex_unlock(&kslab_mutex);
	kslab_reap_schedule();
}

/* Objects the shrinker could free in @s */
static unsigned long kslab_freeable(struct kslab_cache *s)
{
	struct kslab_stats st;

	kslab_cache_stats(s, &st);
	return st.slabs_free * s->layout.objects + st.cached_objs;
}

static unsigned long kslab_shrink_count(struct shrinker *shrink,
					struct shrink_control *sc)
{
	unsigned long n = 0;
	struct kslab_cache *s;

	/* creating a cache allocates under the mutex: never wait for it */
	if (!mutex_trylock(&kslab_mutex))
		return 0;
	list_for_each_entry(s, &kslab_caches, list)
		n += kslab_freeable(s);
	mutex_unlock(&kslab_mutex);
	return n ? n : SHRINK_EMPTY;
}

static unsigned long kslab_shrink_pass(unsigned long want, bool cpus)
{
	unsigned long freed = 0, pages;
	struct kslab_cache *s;

	/* newest first: the magazine caches, oldest, gain from the others */
	list_for_each_entry(s, &kslab_caches, list) {
		if (freed >= want)
			break;
		if (cpus)
			kslab_drain_cpus(s);
		kslab_depot_purge(s);
		pages = kslab_slab_trim(s, 0);
		freed += (pages >> s->layout.order) * s->layout.objects;
	}
	return freed;
}

static unsigned long kslab_shrink_scan(struct shrinker *shrink,
				       struct shrink_control *sc)
{
	unsigned long freed;

	if (!mutex_trylock(&kslab_mutex))
		return SHRINK_STOP;
	freed = kslab_shrink_pass(sc->nr_to_scan, false);
	/*
	 * The CPUs' magazines only when the rest was not enough.  The
	 * hotplug lock comes before kslab_mutex; try it, never wait.
	 */
	if (freed < sc->nr_to_scan && cpus_read_trylock()) {
		freed += kslab_shrink_pass(sc->nr_to_scan - freed, true);
		cpus_read_unlock();
	}
	mutex_unlock(&kslab_mutex);
	return freed;
}

static struct shrinker kslab_shrinker = {
	.count_objects = kslab_shrink_count,
	.scan_objects = kslab_shrink_scan,
	.seeks = DEFAULT_SEEKS,
};

static int kslab_cpu_dead(unsigned int cpu)
{
	struct kslab_cache *s;

	mutex_lock(&kslab_mutex);
	list_for_each_entry(s, &kslab_caches, list)
		kslab_drain_cpu(s, cpu);
	mutex_unlock(&kslab_mutex);
	return 0;
}

/**
 * kslab_reclaim_init() - start the reaper, register the shrinker and the
 * CPU hotplug callback
 *
 * Return: 0 or a negative errno.
 */
int kslab_reclaim_init(void)
{
	int err;

	err = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN,
					"klab/slabcache:dead", NULL,
					kslab_cpu_dead);
	if (err < 0)
		return err;
	kslab_cpuhp_state = err;

	err = register_shrinker(&kslab_shrinker, "klab-slabcache");
	if (err)
		goto err_remove_cpuhp;

	kslab_reap_schedule();
	return 0;

err_remove_cpuhp:
	cpuhp_remove_state_nocalls(kslab_cpuhp_state);
	return err;
}

/**
 * kslab_reclaim_exit() - undo kslab_reclaim_init()
 */
void kslab_reclaim_exit(void)
{
	cancel_delayed_work_sync(&kslab_reap_work);
	unregister_shrinker(&kslab_shrinker);
	cpuhp_remove_state_nocalls(kslab_cpuhp_state);
}
