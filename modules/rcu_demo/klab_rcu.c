// SPDX-License-Identifier: GPL-2.0
/*
 * klab RCU: a grace-period RCU of its own, not a wrapper of the kernel's.
 *
 * Readers count themselves in per-CPU counters, two banks selected by the
 * domain's index, as SRCU does; unlike SRCU they issue no memory barrier.
 * A grace period waits for the readers of the bank that is not current
 * (stragglers of the previous flip), flips the index so new readers use
 * the other bank, and waits for the readers of the old bank.  Each scan
 * sends an IPI to every CPU that executes smp_mb() there: that one
 * heavy barrier on the update side stands for the two barriers SRCU's
 * readers execute (see README.md for the orderings, step by step).
 *
 * A kthread per domain runs grace periods on demand; another invokes
 * callbacks whose grace period has ended, in the order they were queued,
 * which is what krcu_barrier() relies on.  Expedited callers run the
 * grace period themselves and poll instead of sleeping.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/smp.h>

#include "rcu_demo.h"

struct krcu_domain krcu_main;
struct krcu_domain krcu_busted_gp;
struct krcu_domain krcu_busted_stall;

/* Scans a normal GP retries 5 us apart before it sleeps between them */
#define KRCU_SCAN_FAST_TRIES	4
/*
 * Scans an expedited GP retries 2 us apart; then it sleeps between scans,
 * from 50 us doubling up to 1.6 ms: each scan sends IPIs to every CPU, and
 * polling a preempted reader faster only takes CPU time from it.
 */
#define KRCU_SCAN_EXP_SPINS	10
#define KRCU_SCAN_EXP_SLEEP_US	50
#define KRCU_SCAN_EXP_MAX_SHIFT	5

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
	smp_mb(); /* the readers' barrier B or C, executed on their CPU */
}

/*
 * A full memory barrier on every online CPU, in program order wherever
 * each CPU is: a reader's counter increment is either before the barrier
 * (and visible to this CPU once this returns) or after it (and its
 * critical section then sees everything this CPU stored before).
 * This CPU runs the function directly.
 */
static void krcu_heavy_mb(void)
{
	on_each_cpu(krcu_ipi_mb, NULL, 1);
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
 * Were there no readers of bank @idx at some moment during the call?
 * Unlocks are summed before locks, with the heavy barrier between: every
 * unlock counted then has its lock counted too, and a reader whose lock
 * is not counted entered after the barrier, so it cannot hold anything
 * removed before this grace period started.
 */
static bool krcu_readers_gone(struct krcu_domain *d, int idx)
{
	unsigned long unlocks;

	d->n_scans++;
	unlocks = krcu_sum(d, true, idx);
	krcu_heavy_mb(); /* A: pairs with the readers' B and C */
	return krcu_sum(d, false, idx) == unlocks;
}

static void krcu_wait_readers(struct krcu_domain *d, int idx, bool expedited)
{
	unsigned int tries;

	for (tries = 0; !krcu_readers_gone(d, idx); tries++) {
		d->n_scan_retries++;
		if (expedited || atomic_read(&d->n_exp)) {
			unsigned int us = KRCU_SCAN_EXP_SLEEP_US;

			if (tries < KRCU_SCAN_EXP_SPINS) {
				udelay(2);
			} else {
				us <<= min(tries - KRCU_SCAN_EXP_SPINS,
					   KRCU_SCAN_EXP_MAX_SHIFT);
				usleep_range(us, 2 * us);
			}
		} else if (tries < KRCU_SCAN_FAST_TRIES) {
			/* most sections are short: as SRCU's try_check_zero() */
			udelay(5);
		} else {
			/* readers are in long sections: let them run */
			schedule_timeout_idle(1);
		}
		cond_resched();
	}
}

/* Point new readers at the other bank */
static void krcu_flip(struct krcu_domain *d)
{
	/*
	 * E: a reader whose increment the scans saw used the old index;
	 * a reader that sees the new index was not counted.  Its address
	 * dependency on the index orders its side.
	 */
	smp_mb();
	WRITE_ONCE(d->idx, d->idx + 1);
	/*
	 * D: SRCU's D keeps readers from using the old bank for long after
	 * the flip; here the next scan's heavy barrier makes every CPU see
	 * the new index, and the scans only wait longer for the readers
	 * that still used the old one.
	 */
	smp_mb();
}

/* Start a GP if one is needed; the callbacks queued so far wait for it */
static bool krcu_gp_start(struct krcu_domain *d)
{
	bool started = false;

	spin_lock_irq(&d->lock);
	if (!krcu_seq_done(d->gp_seq, d->gp_seq_needed)) {
		WRITE_ONCE(d->gp_seq, d->gp_seq + KRCU_SEQ_SCAN1);
		krcu_cblist_splice(&d->wait, &d->next);
		d->wait_seq = krcu_seq_end(d->gp_seq);
		started = true;
	}
	spin_unlock_irq(&d->lock);
	/* the scans come after the updates that asked for this GP */
	smp_mb();
	return started;
}

static void krcu_gp_end(struct krcu_domain *d, bool expedited)
{
	bool cbs;

	/* everything the readers did happens before the GP ends */
	smp_mb();
	spin_lock_irq(&d->lock);
	/* pairs with the acquire loads of krcu_synchronize() */
	smp_store_release(&d->gp_seq, krcu_seq_end(d->gp_seq));
	d->n_gps++;
	if (expedited)
		d->n_exp_gps++;
	if (krcu_seq_done(d->gp_seq, d->wait_seq))
		krcu_cblist_splice(&d->done, &d->wait);
	cbs = d->done.head;
	spin_unlock_irq(&d->lock);

	if (cbs)
		wake_up(&d->cb_wq);
	wake_up_all(&d->sync_wq);
}

/* Run one grace period, if one is needed.  Called with ->gp_mutex held. */
static void krcu_gp_run(struct krcu_domain *d, bool expedited)
{
	lockdep_assert_held(&d->gp_mutex);

	if (!krcu_gp_start(d))
		return;

	/* TASK_IDLE: a planted stall is no hung task */
	if (d->bug == KRCU_BUG_STALL)
		wait_event_idle(d->sync_wq, !READ_ONCE(d->stalled));

	/* stragglers that fetched the index before the previous flip */
	krcu_wait_readers(d, (d->idx & 1) ^ 1, expedited);
	krcu_flip(d);
	WRITE_ONCE(d->gp_seq, d->gp_seq + 1); /* SCAN1 -> SCAN2 */
	/* the readers that entered before the flip */
	if (d->bug != KRCU_BUG_SHORT_GP)
		krcu_wait_readers(d, (d->idx & 1) ^ 1, expedited);

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
 * and polls the readers instead of sleeping between scans; a grace
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
			       KRCU_BUG_SHORT_GP);
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
