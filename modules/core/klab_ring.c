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
 * Both indices start at zero.  Every non-zero power of two that fits in a
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
	return 0;
}

/**
 * klab_ring_used() - number of filled slots
 * @ring: the ring
 *
 * Correct across u32 wraparound of either index, since unsigned
 * subtraction is modulo 2^32.
 *
 * Return: head - tail, between 0 and @ring->size.
 */
u32 klab_ring_used(const struct klab_ring *ring)
{
	u32 used = ring->head - ring->tail;

	KLAB_ASSERT(used <= ring->size);
	return used;
}

/**
 * klab_ring_space() - number of free slots
 * @ring: the ring
 *
 * Return: @ring->size minus the number of filled slots.
 */
u32 klab_ring_space(const struct klab_ring *ring)
{
	return ring->size - klab_ring_used(ring);
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
 * Return: true if there is no room to produce.
 */
bool klab_ring_full(const struct klab_ring *ring)
{
	return klab_ring_used(ring) == ring->size;
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
	return klab_ring_min(klab_ring_space(ring),
			     klab_ring_to_wrap(ring, ring->head));
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
	return klab_ring_min(klab_ring_used(ring),
			     klab_ring_to_wrap(ring, ring->tail));
}

/**
 * klab_ring_produce() - publish filled slots
 * @ring: the ring
 * @n: number of slots filled at the producer index; at most the free space
 */
void klab_ring_produce(struct klab_ring *ring, u32 n)
{
	KLAB_ASSERT(n <= klab_ring_space(ring));
	ring->head += n;
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
