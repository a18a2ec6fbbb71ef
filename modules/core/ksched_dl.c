// SPDX-License-Identifier: GPL-2.0
/*
 * The deadline class: EDF with the Constant Bandwidth Server, as in
 * Linux 6.1's SCHED_DEADLINE.
 *
 * Each entity has (runtime, deadline, period).  Runnable entities sit in
 * a red-black tree by absolute deadline and the earliest runs (curr stays
 * in the tree).  On wakeup, a deadline in the past, or a budget that
 * would overflow its bandwidth before the deadline, gives a fresh
 * deadline and a full budget (update_dl_entity(); for constrained
 * deadlines the revised wakeup rule scales the budget down instead).
 * Running consumes the budget; at zero the entity is throttled, out of
 * the tree, until its next period starts, when a replenishment adds a
 * period to the deadline and a runtime to the budget.  Admission control
 * (sum runtime/period within rt_runtime/rt_period of every CPU) is in
 * ksched_spec_check().
 *
 * Unlike the kernel, deadlines, periods, replenishments and the releases
 * of a deadline entity's jobs count in its CPU's clock_task, the time
 * the CPU actually gave the framework, not the wall clock (rq_clock()):
 * budgets are that CPU time, and time stolen from the CPU (the host's
 * under emulation, the kernel's other threads) then delays the periods
 * instead of eating them.  The kernel has steal-time accounting and a
 * CPU to itself; the framework's threads have neither.  Without steal
 * the two clocks are the same (the simulator).  Times of entities on
 * other run queues compare after adding each queue's lost time
 * (ksched_rq_lost()), and move by the difference with the entity.
 */
#include "ksched.h"

static struct ksched_entity *dl_se(const struct ksched_rb_node *node)
{
	return node ? ksched_container_of(node, struct ksched_entity, dl.node) : NULL;
}

static bool dl_less(const struct ksched_rb_node *a, const struct ksched_rb_node *b)
{
	return ksched_time_before(dl_se(a)->dl.deadline, dl_se(b)->dl.deadline);
}

void ksched_dl_init_rq(struct ksched_rq *rq)
{
	ksched_rb_init(&rq->dl.tasks);
	rq->dl.nr_running = 0;
}

static void dl_insert(struct ksched_rq *rq, struct ksched_entity *se)
{
	ksched_rb_insert(&rq->dl.tasks, &se->dl.node, dl_less);
	rq->dl.nr_running++;
	se->dl.queued = true;
}

static void dl_remove(struct ksched_rq *rq, struct ksched_entity *se)
{
	if (!se->dl.queued)
		return;
	ksched_rb_erase(&rq->dl.tasks, &se->dl.node);
	rq->dl.nr_running--;
	se->dl.queued = false;
}

/*
 * dl_entity_overflow(): would the remaining budget, used by the current
 * deadline, exceed the reserved bandwidth?  runtime / (deadline - now) >
 * dl_runtime / dl_deadline, cross-multiplied with the kernel's 2^10
 * scaling to stay within 64 bits.
 */
static bool dl_overflow(const struct ksched_entity *se, u64 now)
{
	const struct ksched_dl_se *dl = &se->dl;
	u64 left = (dl->dl_deadline >> 10) * ((u64)dl->runtime >> 10);
	u64 right = ((dl->deadline - now) >> 10) * (dl->dl_runtime >> 10);

	return ksched_time_before(right, left);
}

static void update_dl_entity(struct ksched_rq *rq, struct ksched_entity *se)
{
	struct ksched_dl_se *dl = &se->dl;
	u64 now = rq->clock_task;

	if (!ksched_time_before(dl->deadline, now) && dl->runtime > 0 &&
	    !dl_overflow(se, now))
		return;
	if (dl->dl_deadline != dl->dl_period && dl->deadline &&
	    !ksched_time_before(dl->deadline, now)) {
		/* revised wakeup rule: keep the deadline, scale the budget */
		u64 density = ksched_to_ratio(dl->dl_deadline, dl->dl_runtime);

		dl->runtime = (s64)((density * (dl->deadline - now)) >> KSCHED_BW_SHIFT);
		return;
	}
	dl->deadline = now + dl->dl_deadline;
	dl->runtime = (s64)dl->dl_runtime;
}

static void replenish_dl_entity(struct ksched_rq *rq, struct ksched_entity *se)
{
	struct ksched_dl_se *dl = &se->dl;

	while (dl->runtime <= 0) {
		dl->deadline += dl->dl_period;
		dl->runtime += (s64)dl->dl_runtime;
	}
	/* lagged too much: start over from now */
	if (ksched_time_before(dl->deadline, rq->clock_task)) {
		dl->deadline = rq->clock_task + dl->dl_deadline;
		dl->runtime = (s64)dl->dl_runtime;
	}
}

static void dl_enqueue(struct ksched_rq *rq, struct ksched_entity *se, int flags)
{
	if (se->dl.throttled)
		return;		/* its replenishment timer brings it back */
	if (flags & (KSCHED_ENQ_WAKEUP | KSCHED_ENQ_INITIAL))
		update_dl_entity(rq, se);
	dl_insert(rq, se);
}

static void dl_dequeue(struct ksched_rq *rq, struct ksched_entity *se, int flags)
{
	(void)flags;
	dl_remove(rq, se);
}

static struct ksched_entity *dl_pick_next(struct ksched_rq *rq,
					  struct ksched_entity *prev)
{
	(void)prev;
	return dl_se(ksched_rb_first(&rq->dl.tasks));
}

static void dl_put_prev(struct ksched_rq *rq, struct ksched_entity *se)
{
	(void)rq;
	(void)se;	/* stays in the tree while runnable */
}

/**
 * ksched_dl_rebase - move @se's times from @src's clock_task to @dst's
 * @se: a deadline entity leaving @src for @dst
 * @src: its run queue
 * @dst: its new one
 */
void ksched_dl_rebase(struct ksched_entity *se, const struct ksched_rq *src,
		      const struct ksched_rq *dst)
{
	u64 shift = ksched_rq_lost(src) - ksched_rq_lost(dst);
	int k;

	se->dl.deadline += shift;
	se->dl.job_deadline += shift;
	se->next_release += shift;
	se->prog_start += shift;
	if (se->job_release)
		se->job_release += shift;
	for (k = 0; k < KSCHED_NR_TIMERS; k++)
		if (se->timer_armed[k])
			se->timer_at[k] += shift;
}

static void dl_migrate_task_rq(struct ksched_entity *se, struct ksched_rq *dst)
{
	ksched_update_curr(se->rq);
	ksched_update_curr(dst);
	ksched_dl_rebase(se, se->rq, dst);
}

/*
 * update_curr_dl(): consume the budget with the CPU time had (as the
 * kernel's rq_clock_task()), throttle at zero; that time counts against
 * the rt bandwidth too, as in 6.1.
 */
static void dl_update_curr(struct ksched_rq *rq, struct ksched_entity *se, u64 delta)
{
	struct ksched_dl_se *dl = &se->dl;
	u64 next_period;

	dl->runtime -= (s64)delta;
	ksched_rt_account_dl(rq, se, delta);
	if (dl->runtime > 0 || dl->throttled)
		return;

	dl->throttled = true;
	se->throttled++;
	/*
	 * How far past zero the budget ran before this check saw it: the
	 * lateness of the slice tick or switch that called us.  Repaid at
	 * the replenishment, but the last budget of a run keeps it.
	 */
	if ((u64)-dl->runtime > se->dl_overrun_max)
		se->dl_overrun_max = (u64)-dl->runtime;
	dl_remove(rq, se);
	ksched_resched(rq);
	/* dl_next_period(): the replenishment instant */
	next_period = dl->deadline - dl->dl_deadline + dl->dl_period;
	if (ksched_time_before(rq->clock_task, next_period)) {
		ksched_timer_arm(se, KSCHED_TIMER_DL, next_period);
		return;
	}
	/* the instant has passed already: replenish at once */
	dl->throttled = false;
	replenish_dl_entity(rq, se);
	dl_insert(rq, se);
}

static void dl_tick(struct ksched_rq *rq, struct ksched_entity *se)
{
	(void)rq;
	(void)se;	/* no hrtick: the budget is checked in update_curr */
}

static void dl_check_preempt_wakeup(struct ksched_rq *rq, struct ksched_entity *se)
{
	if (ksched_time_before(se->dl.deadline, rq->curr->dl.deadline))
		ksched_resched(rq);
}

/**
 * ksched_dl_timer - the replenishment timer of a throttled entity fired
 * @se: the entity
 * @now: the time
 */
void ksched_dl_timer(struct ksched_entity *se, u64 now)
{
	struct ksched_rq *rq = se->rq;

	ksched_rq_clock(rq, now);
	ksched_update_curr(rq);
	if (!se->dl.throttled)
		return;
	se->dl.throttled = false;
	replenish_dl_entity(rq, se);
	if (!se->on_rq)
		return;		/* it blocked meanwhile; a wakeup enqueues it */
	dl_insert(rq, se);
	ksched_check_preempt(rq, se);
	ksched_kick_idle(rq);
}

/* @se's deadline on the wall clock, as far as its CPU's losses go */
static u64 dl_wall_deadline(const struct ksched_entity *se)
{
	return se->dl.deadline + (se->rq ? ksched_rq_lost(se->rq) : 0);
}

/* How little @rq's curr matters to a deadline entity: higher is less */
static bool dl_rq_later(const struct ksched_rq *rq, const struct ksched_entity *se)
{
	const struct ksched_entity *curr = rq->curr;

	if (!curr || curr->cls != &ksched_dl_class)
		return true;
	return ksched_time_before(dl_wall_deadline(se), dl_wall_deadline(curr));
}

/*
 * select_task_rq_dl() with cpudl reduced to a scan: stay if the previous
 * CPU runs no earlier deadline, else an idle CPU, else one not running a
 * deadline entity, else the one whose deadline is latest.
 */
static int dl_select_cpu(struct ksched_entity *se, int prev)
{
	struct ksched_run *run = se->run;
	int best = -1;
	u32 i;

	if (ksched_allowed(se, prev) && dl_rq_later(&run->rqs[prev], se))
		return prev;
	for (i = 0; i < run->nr_rqs; i++) {
		const struct ksched_rq *rq = &run->rqs[i];

		if (!ksched_allowed(se, (int)i) || !dl_rq_later(rq, se))
			continue;
		if (!rq->curr || rq->curr->cls != &ksched_dl_class)
			return (int)i;
		if (best < 0 || ksched_time_before(dl_wall_deadline(run->rqs[best].curr),
						   dl_wall_deadline(rq->curr)))
			best = (int)i;
	}
	/* deadline entities may run on every CPU of the run */
	return best >= 0 ? best : prev;
}

static struct ksched_entity *dl_pull_candidate(struct ksched_rq *src,
					       struct ksched_rq *dst)
{
	struct ksched_rb_node *n;

	for (n = ksched_rb_first(&src->dl.tasks); n; n = ksched_rb_next(n)) {
		struct ksched_entity *se = dl_se(n);

		if (!se->on_cpu && ksched_allowed(se, dst->idx))
			return se;
	}
	return NULL;
}

static u64 dl_prio_key(const struct ksched_entity *se)
{
	return se->dl.deadline;
}

const struct ksched_class ksched_dl_class = {
	.name = "deadline",
	.select_cpu = dl_select_cpu,
	.enqueue = dl_enqueue,
	.dequeue = dl_dequeue,
	.pick_next = dl_pick_next,
	.put_prev = dl_put_prev,
	.migrate_task_rq = dl_migrate_task_rq,
	.update_curr = dl_update_curr,
	.tick = dl_tick,
	.check_preempt_wakeup = dl_check_preempt_wakeup,
	.set_weight = NULL,
	.pull_candidate = dl_pull_candidate,
	.prio_key = dl_prio_key,
	.rank = 0,
};
