/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Index arithmetic for power-of-two rings.
 *
 * The producer index (head) and consumer index (tail) are free-running u32
 * counters, as in kfifo, igb and io_uring: they are never masked when
 * stored, only when used to address a slot.  head - tail is then the fill
 * level even after either counter wraps past UINT32_MAX, and a full ring
 * is distinguishable from an empty one without wasting a slot.
 *
 * This is arithmetic only.  The ring does not own the slot storage, and it
 * takes no locks and issues no barriers: a lockless single-producer/single-
 * consumer user must publish head and tail with release/acquire ordering
 * itself (smp_store_release()/smp_load_acquire() in the kernel).
 */
#ifndef _KLAB_RING_H
#define _KLAB_RING_H

#include "klab_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

struct klab_ring {
	u32 size;	/* number of slots, a power of two */
	u32 head;	/* producer index, free running */
	u32 tail;	/* consumer index, free running */
};

int klab_ring_init(struct klab_ring *ring, u32 size);
u32 klab_ring_used(const struct klab_ring *ring);
u32 klab_ring_space(const struct klab_ring *ring);
bool klab_ring_empty(const struct klab_ring *ring);
bool klab_ring_full(const struct klab_ring *ring);
u32 klab_ring_mask(const struct klab_ring *ring, u32 idx);
u32 klab_ring_prod_contig(const struct klab_ring *ring);
u32 klab_ring_cons_contig(const struct klab_ring *ring);
void klab_ring_produce(struct klab_ring *ring, u32 n);
void klab_ring_consume(struct klab_ring *ring, u32 n);

#ifdef __cplusplus
}
#endif

#endif /* _KLAB_RING_H */
