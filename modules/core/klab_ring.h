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
 * A producer that fills slots after dropping its lock reserves them
 * first: resv runs ahead of head, the reserved slots count as taken but
 * are not yet visible to the consumer, and klab_ring_publish() makes
 * everything reserved so far visible at once.  Slots reserved behind an
 * unpublished reservation thus never overtake it.  Without reservations
 * resv equals head.
 *
 * The ring does not own the slot storage, and it takes no locks and
 * issues no barriers: a lockless single-producer/single-consumer user must
 * publish head and tail with release/acquire ordering itself
 * (smp_store_release()/smp_load_acquire() in the kernel).  The byte
 * helpers (klab_ring_write(), klab_ring_remove()) work on storage of
 * @size bytes that the caller passes in.
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
	u32 resv;	/* end of the reserved slots, head <= resv */
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
u32 klab_ring_contig(const struct klab_ring *ring, u32 idx, u32 len);
u32 klab_ring_reserved(const struct klab_ring *ring);
u32 klab_ring_reserve(struct klab_ring *ring, u32 n);
void klab_ring_publish(struct klab_ring *ring);
void klab_ring_write(const struct klab_ring *ring, u8 *buf, u32 idx,
		     const void *data, u32 len);
void klab_ring_remove(struct klab_ring *ring, u8 *buf, u32 idx, u32 n);

#ifdef __cplusplus
}
#endif

#endif /* _KLAB_RING_H */
