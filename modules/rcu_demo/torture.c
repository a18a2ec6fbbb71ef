// SPDX-License-Identifier: GPL-2.0
/*
 * rcu_demo's torture harness, after kernel/rcu/rcutorture.c.
 *
 * One writer replaces the current element of a pool every millisecond or
 * so and retires the old one through the type's grace period, ageing it
 * by one "pipe" stage per grace period; after RCU_TORTURE_PIPE_LEN stages
 * the element returns to the pool.  Readers record the stage of the
 * element they hold at the end of their critical section: a correct
 * grace period never lets it pass stage 1.  Fake writers run grace
 * periods of their own, a barrier thread checks that the type's barrier
 * waits for every callback, and the controller (the run kthread) prints
 * rcutorture's statistics lines, watches for a stalled writer and ends
 * with rcutorture's "End of test" line, so that the kernel's
 * tools/testing/selftests/rcutorture/bin/parse-console.sh reads a run.
 */
#define pr_fmt(fmt) fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/srcu.h>

#include "rcu_demo.h"

#define TORTURE_FLAG		"-torture:"
/* "<type>-torture: ", the start of most lines */
#define TORTURE_PREFIX		"%s" TORTURE_FLAG " "
#define RCU_TORTURE_PIPE_LEN	10
/* the writer is stalled when its version stands still this long */
#define KRCU_WRITER_STALL_S	5
/*
 * Every KRCU_HOLD_INTERVAL a reader holds its section until the element
 * it holds aged past stage 1 (a grace period ended under it: the bug) or
 * a grace period is seen waiting for it.  A grace period that ends too
 * early then shows in Reader Pipe on every run, however slow the machine,
 * not only when the random delays happen to straddle one.  klab domains
 * show their grace periods waiting (a drain found the reader's bank busy;
 * a planted stall never does, hence a bound); the kernel's types do not,
 * and their readers hold until the writer replaced the element twice or
 * KRCU_HOLD_MAX_US passed.
 */
#define KRCU_HOLD_INTERVAL	(HZ / 10)
#define KRCU_HOLD_MAX_US	10000
#define KRCU_HOLD_WAIT_MAX_US	1000000
#define KRCU_HOLD_STEP_US	20

/* An element of the pool, as rcutorture's struct rcu_torture */
struct krcu_tort {
	struct rcu_head rtort_rcu;
	int rtort_pipe_count;
	struct list_head rtort_free;
	int rtort_mbtest;
	unsigned long rtort_gen;	/* allocations: a reader sees a reuse */
};

/* rcutorture's writer states, with their numbers and names */
enum {
	RTWS_FIXED_DELAY = 0,
	RTWS_DELAY = 1,
	RTWS_REPLACE = 2,
	RTWS_DEF_FREE = 3,
	RTWS_EXP_SYNC = 4,
	RTWS_SYNC = 21,
	RTWS_STUTTER = 22,
	RTWS_STOPPING = 23,
};

static const char * const krcu_writer_state_names[] = {
	[RTWS_FIXED_DELAY] = "RTWS_FIXED_DELAY",
	[RTWS_DELAY] = "RTWS_DELAY",
	[RTWS_REPLACE] = "RTWS_REPLACE",
	[RTWS_DEF_FREE] = "RTWS_DEF_FREE",
	[RTWS_EXP_SYNC] = "RTWS_EXP_SYNC",
	[RTWS_SYNC] = "RTWS_SYNC",
	[RTWS_STUTTER] = "RTWS_STUTTER",
	[RTWS_STOPPING] = "RTWS_STOPPING",
};

/**
 * struct krcu_torture_ops - the primitives of one RCU implementation
 * @init: set the implementation up for a run (optional)
 * @cleanup: undo @init (optional)
 * @readlock: enter a read-side section, returning an index
 * @readunlock: leave it
 * @get_gp_seq: completed grace periods, for Reader Batch
 * @call: queue a callback after a grace period
 * @sync: wait for a grace period
 * @exp_sync: wait for an expedited grace period
 * @cb_barrier: wait for the callbacks queued so far
 * @stats: print the implementation's own statistics line (optional)
 * @hold_seq: where a held reader's watch for @gp_waits starts (optional)
 * @gp_waits: has a grace period been seen waiting for a reader of index
 *	@idx, inside since @hold_seq returned @seen?
 */
struct krcu_torture_ops {
	int (*init)(void);
	void (*cleanup)(void);
	int (*readlock)(void);
	void (*readunlock)(int idx);
	unsigned long (*get_gp_seq)(void);
	void (*call)(struct rcu_head *head, rcu_callback_t func);
	void (*sync)(void);
	void (*exp_sync)(void);
	void (*cb_barrier)(void);
	void (*stats)(void);
	unsigned long (*hold_seq)(void);
	bool (*gp_waits)(int idx, unsigned long seen);
};

/**
 * struct krcu_torture_type - one type under torture: an implementation,
 *	and for a negative control what it breaks
 * @name: the type, also the prefix of every log line
 * @ops: the implementation's primitives
 * @domain: the klab RCU domain @ops work on, NULL for the kernel's
 * @checked_barrier: the barrier the barrier check calls, when it is not
 *	@ops->cb_barrier (a negative control); the end of a run always
 *	waits with @ops->cb_barrier
 * @start: called when the threads are up (optional)
 * @stop: called before they stop (optional)
 */
struct krcu_torture_type {
	const char *name;
	const struct krcu_torture_ops *ops;
	struct krcu_domain *domain;
	void (*checked_barrier)(void);
	void (*start)(void);
	void (*stop)(void);
};

/* The state of the one torture run there can be at a time */
struct krcu_torture {
	const struct krcu_torture_type *type;
	const struct krcu_torture_ops *ops;	/* type->ops */
	const struct krcu_params *p;

	struct krcu_tort pool[10 * RCU_TORTURE_PIPE_LEN];
	struct list_head freelist;
	spinlock_t lock;	/* protects freelist; BHs off (callbacks) */
	struct krcu_tort __rcu *current_elem;
	unsigned long version;
	/* the writer's elements waiting for synchronous grace periods */
	struct list_head removed;
	int writer_state;
	struct task_struct *writer_task;

	atomic_t wcount[RCU_TORTURE_PIPE_LEN + 1];
	atomic_t n_alloc;
	atomic_t n_alloc_fail;
	atomic_t n_free;
	atomic_t n_mberror;
	bool stopping;		/* callbacks stop recycling elements */

	/* barrier test */
	struct rcu_head *barrier_heads;
	atomic_t barrier_cbs_invoked;
	long n_barrier_attempts;
	long n_barrier_successes;
	long n_barrier_errors;

	long n_writer_stalls;
	long n_errors;
	unsigned long start_gp_seq;
};

static struct krcu_torture *kt;
static DEFINE_PER_CPU(long[RCU_TORTURE_PIPE_LEN + 1], krcu_torture_count);
static DEFINE_PER_CPU(long[RCU_TORTURE_PIPE_LEN + 1], krcu_torture_batch);

/* ---- the types ---------------------------------------------------- */

static int krcu_kernel_readlock(void)
{
	rcu_read_lock();
	return 0;
}

static void krcu_kernel_readunlock(int idx)
{
	rcu_read_unlock();
}

static unsigned long krcu_kernel_gp_seq(void)
{
	return krcu_seq_completed(rcu_get_gp_seq());
}

static const struct krcu_torture_ops krcu_rcu_ops = {
	.readlock	= krcu_kernel_readlock,
	.readunlock	= krcu_kernel_readunlock,
	.get_gp_seq	= krcu_kernel_gp_seq,
	.call		= call_rcu,
	.sync		= synchronize_rcu,
	.exp_sync	= synchronize_rcu_expedited,
	.cb_barrier	= rcu_barrier,
};

static struct srcu_struct krcu_srcu;

static int krcu_srcu_init(void)
{
	return init_srcu_struct(&krcu_srcu);
}

static void krcu_srcu_cleanup(void)
{
	cleanup_srcu_struct(&krcu_srcu);
}

static int krcu_srcu_readlock(void)
{
	return srcu_read_lock(&krcu_srcu);
}

static void krcu_srcu_readunlock(int idx)
{
	srcu_read_unlock(&krcu_srcu, idx);
}

static unsigned long krcu_srcu_gp_seq(void)
{
	/* index flips: one per grace period */
	return srcu_batches_completed(&krcu_srcu);
}

static void krcu_srcu_call(struct rcu_head *head, rcu_callback_t func)
{
	call_srcu(&krcu_srcu, head, func);
}

static void krcu_srcu_sync(void)
{
	synchronize_srcu(&krcu_srcu);
}

static void krcu_srcu_exp_sync(void)
{
	synchronize_srcu_expedited(&krcu_srcu);
}

static void krcu_srcu_barrier(void)
{
	srcu_barrier(&krcu_srcu);
}

static void krcu_srcu_stats(void)
{
	srcu_torture_stats_print(&krcu_srcu, "srcu", TORTURE_FLAG);
}

static const struct krcu_torture_ops krcu_srcu_ops = {
	.init		= krcu_srcu_init,
	.cleanup	= krcu_srcu_cleanup,
	.readlock	= krcu_srcu_readlock,
	.readunlock	= krcu_srcu_readunlock,
	.get_gp_seq	= krcu_srcu_gp_seq,
	.call		= krcu_srcu_call,
	.sync		= krcu_srcu_sync,
	.exp_sync	= krcu_srcu_exp_sync,
	.cb_barrier	= krcu_srcu_barrier,
	.stats		= krcu_srcu_stats,
};

/* klab RCU: one set of ops for every domain */
static void krcu_domain_stats(struct krcu_domain *d)
{
	unsigned long gps = max(READ_ONCE(d->n_gps), 1UL);

	pr_alert(TORTURE_PREFIX
		 "klab RCU g%lu idx %lu gps %lu exp-gps %lu polls %lu/%lu sleeps %lu cbs %ld/%ld gp-us avg %llu max %llu ipi-us avg %llu max %llu\n",
		 d->name, READ_ONCE(d->gp_seq), READ_ONCE(d->idx),
		 READ_ONCE(d->n_gps), READ_ONCE(d->n_exp_gps),
		 READ_ONCE(d->n_busy_polls), READ_ONCE(d->n_polls),
		 READ_ONCE(d->n_sleeps),
		 atomic_long_read(&d->n_cbs_invoked),
		 atomic_long_read(&d->n_cbs_queued),
		 div_u64(READ_ONCE(d->gp_ns_total), gps * NSEC_PER_USEC),
		 div_u64(READ_ONCE(d->gp_ns_max), NSEC_PER_USEC),
		 div_u64(READ_ONCE(d->mb_ns_total), gps * NSEC_PER_USEC),
		 div_u64(READ_ONCE(d->mb_ns_max), NSEC_PER_USEC));
}

/*
 * One set of functions serves every klab domain: there is one run at a
 * time, and its ops name the domain it tortures.
 */
static struct krcu_domain *krcu_torture_dom(void)
{
	return kt->type->domain;
}

static int krcu_dom_readlock(void)
{
	return krcu_read_lock(krcu_torture_dom());
}

static void krcu_dom_readunlock(int idx)
{
	krcu_read_unlock(krcu_torture_dom(), idx);
}

static unsigned long krcu_dom_gp_seq(void)
{
	return krcu_completed(krcu_torture_dom());
}

static void krcu_dom_call(struct rcu_head *head, rcu_callback_t func)
{
	krcu_call(krcu_torture_dom(), head, func);
}

static void krcu_dom_sync(void)
{
	krcu_synchronize(krcu_torture_dom());
}

static void krcu_dom_exp_sync(void)
{
	krcu_synchronize_expedited(krcu_torture_dom());
}

static void krcu_dom_barrier(void)
{
	krcu_barrier(krcu_torture_dom());
}

static void krcu_dom_stats(void)
{
	krcu_domain_stats(krcu_torture_dom());
}

static unsigned long krcu_dom_hold_seq(void)
{
	return krcu_gp_seq(krcu_torture_dom());
}

static bool krcu_dom_gp_waits(int idx, unsigned long seen)
{
	return krcu_gp_waits_for(krcu_torture_dom(), idx, seen);
}

static const struct krcu_torture_ops krcu_klab_ops = {
	.readlock	= krcu_dom_readlock,
	.readunlock	= krcu_dom_readunlock,
	.get_gp_seq	= krcu_dom_gp_seq,
	.call		= krcu_dom_call,
	.sync		= krcu_dom_sync,
	.exp_sync	= krcu_dom_exp_sync,
	.cb_barrier	= krcu_dom_barrier,
	.stats		= krcu_dom_stats,
	.hold_seq	= krcu_dom_hold_seq,
	.gp_waits	= krcu_dom_gp_waits,
};

static void krcu_no_barrier(void)
{
	/* This is a deliberate bug for testing purposes only! */
}

static void krcu_stall_start(void)
{
	krcu_stall(&krcu_busted_stall, true);
}

static void krcu_stall_stop(void)
{
	krcu_stall(&krcu_busted_stall, false);
}

/*
 * The types, in krcu_torture_types[] order.  The negative controls are
 * klab RCU with one thing broken:
 * - busted_rcu: grace periods flip the index and end, waiting for no
 *   reader (rcutorture's "busted" has no grace period at all; this one
 *   still runs its callbacks from the GP machinery);
 * - busted_barrier: the barrier the barrier check calls does not wait;
 * - busted_stall: grace periods stall for the whole run.
 */
static const struct krcu_torture_type krcu_torture_type_table[] = {
	{ .name = "rcu", .ops = &krcu_rcu_ops },
	{ .name = "srcu", .ops = &krcu_srcu_ops },
	{ .name = "klab_rcu", .ops = &krcu_klab_ops, .domain = &krcu_main },
	{ .name = "busted_rcu", .ops = &krcu_klab_ops,
	  .domain = &krcu_busted_gp },
	{ .name = "busted_barrier", .ops = &krcu_klab_ops,
	  .domain = &krcu_main, .checked_barrier = krcu_no_barrier },
	{ .name = "busted_stall", .ops = &krcu_klab_ops,
	  .domain = &krcu_busted_stall, .start = krcu_stall_start,
	  .stop = krcu_stall_stop },
};

static const char * const krcu_torture_types[] = {
	"rcu", "srcu", "klab_rcu", "busted_rcu", "busted_barrier",
	"busted_stall", NULL,
};

/* ---- the pool and the pipe ----------------------------------------- */

static struct krcu_tort *krcu_tort_alloc(void)
{
	struct krcu_tort *p;

	spin_lock_bh(&kt->lock);
	p = list_first_entry_or_null(&kt->freelist, struct krcu_tort,
				     rtort_free);
	if (p) {
		list_del_init(&p->rtort_free);
		WRITE_ONCE(p->rtort_gen, p->rtort_gen + 1);
	}
	spin_unlock_bh(&kt->lock);
	atomic_inc(p ? &kt->n_alloc : &kt->n_alloc_fail);
	return p;
}

static void krcu_tort_free(struct krcu_tort *p)
{
	atomic_inc(&kt->n_free);
	spin_lock_bh(&kt->lock);
	list_add_tail(&p->rtort_free, &kt->freelist);
	spin_unlock_bh(&kt->lock);
}

/* Age @rp by one grace period; true once it went through the pipe */
static bool krcu_tort_pipe_update_one(struct krcu_tort *rp)
{
	int i = READ_ONCE(rp->rtort_pipe_count);

	if (i > RCU_TORTURE_PIPE_LEN)
		i = RCU_TORTURE_PIPE_LEN;
	atomic_inc(&kt->wcount[i]);
	WRITE_ONCE(rp->rtort_pipe_count, i + 1);
	if (rp->rtort_pipe_count >= RCU_TORTURE_PIPE_LEN) {
		rp->rtort_mbtest = 0;
		return true;
	}
	return false;
}

/* After a synchronous grace period: age everything the writer retired */
static void krcu_tort_pipe_update(struct krcu_tort *old_rp)
{
	struct krcu_tort *rp, *rp1;

	if (old_rp)
		list_add(&old_rp->rtort_free, &kt->removed);
	list_for_each_entry_safe(rp, rp1, &kt->removed, rtort_free) {
		if (krcu_tort_pipe_update_one(rp)) {
			list_del(&rp->rtort_free);
			krcu_tort_free(rp);
		}
	}
}

static void krcu_tort_cb(struct rcu_head *head)
{
	struct krcu_tort *rp = container_of(head, struct krcu_tort, rtort_rcu);

	/* the run is ending: drop the element; the next run resets the pool */
	if (READ_ONCE(kt->stopping))
		return;
	if (krcu_tort_pipe_update_one(rp))
		krcu_tort_free(rp);
	else
		kt->ops->call(&rp->rtort_rcu, krcu_tort_cb);
}

/* ---- the threads ----------------------------------------------------- */

static int krcu_tort_writer(void *arg)
{
	u64 rand = get_random_u64();
	struct krcu_tort *rp, *old_rp;
	int i;

	set_user_nice(current, 0);
	while (!kthread_should_stop()) {
		WRITE_ONCE(kt->writer_state, RTWS_FIXED_DELAY);
		usleep_range(500, 1000);
		rp = krcu_tort_alloc();
		if (!rp)
			continue;
		rp->rtort_pipe_count = 0;
		WRITE_ONCE(kt->writer_state, RTWS_DELAY);
		udelay(krcu_random(&rand) & 0x3ff);
		WRITE_ONCE(kt->writer_state, RTWS_REPLACE);
		old_rp = rcu_dereference_protected(kt->current_elem, true);
		rp->rtort_mbtest = 1;
		rcu_assign_pointer(kt->current_elem, rp);
		smp_wmb(); /* mods to old_rp follow rcu_assign_pointer() */
		if (old_rp) {
			i = old_rp->rtort_pipe_count;
			if (i > RCU_TORTURE_PIPE_LEN)
				i = RCU_TORTURE_PIPE_LEN;
			atomic_inc(&kt->wcount[i]);
			WRITE_ONCE(old_rp->rtort_pipe_count,
				   old_rp->rtort_pipe_count + 1);
			switch (krcu_random(&rand) % 3) {
			case 0:
				WRITE_ONCE(kt->writer_state, RTWS_DEF_FREE);
				kt->ops->call(&old_rp->rtort_rcu, krcu_tort_cb);
				break;
			case 1:
				WRITE_ONCE(kt->writer_state, RTWS_EXP_SYNC);
				kt->ops->exp_sync();
				krcu_tort_pipe_update(old_rp);
				break;
			default:
				WRITE_ONCE(kt->writer_state, RTWS_SYNC);
				kt->ops->sync();
				krcu_tort_pipe_update(old_rp);
				break;
			}
		}
		WRITE_ONCE(kt->version, kt->version + 1);
		WRITE_ONCE(kt->writer_state, RTWS_STUTTER);
		cond_resched();
	}
	/* let the statistics know the writer is done */
	rcu_assign_pointer(kt->current_elem, NULL);
	WRITE_ONCE(kt->writer_state, RTWS_STOPPING);
	return 0;
}

/* Fake writers only run grace periods, to have several at once */
static int krcu_tort_fakewriter(void *arg)
{
	u64 rand = get_random_u64();

	set_user_nice(current, MAX_NICE);
	while (!kthread_should_stop()) {
		usleep_range(1000, 1000 + (krcu_random(&rand) % 10) * 1000);
		if (krcu_random(&rand) % 2)
			kt->ops->exp_sync();
		else
			kt->ops->sync();
	}
	return 0;
}

/*
 * Delays inside a read-side section, as rcutorture's rcu_read_delay():
 * now and then a long one, more often a short one or a preemption, so
 * that readers overlap grace periods; plus the run's fixed delay.
 */
static void krcu_tort_read_delay(u64 *rand)
{
	const unsigned long shortdelay_us = 200;
	const unsigned long longdelay_ms = 50;
	unsigned int nreaders = kt->p->readers;

	if (kt->p->reader_delay_us)
		udelay(kt->p->reader_delay_us);
	if (!(krcu_random(rand) % (nreaders * 2000 * longdelay_ms)))
		mdelay(longdelay_ms);
	if (!(krcu_random(rand) % (nreaders * 2 * shortdelay_us)))
		udelay(shortdelay_us);
	/* a preemption: kernel RCU forbids voluntary sleeps in sections */
	if (!(krcu_random(rand) % (nreaders * 500)))
		preempt_schedule();
}

/* The stage of @p, or the pipe's end if it was freed and reused */
static int krcu_tort_stage(struct krcu_tort *p, unsigned long gen)
{
	int pipe_count = READ_ONCE(p->rtort_pipe_count);

	smp_rmb(); /* the stage before the generation that vouches for it */
	if (READ_ONCE(p->rtort_gen) != gen ||
	    pipe_count > RCU_TORTURE_PIPE_LEN)
		return RCU_TORTURE_PIPE_LEN;
	return pipe_count;
}

/*
 * Hold the section: see KRCU_HOLD_INTERVAL.  The bound is wall time: a
 * nice-19 reader that yields may be away for a while.
 */
static void krcu_tort_hold(struct krcu_tort *p, unsigned long gen, int idx)
{
	const struct krcu_torture_ops *ops = kt->ops;
	unsigned long v0 = READ_ONCE(kt->version);
	unsigned long seen = ops->hold_seq ? ops->hold_seq() : 0;
	u64 end = ktime_get_ns() + NSEC_PER_USEC *
		  (ops->gp_waits ? KRCU_HOLD_WAIT_MAX_US : KRCU_HOLD_MAX_US);

	while (krcu_tort_stage(p, gen) < 2 && ktime_get_ns() < end &&
	       !kthread_should_stop()) {
		if (ops->gp_waits ? ops->gp_waits(idx, seen) :
				    READ_ONCE(kt->version) - v0 >= 2)
			break;
		udelay(KRCU_HOLD_STEP_US);
		cond_resched();	/* a preemption, allowed in every type */
	}
}

static bool krcu_tort_one_read(u64 *rand, unsigned long *next_hold)
{
	const struct krcu_torture_ops *ops = kt->ops;
	unsigned long started, completed, gen;
	struct krcu_tort *p;
	int pipe_count;
	int idx;

	idx = ops->readlock();
	started = ops->get_gp_seq();
	p = rcu_dereference_check(kt->current_elem, true);
	if (!p) {
		ops->readunlock(idx);
		return false;
	}
	gen = READ_ONCE(p->rtort_gen);
	if (READ_ONCE(p->rtort_mbtest) == 0)
		atomic_inc(&kt->n_mberror);
	krcu_tort_read_delay(rand);
	if (time_after_eq(jiffies, *next_hold)) {
		krcu_tort_hold(p, gen, idx);
		*next_hold = jiffies + KRCU_HOLD_INTERVAL;
	}
	preempt_disable();
	pipe_count = krcu_tort_stage(p, gen);
	completed = ops->get_gp_seq() - started;
	if (completed > RCU_TORTURE_PIPE_LEN)
		completed = RCU_TORTURE_PIPE_LEN;
	__this_cpu_inc(krcu_torture_count[pipe_count]);
	__this_cpu_inc(krcu_torture_batch[completed]);
	preempt_enable();
	ops->readunlock(idx);
	return true;
}

static int krcu_tort_reader(void *arg)
{
	unsigned long lastsleep = jiffies, next_hold = jiffies;
	u64 rand = get_random_u64();

	set_user_nice(current, MAX_NICE);
	while (!kthread_should_stop()) {
		if (!krcu_tort_one_read(&rand, &next_hold))
			schedule_timeout_idle(1);
		if (time_after(jiffies, lastsleep)) {
			usleep_range(500, 1000);
			lastsleep = jiffies + 10;
		}
		cond_resched();
	}
	return 0;
}

static void krcu_tort_barrier_cbf(struct rcu_head *head)
{
	atomic_inc(&kt->barrier_cbs_invoked);
}

static int krcu_tort_barrier_post(void *head)
{
	kt->ops->call(head, krcu_tort_barrier_cbf);
	return 0;
}

/* One callback per online CPU, queued there, then the barrier: all ran? */
static int krcu_tort_barrier(void *arg)
{
	unsigned int n;
	int cpu;

	while (!kthread_should_stop()) {
		atomic_set(&kt->barrier_cbs_invoked, 0);
		n = 0;
		cpus_read_lock();
		for_each_online_cpu(cpu) {
			if (n == nr_cpu_ids)
				break;
			smp_call_on_cpu(cpu, krcu_tort_barrier_post,
					&kt->barrier_heads[n++], false);
		}
		cpus_read_unlock();
		kt->n_barrier_attempts++;
		(kt->type->checked_barrier ?: kt->ops->cb_barrier)();
		if (atomic_read(&kt->barrier_cbs_invoked) != n) {
			kt->n_barrier_errors++;
			pr_alert("%s" TORTURE_FLAG
				 "!!! barrier_cbs_invoked = %d, n_barrier_cbs = %u\n",
				 kt->type->name,
				 atomic_read(&kt->barrier_cbs_invoked), n);
			/*
			 * The heads are reused: wait for the stragglers,
			 * or leave them to the run's final barrier.
			 */
			while (atomic_read(&kt->barrier_cbs_invoked) != n) {
				if (kthread_should_stop())
					return 0;
				schedule_timeout_idle(1);
			}
		} else {
			kt->n_barrier_successes++;
		}
		schedule_timeout_idle(HZ / 10);
	}
	return 0;
}

/* ---- statistics ------------------------------------------------------ */

static void krcu_tort_sums(long *pipe, long *batch)
{
	int cpu, i;

	memset(pipe, 0, sizeof(long) * (RCU_TORTURE_PIPE_LEN + 1));
	memset(batch, 0, sizeof(long) * (RCU_TORTURE_PIPE_LEN + 1));
	for_each_possible_cpu(cpu) {
		for (i = 0; i <= RCU_TORTURE_PIPE_LEN; i++) {
			pipe[i] += READ_ONCE(per_cpu(krcu_torture_count, cpu)[i]);
			batch[i] += READ_ONCE(per_cpu(krcu_torture_batch, cpu)[i]);
		}
	}
}

/* Highest stage any reader saw an element at */
static int krcu_tort_max_stage(const long *counts)
{
	int i;

	for (i = RCU_TORTURE_PIPE_LEN; i > 0; i--)
		if (counts[i])
			break;
	return i;
}

/* rcutorture_stats_print()'s lines, one printk each */
static void krcu_tort_stats_print(void)
{
	long pipe[RCU_TORTURE_PIPE_LEN + 1], batch[RCU_TORTURE_PIPE_LEN + 1];
	const char *type = kt->type->name;
	struct krcu_tort *rtcp;
	char buf[256];
	int len, i;

	krcu_tort_sums(pipe, batch);

	rtcp = rcu_access_pointer(kt->current_elem);
	pr_alert(TORTURE_PREFIX
		 "rtc: %p %s: %lu tfle: %d rta: %d rtaf: %d rtf: %d rtmbe: %d rtmbkf: %d/%d rtbe: %ld rtbke: %ld rtbre: %ld rtbf: %ld rtb: %ld nt: %ld onoff: %ld/%ld:%ld/%ld %d,%d:%d,%d %lu:%lu (HZ=%d) barrier: %ld/%ld:%ld read-exits: %ld nocb-toggles: %ld:%ld\n",
		 type, rtcp, rtcp ? "ver" : "VER",
		 READ_ONCE(kt->version), list_empty(&kt->freelist),
		 atomic_read(&kt->n_alloc), atomic_read(&kt->n_alloc_fail),
		 atomic_read(&kt->n_free), atomic_read(&kt->n_mberror), 0, 0,
		 kt->n_barrier_errors, 0L, 0L, 0L, 0L, 0L,
		 0L, 0L, 0L, 0L, -1, 0, -1, 0, 0UL, 0UL, HZ,
		 kt->n_barrier_successes, kt->n_barrier_attempts,
		 kt->n_barrier_errors, 0L, 0L, 0L);

	len = 0;
	if (atomic_read(&kt->n_mberror) || kt->n_barrier_errors ||
	    krcu_tort_max_stage(pipe) > 1 || krcu_tort_max_stage(batch) > 1) {
		len += scnprintf(buf + len, sizeof(buf) - len, "%s", "!!! ");
		kt->n_errors++;
	}
	len += scnprintf(buf + len, sizeof(buf) - len, "Reader Pipe: ");
	for (i = 0; i <= RCU_TORTURE_PIPE_LEN; i++)
		len += scnprintf(buf + len, sizeof(buf) - len, " %ld", pipe[i]);
	pr_alert("%s%s %s\n", type, TORTURE_FLAG, buf);

	len = scnprintf(buf, sizeof(buf), "Reader Batch: ");
	for (i = 0; i <= RCU_TORTURE_PIPE_LEN; i++)
		len += scnprintf(buf + len, sizeof(buf) - len, " %ld", batch[i]);
	pr_alert("%s%s %s\n", type, TORTURE_FLAG, buf);

	len = scnprintf(buf, sizeof(buf), "Free-Block Circulation: ");
	for (i = 0; i <= RCU_TORTURE_PIPE_LEN; i++)
		len += scnprintf(buf + len, sizeof(buf) - len, " %d",
				 atomic_read(&kt->wcount[i]));
	pr_alert("%s%s %s\n", type, TORTURE_FLAG, buf);

	if (kt->ops->stats)
		kt->ops->stats();
}

static void krcu_tort_print_parms(const char *tag)
{
	const struct krcu_params *p = kt->p;

	pr_alert("%s" TORTURE_FLAG
		 "--- %s: nreaders=%d nfakewriters=%d stat_interval=%d verbose=%d test_no_idle_hz=%d shuffle_interval=%d stutter=%d irqreader=%d fqs_duration=%d fqs_holdoff=%d fqs_stutter=%d test_boost=%d/%d test_boost_interval=%d test_boost_duration=%d shutdown_secs=%d stall_cpu=%d stall_cpu_holdoff=%d stall_cpu_irqsoff=%d stall_cpu_block=%d n_barrier_cbs=%d onoff_interval=%d onoff_holdoff=%d read_exit_delay=%d read_exit_burst=%d nocbs_nthreads=%d nocbs_toggle=%d\n",
		 kt->type->name, tag, p->readers, p->writers,
		 p->stat_interval_s, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		 p->duration_s, 0, 0, 0, 0, num_online_cpus(), 0, 0, 0, 0,
		 0, 0);
}

/* rcutorture's "??? Writer stall state" line, once per stall */
static void krcu_tort_writer_stalled(void)
{
	struct task_struct *wtp = kt->writer_task;
	int state = READ_ONCE(kt->writer_state);

	kt->n_writer_stalls++;
	kt->n_errors++;
	pr_alert("??? Writer stall state %s(%d) g%lu f%#x ->state %#x cpu %d\n",
		 state < ARRAY_SIZE(krcu_writer_state_names) &&
		 krcu_writer_state_names[state] ?
		 krcu_writer_state_names[state] : "???", state,
		 kt->ops->get_gp_seq(), 0, READ_ONCE(wtp->__state),
		 (int)task_cpu(wtp));
}

/* ---- the run ---------------------------------------------------------- */

static void krcu_torture_defaults(struct krcu_params *p)
{
	if (!p->readers)
		p->readers = max(num_online_cpus() - 1, 1U);
	if (!p->writers)
		p->writers = 4;
	if (!p->duration_s)
		p->duration_s = 10;
	if (!p->stat_interval_s)
		p->stat_interval_s = 60;
}

static u64 krcu_torture_expected_ns(const struct krcu_params *p)
{
	return (u64)p->duration_s * NSEC_PER_SEC;
}

static void krcu_torture_stop_threads(struct task_struct **tasks,
				      unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (tasks[i])
			kthread_stop(tasks[i]);
}

/* The threads: [0] writer, [1] barrier, then fake writers, then readers */
static int krcu_torture_start_threads(struct task_struct **tasks)
{
	const struct krcu_params *p = kt->p;
	unsigned int i, n = 0;

	tasks[n] = kthread_run(krcu_tort_writer, NULL, "klab_tort_writer");
	if (IS_ERR(tasks[n]))
		goto err;
	kt->writer_task = tasks[n++];
	tasks[n] = kthread_run(krcu_tort_barrier, NULL, "klab_tort_barrier");
	if (IS_ERR(tasks[n]))
		goto err;
	n++;
	for (i = 0; i < p->writers; i++, n++) {
		tasks[n] = kthread_run(krcu_tort_fakewriter, NULL,
				       "klab_tort_fakewriter/%u", i);
		if (IS_ERR(tasks[n]))
			goto err;
	}
	for (i = 0; i < p->readers; i++, n++) {
		tasks[n] = kthread_run(krcu_tort_reader, NULL,
				       "klab_tort_reader/%u", i);
		if (IS_ERR(tasks[n]))
			goto err;
	}
	return 0;

err:
	{
		int err = PTR_ERR(tasks[n]);

		tasks[n] = NULL;
		krcu_torture_stop_threads(tasks, n);
		memset(tasks, 0, n * sizeof(*tasks));
		return err;
	}
}

static void krcu_torture_reset(void)
{
	unsigned int i;
	int cpu;

	INIT_LIST_HEAD(&kt->freelist);
	INIT_LIST_HEAD(&kt->removed);
	spin_lock_init(&kt->lock);
	for (i = 0; i < ARRAY_SIZE(kt->pool); i++) {
		kt->pool[i].rtort_mbtest = 0;
		list_add_tail(&kt->pool[i].rtort_free, &kt->freelist);
	}
	for (i = 0; i <= RCU_TORTURE_PIPE_LEN; i++)
		atomic_set(&kt->wcount[i], 0);
	for_each_possible_cpu(cpu) {
		memset(per_cpu(krcu_torture_count, cpu), 0,
		       sizeof(per_cpu(krcu_torture_count, cpu)));
		memset(per_cpu(krcu_torture_batch, cpu), 0,
		       sizeof(per_cpu(krcu_torture_batch, cpu)));
	}
}

/* The controller: statistics, the writer-stall watch, the end */
static void krcu_torture_watch(void)
{
	unsigned long end = jiffies + kt->p->duration_s * HZ;
	unsigned long next_stats = jiffies + kt->p->stat_interval_s * HZ;
	unsigned long last_version = READ_ONCE(kt->version);
	unsigned long last_progress = jiffies;
	bool stalled = false;

	while (time_before(jiffies, end) &&
	       krcu_run_sleep(min_t(unsigned long, HZ, end - jiffies))) {
		if (READ_ONCE(kt->version) != last_version) {
			last_version = READ_ONCE(kt->version);
			last_progress = jiffies;
			stalled = false;
		} else if (!stalled &&
			   time_after(jiffies, last_progress +
				      KRCU_WRITER_STALL_S * HZ)) {
			krcu_tort_writer_stalled();
			stalled = true;
		}
		if (time_after_eq(jiffies, next_stats)) {
			krcu_tort_stats_print();
			next_stats = jiffies + kt->p->stat_interval_s * HZ;
		}
	}
}

static void krcu_torture_report(struct krcu_run *run, long circulated)
{
	long pipe[RCU_TORTURE_PIPE_LEN + 1], batch[RCU_TORTURE_PIPE_LEN + 1];
	u64 v[RCU_TORTURE_PIPE_LEN + 1];
	struct krcu_group *g;
	u64 reads = 0;
	int i;

	krcu_tort_sums(pipe, batch);
	g = krcu_run_group(run, "%s", kt->type->name);
	for (i = 0; i <= RCU_TORTURE_PIPE_LEN; i++)
		reads += pipe[i];
	krcu_group_stat(g, "errors", kt->n_errors);
	krcu_group_stat(g, "readers", kt->p->readers);
	krcu_group_stat(g, "fake_writers", kt->p->writers);
	krcu_group_stat(g, "duration_s", kt->p->duration_s);
	krcu_group_stat(g, "reader_delay_us", kt->p->reader_delay_us);
	krcu_group_stat(g, "version", kt->version);
	krcu_group_stat(g, "gps", kt->ops->get_gp_seq() - kt->start_gp_seq);
	krcu_group_stat(g, "reads", reads);
	krcu_group_stat(g, "max_pipe_stage", krcu_tort_max_stage(pipe));
	krcu_group_stat(g, "max_batch", krcu_tort_max_stage(batch));
	krcu_group_stat(g, "allocs", atomic_read(&kt->n_alloc));
	krcu_group_stat(g, "alloc_failures", atomic_read(&kt->n_alloc_fail));
	krcu_group_stat(g, "frees", atomic_read(&kt->n_free));
	krcu_group_stat(g, "circulated", circulated);
	krcu_group_stat(g, "mb_errors", atomic_read(&kt->n_mberror));
	krcu_group_stat(g, "barrier_attempts", kt->n_barrier_attempts);
	krcu_group_stat(g, "barrier_successes", kt->n_barrier_successes);
	krcu_group_stat(g, "barrier_errors", kt->n_barrier_errors);
	krcu_group_stat(g, "writer_stalls", kt->n_writer_stalls);
	for (i = 0; i <= RCU_TORTURE_PIPE_LEN; i++)
		v[i] = pipe[i];
	krcu_group_series(g, "reader_pipe", v, RCU_TORTURE_PIPE_LEN + 1);
	for (i = 0; i <= RCU_TORTURE_PIPE_LEN; i++)
		v[i] = batch[i];
	krcu_group_series(g, "reader_batch", v, RCU_TORTURE_PIPE_LEN + 1);
	for (i = 0; i <= RCU_TORTURE_PIPE_LEN; i++)
		v[i] = atomic_read(&kt->wcount[i]);
	krcu_group_series(g, "free_block_circulation", v,
			  RCU_TORTURE_PIPE_LEN + 1);
}

static void krcu_torture_run(struct krcu_run *run)
{
	const struct krcu_torture_type *type = NULL;
	const struct krcu_torture_ops *ops;
	struct task_struct **tasks;
	unsigned int i, nthreads;
	long circulated;
	int err;

	for (i = 0; i < ARRAY_SIZE(krcu_torture_type_table); i++)
		if (!strcmp(krcu_torture_type_table[i].name, run->params.type))
			type = &krcu_torture_type_table[i];
	if (WARN_ON_ONCE(!type))
		return;
	ops = type->ops;

	kt = kzalloc(sizeof(*kt), GFP_KERNEL);
	if (!kt)
		return;
	kt->type = type;
	kt->ops = ops;
	kt->p = &run->params;
	nthreads = 2 + run->params.writers + run->params.readers;
	tasks = kcalloc(nthreads, sizeof(*tasks), GFP_KERNEL);
	kt->barrier_heads = kcalloc(nr_cpu_ids, sizeof(*kt->barrier_heads),
				    GFP_KERNEL);
	if (!tasks || !kt->barrier_heads)
		goto out_free;
	krcu_torture_reset();

	if (ops->init) {
		err = ops->init();
		if (err)
			goto out_free;
	}
	kt->start_gp_seq = ops->get_gp_seq();
	krcu_tort_print_parms("Start of test");
	pr_alert("%s" TORTURE_FLAG " klab: duration=%u reader_delay_us=%u\n",
		 type->name, run->params.duration_s,
		 run->params.reader_delay_us);
	if (type->start)
		type->start();
	err = krcu_torture_start_threads(tasks);
	if (err) {
		pr_alert("%s" TORTURE_FLAG "!!! cannot start threads: %d\n",
			 type->name, err);
		kt->n_errors++;
	} else {
		krcu_torture_watch();
	}

	/* rcutorture's order: the writer, then the rest */
	if (type->stop)
		type->stop();
	krcu_torture_stop_threads(tasks, nthreads);
	pr_alert("%s:  End-test grace-period state: g%ld f%#x total-gps=%ld\n",
		 type->name, (long)ops->get_gp_seq(), 0,
		 (long)(ops->get_gp_seq() - kt->start_gp_seq));
	/* every callback of the run, then the type's own cleanup */
	ops->cb_barrier();
	WRITE_ONCE(kt->stopping, true);
	ops->cb_barrier();
	if (ops->cleanup)
		ops->cleanup();

	krcu_tort_stats_print();
	circulated = atomic_read(&kt->wcount[RCU_TORTURE_PIPE_LEN - 1]);
	if (!circulated && !kt->n_errors) {
		pr_alert("%s" TORTURE_FLAG
			 "!!! Free-Block Circulation: no element went through the pipe\n",
			 type->name);
		kt->n_errors++;
	}
	run->success = !kt->n_errors && !err;
	krcu_tort_print_parms(run->success ? "End of test: SUCCESS" :
			      "End of test: FAILURE");
	krcu_torture_report(run, circulated);

out_free:
	kfree(kt->barrier_heads);
	kfree(tasks);
	kfree(kt);
	kt = NULL;
}

const struct krcu_harness krcu_torture_harness = {
	.name = "torture",
	.types = krcu_torture_types,
	.defaults = krcu_torture_defaults,
	.expected_ns = krcu_torture_expected_ns,
	.run = krcu_torture_run,
};
