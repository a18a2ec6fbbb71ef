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
 *
 * The thread counts the CPU time it spins (ke->ran_ns), and the
 * framework charges its entity with that: when the clock jumps between
 * two turns of the loop by more than a quarter of a tick, the thread was
 * kept off the CPU (by the kernel, or by the host under emulation) and
 * the gap is not its entity's, as rq_clock_task() leaves out steal time.
 */
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/cpumask.h>
#include <linux/sched/clock.h>

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

/*
 * Burn CPU until the entity has had @until (in ke->ran_ns time), the run
 * queue asks for a resched, or the run ends.  Gaps are measured with
 * local_clock(): cheap (the TSC, where the run's clock may be an
 * emulated HPET), and the thread stays on its CPU while it spins.
 */
static void ksched_spin(struct ksched_kent *ke, u64 until)
{
	struct ksched_rq *rq = READ_ONCE(ke->se->rq);
	u64 gap = ke->kr->core->spec.tick_ns / 4;
	u64 ran = ke->ran_ns, last = local_clock();

	while (ran < until && !READ_ONCE(rq->resched) &&
	       !READ_ONCE(ke->kr->stopping) && !kthread_should_stop()) {
		u64 now;

		cpu_relax();
		cond_resched();
		now = local_clock();
		if (now - last < gap)
			ran += now - last;
		last = now;
		/*
		 * The step ends at @until exactly: the last turn's overshoot
		 * is the granularity of the loop, not the entity's work.  A
		 * deadline entity whose job uses all of its budget would
		 * otherwise overrun it by that much; the CBS carries the
		 * deficit into the next period (as the kernel does), the next
		 * job is throttled just short of its end, finishes only after
		 * the following replenishment, past its next release, and
		 * from then on every job is late and the entity never sleeps.
		 */
		WRITE_ONCE(ke->ran_ns, min(ran, until));
	}
}

/*
 * The step is over or the CPU must be given up: let the core decide.
 * True when the thread still runs its entity, with the new end of its
 * step in @until; false when it must wait to be selected again.
 */
static bool ksched_thread_yield(struct ksched_kent *ke, u64 *until)
{
	struct ksched_krun *kr = ke->kr;
	struct ksched_entity *se = ke->se;
	struct ksched_rq *rq = se->rq;
	u64 start = ksched_now();
	unsigned long flags;
	bool keep = false;

	raw_spin_lock_irqsave(&kr->lock, flags);
	if (se->on_cpu && ksched_yield(rq, start) == se) {
		*until = ksched_run_until(se);
		keep = true;
	}
	rq->overhead_ns += ksched_now() - start;
	raw_spin_unlock_irqrestore(&kr->lock, flags);
	return keep;
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
		} while (ksched_thread_yield(ke, &until));
	}
	ksched_thread_park();
	return 0;
}
