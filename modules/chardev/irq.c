// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: an interrupt source.  The module owns a linear irq domain with
 * one hardware irq, mapped to a real Linux IRQ with the dummy chip and the
 * simple flow handler, and requests it like a driver would.  An hrtimer
 * (at irq_rate_hz) or KLAB_CHARDEV_CMD_IRQ_FIRE raises it; the top half
 * timestamps the event into a small queue and defers to a bottom half, a
 * tasklet or a work item, which appends one text record per event to
 * klab_pipe0:
 *
 *	irq <seq> mode <tasklet|workqueue> top_ns <t> lat_ns <l>
 *
 * What the counters show: a raise finding its bottom half still pending
 * is merged into it (merged), so bh_runs = top - merged; a bottom half
 * never starts while it runs elsewhere (bh_overlaps stays 0, even when
 * KLAB_CHARDEV_CMD_IRQ_FIRE raises on every CPU at once); only the work
 * item runs in task context and sleeps (bh_in_task, bh_slept).  A second
 * line of the domain takes up to two IRQF_SHARED handlers, all called on
 * each of its interrupts, the line requested until the last is freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/workqueue.h>

#include "chardev.h"

static unsigned int irq_rate_hz;
module_param(irq_rate_hz, uint, 0444);
MODULE_PARM_DESC(irq_rate_hz,
		 "Initial rate of the timer raising the interrupt, 0-100000 Hz (default: 0, off)");

static unsigned int irq_bh;
module_param(irq_bh, uint, 0444);
MODULE_PARM_DESC(irq_bh,
		 "Initial bottom half: 0 tasklet, 1 workqueue (default: 0)");

#define KCDEV_IRQ_NAME		"klab_chardev"
#define KCDEV_IRQ_QUEUE		256	/* events between top and bottom */
#define KCDEV_IRQ_FIRE_TIMEOUT	(5 * HZ)
/* how long each bottom half lasts at least during an all-CPUs FIRE */
#define KCDEV_IRQ_HOLD_US	100
#define KCDEV_IRQ_HWIRQ_MAIN	0
#define KCDEV_IRQ_HWIRQ_SHARED	1	/* the line IRQF_SHARED handlers share */

static const char *const kcdev_irq_shared_names[KLAB_CHARDEV_IRQ_SHARED_MAX] = {
	"klab_shared_a", "klab_shared_b",
};

struct kcdev_irq {
	struct fwnode_handle *fwnode;
	struct irq_domain *domain;
	unsigned int virq;
	unsigned int shared_virq;
	/* dev_id of each handler on the shared line: distinct addresses */
	u8 shared_id[KLAB_CHARDEV_IRQ_SHARED_MAX];
	u32 shared;		/* handlers requested, under cfg_lock */
	struct hrtimer timer;
	struct tasklet_struct tasklet;
	struct work_struct work;
	/* serialises kcdev_irq_set() and kcdev_irq_fire() */
	struct mutex cfg_lock;
	/* protects the event queue and the latency counters */
	spinlock_t lock;
	struct klab_ring ring;
	u64 stamp[KCDEV_IRQ_QUEUE];
	u64 seq;
	/* bottom halves wake waiters in kcdev_irq_fire() */
	wait_queue_head_t drained;
	/* bottom halves running now: more than one is an overlap */
	atomic_t bh_inside;
	bool hold;		/* an all-CPUs FIRE is raising */
	u32 mode;
	u32 rate_hz;
	u64 top;
	u64 bottom;
	u64 bh_runs;
	u64 overruns;
	u64 records_dropped;
	u64 lat_last_ns;
	u64 lat_max_ns;
	u64 lat_sum_ns;
	u64 merged;
	u64 bh_overlaps;
	u64 bh_in_task;
	u64 bh_slept;
	u64 shared_calls;
};

static struct kcdev_irq kcdev_irq;

static const char *const kcdev_irq_mode_names[] = {
	[KLAB_CHARDEV_IRQ_TASKLET] = "tasklet",
	[KLAB_CHARDEV_IRQ_WORKQUEUE] = "workqueue",
};

/*
 * Schedule the bottom half; false when it was still pending, the raise
 * merged into that run.  tasklet_schedule() does not tell, so this is its
 * body: only the caller that sets TASKLET_STATE_SCHED queues the tasklet.
 */
static bool kcdev_irq_kick(struct kcdev_irq *ki)
{
	if (READ_ONCE(ki->mode) == KLAB_CHARDEV_IRQ_WORKQUEUE)
		return schedule_work(&ki->work);
	if (test_and_set_bit(TASKLET_STATE_SCHED, &ki->tasklet.state))
		return false;
	__tasklet_schedule(&ki->tasklet);
	return true;
}

/* The top half: stamp the event, queue it, kick the bottom half */
static irqreturn_t kcdev_irq_handler(int irq, void *data)
{
	struct kcdev_irq *ki = data;
	u64 now = ktime_get_ns();
	bool merged;

	spin_lock(&ki->lock);
	ki->top++;
	if (klab_ring_full(&ki->ring)) {
		ki->overruns++;
	} else {
		ki->stamp[klab_ring_mask(&ki->ring, ki->ring.head)] = now;
		klab_ring_produce(&ki->ring, 1);
	}
	spin_unlock(&ki->lock);

	merged = !kcdev_irq_kick(ki);
	if (merged) {
		spin_lock(&ki->lock);
		ki->merged++;
		spin_unlock(&ki->lock);
	}
	return IRQ_HANDLED;
}

/* A handler of the shared line: every one runs on each of its interrupts */
static irqreturn_t kcdev_irq_shared_handler(int irq, void *data)
{
	struct kcdev_irq *ki = &kcdev_irq;

	spin_lock(&ki->lock);
	ki->shared_calls++;
	spin_unlock(&ki->lock);
	return IRQ_HANDLED;
}

/*
 * The bottom half, either flavour: drain the queue into klab_pipe0.  The
 * work item then sleeps a little, as only it may; its worker's voluntary
 * context switches tell that it did.
 */
static void kcdev_irq_bottom(struct kcdev_irq *ki, u32 mode)
{
	bool overlap = atomic_inc_return(&ki->bh_inside) > 1;
	unsigned long nvcsw = current->nvcsw;
	bool task = in_task();
	char rec[128];
	unsigned long flags;
	u64 stamp, lat, seq;
	size_t len;

	/*
	 * While every CPU raises the interrupt, each run lasts a while: a
	 * second run on another CPU, if one could start, would overlap it.
	 */
	if (READ_ONCE(ki->hold))
		udelay(KCDEV_IRQ_HOLD_US);

	for (;;) {
		spin_lock_irqsave(&ki->lock, flags);
		if (klab_ring_empty(&ki->ring)) {
			spin_unlock_irqrestore(&ki->lock, flags);
			break;
		}
		stamp = ki->stamp[klab_ring_mask(&ki->ring, ki->ring.tail)];
		klab_ring_consume(&ki->ring, 1);
		lat = ktime_get_ns() - stamp;
		seq = ++ki->seq;
		ki->lat_last_ns = lat;
		ki->lat_max_ns = max(ki->lat_max_ns, lat);
		ki->lat_sum_ns += lat;
		spin_unlock_irqrestore(&ki->lock, flags);

		len = scnprintf(rec, sizeof(rec),
				"irq %llu mode %s top_ns %llu lat_ns %llu\n",
				seq, kcdev_irq_mode_names[mode], stamp, lat);
		if (!kcdev_nr_pipe ||
		    !kcdev_pipe_append(&kcdev_pipes[0], rec, len)) {
			spin_lock_irqsave(&ki->lock, flags);
			ki->records_dropped++;
			spin_unlock_irqrestore(&ki->lock, flags);
		}

		/* counted last: kcdev_irq_fire() waits for this */
		spin_lock_irqsave(&ki->lock, flags);
		ki->bottom++;
		spin_unlock_irqrestore(&ki->lock, flags);
		wake_up(&ki->drained);
	}

	if (mode == KLAB_CHARDEV_IRQ_WORKQUEUE)
		usleep_range(1000, 2000);

	spin_lock_irqsave(&ki->lock, flags);
	ki->bh_runs++;
	ki->bh_overlaps += overlap;
	ki->bh_in_task += task;
	ki->bh_slept += task && current->nvcsw != nvcsw;
	spin_unlock_irqrestore(&ki->lock, flags);
	/* kcdev_irq_fire() waits for this run to end too */
	atomic_dec(&ki->bh_inside);
	wake_up(&ki->drained);
}

static void kcdev_irq_tasklet(struct tasklet_struct *t)
{
	kcdev_irq_bottom(from_tasklet(&kcdev_irq, t, tasklet),
			 KLAB_CHARDEV_IRQ_TASKLET);
}

static void kcdev_irq_work(struct work_struct *work)
{
	kcdev_irq_bottom(container_of(work, struct kcdev_irq, work),
			 KLAB_CHARDEV_IRQ_WORKQUEUE);
}

/* Runs in hardirq context, as a device's interrupt would */
static enum hrtimer_restart kcdev_irq_timer(struct hrtimer *timer)
{
	struct kcdev_irq *ki = container_of(timer, struct kcdev_irq, timer);

	generic_handle_irq(ki->virq);
	hrtimer_forward_now(timer, ns_to_ktime(NSEC_PER_SEC /
					       READ_ONCE(ki->rate_hz)));
	return HRTIMER_RESTART;
}

/* Start or stop the timer for ki->rate_hz; under cfg_lock */
static void kcdev_irq_arm(struct kcdev_irq *ki)
{
	hrtimer_cancel(&ki->timer);
	if (ki->rate_hz)
		hrtimer_start(&ki->timer,
			      ns_to_ktime(NSEC_PER_SEC / ki->rate_hz),
			      HRTIMER_MODE_REL);
}

/* Raise @virq as the hardware would: through its flow handler, irqs off */
static void kcdev_irq_raise(unsigned int virq)
{
	unsigned long flags;

	local_irq_save(flags);
	generic_handle_irq(virq);
	local_irq_restore(flags);
}

/* on_each_cpu() callback: this CPU raises the main line */
static void kcdev_irq_raise_here(void *data)
{
	struct kcdev_irq *ki = data;

	generic_handle_irq(ki->virq);
}

/*
 * Request or free handlers on the shared line until @n are on it, under
 * cfg_lock.  The line stays requested while any is left; the last
 * free_irq() releases it.  Then raise it once: each handler is called.
 */
static int kcdev_irq_share(struct kcdev_irq *ki, u32 n)
{
	int err;

	while (ki->shared < n) {
		err = request_irq(ki->shared_virq, kcdev_irq_shared_handler,
				  IRQF_SHARED, kcdev_irq_shared_names[ki->shared],
				  &ki->shared_id[ki->shared]);
		if (err)
			return err;
		ki->shared++;
	}
	while (ki->shared > n) {
		ki->shared--;
		free_irq(ki->shared_virq, &ki->shared_id[ki->shared]);
	}
	if (ki->shared)
		kcdev_irq_raise(ki->shared_virq);
	return 0;
}

/**
 * kcdev_irq_set - change the bottom half, the timer rate, the shared line
 * @mode: enum klab_chardev_irq_mode, or negative to keep
 * @rate_hz: 0 (off) to KLAB_CHARDEV_IRQ_RATE_MAX, or negative to keep
 * @shared: handlers on the shared line, 0 to KLAB_CHARDEV_IRQ_SHARED_MAX,
 *	or negative to keep; the line is raised once after the change
 *
 * Return: 0, -EINVAL or request_irq()'s error.
 */
int kcdev_irq_set(int mode, int rate_hz, int shared)
{
	struct kcdev_irq *ki = &kcdev_irq;
	int err = 0;

	if (mode >= __KLAB_CHARDEV_IRQ_MODE_END ||
	    rate_hz > KLAB_CHARDEV_IRQ_RATE_MAX ||
	    shared > KLAB_CHARDEV_IRQ_SHARED_MAX)
		return -EINVAL;

	mutex_lock(&ki->cfg_lock);
	if (mode >= 0)
		WRITE_ONCE(ki->mode, mode);
	if (rate_hz >= 0 && rate_hz != ki->rate_hz) {
		hrtimer_cancel(&ki->timer);
		WRITE_ONCE(ki->rate_hz, rate_hz);
		kcdev_irq_arm(ki);
	}
	if (shared >= 0)
		err = kcdev_irq_share(ki, shared);
	mutex_unlock(&ki->cfg_lock);
	return err;
}

static bool kcdev_irq_done(struct kcdev_irq *ki, u64 target)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&ki->lock, flags);
	ret = ki->bottom + ki->overruns >= target &&
	      !atomic_read(&ki->bh_inside);
	spin_unlock_irqrestore(&ki->lock, flags);
	return ret;
}

static bool kcdev_irq_has_room(struct kcdev_irq *ki)
{
	unsigned long flags;
	bool ret;

	spin_lock_irqsave(&ki->lock, flags);
	ret = !klab_ring_full(&ki->ring);
	spin_unlock_irqrestore(&ki->lock, flags);
	return ret;
}

/**
 * kcdev_irq_fire - raise the interrupt @count times
 * @count: 1 to KLAB_CHARDEV_IRQ_FIRE_MAX
 * @all_cpus: raise it each time on every online CPU at once
 *
 * Each interrupt goes through the flow handler with interrupts off, as
 * from the hardware; when the queue to the bottom halves is full this
 * waits for room rather than lose an event (with @all_cpus the queue may
 * still overrun).  With @all_cpus the other CPUs raise it from the
 * function-call IPI, and a raise meeting the line still in its handler on
 * another CPU is dropped by the flow handler, as a level interrupt would
 * be: top counts the raises handled.  Returns once the bottom halves
 * have handled every event raised so far and none is running.
 *
 * Return: 0, -EINVAL, -EINTR (signal) or -ETIMEDOUT.
 */
int kcdev_irq_fire(u32 count, bool all_cpus)
{
	struct kcdev_irq *ki = &kcdev_irq;
	unsigned long flags;
	u64 target;
	long left;
	int err = 0;
	u32 i;

	if (!count || count > KLAB_CHARDEV_IRQ_FIRE_MAX)
		return -EINVAL;

	mutex_lock(&ki->cfg_lock);
	WRITE_ONCE(ki->hold, all_cpus);
	for (i = 0; i < count; i++) {
		left = wait_event_interruptible_timeout(ki->drained,
							kcdev_irq_has_room(ki),
							KCDEV_IRQ_FIRE_TIMEOUT);
		if (left <= 0) {
			err = left ? -EINTR : -ETIMEDOUT;
			break;
		}
		/* BHs off too: a tasklet scheduled here runs on enable */
		local_bh_disable();
		if (all_cpus)
			on_each_cpu(kcdev_irq_raise_here, ki, 1);
		else
			kcdev_irq_raise(ki->virq);
		local_bh_enable();
	}

	spin_lock_irqsave(&ki->lock, flags);
	target = ki->top;
	spin_unlock_irqrestore(&ki->lock, flags);
	left = wait_event_interruptible_timeout(ki->drained,
						kcdev_irq_done(ki, target),
						KCDEV_IRQ_FIRE_TIMEOUT);
	if (!err && left <= 0)
		err = left ? -EINTR : -ETIMEDOUT;
	WRITE_ONCE(ki->hold, false);
	mutex_unlock(&ki->cfg_lock);
	return err;
}

/**
 * kcdev_irq_get_stats - snapshot the interrupt source's counters
 * @st: filled in
 */
void kcdev_irq_get_stats(struct kcdev_irq_stats *st)
{
	struct kcdev_irq *ki = &kcdev_irq;
	unsigned long flags;

	st->irq = ki->virq;
	st->mode = READ_ONCE(ki->mode);
	st->rate_hz = READ_ONCE(ki->rate_hz);
	spin_lock_irqsave(&ki->lock, flags);
	st->top = ki->top;
	st->bottom = ki->bottom;
	st->bh_runs = ki->bh_runs;
	st->overruns = ki->overruns;
	st->records_dropped = ki->records_dropped;
	st->lat_last_ns = ki->lat_last_ns;
	st->lat_max_ns = ki->lat_max_ns;
	st->lat_avg_ns = ki->seq ? div64_u64(ki->lat_sum_ns, ki->seq) : 0;
	st->merged = ki->merged;
	st->bh_overlaps = ki->bh_overlaps;
	st->bh_in_task = ki->bh_in_task;
	st->bh_slept = ki->bh_slept;
	st->shared_calls = ki->shared_calls;
	spin_unlock_irqrestore(&ki->lock, flags);
	st->shared_irq = ki->shared_virq;
	st->shared = READ_ONCE(ki->shared);
}

/* sysfs, on /sys/class/klab/klab_irq: one value per file */
#define KCDEV_IRQ_ATTR(_name, _fmt)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct kcdev_irq_stats st;					\
									\
	kcdev_irq_get_stats(&st);					\
	return sysfs_emit(buf, _fmt "\n", st._name);			\
}									\
static struct device_attribute dev_attr_##_name = {			\
	.attr = { .name = __stringify(_name), .mode = 0444 },		\
	.show = _name##_show,						\
}

KCDEV_IRQ_ATTR(irq, "%u");
KCDEV_IRQ_ATTR(rate_hz, "%u");
KCDEV_IRQ_ATTR(top, "%llu");
KCDEV_IRQ_ATTR(bottom, "%llu");
KCDEV_IRQ_ATTR(bh_runs, "%llu");
KCDEV_IRQ_ATTR(overruns, "%llu");
KCDEV_IRQ_ATTR(records_dropped, "%llu");
KCDEV_IRQ_ATTR(lat_last_ns, "%llu");
KCDEV_IRQ_ATTR(lat_max_ns, "%llu");
KCDEV_IRQ_ATTR(lat_avg_ns, "%llu");
KCDEV_IRQ_ATTR(merged, "%llu");
KCDEV_IRQ_ATTR(bh_overlaps, "%llu");
KCDEV_IRQ_ATTR(bh_in_task, "%llu");
KCDEV_IRQ_ATTR(bh_slept, "%llu");
KCDEV_IRQ_ATTR(shared_irq, "%u");
KCDEV_IRQ_ATTR(shared, "%u");
KCDEV_IRQ_ATTR(shared_calls, "%llu");

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  kcdev_irq_mode_names[READ_ONCE(kcdev_irq.mode)]);
}
static DEVICE_ATTR_RO(mode);

static struct attribute *kcdev_irq_attrs[] = {
	&dev_attr_irq.attr,
	&dev_attr_mode.attr,
	&dev_attr_rate_hz.attr,
	&dev_attr_top.attr,
	&dev_attr_bottom.attr,
	&dev_attr_bh_runs.attr,
	&dev_attr_overruns.attr,
	&dev_attr_records_dropped.attr,
	&dev_attr_lat_last_ns.attr,
	&dev_attr_lat_max_ns.attr,
	&dev_attr_lat_avg_ns.attr,
	&dev_attr_merged.attr,
	&dev_attr_bh_overlaps.attr,
	&dev_attr_bh_in_task.attr,
	&dev_attr_bh_slept.attr,
	&dev_attr_shared_irq.attr,
	&dev_attr_shared.attr,
	&dev_attr_shared_calls.attr,
	NULL,
};
ATTRIBUTE_GROUPS(kcdev_irq);

static struct device *kcdev_irq_dev;

/* Map @hwirq of the domain to a Linux IRQ that drivers may request */
static unsigned int kcdev_irq_map(struct kcdev_irq *ki, irq_hw_number_t hwirq)
{
	unsigned int virq = irq_create_mapping(ki->domain, hwirq);

	if (!virq)
		return 0;
	irq_set_chip_and_handler_name(virq, &dummy_irq_chip, handle_simple_irq,
				      "simple");
	irq_modify_status(virq, IRQ_NOREQUEST, IRQ_NOPROBE);
	return virq;
}

/**
 * kcdev_irq_init - create the irq domain, map the lines, request the main
 *
 * Return: 0 or a negative errno.
 */
int kcdev_irq_init(void)
{
	struct kcdev_irq *ki = &kcdev_irq;
	int err;

	if (irq_bh >= __KLAB_CHARDEV_IRQ_MODE_END ||
	    irq_rate_hz > KLAB_CHARDEV_IRQ_RATE_MAX) {
		pr_err("irq_bh must be 0-1 and irq_rate_hz 0-%d\n",
		       KLAB_CHARDEV_IRQ_RATE_MAX);
		return -EINVAL;
	}

	mutex_init(&ki->cfg_lock);
	spin_lock_init(&ki->lock);
	init_waitqueue_head(&ki->drained);
	err = klab_ring_init(&ki->ring, KCDEV_IRQ_QUEUE);
	if (err)
		return err;
	ki->mode = irq_bh;
	tasklet_setup(&ki->tasklet, kcdev_irq_tasklet);
	INIT_WORK(&ki->work, kcdev_irq_work);
	hrtimer_init(&ki->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	ki->timer.function = kcdev_irq_timer;

	ki->fwnode = irq_domain_alloc_named_fwnode(KCDEV_IRQ_NAME);
	if (!ki->fwnode)
		return -ENOMEM;

	ki->domain = irq_domain_create_linear(ki->fwnode, 2,
					      &irq_domain_simple_ops, ki);
	if (!ki->domain) {
		err = -ENOMEM;
		goto err_free_fwnode;
	}

	ki->virq = kcdev_irq_map(ki, KCDEV_IRQ_HWIRQ_MAIN);
	if (!ki->virq) {
		err = -ENOSPC;
		goto err_remove_domain;
	}
	ki->shared_virq = kcdev_irq_map(ki, KCDEV_IRQ_HWIRQ_SHARED);
	if (!ki->shared_virq) {
		err = -ENOSPC;
		goto err_dispose_mapping;
	}

	err = request_irq(ki->virq, kcdev_irq_handler, 0, KCDEV_IRQ_NAME, ki);
	if (err)
		goto err_dispose_shared;

	kcdev_irq_dev = device_create_with_groups(kcdev_class, NULL, 0, ki,
						  kcdev_irq_groups,
						  "klab_irq");
	if (IS_ERR(kcdev_irq_dev)) {
		err = PTR_ERR(kcdev_irq_dev);
		goto err_free_irq;
	}

	mutex_lock(&ki->cfg_lock);
	ki->rate_hz = irq_rate_hz;
	kcdev_irq_arm(ki);
	mutex_unlock(&ki->cfg_lock);
	return 0;

err_free_irq:
	free_irq(ki->virq, ki);
err_dispose_shared:
	irq_dispose_mapping(ki->shared_virq);
err_dispose_mapping:
	irq_dispose_mapping(ki->virq);
err_remove_domain:
	irq_domain_remove(ki->domain);
err_free_fwnode:
	irq_domain_free_fwnode(ki->fwnode);
	return err;
}

/**
 * kcdev_irq_exit - tear the interrupt source down
 *
 * Stop the timer, free the irqs (no top half runs after this), kill the
 * tasklet and flush the work (no bottom half runs after this), then
 * dispose of the mappings and the domain.
 */
void kcdev_irq_exit(void)
{
	struct kcdev_irq *ki = &kcdev_irq;

	hrtimer_cancel(&ki->timer);
	device_unregister(kcdev_irq_dev);
	mutex_lock(&ki->cfg_lock);
	kcdev_irq_share(ki, 0);
	mutex_unlock(&ki->cfg_lock);
	free_irq(ki->virq, ki);
	tasklet_kill(&ki->tasklet);
	cancel_work_sync(&ki->work);
	irq_dispose_mapping(ki->shared_virq);
	irq_dispose_mapping(ki->virq);
	irq_domain_remove(ki->domain);
	irq_domain_free_fwnode(ki->fwnode);
}
