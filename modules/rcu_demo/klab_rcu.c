// SPDX-License-Identifier: GPL-2.0
/*
 * klab RCU: a grace-period RCU of its own, not a wrapper of the kernel's.
 *
 * Readers count themselves in per-CPU counters, two banks selected by the
 * domain's index, as SRCU does; unlike SRCU they issue no memory barrier.
 * A grace period flips the index so that new readers use the other bank,
 * sends an IPI to every CPU that executes smp_mb() there, and then polls
 * the old bank's counters until its readers have all left.  The one heavy
 * barrier on the update side stands for the barriers SRCU's readers
 * execute, and because readers fetch the index and count themselves with
 * interrupts off, no reader counts itself in the old bank after the IPI:
 * the old bank's lock counts are final, there are no stragglers, and
 * unlike SRCU a grace period needs a single scan phase (see README.md for
 * the orderings, step by step).
 *
 * A kthread per domain runs grace periods on demand; another invokes
 * callbacks whose grace period has ended, in the order they were queued,
 * which is what krcu_barrier() relies on.  Expedited callers run the
 * grace period themselves and poll faster.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/smp.h>

#include "rcu_demo.h"

struct krcu_domain krcu_main;
struct krcu_domain krcu_busted_gp;
struct krcu_domain krcu_busted_stall;

/*
 * Polls of the old bank, which cost no IPI: a few close together (most
 * sections are short, as SRCU's try_check_zero() assumes), then sleeps
 * from KRCU_POLL_SLEEP_US doubling up to KRCU_POLL_SLEEP_MAX_US, so that
 * a reader in a long section gets the CPU.  Expedited grace periods poll
 * longer and sleep shorter.
 */
#define KRCU_POLL_SPINS		4
#define KRCU_POLL_SPIN_US	5
#define KRCU_POLL_SLEEP_US	100
#define KRCU_POLL_SLEEP_MAX_US	(2 * USEC_PER_SEC / HZ)
#define KRCU_POLL_EXP_SPINS	20
#define KRCU_POLL_EXP_SPIN_US	2
#define KRCU_POLL_EXP_SLEEP_US	20
#define KRCU_POLL_EXP_SLEEP_MAX_US	640

static void krcu_cblist_init(struct krcu_cblist *l)
{
	l->head = NULL;
	l->tail = &l->head;
	l->len = 0;
}

static void krcu_cblist_enqueue(struct krcu_cblist *l, struct rcu_head *h)
{
	h->next = NULL;
	*l->tail = h;
	l->tail = &h->next;
	l->len++;
}

/* Append all of @from to @to and empty @from */
static void krcu_cblist_splice(struct krcu_cblist *to, struct krcu_cblist *from)
{
	if (!from->head)
		return;
	*to->tail = from->head;
	to->tail = from->tail;
	to->len += from->len;
	krcu_cblist_init(from);
}

static void krcu_ipi_mb(void *unused)
{
	smp_mb(); /* A: the readers' barriers, executed on their CPU */
}

/*
 * A full memory barrier on every online CPU, in program order wherever
 * each CPU is, outside any reader's interrupts-off index fetch.  This CPU
 * runs the function directly.
 */
static void krcu_heavy_mb(struct krcu_domain *d)
{
	u64 t0 = ktime_get_ns(), dt;

	on_each_cpu(krcu_ipi_mb, NULL, 1);
	dt = ktime_get_ns() - t0;
	d->mb_ns_total += dt;
	d->mb_ns_max = max(d->mb_ns_max, dt);
}

static unsigned long krcu_sum(struct krcu_domain *d, bool unlocks, int idx)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct krcu_pcpu *c = per_cpu_ptr(d->pcpu, cpu);

		sum += unlocks ? READ_ONCE(c->unlock[idx]) :
				 READ_ONCE(c->lock[idx]);
	}
	return sum;
}

/*
 * Have all readers of bank @idx left?  After the flip's heavy barrier the
 * bank's lock counts are final and visible here, so the bank is empty
 * once the unlocks add up to them.  Unlocks are summed first all the
 * same: a reader counts its lock before its unlock, so a sum of locks
 * read after the unlocks is never the smaller one.
 */
static bool krcu_readers_gone(struct krcu_domain *d, int idx)
{
	unsigned long unlocks;

	d->n_polls++;
	unlocks = krcu_sum(d, true, idx);
	smp_rmb(); /* the unlocks before the locks */
	if (krcu_sum(d, false, idx) == unlocks)
		return true;
	d->n_busy_polls++;
	/* a GP is seen waiting for this bank's readers: the torture's hold */
	WRITE_ONCE(d->busy_seq[idx], d->gp_seq);
	return false;
}

static void krcu_wait_readers(struct krcu_domain *d, int idx, bool expedited)
{
	unsigned int tries, sleep_us = 0;

	for (tries = 0; !krcu_readers_gone(d, idx); tries++) {
		bool exp = expedited || atomic_read(&d->n_exp);

		if (tries < (exp ? KRCU_POLL_EXP_SPINS : KRCU_POLL_SPINS)) {
			udelay(exp ? KRCU_POLL_EXP_SPIN_US : KRCU_POLL_SPIN_US);
			cond_resched();
			continue;
		}
		/* readers are in long sections: let them run */
		if (!sleep_us)
			sleep_us = exp ? KRCU_POLL_EXP_SLEEP_US :
					 KRCU_POLL_SLEEP_US;
		else
			sleep_us = min(2 * sleep_us,
				       exp ? KRCU_POLL_EXP_SLEEP_MAX_US :
					     KRCU_POLL_SLEEP_MAX_US);
		d->n_sleeps++;
		usleep_idle_range(sleep_us, sleep_us + sleep_us / 4);
	}
	/*
	 * On x86 (TSO) a reader's unlock becomes visible only after its
	 * section's loads completed.  A weakly ordered CPU gives no such
	 * promise: one more barrier on every CPU then orders them.
	 */
	if (!IS_ENABLED(CONFIG_X86))
		krcu_heavy_mb(d);
}

/* Point new readers at the other bank; return the old one */
static int krcu_flip(struct krcu_domain *d)
{
	int old = d->idx & 1;

	/*
	 * E: the updates that asked for this GP come before the flip; D:
	 * the flip comes before the IPIs (on_each_cpu() orders it too).
	 */
	smp_mb(); /* E: the updates before the flip */
	WRITE_ONCE(d->idx, d->idx + 1);
	smp_mb(); /* D: the flip before the IPIs */
	return old;
}

/* Start a GP if one is needed; the callbacks queued so far wait for it */
static bool krcu_gp_start(struct krcu_domain *d)
{
	bool started = false;

	spin_lock_irq(&d->lock);
	if (!krcu_seq_done(d->gp_seq, d->gp_seq_needed)) {
		WRITE_ONCE(d->gp_seq, d->gp_seq + KRCU_SEQ_FLIP);
		krcu_cblist_splice(&d->wait, &d->next);
		d->wait_seq = krcu_seq_end(d->gp_seq);
		d->gp_start_ns = ktime_get_ns();
		started = true;
	}
	spin_unlock_irq(&d->lock);
	return started;
}

static void krcu_gp_end(struct krcu_domain *d, bool expedited)
{
	u64 dt = ktime_get_ns() - d->gp_start_ns;
	bool cbs;

	/* everything the readers did happens before the GP ends */
	smp_mb();
	spin_lock_irq(&d->lock);
	/* pairs with the acquire loads of krcu_synchronize() */
	smp_store_release(&d->gp_seq, krcu_seq_end(d->gp_seq));
	d->n_gps++;
	if (expedited)
		d->n_exp_gps++;
	d->gp_ns_total += dt;
	d->gp_ns_max = max(d->gp_ns_max, dt);
	if (krcu_seq_done(d->gp_seq, d->wait_seq))
		krcu_cblist_splice(&d->done, &d->wait);
	cbs = d->done.head;
	spin_unlock_irq(&d->lock);

	if (cbs)
		wake_up(&d->cb_wq);
	wake_up_all(&d->sync_wq);
}

/*
 * Run one grace period, if one is needed.  Called with ->gp_mutex held.
 *
 *   FLIP:  idx++ (new readers count in the other bank), then the heavy
 *          barrier: every reader of the old bank is counted and visible
 *   DRAIN: poll until the old bank's unlocks equal its locks
 */
static void krcu_gp_run(struct krcu_domain *d, bool expedited)
{
	int old;

	lockdep_assert_held(&d->gp_mutex);

	if (!krcu_gp_start(d))
		return;

	/* TASK_IDLE: a planted stall is no hung task */
	if (d->bug == KRCU_BUG_STALL)
		wait_event_idle(d->sync_wq, !READ_ONCE(d->stalled));

	old = krcu_flip(d);
	krcu_heavy_mb(d);
	WRITE_ONCE(d->gp_seq, d->gp_seq + 1); /* FLIP -> DRAIN */
	/* This is a deliberate bug for testing purposes only! */
	if (d->bug != KRCU_BUG_NO_WAIT)
		krcu_wait_readers(d, old, expedited);

	krcu_gp_end(d, expedited);
}

static bool krcu_gp_needed(struct krcu_domain *d)
{
	return !krcu_seq_done(READ_ONCE(d->gp_seq),
			      READ_ONCE(d->gp_seq_needed));
}

static int krcu_gp_kthread(void *arg)
{
	struct krcu_domain *d = arg;

	while (!kthread_should_stop()) {
		wait_event_idle(d->gp_wq,
				krcu_gp_needed(d) || kthread_should_stop());
		mutex_lock(&d->gp_mutex);
		krcu_gp_run(d, false);
		mutex_unlock(&d->gp_mutex);
	}
	return 0;
}

static int krcu_cb_kthread(void *arg)
{
	struct krcu_domain *d = arg;

	while (!kthread_should_stop()) {
		struct krcu_cblist ready;
		struct rcu_head *h, *next;

		wait_event_idle(d->cb_wq,
				READ_ONCE(d->done.head) || kthread_should_stop());
		spin_lock_irq(&d->lock);
		ready = d->done;	/* only ready.head is used below */
		krcu_cblist_init(&d->done);
		spin_unlock_irq(&d->lock);

		/* callbacks expect to run with BHs off, as RCU's do */
		local_bh_disable();
		for (h = ready.head; h; h = next) {
			rcu_callback_t func = h->func;

			next = h->next;
			func(h);
			atomic_long_inc(&d->n_cbs_invoked);
		}
		local_bh_enable();
		cond_resched();
	}
	return 0;
}

/* Ask for a grace period that starts after now; returns the snapshot */
static unsigned long krcu_request_gp(struct krcu_domain *d, bool wake)
{
	unsigned long flags, s;

	spin_lock_irqsave(&d->lock, flags);
	s = krcu_seq_snap(d->gp_seq);
	if (!krcu_seq_done(d->gp_seq_needed, s))
		d->gp_seq_needed = s;
	spin_unlock_irqrestore(&d->lock, flags);
	if (wake)
		wake_up(&d->gp_wq);
	return s;
}

static bool krcu_gp_reached(struct krcu_domain *d, unsigned long s)
{
	/* acquire: pairs with krcu_gp_end()'s release */
	return krcu_seq_done(smp_load_acquire(&d->gp_seq), s);
}

/**
 * krcu_synchronize - wait for a klab RCU grace period
 * @d: the domain
 *
 * Returns once every reader of @d that entered before the call has
 * left.  Concurrent callers share grace periods.  Process context only.
 */
void krcu_synchronize(struct krcu_domain *d)
{
	unsigned long s;

	might_sleep();
	s = krcu_request_gp(d, true);
	wait_event_idle(d->sync_wq, krcu_gp_reached(d, s));
	smp_mb(); /* what the caller does next comes after the GP */
}

/**
 * krcu_synchronize_expedited - wait for a klab RCU grace period, fast
 * @d: the domain
 *
 * As krcu_synchronize(), but the caller runs the grace period itself
 * and polls the readers faster than the kthread does; a grace
 * period already being run by the kthread polls too while expedited
 * callers wait.
 */
void krcu_synchronize_expedited(struct krcu_domain *d)
{
	unsigned long s;

	might_sleep();
	atomic_inc(&d->n_exp);
	s = krcu_request_gp(d, false);
	mutex_lock(&d->gp_mutex);
	while (!krcu_seq_done(READ_ONCE(d->gp_seq), s))
		krcu_gp_run(d, true);
	mutex_unlock(&d->gp_mutex);
	atomic_dec(&d->n_exp);
	smp_mb(); /* what the caller does next comes after the GP */
}

/**
 * krcu_call - invoke a callback after a klab RCU grace period
 * @d: the domain
 * @head: the callback's rcu_head, usually in the object to free
 * @func: the callback
 *
 * Never sleeps; any context but NMI.  Callbacks run in a kthread, BHs
 * off, in the order they were queued.
 */
void krcu_call(struct krcu_domain *d, struct rcu_head *head,
	       rcu_callback_t func)
{
	unsigned long flags;

	head->func = func;
	spin_lock_irqsave(&d->lock, flags);
	krcu_cblist_enqueue(&d->next, head);
	spin_unlock_irqrestore(&d->lock, flags);
	atomic_long_inc(&d->n_cbs_queued);
	krcu_request_gp(d, true);
}

struct krcu_barrier_head {
	struct rcu_head head;
	struct completion done;
};

static void krcu_barrier_cb(struct rcu_head *head)
{
	struct krcu_barrier_head *b = container_of(head, typeof(*b), head);

	complete(&b->done);
}

/**
 * krcu_barrier - wait for every callback queued before the call
 * @d: the domain
 *
 * Queues a callback of its own and waits for it: callbacks run in the
 * order they were queued, so every earlier one has run by then.
 */
void krcu_barrier(struct krcu_domain *d)
{
	struct krcu_barrier_head b;

	might_sleep();
	init_completion(&b.done);
	krcu_call(d, &b.head, krcu_barrier_cb);
	wait_for_completion(&b.done);
}

/* Completed grace periods, for the torture harness's Reader Batch */
unsigned long krcu_completed(struct krcu_domain *d)
{
	/* acquire: pairs with krcu_gp_end()'s release */
	return krcu_seq_completed(smp_load_acquire(&d->gp_seq));
}

/* The grace-period sequence now, for krcu_gp_waits_for() */
unsigned long krcu_gp_seq(struct krcu_domain *d)
{
	return READ_ONCE(d->gp_seq);
}

/*
 * For the torture harness: has a grace period that must wait for a reader
 * of bank @idx, inside since the sequence was @seen, found it there?
 */
bool krcu_gp_waits_for(struct krcu_domain *d, int idx, unsigned long seen)
{
	return krcu_seq_drain_waits(READ_ONCE(d->busy_seq[idx & 1]), seen);
}

/* Is any reader of @d inside a critical section?  For diagnostics. */
bool krcu_readers_active(struct krcu_domain *d)
{
	return krcu_sum(d, false, 0) + krcu_sum(d, false, 1) !=
	       krcu_sum(d, true, 0) + krcu_sum(d, true, 1);
}

/* KRCU_BUG_STALL: hold grace periods back, or let them go */
void krcu_stall(struct krcu_domain *d, bool stall)
{
	WRITE_ONCE(d->stalled, stall);
	if (!stall)
		wake_up_all(&d->sync_wq);
}

int krcu_domain_init(struct krcu_domain *d, const char *name,
		     enum krcu_bug bug)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->name = name;
	d->bug = bug;
	d->pcpu = alloc_percpu(struct krcu_pcpu);
	if (!d->pcpu)
		return -ENOMEM;
	mutex_init(&d->gp_mutex);
	spin_lock_init(&d->lock);
	krcu_cblist_init(&d->next);
	krcu_cblist_init(&d->wait);
	krcu_cblist_init(&d->done);
	init_waitqueue_head(&d->gp_wq);
	init_waitqueue_head(&d->cb_wq);
	init_waitqueue_head(&d->sync_wq);
	atomic_set(&d->n_exp, 0);
	atomic_long_set(&d->n_cbs_queued, 0);
	atomic_long_set(&d->n_cbs_invoked, 0);

	d->gp_task = kthread_run(krcu_gp_kthread, d, "%s_gp", name);
	if (IS_ERR(d->gp_task)) {
		err = PTR_ERR(d->gp_task);
		goto err_free_pcpu;
	}
	d->cb_task = kthread_run(krcu_cb_kthread, d, "%s_cb", name);
	if (IS_ERR(d->cb_task)) {
		err = PTR_ERR(d->cb_task);
		goto err_stop_gp;
	}
	return 0;

err_stop_gp:
	kthread_stop(d->gp_task);
err_free_pcpu:
	free_percpu(d->pcpu);
	return err;
}

/*
 * Tear a domain down.  Its users are gone: wait for their callbacks,
 * then stop the kthreads, the callback one last.
 */
void krcu_domain_destroy(struct krcu_domain *d)
{
	krcu_stall(d, false);
	krcu_barrier(d);
	kthread_stop(d->gp_task);
	kthread_stop(d->cb_task);
	if (krcu_readers_active(d))
		pr_err("%s: readers still active at teardown\n", d->name);
	free_percpu(d->pcpu);
}

int krcu_domains_init(void)
{
	int err;

	err = krcu_domain_init(&krcu_main, "klab_rcu", KRCU_BUG_NONE);
	if (err)
		return err;
	err = krcu_domain_init(&krcu_busted_gp, "busted_rcu",
			       KRCU_BUG_NO_WAIT);
	if (err)
		goto err_destroy_main;
	err = krcu_domain_init(&krcu_busted_stall, "busted_stall",
			       KRCU_BUG_STALL);
	if (err)
		goto err_destroy_busted_gp;
	return 0;

err_destroy_busted_gp:
	krcu_domain_destroy(&krcu_busted_gp);
err_destroy_main:
	krcu_domain_destroy(&krcu_main);
	return err;
}

void krcu_domains_exit(void)
{
	krcu_domain_destroy(&krcu_busted_stall);
	krcu_domain_destroy(&krcu_busted_gp);
	krcu_domain_destroy(&krcu_main);
}
