/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sched_demo: a scheduling-class framework over the module's own kernel
 * threads, and an observer of the kernel's scheduler (generic netlink
 * family klab_sched).
 *
 * A run is a population of entities (kernel threads klab/<run>/<n>) that
 * the module's framework schedules on a set of CPUs for a while, each
 * entity executing a small program (run, sleep, wake another, wait).  The
 * same description drives the simulator of klabctl (klabctl sched
 * simulate), which runs the same policy code in virtual time.
 *
 * An observation is a set of kernel threads started with real scheduling
 * policies (set_user_nice(), sched_setattr_nocheck()) and watched through
 * the sched_switch and sched_wakeup tracepoints.
 */
#ifndef _UAPI_KLAB_SCHED_H
#define _UAPI_KLAB_SCHED_H

#include <linux/types.h>

#include <klab/klab.h>

#define KLAB_SCHED_FAMILY_NAME	"klab_sched"
#define KLAB_SCHED_FAMILY_VERSION	1

/* Limits of a run description */
#define KLAB_SCHED_MAX_CPUS	64	/* CPU ids 0..63 (a u64 mask) */
#define KLAB_SCHED_MAX_ENTITIES	128
#define KLAB_SCHED_MAX_STEPS	16
#define KLAB_SCHED_NAME_LEN	16	/* including the NUL */
/*
 * Wakeup latency histograms: bucket 0 counts latencies below 1 us; bucket
 * 1 + 4k + j those in [2^k (1 + j/4), 2^k (1 + (j+1)/4)) us; the last one
 * everything from about 57 ms up.
 */
#define KLAB_SCHED_LAT_BUCKETS	64
#define KLAB_SCHED_OBS_MAX_THREADS 16
#define KLAB_SCHED_OBS_SEGMENTS	64	/* first run segments kept per thread */

/* Scheduling policies of the framework's entities, by class */
enum klab_sched_policy {
	KLAB_SCHED_POLICY_FAIR,		/* CFS, weight from nice */
	KLAB_SCHED_POLICY_FIFO,		/* rt, no slice */
	KLAB_SCHED_POLICY_RR,		/* rt, round-robin slice */
	KLAB_SCHED_POLICY_DEADLINE,	/* EDF + CBS */
	KLAB_SCHED_POLICY_IDLE,		/* only when nothing else can run */
	__KLAB_SCHED_POLICY_CNT,
};

/* Steps of an entity's program */
enum klab_sched_op {
	KLAB_SCHED_OP_RUN,		/* consume ARG ns of CPU (0: until the run ends) */
	KLAB_SCHED_OP_SLEEP,		/* block for ARG ns */
	/* block until the next multiple of ARG ns since the entity started */
	KLAB_SCHED_OP_SLEEP_PERIOD,
	KLAB_SCHED_OP_WAKE,		/* wake entity number ARG */
	KLAB_SCHED_OP_WAIT,		/* block until another entity wakes this one */
	__KLAB_SCHED_OP_CNT,
};

enum klab_sched_run_state {
	KLAB_SCHED_RUN_RUNNING,
	KLAB_SCHED_RUN_DONE,		/* the duration elapsed */
	KLAB_SCHED_RUN_ABORTED,		/* the watchdog fired: see RUN_REASON */
	KLAB_SCHED_RUN_STOPPED,		/* stopped by RUN_STOP or module unload */
};

enum klab_sched_ent_state {
	KLAB_SCHED_ENT_NEW,		/* not started yet */
	KLAB_SCHED_ENT_RUNNABLE,	/* queued or running */
	KLAB_SCHED_ENT_SLEEPING,
	KLAB_SCHED_ENT_DONE,		/* its program ended */
};

/* Why an entity left a CPU, in trace events */
enum klab_sched_switch_reason {
	KLAB_SCHED_SW_PREEMPT,		/* involuntary */
	KLAB_SCHED_SW_BLOCK,		/* voluntary: slept or waits */
	KLAB_SCHED_SW_EXIT,		/* its program ended */
	KLAB_SCHED_SW_END,		/* the run ended */
};

/*
 * One trace event: entity @ent starts (@next) or stops running on @cpu at
 * @time_ns after the start of the run.  KLAB_SCHED_A_TRACE_EVENTS carries
 * an array of these.
 */
struct klab_sched_trace_event {
	__u64 time_ns;
	__u16 cpu;
	__u16 ent;		/* entity number */
	__u8 start;		/* 1: starts running, 0: stops */
	__u8 reason;		/* enum klab_sched_switch_reason when stopping */
	__u16 pad;
};

/*
 * The fair class's view at a trace event, KLAB_SCHED_A_TRACE_FAIR's array
 * element i for KLAB_SCHED_A_TRACE_EVENTS' element i of the same message:
 * the entity's CPU time and vruntime then (its vruntime is charged up to
 * the event), and the smallest vruntime among the other fair entities
 * runnable on that CPU (all of them, walked in entity order, not the
 * tree), so that a reader can check each pick against every rival.
 */
struct klab_sched_trace_fair {
	__u64 runtime_ns;	/* the entity's sum_exec_runtime */
	__u64 vruntime;		/* its vruntime (fair entities) */
	__u64 min_other;	/* the rivals' smallest vruntime */
	__u32 nr_other;		/* the rivals: 0, min_other is meaningless */
	__u32 pad;
};

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum klab_sched_cmd {
	__KLAB_SCHED_CMD_START = KLAB_CMD_MODULE_FIRST - 1,
	/*
	 * Start a run (needs CAP_NET_ADMIN): the RUN_* settings and one
	 * ENTITY nest per entity inside ENTITIES.  Replies with RUN_ID.
	 * EBUSY when a run is active or the deadline entities ask for more
	 * than 95% of the run's CPUs.
	 */
	KLAB_SCHED_CMD_RUN_NEW,
	/*
	 * A run's settings, summary and per-CPU statistics (RUN_CPU_STATS):
	 * RUN_ID, or the newest run without it.  As a dump: every run.
	 */
	KLAB_SCHED_CMD_RUN_GET,
	/*
	 * Dump the entities of a run (RUN_ID, or the newest run): one
	 * message per entity, an ENTITY nest with its description and
	 * statistics.
	 */
	KLAB_SCHED_CMD_ENT_GET,
	/* Stop a running run by RUN_ID (needs CAP_NET_ADMIN) */
	KLAB_SCHED_CMD_RUN_STOP,
	/* Forget a finished run by RUN_ID (needs CAP_NET_ADMIN) */
	KLAB_SCHED_CMD_RUN_DEL,
	/* Dump a run's switch trace (RUN_ID): TRACE_EVENTS in chunks */
	KLAB_SCHED_CMD_TRACE_GET,
	/*
	 * Start an observation (needs CAP_NET_ADMIN): one OBS_THREAD nest per
	 * kernel thread to start, or OBS_PID attributes to watch existing
	 * tasks.  Replies with OBS_ID and, per thread, its PID and the
	 * result of setting its policy.
	 */
	KLAB_SCHED_CMD_OBS_NEW,
	/* The observation's per-thread statistics so far (OBS_ID) */
	KLAB_SCHED_CMD_OBS_GET,
	/* End an observation (OBS_ID): stop its threads, detach (admin) */
	KLAB_SCHED_CMD_OBS_DEL,
	/*
	 * The kernel's own thread switch cost (needs CAP_NET_ADMIN): two
	 * kernel threads on PP_CPU wake each other PP_ROUNDS times with
	 * wake_up_process() and schedule().  Replies with PP_NS.
	 */
	KLAB_SCHED_CMD_PINGPONG,

	__KLAB_SCHED_CMD_END,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum klab_sched_attr {
	__KLAB_SCHED_A_START = KLAB_A_MODULE_FIRST - 1,
	/* a run */
	KLAB_SCHED_A_RUN_ID,		/* u32 */
	KLAB_SCHED_A_RUN_NAME,		/* string, < KLAB_SCHED_NAME_LEN */
	KLAB_SCHED_A_RUN_STATE,		/* u32: enum klab_sched_run_state */
	KLAB_SCHED_A_RUN_REASON,	/* string: why the run was aborted */
	KLAB_SCHED_A_RUN_DURATION_NS,	/* u64: how long the run lasts */
	KLAB_SCHED_A_RUN_ELAPSED_NS,	/* u64: how long it has run */
	KLAB_SCHED_A_RUN_TICK_NS,	/* u64: tick period (default 1 ms) */
	KLAB_SCHED_A_RUN_CPUS,		/* u64: mask of CPUs (default: online) */
	KLAB_SCHED_A_RUN_RT_RUNTIME_NS,	/* s64: rt time per period, -1 = no limit */
	KLAB_SCHED_A_RUN_RT_PERIOD_NS,	/* u64: rt bandwidth period (1 s) */
	KLAB_SCHED_A_RUN_WATCHDOG_NS,	/* u64: longest wait of a runnable entity */
	KLAB_SCHED_A_RUN_BALANCE_NS,	/* u64: fair balancing interval, 0 = off */
	KLAB_SCHED_A_RUN_TRACE_CAP,	/* u32: trace events kept, 0 = none */
	KLAB_SCHED_A_RUN_TRACE_LOST,	/* u64: events beyond the capacity */
	KLAB_SCHED_A_RUN_OVERHEAD_NS,	/* u64: CPU time spent in the framework */
	KLAB_SCHED_A_RUN_SWITCHES,	/* u64 */
	KLAB_SCHED_A_RUN_NR_ENTITIES,	/* u32 */
	KLAB_SCHED_A_RUN_ENTITIES,	/* nest of ENTITY */
	KLAB_SCHED_A_RUN_CPU_STATS,	/* nest of CPU */
	/* an entity: its description ... */
	KLAB_SCHED_A_ENTITY,		/* nest */
	KLAB_SCHED_A_ENT_NAME,		/* string, < KLAB_SCHED_NAME_LEN */
	KLAB_SCHED_A_ENT_POLICY,	/* u32: enum klab_sched_policy */
	KLAB_SCHED_A_ENT_NICE,		/* s32: -20..19 (fair) */
	KLAB_SCHED_A_ENT_PRIO,		/* u32: 1..99 (fifo, rr) */
	KLAB_SCHED_A_ENT_DL_RUNTIME_NS,	/* u64 (deadline) */
	KLAB_SCHED_A_ENT_DL_DEADLINE_NS, /* u64, default: the period */
	KLAB_SCHED_A_ENT_DL_PERIOD_NS,	/* u64 */
	KLAB_SCHED_A_ENT_CPUS,		/* u64: allowed CPUs, default: the run's */
	KLAB_SCHED_A_ENT_START_CPU,	/* u32: first CPU, default: chosen */
	KLAB_SCHED_A_ENT_START_NS,	/* u64: first wakeup after the start */
	KLAB_SCHED_A_ENT_REPEAT,	/* u32: program repetitions, 0 = forever */
	KLAB_SCHED_A_ENT_STEP,		/* nest, one per step, in order */
	KLAB_SCHED_A_STEP_OP,		/* u32: enum klab_sched_op */
	KLAB_SCHED_A_STEP_ARG,		/* u64 */
	/* ... and its statistics */
	KLAB_SCHED_A_ENT_ID,		/* u32: entity number */
	KLAB_SCHED_A_ENT_PID,		/* u32: its kernel thread */
	KLAB_SCHED_A_ENT_STATE,		/* u32: enum klab_sched_ent_state */
	KLAB_SCHED_A_ENT_CPU,		/* u32: CPU it is (or was last) on */
	KLAB_SCHED_A_ENT_WEIGHT,	/* u32: load weight (fair) */
	KLAB_SCHED_A_ENT_RUNTIME_NS,	/* u64 */
	KLAB_SCHED_A_ENT_VRUNTIME,	/* u64 (fair) */
	KLAB_SCHED_A_ENT_WAIT_NS,	/* u64: runnable, not running */
	KLAB_SCHED_A_ENT_NVCSW,		/* u64: voluntary switches */
	KLAB_SCHED_A_ENT_NIVCSW,	/* u64: involuntary switches */
	KLAB_SCHED_A_ENT_WAKEUPS,	/* u64 */
	KLAB_SCHED_A_ENT_MIGRATIONS,	/* u64 */
	KLAB_SCHED_A_ENT_LAT_MAX_NS,	/* u64: wakeup latency */
	KLAB_SCHED_A_ENT_LAT_SUM_NS,	/* u64 */
	KLAB_SCHED_A_ENT_LAT_HIST,	/* binary: u32[KLAB_SCHED_LAT_BUCKETS] */
	KLAB_SCHED_A_ENT_DL_MISSES,	/* u64: jobs finished after their deadline */
	KLAB_SCHED_A_ENT_THROTTLED,	/* u64: times throttled (rt, deadline) */
	KLAB_SCHED_A_ENT_FIRST_RUN_NS,	/* u64: since the run started */
	KLAB_SCHED_A_ENT_DONE_NS,	/* u64: program end, since the run started */
	KLAB_SCHED_A_ENT_CPU_RUNTIME,	/* binary: u64 per CPU of the run, in order */
	KLAB_SCHED_A_ENT_WRONG_CPU,	/* u64: times its thread ran elsewhere */
	/* a CPU of a run */
	KLAB_SCHED_A_CPU,		/* nest */
	KLAB_SCHED_A_CPU_ID,		/* u32 */
	KLAB_SCHED_A_CPU_SWITCHES,	/* u64 */
	KLAB_SCHED_A_CPU_IDLE_NS,	/* u64: no entity to run */
	KLAB_SCHED_A_CPU_TICKS,		/* u64 */
	KLAB_SCHED_A_CPU_RT_THROTTLED_NS, /* u64 */
	KLAB_SCHED_A_CPU_PULLS,		/* u64: entities pulled by balancing */
	KLAB_SCHED_A_CPU_OVERHEAD_NS,	/* u64 */
	/* a trace */
	KLAB_SCHED_A_TRACE_EVENTS,	/* binary: struct klab_sched_trace_event[] */
	/* an observation */
	KLAB_SCHED_A_OBS_ID,		/* u32 */
	KLAB_SCHED_A_OBS_PID,		/* u32: a task to watch (OBS_NEW) */
	KLAB_SCHED_A_OBS_THREAD,	/* nest: a thread to start, or its stats */
	KLAB_SCHED_A_OBS_T_POLICY,	/* u32: SCHED_NORMAL, _FIFO, _RR, _DEADLINE */
	KLAB_SCHED_A_OBS_T_NICE,	/* s32: set_user_nice() */
	KLAB_SCHED_A_OBS_T_PRIO,	/* u32: rt priority */
	KLAB_SCHED_A_OBS_T_DL_RUNTIME_NS, /* u64 */
	KLAB_SCHED_A_OBS_T_DL_DEADLINE_NS, /* u64 */
	KLAB_SCHED_A_OBS_T_DL_PERIOD_NS, /* u64 */
	KLAB_SCHED_A_OBS_T_CPU,		/* u32: pin to this CPU (not deadline) */
	KLAB_SCHED_A_OBS_T_RUN_NS,	/* u64: spin this long first, 0 = forever */
	KLAB_SCHED_A_OBS_T_START_NS,	/* u64: sleep this long before spinning */
	KLAB_SCHED_A_OBS_T_IDLE,	/* flag: only sleep (never spin) */
	KLAB_SCHED_A_OBS_T_PERIOD_NS,	/* u64: spin RUN_NS every PERIOD_NS, sleep between */
	KLAB_SCHED_A_OBS_T_ERROR,	/* s32: result of setting the policy */
	KLAB_SCHED_A_OBS_T_PID,		/* u32 */
	KLAB_SCHED_A_OBS_T_STATIC_PRIO,	/* u32: task_struct fields */
	KLAB_SCHED_A_OBS_T_NORMAL_PRIO,	/* u32 */
	KLAB_SCHED_A_OBS_T_KPRIO,	/* u32: prio */
	KLAB_SCHED_A_OBS_T_RT_PRIORITY,	/* u32 */
	KLAB_SCHED_A_OBS_T_RUNTIME_NS,	/* u64: on a CPU in the window */
	KLAB_SCHED_A_OBS_T_NVCSW,	/* u64 */
	KLAB_SCHED_A_OBS_T_NIVCSW,	/* u64 */
	KLAB_SCHED_A_OBS_T_WAKEUPS,	/* u64 */
	KLAB_SCHED_A_OBS_T_LAT_MAX_NS,	/* u64 */
	KLAB_SCHED_A_OBS_T_LAT_SUM_NS,	/* u64 */
	KLAB_SCHED_A_OBS_T_LAT_HIST,	/* binary: u32[KLAB_SCHED_LAT_BUCKETS] */
	KLAB_SCHED_A_OBS_T_FIRST_RUN_NS, /* u64: since the start; START_NS later at least */
	KLAB_SCHED_A_OBS_T_FIRST_BLOCK_NS, /* u64: first voluntary switch-out */
	KLAB_SCHED_A_OBS_T_SEGMENTS,	/* binary: u64[] first run segments (ns) */
	KLAB_SCHED_A_OBS_ELAPSED_NS,	/* u64: length of the window */
	KLAB_SCHED_A_OBS_WINDOW_NS,	/* u64: OBS_NEW: measure this long, then stop */
	/* the kernel's own switch cost */
	KLAB_SCHED_A_PP_CPU,		/* u32 */
	KLAB_SCHED_A_PP_ROUNDS,		/* u32: round trips (two switches each) */
	KLAB_SCHED_A_PP_NS,		/* u64: total time */
	/*
	 * u64: se.sum_exec_runtime gained since the observation started:
	 * the CPU time CFS charged the task (rq_clock_task()), beside
	 * OBS_T_RUNTIME_NS, the wall-clock time between its switches
	 */
	KLAB_SCHED_A_OBS_T_EXEC_NS,
	/*
	 * Fair hogs pinned to one CPU: the two switches on that CPU, one in
	 * each half of the window, where the watched tasks' vruntimes were
	 * closest (CFS had evened them out).  OBS_EVEN_NS is the time
	 * between them, OBS_EVEN_LAG_NS the larger vruntime spread at the
	 * two (u64), OBS_T_EXEC_EVEN_NS what each task was charged between
	 * them (u64).  Absent when not measured
	 */
	KLAB_SCHED_A_OBS_EVEN_NS,
	KLAB_SCHED_A_OBS_EVEN_LAG_NS,
	KLAB_SCHED_A_OBS_T_EXEC_EVEN_NS,
	/*
	 * u64, OBS_NEW: start the threads this long before the window, so it
	 * sees them in a steady state (an rt hog's first rt period is not
	 * throttled: its rt_time starts at zero).  Default 0
	 */
	KLAB_SCHED_A_OBS_WARMUP_NS,
	/*
	 * u32: at the thread's first run (OBS_T_FIRST_RUN_NS), the PID of the
	 * task it took the CPU from if that one was preempted (still
	 * runnable); absent if the CPU was idle or its task had blocked
	 */
	KLAB_SCHED_A_OBS_T_FIRST_RUN_PREEMPTED,
	/*
	 * binary: u64[], beside OBS_T_SEGMENTS: in each run segment of a
	 * spinning thread, the time its vCPU was away beyond a tick (the
	 * spin loop's clock jumped).  The scheduler tick delivered after
	 * such a stall stands for all the ticks due in it, so a slice
	 * counted in ticks lasts that much longer on the wall clock
	 */
	KLAB_SCHED_A_OBS_T_SEG_STALLED,
	/* binary: struct klab_sched_trace_fair[], beside TRACE_EVENTS */
	KLAB_SCHED_A_TRACE_FAIR,
	/*
	 * flag, OBS_NEW thread: kthread_bind() it to OBS_T_CPU before its
	 * first wakeup (PF_NO_SETAFFINITY: userspace cannot move it) instead
	 * of set_cpus_allowed_ptr()
	 */
	KLAB_SCHED_A_OBS_T_BIND,
	/* a watched task as the kernel sees it: its comm (string) */
	KLAB_SCHED_A_OBS_T_COMM,
	KLAB_SCHED_A_OBS_T_PPID,	/* u32: its real parent's PID */
	KLAB_SCHED_A_OBS_T_PARENT_COMM,	/* string: its real parent's comm */
	KLAB_SCHED_A_OBS_T_HAS_MM,	/* u8: 1 if task->mm is set */
	/*
	 * binary: u64[], beside OBS_T_SEGMENTS: when each run segment began,
	 * ns since the window's start (the order of the watched tasks' turns)
	 */
	KLAB_SCHED_A_OBS_T_SEG_START,
	/*
	 * u64, of an entity: the largest overrun of a deadline budget, how
	 * far below zero its runtime was when the throttle found it
	 */
	KLAB_SCHED_A_ENT_DL_OVERRUN_MAX_NS,

	__KLAB_SCHED_A_END,
};

#define KLAB_SCHED_A_MAX	(__KLAB_SCHED_A_END - 1)

#endif /* _UAPI_KLAB_SCHED_H */
