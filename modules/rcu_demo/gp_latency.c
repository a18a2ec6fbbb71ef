// SPDX-License-Identifier: GPL-2.0
/*
 * rcu_demo's grace-period latency harness: how long each synchronize
 * primitive takes, as percentiles and a log2 histogram, the kernel's and
 * klab's side by side in one run.  Optional reader threads keep
 * read-side sections of every type going meanwhile.  Last, concurrent
 * klab synchronize callers show that they share grace periods.
 */
#define pr_fmt(fmt) fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/srcu.h>

#include "rcu_demo.h"

#define GPLAT_FLAG "-gp-latency: "
/* Callers of the shared-grace-period check */
#define KRCU_GPLAT_CONCURRENT	8
/* The background readers' sections, in microseconds */
#define KRCU_GPLAT_SECTION_US	10

static struct srcu_struct krcu_gplat_srcu;

static void krcu_gplat_srcu_sync(void)
{
	synchronize_srcu(&krcu_gplat_srcu);
}

static void krcu_gplat_srcu_exp(void)
{
	synchronize_srcu_expedited(&krcu_gplat_srcu);
}

static void krcu_gplat_klab_sync(void)
{
	krcu_synchronize(&krcu_main);
}

static void krcu_gplat_klab_exp(void)
{
	krcu_synchronize_expedited(&krcu_main);
}

/**
 * struct krcu_gplat_ops - one synchronize primitive
 * @name: the type name that selects it
 * @func: the kernel function it measures, for the log lines
 * @sync: wait for one grace period
 */
struct krcu_gplat_ops {
	const char *name;
	const char *func;
	void (*sync)(void);
};

static const struct krcu_gplat_ops krcu_gplat_ops_table[] = {
	{ "rcu", "synchronize_rcu", synchronize_rcu },
	{ "rcu_expedited", "synchronize_rcu_expedited",
	  synchronize_rcu_expedited },
	{ "srcu", "synchronize_srcu", krcu_gplat_srcu_sync },
	{ "srcu_expedited", "synchronize_srcu_expedited",
	  krcu_gplat_srcu_exp },
	{ "klab_rcu", "krcu_synchronize", krcu_gplat_klab_sync },
	{ "klab_rcu_expedited", "krcu_synchronize_expedited",
	  krcu_gplat_klab_exp },
};

static const char * const krcu_gplat_types[] = {
	"all", "rcu", "rcu_expedited", "srcu", "srcu_expedited", "klab_rcu",
	"klab_rcu_expedited", NULL,
};

/* Background readers: short sections of each type, with sleeps between */
static int krcu_gplat_reader(void *arg)
{
	u64 rand = get_random_u64();
	int idx;

	set_user_nice(current, MAX_NICE);
	while (!kthread_should_stop()) {
		switch (krcu_random(&rand) % 3) {
		case 0:
			rcu_read_lock();
			udelay(KRCU_GPLAT_SECTION_US);
			rcu_read_unlock();
			break;
		case 1:
			idx = srcu_read_lock(&krcu_gplat_srcu);
			udelay(KRCU_GPLAT_SECTION_US);
			srcu_read_unlock(&krcu_gplat_srcu, idx);
			break;
		default:
			idx = krcu_read_lock(&krcu_main);
			udelay(KRCU_GPLAT_SECTION_US);
			krcu_read_unlock(&krcu_main, idx);
			break;
		}
		usleep_range(20, 100);
	}
	return 0;
}

static void krcu_gplat_measure(struct krcu_run *run,
			       const struct krcu_gplat_ops *ops, u64 *samples)
{
	u32 n = run->params.samples, i;
	u64 hist[KRCU_HIST_BUCKETS] = { 0 };
	u64 sum = 0, p50, p90, p99;
	struct krcu_group *g;

	for (i = 0; i < n && !krcu_run_should_stop(); i++) {
		u64 t0 = ktime_get_ns();

		ops->sync();
		samples[i] = ktime_get_ns() - t0;
		sum += samples[i];
		hist[krcu_hist_bucket(samples[i])]++;
	}
	n = i;
	if (!n)
		return;
	krcu_sort_u64(samples, n);
	p50 = krcu_percentile(samples, n, 50);
	p90 = krcu_percentile(samples, n, 90);
	p99 = krcu_percentile(samples, n, 99);
	pr_alert("%s" GPLAT_FLAG
		 "%s: samples %u min %llu p50 %llu p90 %llu p99 %llu max %llu mean %llu (ns)\n",
		 ops->name, ops->func, n, samples[0], p50, p90, p99,
		 samples[n - 1], div_u64(sum, n));
	g = krcu_run_group(run, "%s", ops->name);
	krcu_group_stat(g, "samples", n);
	krcu_group_stat(g, "readers", run->params.readers);
	krcu_group_stat(g, "min_ns", samples[0]);
	krcu_group_stat(g, "p50_ns", p50);
	krcu_group_stat(g, "p90_ns", p90);
	krcu_group_stat(g, "p99_ns", p99);
	krcu_group_stat(g, "max_ns", samples[n - 1]);
	krcu_group_stat(g, "mean_ns", div_u64(sum, n));
	krcu_group_series(g, "log2_hist", hist, KRCU_HIST_BUCKETS);
}

static atomic_t krcu_gplat_go;
static atomic_t krcu_gplat_left;
static DECLARE_COMPLETION(krcu_gplat_done);

static int krcu_gplat_caller(void *arg)
{
	while (!atomic_read(&krcu_gplat_go) && !kthread_should_stop())
		schedule_timeout_idle(1);
	krcu_synchronize(&krcu_main);
	if (atomic_dec_and_test(&krcu_gplat_left))
		complete(&krcu_gplat_done);
	while (!kthread_should_stop())
		schedule_timeout_idle(HZ);
	return 0;
}

/* Concurrent callers: fewer grace periods than callers */
static void krcu_gplat_shared(struct krcu_run *run)
{
	struct task_struct *tasks[KRCU_GPLAT_CONCURRENT];
	unsigned long gps;
	struct krcu_group *g;
	int i, n;

	atomic_set(&krcu_gplat_go, 0);
	atomic_set(&krcu_gplat_left, KRCU_GPLAT_CONCURRENT);
	reinit_completion(&krcu_gplat_done);
	for (n = 0; n < KRCU_GPLAT_CONCURRENT; n++) {
		tasks[n] = kthread_run(krcu_gplat_caller, NULL,
				       "klab_gplat_caller/%d", n);
		if (IS_ERR(tasks[n]))
			break;
	}
	gps = READ_ONCE(krcu_main.n_gps);
	if (n == KRCU_GPLAT_CONCURRENT) {
		atomic_set(&krcu_gplat_go, 1);
		wait_for_completion(&krcu_gplat_done);
		gps = READ_ONCE(krcu_main.n_gps) - gps;
		pr_alert("klab_rcu" GPLAT_FLAG
			 "%d concurrent krcu_synchronize() callers, %lu grace periods\n",
			 n, gps);
		g = krcu_run_group(run, "klab_rcu_concurrent");
		krcu_group_stat(g, "callers", n);
		krcu_group_stat(g, "grace_periods", gps);
	}
	for (i = 0; i < n; i++)
		kthread_stop(tasks[i]);
}

static void krcu_gplat_defaults(struct krcu_params *p)
{
	if (!p->samples)
		p->samples = 100;
}

static u64 krcu_gplat_expected_ns(const struct krcu_params *p)
{
	return 0;
}

static void krcu_gplat_run(struct krcu_run *run)
{
	const struct krcu_params *p = &run->params;
	struct task_struct **readers = NULL;
	bool all = !strcmp(p->type, "all");
	unsigned int i, n = 0;
	u64 *samples;

	samples = kvmalloc_array(p->samples, sizeof(*samples), GFP_KERNEL);
	if (!samples)
		return;
	if (init_srcu_struct(&krcu_gplat_srcu))
		goto out_free;
	if (p->readers) {
		readers = kcalloc(p->readers, sizeof(*readers), GFP_KERNEL);
		if (!readers)
			goto out_srcu;
	}
	for (n = 0; n < p->readers; n++) {
		readers[n] = kthread_run(krcu_gplat_reader, NULL,
					 "klab_gplat_reader/%u", n);
		if (IS_ERR(readers[n]))
			goto out_stop;
	}
	pr_alert("%s" GPLAT_FLAG "--- Start of test: samples=%u nreaders=%u\n",
		 p->type, p->samples, p->readers);
	for (i = 0; i < ARRAY_SIZE(krcu_gplat_ops_table); i++)
		if (all || !strcmp(p->type, krcu_gplat_ops_table[i].name))
			krcu_gplat_measure(run, &krcu_gplat_ops_table[i],
					   samples);
	if ((all || !strcmp(p->type, "klab_rcu")) && !krcu_run_should_stop())
		krcu_gplat_shared(run);
	run->success = !krcu_run_should_stop();

out_stop:
	for (i = 0; i < n; i++)
		kthread_stop(readers[i]);
	kfree(readers);
out_srcu:
	srcu_barrier(&krcu_gplat_srcu);
	cleanup_srcu_struct(&krcu_gplat_srcu);
out_free:
	kvfree(samples);
}

const struct krcu_harness krcu_gp_latency_harness = {
	.name = "gp-latency",
	.types = krcu_gplat_types,
	.defaults = krcu_gplat_defaults,
	.expected_ns = krcu_gplat_expected_ns,
	.run = krcu_gplat_run,
};
