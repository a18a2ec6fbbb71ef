/* SPDX-License-Identifier: GPL-2.0 */
/*
 * klab seqlock: a sequence counter and a writer spinlock, and a latch
 * variant with two copies of the data for readers that must not spin.
 *
 * The counter is even when no writer is inside; a writer makes it odd,
 * changes the data and makes it even again.  A reader notes an even
 * value, reads, and retries if the counter changed meanwhile.  Writers
 * never wait for readers; readers never write shared memory.
 *
 * The latch keeps two copies: the writer updates copy 0 while the odd
 * counter sends readers to copy 1, then copy 1 while the even counter
 * sends them to copy 0, so a reader always has a stable copy to read and
 * only retries if the writer got round to its copy meanwhile.
 */
#ifndef _KLAB_SEQLOCK_H
#define _KLAB_SEQLOCK_H

#include <linux/compiler.h>
#include <linux/processor.h>
#include <linux/spinlock.h>
#include <asm/barrier.h>

/**
 * struct kseqlock - a klab seqlock
 * @seq: even when no writer is inside
 * @lock: serialises writers
 */
struct kseqlock {
	unsigned int seq;
	spinlock_t lock;	/* serialises writers */
};

static inline void kseqlock_init(struct kseqlock *sl)
{
	sl->seq = 0;
	spin_lock_init(&sl->lock);
}

/* Wait out a writer inside, note the even count */
static inline unsigned int kseq_read_begin(const struct kseqlock *sl)
{
	unsigned int s;

	while ((s = READ_ONCE(sl->seq)) & 1)
		cpu_relax();
	smp_rmb(); /* the data reads come after the count's */
	return s;
}

/* Did a writer enter since kseq_read_begin() returned @start? */
static inline bool kseq_read_retry(const struct kseqlock *sl,
				   unsigned int start)
{
	smp_rmb(); /* the data reads come before the count's */
	return unlikely(READ_ONCE(sl->seq) != start);
}

static inline void kseq_write_begin(struct kseqlock *sl)
{
	spin_lock(&sl->lock);
	WRITE_ONCE(sl->seq, sl->seq + 1);
	smp_wmb(); /* readers see the odd count before any new data */
}

static inline void kseq_write_end(struct kseqlock *sl)
{
	smp_wmb(); /* readers see the new data before the even count */
	WRITE_ONCE(sl->seq, sl->seq + 1);
	spin_unlock(&sl->lock);
}

/**
 * struct kseq_latch - the latch: its count; the two copies are the user's
 * @seq: bit 0 selects the copy readers use
 */
struct kseq_latch {
	unsigned int seq;
};

/* The count, whose bit 0 is the copy to read */
static inline unsigned int kseq_latch_begin(const struct kseq_latch *l)
{
	return smp_load_acquire(&l->seq); /* copy reads come after */
}

static inline bool kseq_latch_retry(const struct kseq_latch *l,
				    unsigned int start)
{
	smp_rmb(); /* copy reads come before the count's */
	return unlikely(READ_ONCE(l->seq) != start);
}

/*
 * Switch readers to the other copy.  A writer (serialised by the user)
 * calls it, updates copy 0, calls it again and updates copy 1.
 */
static inline void kseq_latch_flip(struct kseq_latch *l)
{
	smp_wmb(); /* the copy written before is complete */
	WRITE_ONCE(l->seq, l->seq + 1);
	smp_wmb(); /* readers leave a copy before it is written */
}

#endif /* _KLAB_SEQLOCK_H */
