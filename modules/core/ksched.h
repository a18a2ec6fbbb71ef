/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduling-class framework of sched_demo, as freestanding C.
 *
 * A run holds per-CPU run queues (struct ksched_rq) and a population of
 * entities (struct ksched_entity), each driven by a small program.  The
 * policy lives in scheduling classes with an ops vector in the shape of
 * the kernel's sched_class and sched_ext's ops (struct ksched_class),
 * tried in strict order: deadline, rt, fair, idle.
 *
 * The core decides; it does not execute.  It is told the time (@now, in
 * ns) by its caller and reports what must happen through an environment
 * (struct ksched_env): an entity must start running on a CPU, a timer
 * must be armed, the run is over.  sched_demo.ko implements the
 * environment with real kernel threads and hrtimers; klabctl's simulator
 * implements it with an event queue in virtual time.  The same decisions
 * therefore come out of both, up to the timing of real hardware.
 *
 * Locking is the caller's: every function here expects that nothing else
 * touches the run meanwhile (the module holds the run's lock).
 */
#ifndef _KSCHED_H
#define _KSCHED_H

#include "klab_platform.h"
#include "ksched_rbtree.h"

#include <klab/sched.h>

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/math64.h>
#else
#include <stdarg.h>
#include <stdio.h>	/* snprintf */
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define KSCHED_NSEC_PER_USEC	1000ULL
#define KSCHED_NSEC_PER_MSEC	1000000ULL
#define KSCHED_NSEC_PER_SEC	1000000000ULL

/* Linux 6.1's CFS constants, before their scaling by the number of CPUs */
#define KSCHED_NICE_0_LOAD	1024
#define KSCHED_WMULT_SHIFT	32
#define KSCHED_LATENCY_NS	(6 * KSCHED_NSEC_PER_MSEC)
#define KSCHED_MIN_GRAN_NS	(750 * KSCHED_NSEC_PER_USEC)
#define KSCHED_WAKEUP_GRAN_NS	(1 * KSCHED_NSEC_PER_MSEC)
#define KSCHED_NR_LATENCY	8	/* latency / min_granularity */

/* rt: the round-robin slice and the bandwidth limit (sched_rt_*_us) */
#define KSCHED_RR_SLICE_NS	(100 * KSCHED_NSEC_PER_MSEC)
#define KSCHED_RT_PERIOD_NS	KSCHED_NSEC_PER_SEC
#define KSCHED_RT_RUNTIME_NS	((s64)(950 * KSCHED_NSEC_PER_MSEC))
#define KSCHED_RT_RUNTIME_INF	((s64)-1)
#define KSCHED_RT_PRIO_MAX	99
#define KSCHED_NR_RT_PRIO	100

/* deadline: bandwidth fixed point, as the kernel's BW_SHIFT */
#define KSCHED_BW_SHIFT		20
#define KSCHED_BW_UNIT		BIT_ULL(KSCHED_BW_SHIFT)
#define KSCHED_DL_MIN_NS	1024ULL	/* the kernel's 1 << DL_SCALE */

/* Defaults of a run */
#define KSCHED_TICK_NS		KSCHED_NSEC_PER_MSEC
#define KSCHED_TICK_MIN_NS	(100 * KSCHED_NSEC_PER_USEC)
#define KSCHED_WATCHDOG_NS	(30 * KSCHED_NSEC_PER_SEC)
#define KSCHED_BALANCE_NS	(4 * KSCHED_NSEC_PER_MSEC)
#define KSCHED_TRACE_CAP	65536
#define KSCHED_TRACE_CAP_MAX	(1024U * 1024)
#define KSCHED_DURATION_MAX	(3600 * KSCHED_NSEC_PER_SEC)

#define KSCHED_NO_CPU		(-1)
#define KSCHED_TIME_MAX		(~0ULL)

/* ---- run descriptions --------------------------------------------------- */

struct ksched_step {
	u32 op;			/* enum klab_sched_op */
	u64 arg;
};

struct ksched_entity_spec {
	char name[KLAB_SCHED_NAME_LEN];
	u32 policy;		/* enum klab_sched_policy */
	s32 nice;
	u32 prio;		/* rt priority 1..99 */
	u64 dl_runtime;
	u64 dl_deadline;	/* 0: the period */
	u64 dl_period;
	u64 cpus;		/* CPU ids; 0: the run's CPUs */
	s32 start_cpu;		/* CPU id, or KSCHED_NO_CPU to choose */
	u64 start_ns;
	u32 repeat;		/* 0: forever */
	u32 nr_steps;
	struct ksched_step steps[KLAB_SCHED_MAX_STEPS];
};

struct ksched_run_spec {
	char name[KLAB_SCHED_NAME_LEN];
	u64 duration_ns;
	u64 tick_ns;
	u64 cpus;		/* CPU ids */
	s64 rt_runtime_ns;	/* KSCHED_RT_RUNTIME_INF: no limit */
	u64 rt_period_ns;
	u64 watchdog_ns;	/* 0: off */
	u64 balance_ns;		/* 0: no periodic balancing */
	u32 trace_cap;
	u32 nr_entities;
	struct ksched_entity_spec *entities;
};

/* Fill @spec with the defaults; the caller sets the CPUs and entities. */
void ksched_run_spec_defaults(struct ksched_run_spec *spec);
void ksched_entity_spec_defaults(struct ksched_entity_spec *es);

/* Why a description was refused: a message and where */
struct ksched_spec_error {
	int entity;		/* entity index, or -1 for the run */
	int step;		/* step index, or -1 */
	int attr;		/* KLAB_SCHED_A_* naming the field, or 0 */
	char msg[128];
};

/*
 * Check @spec: ranges, program sanity and deadline admission (the
 * deadline entities' total bandwidth, at most rt_runtime/rt_period of
 * each CPU, like the kernel's sched_dl_overflow()).  Returns 0, -EINVAL
 * or -EBUSY (admission) with @err filled in.
 */
int ksched_spec_check(const struct ksched_run_spec *spec,
		      struct ksched_spec_error *err);

/* ---- lists ------------------------------------------------------------- */

struct ksched_list {
	struct ksched_list *prev;
	struct ksched_list *next;
};

static inline void ksched_list_init(struct ksched_list *head)
{
	head->prev = head;
	head->next = head;
}

static inline bool ksched_list_empty(const struct ksched_list *head)
{
	return head->next == head;
}

static inline void ksched_list_add_tail(struct ksched_list *node,
					struct ksched_list *head)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

static inline void ksched_list_del(struct ksched_list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->prev = node;
	node->next = node;
}

#define ksched_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* ---- entities ---------------------------------------------------------- */

struct ksched_run;
struct ksched_rq;
struct ksched_entity;

enum ksched_timer {
	KSCHED_TIMER_WAKE,	/* end of a sleep */
	KSCHED_TIMER_DL,	/* deadline replenishment */
	KSCHED_NR_TIMERS,
};

/* Where a program stands after a step */
enum ksched_prog_state {
	KSCHED_PROG_RUN,	/* consume CPU */
	KSCHED_PROG_BLOCK,	/* sleeps or waits */
	KSCHED_PROG_EXIT,	/* program over */
};

struct ksched_fair_se {
	struct ksched_rb_node node;
	u64 vruntime;
	u32 weight;
	u32 inv_weight;		/* 2^32 / weight */
	u64 prev_sum_exec;	/* sum_exec_runtime when it last got the CPU */
	bool queued;		/* in the tree or the fair curr */
};

struct ksched_rt_se {
	struct ksched_list node;
	u32 prio;		/* kernel order: 0 (best) .. 98; 99 - rt_priority */
	s64 time_slice;		/* rr: what is left of the slice */
	bool queued;
};

struct ksched_dl_se {
	struct ksched_rb_node node;
	u64 dl_runtime;
	u64 dl_deadline;
	u64 dl_period;
	u64 dl_bw;		/* dl_runtime / dl_period, KSCHED_BW_SHIFT fixed point */
	s64 runtime;		/* budget left */
	u64 deadline;		/* absolute scheduling deadline */
	u64 job_deadline;	/* release + dl_deadline of the current job */
	bool throttled;		/* out of budget until the replenishment */
	bool queued;		/* in the tree */
};

struct ksched_entity {
	int id;
	u32 policy;
	const struct ksched_class *cls;
	const struct ksched_entity_spec *spec;
	struct ksched_run *run;
	struct ksched_rq *rq;	/* its queue, or the last one */
	u64 cpus;		/* allowed run queues (indices, not CPU ids) */
	u32 state;		/* enum klab_sched_ent_state */
	bool on_rq;		/* runnable: queued or running */
	bool on_cpu;		/* its rq's curr */
	bool wake_pending;	/* woken while runnable: the next WAIT passes */

	u64 exec_start;		/* wall clock when it got the CPU, or last charged */
	u64 ran_seen;		/* env->ran() at the last accounting */
	u64 sum_exec_runtime;

	/* program */
	u32 pc;
	u32 iteration;
	bool run_forever;	/* current RUN step has no end */
	s64 remaining;		/* of the current RUN step */
	u64 prog_start;
	u64 next_release;	/* SLEEP_PERIOD */

	/* timers */
	u64 timer_at[KSCHED_NR_TIMERS];
	bool timer_armed[KSCHED_NR_TIMERS];

	/* statistics */
	u64 wait_start;
	u64 wait_sum;
	u64 nvcsw;
	u64 nivcsw;
	u64 wakeups;
	u64 migrations;
	u64 wake_ts;
	bool lat_pending;
	u64 lat_max;
	u64 lat_sum;
	u64 lat_count;
	u32 lat_hist[KLAB_SCHED_LAT_BUCKETS];
	u64 dl_misses;
	u64 throttled;
	u64 dl_overrun_max;	/* largest budget overrun found at a throttle */
	u64 first_run;		/* absolute; 0: never ran */
	u64 done_at;		/* absolute; 0: not done */
	u64 wrong_cpu;		/* set by the environment */
	u64 *cpu_runtime;	/* per run queue */

	struct ksched_fair_se fair;
	struct ksched_rt_se rt;
	struct ksched_dl_se dl;
	struct ksched_list idle_node;
	bool idle_queued;
	u64 slice_start;	/* sum_exec_runtime when it got the CPU */
	u64 watch_start;	/* runnable and waiting since (watchdog) */
	u64 job_release;	/* current job released at */
	bool job_active;
};

/* ---- run queues -------------------------------------------------------- */

struct ksched_fair_rq {
	struct ksched_rb_root tasks;	/* queued entities but curr */
	struct ksched_entity *curr;	/* fair entity on the CPU */
	u64 min_vruntime;
	u64 load;			/* sum of weights, curr included */
	u32 nr_running;			/* curr included */
};

struct ksched_rt_rq {
	struct ksched_list queue[KSCHED_NR_RT_PRIO];
	u64 bitmap[2];			/* bit p: queue[p] not empty */
	u32 nr_running;			/* curr included: it stays queued */
	u64 rt_time;			/* rt runtime in this period */
	u64 period_end;			/* in clock_task time */
	bool throttled;
	u64 throttled_since;		/* clock_task */
	u64 throttled_ns;		/* of clock_task */
};

struct ksched_dl_rq {
	struct ksched_rb_root tasks;	/* by deadline, curr included */
	u32 nr_running;			/* queued in the tree */
};

struct ksched_idle_rq {
	struct ksched_list queue;
	u32 nr_running;
};

struct ksched_rq {
	int idx;			/* index in the run */
	int cpu;			/* CPU id */
	struct ksched_run *run;
	struct ksched_entity *curr;
	u32 nr_running;			/* runnable entities, curr included */
	bool resched;			/* curr must go through ksched_yield() */
	u64 clock;			/* wall clock */
	/*
	 * The run queue's own time: advanced by the CPU time its curr
	 * actually had, or by the wall clock while it has none.  What a
	 * CPU gives its entities, stolen time left out; the rt bandwidth
	 * is measured against it.  The wall clock without env->ran.
	 */
	u64 clock_task;

	struct ksched_fair_rq fair;
	struct ksched_rt_rq rt;
	struct ksched_dl_rq dl;
	struct ksched_idle_rq idle;

	u64 next_balance;
	u64 idle_since;			/* when curr became NULL */

	/* statistics */
	u64 switches;
	u64 idle_ns;
	u64 ticks;
	u64 pulls;
	u64 overhead_ns;		/* filled by the environment */
};

/* ---- classes ----------------------------------------------------------- */

/* enqueue/dequeue flags */
#define KSCHED_ENQ_WAKEUP	0x1	/* after a sleep */
#define KSCHED_ENQ_INITIAL	0x2	/* first start */
#define KSCHED_ENQ_MIGRATE	0x4	/* moved between run queues */
#define KSCHED_DEQ_SLEEP	0x1
#define KSCHED_DEQ_MIGRATE	0x4

/**
 * struct ksched_class - a scheduling class
 * @name: as shown to users
 * @select_cpu: run queue index for a waking entity (its affinity honoured)
 * @enqueue: make a runnable entity eligible on @rq
 * @dequeue: remove it (it blocks, exits or migrates)
 * @pick_next: the class's next entity on @rq, made curr; NULL if none.
 *	@prev is the entity that just left the CPU (or NULL)
 * @put_prev: @se (the class's curr) leaves the CPU, still runnable or not
 * @migrate_task_rq: a sleeping @se wakes on @dst, not on its last queue
 * @update_curr: account to @se, the class's curr, @delta ns of CPU it
 *	had (env->ran(), stolen time left out)
 * @tick: periodic check of curr: slice used up, budget exhausted
 * @check_preempt_wakeup: @se of this class woke on @rq whose curr is of
 *	this class too: set rq->resched if @se should run now
 * @set_weight: fair: the weight of a nice value
 * @pull_candidate: a queued, not running entity of this class on @src
 *	that may run on @dst, for idle pulls; NULL if none
 * @prio_key: a key comparing entities within the class for select_cpu
 *	(lower runs first), used to find the CPU running the least urgent
 *	entity
 */
struct ksched_class {
	const char *name;
	int (*select_cpu)(struct ksched_entity *se, int prev);
	void (*enqueue)(struct ksched_rq *rq, struct ksched_entity *se, int flags);
	void (*dequeue)(struct ksched_rq *rq, struct ksched_entity *se, int flags);
	struct ksched_entity *(*pick_next)(struct ksched_rq *rq,
					   struct ksched_entity *prev);
	void (*put_prev)(struct ksched_rq *rq, struct ksched_entity *se);
	void (*migrate_task_rq)(struct ksched_entity *se, struct ksched_rq *dst);
	void (*update_curr)(struct ksched_rq *rq, struct ksched_entity *se, u64 delta);
	void (*tick)(struct ksched_rq *rq, struct ksched_entity *se);
	void (*check_preempt_wakeup)(struct ksched_rq *rq, struct ksched_entity *se);
	void (*set_weight)(struct ksched_entity *se, int nice);
	struct ksched_entity *(*pull_candidate)(struct ksched_rq *src,
						struct ksched_rq *dst);
	u64 (*prio_key)(const struct ksched_entity *se);
	int rank;		/* 0 = highest; classes are tried by rank */
};

extern const struct ksched_class ksched_dl_class;
extern const struct ksched_class ksched_rt_class;
extern const struct ksched_class ksched_fair_class;
extern const struct ksched_class ksched_idle_class;

/* The classes in the order they are tried */
extern const struct ksched_class *const ksched_classes[];
#define KSCHED_NR_CLASSES 4

/* ---- the environment --------------------------------------------------- */

/**
 * struct ksched_env - what the core asks of its executor
 * @start: @se became @rq's curr and must start (or keep) running there
 * @ran: optional; the CPU time @se's executor has actually had so far.
 *	Entities are charged with it rather than with the wall clock, as the
 *	kernel charges rq_clock_task() which leaves out stolen time: a
 *	thread the host or the kernel kept off its CPU is not charged for
 *	the gap.  Without it, the wall clock
 * @timer_arm: fire ksched_timer_fire(@se, @kind) at @when (absolute)
 * @timer_cancel: forget that timer
 * @end: the run is over (duration elapsed or the watchdog fired); the core
 *	has stopped scheduling and the environment stops executing
 */
struct ksched_env {
	void (*start)(struct ksched_run *run, struct ksched_rq *rq,
		      struct ksched_entity *se);
	u64 (*ran)(struct ksched_run *run, struct ksched_entity *se);
	void (*timer_arm)(struct ksched_run *run, struct ksched_entity *se,
			  int kind, u64 when);
	void (*timer_cancel)(struct ksched_run *run, struct ksched_entity *se,
			     int kind);
	void (*end)(struct ksched_run *run);
};

struct ksched_run {
	struct ksched_run_spec spec;	/* owns spec.entities */
	const struct ksched_env *env;
	void *env_priv;

	u32 nr_rqs;
	struct ksched_rq *rqs;
	u32 nr_entities;
	struct ksched_entity *ents;
	u64 *cpu_runtime;		/* nr_entities * nr_rqs */

	u64 start_ns;
	u64 end_ns;
	u64 stop_ns;			/* when scheduling stopped */
	u32 state;			/* enum klab_sched_run_state */
	bool starting;			/* ksched_run_start() is queueing */
	char reason[128];
	u64 dl_bw_limit;		/* per CPU, KSCHED_BW_SHIFT fixed point */

	struct klab_sched_trace_event *trace;
	struct klab_sched_trace_fair *trace_fair;	/* beside trace[] */
	u32 trace_len;
	u64 trace_lost;
};

/*
 * Create a run from @spec (checked with ksched_spec_check() first; the
 * caller keeps ownership of @spec, the run copies it).  Returns NULL when
 * out of memory.  Nothing runs until ksched_run_start().
 */
struct ksched_run *ksched_run_create(const struct ksched_run_spec *spec,
				     const struct ksched_env *env, void *env_priv);
void ksched_run_destroy(struct ksched_run *run);

/* Start the clock: entities due at once wake up, the others get timers */
void ksched_run_start(struct ksched_run *run, u64 now);

/*
 * Stop scheduling: account what ran up to @now, close the trace, and set
 * @state (RUN_DONE, RUN_ABORTED with @reason, RUN_STOPPED).  Calls
 * env->end once; later calls do nothing.
 */
void ksched_run_stop(struct ksched_run *run, u64 now, u32 state,
		     const char *reason);

static inline bool ksched_run_active(const struct ksched_run *run)
{
	return run->state == KLAB_SCHED_RUN_RUNNING;
}

/* The periodic tick of @rq: accounting, slices, throttling, balancing,
 * the watchdog and the end of the run.
 */
void ksched_tick(struct ksched_rq *rq, u64 now);

/* A timer armed through env->timer_arm fired */
void ksched_timer_fire(struct ksched_run *run, struct ksched_entity *se,
		       int kind, u64 now);

/*
 * Called on behalf of @rq's curr when its RUN step may be over or
 * rq->resched is set: accounts, moves its program on, and switches if it
 * blocks, exits or must be preempted.  Returns the curr afterwards (the
 * same entity if it keeps the CPU, NULL if the CPU goes idle).
 */
struct ksched_entity *ksched_yield(struct ksched_rq *rq, u64 now);

/*
 * When @rq's curr, still running, reaches the end of its current RUN
 * step, in env->ran() time (the wall clock without env->ran):
 * KSCHED_TIME_MAX for a step without end.  Stays the same while it runs.
 */
u64 ksched_run_until(const struct ksched_entity *se);

/* The environment saw @se actually start running at @now (latency) */
void ksched_note_started(struct ksched_entity *se, u64 now);

/* Wake @se (no-op unless it sleeps or waits) */
void ksched_wake_up(struct ksched_run *run, struct ksched_entity *se, u64 now);

/* ---- helpers shared by the classes -------------------------------------- */

/* programs (ksched_prog.c) */
enum ksched_prog_state ksched_prog_advance(struct ksched_entity *se, u64 now);
void ksched_prog_begin(struct ksched_entity *se, u64 release);
void ksched_timer_arm(struct ksched_entity *se, int kind, u64 when);

void ksched_resched(struct ksched_rq *rq);
void ksched_rq_clock(struct ksched_rq *rq, u64 now);
void ksched_update_curr(struct ksched_rq *rq);
void ksched_migrate(struct ksched_entity *se, struct ksched_rq *dst);
void ksched_check_preempt(struct ksched_rq *rq, struct ksched_entity *se);
struct ksched_entity *ksched_schedule(struct ksched_rq *rq, int reason);
void ksched_kick_idle(struct ksched_rq *rq);
int ksched_rq_of_cpu(const struct ksched_run *run, int cpu);
int ksched_find_idle_rq(const struct ksched_entity *se, int prev);
int ksched_first_allowed(const struct ksched_entity *se, int prev);

static inline bool ksched_allowed(const struct ksched_entity *se, int idx)
{
	return se->cpus & (1ULL << idx);
}

static inline bool ksched_rq_idle(const struct ksched_rq *rq)
{
	return !rq->curr && !rq->nr_running;
}

/* Signed comparison of clock-like values, safe across wrap-around */
static inline bool ksched_time_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

/*
 * The wall-clock time @rq's CPU did not give the framework while it had
 * something to run (stolen by the host or taken by the kernel's other
 * threads): rq->clock - rq->clock_task.  A time in @rq's clock_task is
 * this much later on the wall clock.
 */
static inline u64 ksched_rq_lost(const struct ksched_rq *rq)
{
	return rq->clock - rq->clock_task;
}

/*
 * The clock @se's program and deadlines run on, on run queue @rq: the
 * deadline class counts its releases, deadlines and periods in the CPU's
 * clock_task (see ksched_dl.c), the others in the wall clock.
 */
static inline u64 ksched_se_clock(const struct ksched_rq *rq,
				  const struct ksched_entity *se)
{
	return se->policy == KLAB_SCHED_POLICY_DEADLINE ? rq->clock_task : rq->clock;
}

/* fair */
extern const int ksched_prio_to_weight[40];
extern const u32 ksched_prio_to_wmult[40];
u64 ksched_calc_delta(u64 delta, u32 weight, u64 load, u32 inv_load);
u64 ksched_calc_delta_fair(u64 delta, const struct ksched_entity *se);
u64 ksched_sched_period(u32 nr_running);
u64 ksched_sched_slice(const struct ksched_rq *rq, const struct ksched_entity *se);
void ksched_fair_init_rq(struct ksched_rq *rq);
void ksched_fair_balance(struct ksched_rq *rq, u64 now);

/* rt */
void ksched_rt_init_rq(struct ksched_rq *rq, u64 now);
void ksched_rt_period(struct ksched_rq *rq);
bool ksched_rt_runnable(const struct ksched_rq *rq);
void ksched_rt_account_dl(struct ksched_rq *rq, struct ksched_entity *se,
			  u64 delta);

/* deadline */
u64 ksched_to_ratio(u64 period, u64 runtime);
void ksched_dl_init_rq(struct ksched_rq *rq);
void ksched_dl_timer(struct ksched_entity *se, u64 now);
void ksched_dl_rebase(struct ksched_entity *se, const struct ksched_rq *src,
		      const struct ksched_rq *dst);

/* idle */
void ksched_idle_init_rq(struct ksched_rq *rq);

/* the trace */
void ksched_trace(struct ksched_rq *rq, struct ksched_entity *se, bool start,
		  int reason);

/* Wakeup-latency histogram bucket of @ns (see KLAB_SCHED_LAT_BUCKETS) */
unsigned int ksched_lat_bucket(u64 ns);
u64 ksched_lat_bucket_floor(unsigned int b);

#ifdef __cplusplus
}
#endif

#endif /* _KSCHED_H */
