// SPDX-License-Identifier: GPL-2.0
/*
 * Index arithmetic for power-of-two rings; see klab_ring.h.
 */
#include "klab_ring.h"

/**
 * klab_ring_init() - initialise an empty ring
 * @ring: ring to initialise
 * @size: number of slots; must be a non-zero power of two
 *
 * All indices start at zero.  Every non-zero power of two that fits in a
 * u32 is accepted: the fill level head - tail is at most 2^31 and so never
 * aliases across the u32 wrap.
 *
 * Return: 0 on success, -EINVAL if @size is zero or not a power of two, in
 * which case @ring is left untouched.
 */
int klab_ring_init(struct klab_ring *ring, u32 size)
{
	if (size == 0 || (size & (size - 1)) != 0)
		return -EINVAL;

	ring->size = size;
	ring->head = 0;
	ring->tail = 0;
	ring->resv = 0;
	return 0;
}

/* Slots published or reserved */
static u32 klab_ring_taken(const struct klab_ring *ring)
{
	u32 taken = ring->resv - ring->tail;

	KLAB_ASSERT(taken <= ring->size);
	return taken;
}

/**
 * klab_ring_used() - number of filled slots
 * @ring: the ring
 *
 * Counts the published slots only, those the consumer may drain.  Correct
 * across u32 wraparound of any index, since unsigned subtraction is
 * modulo 2^32.
 *
 * Return: head - tail, between 0 and @ring->size.
 */
u32 klab_ring_used(const struct klab_ring *ring)
{
	u32 used = ring->head - ring->tail;

	KLAB_ASSERT(used <= klab_ring_taken(ring));
	return used;
}

/**
 * klab_ring_space() - number of free slots
 * @ring: the ring
 *
 * Return: @ring->size minus the filled and the reserved slots.
 */
u32 klab_ring_space(const struct klab_ring *ring)
{
	return ring->size - klab_ring_taken(ring);
}

/**
 * klab_ring_empty() - test whether the ring holds nothing
 * @ring: the ring
 *
 * Return: true if there is nothing to consume.
 */
bool klab_ring_empty(const struct klab_ring *ring)
{
	return ring->head == ring->tail;
}

/**
 * klab_ring_full() - test whether the ring has no free slot
 * @ring: the ring
 *
 * Return: true if there is no room to produce or reserve.
 */
bool klab_ring_full(const struct klab_ring *ring)
{
	return klab_ring_space(ring) == 0;
}

/**
 * klab_ring_mask() - map a free-running index to a slot
 * @ring: the ring
 * @idx: a producer or consumer index
 *
 * Return: the slot number of @idx, between 0 and @ring->size - 1.
 */
u32 klab_ring_mask(const struct klab_ring *ring, u32 idx)
{
	return idx & (ring->size - 1);
}

/* Slots from the slot of @idx up to the end of the storage. */
static u32 klab_ring_to_wrap(const struct klab_ring *ring, u32 idx)
{
	return ring->size - klab_ring_mask(ring, idx);
}

static u32 klab_ring_min(u32 a, u32 b)
{
	return a < b ? a : b;
}

/**
 * klab_ring_contig() - slots of a run that are contiguous in the storage
 * @ring: the ring
 * @idx: index of the first slot of the run
 * @len: length of the run
 *
 * A run of slots wraps at most once, so a copy of it takes two chunks:
 * this many slots from the slot of @idx, then the rest from slot 0.
 *
 * Return: min(@len, slots from the slot of @idx up to the wrap point).
 */
u32 klab_ring_contig(const struct klab_ring *ring, u32 idx, u32 len)
{
	return klab_ring_min(len, klab_ring_to_wrap(ring, idx));
}

/**
 * klab_ring_prod_contig() - free slots contiguous from the producer slot
 * @ring: the ring
 *
 * The producer may fill this many slots starting at
 * klab_ring_mask(@ring, @ring->head) without wrapping.  After producing
 * them, a second call gives the rest of the free space, which starts at
 * slot 0; so any copy into the ring takes at most two chunks.
 *
 * Return: min(free slots, slots up to the wrap point).
 */
u32 klab_ring_prod_contig(const struct klab_ring *ring)
{
	return klab_ring_contig(ring, ring->resv, klab_ring_space(ring));
}

/**
 * klab_ring_cons_contig() - filled slots contiguous from the consumer slot
 * @ring: the ring
 *
 * The consumer may drain this many slots starting at
 * klab_ring_mask(@ring, @ring->tail) without wrapping.  After consuming
 * them, a second call gives the rest of the filled slots, which start at
 * slot 0; so any copy out of the ring takes at most two chunks.
 *
 * Return: min(filled slots, slots up to the wrap point).
 */
u32 klab_ring_cons_contig(const struct klab_ring *ring)
{
	return klab_ring_contig(ring, ring->tail, klab_ring_used(ring));
}

/**
 * klab_ring_produce() - publish filled slots
 * @ring: the ring
 * @n: number of slots filled at the producer index; at most the free space
 *
 * Only while nothing is reserved: slots produced ahead of a reservation
 * would overtake it.
 */
void klab_ring_produce(struct klab_ring *ring, u32 n)
{
	KLAB_ASSERT(n <= klab_ring_space(ring));
	KLAB_ASSERT(ring->resv == ring->head);
	ring->head += n;
	ring->resv = ring->head;
}

/**
 * klab_ring_consume() - release drained slots
 * @ring: the ring
 * @n: number of slots drained at the consumer index; at most the fill level
 */
void klab_ring_consume(struct klab_ring *ring, u32 n)
{
	KLAB_ASSERT(n <= klab_ring_used(ring));
	ring->tail += n;
}

/**
 * klab_ring_reserved() - number of reserved, unpublished slots
 * @ring: the ring
 *
 * Return: resv - head.
 */
u32 klab_ring_reserved(const struct klab_ring *ring)
{
	return ring->resv - ring->head;
}

/**
 * klab_ring_reserve() - take free slots to fill before publishing them
 * @ring: the ring
 * @n: number of slots; at most the free space
 *
 * The slots follow every slot reserved before, published or not.  The
 * consumer does not see them until klab_ring_publish().
 *
 * Return: the index of the first reserved slot.
 */
u32 klab_ring_reserve(struct klab_ring *ring, u32 n)
{
	u32 idx = ring->resv;

	KLAB_ASSERT(n <= klab_ring_space(ring));
	ring->resv += n;
	return idx;
}

/**
 * klab_ring_publish() - make every reserved slot visible to the consumer
 * @ring: the ring
 */
void klab_ring_publish(struct klab_ring *ring)
{
	ring->head = ring->resv;
}

/**
 * klab_ring_write() - copy bytes into a run of slots
 * @ring: the ring, of one-byte slots
 * @buf: its storage, @ring->size bytes
 * @idx: index of the first slot
 * @data: the bytes
 * @len: how many; at most @ring->size
 */
void klab_ring_write(const struct klab_ring *ring, u8 *buf, u32 idx,
		     const void *data, u32 len)
{
	u32 n = klab_ring_contig(ring, idx, len);

	KLAB_ASSERT(len <= ring->size);
	memcpy(buf + klab_ring_mask(ring, idx), data, n);
	memcpy(buf + klab_ring_mask(ring, idx + n), (const u8 *)data + n,
	       len - n);
}

/**
 * klab_ring_remove() - drop reserved slots, closing the gap
 * @ring: the ring, of one-byte slots
 * @buf: its storage, @ring->size bytes
 * @idx: index of the first slot to drop, between head and resv
 * @n: how many; all of them reserved
 *
 * For a producer that could not fill all it reserved: the slots reserved
 * after the dropped ones move down by @n, keeping their order, so that
 * they stay contiguous with what precedes the gap.
 */
void klab_ring_remove(struct klab_ring *ring, u8 *buf, u32 idx, u32 n)
{
	u32 src = idx + n, left = ring->resv - src;

	KLAB_ASSERT(idx - ring->head <= klab_ring_reserved(ring));
	KLAB_ASSERT(n <= ring->resv - idx);
	if (!n)
		return;
	/*
	 * Forwards, in runs contiguous at both ends: the destination is
	 * behind the source, so no byte is overwritten before it is moved.
	 */
	while (left) {
		u32 c = klab_ring_contig(ring, src,
					 klab_ring_contig(ring, idx, left));

		memmove(buf + klab_ring_mask(ring, idx),
			buf + klab_ring_mask(ring, src), c);
		idx += c;
		src += c;
		left -= c;
	}
	ring->resv -= n;
}
