// SPDX-License-Identifier: GPL-2.0
/*
 * The idle class: entities that run only when no deadline, rt or fair
 * entity is runnable on their CPU.  Among themselves they take turns every
 * KSCHED_LATENCY_NS of CPU.  (The kernel's idle class holds only the idle
 * task; its SCHED_IDLE policy is a very light fair entity.  Here the
 * class is what the notes describe: "runs only when nothing else is
 * runnable".)
 */
#include "ksched.h"

static struct ksched_entity *idle_se(const struct ksched_list *node)
{
	return ksched_container_of(node, struct ksched_entity, idle_node);
}

void ksched_idle_init_rq(struct ksched_rq *rq)
{
	ksched_list_init(&rq->idle.queue);
	rq->idle.nr_running = 0;
}

static void idle_enqueue(struct ksched_rq *rq, struct ksched_entity *se, int flags)
{
	(void)flags;
	ksched_list_add_tail(&se->idle_node, &rq->idle.queue);
	rq->idle.nr_running++;
	se->idle_queued = true;
}

static void idle_dequeue(struct ksched_rq *rq, struct ksched_entity *se, int flags)
{
	(void)flags;
	ksched_list_del(&se->idle_node);
	rq->idle.nr_running--;
	se->idle_queued = false;
}

static struct ksched_entity *idle_pick_next(struct ksched_rq *rq,
					    struct ksched_entity *prev)
{
	(void)prev;
	if (ksched_list_empty(&rq->idle.queue))
		return NULL;
	return idle_se(rq->idle.queue.next);
}

static void idle_put_prev(struct ksched_rq *rq, struct ksched_entity *se)
{
	(void)rq;
	(void)se;
}

static void idle_migrate_task_rq(struct ksched_entity *se, struct ksched_rq *dst)
{
	(void)se;
	(void)dst;
}

static void idle_update_curr(struct ksched_rq *rq, struct ksched_entity *se,
			     u64 delta)
{
	(void)rq;
	(void)se;
	(void)delta;
}

static void idle_tick(struct ksched_rq *rq, struct ksched_entity *se)
{
	if (se->sum_exec_runtime - se->slice_start < KSCHED_LATENCY_NS ||
	    rq->idle.nr_running < 2)
		return;
	ksched_list_del(&se->idle_node);
	ksched_list_add_tail(&se->idle_node, &rq->idle.queue);
	ksched_resched(rq);
}

static void idle_check_preempt_wakeup(struct ksched_rq *rq, struct ksched_entity *se)
{
	(void)rq;
	(void)se;
}

/* The previous CPU if it has nothing better to do, else any such CPU */
static int idle_select_cpu(struct ksched_entity *se, int prev)
{
	int cpu = ksched_find_idle_rq(se, prev);

	return cpu >= 0 ? cpu : ksched_first_allowed(se, prev);
}

static struct ksched_entity *idle_pull_candidate(struct ksched_rq *src,
						 struct ksched_rq *dst)
{
	struct ksched_list *n;

	for (n = src->idle.queue.next; n != &src->idle.queue; n = n->next) {
		struct ksched_entity *se = idle_se(n);

		if (!se->on_cpu && ksched_allowed(se, dst->idx))
			return se;
	}
	return NULL;
}

static u64 idle_prio_key(const struct ksched_entity *se)
{
	return (u64)se->id;
}

const struct ksched_class ksched_idle_class = {
	.name = "idle",
	.select_cpu = idle_select_cpu,
	.enqueue = idle_enqueue,
	.dequeue = idle_dequeue,
	.pick_next = idle_pick_next,
	.put_prev = idle_put_prev,
	.migrate_task_rq = idle_migrate_task_rq,
	.update_curr = idle_update_curr,
	.tick = idle_tick,
	.check_preempt_wakeup = idle_check_preempt_wakeup,
	.set_weight = NULL,
	.pull_candidate = idle_pull_candidate,
	.prio_key = idle_prio_key,
	.rank = 3,
};
