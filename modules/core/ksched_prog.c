// SPDX-License-Identifier: GPL-2.0
/*
 * Entity programs and run descriptions: defaults, checking (with deadline
 * admission control) and the step interpreter.
 *
 * A program is a list of steps repeated REPEAT times (0: until the run
 * ends).  RUN consumes CPU; SLEEP, SLEEP_PERIOD and WAIT block; WAKE is
 * instantaneous.  The steps after a blocking step execute when the entity
 * next gets the CPU, as the code after a sleep does in a real thread.
 */
#include "ksched.h"

void ksched_run_spec_defaults(struct ksched_run_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->duration_ns = KSCHED_NSEC_PER_SEC;
	spec->tick_ns = KSCHED_TICK_NS;
	spec->rt_runtime_ns = KSCHED_RT_RUNTIME_NS;
	spec->rt_period_ns = KSCHED_RT_PERIOD_NS;
	spec->watchdog_ns = KSCHED_WATCHDOG_NS;
	spec->balance_ns = KSCHED_BALANCE_NS;
	spec->trace_cap = KSCHED_TRACE_CAP;
}

void ksched_entity_spec_defaults(struct ksched_entity_spec *es)
{
	memset(es, 0, sizeof(*es));
	es->policy = KLAB_SCHED_POLICY_FAIR;
	es->start_cpu = KSCHED_NO_CPU;
}

static __printf(5, 6) int
ksched_spec_fail(struct ksched_spec_error *err, int ret, int entity, int attr,
		 const char *fmt, ...)
{
	va_list ap;

	err->entity = entity;
	err->attr = attr;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

static int ksched_step_check(const struct ksched_run_spec *spec, int id,
			     struct ksched_spec_error *err)
{
	const struct ksched_entity_spec *es = &spec->entities[id];
	bool progress = false;
	u32 i;

	if (!es->nr_steps || es->nr_steps > KLAB_SCHED_MAX_STEPS)
		return ksched_spec_fail(err, -EINVAL, id, KLAB_SCHED_A_ENT_STEP,
					"a program has 1 to %d steps",
					KLAB_SCHED_MAX_STEPS);
	for (i = 0; i < es->nr_steps; i++) {
		const struct ksched_step *st = &es->steps[i];

		err->step = (int)i;
		switch (st->op) {
		case KLAB_SCHED_OP_RUN:
		case KLAB_SCHED_OP_WAIT:
			progress = true;
			break;
		case KLAB_SCHED_OP_SLEEP:
		case KLAB_SCHED_OP_SLEEP_PERIOD:
			if (!st->arg || st->arg > KSCHED_DURATION_MAX)
				return ksched_spec_fail(err, -EINVAL, id,
							KLAB_SCHED_A_STEP_ARG,
							"a sleep lasts 1 ns to 1 hour");
			progress = true;
			break;
		case KLAB_SCHED_OP_WAKE:
			if (st->arg >= spec->nr_entities || st->arg == (u64)id)
				return ksched_spec_fail(err, -EINVAL, id,
							KLAB_SCHED_A_STEP_ARG,
							"wake: no other entity %llu",
							(unsigned long long)st->arg);
			break;
		default:
			return ksched_spec_fail(err, -EINVAL, id,
						KLAB_SCHED_A_STEP_OP,
						"unknown step %u", st->op);
		}
		if (st->op == KLAB_SCHED_OP_RUN && st->arg > KSCHED_DURATION_MAX)
			return ksched_spec_fail(err, -EINVAL, id,
						KLAB_SCHED_A_STEP_ARG,
						"a run step lasts at most 1 hour");
	}
	err->step = -1;
	if (!progress)
		return ksched_spec_fail(err, -EINVAL, id, KLAB_SCHED_A_ENT_STEP,
					"a program needs a run, sleep or wait step");
	return 0;
}

static int ksched_entity_check(const struct ksched_run_spec *spec, int id,
			       struct ksched_spec_error *err)
{
	const struct ksched_entity_spec *es = &spec->entities[id];
	u64 cpus = es->cpus ? es->cpus : spec->cpus;

	switch (es->policy) {
	case KLAB_SCHED_POLICY_FAIR:
		if (es->nice < -20 || es->nice > 19)
			return ksched_spec_fail(err, -EINVAL, id,
						KLAB_SCHED_A_ENT_NICE,
						"nice must be -20..19");
		break;
	case KLAB_SCHED_POLICY_FIFO:
	case KLAB_SCHED_POLICY_RR:
		if (es->prio < 1 || es->prio > KSCHED_RT_PRIO_MAX)
			return ksched_spec_fail(err, -EINVAL, id,
						KLAB_SCHED_A_ENT_PRIO,
						"rt priority must be 1..99");
		break;
	case KLAB_SCHED_POLICY_DEADLINE: {
		u64 deadline = es->dl_deadline ? es->dl_deadline : es->dl_period;

		/* the checks of the kernel's __checkparam_dl() */
		if (es->dl_runtime < KSCHED_DL_MIN_NS)
			return ksched_spec_fail(err, -EINVAL, id,
						KLAB_SCHED_A_ENT_DL_RUNTIME_NS,
						"deadline runtime must be at least 1024 ns");
		if (es->dl_runtime > deadline || deadline > es->dl_period)
			return ksched_spec_fail(err, -EINVAL, id,
						KLAB_SCHED_A_ENT_DL_PERIOD_NS,
						"deadline entities need runtime <= deadline <= period");
		if (es->dl_period > KSCHED_DURATION_MAX)
			return ksched_spec_fail(err, -EINVAL, id,
						KLAB_SCHED_A_ENT_DL_PERIOD_NS,
						"the period is at most 1 hour");
		if (cpus != spec->cpus)
			return ksched_spec_fail(err, -EINVAL, id,
						KLAB_SCHED_A_ENT_CPUS,
						"a deadline entity may run on every CPU of the run (as in the kernel, its affinity spans the root domain)");
		break;
	}
	case KLAB_SCHED_POLICY_IDLE:
		break;
	default:
		return ksched_spec_fail(err, -EINVAL, id, KLAB_SCHED_A_ENT_POLICY,
					"unknown policy %u", es->policy);
	}
	if (cpus & ~spec->cpus)
		return ksched_spec_fail(err, -EINVAL, id, KLAB_SCHED_A_ENT_CPUS,
					"cpus must be among the run's CPUs");
	if (es->start_cpu != KSCHED_NO_CPU &&
	    (es->start_cpu < 0 || es->start_cpu >= KLAB_SCHED_MAX_CPUS ||
	     !(cpus & (1ULL << es->start_cpu))))
		return ksched_spec_fail(err, -EINVAL, id, KLAB_SCHED_A_ENT_START_CPU,
					"start CPU %d is not allowed for this entity",
					es->start_cpu);
	if (es->start_ns > KSCHED_DURATION_MAX)
		return ksched_spec_fail(err, -EINVAL, id, KLAB_SCHED_A_ENT_START_NS,
					"the start is at most 1 hour in");
	return ksched_step_check(spec, id, err);
}

u64 ksched_to_ratio(u64 period, u64 runtime)
{
	if (!period)
		return 0;
	return (runtime << KSCHED_BW_SHIFT) / period;
}

/* A bandwidth in hundredths of a CPU, rounded */
static u64 ksched_bw_centi(u64 bw)
{
	return (bw * 100 + KSCHED_BW_UNIT / 2) >> KSCHED_BW_SHIFT;
}

static unsigned int ksched_popcount(u64 mask)
{
	unsigned int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

int ksched_spec_check(const struct ksched_run_spec *spec,
		      struct ksched_spec_error *err)
{
	u64 bw = 0, limit;
	u32 i;
	int ret;

	memset(err, 0, sizeof(*err));
	err->entity = -1;
	err->step = -1;

	if (spec->duration_ns < KSCHED_NSEC_PER_MSEC ||
	    spec->duration_ns > KSCHED_DURATION_MAX)
		return ksched_spec_fail(err, -EINVAL, -1,
					KLAB_SCHED_A_RUN_DURATION_NS,
					"the duration is 1 ms to 1 hour");
	if (spec->tick_ns < KSCHED_TICK_MIN_NS || spec->tick_ns > KSCHED_NSEC_PER_SEC)
		return ksched_spec_fail(err, -EINVAL, -1, KLAB_SCHED_A_RUN_TICK_NS,
					"the tick is 100 us to 1 s");
	if (!spec->cpus)
		return ksched_spec_fail(err, -EINVAL, -1, KLAB_SCHED_A_RUN_CPUS,
					"a run needs at least one CPU");
	if (spec->rt_period_ns < KSCHED_NSEC_PER_MSEC ||
	    spec->rt_period_ns > 10 * KSCHED_NSEC_PER_SEC)
		return ksched_spec_fail(err, -EINVAL, -1,
					KLAB_SCHED_A_RUN_RT_PERIOD_NS,
					"the rt period is 1 ms to 10 s");
	if (spec->rt_runtime_ns != KSCHED_RT_RUNTIME_INF &&
	    (spec->rt_runtime_ns < 0 ||
	     (u64)spec->rt_runtime_ns > spec->rt_period_ns))
		return ksched_spec_fail(err, -EINVAL, -1,
					KLAB_SCHED_A_RUN_RT_RUNTIME_NS,
					"the rt runtime is -1 (no limit) or 0 to the period");
	if (spec->watchdog_ns && spec->watchdog_ns < spec->tick_ns)
		return ksched_spec_fail(err, -EINVAL, -1,
					KLAB_SCHED_A_RUN_WATCHDOG_NS,
					"the watchdog is 0 (off) or at least a tick");
	if (spec->trace_cap > KSCHED_TRACE_CAP_MAX)
		return ksched_spec_fail(err, -EINVAL, -1,
					KLAB_SCHED_A_RUN_TRACE_CAP,
					"at most %u trace events", KSCHED_TRACE_CAP_MAX);
	if (!spec->nr_entities || spec->nr_entities > KLAB_SCHED_MAX_ENTITIES)
		return ksched_spec_fail(err, -EINVAL, -1, KLAB_SCHED_A_RUN_ENTITIES,
					"a run has 1 to %d entities",
					KLAB_SCHED_MAX_ENTITIES);

	for (i = 0; i < spec->nr_entities; i++) {
		const struct ksched_entity_spec *es = &spec->entities[i];

		ret = ksched_entity_check(spec, (int)i, err);
		if (ret)
			return ret;
		if (es->policy == KLAB_SCHED_POLICY_DEADLINE)
			bw += ksched_to_ratio(es->dl_period, es->dl_runtime);
	}

	/* admission, as sched_dl_overflow(): the rt limit of every CPU */
	if (spec->rt_runtime_ns == KSCHED_RT_RUNTIME_INF)
		return 0;
	limit = ksched_to_ratio(spec->rt_period_ns, (u64)spec->rt_runtime_ns) *
		ksched_popcount(spec->cpus);
	if (bw > limit)
		return ksched_spec_fail(err, -EBUSY, -1, KLAB_SCHED_A_RUN_ENTITIES,
					"deadline bandwidth %llu.%02llu CPUs exceeds the limit of %llu.%02llu (%lld/%llu of %u CPUs)",
					(unsigned long long)(ksched_bw_centi(bw) / 100),
					(unsigned long long)(ksched_bw_centi(bw) % 100),
					(unsigned long long)(ksched_bw_centi(limit) / 100),
					(unsigned long long)(ksched_bw_centi(limit) % 100),
					(long long)spec->rt_runtime_ns,
					(unsigned long long)spec->rt_period_ns,
					ksched_popcount(spec->cpus));
	return 0;
}

/* A job ends: count a miss if it ends after its deadline (deadline class) */
static void ksched_job_end(struct ksched_entity *se, u64 now)
{
	if (!se->job_active)
		return;
	se->job_active = false;
	if (se->policy == KLAB_SCHED_POLICY_DEADLINE &&
	    ksched_time_before(se->dl.job_deadline, now))
		se->dl_misses++;
}

/**
 * ksched_prog_begin - a new job of @se is released at @release
 * @se: the entity, just woken or released late
 * @release: the release time (a timer's due time, or the wakeup)
 */
void ksched_prog_begin(struct ksched_entity *se, u64 release)
{
	se->job_active = true;
	se->dl.job_deadline = release + se->dl.dl_deadline;
}

/**
 * ksched_prog_advance - execute @se's steps up to the next RUN or block
 * @se: the entity, curr of its run queue
 * @now: the time (wall clock)
 *
 * Sleeps, releases and job deadlines count in ksched_se_clock(): the
 * CPU's clock_task for a deadline entity.
 *
 * Return: KSCHED_PROG_RUN with se->remaining set, KSCHED_PROG_BLOCK (a
 * sleep's timer is armed) or KSCHED_PROG_EXIT.
 */
enum ksched_prog_state ksched_prog_advance(struct ksched_entity *se, u64 now)
{
	const struct ksched_entity_spec *es = se->spec;
	unsigned int budget = 2 * KLAB_SCHED_MAX_STEPS + 2;
	u64 t = ksched_se_clock(se->rq, se);

	se->run_forever = false;
	se->remaining = 0;
	while (budget--) {
		const struct ksched_step *st;

		if (se->pc >= es->nr_steps) {
			se->iteration++;
			if (es->repeat && se->iteration >= es->repeat) {
				ksched_job_end(se, t);
				return KSCHED_PROG_EXIT;
			}
			se->pc = 0;
		}
		st = &es->steps[se->pc++];
		switch (st->op) {
		case KLAB_SCHED_OP_RUN:
			se->run_forever = !st->arg;
			se->remaining = (s64)st->arg;
			return KSCHED_PROG_RUN;
		case KLAB_SCHED_OP_SLEEP:
			ksched_job_end(se, t);
			ksched_timer_arm(se, KSCHED_TIMER_WAKE, t + st->arg);
			return KSCHED_PROG_BLOCK;
		case KLAB_SCHED_OP_SLEEP_PERIOD:
			se->next_release += st->arg;
			if (!ksched_time_before(t, se->next_release)) {
				/* late: the next job is due already */
				ksched_job_end(se, t);
				ksched_prog_begin(se, se->next_release);
				continue;
			}
			ksched_job_end(se, t);
			ksched_timer_arm(se, KSCHED_TIMER_WAKE, se->next_release);
			return KSCHED_PROG_BLOCK;
		case KLAB_SCHED_OP_WAKE:
			ksched_wake_up(se->run, &se->run->ents[st->arg], now);
			continue;
		case KLAB_SCHED_OP_WAIT:
			if (se->wake_pending) {
				se->wake_pending = false;
				ksched_job_end(se, t);
				ksched_prog_begin(se, t);
				continue;
			}
			ksched_job_end(se, t);
			return KSCHED_PROG_BLOCK;
		}
	}
	/* nothing but instantaneous steps so far: let a microsecond pass */
	se->remaining = (s64)KSCHED_NSEC_PER_USEC;
	return KSCHED_PROG_RUN;
}
