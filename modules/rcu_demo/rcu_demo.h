/* SPDX-License-Identifier: GPL-2.0 */
/* rcu_demo: RCU and seqlock reimplementations with torture and scale harnesses */
#ifndef _RCU_DEMO_H
#define _RCU_DEMO_H

#include <linux/compiler.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <klab/rcu.h>

#include "../common/klab_nl.h"
#include "../core/krcu_stats.h"

/* ---- klab RCU (klab_rcu.c): see README.md for the algorithm ---------- */

/* Per-CPU reader counters, indexed by the domain's idx bit */
struct krcu_pcpu {
	unsigned long lock[2];
	unsigned long unlock[2];
};

/*
 * Deliberate bugs, the negative controls of the torture harness.  Only
 * the busted_* domains have them.
 */
enum krcu_bug {
	KRCU_BUG_NONE,
	KRCU_BUG_NO_WAIT,	/* the GP flips and ends: it waits for no reader */
	KRCU_BUG_STALL,		/* GPs stall until krcu_stall(d, false) */
};

/**
 * struct krcu_cblist - a FIFO of callbacks
 * @head: first callback
 * @tail: where the next one is linked
 * @len: callbacks in the list
 */
struct krcu_cblist {
	struct rcu_head *head;
	struct rcu_head **tail;
	unsigned long len;
};

/**
 * struct krcu_domain - one klab RCU instance
 * @name: for log lines and kthread names
 * @pcpu: reader counters
 * @idx: readers use counters [@idx & 1]; a GP flips it once
 * @gp_seq: grace-period sequence, low two bits the GP's phase
 * @gp_seq_needed: the GP sequence some caller waits for
 * @busy_seq: per bank, @gp_seq when a drain last found readers in it
 *	(for the torture harness: a GP seen waiting for a held reader)
 * @gp_mutex: one GP at a time (the kthread or an expedited caller)
 * @lock: protects @gp_seq_needed, the callback lists and @wait_seq
 * @next: callbacks not yet assigned to a GP
 * @wait: callbacks waiting for the GP that ends at @wait_seq
 * @done: callbacks whose GP has ended, for the callback kthread
 * @wait_seq: end of the GP @wait waits for
 * @gp_task: the grace-period kthread
 * @cb_task: the callback kthread
 * @gp_wq: wakes the grace-period kthread
 * @cb_wq: wakes the callback kthread
 * @sync_wq: synchronize callers wait here for @gp_seq
 * @n_exp: expedited callers waiting: GP drains poll faster
 * @bug: the deliberate bug of a negative control
 * @stalled: KRCU_BUG_STALL: GPs wait while this is true
 * @n_gps: GPs completed
 * @n_exp_gps: of which run by expedited callers
 * @n_polls: polls of the old bank's counters
 * @n_busy_polls: polls that found readers
 * @n_sleeps: polls followed by a sleep (readers in long sections)
 * @n_cbs_queued: callbacks queued
 * @n_cbs_invoked: callbacks invoked
 * @gp_start_ns: when the GP in progress started
 * @gp_ns_total: time in GPs, start to end
 * @gp_ns_max: the longest GP
 * @mb_ns_total: time in the heavy barriers' IPI rounds
 * @mb_ns_max: the longest IPI round
 */
struct krcu_domain {
	const char *name;
	struct krcu_pcpu __percpu *pcpu;
	unsigned long idx;
	unsigned long gp_seq;
	unsigned long gp_seq_needed;
	unsigned long busy_seq[2];
	struct mutex gp_mutex;		/* one GP at a time */
	spinlock_t lock;		/* gp_seq_needed, callback lists */
	struct krcu_cblist next;
	struct krcu_cblist wait;
	struct krcu_cblist done;
	unsigned long wait_seq;
	struct task_struct *gp_task;
	struct task_struct *cb_task;
	wait_queue_head_t gp_wq;
	wait_queue_head_t cb_wq;
	wait_queue_head_t sync_wq;
	atomic_t n_exp;
	enum krcu_bug bug;
	bool stalled;
	unsigned long n_gps;
	unsigned long n_exp_gps;
	unsigned long n_polls;
	unsigned long n_busy_polls;
	unsigned long n_sleeps;
	atomic_long_t n_cbs_queued;
	atomic_long_t n_cbs_invoked;
	u64 gp_start_ns;
	u64 gp_ns_total;
	u64 gp_ns_max;
	u64 mb_ns_total;
	u64 mb_ns_max;
};

/**
 * krcu_read_lock - enter a klab RCU read-side critical section
 * @d: the domain
 *
 * Writes only this CPU's counter and issues no memory barrier: the
 * grace period supplies the ordering with an IPI to every CPU (see
 * README.md).  Fetching the index and counting in its bank happen with
 * interrupts off, so that the IPI finds every reader either counted or
 * not yet looking at the index: a grace period never meets a straggler
 * that counts itself in the old bank after its IPI.  Sections may nest,
 * sleep briefly and migrate.
 *
 * Return: the index to pass to krcu_read_unlock().
 */
static inline int krcu_read_lock(struct krcu_domain *d)
{
	unsigned long flags;
	int idx;

	local_irq_save(flags);
	idx = READ_ONCE(d->idx) & 1;
	__this_cpu_inc(d->pcpu->lock[idx]);
	local_irq_restore(flags);
	barrier(); /* B: the section stays after the increment */
	return idx;
}

/**
 * krcu_read_unlock - leave a klab RCU read-side critical section
 * @d: the domain
 * @idx: what krcu_read_lock() returned
 */
static inline void krcu_read_unlock(struct krcu_domain *d, int idx)
{
	barrier(); /* C: the section stays before the increment */
	this_cpu_inc(d->pcpu->unlock[idx]);
}

int krcu_domain_init(struct krcu_domain *d, const char *name,
		     enum krcu_bug bug);
void krcu_domain_destroy(struct krcu_domain *d);
void krcu_synchronize(struct krcu_domain *d);
void krcu_synchronize_expedited(struct krcu_domain *d);
void krcu_call(struct krcu_domain *d, struct rcu_head *head,
	       rcu_callback_t func);
void krcu_barrier(struct krcu_domain *d);
unsigned long krcu_completed(struct krcu_domain *d);
bool krcu_readers_active(struct krcu_domain *d);
void krcu_stall(struct krcu_domain *d, bool stall);
unsigned long krcu_gp_seq(struct krcu_domain *d);
bool krcu_gp_waits_for(struct krcu_domain *d, int idx, unsigned long seen);

/* The domains of the module: the real one and the negative controls */
extern struct krcu_domain krcu_main;
extern struct krcu_domain krcu_busted_gp;
extern struct krcu_domain krcu_busted_stall;

int krcu_domains_init(void);
void krcu_domains_exit(void);

/* ---- klab seqlock (klab_seqlock.h) ----------------------------------- */
#include "klab_seqlock.h"

/* ---- runs (run.c) ----------------------------------------------------- */

#define KRCU_GROUPS_MAX		8
#define KRCU_STATS_MAX		40
#define KRCU_SERIES_MAX		4
#define KRCU_SERIES_LEN		32
#define KRCU_NAME_LEN		40

/**
 * struct krcu_group - one group of results: named counters and series
 */
struct krcu_group {
	char name[KRCU_NAME_LEN];
	unsigned int nr_stats;
	struct {
		const char *name;
		u64 value;
	} stats[KRCU_STATS_MAX];
	unsigned int nr_series;
	struct {
		const char *name;
		unsigned int len;
		u64 values[KRCU_SERIES_LEN];
	} series[KRCU_SERIES_MAX];
};

/**
 * struct krcu_params - the parameters of a run, defaults filled in
 */
struct krcu_params {
	u32 harness;
	char type[KRCU_NAME_LEN];
	u32 readers;
	u32 writers;
	u32 duration_s;
	u32 reader_delay_us;
	u32 loops;
	u32 nruns;
	u32 samples;
	u32 stat_interval_s;
};

/**
 * struct krcu_run - a run and its results
 * @params: what was asked for
 * @id: run number
 * @started_ns: boot-time clock at start
 * @expected_ns: planned length, 0 if unknown
 * @finished_ns: boot-time clock at the end, 0 while running
 * @success: no error found
 * @stopped: ended early by STOP or module unload
 * @nr_groups: groups in @groups
 * @groups: the results
 */
struct krcu_run {
	struct krcu_params params;
	u32 id;
	u64 started_ns;
	u64 expected_ns;
	u64 finished_ns;
	bool success;
	bool stopped;
	unsigned int nr_groups;
	struct krcu_group groups[KRCU_GROUPS_MAX];
};

struct krcu_group *krcu_run_group(struct krcu_run *run, const char *fmt, ...)
	__printf(2, 3);
void krcu_group_stat(struct krcu_group *g, const char *name, u64 value);
void krcu_group_series(struct krcu_group *g, const char *name,
		       const u64 *values, unsigned int len);
bool krcu_run_should_stop(void);
/* Sleep up to @jiffies; false when the run is being stopped */
bool krcu_run_sleep(unsigned long jiffies);

/**
 * struct krcu_harness - one harness: its types and how to run it
 * @name: "torture", "seqlock", ...
 * @types: NULL-terminated type names
 * @defaults: fill in the harness's default parameters
 * @expected_ns: the planned length of a run, 0 if unknown
 * @run: the run itself, in the run kthread; fills @run's results
 */
struct krcu_harness {
	const char *name;
	const char * const *types;
	void (*defaults)(struct krcu_params *p);
	u64 (*expected_ns)(const struct krcu_params *p);
	void (*run)(struct krcu_run *run);
};

extern const struct krcu_harness krcu_torture_harness;
extern const struct krcu_harness krcu_seqlock_harness;
extern const struct krcu_harness krcu_scale_harness;
extern const struct krcu_harness krcu_gp_latency_harness;
extern const struct krcu_harness krcu_demo_harness;
extern const struct krcu_harness krcu_gp_check_harness;
extern const struct krcu_harness * const krcu_harnesses[__KLAB_RCU_HARNESS_END];

int krcu_run_start(const struct krcu_params *p, u32 *id);
int krcu_run_stop(void);
/* Call @fn with the current or last run under the run lock */
int krcu_run_report(int (*fn)(const struct krcu_run *run, u32 state,
			      void *arg), void *arg);
void krcu_run_exit(void);

/*
 * Exported for rcutorture but declared in kernel/rcu/rcu.h, which a
 * module cannot include: the prototypes of 6.1.
 */
struct srcu_struct;
unsigned long rcu_get_gp_seq(void);
unsigned long srcu_batches_completed(struct srcu_struct *sp);

/* Random numbers for the harnesses: cheap, per thread */
static inline u32 krcu_random(u64 *state)
{
	/* Knuth's MMIX LCG; the high bits are the good ones */
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return *state >> 33;
}

/* netlink.c */
int krcu_nl_init(void);
void krcu_nl_exit(void);

#endif /* _RCU_DEMO_H */
