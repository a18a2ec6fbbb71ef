// SPDX-License-Identifier: GPL-2.0
/*
 * The scratch memory of a tree build.  Building a node takes arrays sized
 * by its list of rules (the sweep's, the children's, the memo key of each
 * interval's list), all freed before the node is done, so they nest as
 * the recursion does.  One allocation each cost more than the build once
 * the allocator checks its objects (slub_debug saves a stack trace per
 * allocation and free): they come from a stack of chunks instead.
 */
#include "hipac_internal.h"

/* A chunk's room, unless one request needs more */
#define HIPAC_CHUNK_BYTES	(128u << 10)

struct hipac_chunk {
	struct hipac_chunk *prev;
	u64 size;			/* bytes of @data */
	u64 used;
	u64 data[];
};

static bool hipac_chunk_holds(const struct hipac_chunk *c, const void *p)
{
	const u8 *start = (const u8 *)c->data;

	return (const u8 *)p >= start && (const u8 *)p < start + c->size;
}

/**
 * hipac_scratch_alloc() - scratch memory, not zeroed
 * @s: the build's scratch
 * @bytes: how much
 *
 * Return: the memory, aligned for u64, or NULL.
 */
void *hipac_scratch_alloc(struct hipac_scratch *s, u64 bytes)
{
	struct hipac_chunk *c = s->top;
	u8 *p;

	bytes = bytes ? (bytes + 7) & ~7ull : 8;
	if (!c || c->size - c->used < bytes) {
		c = s->spare;
		if (c && c->size >= bytes) {
			s->spare = NULL;
		} else {
			u64 size = bytes > HIPAC_CHUNK_BYTES ? bytes :
				   HIPAC_CHUNK_BYTES;

			c = (struct hipac_chunk *)
				klab_bigalloc(sizeof(*c) + size);
			if (!c)
				return NULL;
			c->size = size;
		}
		c->prev = s->top;
		c->used = 0;
		s->top = c;
	}
	p = (u8 *)c->data + c->used;
	c->used += bytes;
	return p;
}

/**
 * hipac_scratch_free() - free scratch memory and all taken after it
 * @s: the build's scratch
 * @p: from hipac_scratch_alloc(), or NULL
 */
void hipac_scratch_free(struct hipac_scratch *s, void *p)
{
	struct hipac_chunk *c;

	if (!p)
		return;
	while (!hipac_chunk_holds(s->top, p)) {
		c = s->top;
		s->top = c->prev;
		/* one spare, the biggest, spares a chunk at every crossing */
		if (s->spare && s->spare->size >= c->size) {
			klab_bigfree(c);
		} else {
			klab_bigfree(s->spare);
			s->spare = c;
		}
	}
	s->top->used = (u8 *)p - (u8 *)s->top->data;
}

/**
 * hipac_scratch_release() - give back all of the build's scratch memory
 * @s: the build's scratch
 */
void hipac_scratch_release(struct hipac_scratch *s)
{
	struct hipac_chunk *c;

	while (s->top) {
		c = s->top;
		s->top = c->prev;
		klab_bigfree(c);
	}
	klab_bigfree(s->spare);
	s->spare = NULL;
}
