// SPDX-License-Identifier: GPL-2.0
/*
 * rcu_demo's scale harness, after kernel/rcu/refscale.c: the cost of an
 * empty read-side section of each mechanism, one ops entry per mechanism.
 *
 * One reader per online CPU, bound to it.  Each run: the readers meet,
 * warm up until all have, time `loops` sections with interrupts off
 * (sleeping locks excepted: they keep interrupts on), and keep the load
 * up until all are done.  The result of a run is the readers' total time
 * over readers * loops, printed as refscale prints it.
 */
#define pr_fmt(fmt) fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/percpu-rwsem.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include "rcu_demo.h"

#define SCALE_FLAG "-ref-scale: "

/**
 * struct krcu_scale_ops - one mechanism
 * @name: type name
 * @init: set the mechanism up (optional)
 * @cleanup: undo @init (optional)
 * @readsection: @nloops empty read-side sections
 * @sleeps: the read side may sleep: time it with interrupts on
 */
struct krcu_scale_ops {
	const char *name;
	int (*init)(void);
	void (*cleanup)(void);
	void (*readsection)(const int nloops);
	bool sleeps;
};

static void ref_rcu_section(const int nloops)
{
	int i;

	for (i = nloops; i >= 0; i--) {
		rcu_read_lock();
		rcu_read_unlock();
	}
}

static struct srcu_struct krcu_scale_srcu;

static int ref_srcu_init(void)
{
	return init_srcu_struct(&krcu_scale_srcu);
}

static void ref_srcu_cleanup(void)
{
	cleanup_srcu_struct(&krcu_scale_srcu);
}

static void ref_srcu_section(const int nloops)
{
	int i, idx;

	for (i = nloops; i >= 0; i--) {
		idx = srcu_read_lock(&krcu_scale_srcu);
		srcu_read_unlock(&krcu_scale_srcu, idx);
	}
}

static void ref_klab_rcu_section(const int nloops)
{
	int i, idx;

	for (i = nloops; i >= 0; i--) {
		idx = krcu_read_lock(&krcu_main);
		krcu_read_unlock(&krcu_main, idx);
	}
}

static DEFINE_RWLOCK(krcu_scale_rwlock);

static void ref_rwlock_section(const int nloops)
{
	int i;

	for (i = nloops; i >= 0; i--) {
		read_lock(&krcu_scale_rwlock);
		read_unlock(&krcu_scale_rwlock);
	}
}

static DECLARE_RWSEM(krcu_scale_rwsem);

static void ref_rwsem_section(const int nloops)
{
	int i;

	for (i = nloops; i >= 0; i--) {
		down_read(&krcu_scale_rwsem);
		up_read(&krcu_scale_rwsem);
	}
}

static DEFINE_SPINLOCK(krcu_scale_spinlock);

static void ref_spinlock_section(const int nloops)
{
	int i;

	for (i = nloops; i >= 0; i--) {
		spin_lock(&krcu_scale_spinlock);
		spin_unlock(&krcu_scale_spinlock);
	}
}

static DEFINE_MUTEX(krcu_scale_mutex);

static void ref_mutex_section(const int nloops)
{
	int i;

	for (i = nloops; i >= 0; i--) {
		mutex_lock(&krcu_scale_mutex);
		mutex_unlock(&krcu_scale_mutex);
	}
}

static DEFINE_SEQLOCK(krcu_scale_seqlock);

static void ref_seqlock_section(const int nloops)
{
	unsigned int s;
	int i;

	for (i = nloops; i >= 0; i--) {
		do {
			s = read_seqbegin(&krcu_scale_seqlock);
			barrier();
		} while (read_seqretry(&krcu_scale_seqlock, s));
	}
}

static struct kseqlock krcu_scale_kseqlock = {
	.lock = __SPIN_LOCK_UNLOCKED(krcu_scale_kseqlock.lock),
};

static void ref_klab_seqlock_section(const int nloops)
{
	unsigned int s;
	int i;

	for (i = nloops; i >= 0; i--) {
		do {
			s = kseq_read_begin(&krcu_scale_kseqlock);
			barrier();
		} while (kseq_read_retry(&krcu_scale_kseqlock, s));
	}
}

static struct percpu_rw_semaphore krcu_scale_pcpu_rwsem;

static int ref_percpu_rwsem_init(void)
{
	return percpu_init_rwsem(&krcu_scale_pcpu_rwsem);
}

static void ref_percpu_rwsem_cleanup(void)
{
	percpu_free_rwsem(&krcu_scale_pcpu_rwsem);
}

static void ref_percpu_rwsem_section(const int nloops)
{
	int i;

	for (i = nloops; i >= 0; i--) {
		percpu_down_read(&krcu_scale_pcpu_rwsem);
		percpu_up_read(&krcu_scale_pcpu_rwsem);
	}
}

static atomic_t krcu_scale_refcnt;

static void ref_refcount_section(const int nloops)
{
	int i;

	for (i = nloops; i >= 0; i--) {
		atomic_inc(&krcu_scale_refcnt);
		atomic_dec(&krcu_scale_refcnt);
	}
}

static void ref_preempt_section(const int nloops)
{
	int i;

	for (i = nloops; i >= 0; i--) {
		preempt_disable();
		preempt_enable();
	}
}

static void ref_empty_section(const int nloops)
{
	int i;

	for (i = nloops; i >= 0; i--)
		barrier(); /* the loop itself, the baseline */
}

static const struct krcu_scale_ops krcu_scale_ops_table[] = {
	{ .name = "rcu", .readsection = ref_rcu_section },
	{ .name = "srcu", .init = ref_srcu_init, .cleanup = ref_srcu_cleanup,
	  .readsection = ref_srcu_section },
	{ .name = "klab_rcu", .readsection = ref_klab_rcu_section },
	{ .name = "rwlock", .readsection = ref_rwlock_section },
	{ .name = "rwsem", .readsection = ref_rwsem_section, .sleeps = true },
	{ .name = "spinlock", .readsection = ref_spinlock_section },
	{ .name = "mutex", .readsection = ref_mutex_section, .sleeps = true },
	{ .name = "seqlock", .readsection = ref_seqlock_section },
	{ .name = "klab_seqlock", .readsection = ref_klab_seqlock_section },
	{ .name = "percpu_rwsem", .init = ref_percpu_rwsem_init,
	  .cleanup = ref_percpu_rwsem_cleanup,
	  .readsection = ref_percpu_rwsem_section, .sleeps = true },
	{ .name = "refcount", .readsection = ref_refcount_section },
	{ .name = "preempt", .readsection = ref_preempt_section },
	{ .name = "empty", .readsection = ref_empty_section },
};

static const char * const krcu_scale_types[] = {
	"rcu", "srcu", "klab_rcu", "rwlock", "rwsem", "spinlock", "mutex",
	"seqlock", "klab_seqlock", "percpu_rwsem", "refcount", "preempt",
	"empty", NULL,
};

/* The state of a scale run, as refscale's globals */
static struct krcu_scale {
	const struct krcu_scale_ops *ops;
	const struct krcu_params *p;
	unsigned int nreaders;
	struct task_struct **tasks;
	u64 *durations;
	bool *start;
	atomic_t nreaders_exp, n_started, n_warmedup, n_cooleddown;
	wait_queue_head_t reader_wq;
	wait_queue_head_t main_wq;
	bool stop;
} *ks;

static void krcu_scale_one(void)
{
	ks->ops->readsection(ks->p->loops);
}

static bool krcu_scale_go(long me)
{
	/* acquire: pairs with krcu_scale_experiment()'s release */
	return smp_load_acquire(&ks->start[me]);
}

static int krcu_scale_reader(void *arg)
{
	long me = (long)arg;
	unsigned long flags = 0;
	u64 start, duration;

	set_user_nice(current, MAX_NICE);
	for (;;) {
		wait_event_idle(ks->reader_wq,
				krcu_scale_go(me) || kthread_should_stop());
		if (kthread_should_stop())
			break;
		WRITE_ONCE(ks->start[me], false);
		if (!atomic_dec_return(&ks->n_started))
			while (atomic_read_acquire(&ks->n_started))
				cpu_relax();

		/* warm the caches until everyone has checked in */
		krcu_scale_one();
		if (!atomic_dec_return(&ks->n_warmedup))
			while (atomic_read_acquire(&ks->n_warmedup))
				krcu_scale_one();

		if (!ks->ops->sleeps)
			local_irq_save(flags);
		start = ktime_get_mono_fast_ns();
		krcu_scale_one();
		duration = ktime_get_mono_fast_ns() - start;
		if (!ks->ops->sleeps)
			local_irq_restore(flags);
		ks->durations[me] = duration;

		/* keep the load up until everyone is done */
		if (!atomic_dec_return(&ks->n_cooleddown))
			while (atomic_read_acquire(&ks->n_cooleddown))
				krcu_scale_one();
		if (atomic_dec_and_test(&ks->nreaders_exp))
			wake_up(&ks->main_wq);
	}
	return 0;
}

static void krcu_scale_defaults(struct krcu_params *p)
{
	if (!p->loops)
		p->loops = 10000;
	if (!p->nruns)
		p->nruns = 30;
	p->readers = num_online_cpus();
}

static u64 krcu_scale_expected_ns(const struct krcu_params *p)
{
	return 0;
}

static int krcu_scale_start_readers(void)
{
	unsigned int i;
	int cpu;

	i = 0;
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		if (i == ks->nreaders)
			break;
		t = kthread_create(krcu_scale_reader, (void *)(long)i,
				   "klab_scale_reader/%d", cpu);
		if (IS_ERR(t))
			return PTR_ERR(t);
		kthread_bind(t, cpu);
		ks->tasks[i++] = t;
		wake_up_process(t);
	}
	ks->nreaders = i;
	return 0;
}

/* One experiment: all readers, timed; the mean per section in ps */
static u64 krcu_scale_experiment(int exp)
{
	char buf[160];
	unsigned int r, len;
	u64 sum = 0;

	atomic_set(&ks->nreaders_exp, ks->nreaders);
	atomic_set(&ks->n_started, ks->nreaders);
	atomic_set(&ks->n_warmedup, ks->nreaders);
	atomic_set(&ks->n_cooleddown, ks->nreaders);
	for (r = 0; r < ks->nreaders; r++) {
		/* release: the counts above are set before a reader starts */
		smp_store_release(&ks->start[r], true);
	}
	wake_up_all(&ks->reader_wq);
	wait_event_idle(ks->main_wq, !atomic_read(&ks->nreaders_exp));

	len = scnprintf(buf, sizeof(buf),
			"Experiment #%d (Format: <THREAD-NUM>:<Total loop time in ns>)",
			exp);
	for (r = 0; r < ks->nreaders; r++) {
		if (r % 5 == 0)
			len += scnprintf(buf + len, sizeof(buf) - len, "\n");
		len += scnprintf(buf + len, sizeof(buf) - len, "%u: %llu\t",
				 r, ks->durations[r]);
		sum += ks->durations[r];
	}
	pr_alert("%s\n", buf);
	return div_u64(1000 * sum, ks->nreaders * ks->p->loops);
}

static void krcu_scale_report(struct krcu_run *run, u64 *result, int nruns)
{
	struct krcu_group *g = krcu_run_group(run, "%s", ks->ops->name);
	u64 sorted[KLAB_RCU_NRUNS_MAX];
	u64 sum = 0, median;
	int exp;

	memcpy(sorted, result, nruns * sizeof(*result));
	krcu_sort_u64(sorted, nruns);
	for (exp = 0; exp < nruns; exp++)
		sum += result[exp];
	median = krcu_median(sorted, nruns);
	pr_alert("%s" SCALE_FLAG
		 "summary (ns per section): median %llu.%03u min %llu.%03u max %llu.%03u\n",
		 ks->ops->name, div_u64(median, 1000), (u32)(median % 1000),
		 div_u64(sorted[0], 1000), (u32)(sorted[0] % 1000),
		 div_u64(sorted[nruns - 1], 1000),
		 (u32)(sorted[nruns - 1] % 1000));
	krcu_group_stat(g, "readers", ks->nreaders);
	krcu_group_stat(g, "loops", ks->p->loops);
	krcu_group_stat(g, "nruns", nruns);
	krcu_group_stat(g, "irqs_off", !ks->ops->sleeps);
	krcu_group_stat(g, "median_ps", median);
	krcu_group_stat(g, "min_ps", sorted[0]);
	krcu_group_stat(g, "max_ps", sorted[nruns - 1]);
	krcu_group_stat(g, "mean_ps", div_u64(sum, nruns));
	krcu_group_series(g, "runs_ps", result, nruns);
}

static void krcu_scale_run(struct krcu_run *run)
{
	const struct krcu_params *p = &run->params;
	u64 result[KLAB_RCU_NRUNS_MAX];
	unsigned int i;
	int exp, err;

	ks = kzalloc(sizeof(*ks), GFP_KERNEL);
	if (!ks)
		return;
	for (i = 0; i < ARRAY_SIZE(krcu_scale_ops_table); i++)
		if (!strcmp(krcu_scale_ops_table[i].name, p->type))
			ks->ops = &krcu_scale_ops_table[i];
	if (WARN_ON_ONCE(!ks->ops))
		goto out_free_ks;
	ks->p = p;
	ks->nreaders = p->readers;
	init_waitqueue_head(&ks->reader_wq);
	init_waitqueue_head(&ks->main_wq);
	ks->tasks = kcalloc(ks->nreaders, sizeof(*ks->tasks), GFP_KERNEL);
	ks->durations = kcalloc(ks->nreaders, sizeof(u64), GFP_KERNEL);
	ks->start = kcalloc(ks->nreaders, sizeof(bool), GFP_KERNEL);
	if (!ks->tasks || !ks->durations || !ks->start)
		goto out_free;
	if (ks->ops->init && ks->ops->init())
		goto out_free;

	pr_alert("%s" SCALE_FLAG
		 "--- Start of test:  verbose=%d shutdown=%d holdoff=%d loops=%ld nreaders=%d nruns=%d readdelay=%d\n",
		 ks->ops->name, 0, 0, 0, (long)p->loops, ks->nreaders,
		 p->nruns, 0);
	err = krcu_scale_start_readers();
	if (err) {
		pr_alert("%s" SCALE_FLAG "!!! cannot start readers: %d\n",
			 ks->ops->name, err);
		goto out_stop;
	}
	for (exp = 0; exp < p->nruns && !krcu_run_should_stop(); exp++)
		result[exp] = krcu_scale_experiment(exp);
	if (exp < p->nruns)
		goto out_stop;

	pr_alert("%s" SCALE_FLAG
		 "END OF TEST. Calculating average duration per loop (nanoseconds)...\n",
		 ks->ops->name);
	pr_alert("Runs\tTime(ns)\n");
	for (exp = 0; exp < p->nruns; exp++)
		pr_alert("%d\t%llu.%03u\n", exp + 1, div_u64(result[exp], 1000),
			 (u32)(result[exp] % 1000));
	krcu_scale_report(run, result, p->nruns);
	run->success = true;

out_stop:
	for (i = 0; i < ks->nreaders; i++)
		if (ks->tasks[i])
			kthread_stop(ks->tasks[i]);
	if (ks->ops->cleanup)
		ks->ops->cleanup();
out_free:
	kfree(ks->start);
	kfree(ks->durations);
	kfree(ks->tasks);
out_free_ks:
	kfree(ks);
	ks = NULL;
}

const struct krcu_harness krcu_scale_harness = {
	.name = "scale",
	.types = krcu_scale_types,
	.defaults = krcu_scale_defaults,
	.expected_ns = krcu_scale_expected_ns,
	.run = krcu_scale_run,
};
