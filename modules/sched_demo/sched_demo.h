/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_demo: a scheduling-class framework over the module's own kernel
 * threads, and an observer of the kernel's own scheduler.
 *
 * The policy (modules/core/ksched*.c) decides which entity runs on each
 * of a run's CPUs; this module executes the decisions: every entity is a
 * kernel thread, klab/<run>/<n>, that sleeps until the framework selects
 * it, then spins through its program's RUN steps until its step ends or
 * the framework asks it to yield (a per-CPU hrtimer tick, or a wakeup
 * that preempts).
 */
#ifndef _SCHED_DEMO_H
#define _SCHED_DEMO_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <klab/sched.h>

#include "../common/klab_nl.h"
#include "../core/ksched.h"

struct ksched_krun;

/**
 * struct ksched_kent - the kernel side of an entity
 * @kr: its run
 * @se: the core's entity
 * @task: its thread, klab/<run>/<n> (a reference is held until the
 *	run is halted, NULL afterwards)
 * @pid: the thread's PID, kept for reports after it is gone
 * @ran_ns: CPU time the thread has spun for its entity, written by the
 *	thread only; gaps in its spinning (it was kept off the CPU) are
 *	left out
 * @timers: the core's timers (enum ksched_timer)
 */
struct ksched_kent {
	struct ksched_krun *kr;
	struct ksched_entity *se;
	struct task_struct *task;
	pid_t pid;
	u64 ran_ns;
	struct hrtimer timers[KSCHED_NR_TIMERS];
};

/**
 * struct ksched_kcpu - the kernel side of a run queue
 * @kr: its run
 * @rq: the core's run queue
 * @tick: the framework's tick on that CPU
 */
struct ksched_kcpu {
	struct ksched_krun *kr;
	struct ksched_rq *rq;
	struct hrtimer tick;
};

/**
 * struct ksched_krun - a run in the kernel
 * @node: in the list of runs
 * @id: its number, in thread names and on the netlink interface
 * @lock: protects @core; taken from threads and from hardirq timers
 * @core: the framework's state
 * @kents: per entity
 * @kcpus: per run queue
 * @stopping: the core ended the run; threads stop spinning
 * @stop_work: halts the run after the core ended it (from atomic context)
 * @halt_lock: serialises ksched_krun_halt()
 * @halted: threads and timers are gone
 */
struct ksched_krun {
	struct list_head node;
	u32 id;
	raw_spinlock_t lock;
	struct ksched_run *core;
	struct ksched_kent *kents;
	struct ksched_kcpu *kcpus;
	bool stopping;
	struct work_struct stop_work;
	struct mutex halt_lock;		/* serialises ksched_krun_halt() */
	bool halted;
};

/* run.c */
void ksched_runs_exit(void);
int ksched_run_new(const struct ksched_run_spec *spec, u32 *id,
		   struct ksched_spec_error *err);
int ksched_run_stop_id(u32 id);
int ksched_run_del(u32 id);
struct ksched_krun *ksched_run_find(u32 id);
void ksched_runs_lock(void);
void ksched_runs_unlock(void);
struct ksched_krun *ksched_run_next(struct ksched_krun *prev);
u64 ksched_now(void);

/* thread.c */
int ksched_thread_fn(void *data);

/* netlink.c */
int ksched_nl_init(void);
void ksched_nl_exit(void);

/* observer.c */
#define KSCHED_OBS_WINDOW_MAX_NS	(60ULL * NSEC_PER_SEC)

/**
 * struct ksched_obs_spec - a thread an observation starts
 * @policy: SCHED_NORMAL, SCHED_FIFO, SCHED_RR or SCHED_DEADLINE
 * @nice: for SCHED_NORMAL
 * @prio: rt priority for SCHED_FIFO and SCHED_RR
 * @dl_runtime: SCHED_DEADLINE parameters
 * @dl_deadline: ...
 * @dl_period: ...
 * @cpu: pin to this CPU, or -1
 * @run_ns: spin this long then sleep; 0 spins until the window ends
 * @start_ns: sleep this long before spinning
 * @period_ns: if set, spin @run_ns at the start of every period and sleep
 *	in between, until the window ends
 * @idle: never spin
 * @bind: kthread_bind() to @cpu (PF_NO_SETAFFINITY) rather than pin it
 */
struct ksched_obs_spec {
	u32 policy;
	s32 nice;
	u32 prio;
	u64 dl_runtime;
	u64 dl_deadline;
	u64 dl_period;
	s32 cpu;
	u64 run_ns;
	u64 start_ns;
	u64 period_ns;
	bool idle;
	bool bind;
};

/**
 * struct ksched_obs_stats - what the tracepoints saw of one task
 * @pid: the task
 * @error: result of setting its policy (threads the observation started)
 * @static_prio: task_struct fields, read when reported
 * @normal_prio: ...
 * @prio: ...
 * @rt_priority: ...
 * @comm: its name, read when reported
 * @ppid: its real parent's PID, then
 * @parent_comm: its real parent's name, then
 * @has_mm: it has an mm (a kernel thread has none)
 * @runtime: ns on a CPU within the window, timed at the switches
 * @exec: se.sum_exec_runtime gained since the start: what the kernel
 *	charged the task (up to a tick behind for a task on a CPU)
 * @exec_even: se.sum_exec_runtime gained between the observation's two
 *	even points (struct ksched_obs_even), if it has them
 * @nvcsw: voluntary switches away
 * @nivcsw: involuntary switches away
 * @wakeups: sched_wakeup events
 * @lat_max: wakeup to switch-in
 * @lat_sum: ...
 * @lat_hist: ...
 * @first_run: first switch-in since its own start (the window's start,
 *	or later by its spec's start_ns), 0 if none
 * @first_run_preempted: the task it preempted then, 0 if none
 * @first_block: first voluntary switch-out since the start, 0 if none
 * @nr_segments: run segments recorded in @segments
 * @segments: lengths of the first run segments, ns
 * @seg_stalled: in each, the vCPU stalls beyond a tick, ns
 * @seg_start: when each began, ns since the window's start
 */
struct ksched_obs_stats {
	pid_t pid;
	int error;
	int static_prio;
	int normal_prio;
	int prio;
	unsigned int rt_priority;
	char comm[TASK_COMM_LEN];
	pid_t ppid;
	char parent_comm[TASK_COMM_LEN];
	bool has_mm;
	u64 runtime;
	u64 exec;
	u64 exec_even;
	u64 nvcsw;
	u64 nivcsw;
	u64 wakeups;
	u64 lat_max;
	u64 lat_sum;
	u32 lat_hist[KLAB_SCHED_LAT_BUCKETS];
	u64 first_run;
	pid_t first_run_preempted;
	u64 first_block;
	u32 nr_segments;
	u64 segments[KLAB_SCHED_OBS_SEGMENTS];
	u64 seg_stalled[KLAB_SCHED_OBS_SEGMENTS];
	u64 seg_start[KLAB_SCHED_OBS_SEGMENTS];
};

int ksched_obs_init(void);
void ksched_obs_exit(void);
int ksched_obs_new(const struct ksched_obs_spec *threads, unsigned int nr_threads,
		   const pid_t *pids, unsigned int nr_pids, u64 window_ns,
		   u64 warmup_ns, u32 *id, struct netlink_ext_ack *extack);
/**
 * struct ksched_obs_span - the interval between an observation's even points
 * @valid: both were found
 * @ns: time between them
 * @lag: the larger vruntime spread of the watched tasks at the two, ns
 */
struct ksched_obs_span {
	bool valid;
	u64 ns;
	u64 lag;
};

int ksched_obs_get(u32 id, struct ksched_obs_stats *stats, unsigned int *nr,
		   u64 *elapsed, u64 *start, struct ksched_obs_span *even);
int ksched_obs_del(u32 id);
int ksched_pingpong(unsigned int cpu, u32 rounds, u64 *ns);

/* proc.c */
int ksched_proc_init(void);
void ksched_proc_exit(void);

#endif /* _SCHED_DEMO_H */
