// SPDX-License-Identifier: GPL-2.0
/*
 * The notes' RCU example, fixed: two readers and one writer on a global
 * pointer, rcu_assign_pointer() to publish a new copy, call_rcu() to
 * free the old one.  The notes' version loops forever (rmmod hangs),
 * never checks kmalloc() and frees with callbacks still queued; here the
 * threads stop on kthread_stop(), allocations are checked, and the end
 * waits with a barrier before counting frees.
 *
 * Readers hold the object across their delay and then check it is still
 * live (its magic intact, its value unchanged) and that values never go
 * backwards.  Types: "rcu" (the kernel's), "klab_rcu", and "busted_rcu"
 * whose grace periods end early, the negative control of those checks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": demo: " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "rcu_demo.h"

#define KRCU_DEMO_MAGIC	0x52435544	/* "RCUD" */
#define KRCU_DEMO_READERS	2

struct krcu_demo_obj {
	u32 magic;
	int a;
	struct rcu_head rcu;
};

/**
 * struct krcu_demo_ops - the RCU flavour the demo runs on
 * @name: the type that selects it
 * @domain: the klab RCU domain, NULL for the kernel's RCU
 */
struct krcu_demo_ops {
	const char *name;
	struct krcu_domain *domain;
};

static const struct krcu_demo_ops krcu_demo_ops_table[] = {
	{ .name = "rcu" },
	{ .name = "klab_rcu", .domain = &krcu_main },
	{ .name = "busted_rcu", .domain = &krcu_busted_gp },
};

static const char * const krcu_demo_types[] = {
	"rcu", "klab_rcu", "busted_rcu", NULL,
};

static struct krcu_demo {
	const struct krcu_demo_ops *ops;
	const struct krcu_params *p;
	struct krcu_demo_obj __rcu *global;
	u64 reads[KRCU_DEMO_READERS];
	u64 decreases;		/* a reader saw a value below an earlier one */
	u64 freed_seen;		/* a reader's object died under it */
	u64 updates;
	u64 alloc_failures;
	atomic64_t frees;
} *kd;

static void krcu_demo_free(struct rcu_head *rh)
{
	struct krcu_demo_obj *p = container_of(rh, struct krcu_demo_obj, rcu);

	/* readers still holding it would see the magic gone */
	WRITE_ONCE(p->magic, 0);
	kfree(p);
	atomic64_inc(&kd->frees);
}

static int krcu_demo_lock(void)
{
	if (kd->ops->domain)
		return krcu_read_lock(kd->ops->domain);
	rcu_read_lock();
	return 0;
}

static void krcu_demo_unlock(int idx)
{
	if (kd->ops->domain)
		krcu_read_unlock(kd->ops->domain, idx);
	else
		rcu_read_unlock();
}

static int krcu_demo_reader(void *arg)
{
	long me = (long)arg;
	int last = INT_MIN;

	while (!kthread_should_stop()) {
		struct krcu_demo_obj *p;
		int idx, a;

		usleep_range(5000, 6000);
		idx = krcu_demo_lock();
		p = rcu_dereference_check(kd->global, true);
		a = READ_ONCE(p->a);
		/* the notes' mdelay(10), with the object held */
		mdelay(kd->p->reader_delay_us / 1000);
		udelay(kd->p->reader_delay_us % 1000);
		if (READ_ONCE(p->magic) != KRCU_DEMO_MAGIC ||
		    READ_ONCE(p->a) != a)
			kd->freed_seen++;
		krcu_demo_unlock(idx);

		if (a < last)
			kd->decreases++;
		last = a;
		kd->reads[me]++;
		klab_dbg(2, "reader %ld: read a=%d\n", me, a);
	}
	return 0;
}

static int krcu_demo_writer(void *arg)
{
	int value = 2;

	while (!kthread_should_stop()) {
		struct krcu_demo_obj *old, *new;

		usleep_range(10000, 11000);
		new = kmalloc(sizeof(*new), GFP_KERNEL);
		if (!new) {
			kd->alloc_failures++;
			continue;
		}
		/* the only writer: no lock needed to read the pointer */
		old = rcu_dereference_protected(kd->global, true);
		*new = *old;
		new->a = value++;
		rcu_assign_pointer(kd->global, new);
		if (kd->ops->domain)
			krcu_call(kd->ops->domain, &old->rcu, krcu_demo_free);
		else
			call_rcu(&old->rcu, krcu_demo_free);
		kd->updates++;
		klab_dbg(2, "writer: wrote %d\n", new->a);
	}
	return 0;
}

static void krcu_demo_defaults(struct krcu_params *p)
{
	if (!p->duration_s)
		p->duration_s = 3;
	if (!p->reader_delay_us)
		p->reader_delay_us = 10000;
}

static u64 krcu_demo_expected_ns(const struct krcu_params *p)
{
	return (u64)p->duration_s * NSEC_PER_SEC;
}

static void krcu_demo_report(struct krcu_run *run, u64 frees)
{
	struct krcu_group *g = krcu_run_group(run, "%s", kd->ops->name);

	krcu_group_stat(g, "updates", kd->updates);
	krcu_group_stat(g, "frees", frees);
	krcu_group_stat(g, "reader0_reads", kd->reads[0]);
	krcu_group_stat(g, "reader1_reads", kd->reads[1]);
	krcu_group_stat(g, "decreases", kd->decreases);
	krcu_group_stat(g, "freed_seen", kd->freed_seen);
	krcu_group_stat(g, "alloc_failures", kd->alloc_failures);
	krcu_group_stat(g, "duration_s", kd->p->duration_s);
	krcu_group_stat(g, "reader_delay_us", kd->p->reader_delay_us);
}

static void krcu_demo_run(struct krcu_run *run)
{
	struct task_struct *tasks[KRCU_DEMO_READERS + 1];
	struct krcu_demo_obj *obj;
	unsigned int i, n;
	u64 frees;

	kd = kzalloc(sizeof(*kd), GFP_KERNEL);
	if (!kd)
		return;
	for (i = 0; i < ARRAY_SIZE(krcu_demo_ops_table); i++)
		if (!strcmp(krcu_demo_ops_table[i].name, run->params.type))
			kd->ops = &krcu_demo_ops_table[i];
	if (WARN_ON_ONCE(!kd->ops))
		goto out_free;
	kd->p = &run->params;
	atomic64_set(&kd->frees, 0);
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		goto out_free;
	obj->magic = KRCU_DEMO_MAGIC;
	RCU_INIT_POINTER(kd->global, obj);

	tasks[0] = kthread_run(krcu_demo_writer, NULL, "klab_demo_writer");
	for (n = 1; !IS_ERR(tasks[n - 1]) && n <= KRCU_DEMO_READERS; n++)
		tasks[n] = kthread_run(krcu_demo_reader, (void *)(long)(n - 1),
				       "klab_demo_reader/%u", n - 1);
	if (IS_ERR(tasks[n - 1]))
		n--;
	else
		krcu_run_sleep(run->params.duration_s * HZ);
	for (i = 0; i < n; i++)
		kthread_stop(tasks[i]);

	/* every free queued so far, then the last object */
	if (kd->ops->domain)
		krcu_barrier(kd->ops->domain);
	else
		rcu_barrier();
	frees = atomic64_read(&kd->frees);
	kfree(rcu_dereference_protected(kd->global, true));

	run->success = n == KRCU_DEMO_READERS + 1 && !kd->decreases &&
		       !kd->freed_seen && frees == kd->updates;
	pr_info("%s: updates %llu frees %llu reads %llu/%llu decreases %llu freed-seen %llu: %s\n",
		kd->ops->name, kd->updates, frees, kd->reads[0], kd->reads[1],
		kd->decreases, kd->freed_seen,
		run->success ? "SUCCESS" : "FAILURE");
	krcu_demo_report(run, frees);
out_free:
	kfree(kd);
	kd = NULL;
}

const struct krcu_harness krcu_demo_harness = {
	.name = "demo",
	.types = krcu_demo_types,
	.defaults = krcu_demo_defaults,
	.expected_ns = krcu_demo_expected_ns,
	.run = krcu_demo_run,
};
