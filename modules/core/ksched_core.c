// SPDX-License-Identifier: GPL-2.0
/*
 * The framework of the scheduler core: run queues, the class order,
 * schedule(), wakeups, the tick, the watchdog and statistics.  The
 * classes (ksched_fair.c, ksched_rt.c, ksched_dl.c, ksched_idle.c) and
 * entity programs (ksched_prog.c) plug into it; see ksched.h.
 */
#include "ksched.h"

const struct ksched_class *const ksched_classes[KSCHED_NR_CLASSES] = {
	&ksched_dl_class,
	&ksched_rt_class,
	&ksched_fair_class,
	&ksched_idle_class,
};

static const struct ksched_class *ksched_policy_class(u32 policy)
{
	switch (policy) {
	case KLAB_SCHED_POLICY_FIFO:
	case KLAB_SCHED_POLICY_RR:
		return &ksched_rt_class;
	case KLAB_SCHED_POLICY_DEADLINE:
		return &ksched_dl_class;
	case KLAB_SCHED_POLICY_IDLE:
		return &ksched_idle_class;
	default:
		return &ksched_fair_class;
	}
}

unsigned int ksched_lat_bucket(u64 ns)
{
	u64 us = ns / KSCHED_NSEC_PER_USEC;
	unsigned int msb = 0, sub, b;

	if (!us)
		return 0;
	while (us >> (msb + 1))
		msb++;
	/* the two bits below the most significant one: quarter octaves */
	sub = msb >= 2 ? (unsigned int)(us >> (msb - 2)) & 3 :
			 (unsigned int)(us << (2 - msb)) & 3;
	b = 1 + 4 * msb + sub;
	return b < KLAB_SCHED_LAT_BUCKETS ? b : KLAB_SCHED_LAT_BUCKETS - 1;
}

/* The lower bound of histogram bucket @b, in ns */
u64 ksched_lat_bucket_floor(unsigned int b)
{
	unsigned int msb, sub;

	if (!b)
		return 0;
	msb = (b - 1) / 4;
	sub = (b - 1) % 4;
	return (1ULL << msb) * (4 + sub) * (KSCHED_NSEC_PER_USEC / 4);
}

void ksched_resched(struct ksched_rq *rq)
{
	rq->resched = true;
}

void ksched_rq_clock(struct ksched_rq *rq, u64 now)
{
	if (!ksched_time_before(rq->clock, now))
		return;
	/* with nothing to run, the run queue's time is the wall clock's */
	if (!rq->curr)
		rq->clock_task += now - rq->clock;
	rq->clock = now;
}

/*
 * The fair view of @se at an event: its CPU time and vruntime, and the
 * smallest vruntime of its rivals on @rq, found by walking every entity
 * rather than the tree, so that it checks the tree's pick
 */
static void ksched_trace_fair(const struct ksched_rq *rq,
			      const struct ksched_entity *se,
			      struct klab_sched_trace_fair *tf)
{
	const struct ksched_run *run = rq->run;
	u32 i;

	tf->runtime_ns = se->sum_exec_runtime;
	tf->vruntime = se->fair.vruntime;
	tf->min_other = 0;
	tf->nr_other = 0;
	tf->pad = 0;
	for (i = 0; i < run->nr_entities; i++) {
		const struct ksched_entity *o = &run->ents[i];

		if (o == se || !o->on_rq || o->rq != rq || o->cls != &ksched_fair_class)
			continue;
		if (!tf->nr_other++ || (s64)(o->fair.vruntime - tf->min_other) < 0)
			tf->min_other = o->fair.vruntime;
	}
}

void ksched_trace(struct ksched_rq *rq, struct ksched_entity *se, bool start,
		  int reason)
{
	struct ksched_run *run = rq->run;
	struct klab_sched_trace_event *ev;

	if (run->trace_len >= run->spec.trace_cap) {
		if (run->spec.trace_cap)
			run->trace_lost++;
		return;
	}
	ev = &run->trace[run->trace_len++];
	ev->time_ns = rq->clock - run->start_ns;
	ev->cpu = (u16)rq->cpu;
	ev->ent = (u16)se->id;
	ev->start = start;
	ev->reason = (u8)reason;
	ev->pad = 0;
	ksched_trace_fair(rq, se, &run->trace_fair[ev - run->trace]);
}

/* The CPU time @se's executor has had: env->ran(), or the wall clock */
static u64 ksched_ran(const struct ksched_rq *rq, struct ksched_entity *se)
{
	struct ksched_run *run = rq->run;

	return run->env->ran ? run->env->ran(run, se) : rq->clock;
}

/* Charge curr and its class with the CPU time it had since the last time */
void ksched_update_curr(struct ksched_rq *rq)
{
	struct ksched_entity *se = rq->curr;
	u64 delta, ran;

	if (!se)
		return;
	ran = ksched_ran(rq, se);
	if (!ksched_time_before(se->ran_seen, ran))
		return;
	delta = ran - se->ran_seen;
	se->exec_start = rq->clock;
	se->ran_seen = ran;
	rq->clock_task += delta;
	se->sum_exec_runtime += delta;
	se->cpu_runtime[rq->idx] += delta;
	if (!se->run_forever && se->remaining > 0)
		se->remaining -= (s64)delta;
	se->cls->update_curr(rq, se, delta);
}

static void ksched_enqueue(struct ksched_rq *rq, struct ksched_entity *se,
			   int flags)
{
	se->rq = rq;
	se->cls->enqueue(rq, se, flags);
	se->on_rq = true;
	rq->nr_running++;
	se->wait_start = rq->clock;
	if (!(flags & KSCHED_ENQ_MIGRATE))
		se->watch_start = rq->clock;
}

static void ksched_dequeue(struct ksched_rq *rq, struct ksched_entity *se,
			   int flags)
{
	se->cls->dequeue(rq, se, flags);
	se->on_rq = false;
	rq->nr_running--;
	if (!se->on_cpu)
		se->wait_sum += rq->clock - se->wait_start;
}

/**
 * ksched_migrate - move a queued, not running entity to another run queue
 * @se: the entity
 * @dst: its new run queue (the caller checked the affinity)
 */
void ksched_migrate(struct ksched_entity *se, struct ksched_rq *dst)
{
	struct ksched_rq *src = se->rq;

	KLAB_ASSERT(se->on_rq && !se->on_cpu && src != dst);
	ksched_rq_clock(dst, src->clock);
	if (se->policy == KLAB_SCHED_POLICY_DEADLINE)
		ksched_dl_rebase(se, src, dst);
	ksched_dequeue(src, se, KSCHED_DEQ_MIGRATE);
	ksched_enqueue(dst, se, KSCHED_ENQ_MIGRATE);
	se->migrations++;
	dst->pulls++;
}

/* @se became runnable on @rq: does it take the CPU from curr? */
void ksched_check_preempt(struct ksched_rq *rq, struct ksched_entity *se)
{
	struct ksched_entity *curr = rq->curr;

	if (!curr)
		return;
	if (se->cls->rank < curr->cls->rank)
		ksched_resched(rq);
	else if (se->cls == curr->cls)
		se->cls->check_preempt_wakeup(rq, se);
}

static struct ksched_entity *ksched_pick_next(struct ksched_rq *rq,
					      struct ksched_entity *prev)
{
	unsigned int i;

	for (i = 0; i < KSCHED_NR_CLASSES; i++) {
		struct ksched_entity *se = ksched_classes[i]->pick_next(rq, prev);

		if (se)
			return se;
	}
	return NULL;
}

/*
 * Newly idle: pull one waiting entity from another run queue, the most
 * important class first, as the kernel's newidle balance and rt/dl pulls
 * do.  Returns true if something was pulled.
 */
static bool ksched_idle_pull(struct ksched_rq *rq)
{
	struct ksched_run *run = rq->run;
	unsigned int c, i;

	for (c = 0; c < KSCHED_NR_CLASSES; c++) {
		for (i = 1; i < run->nr_rqs; i++) {
			struct ksched_rq *src = &run->rqs[(rq->idx + i) % run->nr_rqs];
			struct ksched_entity *se;

			se = ksched_classes[c]->pull_candidate(src, rq);
			if (se) {
				ksched_migrate(se, rq);
				return true;
			}
		}
	}
	return false;
}

/**
 * ksched_schedule - switch @rq's CPU to the next entity
 * @rq: the run queue, its clock up to date
 * @reason: why curr leaves: KLAB_SCHED_SW_PREEMPT (it stays runnable),
 *	KLAB_SCHED_SW_BLOCK or KLAB_SCHED_SW_EXIT (it is dequeued), or
 *	KLAB_SCHED_SW_PREEMPT with no curr (the CPU was idle)
 *
 * Return: the new curr, started through env->start if it changed.
 */
struct ksched_entity *ksched_schedule(struct ksched_rq *rq, int reason)
{
	struct ksched_run *run = rq->run;
	struct ksched_entity *prev = rq->curr;
	struct ksched_entity *next;

	if (prev) {
		ksched_update_curr(rq);
		if (reason != KLAB_SCHED_SW_PREEMPT)
			ksched_dequeue(rq, prev, KSCHED_DEQ_SLEEP);
		prev->cls->put_prev(rq, prev);
		prev->on_cpu = false;
		rq->curr = NULL;
		if (prev->on_rq) {
			prev->wait_start = rq->clock;
			prev->watch_start = rq->clock;
		}
	} else {
		rq->idle_ns += rq->clock - rq->idle_since;
	}
	rq->resched = false;

	next = ksched_pick_next(rq, prev);
	if (!next && ksched_idle_pull(rq))
		next = ksched_pick_next(rq, prev);

	if (prev && prev != next) {
		if (reason == KLAB_SCHED_SW_PREEMPT)
			prev->nivcsw++;
		else
			prev->nvcsw++;
		rq->switches++;
		ksched_trace(rq, prev, false, reason);
	}
	if (!next) {
		rq->idle_since = rq->clock;
		return NULL;
	}
	rq->curr = next;
	next->on_cpu = true;
	next->exec_start = rq->clock;
	next->ran_seen = ksched_ran(rq, next);
	if (next != prev) {
		next->wait_sum += rq->clock - next->wait_start;
		next->slice_start = next->sum_exec_runtime;
		ksched_trace(rq, next, true, 0);
		run->env->start(run, rq, next);
	}
	return next;
}

/* An idle CPU got work: start it now rather than at the next tick */
void ksched_kick_idle(struct ksched_rq *rq)
{
	if (!rq->curr && rq->nr_running)
		ksched_schedule(rq, KLAB_SCHED_SW_PREEMPT);
}

void ksched_note_started(struct ksched_entity *se, u64 now)
{
	u64 lat;

	if (!se->first_run)
		se->first_run = now;
	if (!se->lat_pending)
		return;
	se->lat_pending = false;
	lat = ksched_time_before(se->wake_ts, now) ? now - se->wake_ts : 0;
	se->lat_count++;
	se->lat_sum += lat;
	if (lat > se->lat_max)
		se->lat_max = lat;
	se->lat_hist[ksched_lat_bucket(lat)]++;
}

u64 ksched_run_until(const struct ksched_entity *se)
{
	if (se->run_forever)
		return KSCHED_TIME_MAX;
	return se->ran_seen + (u64)se->remaining;
}

void ksched_wake_up(struct ksched_run *run, struct ksched_entity *se, u64 now)
{
	bool initial = se->state == KLAB_SCHED_ENT_NEW;
	struct ksched_rq *rq;
	int target;

	if (!ksched_run_active(run))
		return;
	if (se->state == KLAB_SCHED_ENT_RUNNABLE) {
		se->wake_pending = true;
		return;
	}
	if (se->state != KLAB_SCHED_ENT_SLEEPING && !initial)
		return;
	if (se->timer_armed[KSCHED_TIMER_WAKE] &&
	    ksched_time_before(se->rq ? ksched_se_clock(se->rq, se) : now,
			       se->timer_at[KSCHED_TIMER_WAKE])) {
		/* woken before its sleep ended: the sleep is cut short */
		se->timer_armed[KSCHED_TIMER_WAKE] = false;
		run->env->timer_cancel(run, se, KSCHED_TIMER_WAKE);
	}

	target = -1;
	if (initial && se->spec->start_cpu != KSCHED_NO_CPU)
		target = ksched_rq_of_cpu(run, se->spec->start_cpu);
	if (target < 0)
		target = se->cls->select_cpu(se, se->rq ? se->rq->idx : 0);
	rq = &run->rqs[target];
	ksched_rq_clock(rq, now);

	if (initial) {
		se->prog_start = ksched_se_clock(rq, se);
		se->next_release = se->prog_start;
		se->job_release = 0;	/* a start timer's time is wall clock */
	} else {
		se->wakeups++;
		if (se->rq && se->rq != rq) {
			ksched_rq_clock(se->rq, now);
			se->cls->migrate_task_rq(se, rq);
			se->migrations++;
		}
	}
	se->state = KLAB_SCHED_ENT_RUNNABLE;
	se->wake_ts = now;
	se->lat_pending = true;

	ksched_update_curr(rq);
	ksched_enqueue(rq, se, initial ? KSCHED_ENQ_INITIAL : KSCHED_ENQ_WAKEUP);
	ksched_prog_begin(se, se->job_release ? se->job_release :
			  ksched_se_clock(rq, se));
	se->job_release = 0;
	ksched_check_preempt(rq, se);
	if (!run->starting)
		ksched_kick_idle(rq);
}

/* The run queue index of CPU @cpu, or -1 */
int ksched_rq_of_cpu(const struct ksched_run *run, int cpu)
{
	u32 i;

	for (i = 0; i < run->nr_rqs; i++)
		if (run->rqs[i].cpu == cpu)
			return (int)i;
	return -1;
}

/* @prev if idle and allowed, else the first idle allowed run queue, or -1 */
int ksched_find_idle_rq(const struct ksched_entity *se, int prev)
{
	const struct ksched_run *run = se->run;
	u32 i;

	if (ksched_allowed(se, prev) && ksched_rq_idle(&run->rqs[prev]))
		return prev;
	for (i = 0; i < run->nr_rqs; i++)
		if (ksched_allowed(se, (int)i) && ksched_rq_idle(&run->rqs[i]))
			return (int)i;
	return -1;
}

/* @prev if allowed, else the first allowed run queue */
int ksched_first_allowed(const struct ksched_entity *se, int prev)
{
	u32 i;

	if (ksched_allowed(se, prev))
		return prev;
	for (i = 0; i < se->run->nr_rqs; i++)
		if (ksched_allowed(se, (int)i))
			return (int)i;
	return prev;
}

/* Entities waiting for longer than the watchdog allows abort the run */
static bool ksched_watchdog(struct ksched_rq *rq)
{
	struct ksched_run *run = rq->run;
	u64 limit = run->spec.watchdog_ns;
	u32 i;

	if (!limit)
		return false;
	for (i = 0; i < run->nr_entities; i++) {
		struct ksched_entity *se = &run->ents[i];
		char msg[sizeof(run->reason)];
		u64 waited;

		if (se->rq != rq || !se->on_rq || se->on_cpu ||
		    se->cls == &ksched_idle_class)
			continue;
		waited = rq->clock - se->watch_start;
		if (waited <= limit)
			continue;
		snprintf(msg, sizeof(msg),
			 "watchdog: entity %d (%s) runnable for %llu ms without running on CPU %d",
			 se->id, se->spec->name,
			 (unsigned long long)(waited / KSCHED_NSEC_PER_MSEC), rq->cpu);
		ksched_run_stop(run, rq->clock, KLAB_SCHED_RUN_ABORTED, msg);
		return true;
	}
	return false;
}

void ksched_tick(struct ksched_rq *rq, u64 now)
{
	struct ksched_run *run = rq->run;

	if (!ksched_run_active(run))
		return;
	ksched_rq_clock(rq, now);
	rq->ticks++;
	if (!ksched_time_before(rq->clock, run->end_ns)) {
		ksched_run_stop(run, rq->clock, KLAB_SCHED_RUN_DONE, NULL);
		return;
	}
	if (rq->curr) {
		ksched_update_curr(rq);
		rq->curr->cls->tick(rq, rq->curr);
	}
	ksched_rt_period(rq);
	if (run->spec.balance_ns && !ksched_time_before(rq->clock, rq->next_balance)) {
		ksched_fair_balance(rq, rq->clock);
		rq->next_balance = rq->clock + run->spec.balance_ns;
	}
	if (ksched_watchdog(rq))
		return;
	/* an idle CPU looks for work elsewhere, as nohz idle balancing does */
	if (!rq->curr)
		ksched_schedule(rq, KLAB_SCHED_SW_PREEMPT);
}

/*
 * Arm @se's timer @kind for @when, in ksched_se_clock() time.  A time in
 * a CPU's clock_task comes on the wall clock at the earliest after the
 * time the CPU has lost so far: the timer is armed for then and, if the
 * CPU lost more meanwhile, armed again when it fires.
 */
void ksched_timer_arm(struct ksched_entity *se, int kind, u64 when)
{
	struct ksched_run *run = se->run;
	u64 at = when;

	if (se->rq && se->policy == KLAB_SCHED_POLICY_DEADLINE)
		at += ksched_rq_lost(se->rq);
	se->timer_at[kind] = when;
	se->timer_armed[kind] = true;
	run->env->timer_arm(run, se, kind, at);
}

void ksched_timer_fire(struct ksched_run *run, struct ksched_entity *se,
		       int kind, u64 now)
{
	u64 clock = now;

	if (!ksched_run_active(run) || !se->timer_armed[kind])
		return;
	if (se->rq && se->policy == KLAB_SCHED_POLICY_DEADLINE) {
		ksched_rq_clock(se->rq, now);
		ksched_update_curr(se->rq);
		clock = se->rq->clock_task;
	}
	/*
	 * A timer cancelled or re-armed for later while its expiry was
	 * already being handled (the kernel cannot wait for it under the
	 * run's lock) comes here stale: ignore it.  One in clock_task time
	 * whose CPU has not had the time yet waits for what is left.
	 */
	if (ksched_time_before(clock, se->timer_at[kind])) {
		/*
		 * Wait half a tick at least: a timer that fires every few
		 * microseconds takes the CPU from the thread whose time
		 * clock_task counts, which then stops, and so on (under TCG
		 * it kept a vCPU 85% busy)
		 */
		u64 left = se->timer_at[kind] - clock;
		u64 least = run->spec.tick_ns / 2;

		if (clock != now)
			run->env->timer_arm(run, se, kind, now + (left > least ? left : least));
		return;
	}
	se->timer_armed[kind] = false;
	if (kind == KSCHED_TIMER_WAKE) {
		se->job_release = se->timer_at[kind];
		ksched_wake_up(run, se, now);
	} else {
		ksched_dl_timer(se, now);
	}
}

struct ksched_entity *ksched_yield(struct ksched_rq *rq, u64 now)
{
	struct ksched_entity *se = rq->curr;

	if (!se || !ksched_run_active(rq->run))
		return se;
	ksched_rq_clock(rq, now);
	ksched_update_curr(rq);
	if (!se->run_forever && se->remaining <= 0) {
		switch (ksched_prog_advance(se, rq->clock)) {
		case KSCHED_PROG_BLOCK:
			se->state = KLAB_SCHED_ENT_SLEEPING;
			return ksched_schedule(rq, KLAB_SCHED_SW_BLOCK);
		case KSCHED_PROG_EXIT:
			se->state = KLAB_SCHED_ENT_DONE;
			se->done_at = rq->clock;
			return ksched_schedule(rq, KLAB_SCHED_SW_EXIT);
		default:
			break;
		}
	}
	if (rq->resched)
		return ksched_schedule(rq, KLAB_SCHED_SW_PREEMPT);
	return se;
}

/* ---- runs --------------------------------------------------------------- */

static void ksched_init_rq(struct ksched_run *run, struct ksched_rq *rq,
			   int idx, int cpu)
{
	rq->idx = idx;
	rq->cpu = cpu;
	rq->run = run;
	ksched_fair_init_rq(rq);
	ksched_rt_init_rq(rq, 0);
	ksched_dl_init_rq(rq);
	ksched_idle_init_rq(rq);
}

/* Map a mask of CPU ids onto run queue indices */
static u64 ksched_cpus_to_rqs(const struct ksched_run *run, u64 cpus)
{
	u64 mask = 0;
	u32 i;

	for (i = 0; i < run->nr_rqs; i++)
		if (cpus & (1ULL << run->rqs[i].cpu))
			mask |= 1ULL << i;
	return mask;
}

static void ksched_init_entity(struct ksched_run *run, int id)
{
	const struct ksched_entity_spec *es = &run->spec.entities[id];
	struct ksched_entity *se = &run->ents[id];

	se->id = id;
	se->policy = es->policy;
	se->cls = ksched_policy_class(es->policy);
	se->spec = es;
	se->run = run;
	se->rq = NULL;
	se->cpus = ksched_cpus_to_rqs(run, es->cpus ? es->cpus : run->spec.cpus);
	se->state = KLAB_SCHED_ENT_NEW;
	se->cpu_runtime = &run->cpu_runtime[(size_t)id * run->nr_rqs];
	se->fair.weight = KSCHED_NICE_0_LOAD;
	se->fair.inv_weight = ksched_prio_to_wmult[20];
	if (se->cls->set_weight)
		se->cls->set_weight(se, es->nice);
	se->rt.prio = KSCHED_RT_PRIO_MAX - es->prio;
	se->rt.time_slice = (s64)KSCHED_RR_SLICE_NS;
	ksched_list_init(&se->rt.node);
	ksched_list_init(&se->idle_node);
	se->dl.dl_runtime = es->dl_runtime;
	se->dl.dl_period = es->dl_period;
	se->dl.dl_deadline = es->dl_deadline ? es->dl_deadline : es->dl_period;
	se->dl.dl_bw = ksched_to_ratio(es->dl_period, es->dl_runtime);
}

struct ksched_run *ksched_run_create(const struct ksched_run_spec *spec,
				     const struct ksched_env *env, void *env_priv)
{
	struct ksched_entity_spec *ents;
	struct ksched_run *run;
	u32 i, n = 0;

	run = (struct ksched_run *)klab_zalloc(sizeof(*run));
	if (!run)
		return NULL;
	run->spec = *spec;
	run->env = env;
	run->env_priv = env_priv;

	for (i = 0; i < KLAB_SCHED_MAX_CPUS; i++)
		if (spec->cpus & (1ULL << i))
			n++;
	run->nr_rqs = n;
	run->nr_entities = spec->nr_entities;
	run->rqs = (struct ksched_rq *)klab_bigzalloc(n * sizeof(*run->rqs));
	run->ents = (struct ksched_entity *)
		klab_bigzalloc(spec->nr_entities * sizeof(*run->ents));
	ents = (struct ksched_entity_spec *)
		klab_bigalloc(spec->nr_entities * sizeof(*ents));
	run->cpu_runtime = (u64 *)
		klab_bigzalloc((size_t)spec->nr_entities * n * sizeof(u64));
	run->spec.entities = ents;
	if (spec->trace_cap) {
		run->trace = (struct klab_sched_trace_event *)
			klab_bigalloc((size_t)spec->trace_cap * sizeof(*run->trace));
		run->trace_fair = (struct klab_sched_trace_fair *)
			klab_bigalloc((size_t)spec->trace_cap * sizeof(*run->trace_fair));
	}
	if (!run->rqs || !run->ents || !ents || !run->cpu_runtime ||
	    (spec->trace_cap && (!run->trace || !run->trace_fair))) {
		ksched_run_destroy(run);
		return NULL;
	}
	memcpy(ents, spec->entities, spec->nr_entities * sizeof(*ents));

	n = 0;
	for (i = 0; i < KLAB_SCHED_MAX_CPUS; i++)
		if (spec->cpus & (1ULL << i)) {
			ksched_init_rq(run, &run->rqs[n], (int)n, (int)i);
			n++;
		}
	for (i = 0; i < spec->nr_entities; i++)
		ksched_init_entity(run, (int)i);
	run->state = KLAB_SCHED_RUN_RUNNING;
	return run;
}

void ksched_run_destroy(struct ksched_run *run)
{
	if (!run)
		return;
	klab_bigfree(run->trace_fair);
	klab_bigfree(run->trace);
	klab_bigfree(run->cpu_runtime);
	klab_bigfree(run->spec.entities);
	klab_bigfree(run->ents);
	klab_bigfree(run->rqs);
	klab_free(run);
}

void ksched_run_start(struct ksched_run *run, u64 now)
{
	u32 i;

	run->start_ns = now;
	run->end_ns = now + run->spec.duration_ns;
	for (i = 0; i < run->nr_rqs; i++) {
		struct ksched_rq *rq = &run->rqs[i];

		rq->clock = now;
		rq->clock_task = now;
		rq->idle_since = now;
		rq->next_balance = now + run->spec.balance_ns;
		ksched_rt_init_rq(rq, now);
	}
	/* everything due at the start is queued before any CPU picks */
	run->starting = true;
	for (i = 0; i < run->nr_entities; i++) {
		struct ksched_entity *se = &run->ents[i];
		u64 delay = se->spec->start_ns;

		if (!delay) {
			ksched_wake_up(run, se, now);
			continue;
		}
		se->timer_at[KSCHED_TIMER_WAKE] = now + delay;
		se->timer_armed[KSCHED_TIMER_WAKE] = true;
		run->env->timer_arm(run, se, KSCHED_TIMER_WAKE, now + delay);
	}
	run->starting = false;
	for (i = 0; i < run->nr_rqs; i++) {
		run->rqs[i].resched = false;
		ksched_kick_idle(&run->rqs[i]);
	}
}

void ksched_run_stop(struct ksched_run *run, u64 now, u32 state,
		     const char *reason)
{
	u32 i;
	int k;

	if (!ksched_run_active(run))
		return;
	for (i = 0; i < run->nr_rqs; i++) {
		struct ksched_rq *rq = &run->rqs[i];

		ksched_rq_clock(rq, now);
		if (rq->curr) {
			ksched_update_curr(rq);
			ksched_trace(rq, rq->curr, false, KLAB_SCHED_SW_END);
		} else {
			rq->idle_ns += rq->clock - rq->idle_since;
		}
		if (rq->rt.throttled)
			rq->rt.throttled_ns += rq->clock_task - rq->rt.throttled_since;
	}
	for (i = 0; i < run->nr_entities; i++) {
		struct ksched_entity *se = &run->ents[i];

		if (se->on_rq && !se->on_cpu)
			se->wait_sum += se->rq->clock - se->wait_start;
		for (k = 0; k < KSCHED_NR_TIMERS; k++) {
			if (!se->timer_armed[k])
				continue;
			se->timer_armed[k] = false;
			run->env->timer_cancel(run, se, k);
		}
	}
	run->state = state;
	run->stop_ns = now;
	if (reason)
		snprintf(run->reason, sizeof(run->reason), "%s", reason);
	run->env->end(run);
}
