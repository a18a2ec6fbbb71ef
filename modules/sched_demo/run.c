// SPDX-License-Identifier: GPL-2.0
/*
 * sched_demo: runs.  A run is the framework's core state plus one kernel
 * thread per entity, a tick hrtimer per CPU and two hrtimers per entity
 * (the end of a sleep, a deadline replenishment).  The core is told the
 * time (ktime_get_ns()) and asks, through the environment below, for
 * threads to be woken and timers to be armed.
 *
 * One raw spinlock per run protects the core: it is taken by the threads
 * (with interrupts off) and by the hrtimer callbacks (in hardirq).  A run
 * has a handful of CPUs and its critical sections are short, so one lock
 * costs little and spares the double-locking of per-CPU queues that
 * migrations would need.
 *
 * Only one run is active at a time; finished runs stay for reading until
 * deleted, at most keep_runs runs in all.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "sched_demo.h"

/* Finished runs kept for klabctl sched show, oldest forgotten first */
static unsigned int ksched_keep_runs = 8;
module_param_named(keep_runs, ksched_keep_runs, uint, 0644);
MODULE_PARM_DESC(keep_runs,
		 "Most runs kept, the active one included; a new run forgets the oldest finished ones past it (default: 8)");

static LIST_HEAD(ksched_runs);
/* protects ksched_runs and ksched_next_id; held while creating a run */
static DEFINE_MUTEX(ksched_runs_mutex);
static u32 ksched_next_id = 1;

u64 ksched_now(void)
{
	return ktime_get_ns();
}

void ksched_runs_lock(void)
{
	mutex_lock(&ksched_runs_mutex);
}

void ksched_runs_unlock(void)
{
	mutex_unlock(&ksched_runs_mutex);
}

/* The run numbered @id, 0 for the newest; ksched_runs_mutex held */
struct ksched_krun *ksched_run_find(u32 id)
{
	struct ksched_krun *kr;

	lockdep_assert_held(&ksched_runs_mutex);
	if (!id)
		return list_first_entry_or_null(&ksched_runs, struct ksched_krun, node);
	list_for_each_entry(kr, &ksched_runs, node)
		if (kr->id == id)
			return kr;
	return NULL;
}

/* The run after @prev (NULL: the newest), newest first; mutex held */
struct ksched_krun *ksched_run_next(struct ksched_krun *prev)
{
	lockdep_assert_held(&ksched_runs_mutex);
	if (!prev)
		return list_first_entry_or_null(&ksched_runs, struct ksched_krun, node);
	if (list_is_last(&prev->node, &ksched_runs))
		return NULL;
	return list_next_entry(prev, node);
}

/* ---- the environment of the core ---------------------------------------- */

static struct ksched_krun *krun_of(struct ksched_run *run)
{
	return run->env_priv;
}

static void ksched_env_start(struct ksched_run *run, struct ksched_rq *rq,
			     struct ksched_entity *se)
{
	wake_up_process(krun_of(run)->kents[se->id].task);
}

static u64 ksched_env_ran(struct ksched_run *run, struct ksched_entity *se)
{
	return READ_ONCE(krun_of(run)->kents[se->id].ran_ns);
}

static void ksched_env_timer_arm(struct ksched_run *run, struct ksched_entity *se,
				 int kind, u64 when)
{
	hrtimer_start(&krun_of(run)->kents[se->id].timers[kind], ns_to_ktime(when),
		      HRTIMER_MODE_ABS);
}

/*
 * Under the run's lock a running callback cannot be waited for; if it is
 * running it finds its timer no longer armed, or armed for later, and
 * does nothing (ksched_timer_fire() checks).
 */
static void ksched_env_timer_cancel(struct ksched_run *run,
				    struct ksched_entity *se, int kind)
{
	hrtimer_try_to_cancel(&krun_of(run)->kents[se->id].timers[kind]);
}

static void ksched_env_end(struct ksched_run *run)
{
	struct ksched_krun *kr = krun_of(run);

	WRITE_ONCE(kr->stopping, true);
	queue_work(system_unbound_wq, &kr->stop_work);
}

static const struct ksched_env ksched_kernel_env = {
	.start = ksched_env_start,
	.ran = ksched_env_ran,
	.timer_arm = ksched_env_timer_arm,
	.timer_cancel = ksched_env_timer_cancel,
	.end = ksched_env_end,
};

/* ---- timers ------------------------------------------------------------- */

static enum hrtimer_restart ksched_tick_fn(struct hrtimer *timer)
{
	struct ksched_kcpu *kc = container_of(timer, struct ksched_kcpu, tick);
	struct ksched_krun *kr = kc->kr;
	unsigned long flags;
	u64 now = ksched_now();
	bool active;

	raw_spin_lock_irqsave(&kr->lock, flags);
	ksched_tick(kc->rq, now);
	active = ksched_run_active(kr->core);
	kc->rq->overhead_ns += ksched_now() - now;
	raw_spin_unlock_irqrestore(&kr->lock, flags);
	if (!active)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(kr->core->spec.tick_ns));
	return HRTIMER_RESTART;
}

static enum hrtimer_restart ksched_timer_fn(struct ksched_kent *ke, int kind)
{
	struct ksched_krun *kr = ke->kr;
	unsigned long flags;
	u64 now = ksched_now();

	raw_spin_lock_irqsave(&kr->lock, flags);
	ksched_timer_fire(kr->core, ke->se, kind, now);
	if (ke->se->rq)
		ke->se->rq->overhead_ns += ksched_now() - now;
	raw_spin_unlock_irqrestore(&kr->lock, flags);
	return HRTIMER_NORESTART;
}

static enum hrtimer_restart ksched_wake_timer_fn(struct hrtimer *timer)
{
	return ksched_timer_fn(container_of(timer, struct ksched_kent,
					    timers[KSCHED_TIMER_WAKE]),
			       KSCHED_TIMER_WAKE);
}

static enum hrtimer_restart ksched_dl_timer_fn(struct hrtimer *timer)
{
	return ksched_timer_fn(container_of(timer, struct ksched_kent,
					    timers[KSCHED_TIMER_DL]),
			       KSCHED_TIMER_DL);
}

/* Runs on the tick's CPU, so that the pinned timer lives there */
static void ksched_tick_start(void *data)
{
	struct ksched_kcpu *kc = data;

	hrtimer_start(&kc->tick, ns_to_ktime(kc->kr->core->spec.tick_ns),
		      HRTIMER_MODE_REL_PINNED);
}

/* ---- creating and halting runs ----------------------------------------- */

/*
 * Stop the threads and timers of @kr, ending the run first if the core
 * has not.  Idempotent; may sleep.
 */
static void ksched_krun_halt(struct ksched_krun *kr, u32 state)
{
	struct ksched_run *run = kr->core;
	unsigned long flags;
	u32 i;
	int k;

	mutex_lock(&kr->halt_lock);
	if (kr->halted)
		goto out_unlock;

	raw_spin_lock_irqsave(&kr->lock, flags);
	ksched_run_stop(run, ksched_now(), state, NULL);
	raw_spin_unlock_irqrestore(&kr->lock, flags);

	for (i = 0; i < run->nr_rqs; i++)
		hrtimer_cancel(&kr->kcpus[i].tick);
	for (i = 0; i < run->nr_entities; i++)
		for (k = 0; k < KSCHED_NR_TIMERS; k++)
			hrtimer_cancel(&kr->kents[i].timers[k]);
	for (i = 0; i < run->nr_entities; i++) {
		kthread_stop(kr->kents[i].task);
		put_task_struct(kr->kents[i].task);
		kr->kents[i].task = NULL;
	}
	kr->halted = true;
out_unlock:
	mutex_unlock(&kr->halt_lock);
}

static void ksched_stop_work_fn(struct work_struct *work)
{
	ksched_krun_halt(container_of(work, struct ksched_krun, stop_work),
			 KLAB_SCHED_RUN_STOPPED);
}

/* Free a halted run, or one whose threads were never started */
static void ksched_krun_free(struct ksched_krun *kr)
{
	cancel_work_sync(&kr->stop_work);
	ksched_run_destroy(kr->core);
	kfree(kr->kcpus);
	kfree(kr->kents);
	mutex_destroy(&kr->halt_lock);
	kfree(kr);
}

static int ksched_krun_threads(struct ksched_krun *kr)
{
	struct ksched_run *run = kr->core;
	int ret;
	u32 i;

	for (i = 0; i < run->nr_entities; i++) {
		struct ksched_kent *ke = &kr->kents[i];
		int cpu = run->rqs[ksched_first_allowed(ke->se, 0)].cpu;
		struct task_struct *task;

		if (ke->se->spec->start_cpu != KSCHED_NO_CPU)
			cpu = ke->se->spec->start_cpu;
		task = kthread_create(ksched_thread_fn, ke, "klab/%u/%u", kr->id, i);
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			goto err_stop;
		}
		get_task_struct(task);
		ke->task = task;
		ke->pid = task_pid_nr(task);
		set_cpus_allowed_ptr(task, cpumask_of(cpu));
		wake_up_process(task);
	}
	return 0;

err_stop:
	while (i--) {
		kthread_stop(kr->kents[i].task);
		put_task_struct(kr->kents[i].task);
	}
	return ret;
}

static struct ksched_krun *ksched_krun_alloc(const struct ksched_run_spec *spec)
{
	struct ksched_krun *kr;
	u32 i;
	int k;

	kr = kzalloc(sizeof(*kr), GFP_KERNEL);
	if (!kr)
		return NULL;
	raw_spin_lock_init(&kr->lock);
	mutex_init(&kr->halt_lock);
	INIT_WORK(&kr->stop_work, ksched_stop_work_fn);
	kr->core = ksched_run_create(spec, &ksched_kernel_env, kr);
	if (!kr->core)
		goto err_free;
	kr->kents = kcalloc(spec->nr_entities, sizeof(*kr->kents), GFP_KERNEL);
	if (!kr->kents)
		goto err_destroy;
	kr->kcpus = kcalloc(kr->core->nr_rqs, sizeof(*kr->kcpus), GFP_KERNEL);
	if (!kr->kcpus)
		goto err_free_kents;

	for (i = 0; i < spec->nr_entities; i++) {
		struct ksched_kent *ke = &kr->kents[i];

		ke->kr = kr;
		ke->se = &kr->core->ents[i];
		for (k = 0; k < KSCHED_NR_TIMERS; k++)
			hrtimer_init(&ke->timers[k], CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
		ke->timers[KSCHED_TIMER_WAKE].function = ksched_wake_timer_fn;
		ke->timers[KSCHED_TIMER_DL].function = ksched_dl_timer_fn;
	}
	for (i = 0; i < kr->core->nr_rqs; i++) {
		struct ksched_kcpu *kc = &kr->kcpus[i];

		kc->kr = kr;
		kc->rq = &kr->core->rqs[i];
		hrtimer_init(&kc->tick, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
		kc->tick.function = ksched_tick_fn;
	}
	return kr;

err_free_kents:
	kfree(kr->kents);
err_destroy:
	ksched_run_destroy(kr->core);
err_free:
	mutex_destroy(&kr->halt_lock);
	kfree(kr);
	return NULL;
}

/* Forget the oldest finished runs beyond keep_runs; mutex held */
static void ksched_runs_trim(void)
{
	unsigned int n = 0, keep = READ_ONCE(ksched_keep_runs);
	struct ksched_krun *kr, *tmp;

	list_for_each_entry_safe(kr, tmp, &ksched_runs, node) {
		if (++n <= keep || ksched_run_active(kr->core))
			continue;
		list_del(&kr->node);
		ksched_krun_halt(kr, KLAB_SCHED_RUN_STOPPED);
		ksched_krun_free(kr);
	}
}

static bool ksched_any_active(void)
{
	struct ksched_krun *kr;

	list_for_each_entry(kr, &ksched_runs, node)
		if (ksched_run_active(kr->core))
			return true;
	return false;
}

/**
 * ksched_run_new - start a run
 * @spec: the description, checked here
 * @id: the new run's number
 * @err: why @spec was refused (for -EINVAL and -EBUSY)
 *
 * Return: 0, -EINVAL or -EBUSY with @err filled in (a bad description,
 * CPUs offline, deadline admission, a run already active), or -ENOMEM.
 */
int ksched_run_new(const struct ksched_run_spec *spec, u32 *id,
		   struct ksched_spec_error *err)
{
	struct ksched_krun *kr;
	unsigned long flags;
	unsigned int cpu;
	int ret;
	u32 i;

	ret = ksched_spec_check(spec, err);
	if (ret)
		return ret;
	for_each_set_bit(cpu, (const unsigned long *)&spec->cpus, KLAB_SCHED_MAX_CPUS) {
		if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
			snprintf(err->msg, sizeof(err->msg), "CPU %u is not online", cpu);
			err->attr = KLAB_SCHED_A_RUN_CPUS;
			return -EINVAL;
		}
	}

	mutex_lock(&ksched_runs_mutex);
	if (ksched_any_active()) {
		snprintf(err->msg, sizeof(err->msg),
			 "a run is active: stop it first (klabctl sched stop)");
		ret = -EBUSY;
		goto err_unlock;
	}
	kr = ksched_krun_alloc(spec);
	if (!kr) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	kr->id = ksched_next_id++;
	ret = ksched_krun_threads(kr);
	if (ret)
		goto err_free;
	list_add(&kr->node, &ksched_runs);

	raw_spin_lock_irqsave(&kr->lock, flags);
	ksched_run_start(kr->core, ksched_now());
	raw_spin_unlock_irqrestore(&kr->lock, flags);
	for (i = 0; i < kr->core->nr_rqs; i++)
		smp_call_function_single(kr->kcpus[i].rq->cpu, ksched_tick_start,
					 &kr->kcpus[i], 1);
	*id = kr->id;
	ksched_runs_trim();
	mutex_unlock(&ksched_runs_mutex);
	klab_dbg(1, "run %u started: %u entities on %u CPUs\n", kr->id,
		 spec->nr_entities, kr->core->nr_rqs);
	return 0;

err_free:
	ksched_krun_free(kr);
err_unlock:
	mutex_unlock(&ksched_runs_mutex);
	return ret;
}

int ksched_run_stop_id(u32 id)
{
	struct ksched_krun *kr;

	mutex_lock(&ksched_runs_mutex);
	kr = ksched_run_find(id);
	if (kr)
		ksched_krun_halt(kr, KLAB_SCHED_RUN_STOPPED);
	mutex_unlock(&ksched_runs_mutex);
	return kr ? 0 : -ENOENT;
}

int ksched_run_del(u32 id)
{
	struct ksched_krun *kr;

	mutex_lock(&ksched_runs_mutex);
	kr = ksched_run_find(id);
	if (!kr) {
		mutex_unlock(&ksched_runs_mutex);
		return -ENOENT;
	}
	if (ksched_run_active(kr->core)) {
		mutex_unlock(&ksched_runs_mutex);
		return -EBUSY;
	}
	list_del(&kr->node);
	mutex_unlock(&ksched_runs_mutex);
	ksched_krun_halt(kr, KLAB_SCHED_RUN_STOPPED);
	ksched_krun_free(kr);
	return 0;
}

/* Module unload: every thread of every run stops before the code goes */
void ksched_runs_exit(void)
{
	struct ksched_krun *kr, *tmp;

	mutex_lock(&ksched_runs_mutex);
	list_for_each_entry_safe(kr, tmp, &ksched_runs, node) {
		list_del(&kr->node);
		ksched_krun_halt(kr, KLAB_SCHED_RUN_STOPPED);
		ksched_krun_free(kr);
	}
	mutex_unlock(&ksched_runs_mutex);
}
