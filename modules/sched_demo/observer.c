// SPDX-License-Identifier: GPL-2.0
/*
 * sched_demo: an observer of the kernel's own scheduler.
 *
 * An observation watches up to 16 tasks through the sched_switch and
 * sched_wakeup tracepoints.  6.1 does not export register_trace_sched_*(),
 * so the tracepoints are looked up by name with for_each_kernel_tracepoint()
 * and probed with tracepoint_probe_register().  Tasks are either existing
 * ones (by PID) or kernel threads the observation starts itself with real
 * policies: set_user_nice(), sched_setattr_nocheck() for SCHED_FIFO,
 * SCHED_RR and SCHED_DEADLINE (sched_setscheduler() is not exported).
 * Those threads spin for a while, or until the window ends, and sleep
 * afterwards: a forgotten observation cannot leave a CPU hog behind.
 *
 * Runtime is clipped to the window [start, start + window].  The threads
 * may start a warm-up before it: an rt hog's rt_time starts at zero, so
 * its first rt period is not throttled, and a window of whole periods
 * from its start sees one throttled gap fewer than it should (1.60% for
 * the 5% of three periods); from the first period timer on, every period
 * has its gap, and a window of whole periods sees all of them wherever
 * they fall.
 *
 * CFS divides the CPU time it charges (se.sum_exec_runtime) by weight,
 * and keeps the vruntimes of its tasks within about a slice of each
 * other; but a tick can charge the task on the CPU with a long stretch
 * at once (without steal accounting, time the host took from a vCPU),
 * and CFS pays that back over the following slices.  A share measured up
 * to an arbitrary instant holds whatever is not yet paid back: at host
 * load 10, nice 0/5 came out 2.49 over 2 s instead of 3.06.  So for fair
 * tasks pinned to one CPU the observation also measures between two
 * even points: the switches on that CPU, one in each half of the window,
 * where the tasks' vruntimes were closest (read under that run queue's
 * lock, which the sched_switch probe runs under).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <uapi/linux/sched/types.h>
#include <linux/tracepoint.h>
#include <linux/completion.h>
#include <uapi/linux/sched.h>

#include "sched_demo.h"

/**
 * struct ksched_obs_task - one watched task
 * @obs: its observation
 * @task: the task (a reference is held)
 * @own: a thread the observation started
 * @spec: what such a thread does
 * @lock: protects @st, @last_in, @stalled and @wake_ts; taken in the probes
 * @st: the statistics
 * @last_in: when it was switched in, 0 while not running
 * @stalled: vCPU stalls seen by its spin loop since @last_in
 * @wake_ts: its last wakeup, 0 once it ran
 * @exec_start: its se.sum_exec_runtime when the window started
 * @exec_set: @exec_start is known (at creation without a warm-up, else
 *	at its first switch in the window)
 */
struct ksched_obs_task {
	struct ksched_obs *obs;
	struct task_struct *task;
	bool own;
	struct ksched_obs_spec spec;
	raw_spinlock_t lock;
	struct ksched_obs_stats st;
	u64 last_in;
	u64 stalled;
	u64 wake_ts;
	u64 exec_start;
	bool exec_set;
};

/**
 * struct ksched_obs_even - a switch where the watched vruntimes were closest
 * @at: when
 * @spread: the largest minus the smallest vruntime then
 * @exec: each task's se.sum_exec_runtime then
 */
struct ksched_obs_even {
	u64 at;
	u64 spread;
	u64 exec[KLAB_SCHED_OBS_MAX_THREADS];
};

struct ksched_obs {
	u32 id;
	u64 start;
	u64 end;
	bool go;
	unsigned int nr;
	struct ksched_obs_task t[KLAB_SCHED_OBS_MAX_THREADS];
	/* even points: all tasks fair threads pinned to even_cpu, else -1 */
	int even_cpu;
	raw_spinlock_t even_lock;
	struct ksched_obs_even even[2];	/* first and second half, at 0: none */
};

static struct tracepoint *ksched_tp_switch;
static struct tracepoint *ksched_tp_wakeup;
/* the observation the probes feed, read locklessly by them */
static struct ksched_obs *ksched_obs_cur;
/* serialises starting and ending observations */
static DEFINE_MUTEX(ksched_obs_mutex);
static u32 ksched_obs_next_id = 1;

static u64 ksched_obs_now(void)
{
	return ktime_get_mono_fast_ns();
}

static struct ksched_obs_task *ksched_obs_find(struct ksched_obs *obs, pid_t pid)
{
	unsigned int i;

	for (i = 0; i < obs->nr; i++)
		if (obs->t[i].st.pid == pid)
			return &obs->t[i];
	return NULL;
}

/* @ot leaves its CPU at @now: charge the segment, clipped to the window */
static void ksched_obs_close(struct ksched_obs *obs, struct ksched_obs_task *ot,
			     u64 now)
{
	u64 from = max(ot->last_in, obs->start), to = min(now, obs->end);

	if (to > from)
		ot->st.runtime += to - from;
	if (ot->last_in >= obs->start && ot->st.nr_segments < KLAB_SCHED_OBS_SEGMENTS) {
		ot->st.seg_stalled[ot->st.nr_segments] = ot->stalled;
		ot->st.seg_start[ot->st.nr_segments] = ot->last_in - obs->start;
		ot->st.segments[ot->st.nr_segments++] = now - ot->last_in;
	}
	ot->last_in = 0;
}

/*
 * A switch on the even CPU, under its run queue's lock: every watched task
 * is on that run queue, so their vruntimes and sums are consistent.  Keep
 * the switch of each half of the window where the vruntimes were closest:
 * the earliest such in the first half, the latest in the second, for the
 * longest span.
 */
static void ksched_obs_even_sample(struct ksched_obs *obs, u64 now)
{
	struct ksched_obs_even *e;
	u64 lo = U64_MAX, hi = 0, spread;
	unsigned int i, half;

	if (now < obs->start || now >= obs->end)
		return;
	for (i = 0; i < obs->nr; i++) {
		u64 v = READ_ONCE(obs->t[i].task->se.vruntime);

		lo = min(lo, v);
		hi = max(hi, v);
	}
	spread = hi - lo;
	half = now >= obs->start + (obs->end - obs->start) / 2;
	e = &obs->even[half];
	raw_spin_lock(&obs->even_lock);
	if (!e->at || spread < e->spread || (half && spread == e->spread)) {
		e->at = now;
		e->spread = spread;
		for (i = 0; i < obs->nr; i++)
			e->exec[i] = READ_ONCE(obs->t[i].task->se.sum_exec_runtime);
	}
	raw_spin_unlock(&obs->even_lock);
}

static void ksched_probe_switch(void *data, bool preempt, struct task_struct *prev,
				struct task_struct *next, unsigned int prev_state)
{
	struct ksched_obs *obs = READ_ONCE(ksched_obs_cur);
	struct ksched_obs_task *ot;
	u64 now;

	if (!obs)
		return;
	now = ksched_obs_now();
	if (obs->even_cpu == raw_smp_processor_id() &&
	    (ksched_obs_find(obs, prev->pid) || ksched_obs_find(obs, next->pid)))
		ksched_obs_even_sample(obs, now);
	ot = ksched_obs_find(obs, prev->pid);
	if (ot) {
		raw_spin_lock(&ot->lock);
		/*
		 * Running since before the window: it was charged (no steal
		 * accounting in the guest: as on the wall clock) the time since
		 */
		if (!ot->exec_set && now >= obs->start) {
			ot->exec_start = READ_ONCE(prev->se.sum_exec_runtime);
			if (ot->last_in)
				ot->exec_start -= now - max(ot->last_in, obs->start);
			ot->exec_set = true;
		}
		if (ot->last_in)
			ksched_obs_close(obs, ot, now);
		/* as __schedule() counts: blocking unless preempted */
		if (!preempt && prev_state != TASK_RUNNING) {
			ot->st.nvcsw++;
			if (!ot->st.first_block && now >= obs->start)
				ot->st.first_block = now;
		} else {
			ot->st.nivcsw++;
		}
		raw_spin_unlock(&ot->lock);
	}
	ot = ksched_obs_find(obs, next->pid);
	if (ot) {
		raw_spin_lock(&ot->lock);
		/* not running since the window started: charged nothing since */
		if (!ot->exec_set && now >= obs->start) {
			ot->exec_start = READ_ONCE(next->se.sum_exec_runtime);
			ot->exec_set = true;
		}
		ot->last_in = now;
		ot->stalled = 0;
		/* a thread started late: its first run after that start */
		if (!ot->st.first_run && now >= obs->start + ot->spec.start_ns) {
			ot->st.first_run = now;
			/* the idle task's PID is 0: none */
			if (preempt || prev_state == TASK_RUNNING)
				ot->st.first_run_preempted = prev->pid;
		}
		if (ot->wake_ts && ot->wake_ts >= obs->start) {
			u64 lat = now - ot->wake_ts;

			ot->st.lat_sum += lat;
			ot->st.lat_max = max(ot->st.lat_max, lat);
			ot->st.lat_hist[ksched_lat_bucket(lat)]++;
		}
		ot->wake_ts = 0;
		raw_spin_unlock(&ot->lock);
	}
}

static void ksched_probe_wakeup(void *data, struct task_struct *p)
{
	struct ksched_obs *obs = READ_ONCE(ksched_obs_cur);
	struct ksched_obs_task *ot;

	if (!obs)
		return;
	ot = ksched_obs_find(obs, p->pid);
	if (!ot)
		return;
	raw_spin_lock(&ot->lock);
	ot->st.wakeups++;
	ot->wake_ts = ksched_obs_now();
	raw_spin_unlock(&ot->lock);
}

static void ksched_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_switch"))
		ksched_tp_switch = tp;
	else if (!strcmp(tp->name, "sched_wakeup"))
		ksched_tp_wakeup = tp;
}

static int ksched_probes_register(void)
{
	int err;

	err = tracepoint_probe_register(ksched_tp_switch, ksched_probe_switch, NULL);
	if (err)
		return err;
	err = tracepoint_probe_register(ksched_tp_wakeup, ksched_probe_wakeup, NULL);
	if (err)
		goto err_unregister_switch;
	return 0;

err_unregister_switch:
	tracepoint_probe_unregister(ksched_tp_switch, ksched_probe_switch, NULL);
	tracepoint_synchronize_unregister();
	return err;
}

static void ksched_probes_unregister(void)
{
	tracepoint_probe_unregister(ksched_tp_wakeup, ksched_probe_wakeup, NULL);
	tracepoint_probe_unregister(ksched_tp_switch, ksched_probe_switch, NULL);
	/* no probe may still be looking at the observation when it is freed */
	tracepoint_synchronize_unregister();
}

/* ---- the observation's own threads -------------------------------------- */

/* Sleep (no load, no hung-task report) until @until or kthread_stop() */
static void ksched_obs_sleep_until(u64 until)
{
	while (!kthread_should_stop()) {
		ktime_t expires = ns_to_ktime(until);

		if (until && ktime_get_ns() >= until)
			return;
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		if (until)
			schedule_hrtimeout(&expires, HRTIMER_MODE_ABS);
		else
			schedule();
	}
	__set_current_state(TASK_RUNNING);
}

/*
 * The clock jumped by @gap between two turns of @ot's spin loop.  If @ot
 * was not switched out meanwhile (its switch-in is older than @prev), its
 * vCPU was away: the host ran something else (the guest has no steal
 * accounting, so nothing else tells).  The tick due in the stall comes at
 * its end and stands for all the others, so what lengthens a slice
 * counted in ticks is the stall beyond one tick.
 */
static void ksched_obs_stall(struct ksched_obs_task *ot, u64 prev, u64 gap)
{
	raw_spin_lock_irq(&ot->lock);
	if (ot->last_in && ot->last_in <= prev)
		ot->stalled += gap - TICK_NSEC;
	raw_spin_unlock_irq(&ot->lock);
}

static void ksched_obs_spin_until(struct ksched_obs_task *ot, u64 until)
{
	u64 prev = ksched_obs_now(), now;

	while ((now = ksched_obs_now()) < until && !kthread_should_stop()) {
		if (now - prev > TICK_NSEC)
			ksched_obs_stall(ot, prev, now - prev);
		prev = now;
		cpu_relax();
		cond_resched();
	}
}

/* Spin run_ns at the start of every period, sleep between: wakeups */
static void ksched_obs_periodic(struct ksched_obs_task *ot)
{
	struct ksched_obs *obs = ot->obs;
	u64 next = ktime_get_ns();

	while (next < obs->end && !kthread_should_stop()) {
		ksched_obs_spin_until(ot, min(ktime_get_ns() + ot->spec.run_ns, obs->end));
		next += ot->spec.period_ns;
		ksched_obs_sleep_until(next);
	}
}

static int ksched_obs_thread_fn(void *data)
{
	struct ksched_obs_task *ot = data;
	struct ksched_obs *obs = ot->obs;
	u64 until;

	/* the observation starts all its threads at once */
	while (!READ_ONCE(obs->go) && !kthread_should_stop()) {
		set_current_state(TASK_IDLE);
		if (READ_ONCE(obs->go) || kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);

	if (ot->spec.start_ns)
		ksched_obs_sleep_until(obs->start + ot->spec.start_ns);
	if (ot->spec.period_ns) {
		ksched_obs_periodic(ot);
	} else if (!ot->spec.idle) {
		until = obs->end;
		if (ot->spec.run_ns)
			until = min(until, ktime_get_ns() + ot->spec.run_ns);
		ksched_obs_spin_until(ot, until);
	}
	ksched_obs_sleep_until(0);
	return 0;
}

static int ksched_obs_set_policy(struct task_struct *task, const struct ksched_obs_spec *s)
{
	struct sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = s->policy,
	};

	switch (s->policy) {
	case SCHED_NORMAL:
		set_user_nice(task, s->nice);
		return 0;
	case SCHED_FIFO:
	case SCHED_RR:
		attr.sched_priority = s->prio;
		break;
	case SCHED_DEADLINE:
		attr.sched_runtime = s->dl_runtime;
		attr.sched_deadline = s->dl_deadline ? s->dl_deadline : s->dl_period;
		attr.sched_period = s->dl_period;
		break;
	}
	return sched_setattr_nocheck(task, &attr);
}

static int ksched_obs_start_thread(struct ksched_obs *obs, struct ksched_obs_task *ot,
				   unsigned int n)
{
	struct task_struct *task;

	task = kthread_create(ksched_obs_thread_fn, ot, "klab-obs/%u/%u", obs->id, n);
	if (IS_ERR(task))
		return PTR_ERR(task);
	get_task_struct(task);
	ot->task = task;
	ot->own = true;
	ot->st.pid = task_pid_nr(task);
	/* kthread_bind() only before the first wakeup: it is not woken yet */
	if (ot->spec.bind)
		kthread_bind(task, ot->spec.cpu);
	else if (ot->spec.cpu >= 0)
		set_cpus_allowed_ptr(task, cpumask_of(ot->spec.cpu));
	ot->st.error = ksched_obs_set_policy(task, &ot->spec);
	return 0;
}

static void ksched_obs_free(struct ksched_obs *obs)
{
	unsigned int i;

	for (i = 0; i < obs->nr; i++) {
		if (obs->t[i].own)
			kthread_stop(obs->t[i].task);
		put_task_struct(obs->t[i].task);
	}
	kfree(obs);
}

/* The CPU all threads are pinned to if all are fair, else -1 */
static int ksched_obs_even_cpu(const struct ksched_obs_spec *threads,
			       unsigned int nr_threads, unsigned int nr_pids)
{
	unsigned int i;

	if (nr_pids || nr_threads < 2 || threads[0].cpu < 0)
		return -1;
	for (i = 0; i < nr_threads; i++)
		if (threads[i].policy != SCHED_NORMAL || threads[i].cpu != threads[0].cpu)
			return -1;
	return threads[0].cpu;
}

/**
 * ksched_obs_new - start an observation
 * @threads: kernel threads to start, with their policies
 * @nr_threads: how many
 * @pids: existing tasks to watch
 * @nr_pids: how many
 * @window_ns: how long to measure; the threads stop spinning at its end
 * @warmup_ns: the threads start this long before the window
 * @id: the observation's number
 * @extack: for error messages
 *
 * A thread whose policy could not be set (EBUSY from deadline admission)
 * still runs, with that error in its statistics.
 *
 * Return: 0, -EBUSY if an observation is going on, -ESRCH for an unknown
 * PID, -EINVAL, -ENOMEM.
 */
int ksched_obs_new(const struct ksched_obs_spec *threads, unsigned int nr_threads,
		   const pid_t *pids, unsigned int nr_pids, u64 window_ns,
		   u64 warmup_ns, u32 *id, struct netlink_ext_ack *extack)
{
	struct ksched_obs *obs;
	unsigned int i;
	int err;

	mutex_lock(&ksched_obs_mutex);
	if (ksched_obs_cur) {
		NL_SET_ERR_MSG(extack, "an observation is going on: delete it first");
		err = -EBUSY;
		goto err_unlock;
	}
	obs = kzalloc(sizeof(*obs), GFP_KERNEL);
	if (!obs) {
		err = -ENOMEM;
		goto err_unlock;
	}
	obs->id = ksched_obs_next_id++;
	raw_spin_lock_init(&obs->even_lock);
	obs->even_cpu = ksched_obs_even_cpu(threads, nr_threads, nr_pids);
	for (i = 0; i < nr_pids; i++) {
		struct ksched_obs_task *ot = &obs->t[obs->nr];

		raw_spin_lock_init(&ot->lock);
		ot->obs = obs;
		rcu_read_lock();
		ot->task = pid_task(find_vpid(pids[i]), PIDTYPE_PID);
		if (ot->task)
			get_task_struct(ot->task);
		rcu_read_unlock();
		if (!ot->task) {
			NL_SET_ERR_MSG(extack, "no such pid");
			err = -ESRCH;
			goto err_free;
		}
		ot->st.pid = pids[i];
		obs->nr++;
	}
	for (i = 0; i < nr_threads; i++) {
		struct ksched_obs_task *ot = &obs->t[obs->nr];

		raw_spin_lock_init(&ot->lock);
		ot->obs = obs;
		ot->spec = threads[i];
		if (ot->spec.policy == SCHED_DEADLINE && ot->spec.cpu >= 0) {
			NL_SET_ERR_MSG(extack,
				       "a SCHED_DEADLINE thread cannot be pinned (its affinity must span the root domain)");
			err = -EINVAL;
			goto err_free;
		}
		err = ksched_obs_start_thread(obs, ot, i);
		if (err)
			goto err_free;
		obs->nr++;
	}

	err = ksched_probes_register();
	if (err)
		goto err_free;
	/* the threads have not run since they were created: exact */
	for (i = 0; i < obs->nr && !warmup_ns; i++) {
		obs->t[i].exec_start = READ_ONCE(obs->t[i].task->se.sum_exec_runtime);
		obs->t[i].exec_set = true;
	}
	obs->start = ksched_obs_now() + warmup_ns;
	obs->end = obs->start + window_ns;
	WRITE_ONCE(ksched_obs_cur, obs);
	WRITE_ONCE(obs->go, true);
	for (i = 0; i < obs->nr; i++)
		if (obs->t[i].own)
			wake_up_process(obs->t[i].task);
	*id = obs->id;
	mutex_unlock(&ksched_obs_mutex);
	return 0;

err_free:
	/* threads not yet woken: kthread_stop() ends them before they run */
	ksched_obs_free(obs);
err_unlock:
	mutex_unlock(&ksched_obs_mutex);
	return err;
}

/* @p's name, its real parent's PID and name, and whether it has an mm */
static void ksched_obs_lineage(struct task_struct *p, struct ksched_obs_stats *st)
{
	struct task_struct *parent;

	get_task_comm(st->comm, p);
	rcu_read_lock();
	parent = rcu_dereference(p->real_parent);
	st->ppid = task_tgid_nr(parent);
	get_task_comm(st->parent_comm, parent);
	rcu_read_unlock();
	st->has_mm = !!READ_ONCE(p->mm);
}

int ksched_obs_get(u32 id, struct ksched_obs_stats *stats, unsigned int *nr,
		   u64 *elapsed, u64 *start, struct ksched_obs_span *even)
{
	struct ksched_obs_even *e;
	struct ksched_obs *obs;
	unsigned long flags;
	unsigned int i;
	u64 now;

	mutex_lock(&ksched_obs_mutex);
	obs = ksched_obs_cur;
	if (!obs || obs->id != id) {
		mutex_unlock(&ksched_obs_mutex);
		return -ENOENT;
	}
	now = ksched_obs_now();
	for (i = 0; i < obs->nr; i++) {
		struct ksched_obs_task *ot = &obs->t[i];
		struct task_struct *p = ot->task;
		u64 from = 0, to = min(now, obs->end);

		raw_spin_lock_irqsave(&ot->lock, flags);
		stats[i] = ot->st;
		if (ot->last_in) {
			from = max(ot->last_in, obs->start);
			if (to > from)
				stats[i].runtime += to - from;
		}
		if (ot->exec_set)
			stats[i].exec = READ_ONCE(p->se.sum_exec_runtime) - ot->exec_start;
		else	/* no switch in the window yet: running all of it, or none */
			stats[i].exec = ot->last_in && to > from ? to - from : 0;
		raw_spin_unlock_irqrestore(&ot->lock, flags);
		stats[i].static_prio = p->static_prio;
		stats[i].normal_prio = p->normal_prio;
		stats[i].prio = p->prio;
		stats[i].rt_priority = p->rt_priority;
		ksched_obs_lineage(p, &stats[i]);
	}
	raw_spin_lock_irqsave(&obs->even_lock, flags);
	e = obs->even;
	even->valid = e[0].at && e[1].at;
	even->ns = even->valid ? e[1].at - e[0].at : 0;
	even->lag = max(e[0].spread, e[1].spread);
	for (i = 0; even->valid && i < obs->nr; i++)
		stats[i].exec_even = e[1].exec[i] - e[0].exec[i];
	raw_spin_unlock_irqrestore(&obs->even_lock, flags);
	*nr = obs->nr;
	*start = obs->start;
	*elapsed = now > obs->start ? min(now, obs->end) - obs->start : 0;
	mutex_unlock(&ksched_obs_mutex);
	return 0;
}

static void ksched_obs_end(struct ksched_obs *obs)
{
	unsigned int i;

	/* stop the threads first: their last switches are still observed */
	for (i = 0; i < obs->nr; i++) {
		if (!obs->t[i].own)
			continue;
		kthread_stop(obs->t[i].task);
		obs->t[i].own = false;
	}
	WRITE_ONCE(ksched_obs_cur, NULL);
	ksched_probes_unregister();
	ksched_obs_free(obs);
}

int ksched_obs_del(u32 id)
{
	struct ksched_obs *obs;

	mutex_lock(&ksched_obs_mutex);
	obs = ksched_obs_cur;
	if (!obs || obs->id != id) {
		mutex_unlock(&ksched_obs_mutex);
		return -ENOENT;
	}
	ksched_obs_end(obs);
	mutex_unlock(&ksched_obs_mutex);
	return 0;
}

int ksched_obs_init(void)
{
	for_each_kernel_tracepoint(ksched_find_tracepoint, NULL);
	if (!ksched_tp_switch || !ksched_tp_wakeup) {
		pr_err("tracepoints sched_switch and sched_wakeup not found\n");
		return -ENOENT;
	}
	return 0;
}

void ksched_obs_exit(void)
{
	mutex_lock(&ksched_obs_mutex);
	if (ksched_obs_cur)
		ksched_obs_end(ksched_obs_cur);
	mutex_unlock(&ksched_obs_mutex);
}

/* ---- the kernel's own switch, for comparison ---------------------------- */

struct ksched_pp {
	struct task_struct *t[2];
	int turn;
	u32 rounds;
	u64 start;
	u64 end;
	struct completion done;
};

struct ksched_pp_side {
	struct ksched_pp *pp;
	int me;
};

static int ksched_pp_fn(void *data)
{
	struct ksched_pp_side *side = data;
	struct ksched_pp *pp = side->pp;
	int me = side->me;
	u32 i;

	for (i = 0; i < pp->rounds; i++) {
		for (;;) {
			set_current_state(TASK_IDLE);
			if (READ_ONCE(pp->turn) == me || kthread_should_stop())
				break;
			schedule();
		}
		__set_current_state(TASK_RUNNING);
		if (kthread_should_stop())
			break;
		if (!me && !i)
			pp->start = ktime_get_ns();
		WRITE_ONCE(pp->turn, !me);
		wake_up_process(pp->t[!me]);
	}
	if (me) {
		pp->end = ktime_get_ns();
		complete(&pp->done);
	}
	ksched_obs_sleep_until(0);
	return 0;
}

/**
 * ksched_pingpong - time the kernel's own thread switch on @cpu
 * @cpu: where both threads run
 * @rounds: round trips, two switches each
 * @ns: the time they took
 *
 * Two kernel threads take turns with wake_up_process() and schedule(),
 * as the framework's entity threads hand the CPU to each other.
 *
 * Return: 0, -ETIMEDOUT after a minute, or a kthread_create() error.
 */
int ksched_pingpong(unsigned int cpu, u32 rounds, u64 *ns)
{
	struct ksched_pp_side sides[2];
	struct ksched_pp pp = { .rounds = rounds };
	int i, err = 0;

	init_completion(&pp.done);
	for (i = 0; i < 2; i++) {
		sides[i].pp = &pp;
		sides[i].me = i;
		pp.t[i] = kthread_create_on_cpu(ksched_pp_fn, &sides[i], cpu,
						"klab-pp/%u");
		if (IS_ERR(pp.t[i])) {
			err = PTR_ERR(pp.t[i]);
			goto err_stop;
		}
		get_task_struct(pp.t[i]);
	}
	wake_up_process(pp.t[1]);
	wake_up_process(pp.t[0]);
	if (!wait_for_completion_timeout(&pp.done, 60 * HZ))
		err = -ETIMEDOUT;
	*ns = pp.end - pp.start;
	i = 2;
err_stop:
	while (i--) {
		kthread_stop(pp.t[i]);
		put_task_struct(pp.t[i]);
	}
	return err;
}
