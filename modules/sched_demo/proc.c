// SPDX-License-Identifier: GPL-2.0
/*
 * sched_demo: /proc/sched_demo, a summary of the runs (newest first) and
 * the entities of the newest one, in the manner of /proc/sched_debug.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "sched_demo.h"

static const char *const ksched_state_names[] = {
	[KLAB_SCHED_RUN_RUNNING] = "running",
	[KLAB_SCHED_RUN_DONE] = "done",
	[KLAB_SCHED_RUN_ABORTED] = "aborted",
	[KLAB_SCHED_RUN_STOPPED] = "stopped",
};

static const char *const ksched_ent_state_names[] = {
	[KLAB_SCHED_ENT_NEW] = "new",
	[KLAB_SCHED_ENT_RUNNABLE] = "R",
	[KLAB_SCHED_ENT_SLEEPING] = "S",
	[KLAB_SCHED_ENT_DONE] = "done",
};

static const char *const ksched_policy_names[] = {
	[KLAB_SCHED_POLICY_FAIR] = "fair",
	[KLAB_SCHED_POLICY_FIFO] = "fifo",
	[KLAB_SCHED_POLICY_RR] = "rr",
	[KLAB_SCHED_POLICY_DEADLINE] = "deadline",
	[KLAB_SCHED_POLICY_IDLE] = "idle",
};

static void ksched_proc_run(struct seq_file *m, struct ksched_krun *kr)
{
	struct ksched_run *run = kr->core;
	u64 switches = 0, overhead = 0, elapsed;
	unsigned long flags;
	u32 i;

	raw_spin_lock_irqsave(&kr->lock, flags);
	elapsed = (ksched_run_active(run) ? ksched_now() : run->stop_ns) - run->start_ns;
	for (i = 0; i < run->nr_rqs; i++) {
		switches += run->rqs[i].switches;
		overhead += run->rqs[i].overhead_ns;
	}
	seq_printf(m, "%4u %-15s %-8s %10llu %10llu %4u %4u %10llu %10llu\n",
		   kr->id, run->spec.name[0] ? run->spec.name : "-",
		   ksched_state_names[run->state], elapsed / NSEC_PER_MSEC,
		   run->spec.duration_ns / NSEC_PER_MSEC, run->nr_entities,
		   run->nr_rqs, switches, overhead / NSEC_PER_USEC);
	raw_spin_unlock_irqrestore(&kr->lock, flags);
}

static void ksched_proc_entities(struct seq_file *m, struct ksched_krun *kr)
{
	struct ksched_run *run = kr->core;
	unsigned long flags;
	u32 i;

	seq_printf(m, "\nrun %u entities:\n%4s %-15s %7s %-8s %4s %4s %5s %12s %14s %8s %8s %12s\n",
		   kr->id, "id", "name", "pid", "policy", "prio", "cpu", "state",
		   "runtime-us", "vruntime", "nvcsw", "nivcsw", "wait-us");
	for (i = 0; i < run->nr_entities; i++) {
		struct ksched_entity *se = &run->ents[i];
		int prio = se->policy == KLAB_SCHED_POLICY_FIFO ||
			   se->policy == KLAB_SCHED_POLICY_RR ? se->spec->prio :
			   se->spec->nice;

		raw_spin_lock_irqsave(&kr->lock, flags);
		seq_printf(m, "%4u %-15s %7d %-8s %4d %4d %5s %12llu %14llu %8llu %8llu %12llu\n",
			   i, se->spec->name[0] ? se->spec->name : "-",
			   kr->kents[i].pid, ksched_policy_names[se->policy],
			   prio, se->rq ? se->rq->cpu : -1,
			   ksched_ent_state_names[se->state],
			   se->sum_exec_runtime / NSEC_PER_USEC, se->fair.vruntime,
			   se->nvcsw, se->nivcsw, se->wait_sum / NSEC_PER_USEC);
		raw_spin_unlock_irqrestore(&kr->lock, flags);
	}
}

static int ksched_proc_show(struct seq_file *m, void *v)
{
	struct ksched_krun *kr = NULL, *newest;

	seq_printf(m, "%4s %-15s %-8s %10s %10s %4s %4s %10s %10s\n", "run", "name",
		   "state", "elapsed-ms", "length-ms", "ents", "cpus", "switches",
		   "overhead-us");
	ksched_runs_lock();
	newest = ksched_run_next(NULL);
	while ((kr = ksched_run_next(kr)))
		ksched_proc_run(m, kr);
	if (newest)
		ksched_proc_entities(m, newest);
	ksched_runs_unlock();
	return 0;
}

int ksched_proc_init(void)
{
	if (!proc_create_single("sched_demo", 0444, NULL, ksched_proc_show))
		return -ENOMEM;
	return 0;
}

void ksched_proc_exit(void)
{
	remove_proc_entry("sched_demo", NULL);
}
