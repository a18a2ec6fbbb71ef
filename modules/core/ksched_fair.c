// SPDX-License-Identifier: GPL-2.0
/*
 * The fair class: CFS as in Linux 6.1, without group scheduling.
 *
 * Entities carry a load weight from sched_prio_to_weight[] (nice 0 =
 * 1024, about x1.25 per nice step) and its inverse 2^32/weight.  The
 * entity on the CPU advances its vruntime by delta * NICE_0_LOAD / weight
 * (ksched_calc_delta_fair(), the kernel's fixed-point __calc_delta());
 * waiting entities sit in a red-black tree ordered by vruntime and the
 * leftmost runs next.  min_vruntime only moves forward.  The tick ends
 * curr's slice, period * weight / load with period max(6 ms, nr * 0.75
 * ms), or earlier once curr is a whole slice ahead of the leftmost.  A
 * woken entity is placed at most half a latency (3 ms) behind
 * min_vruntime (GENTLE_FAIR_SLEEPERS) and preempts when curr is more than
 * the wakeup granularity (1 ms, scaled to its weight) ahead of it; a new
 * one starts a vslice after min_vruntime (START_DEBIT).
 *
 * Not modelled: buddies (LAST_BUDDY), PELT load tracking and the scaling
 * of the latencies by 1 + log2(CPUs).
 */
#include "ksched.h"

/* Linux's sched_prio_to_weight[], nice -20 .. 19 */
const int ksched_prio_to_weight[40] = {
	/* -20 */ 88761, 71755, 56483, 46273, 36291,
	/* -15 */ 29154, 23254, 18705, 14949, 11916,
	/* -10 */ 9548, 7620, 6100, 4904, 3906,
	/*  -5 */ 3121, 2501, 1991, 1586, 1277,
	/*   0 */ 1024, 820, 655, 526, 423,
	/*   5 */ 335, 272, 215, 172, 137,
	/*  10 */ 110, 87, 70, 56, 45,
	/*  15 */ 36, 29, 23, 18, 15,
};

/* Linux's sched_prio_to_wmult[]: 2^32 / weight */
const u32 ksched_prio_to_wmult[40] = {
	/* -20 */ 48388, 59856, 76040, 92818, 118348,
	/* -15 */ 147320, 184698, 229616, 287308, 360437,
	/* -10 */ 449829, 563644, 704093, 875809, 1099582,
	/*  -5 */ 1376151, 1717300, 2157191, 2708050, 3363326,
	/*   0 */ 4194304, 5237765, 6557202, 8165337, 10153587,
	/*   5 */ 12820798, 15790321, 19976592, 24970740, 31350126,
	/*  10 */ 39045157, 49367440, 61356676, 76695844, 95443717,
	/*  15 */ 119304647, 148102320, 186737708, 238609294, 286331153,
};

#define KSCHED_WMULT_CONST	(~0U)

static u64 ksched_mul_u64_u32_shr(u64 a, u32 mul, unsigned int shift)
{
#ifdef __KERNEL__
	return mul_u64_u32_shr(a, mul, shift);
#else
	return (u64)(((__uint128_t)a * mul) >> shift);
#endif
}

static int ksched_fls(u32 x)
{
	int r = 0;

	while (x) {
		x >>= 1;
		r++;
	}
	return r;
}

/**
 * ksched_calc_delta - delta * weight / load, in the kernel's fixed point
 * @delta: time in ns
 * @weight: the entity's weight
 * @load: the load it is a share of
 * @inv_load: 2^32 / @load if known (a table weight), else 0
 *
 * Return: the scaled time, computed as __calc_delta() does: weight times
 * the 32-bit inverse of the load, shifted down, so that the result
 * matches the kernel's bit for bit.
 */
u64 ksched_calc_delta(u64 delta, u32 weight, u64 load, u32 inv_load)
{
	int shift = KSCHED_WMULT_SHIFT;
	u64 fact = weight;
	u32 fact_hi;

	if (!inv_load) {
		if (load >= KSCHED_WMULT_CONST)
			inv_load = 1;
		else if (!load)
			inv_load = KSCHED_WMULT_CONST;
		else
			inv_load = (u32)(KSCHED_WMULT_CONST / load);
	}
	fact = (u64)(u32)fact * inv_load;
	fact_hi = (u32)(fact >> 32);
	if (fact_hi) {
		int fs = ksched_fls(fact_hi);

		shift -= fs;
		fact >>= fs;
	}
	return ksched_mul_u64_u32_shr(delta, (u32)fact, (unsigned int)shift);
}

/* delta * NICE_0_LOAD / weight: the vruntime @delta of CPU is worth */
u64 ksched_calc_delta_fair(u64 delta, const struct ksched_entity *se)
{
	if (se->fair.weight != KSCHED_NICE_0_LOAD)
		delta = ksched_calc_delta(delta, KSCHED_NICE_0_LOAD,
					  se->fair.weight, se->fair.inv_weight);
	return delta;
}

u64 ksched_sched_period(u32 nr_running)
{
	if (nr_running > KSCHED_NR_LATENCY)
		return nr_running * KSCHED_MIN_GRAN_NS;
	return KSCHED_LATENCY_NS;
}

u64 ksched_sched_slice(const struct ksched_rq *rq, const struct ksched_entity *se)
{
	const struct ksched_fair_rq *cfs = &rq->fair;
	u64 load = cfs->load;
	u64 slice;

	slice = ksched_sched_period(cfs->nr_running + !se->fair.queued);
	if (!se->fair.queued)
		load += se->fair.weight;
	slice = ksched_calc_delta(slice, se->fair.weight, load, 0);
	if (slice < KSCHED_MIN_GRAN_NS)
		slice = KSCHED_MIN_GRAN_NS;	/* BASE_SLICE */
	return slice;
}

static u64 ksched_sched_vslice(const struct ksched_rq *rq,
			       const struct ksched_entity *se)
{
	return ksched_calc_delta_fair(ksched_sched_slice(rq, se), se);
}

static struct ksched_entity *fair_se(const struct ksched_rb_node *node)
{
	return node ? ksched_container_of(node, struct ksched_entity, fair.node) : NULL;
}

static bool fair_less(const struct ksched_rb_node *a, const struct ksched_rb_node *b)
{
	return (s64)(fair_se(a)->fair.vruntime - fair_se(b)->fair.vruntime) < 0;
}

static u64 max_vruntime(u64 a, u64 b)
{
	return (s64)(b - a) > 0 ? b : a;
}

static u64 min_vruntime(u64 a, u64 b)
{
	return (s64)(b - a) < 0 ? b : a;
}

static void update_min_vruntime(struct ksched_fair_rq *cfs)
{
	struct ksched_entity *curr = cfs->curr;
	struct ksched_entity *left = fair_se(ksched_rb_first(&cfs->tasks));
	u64 vruntime = cfs->min_vruntime;

	if (curr && !curr->fair.queued)
		curr = NULL;
	if (curr)
		vruntime = curr->fair.vruntime;
	if (left)
		vruntime = curr ? min_vruntime(vruntime, left->fair.vruntime)
				: left->fair.vruntime;
	cfs->min_vruntime = max_vruntime(cfs->min_vruntime, vruntime);
}

static void place_entity(struct ksched_rq *rq, struct ksched_entity *se,
			 bool initial)
{
	u64 vruntime = rq->fair.min_vruntime;

	if (initial)
		vruntime += ksched_sched_vslice(rq, se);	/* START_DEBIT */
	else
		vruntime -= KSCHED_LATENCY_NS / 2;		/* GENTLE_FAIR_SLEEPERS */
	/* a sleeper never moves back: no credit for sleeping longer */
	se->fair.vruntime = initial ? vruntime : max_vruntime(se->fair.vruntime, vruntime);
}

void ksched_fair_init_rq(struct ksched_rq *rq)
{
	ksched_rb_init(&rq->fair.tasks);
	rq->fair.curr = NULL;
	rq->fair.min_vruntime = 0;
	rq->fair.load = 0;
	rq->fair.nr_running = 0;
}

static void fair_enqueue(struct ksched_rq *rq, struct ksched_entity *se, int flags)
{
	struct ksched_fair_rq *cfs = &rq->fair;

	if (flags & KSCHED_ENQ_INITIAL)
		place_entity(rq, se, true);
	else if (flags & KSCHED_ENQ_WAKEUP)
		place_entity(rq, se, false);
	else if (flags & KSCHED_ENQ_MIGRATE)
		se->fair.vruntime += cfs->min_vruntime;
	cfs->load += se->fair.weight;
	cfs->nr_running++;
	se->fair.queued = true;
	if (se != cfs->curr)
		ksched_rb_insert(&cfs->tasks, &se->fair.node, fair_less);
}

static void fair_dequeue(struct ksched_rq *rq, struct ksched_entity *se, int flags)
{
	struct ksched_fair_rq *cfs = &rq->fair;

	if (se != cfs->curr)
		ksched_rb_erase(&cfs->tasks, &se->fair.node);
	cfs->load -= se->fair.weight;
	cfs->nr_running--;
	se->fair.queued = false;
	/* a migrating entity keeps its lag behind min_vruntime, not its value */
	if (flags & KSCHED_DEQ_MIGRATE)
		se->fair.vruntime -= cfs->min_vruntime;
	update_min_vruntime(cfs);
}

static void fair_migrate_task_rq(struct ksched_entity *se, struct ksched_rq *dst)
{
	se->fair.vruntime = se->fair.vruntime - se->rq->fair.min_vruntime +
			    dst->fair.min_vruntime;
}

static struct ksched_entity *fair_pick_next(struct ksched_rq *rq,
					    struct ksched_entity *prev)
{
	struct ksched_fair_rq *cfs = &rq->fair;
	struct ksched_entity *se = fair_se(ksched_rb_first(&cfs->tasks));

	if (!se)
		return NULL;
	ksched_rb_erase(&cfs->tasks, &se->fair.node);
	cfs->curr = se;
	/* picked again right away, it keeps the slice it is in */
	if (se != prev)
		se->fair.prev_sum_exec = se->sum_exec_runtime;
	return se;
}

static void fair_put_prev(struct ksched_rq *rq, struct ksched_entity *se)
{
	struct ksched_fair_rq *cfs = &rq->fair;

	cfs->curr = NULL;
	if (se->fair.queued)
		ksched_rb_insert(&cfs->tasks, &se->fair.node, fair_less);
}

static void fair_update_curr(struct ksched_rq *rq, struct ksched_entity *se,
			     u64 delta)
{
	se->fair.vruntime += ksched_calc_delta_fair(delta, se);
	update_min_vruntime(&rq->fair);
}

/* check_preempt_tick(): has curr had its slice? */
static void fair_tick(struct ksched_rq *rq, struct ksched_entity *curr)
{
	struct ksched_entity *left;
	u64 ideal = ksched_sched_slice(rq, curr);
	u64 delta_exec = curr->sum_exec_runtime - curr->fair.prev_sum_exec;
	s64 delta;

	if (delta_exec > ideal) {
		ksched_resched(rq);
		return;
	}
	if (delta_exec < KSCHED_MIN_GRAN_NS)
		return;
	left = fair_se(ksched_rb_first(&rq->fair.tasks));
	if (!left)
		return;
	delta = (s64)(curr->fair.vruntime - left->fair.vruntime);
	if (delta > (s64)ideal)
		ksched_resched(rq);
}

/* wakeup_preempt_entity() == 1: curr is ahead by more than the granularity */
static void fair_check_preempt_wakeup(struct ksched_rq *rq, struct ksched_entity *se)
{
	struct ksched_entity *curr = rq->curr;
	s64 vdiff = (s64)(curr->fair.vruntime - se->fair.vruntime);

	if (vdiff <= 0)
		return;
	if (vdiff > (s64)ksched_calc_delta_fair(KSCHED_WAKEUP_GRAN_NS, se))
		ksched_resched(rq);
}

static void fair_set_weight(struct ksched_entity *se, int nice)
{
	se->fair.weight = (u32)ksched_prio_to_weight[nice + 20];
	se->fair.inv_weight = ksched_prio_to_wmult[nice + 20];
}

/*
 * select_task_rq_fair(), reduced: the previous CPU if idle, else the first
 * idle allowed CPU, else the least loaded allowed one (previous on ties).
 */
static int fair_select_cpu(struct ksched_entity *se, int prev)
{
	struct ksched_run *run = se->run;
	int best = ksched_find_idle_rq(se, prev);
	u32 i;

	if (best >= 0)
		return best;
	if (ksched_allowed(se, prev))
		best = prev;
	for (i = 0; i < run->nr_rqs; i++) {
		if (!ksched_allowed(se, (int)i))
			continue;
		if (best < 0 || run->rqs[i].fair.load < run->rqs[best].fair.load)
			best = (int)i;
	}
	return best;
}

/* The last-placed waiting entity of @src that may run on @dst */
static struct ksched_entity *fair_pull_candidate(struct ksched_rq *src,
						 struct ksched_rq *dst)
{
	struct ksched_rb_node *n;

	for (n = ksched_rb_last(&src->fair.tasks); n; n = ksched_rb_prev(n)) {
		struct ksched_entity *se = fair_se(n);

		if (ksched_allowed(se, dst->idx))
			return se;
	}
	return NULL;
}

/**
 * ksched_fair_balance - periodic load balancing of the fair class
 * @rq: the run queue balancing (pulls toward itself)
 * @now: the time
 *
 * Finds the busiest other run queue by fair load; if it is busier than
 * this one, pulls waiting entities (from the right of its tree) while
 * each fits in half the difference, as detach_tasks() moves load until
 * the imbalance is spent.
 */
void ksched_fair_balance(struct ksched_rq *rq, u64 now)
{
	struct ksched_run *run = rq->run;
	struct ksched_rq *busiest = NULL;
	u64 imbalance;
	u32 i;

	for (i = 0; i < run->nr_rqs; i++) {
		struct ksched_rq *src = &run->rqs[i];

		if (src == rq || ksched_rb_empty(&src->fair.tasks))
			continue;
		if (!busiest || src->fair.load > busiest->fair.load)
			busiest = src;
	}
	if (!busiest || busiest->fair.load <= rq->fair.load)
		return;
	ksched_rq_clock(busiest, now);
	imbalance = (busiest->fair.load - rq->fair.load) / 2;
	while (imbalance) {
		struct ksched_entity *se = fair_pull_candidate(busiest, rq);

		if (!se || se->fair.weight > imbalance)
			break;
		imbalance -= se->fair.weight;
		ksched_migrate(se, rq);
		ksched_check_preempt(rq, se);
	}
}

static u64 fair_prio_key(const struct ksched_entity *se)
{
	return se->fair.vruntime;
}

const struct ksched_class ksched_fair_class = {
	.name = "fair",
	.select_cpu = fair_select_cpu,
	.enqueue = fair_enqueue,
	.dequeue = fair_dequeue,
	.pick_next = fair_pick_next,
	.put_prev = fair_put_prev,
	.migrate_task_rq = fair_migrate_task_rq,
	.update_curr = fair_update_curr,
	.tick = fair_tick,
	.check_preempt_wakeup = fair_check_preempt_wakeup,
	.set_weight = fair_set_weight,
	.pull_candidate = fair_pull_candidate,
	.prio_key = fair_prio_key,
	.rank = 2,
};
