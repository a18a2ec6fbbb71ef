/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Arithmetic shared by rcu_demo and its host tests: grace-period sequence
 * numbers, and the summaries its harnesses print (percentiles, medians,
 * log2 histograms).
 *
 * Grace-period sequence numbers work as the kernel's rcu_seq: the low
 * KRCU_SEQ_STATE_BITS bits are the phase of the grace period in progress
 * (0 when idle), the rest counts completed grace periods.  A caller that
 * needs a full grace period from now takes krcu_seq_snap() of the current
 * value and waits until krcu_seq_done() says the sequence reached it.
 */
#ifndef _KRCU_STATS_H
#define _KRCU_STATS_H

#include "klab_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

#define KRCU_SEQ_STATE_BITS	2
#define KRCU_SEQ_STATE_MASK	((1UL << KRCU_SEQ_STATE_BITS) - 1)

/* Phases of a grace period, the low bits of the sequence */
enum krcu_seq_state {
	KRCU_SEQ_IDLE,
	KRCU_SEQ_FLIP,		/* new readers sent to the other bank; IPIs */
	KRCU_SEQ_DRAIN,		/* waiting for the readers of the old bank */
};

/* The value the sequence has once a full grace period from @s has ended */
static inline unsigned long krcu_seq_snap(unsigned long s)
{
	return (s + 2 * KRCU_SEQ_STATE_MASK + 1) & ~KRCU_SEQ_STATE_MASK;
}

/* Has the sequence @cur reached @snap?  Correct across wrap-around. */
static inline bool krcu_seq_done(unsigned long cur, unsigned long snap)
{
	return (long)(cur - snap) >= 0;
}

static inline unsigned int krcu_seq_state(unsigned long s)
{
	return s & KRCU_SEQ_STATE_MASK;
}

/* The sequence once the grace period in progress in @s has ended */
static inline unsigned long krcu_seq_end(unsigned long s)
{
	return (s | KRCU_SEQ_STATE_MASK) + 1;
}

/* Completed grace periods counted by @s */
static inline unsigned long krcu_seq_completed(unsigned long s)
{
	return s >> KRCU_SEQ_STATE_BITS;
}

/*
 * Was a drain that found a reader's bank busy at sequence @busy run by a
 * grace period that has to wait for that reader, one already inside when
 * the sequence was @seen?  Either the grace period in progress at @seen
 * (if the reader entered before its flip) or the next one: their DRAIN
 * phases lie in [@seen, @seen + 5].  Correct across wrap-around.
 */
static inline bool krcu_seq_drain_waits(unsigned long busy, unsigned long seen)
{
	return busy - seen <= 5 && krcu_seq_state(busy) == KRCU_SEQ_DRAIN;
}

/* Sort @n values in place, ascending */
void krcu_sort_u64(u64 *v, unsigned int n);

/*
 * The @pct-th percentile (0-100) of @n sorted values by the nearest-rank
 * method: the smallest value with at least @pct percent of the values at
 * or below it.  0 for no values.
 */
u64 krcu_percentile(const u64 *sorted, unsigned int n, unsigned int pct);

/*
 * The median of @n sorted values: the middle one, or the mean of the two
 * middle ones (rounded down).  0 for no values.  (The kernel's
 * kvm-recheck-refscale.sh picks the value one rank lower.)
 */
u64 krcu_median(const u64 *sorted, unsigned int n);

#define KRCU_HIST_BUCKETS	32

/*
 * The log2 bucket of a latency in nanoseconds: bucket 0 holds [0, 1024) ns,
 * bucket b > 0 holds [2^(b+9), 2^(b+10)) ns, the last one everything above.
 */
unsigned int krcu_hist_bucket(u64 ns);

/* The lowest latency in bucket @b, in nanoseconds */
u64 krcu_hist_bucket_floor(unsigned int b);

#ifdef __cplusplus
}
#endif

#endif /* _KRCU_STATS_H */
