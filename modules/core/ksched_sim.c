// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler core's discrete-event simulator: see ksched_sim.h.
 *
 * Events live in a binary min-heap ordered by (time, sequence).  Timers
 * and the end of RUN steps carry generation numbers; re-arming or
 * cancelling bumps the generation, so stale events are recognised and
 * dropped when they come up instead of being searched for.
 */
#include "ksched_sim.h"

enum ksched_sim_kind {
	KSCHED_SIM_TICK,
	KSCHED_SIM_TIMER_WAKE,	/* KSCHED_SIM_TIMER_WAKE + enum ksched_timer */
	KSCHED_SIM_TIMER_DL,
	KSCHED_SIM_BURST,	/* the curr of a run queue ends its RUN step */
};

struct ksched_sim_event {
	u64 time;
	u64 seq;
	u32 kind;
	u32 idx;
	u32 gen;
};

struct ksched_sim {
	struct ksched_run *run;
	struct ksched_sim_event *heap;
	u32 len;
	u32 cap;
	u64 seq;
	u64 now;
	u32 *burst_gen;		/* per run queue */
	u32 *timer_gen;		/* per entity and timer */
	bool failed;
};

static bool sim_before(const struct ksched_sim_event *a,
		       const struct ksched_sim_event *b)
{
	return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static void sim_push(struct ksched_sim *sim, u32 kind, u32 idx, u32 gen, u64 time)
{
	struct ksched_sim_event ev, *heap = sim->heap;
	u32 i;

	if (sim->len == sim->cap) {
		u32 cap = sim->cap ? 2 * sim->cap : 64;

		heap = (struct ksched_sim_event *)klab_bigalloc(cap * sizeof(*heap));
		if (!heap) {
			sim->failed = true;
			return;
		}
		if (sim->len)
			memcpy(heap, sim->heap, sim->len * sizeof(*heap));
		klab_bigfree(sim->heap);
		sim->heap = heap;
		sim->cap = cap;
	}
	ev.time = time < sim->now ? sim->now : time;
	ev.seq = sim->seq++;
	ev.kind = kind;
	ev.idx = idx;
	ev.gen = gen;
	for (i = sim->len++; i; i = (i - 1) / 2) {
		if (!sim_before(&ev, &heap[(i - 1) / 2]))
			break;
		heap[i] = heap[(i - 1) / 2];
	}
	heap[i] = ev;
}

static struct ksched_sim_event sim_pop(struct ksched_sim *sim)
{
	struct ksched_sim_event top = sim->heap[0];
	struct ksched_sim_event last = sim->heap[--sim->len];
	u32 i = 0;

	for (;;) {
		u32 child = 2 * i + 1;

		if (child >= sim->len)
			break;
		if (child + 1 < sim->len &&
		    sim_before(&sim->heap[child + 1], &sim->heap[child]))
			child++;
		if (!sim_before(&sim->heap[child], &last))
			break;
		sim->heap[i] = sim->heap[child];
		i = child;
	}
	if (sim->len)
		sim->heap[i] = last;
	return top;
}

static struct ksched_sim *sim_of(struct ksched_run *run)
{
	return (struct ksched_sim *)run->env_priv;
}

/* Queue the end of @se's RUN step; a step without end needs no event */
static void sim_schedule_burst(struct ksched_sim *sim, struct ksched_rq *rq,
			       struct ksched_entity *se)
{
	u64 until = ksched_run_until(se);
	u32 gen = ++sim->burst_gen[rq->idx];

	if (until != KSCHED_TIME_MAX)
		sim_push(sim, KSCHED_SIM_BURST, (u32)rq->idx, gen, until);
}

static void sim_start(struct ksched_run *run, struct ksched_rq *rq,
		      struct ksched_entity *se)
{
	struct ksched_sim *sim = sim_of(run);

	ksched_note_started(se, sim->now);
	sim_schedule_burst(sim, rq, se);
}

static void sim_timer_arm(struct ksched_run *run, struct ksched_entity *se,
			  int kind, u64 when)
{
	struct ksched_sim *sim = sim_of(run);
	u32 *gen = &sim->timer_gen[se->id * KSCHED_NR_TIMERS + kind];

	sim_push(sim, KSCHED_SIM_TIMER_WAKE + (u32)kind, (u32)se->id, ++*gen, when);
}

static void sim_timer_cancel(struct ksched_run *run, struct ksched_entity *se,
			     int kind)
{
	sim_of(run)->timer_gen[se->id * KSCHED_NR_TIMERS + kind]++;
}

static void sim_end(struct ksched_run *run)
{
	(void)run;
}

static const struct ksched_env ksched_sim_env = {
	.start = sim_start,
	.ran = NULL,	/* the virtual CPU is never stolen */
	.timer_arm = sim_timer_arm,
	.timer_cancel = sim_timer_cancel,
	.end = sim_end,
};

/* What an entity thread does when its step ends or it must yield */
static void sim_yield(struct ksched_sim *sim, struct ksched_rq *rq)
{
	struct ksched_entity *prev = rq->curr;
	struct ksched_entity *next = ksched_yield(rq, sim->now);

	if (next && next == prev)
		sim_schedule_burst(sim, rq, next);
}

static void sim_handle(struct ksched_sim *sim, const struct ksched_sim_event *ev)
{
	struct ksched_run *run = sim->run;
	struct ksched_rq *rq;

	switch (ev->kind) {
	case KSCHED_SIM_TICK:
		rq = &run->rqs[ev->idx];
		ksched_tick(rq, sim->now);
		if (ksched_run_active(run))
			sim_push(sim, KSCHED_SIM_TICK, ev->idx, 0,
				 sim->now + run->spec.tick_ns);
		break;
	case KSCHED_SIM_TIMER_WAKE:
	case KSCHED_SIM_TIMER_DL: {
		int kind = (int)(ev->kind - KSCHED_SIM_TIMER_WAKE);

		if (ev->gen == sim->timer_gen[ev->idx * KSCHED_NR_TIMERS + kind])
			ksched_timer_fire(run, &run->ents[ev->idx], kind, sim->now);
		break;
	}
	case KSCHED_SIM_BURST:
		rq = &run->rqs[ev->idx];
		if (ev->gen == sim->burst_gen[ev->idx] && rq->curr)
			sim_yield(sim, rq);
		break;
	}
}

/* Preemptions requested while handling an event happen at the same time */
static void sim_resched(struct ksched_sim *sim)
{
	struct ksched_run *run = sim->run;
	u32 i;

	for (i = 0; i < run->nr_rqs && ksched_run_active(run); i++) {
		struct ksched_rq *rq = &run->rqs[i];

		while (ksched_run_active(run) && rq->curr && rq->resched)
			sim_yield(sim, rq);
	}
}

static void sim_loop(struct ksched_sim *sim)
{
	struct ksched_run *run = sim->run;
	u64 last = sim->now, same = 0;
	u32 i;

	for (i = 0; i < run->nr_rqs; i++)
		sim_push(sim, KSCHED_SIM_TICK, i, 0, sim->now + run->spec.tick_ns);
	ksched_run_start(run, sim->now);
	sim_resched(sim);

	while (ksched_run_active(run) && sim->len && !sim->failed) {
		struct ksched_sim_event ev = sim_pop(sim);

		sim->now = ev.time;
		if (sim->now != last) {
			last = sim->now;
			same = 0;
		} else if (++same > KSCHED_SIM_MAX_EVENTS_AT_ONCE) {
			ksched_run_stop(run, sim->now, KLAB_SCHED_RUN_ABORTED,
					"simulation: entities wake each other without using any CPU, time stands still");
			break;
		}
		sim_handle(sim, &ev);
		sim_resched(sim);
	}
	if (sim->failed)
		ksched_run_stop(run, sim->now, KLAB_SCHED_RUN_ABORTED,
				"simulation: out of memory");
}

int ksched_simulate(const struct ksched_run_spec *spec, struct ksched_run **runp,
		    struct ksched_spec_error *err)
{
	struct ksched_sim sim;
	struct ksched_run *run;
	int ret;

	*runp = NULL;
	ret = ksched_spec_check(spec, err);
	if (ret)
		return ret;

	memset(&sim, 0, sizeof(sim));
	sim.now = KSCHED_SIM_EPOCH;
	run = ksched_run_create(spec, &ksched_sim_env, &sim);
	if (!run)
		return -ENOMEM;
	sim.run = run;
	sim.burst_gen = (u32 *)klab_zalloc(run->nr_rqs * sizeof(u32));
	sim.timer_gen = (u32 *)klab_zalloc(run->nr_entities * KSCHED_NR_TIMERS *
					   sizeof(u32));
	if (!sim.burst_gen || !sim.timer_gen) {
		ret = -ENOMEM;
		goto out;
	}
	sim_loop(&sim);
	ret = sim.failed ? -ENOMEM : 0;
out:
	klab_free(sim.timer_gen);
	klab_free(sim.burst_gen);
	klab_bigfree(sim.heap);
	run->env_priv = NULL;
	if (ret) {
		ksched_run_destroy(run);
		return ret;
	}
	*runp = run;
	return 0;
}
