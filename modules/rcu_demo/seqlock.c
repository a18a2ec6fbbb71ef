// SPDX-License-Identifier: GPL-2.0
/*
 * rcu_demo's seqlock torture: one writer keeps three words consistent
 * (b == a and c == a * a) and times each write; readers copy the words
 * through the type's read side and count torn copies and retries.  A
 * correct seqlock never lets a torn copy through; busted_seqlock, whose
 * readers do not retry, does.
 */
#define pr_fmt(fmt) fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/seqlock.h>
#include <linux/slab.h>

#include "rcu_demo.h"

#define TORTURE_FLAG	"-torture:"

struct krcu_sq_words {
	u64 a, b, c;
};

/**
 * struct krcu_seq_ops - one seqlock type
 * @name: type name, the log lines' prefix
 * @init: reset the type's lock and data
 * @write: store @v consistently: a = v, b = v, c = v * v
 * @read: copy the words; adds the retries it needed to *@retries
 * @seq: the current sequence count
 */
struct krcu_seq_ops {
	const char *name;
	void (*init)(void);
	void (*write)(u64 v);
	void (*read)(struct krcu_sq_words *w, u64 *retries);
	unsigned int (*seq)(void);
};

static struct krcu_sq {
	const struct krcu_seq_ops *ops;
	const struct krcu_params *p;
	struct krcu_sq_words words;
	struct krcu_sq_words latch_words[2];
	seqlock_t kernel_lock;
	struct kseqlock klab_lock;
	struct kseq_latch latch;
	spinlock_t latch_writer;	/* serialises latch writers */
	atomic64_t reads, retries, torn;
	u64 writes, lat_sum, lat_max;
	u64 hist[KRCU_HIST_BUCKETS];
} *sq;

/* The writer's update, slow enough for readers to meet it half done */
static void krcu_sq_store(struct krcu_sq_words *w, u64 v)
{
	WRITE_ONCE(w->a, v);
	udelay(1);
	WRITE_ONCE(w->b, v);
	WRITE_ONCE(w->c, v * v);
}

/* A reader's copy, one word at a time with a window in between */
static void krcu_sq_load(const struct krcu_sq_words *w,
			 struct krcu_sq_words *out)
{
	out->a = READ_ONCE(w->a);
	ndelay(100);
	out->b = READ_ONCE(w->b);
	out->c = READ_ONCE(w->c);
}

static void krcu_sq_kernel_init(void)
{
	seqlock_init(&sq->kernel_lock);
}

static void krcu_sq_kernel_write(u64 v)
{
	write_seqlock(&sq->kernel_lock);
	krcu_sq_store(&sq->words, v);
	write_sequnlock(&sq->kernel_lock);
}

static void krcu_sq_kernel_read(struct krcu_sq_words *w, u64 *retries)
{
	unsigned int s;

	for (;;) {
		s = read_seqbegin(&sq->kernel_lock);
		krcu_sq_load(&sq->words, w);
		if (!read_seqretry(&sq->kernel_lock, s))
			break;
		(*retries)++;
	}
}

static unsigned int krcu_sq_kernel_seq(void)
{
	return raw_read_seqcount(&sq->kernel_lock.seqcount);
}

static void krcu_sq_klab_init(void)
{
	kseqlock_init(&sq->klab_lock);
}

static void krcu_sq_klab_write(u64 v)
{
	kseq_write_begin(&sq->klab_lock);
	krcu_sq_store(&sq->words, v);
	kseq_write_end(&sq->klab_lock);
}

static void krcu_sq_klab_read(struct krcu_sq_words *w, u64 *retries)
{
	unsigned int s;

	for (;;) {
		s = kseq_read_begin(&sq->klab_lock);
		krcu_sq_load(&sq->words, w);
		if (!kseq_read_retry(&sq->klab_lock, s))
			break;
		(*retries)++;
	}
}

static unsigned int krcu_sq_klab_seq(void)
{
	return READ_ONCE(sq->klab_lock.seq);
}

/* Negative control: the reader never retries */
static void krcu_sq_busted_read(struct krcu_sq_words *w, u64 *retries)
{
	kseq_read_begin(&sq->klab_lock);
	krcu_sq_load(&sq->words, w);
	/* This is a deliberate bug for testing purposes only! */
}

static void krcu_sq_latch_init(void)
{
	sq->latch.seq = 0;
	spin_lock_init(&sq->latch_writer);
}

static void krcu_sq_latch_write(u64 v)
{
	spin_lock(&sq->latch_writer);
	kseq_latch_flip(&sq->latch);	/* readers go to copy 1 */
	krcu_sq_store(&sq->latch_words[0], v);
	kseq_latch_flip(&sq->latch);	/* readers go to copy 0 */
	krcu_sq_store(&sq->latch_words[1], v);
	spin_unlock(&sq->latch_writer);
}

static void krcu_sq_latch_read(struct krcu_sq_words *w, u64 *retries)
{
	unsigned int s;

	for (;;) {
		s = kseq_latch_begin(&sq->latch);
		krcu_sq_load(&sq->latch_words[s & 1], w);
		if (!kseq_latch_retry(&sq->latch, s))
			break;
		(*retries)++;
	}
}

/* Even between writes, as the other types' counts */
static unsigned int krcu_sq_latch_seq(void)
{
	return READ_ONCE(sq->latch.seq);
}

static const struct krcu_seq_ops krcu_seq_ops_table[] = {
	{
		.name = "seqlock",
		.init = krcu_sq_kernel_init,
		.write = krcu_sq_kernel_write,
		.read = krcu_sq_kernel_read,
		.seq = krcu_sq_kernel_seq,
	},
	{
		.name = "klab_seqlock",
		.init = krcu_sq_klab_init,
		.write = krcu_sq_klab_write,
		.read = krcu_sq_klab_read,
		.seq = krcu_sq_klab_seq,
	},
	{
		.name = "klab_latch",
		.init = krcu_sq_latch_init,
		.write = krcu_sq_latch_write,
		.read = krcu_sq_latch_read,
		.seq = krcu_sq_latch_seq,
	},
	{
		.name = "busted_seqlock",
		.init = krcu_sq_klab_init,
		.write = krcu_sq_klab_write,
		.read = krcu_sq_busted_read,
		.seq = krcu_sq_klab_seq,
	},
};

static const char * const krcu_seqlock_types[] = {
	"seqlock", "klab_seqlock", "klab_latch", "busted_seqlock", NULL,
};

static bool krcu_sq_torn(const struct krcu_sq_words *w)
{
	return w->b != w->a || w->c != w->a * w->a;
}

static int krcu_sq_reader(void *arg)
{
	u64 reads = 0, retries = 0, torn = 0;
	struct krcu_sq_words w;

	set_user_nice(current, MAX_NICE);
	while (!kthread_should_stop()) {
		sq->ops->read(&w, &retries);
		reads++;
		if (krcu_sq_torn(&w))
			torn++;
		if (!(reads & 0xff)) {
			atomic64_add(reads, &sq->reads);
			atomic64_add(retries, &sq->retries);
			atomic64_add(torn, &sq->torn);
			reads = 0;
			retries = 0;
			torn = 0;
			cond_resched();
		}
	}
	atomic64_add(reads, &sq->reads);
	atomic64_add(retries, &sq->retries);
	atomic64_add(torn, &sq->torn);
	return 0;
}

static int krcu_sq_writer(void *arg)
{
	u64 v = 0;

	while (!kthread_should_stop()) {
		u64 t0 = ktime_get_ns(), lat;

		sq->ops->write(++v);
		lat = ktime_get_ns() - t0;
		sq->writes++;
		sq->lat_sum += lat;
		sq->lat_max = max(sq->lat_max, lat);
		sq->hist[krcu_hist_bucket(lat)]++;
		/* writes are the rare side */
		usleep_range(50, 100);
	}
	return 0;
}

static void krcu_seqlock_defaults(struct krcu_params *p)
{
	if (!p->readers)
		p->readers = num_online_cpus();
	if (!p->duration_s)
		p->duration_s = 5;
}

static u64 krcu_seqlock_expected_ns(const struct krcu_params *p)
{
	return (u64)p->duration_s * NSEC_PER_SEC;
}

/* The 99th percentile from the histogram: the floor of its bucket */
static u64 krcu_sq_lat_p99(void)
{
	u64 seen = 0, want = sq->writes - sq->writes / 100;
	unsigned int b;

	for (b = 0; b < KRCU_HIST_BUCKETS; b++) {
		seen += sq->hist[b];
		if (seen && seen >= want)
			return krcu_hist_bucket_floor(b);
	}
	return 0;
}

static void krcu_seqlock_report(struct krcu_run *run, bool seq_even)
{
	u64 avg = sq->writes ? div64_u64(sq->lat_sum, sq->writes) : 0;
	struct krcu_group *g = krcu_run_group(run, "%s", sq->ops->name);

	krcu_group_stat(g, "readers", sq->p->readers);
	krcu_group_stat(g, "duration_s", sq->p->duration_s);
	krcu_group_stat(g, "reads", atomic64_read(&sq->reads));
	krcu_group_stat(g, "retries", atomic64_read(&sq->retries));
	krcu_group_stat(g, "torn", atomic64_read(&sq->torn));
	krcu_group_stat(g, "writes", sq->writes);
	krcu_group_stat(g, "writer_latency_avg_ns", avg);
	krcu_group_stat(g, "writer_latency_p99_ns", krcu_sq_lat_p99());
	krcu_group_stat(g, "writer_latency_max_ns", sq->lat_max);
	krcu_group_stat(g, "seq_even_at_end", seq_even);
	krcu_group_series(g, "writer_latency_log2_hist", sq->hist,
			  KRCU_HIST_BUCKETS);
}

static void krcu_seqlock_run(struct krcu_run *run)
{
	const struct krcu_params *p = &run->params;
	const struct krcu_seq_ops *ops = NULL;
	struct task_struct **tasks;
	unsigned int i, n = 0;
	bool seq_even;
	u64 torn;

	for (i = 0; i < ARRAY_SIZE(krcu_seq_ops_table); i++)
		if (!strcmp(krcu_seq_ops_table[i].name, p->type))
			ops = &krcu_seq_ops_table[i];
	if (WARN_ON_ONCE(!ops))
		return;
	sq = kzalloc(sizeof(*sq), GFP_KERNEL);
	tasks = kcalloc(p->readers + 1, sizeof(*tasks), GFP_KERNEL);
	if (!sq || !tasks)
		goto out_free;
	sq->ops = ops;
	sq->p = p;
	ops->init();

	pr_alert("%s" TORTURE_FLAG "--- Start of test: nreaders=%u duration=%u\n",
		 ops->name, p->readers, p->duration_s);
	tasks[n] = kthread_run(krcu_sq_writer, NULL, "klab_seq_writer");
	if (IS_ERR(tasks[n]))
		goto out_stop;
	for (n = 1; n <= p->readers; n++) {
		tasks[n] = kthread_run(krcu_sq_reader, NULL,
				       "klab_seq_reader/%u", n - 1);
		if (IS_ERR(tasks[n]))
			goto out_stop;
	}
	krcu_run_sleep(p->duration_s * HZ);

out_stop:
	/* a failed start leaves an ERR_PTR at tasks[n] */
	for (i = 0; i < n; i++)
		kthread_stop(tasks[i]);
	seq_even = !(ops->seq() & 1);
	torn = atomic64_read(&sq->torn);
	pr_alert("%s" TORTURE_FLAG " %sreads: %lld retries: %lld torn: %llu writes: %llu seq: %u\n",
		 ops->name, torn || !seq_even ? "!!! " : "",
		 atomic64_read(&sq->reads), atomic64_read(&sq->retries), torn,
		 sq->writes, ops->seq());
	run->success = n == p->readers + 1 && !torn && seq_even;
	pr_alert("%s" TORTURE_FLAG "--- End of test: %s: nreaders=%u duration=%u\n",
		 ops->name, run->success ? "SUCCESS" : "FAILURE", p->readers,
		 p->duration_s);
	krcu_seqlock_report(run, seq_even);
out_free:
	kfree(tasks);
	kfree(sq);
	sq = NULL;
}

const struct krcu_harness krcu_seqlock_harness = {
	.name = "seqlock",
	.types = krcu_seqlock_types,
	.defaults = krcu_seqlock_defaults,
	.expected_ns = krcu_seqlock_expected_ns,
	.run = krcu_seqlock_run,
};
