// SPDX-License-Identifier: GPL-2.0
/*
 * The rt class: SCHED_FIFO and SCHED_RR as in Linux 6.1.
 *
 * One list per priority and a 100-bit bitmap of the non-empty ones; the
 * first entity of the best non-empty list runs.  curr stays in its list
 * while it runs, so a preempted FIFO entity resumes ahead of its peers.
 * FIFO runs until it blocks or a better priority arrives; RR goes to the
 * tail of its list when its 100 ms slice is used up and a peer waits.
 *
 * RT throttling: rt_time accumulates the rt (and deadline) CPU time of
 * each run queue; past rt_runtime within an rt_period the class stops
 * picking (lower classes run) until the period ends and rt_time is paid
 * back, as sched_rt_runtime_exceeded() and do_sched_rt_period_timer() do
 * with RT_RUNTIME_SHARE off (6.1's default).  Periods are measured in
 * the run queue's clock_task, the time its CPU actually gave the
 * framework, so that time stolen from the CPU shifts no share; the RR
 * slice likewise is CPU time had.
 */
#include "ksched.h"

static struct ksched_entity *rt_se(const struct ksched_list *node)
{
	return ksched_container_of(node, struct ksched_entity, rt.node);
}

static void rt_set_bit(struct ksched_rt_rq *rt, u32 prio)
{
	rt->bitmap[prio / 64] |= 1ULL << (prio % 64);
}

static void rt_clear_bit(struct ksched_rt_rq *rt, u32 prio)
{
	rt->bitmap[prio / 64] &= ~(1ULL << (prio % 64));
}

/* The best (lowest) non-empty priority, or KSCHED_NR_RT_PRIO */
static u32 rt_first_prio(const struct ksched_rt_rq *rt)
{
	u32 w;

	for (w = 0; w < 2; w++) {
		u64 word = rt->bitmap[w];
		u32 bit = 0;

		if (!word)
			continue;
		while (!(word & 1)) {
			word >>= 1;
			bit++;
		}
		return w * 64 + bit;
	}
	return KSCHED_NR_RT_PRIO;
}

void ksched_rt_init_rq(struct ksched_rq *rq, u64 now)
{
	struct ksched_rt_rq *rt = &rq->rt;
	u32 i;

	if (!now) {
		for (i = 0; i < KSCHED_NR_RT_PRIO; i++)
			ksched_list_init(&rt->queue[i]);
		rt->bitmap[0] = 0;
		rt->bitmap[1] = 0;
		rt->nr_running = 0;
	}
	rt->rt_time = 0;
	rt->throttled = false;
	rt->period_end = now + rq->run->spec.rt_period_ns;	/* clock_task = now */
}

static bool rt_bandwidth_limited(const struct ksched_run *run)
{
	return run->spec.rt_runtime_ns != KSCHED_RT_RUNTIME_INF &&
	       (u64)run->spec.rt_runtime_ns < run->spec.rt_period_ns;
}

bool ksched_rt_runnable(const struct ksched_rq *rq)
{
	return rq->rt.nr_running && !rq->rt.throttled;
}

/*
 * Charge rt (or deadline) CPU time to the run queue's rt bandwidth and
 * throttle once it is over the runtime.
 */
static void rt_account(struct ksched_rq *rq, struct ksched_entity *se, u64 delta)
{
	struct ksched_rt_rq *rt = &rq->rt;
	struct ksched_run *run = rq->run;

	if (!rt_bandwidth_limited(run))
		return;
	rt->rt_time += delta;
	if (se->cls != &ksched_rt_class || rt->throttled ||
	    rt->rt_time <= (u64)run->spec.rt_runtime_ns)
		return;
	rt->throttled = true;
	rt->throttled_since = rq->clock_task;
	se->throttled++;
	ksched_resched(rq);
}

/* The end of an rt period: pay back rt_time, unthrottle */
void ksched_rt_period(struct ksched_rq *rq)
{
	struct ksched_rt_rq *rt = &rq->rt;
	struct ksched_run *run = rq->run;
	u64 period = run->spec.rt_period_ns;
	u64 now = rq->clock_task;
	u64 overrun, runtime, pay;

	if (ksched_time_before(now, rt->period_end))
		return;
	overrun = 1 + (now - rt->period_end) / period;
	rt->period_end += overrun * period;
	if (!rt_bandwidth_limited(run))
		return;
	runtime = (u64)run->spec.rt_runtime_ns;
	pay = overrun * runtime;
	rt->rt_time -= rt->rt_time < pay ? rt->rt_time : pay;
	if (!rt->throttled || rt->rt_time >= runtime)
		return;
	rt->throttled = false;
	rt->throttled_ns += now - rt->throttled_since;
	if (rt->nr_running && rq->curr && rq->curr->cls->rank > ksched_rt_class.rank)
		ksched_resched(rq);
}

static void rt_enqueue(struct ksched_rq *rq, struct ksched_entity *se, int flags)
{
	struct ksched_rt_rq *rt = &rq->rt;

	(void)flags;
	ksched_list_add_tail(&se->rt.node, &rt->queue[se->rt.prio]);
	rt_set_bit(rt, se->rt.prio);
	rt->nr_running++;
	se->rt.queued = true;
}

static void rt_dequeue(struct ksched_rq *rq, struct ksched_entity *se, int flags)
{
	struct ksched_rt_rq *rt = &rq->rt;

	(void)flags;
	ksched_list_del(&se->rt.node);
	if (ksched_list_empty(&rt->queue[se->rt.prio]))
		rt_clear_bit(rt, se->rt.prio);
	rt->nr_running--;
	se->rt.queued = false;
}

static struct ksched_entity *rt_pick_next(struct ksched_rq *rq,
					  struct ksched_entity *prev)
{
	struct ksched_rt_rq *rt = &rq->rt;
	u32 prio;

	(void)prev;
	if (!ksched_rt_runnable(rq))
		return NULL;
	prio = rt_first_prio(rt);
	return rt_se(rt->queue[prio].next);
}

static void rt_put_prev(struct ksched_rq *rq, struct ksched_entity *se)
{
	(void)rq;
	(void)se;	/* stays where it is in its list */
}

static void rt_migrate_task_rq(struct ksched_entity *se, struct ksched_rq *dst)
{
	(void)se;
	(void)dst;
}

static void rt_update_curr(struct ksched_rq *rq, struct ksched_entity *se, u64 delta)
{
	if (se->policy == KLAB_SCHED_POLICY_RR)
		se->rt.time_slice -= (s64)delta;
	rt_account(rq, se, delta);
}

/* task_tick_rt(): an RR entity at the end of its slice yields to a peer */
static void rt_tick(struct ksched_rq *rq, struct ksched_entity *se)
{
	struct ksched_list *head;

	if (se->policy != KLAB_SCHED_POLICY_RR || se->rt.time_slice > 0)
		return;
	se->rt.time_slice = (s64)KSCHED_RR_SLICE_NS;
	head = &rq->rt.queue[se->rt.prio];
	if (head->next == head->prev)
		return;		/* alone at its priority: keeps running */
	ksched_list_del(&se->rt.node);
	ksched_list_add_tail(&se->rt.node, head);
	ksched_resched(rq);
}

static void rt_check_preempt_wakeup(struct ksched_rq *rq, struct ksched_entity *se)
{
	if (se->rt.prio < rq->curr->rt.prio)
		ksched_resched(rq);
}

/*
 * How little @rq's curr matters to an rt entity, higher is less: idle
 * CPUs highest, then by class, then by rt priority (the cpupri order).
 */
static u32 rt_rq_score(const struct ksched_rq *rq)
{
	const struct ksched_entity *curr = rq->curr;

	if (!curr)
		return ~0U;
	if (curr->cls == &ksched_rt_class)
		return 1000 * (u32)curr->cls->rank + curr->rt.prio;
	return 1000 * (u32)curr->cls->rank + 999;
}

/*
 * select_task_rq_rt() with cpupri reduced to a scan: stay unless the
 * previous CPU runs something at least as urgent, else go to the allowed
 * CPU whose curr matters least, if it matters less than @se.
 */
static int rt_select_cpu(struct ksched_entity *se, int prev)
{
	struct ksched_run *run = se->run;
	u32 mine = 1000 * (u32)ksched_rt_class.rank + se->rt.prio;
	u32 best_score = mine;
	int best = -1;
	u32 i;

	if (ksched_allowed(se, prev) && rt_rq_score(&run->rqs[prev]) > mine)
		return prev;
	for (i = 0; i < run->nr_rqs; i++) {
		u32 score = rt_rq_score(&run->rqs[i]);

		if (ksched_allowed(se, (int)i) && score > best_score) {
			best = (int)i;
			best_score = score;
		}
	}
	return best >= 0 ? best : ksched_first_allowed(se, prev);
}

/* The most urgent waiting rt entity of @src that may run on @dst */
static struct ksched_entity *rt_pull_candidate(struct ksched_rq *src,
					       struct ksched_rq *dst)
{
	u32 prio;

	for (prio = 0; prio < KSCHED_NR_RT_PRIO; prio++) {
		struct ksched_list *head = &src->rt.queue[prio];
		struct ksched_list *n;

		for (n = head->next; n != head; n = n->next) {
			struct ksched_entity *se = rt_se(n);

			if (!se->on_cpu && ksched_allowed(se, dst->idx))
				return se;
		}
	}
	return NULL;
}

static u64 rt_prio_key(const struct ksched_entity *se)
{
	return se->rt.prio;
}

const struct ksched_class ksched_rt_class = {
	.name = "rt",
	.select_cpu = rt_select_cpu,
	.enqueue = rt_enqueue,
	.dequeue = rt_dequeue,
	.pick_next = rt_pick_next,
	.put_prev = rt_put_prev,
	.migrate_task_rq = rt_migrate_task_rq,
	.update_curr = rt_update_curr,
	.tick = rt_tick,
	.check_preempt_wakeup = rt_check_preempt_wakeup,
	.set_weight = NULL,
	.pull_candidate = rt_pull_candidate,
	.prio_key = rt_prio_key,
	.rank = 1,
};

/* Deadline time counts against the rt bandwidth too, as in 6.1 */
void ksched_rt_account_dl(struct ksched_rq *rq, struct ksched_entity *se,
			  u64 delta)
{
	rt_account(rq, se, delta);
}
