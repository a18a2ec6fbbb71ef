// SPDX-License-Identifier: GPL-2.0
/*
 * sched_demo: the entity threads.
 *
 * A thread sleeps (TASK_IDLE: no load, no hung-task reports) until the
 * framework makes its entity the curr of a run queue and wakes it.  It
 * then moves itself to that CPU if it is not there, and spins: until its
 * RUN step is over, the framework sets the run queue's resched flag (the
 * tick or a wakeup that preempts), or the run stops.  Either way it asks
 * the core what next (ksched_yield()), which may hand the CPU to another
 * entity by waking that one's thread; then it sleeps or spins again.
 *
 * The spin calls cond_resched(): the real kernel's own work still gets
 * the CPU, because to the kernel every entity thread is an ordinary
 * SCHED_NORMAL thread, whatever class the framework gives its entity.
 */
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/cpumask.h>

#include "sched_demo.h"

/* Sleep until selected; false when the thread must exit instead */
static bool ksched_wait_selected(struct ksched_kent *ke)
{
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop() || READ_ONCE(ke->kr->stopping))
			break;
		if (READ_ONCE(ke->se->on_cpu)) {
			__set_current_state(TASK_RUNNING);
			return true;
		}
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return false;
}

/*
 * Selected on a CPU the thread is not on (a migration): move there.  Its
 * run queue cannot change while it is the curr.
 */
static void ksched_follow_cpu(struct ksched_kent *ke)
{
	int cpu = READ_ONCE(ke->se->rq)->cpu;

	if (raw_smp_processor_id() != cpu)
		set_cpus_allowed_ptr(current, cpumask_of(cpu));
}

/* Note the start (wakeup latency) and learn when the RUN step ends */
static u64 ksched_thread_started(struct ksched_kent *ke)
{
	struct ksched_krun *kr = ke->kr;
	struct ksched_entity *se = ke->se;
	unsigned long flags;
	u64 until;

	raw_spin_lock_irqsave(&kr->lock, flags);
	ksched_note_started(se, ksched_now());
	if (se->rq->cpu != raw_smp_processor_id())
		se->wrong_cpu++;
	until = ksched_run_until(se);
	raw_spin_unlock_irqrestore(&kr->lock, flags);
	return until;
}

/* Burn CPU until @until, a resched request or the end of the run */
static void ksched_spin(struct ksched_kent *ke, u64 until)
{
	struct ksched_rq *rq = READ_ONCE(ke->se->rq);

	while (!READ_ONCE(rq->resched) && !READ_ONCE(ke->kr->stopping) &&
	       !kthread_should_stop() && ksched_now() < until) {
		cpu_relax();
		cond_resched();
	}
}

/*
 * The step is over or the CPU must be given up: let the core decide.
 * Returns when the thread still runs its entity next, and the new end
 * of its step; 0 when it must wait to be selected again.
 */
static u64 ksched_thread_yield(struct ksched_kent *ke)
{
	struct ksched_krun *kr = ke->kr;
	struct ksched_entity *se = ke->se;
	struct ksched_rq *rq = se->rq;
	unsigned long flags;
	u64 start = ksched_now(), until = 0;

	raw_spin_lock_irqsave(&kr->lock, flags);
	if (se->on_cpu && ksched_yield(rq, start) == se)
		until = ksched_run_until(se);
	rq->overhead_ns += ksched_now() - start;
	raw_spin_unlock_irqrestore(&kr->lock, flags);
	return until;
}

/* After the run: wait for kthread_stop() */
static void ksched_thread_park(void)
{
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

int ksched_thread_fn(void *data)
{
	struct ksched_kent *ke = data;

	while (ksched_wait_selected(ke)) {
		u64 until;

		ksched_follow_cpu(ke);
		until = ksched_thread_started(ke);
		do {
			ksched_spin(ke, until);
			if (READ_ONCE(ke->kr->stopping) || kthread_should_stop())
				break;
			until = ksched_thread_yield(ke);
		} while (until);
	}
	ksched_thread_park();
	return 0;
}
