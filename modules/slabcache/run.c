// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: the in-kernel workload (klabctl slab run).  K kthreads, bound
 * round-robin to the online CPUs, allocate and free at random, alone and
 * in bulk, with GFP_KERNEL and with GFP_ATOMIC under disabled interrupts,
 * and pass objects to each other through a mailbox so that objects are
 * freed on other CPUs than the one that allocated them.  A hard-irq
 * hrtimer allocates and frees too.  Every object is filled with a pattern
 * naming its owner when allocated and checked before it is freed: an
 * object handed out twice, or written by the allocator while allocated,
 * shows as a content error.  At the end everything is freed, and the
 * cache must hold exactly what it held before: anything else is a leak.
 *
 * One run at a time; a coordinator kthread ends it at its deadline, so
 * it ends even if nobody asks for its status.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "slabcache.h"

static unsigned int kslab_run_max_ms = 600000;
module_param_named(run_max_ms, kslab_run_max_ms, uint, 0644);
MODULE_PARM_DESC(run_max_ms,
		 "Longest workload run in milliseconds (default: 600000)");

#define KSLAB_RUN_SLOTS		256	/* objects a worker holds at most */
#define KSLAB_RUN_BULK		32	/* largest bulk call */
#define KSLAB_RUN_MAILBOX	64	/* objects in transit between workers */
#define KSLAB_RUN_IRQ_NS	(1 * NSEC_PER_MSEC)
#define KSLAB_RUN_IRQ_OBJS	4
#define KSLAB_RUN_MAGIC		0x5eedfacecafef00dULL
#define KSLAB_RUN_IRQ_OWNER	0xffffU

/* What a workload object starts with; the rest is a byte pattern */
struct kslab_run_hdr {
	u64 tag;		/* the object's address ^ KSLAB_RUN_MAGIC */
	u16 owner;		/* worker id, or KSLAB_RUN_IRQ_OWNER */
	u16 pad;
	u32 gen;		/* changes with every allocation */
};

struct kslab_run_worker {
	struct kslab_run *run;
	struct task_struct *task;
	struct rnd_state rnd;
	u16 id;
	u32 gen;
	void *slots[KSLAB_RUN_SLOTS];
};

struct kslab_run {
	struct kslab_cache *s;
	bool own_cache;
	u32 threads;
	u32 ms;
	u64 start_ns;
	u64 deadline_ns;
	u64 end_ns;
	unsigned long active_before;
	unsigned long corrupt_before;
	struct kslab_run_worker *workers;
	struct task_struct *coordinator;
	struct hrtimer timer;
	u32 irq_gen;
	void *mailbox[KSLAB_RUN_MAILBOX];
	atomic64_t allocs;
	atomic64_t frees;
	atomic64_t irq_ops;
	atomic64_t remote_frees;
	atomic64_t enomem;
	atomic64_t errors;
	u64 leaked;
	bool running;
};

/* Serialises starting, stopping and reading the run */
static DEFINE_MUTEX(kslab_run_mutex);
static struct kslab_run *kslab_run;

static u8 kslab_run_byte(const struct kslab_run_hdr *h)
{
	return (u8)(h->gen * 31 + h->owner);
}

static void kslab_run_fill(struct kslab_run *run, void *obj, u16 owner,
			   u32 gen)
{
	struct kslab_run_hdr *h = obj;

	h->tag = (u64)(unsigned long)obj ^ KSLAB_RUN_MAGIC;
	h->owner = owner;
	h->pad = 0;
	h->gen = gen;
	memset(h + 1, kslab_run_byte(h), run->s->object_size - sizeof(*h));
}

/* Check an object before it is freed; counts and reports a bad one */
static void kslab_run_check(struct kslab_run *run, void *obj)
{
	struct kslab_run_hdr *h = obj;

	if (h->tag == ((u64)(unsigned long)obj ^ KSLAB_RUN_MAGIC) &&
	    !memchr_inv(h + 1, kslab_run_byte(h),
			run->s->object_size - sizeof(*h)))
		return;
	if (atomic64_inc_return(&run->errors) <= 10)
		pr_err("run: object %p of cache %s changed while allocated (owner %u, generation %u)\n",
		       obj, run->s->name, h->owner, h->gen);
}

static void kslab_run_free(struct kslab_run *run, void *obj)
{
	kslab_run_check(run, obj);
	kslab_free(run->s, obj);
	atomic64_inc(&run->frees);
}

static void *kslab_run_alloc(struct kslab_run_worker *w)
{
	struct kslab_run *run = w->run;
	unsigned long flags;
	void *obj;

	if (prandom_u32_state(&w->rnd) % 4) {
		obj = kslab_alloc(run->s, GFP_KERNEL);
	} else {
		/* an atomic allocation must not sleep with interrupts off */
		local_irq_save(flags);
		obj = kslab_alloc(run->s, GFP_ATOMIC | __GFP_NOWARN);
		local_irq_restore(flags);
	}
	if (!obj) {
		atomic64_inc(&run->enomem);
		return NULL;
	}
	atomic64_inc(&run->allocs);
	kslab_run_fill(run, obj, w->id, ++w->gen);
	return obj;
}

static void kslab_run_bulk(struct kslab_run_worker *w, u32 r)
{
	struct kslab_run *run = w->run;
	void *objs[KSLAB_RUN_BULK];
	u32 n = 1 + r % KSLAB_RUN_BULK, i, got = 0;

	if (r & 1) {
		/* bulk free what the next slots hold */
		for (i = 0; i < KSLAB_RUN_SLOTS && got < n; i++) {
			void **slot = &w->slots[(r + i) % KSLAB_RUN_SLOTS];

			if (*slot) {
				kslab_run_check(run, *slot);
				objs[got++] = *slot;
				*slot = NULL;
			}
		}
		kslab_free_bulk(run->s, got, objs);
		atomic64_add(got, &run->frees);
		return;
	}
	if (!kslab_alloc_bulk(run->s, GFP_KERNEL, n, objs)) {
		atomic64_inc(&run->enomem);
		return;
	}
	atomic64_add(n, &run->allocs);
	for (i = 0; i < n; i++) {
		void **slot = &w->slots[(r + i) % KSLAB_RUN_SLOTS];

		kslab_run_fill(run, objs[i], w->id, ++w->gen);
		if (*slot)
			kslab_run_free(run, *slot);
		*slot = objs[i];
	}
}

/* Hand an object to whichever worker looks into that mailbox slot next */
static void kslab_run_mail(struct kslab_run_worker *w, void **slot, u32 r)
{
	struct kslab_run *run = w->run;
	void *got;

	got = xchg(&run->mailbox[r % KSLAB_RUN_MAILBOX], *slot);
	*slot = NULL;
	if (got) {
		kslab_run_free(run, got);
		atomic64_inc(&run->remote_frees);
	}
}

static int kslab_run_worker_fn(void *arg)
{
	struct kslab_run_worker *w = arg;
	struct kslab_run *run = w->run;
	unsigned long iter = 0;
	u32 i;

	while (!kthread_should_stop()) {
		u32 r = prandom_u32_state(&w->rnd);
		void **slot = &w->slots[(r >> 8) % KSLAB_RUN_SLOTS];
		u32 op = r % 100;

		if (op < 40) {
			if (*slot)
				kslab_run_free(run, *slot);
			*slot = kslab_run_alloc(w);
		} else if (op < 80) {
			if (*slot) {
				kslab_run_free(run, *slot);
				*slot = NULL;
			}
		} else if (op < 95) {
			kslab_run_bulk(w, r >> 8);
		} else if (*slot) {
			kslab_run_mail(w, slot, r >> 8);
		}
		if (!(++iter % 64))
			cond_resched();
	}
	for (i = 0; i < KSLAB_RUN_SLOTS; i++)
		if (w->slots[i])
			kslab_run_free(run, w->slots[i]);
	return 0;
}

/* Allocation and free in hard interrupt context */
static enum hrtimer_restart kslab_run_timer_fn(struct hrtimer *t)
{
	struct kslab_run *run = container_of(t, struct kslab_run, timer);
	void *objs[KSLAB_RUN_IRQ_OBJS];
	int i, n = 0;

	for (i = 0; i < KSLAB_RUN_IRQ_OBJS; i++) {
		objs[n] = kslab_alloc(run->s, GFP_ATOMIC | __GFP_NOWARN);
		if (!objs[n]) {
			atomic64_inc(&run->enomem);
			continue;
		}
		kslab_run_fill(run, objs[n], KSLAB_RUN_IRQ_OWNER,
			       ++run->irq_gen);
		n++;
	}
	for (i = 0; i < n; i++) {
		kslab_run_check(run, objs[i]);
		kslab_free(run->s, objs[i]);
	}
	atomic64_add(2 * n, &run->irq_ops);
	hrtimer_forward_now(t, ns_to_ktime(KSLAB_RUN_IRQ_NS));
	return HRTIMER_RESTART;
}

static unsigned long kslab_run_corrupt(struct kslab_cache *s)
{
	return atomic_long_read(&s->corrupt_redzone) +
	       atomic_long_read(&s->corrupt_poison) +
	       atomic_long_read(&s->corrupt_freelist) +
	       atomic_long_read(&s->double_free) +
	       atomic_long_read(&s->invalid_free);
}

static unsigned long kslab_run_active(struct kslab_cache *s)
{
	struct kslab_stats st;

	kslab_cache_stats(s, &st);
	return st.active_objs;
}

/* Stop the workers and the timer, free what is in transit, judge */
static void kslab_run_finish(struct kslab_run *run)
{
	unsigned long active, corrupt;
	u32 i;

	hrtimer_cancel(&run->timer);
	for (i = 0; i < run->threads; i++)
		if (run->workers[i].task)
			kthread_stop(run->workers[i].task);
	for (i = 0; i < KSLAB_RUN_MAILBOX; i++)
		if (run->mailbox[i])
			kslab_run_free(run, run->mailbox[i]);

	corrupt = kslab_run_corrupt(run->s) - run->corrupt_before;
	atomic64_add(corrupt, &run->errors);
	active = kslab_run_active(run->s);
	run->leaked = active > run->active_before ?
		      active - run->active_before : 0;
	if (run->own_cache)
		run->leaked += kslab_cache_destroy(run->s);
	if (run->leaked)
		pr_err("run: %llu object(s) not freed\n", run->leaked);
	run->end_ns = ktime_get_ns();
}

static int kslab_run_coordinator_fn(void *arg)
{
	struct kslab_run *run = arg;

	while (!kthread_should_stop() &&
	       ktime_get_ns() < READ_ONCE(run->deadline_ns))
		msleep_interruptible(20);
	kslab_run_finish(run);
	if (!run->own_cache) {
		mutex_lock(&kslab_test_mutex);
		run->s->busy = false;
		mutex_unlock(&kslab_test_mutex);
	}
	WRITE_ONCE(run->running, false);
	/* the thread that frees the run stops us */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ);
	return 0;
}

static void kslab_run_free_run(struct kslab_run *run)
{
	if (run->coordinator)
		kthread_stop(run->coordinator);
	kfree(run->workers);
	kfree(run);
}

static int kslab_run_spawn(struct kslab_run *run)
{
	unsigned int cpu = cpumask_first(cpu_online_mask);
	u32 i;

	for (i = 0; i < run->threads; i++) {
		struct kslab_run_worker *w = &run->workers[i];

		w->run = run;
		w->id = i;
		prandom_seed_state(&w->rnd, get_random_u64());
		w->task = kthread_create_on_node(kslab_run_worker_fn, w,
						 cpu_to_node(cpu),
						 "kslab_run/%u", i);
		if (IS_ERR(w->task)) {
			int err = PTR_ERR(w->task);

			w->task = NULL;
			return err;
		}
		kthread_bind(w->task, cpu);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	for (i = 0; i < run->threads; i++)
		wake_up_process(run->workers[i].task);
	hrtimer_start(&run->timer, ns_to_ktime(KSLAB_RUN_IRQ_NS),
		      HRTIMER_MODE_REL_HARD);
	return 0;
}

/**
 * kslab_run_start() - start the workload
 * @s: a test cache to run on (kslab_test_mutex held), or NULL for a cache
 *	of its own
 * @size: object size of its own cache
 * @flags: debug flags of its own cache
 * @threads: worker kthreads
 * @ms: how long
 * @why: set to a message for the extended ack on error
 *
 * Return: 0, -EBUSY while a run is going, -EINVAL, -ENOSPC or -ENOMEM.
 */
int kslab_run_start(struct kslab_cache *s, unsigned int size,
		    unsigned int flags, unsigned int threads,
		    unsigned int ms, enum kslab_why *why)
{
	struct kslab_run *run;
	int err;

	if (ms > READ_ONCE(kslab_run_max_ms)) {
		*why = KSLAB_WHY_RUN_TOO_LONG;
		return -ENOSPC;
	}
	if (s && s->object_size < sizeof(struct kslab_run_hdr)) {
		*why = KSLAB_WHY_RUN_SMALL;
		return -EINVAL;
	}
	if (s && s->ctor) {
		*why = KSLAB_WHY_RUN_CTOR;
		return -EINVAL;
	}
	if (!s && size > READ_ONCE(kslab_max_object_size)) {
		*why = KSLAB_WHY_SIZE_TOO_BIG;
		return -ENOSPC;
	}

	mutex_lock(&kslab_run_mutex);
	if (kslab_run && READ_ONCE(kslab_run->running)) {
		*why = KSLAB_WHY_RUN_BUSY;
		err = -EBUSY;
		goto out_unlock;
	}
	if (kslab_run) {
		kslab_run_free_run(kslab_run);
		kslab_run = NULL;
	}

	err = -ENOMEM;
	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		goto out_unlock;
	run->workers = kcalloc(threads, sizeof(*run->workers), GFP_KERNEL);
	if (!run->workers)
		goto err_free_run;
	if (s) {
		run->s = s;
	} else {
		run->s = kslab_cache_create("kslab_run", size, 0, flags, NULL);
		if (!run->s)
			goto err_free_run;
		run->own_cache = true;
	}
	run->threads = threads;
	run->ms = ms;
	run->active_before = kslab_run_active(run->s);
	run->corrupt_before = kslab_run_corrupt(run->s);
	hrtimer_init(&run->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	run->timer.function = kslab_run_timer_fn;
	run->start_ns = ktime_get_ns();
	run->deadline_ns = run->start_ns + (u64)ms * NSEC_PER_MSEC;
	run->running = true;

	err = kslab_run_spawn(run);
	if (err)
		goto err_stop_workers;
	run->coordinator = kthread_run(kslab_run_coordinator_fn, run,
				       "kslab_run_ctl");
	if (IS_ERR(run->coordinator)) {
		err = PTR_ERR(run->coordinator);
		run->coordinator = NULL;
		goto err_stop_workers;
	}
	if (s)
		s->busy = true;
	kslab_run = run;
	mutex_unlock(&kslab_run_mutex);
	return 0;

err_stop_workers:
	kslab_run_finish(run);
err_free_run:
	kfree(run->workers);
	kfree(run);
out_unlock:
	mutex_unlock(&kslab_run_mutex);
	return err;
}

/**
 * kslab_run_stop() - end the run now
 */
void kslab_run_stop(void)
{
	mutex_lock(&kslab_run_mutex);
	if (kslab_run)
		WRITE_ONCE(kslab_run->deadline_ns, 0);
	mutex_unlock(&kslab_run_mutex);
}

/**
 * kslab_run_status() - the current or last run
 * @st: filled in; all zero when there was no run
 */
void kslab_run_status(struct kslab_run_status *st)
{
	struct kslab_run *run;

	memset(st, 0, sizeof(*st));
	mutex_lock(&kslab_run_mutex);
	run = kslab_run;
	if (run) {
		st->running = READ_ONCE(run->running);
		st->threads = run->threads;
		st->ms = run->ms;
		st->elapsed_ns = (st->running ? ktime_get_ns() : run->end_ns) -
				 run->start_ns;
		st->allocs = atomic64_read(&run->allocs);
		st->frees = atomic64_read(&run->frees);
		st->irq_ops = atomic64_read(&run->irq_ops);
		st->remote_frees = atomic64_read(&run->remote_frees);
		st->enomem = atomic64_read(&run->enomem);
		st->errors = atomic64_read(&run->errors);
		st->leaked = st->running ? 0 : run->leaked;
	}
	mutex_unlock(&kslab_run_mutex);
}

/**
 * kslab_run_exit() - end any run and free it
 */
void kslab_run_exit(void)
{
	mutex_lock(&kslab_run_mutex);
	if (kslab_run) {
		WRITE_ONCE(kslab_run->deadline_ns, 0);
		kslab_run_free_run(kslab_run);
		kslab_run = NULL;
	}
	mutex_unlock(&kslab_run_mutex);
}
