// SPDX-License-Identifier: GPL-2.0
/*
 * rcu_demo: one run at a time.  A run is a harness executed by the
 * klab_rcu_run kthread; its results stay until the next run starts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "rcu_demo.h"

const struct krcu_harness * const krcu_harnesses[__KLAB_RCU_HARNESS_END] = {
	[KLAB_RCU_HARNESS_TORTURE] = &krcu_torture_harness,
	[KLAB_RCU_HARNESS_SEQLOCK] = &krcu_seqlock_harness,
	[KLAB_RCU_HARNESS_SCALE] = &krcu_scale_harness,
	[KLAB_RCU_HARNESS_GP_LATENCY] = &krcu_gp_latency_harness,
	[KLAB_RCU_HARNESS_DEMO] = &krcu_demo_harness,
	[KLAB_RCU_HARNESS_GP_CHECK] = &krcu_gp_check_harness,
};

/* Protects everything below; the run kthread takes it only to finish */
static DEFINE_MUTEX(krcu_run_lock);
static struct krcu_run *krcu_run_cur;
static struct task_struct *krcu_run_task;
static bool krcu_running;
static u32 krcu_run_ids;

static bool krcu_stop_requested;
static DECLARE_WAIT_QUEUE_HEAD(krcu_stop_wq);

bool krcu_run_should_stop(void)
{
	return READ_ONCE(krcu_stop_requested);
}

bool krcu_run_sleep(unsigned long jiffies)
{
	wait_event_idle_timeout(krcu_stop_wq, krcu_run_should_stop(),
				jiffies);
	return !krcu_run_should_stop();
}

struct krcu_group *krcu_run_group(struct krcu_run *run, const char *fmt, ...)
{
	struct krcu_group *g;
	va_list args;

	if (run->nr_groups >= KRCU_GROUPS_MAX)
		return NULL;
	g = &run->groups[run->nr_groups++];
	va_start(args, fmt);
	vsnprintf(g->name, sizeof(g->name), fmt, args);
	va_end(args);
	return g;
}

/* @name must outlive the run: a string literal */
void krcu_group_stat(struct krcu_group *g, const char *name, u64 value)
{
	if (!g || g->nr_stats >= KRCU_STATS_MAX)
		return;
	g->stats[g->nr_stats].name = name;
	g->stats[g->nr_stats].value = value;
	g->nr_stats++;
}

void krcu_group_series(struct krcu_group *g, const char *name,
		       const u64 *values, unsigned int len)
{
	if (!g || g->nr_series >= KRCU_SERIES_MAX)
		return;
	len = min_t(unsigned int, len, KRCU_SERIES_LEN);
	g->series[g->nr_series].name = name;
	g->series[g->nr_series].len = len;
	memcpy(g->series[g->nr_series].values, values, len * sizeof(*values));
	g->nr_series++;
}

static int krcu_run_kthread(void *arg)
{
	struct krcu_run *run = arg;

	krcu_harnesses[run->params.harness]->run(run);

	mutex_lock(&krcu_run_lock);
	run->finished_ns = ktime_get_boottime_ns();
	run->stopped = krcu_run_should_stop();
	if (run->stopped)
		run->success = false;
	krcu_running = false;
	mutex_unlock(&krcu_run_lock);
	klab_dbg(1, "run %u (%s %s) finished\n", run->id,
		 krcu_harnesses[run->params.harness]->name, run->params.type);

	/* whoever starts the next run or unloads the module reaps us */
	while (!kthread_should_stop()) {
		set_current_state(TASK_IDLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/**
 * krcu_run_start - start a run
 * @p: its parameters, checked, defaults not yet filled in
 * @id: set to the run's number
 *
 * Return: 0, -EBUSY while a run is active, or -ENOMEM.
 */
int krcu_run_start(const struct krcu_params *p, u32 *id)
{
	const struct krcu_harness *h = krcu_harnesses[p->harness];
	struct task_struct *task;
	struct krcu_run *run;
	int err = 0;

	mutex_lock(&krcu_run_lock);
	if (krcu_running) {
		err = -EBUSY;
		goto out_unlock;
	}
	run = kvzalloc(sizeof(*run), GFP_KERNEL);
	if (!run) {
		err = -ENOMEM;
		goto out_unlock;
	}
	run->params = *p;
	h->defaults(&run->params);
	run->id = ++krcu_run_ids;
	run->expected_ns = h->expected_ns(&run->params);
	run->started_ns = ktime_get_boottime_ns();

	if (krcu_run_task) {
		kthread_stop(krcu_run_task);
		krcu_run_task = NULL;
	}
	WRITE_ONCE(krcu_stop_requested, false);
	task = kthread_run(krcu_run_kthread, run, "klab_rcu_run");
	if (IS_ERR(task)) {
		err = PTR_ERR(task);
		kvfree(run);
		goto out_unlock;
	}
	kvfree(krcu_run_cur);
	krcu_run_cur = run;
	krcu_run_task = task;
	krcu_running = true;
	*id = run->id;
	klab_dbg(1, "run %u: %s %s\n", run->id, h->name, run->params.type);
out_unlock:
	mutex_unlock(&krcu_run_lock);
	return err;
}

static void krcu_run_request_stop(void)
{
	WRITE_ONCE(krcu_stop_requested, true);
	wake_up_all(&krcu_stop_wq);
}

/* Return: 0, or -ENOENT when no run is active */
int krcu_run_stop(void)
{
	int err = 0;

	mutex_lock(&krcu_run_lock);
	if (krcu_running)
		krcu_run_request_stop();
	else
		err = -ENOENT;
	mutex_unlock(&krcu_run_lock);
	return err;
}

int krcu_run_report(int (*fn)(const struct krcu_run *run, u32 state,
			      void *arg), void *arg)
{
	u32 state;
	int err;

	mutex_lock(&krcu_run_lock);
	if (!krcu_run_cur)
		state = KLAB_RCU_RUN_IDLE;
	else if (krcu_running)
		state = KLAB_RCU_RUN_RUNNING;
	else
		state = KLAB_RCU_RUN_DONE;
	err = fn(krcu_run_cur, state, arg);
	mutex_unlock(&krcu_run_lock);
	return err;
}

/* Module unload: stop the run, wait for its threads and callbacks */
void krcu_run_exit(void)
{
	struct task_struct *task;

	mutex_lock(&krcu_run_lock);
	krcu_run_request_stop();
	task = krcu_run_task;
	krcu_run_task = NULL;
	mutex_unlock(&krcu_run_lock);

	/* the run kthread takes the lock to finish: stop it unlocked */
	if (task)
		kthread_stop(task);
	kvfree(krcu_run_cur);
	krcu_run_cur = NULL;
}
