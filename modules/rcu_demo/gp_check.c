// SPDX-License-Identifier: GPL-2.0
/*
 * rcu_demo's grace-period checks, the RCU contract in two experiments:
 *
 *  - a reader enters its critical section and stays; synchronize, called
 *    after, must not return until the reader leaves, and must return
 *    soon after;
 *  - a reader stays in its section; a callback queued after it must not
 *    run until the reader leaves, and has run once a barrier returns.
 *
 * For the kernel's rcu and srcu, klab_rcu, and busted_rcu (whose grace
 * period ends early), the negative control that fails both.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": gp-check: " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>

#include "rcu_demo.h"

/* How long the reader holds its section while the checks watch */
#define KRCU_CHECK_HOLD_MS	200
/* The reader's polling step while it holds its section */
#define KRCU_CHECK_POLL_US	100
/* How long synchronize may take once the reader left */
#define KRCU_CHECK_RELEASE_MS	2000

/**
 * struct krcu_check_ops - one RCU flavour under check
 * @name: the type that selects it
 * @domain: klab domain, or NULL for the kernel's rcu/srcu
 * @srcu: use the check's srcu_struct (with @domain NULL)
 */
struct krcu_check_ops {
	const char *name;
	struct krcu_domain *domain;
	bool srcu;
};

static const struct krcu_check_ops krcu_check_ops_table[] = {
	{ .name = "rcu" },
	{ .name = "srcu", .srcu = true },
	{ .name = "klab_rcu", .domain = &krcu_main },
	{ .name = "busted_rcu", .domain = &krcu_busted_gp },
};

static const char * const krcu_check_types[] = {
	"rcu", "srcu", "klab_rcu", "busted_rcu", NULL,
};

static struct krcu_check {
	const struct krcu_check_ops *ops;
	struct srcu_struct srcu;
	struct completion reader_in;	/* the reader is inside */
	struct completion release;	/* the reader may leave */
	struct completion synced;	/* synchronize returned */
	struct rcu_head head;
	atomic_t cb_ran;
} *kc;

static int krcu_check_lock(void)
{
	if (kc->ops->domain)
		return krcu_read_lock(kc->ops->domain);
	if (kc->ops->srcu)
		return srcu_read_lock(&kc->srcu);
	rcu_read_lock();
	return 0;
}

static void krcu_check_unlock(int idx)
{
	if (kc->ops->domain)
		krcu_read_unlock(kc->ops->domain, idx);
	else if (kc->ops->srcu)
		srcu_read_unlock(&kc->srcu, idx);
	else
		rcu_read_unlock();
}

static void krcu_check_sync(void)
{
	if (kc->ops->domain)
		krcu_synchronize(kc->ops->domain);
	else if (kc->ops->srcu)
		synchronize_srcu(&kc->srcu);
	else
		synchronize_rcu();
}

static void krcu_check_cb(struct rcu_head *head)
{
	atomic_inc(&kc->cb_ran);
}

static void krcu_check_call(void)
{
	if (kc->ops->domain)
		krcu_call(kc->ops->domain, &kc->head, krcu_check_cb);
	else if (kc->ops->srcu)
		call_srcu(&kc->srcu, &kc->head, krcu_check_cb);
	else
		call_rcu(&kc->head, krcu_check_cb);
}

static void krcu_check_barrier(void)
{
	if (kc->ops->domain)
		krcu_barrier(kc->ops->domain);
	else if (kc->ops->srcu)
		srcu_barrier(&kc->srcu);
	else
		rcu_barrier();
}

/*
 * The reader: enter, say so, stay until released.  The kernel's RCU
 * forbids sleeping in a section: it polls, letting others have the CPU
 * (a preemption, which preemptible RCU allows).
 */
static int krcu_check_reader(void *arg)
{
	int idx = krcu_check_lock();

	complete(&kc->reader_in);
	while (!completion_done(&kc->release)) {
		udelay(KRCU_CHECK_POLL_US);
		cond_resched();
	}
	krcu_check_unlock(idx);
	while (!kthread_should_stop())
		schedule_timeout_idle(HZ);
	return 0;
}

static int krcu_check_syncer(void *arg)
{
	krcu_check_sync();
	complete_all(&kc->synced);	/* every later wait sees it */
	while (!kthread_should_stop())
		schedule_timeout_idle(HZ);
	return 0;
}

static struct task_struct *krcu_check_start_reader(void)
{
	reinit_completion(&kc->reader_in);
	reinit_completion(&kc->release);
	return kthread_run(krcu_check_reader, NULL, "klab_check_reader");
}

/* Does synchronize wait for a reader that entered before it? */
static bool krcu_check_sync_waits(struct krcu_group *g)
{
	struct task_struct *reader, *syncer;
	bool blocked, returned;
	u64 t0, wait_ns = 0;

	reader = krcu_check_start_reader();
	if (IS_ERR(reader))
		return false;
	wait_for_completion(&kc->reader_in);
	reinit_completion(&kc->synced);
	syncer = kthread_run(krcu_check_syncer, NULL, "klab_check_sync");
	if (IS_ERR(syncer)) {
		complete(&kc->release);
		kthread_stop(reader);
		return false;
	}
	blocked = !wait_for_completion_timeout(&kc->synced,
					       msecs_to_jiffies(KRCU_CHECK_HOLD_MS));
	t0 = ktime_get_ns();
	complete(&kc->release);
	returned = wait_for_completion_timeout(&kc->synced,
					       msecs_to_jiffies(KRCU_CHECK_RELEASE_MS));
	if (returned && blocked)
		wait_ns = ktime_get_ns() - t0;
	/*
	 * The syncer must be gone before the next check: a synchronize that
	 * never returns holds us here, a bug the log then shows.
	 */
	wait_for_completion_state(&kc->synced, TASK_IDLE);
	kthread_stop(syncer);
	kthread_stop(reader);

	pr_info("%s: synchronize %s while a reader was inside, %s after it left\n",
		kc->ops->name, blocked ? "waited" : "DID NOT WAIT",
		returned ? "returned" : "DID NOT RETURN");
	krcu_group_stat(g, "sync_waited_for_reader", blocked);
	krcu_group_stat(g, "sync_returned_after_release", returned);
	krcu_group_stat(g, "sync_after_release_ns", wait_ns);
	return blocked && returned;
}

/* Does a callback wait for a reader that entered before it was queued? */
static bool krcu_check_cb_waits(struct krcu_group *g)
{
	struct task_struct *reader;
	bool early, ran;

	reader = krcu_check_start_reader();
	if (IS_ERR(reader))
		return false;
	wait_for_completion(&kc->reader_in);
	atomic_set(&kc->cb_ran, 0);
	krcu_check_call();
	msleep(KRCU_CHECK_HOLD_MS);
	early = atomic_read(&kc->cb_ran);
	complete(&kc->release);
	krcu_check_barrier();
	ran = atomic_read(&kc->cb_ran);
	kthread_stop(reader);

	pr_info("%s: callback %s while a reader was inside, %s after the barrier\n",
		kc->ops->name, early ? "RAN" : "waited",
		ran ? "ran" : "DID NOT RUN");
	krcu_group_stat(g, "cb_waited_for_reader", !early);
	krcu_group_stat(g, "cb_ran_after_barrier", ran);
	return !early && ran;
}

static void krcu_check_defaults(struct krcu_params *p)
{
}

static u64 krcu_check_expected_ns(const struct krcu_params *p)
{
	return 2ULL * KRCU_CHECK_HOLD_MS * NSEC_PER_MSEC;
}

static void krcu_check_run(struct krcu_run *run)
{
	struct krcu_group *g;
	unsigned int i;

	kc = kzalloc(sizeof(*kc), GFP_KERNEL);
	if (!kc)
		return;
	for (i = 0; i < ARRAY_SIZE(krcu_check_ops_table); i++)
		if (!strcmp(krcu_check_ops_table[i].name, run->params.type))
			kc->ops = &krcu_check_ops_table[i];
	if (WARN_ON_ONCE(!kc->ops) || init_srcu_struct(&kc->srcu))
		goto out_free;
	init_completion(&kc->reader_in);
	init_completion(&kc->release);
	init_completion(&kc->synced);

	g = krcu_run_group(run, "%s", kc->ops->name);
	run->success = krcu_check_sync_waits(g);
	run->success &= krcu_check_cb_waits(g);

	srcu_barrier(&kc->srcu);
	cleanup_srcu_struct(&kc->srcu);
out_free:
	kfree(kc);
	kc = NULL;
}

const struct krcu_harness krcu_gp_check_harness = {
	.name = "gp-check",
	.types = krcu_check_types,
	.defaults = krcu_check_defaults,
	.expected_ns = krcu_check_expected_ns,
	.run = krcu_check_run,
};
