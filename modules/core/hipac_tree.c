// SPDX-License-Identifier: GPL-2.0
/*
 * Building and searching the HiPAC tree; see hipac.h for the idea.
 */
#include "hipac_internal.h"

/* True if @rule matches whatever dimensions @dim and up hold */
static bool hipac_wild_from(const struct hipac_builder *b, u32 rule, u32 dim)
{
	return dim >= 32 || (b->dim_mask[rule] >> dim) == 0;
}

/*
 * Sort events by value only: events at one value apply in any order.
 * @tmp has room for @n events, @count for 256 counters (off the stack,
 * which the builder's recursion already uses).
 */
static void hipac_sort(u64 *a, u64 *tmp, u32 *count, u32 n)
{
	u32 shift, i;

	if (n < 32) {
		for (i = 1; i < n; i++) {
			u64 e = a[i];
			u32 j = i;

			for (; j > 0 && a[j - 1] >> 32 > e >> 32; j--)
				a[j] = a[j - 1];
			a[j] = e;
		}
		return;
	}
	/* least significant byte first, four passes over the value */
	for (shift = 32; shift < 64; shift += 8) {
		u32 sum = 0;
		u64 *t;

		memset(count, 0, 256 * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(a[i] >> shift) & 0xff]++;
		for (i = 0; i < 256; i++) {
			u32 c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(a[i] >> shift) & 0xff]++] = a[i];
		t = a;
		a = tmp;
		tmp = t;
	}
	/* after an even number of passes the sorted events are back in a */
}

/*
 * A node with @n intervals and @extra bytes after them, holding one
 * reference for the caller, counted against the build's memory limit.
 */
struct hipac_node *hipac_node_alloc(struct hipac_builder *b, u32 n, u32 extra)
{
	u64 bytes = sizeof(struct hipac_node) +
		    (u64)n * (sizeof(u32) + sizeof(struct hipac_node *)) + extra;
	struct hipac_node *node;

	if (b->max_bytes && b->new_bytes + bytes > b->max_bytes) {
		b->err = -ENOSPC;
		return NULL;
	}
	node = (struct hipac_node *)klab_bigzalloc(bytes);
	if (!node) {
		b->err = -ENOMEM;
		return NULL;
	}
	node->ref = 1;
	node->n = n;
	node->bytes = bytes;
	node->mark = b->born_mark;
	b->new_bytes += bytes;
	if (b->born_mark)
		hipac_stats_node(&b->born, node);
	return node;
}

static struct hipac_node *hipac_node_get(const struct hipac_node *node)
{
	struct hipac_node *n = (struct hipac_node *)node;

	n->ref++;
	return n;
}

static u32 hipac_hash(u32 dim, const u32 *list, u32 n)
{
	u32 h = 2166136261u ^ dim;
	u32 i;

	for (i = 0; i < n; i++)
		h = (h ^ list[i]) * 16777619u;
	return h;
}

/* The slot of the entry for a packed key, or the free slot it would take */
static struct hipac_memo **hipac_memo_slot(struct hipac_family *fam, u32 hash,
					   u32 dim, const u8 *key, u32 len)
{
	u32 mask = fam->memo_size - 1;
	u32 i = hash & mask;

	for (;; i = (i + 1) & mask) {
		struct hipac_memo *e = fam->memo[i];

		if (!e || (e->hash == hash && e->dim == dim && e->len == len &&
			   !memcmp(e->key, key, len)))
			return &fam->memo[i];
	}
}

/* Drop @e from the memo: linear probing, so later entries move back */
static void hipac_memo_unlink(struct hipac_family *fam, struct hipac_memo *e)
{
	u32 mask = fam->memo_size - 1;
	u32 i = e->hash & mask, j, home;

	while (fam->memo[i] != e)
		i = (i + 1) & mask;
	fam->memo[i] = NULL;
	for (j = (i + 1) & mask; fam->memo[j]; j = (j + 1) & mask) {
		home = fam->memo[j]->hash & mask;
		/* stays if its home lies cyclically in (i, j] */
		if (i < j ? home > i && home <= j : home > i || home <= j)
			continue;
		fam->memo[i] = fam->memo[j];
		fam->memo[j] = NULL;
		i = j;
	}
	fam->memo_used--;
}

static int hipac_memo_grow(struct hipac_family *fam)
{
	struct hipac_memo **old = fam->memo;
	u32 old_size = fam->memo_size, i;

	fam->memo = (struct hipac_memo **)
		klab_bigzalloc(2 * (u64)old_size * sizeof(*fam->memo));
	if (!fam->memo) {
		fam->memo = old;
		return -ENOMEM;
	}
	fam->memo_size = 2 * old_size;
	for (i = 0; i < old_size; i++)
		if (old[i])
			*hipac_memo_slot(fam, old[i]->hash, old[i]->dim,
					 old[i]->key, old[i]->len) = old[i];
	klab_bigfree(old);
	return 0;
}

/**
 * hipac_key_init() - pack and hash a key once, for a lookup and an add
 * @b: the builder, whose scratch stack holds the packed key
 * @k: the key to fill in
 * @dim: the dimension, or HIPAC_LEAF
 * @key: the identities of the rules, or a leaf's outcome
 * @n: words of @key
 *
 * Release with hipac_key_free(); scratch taken after it goes first.
 *
 * Return: 0, or -ENOMEM (also in @b->err).
 */
int hipac_key_init(struct hipac_builder *b, struct hipac_key *k, u32 dim,
		   const u32 *key, u32 n)
{
	k->packed = (u8 *)hipac_scratch_alloc(&b->scratch, 5 * (u64)n);
	if (!k->packed) {
		b->err = -ENOMEM;
		return -ENOMEM;
	}
	k->len = hipac_key_pack(key, n, k->packed);
	k->hash = hipac_hash(dim, key, n);
	k->dim = dim;
	return 0;
}

void hipac_key_free(struct hipac_builder *b, struct hipac_key *k)
{
	hipac_scratch_free(&b->scratch, k->packed);
}

/**
 * hipac_memo_get() - the node built for a key, with a reference
 * @fam: the family whose memo to look in
 * @k: the key, from hipac_key_init()
 *
 * Return: the node, or NULL if none was built or it is gone.
 */
struct hipac_node *hipac_memo_get(struct hipac_family *fam,
				  const struct hipac_key *k)
{
	struct hipac_memo *e;

	e = *hipac_memo_slot(fam, k->hash, k->dim, k->packed, k->len);
	return e ? hipac_node_get(e->node) : NULL;
}

/**
 * hipac_memo_add() - name @node by a key, for as long as it lives
 * @b: the builder
 * @k: the key, from hipac_key_init(); kept packed
 * @node: the node built for it; one an older build made keeps its keys
 *
 * Return: 0, -ENOSPC past @b->max_bytes, or -ENOMEM.
 */
int hipac_memo_add(struct hipac_builder *b, const struct hipac_key *k,
		   struct hipac_node *node)
{
	struct hipac_family *fam = b->fam;
	u64 bytes = sizeof(struct hipac_memo) + k->len;
	struct hipac_memo *e;

	/*
	 * A node of an older tree (found under another key) gets no more:
	 * its bytes stay those its tree was counted with (hipac_count.c),
	 * and a build that is thrown away leaves nothing on it.
	 */
	if (node->mark != b->born_mark)
		return 0;
	if (b->max_bytes && b->new_bytes + bytes > b->max_bytes)
		return -ENOSPC;
	if (2 * (fam->memo_used + 1) > fam->memo_size && hipac_memo_grow(fam))
		return -ENOMEM;
	e = (struct hipac_memo *)klab_bigalloc(bytes);
	if (!e)
		return -ENOMEM;
	e->hash = k->hash;
	e->dim = k->dim;
	e->len = k->len;
	memcpy(e->key, k->packed, k->len);
	e->node = node;
	e->next = node->keys;
	node->keys = e;
	node->bytes += bytes;
	b->new_bytes += bytes;
	b->born.bytes += bytes;
	*hipac_memo_slot(fam, e->hash, e->dim, e->key, e->len) = e;
	fam->memo_used++;
	return 0;
}

/**
 * hipac_node_put() - drop a reference, freeing @node and its memo entries
 *	with the last, and then the children it held
 * @fam: its family
 * @node: the node, or NULL
 */
void hipac_node_put(struct hipac_family *fam, struct hipac_node *node)
{
	struct hipac_memo *e, *next;
	u32 i;

	if (!node || --node->ref)
		return;
	klab_cond_resched();
	for (e = node->keys; e; e = next) {
		next = e->next;
		hipac_memo_unlink(fam, e);
		klab_bigfree(e);
	}
	/* at most one level per dimension deep */
	for (i = 0; i < node->n; i++)
		hipac_node_put(fam,
			       (struct hipac_node *)hipac_children(node)[i]);
	klab_bigfree(node);
}

/* The leaf of first-match trees for @rule */
static struct hipac_node *hipac_leaf(struct hipac_builder *b, u32 rule)
{
	struct hipac_node *leaf;
	struct hipac_key k;

	if (hipac_key_init(b, &k, HIPAC_LEAF, &rule, 1))
		return NULL;
	leaf = hipac_memo_get(b->fam, &k);
	if (leaf)
		goto out_free;
	leaf = hipac_node_alloc(b, 0, 0);
	if (!leaf)
		goto out_free;
	leaf->dim = HIPAC_LEAF;
	leaf->rule = rule;
	b->err = hipac_memo_add(b, &k, leaf);
	if (b->err) {
		hipac_node_put(b->fam, leaf);
		leaf = NULL;
	}
out_free:
	hipac_key_free(b, &k);
	return leaf;
}

/**
 * hipac_family_new() - an empty family of trees over @dims
 * @dims: the dimensions
 *
 * Return: the family, or NULL.
 */
struct hipac_family *hipac_family_new(const struct hipac_dims *dims)
{
	struct hipac_family *fam;

	fam = (struct hipac_family *)klab_bigzalloc(sizeof(*fam));
	if (!fam)
		return NULL;
	fam->dims = *dims;
	fam->memo_size = 64;
	fam->memo = (struct hipac_memo **)
		klab_bigzalloc(fam->memo_size * sizeof(*fam->memo));
	if (!fam->memo) {
		klab_bigfree(fam);
		return NULL;
	}
	return fam;
}

/**
 * hipac_family_put() - free @fam if no tree is left in it
 * @fam: the family
 */
void hipac_family_put(struct hipac_family *fam)
{
	u32 i;

	if (fam->trees)
		return;
	KLAB_ASSERT(!fam->memo_used);
	for (i = 0; i < fam->n_idents; i++)
		klab_bigfree(fam->idents[i].matches);
	klab_bigfree(fam->idents);
	klab_bigfree(fam->ident_slots);
	klab_bigfree(fam->memo);
	klab_bigfree(fam);
}

/*
 * The sweep over one dimension.  An event says that at value @v one of
 * the matches of the rule at position @pos of the list starts or stops
 * holding; a rule allows a value when all its matches on the dimension
 * hold there.  Events are packed as (v << 32 | pos << 1 | starts) to be
 * sorted as integers.
 */
struct hipac_sweep {
	u64 *events;		/* twice the room, and the sort's counters */
	u32 n_events;
	u32 n_allowed;		/* positions whose matches all hold */
	u32 *need;		/* per position: matches on the dimension */
	u32 *held;		/* per position: how many of them hold */
	u64 *allowed;		/* bitmap of positions whose matches all hold */
	u64 *busy;		/* bitmap of the non-zero words of @allowed */
};

static void hipac_event(struct hipac_sweep *sw, u32 v, u32 pos, bool starts)
{
	sw->events[sw->n_events++] = (u64)v << 32 | (u64)pos << 1 | starts;
}

static void hipac_sweep_flip(struct hipac_sweep *sw, u32 pos)
{
	u32 w = pos / 64;

	sw->allowed[w] ^= 1ull << (pos % 64);
	if (sw->allowed[w])
		sw->busy[w / 64] |= 1ull << (w % 64);
	else
		sw->busy[w / 64] &= ~(1ull << (w % 64));
}

static void hipac_sweep_free(struct hipac_builder *b, struct hipac_sweep *sw)
{
	hipac_scratch_free(&b->scratch, sw->events);
}

/* The sweep of @dim over @list, in one piece of @b's scratch memory */
static int hipac_sweep_init(struct hipac_sweep *sw, struct hipac_builder *b,
			    u32 dim, const u32 *list, u32 n)
{
	u32 max = b->dims->max[dim];
	u32 pos, j, count = 0;
	u64 n_events, n_allowed, n_busy, zeroed;

	memset(sw, 0, sizeof(*sw));
	for (pos = 0; pos < n; pos++) {
		const struct hipac_rule *rule = &b->rules[list[pos]];

		for (j = 0; j < rule->n_matches; j++)
			count += rule->matches[j].dimid == dim ? 3 : 0;
	}
	/* the events, twice over for the sort, and its 256 u32 counters */
	n_events = 2 * (u64)count + 128;
	n_allowed = (n + 63) / 64;
	n_busy = (n + 4095) / 4096;
	zeroed = (n_allowed + n_busy) * sizeof(u64) + 2 * (u64)n * sizeof(u32);
	sw->events = (u64 *)hipac_scratch_alloc(&b->scratch,
						n_events * sizeof(u64) +
						zeroed);
	if (!sw->events)
		return -ENOMEM;
	sw->allowed = sw->events + n_events;
	sw->busy = sw->allowed + n_allowed;
	sw->need = (u32 *)(sw->busy + n_busy);
	sw->held = sw->need + n;
	memset(sw->allowed, 0, zeroed);

	for (pos = 0; pos < n; pos++) {
		const struct hipac_rule *rule = &b->rules[list[pos]];

		for (j = 0; j < rule->n_matches; j++) {
			const struct hipac_match *m = &rule->matches[j];

			if (m->dimid != dim)
				continue;
			sw->need[pos]++;
			if (!m->invert) {
				hipac_event(sw, m->left, pos, true);
			} else if (m->left > 0) {
				hipac_event(sw, 0, pos, true);
				hipac_event(sw, m->left, pos, false);
			}
			if (m->right < max)
				hipac_event(sw, m->right + 1, pos, !!m->invert);
		}
		if (!sw->need[pos]) {
			hipac_sweep_flip(sw, pos);
			sw->n_allowed++;
		}
	}
	hipac_sort(sw->events, sw->events + count,
		   (u32 *)(sw->events + 2 * count), sw->n_events);
	return 0;
}

/* Apply the events at @v, the first of which is events[*next] */
static void hipac_sweep_to(struct hipac_sweep *sw, u32 v, u32 *next)
{
	for (; *next < sw->n_events && sw->events[*next] >> 32 == v; (*next)++) {
		u64 e = sw->events[*next];
		u32 pos = (u32)e >> 1;
		bool before = sw->held[pos] == sw->need[pos];
		bool after;

		if (e & 1)
			sw->held[pos]++;
		else
			sw->held[pos]--;
		after = sw->held[pos] == sw->need[pos];
		if (before != after) {
			hipac_sweep_flip(sw, pos);
			sw->n_allowed += after ? 1 : -1;
		}
	}
}

/*
 * Append @rule, allowed in a region after the rules of @list, to @list if
 * it can still change the region's outcome; @stop is set when no later
 * rule can.  @wild says whether @rule matches whatever the dimensions left
 * hold.  Return: the new length of @list.
 */
static u32 hipac_add(const struct hipac_builder *b, struct hipac_shadow *sh,
		     u32 *list, u32 n, u32 rule, bool wild, bool *stop)
{
	if (b->flat)
		return hipac_flat_add(b->flat, sh, list, n, rule, wild, stop);
	/* first match: a rule matching anything shadows every later one */
	*stop = wild;
	list[n] = rule;
	return n + 1;
}

/*
 * The rules of @list allowed by the sweep that can still change the
 * outcome of the dimensions after @dim, in order.
 */
static u32 hipac_select(const struct hipac_builder *b,
			const struct hipac_sweep *sw, u32 dim,
			const u32 *list, u32 n, u32 *out)
{
	struct hipac_shadow sh = {};
	bool stop = false;
	u32 i, count = 0;

	/* only the words with allowed rules: few when the rules are many */
	for (i = 0; i < (n + 4095) / 4096; i++) {
		u64 words = sw->busy[i];

		while (words) {
			u32 w = i * 64 + __builtin_ctzll(words);
			u64 bits = sw->allowed[w];

			words &= words - 1;
			while (bits) {
				u32 pos = w * 64 + __builtin_ctzll(bits);
				u32 rule = list[pos];

				bits &= bits - 1;
				count = hipac_add(b, &sh, out, count, rule,
						  hipac_wild_from(b, rule,
								  dim + 1),
						  &stop);
				if (stop)
					return count;
			}
		}
	}
	return count;
}

static struct hipac_node *hipac_build_dim(struct hipac_builder *b, u32 dim,
					  u32 *list, u32 n);

/* Children being collected: neighbours that agree merge into one */
struct hipac_kids {
	u32 n;
	u32 *lower;
	struct hipac_node **child;
};

/* Append child @c (with a reference, which the kids take) from @v on */
static void hipac_kids_push(struct hipac_builder *b, struct hipac_kids *k,
			    u32 v, struct hipac_node *c)
{
	if (k->n && k->child[k->n - 1] == c) {
		hipac_node_put(b->fam, c);
		return;
	}
	k->lower[k->n] = v;
	k->child[k->n++] = c;
}

/*
 * Big nodes in chunks (see hipac_is_index()).  The bound keeps a chunk
 * within a page (12 bytes an interval) and the index of a 100k part's
 * root (about 50k intervals) at a few hundred chunks.  Tests lower it to
 * make index nodes of small sets.
 */
u32 hipac_chunk_max = 256;

/* Scratch kids with room for @n */
static int hipac_kids_alloc(struct hipac_builder *b, struct hipac_kids *k,
			    u64 n)
{
	k->n = 0;
	k->lower = (u32 *)hipac_scratch_alloc(&b->scratch, n * sizeof(u32));
	k->child = (struct hipac_node **)
		hipac_scratch_alloc(&b->scratch, n * sizeof(*k->child));
	if (!k->lower || !k->child) {
		b->err = -ENOMEM;
		return -ENOMEM;
	}
	return 0;
}

static void hipac_kids_put(struct hipac_builder *b, struct hipac_kids *k)
{
	u32 i;

	for (i = 0; i < k->n; i++)
		hipac_node_put(b->fam, k->child[i]);
	k->n = 0;
}

/* A node of dimension @d over @n of @k's kids from @from, holding them */
static struct hipac_node *hipac_node_plain(struct hipac_builder *b, u32 d,
					   const struct hipac_kids *k,
					   u32 from, u32 n)
{
	struct hipac_node *node = hipac_node_alloc(b, n, 0);

	if (!node)
		return NULL;
	node->dim = d;
	memcpy(hipac_lowers(node), k->lower + from, n * sizeof(u32));
	memcpy(hipac_children(node), k->child + from, n * sizeof(*k->child));
	return node;
}

/*
 * Append to @chunks @k's kids (their references moved) as chunks of
 * dimension @d of at most hipac_chunk_max kids, as even as can be.  @k
 * is left empty, also on an error.
 */
static int hipac_chunks_push(struct hipac_builder *b, struct hipac_kids *chunks,
			     u32 d, struct hipac_kids *k)
{
	u32 parts = (k->n + hipac_chunk_max - 1) / hipac_chunk_max, done = 0;
	u32 i;

	for (i = 1; i <= parts; i++) {
		u32 end = (u32)((u64)k->n * i / parts);
		struct hipac_node *c;

		/* a chunk even of one kid: an index node's kids are chunks */
		c = hipac_node_plain(b, d, k, done, end - done);
		if (!c) {
			for (; done < k->n; done++)
				hipac_node_put(b->fam, k->child[done]);
			k->n = 0;
			return b->err;
		}
		chunks->lower[chunks->n] = k->lower[done];
		chunks->child[chunks->n++] = c;
		done = end;
	}
	k->n = 0;
	return 0;
}

/* The node of dimension @d over @chunks, which it takes, also on errors */
static struct hipac_node *hipac_index_make(struct hipac_builder *b, u32 d,
					   struct hipac_kids *chunks)
{
	struct hipac_node *node;

	if (chunks->n == 1) {
		chunks->n = 0;
		return chunks->child[0];
	}
	node = hipac_node_plain(b, d, chunks, 0, chunks->n);
	if (!node) {
		hipac_kids_put(b, chunks);
		return NULL;
	}
	node->rule = HIPAC_INDEX;
	chunks->n = 0;
	return node;
}

/*
 * The node of dimension @d over @k's kids, which it takes, also on
 * errors: their only kid, a node, or an index node over chunks.
 */
static struct hipac_node *hipac_node_make(struct hipac_builder *b, u32 d,
					  struct hipac_kids *k)
{
	struct hipac_node *node;
	struct hipac_kids chunks;

	if (k->n == 1) {
		k->n = 0;
		return k->child[0];
	}
	if (k->n <= hipac_chunk_max) {
		node = hipac_node_plain(b, d, k, 0, k->n);
		if (!node)
			hipac_kids_put(b, k);
		k->n = 0;
		return node;
	}
	if (hipac_kids_alloc(b, &chunks, k->n / hipac_chunk_max + 2)) {
		hipac_kids_put(b, k);
		return NULL;
	}
	if (hipac_chunks_push(b, &chunks, d, k)) {
		hipac_kids_put(b, &chunks);
		return NULL;
	}
	return hipac_index_make(b, d, &chunks);
}

/*
 * Build the node for @dim over @list, whose rules all match on @dim: sweep
 * the dimension from 0 up, building a child for each elementary interval.
 * Children of neighbouring intervals that agree merge into one interval.
 * The node, or its only child, comes with a reference for the caller.
 */
static struct hipac_node *hipac_build_node(struct hipac_builder *b, u32 dim,
					   const u32 *list, u32 n)
{
	struct hipac_node *result = NULL;
	struct hipac_kids kids;
	u32 next = 0, v = 0;
	struct hipac_sweep sw;
	u32 *sub;

	if (hipac_sweep_init(&sw, b, b->fam->order[dim], list, n)) {
		b->err = -ENOMEM;
		return NULL;
	}
	sub = (u32 *)hipac_scratch_alloc(&b->scratch, n * sizeof(u32));
	if (!sub) {
		b->err = -ENOMEM;
		goto out_free;
	}
	if (hipac_kids_alloc(b, &kids, (u64)sw.n_events + 1))
		goto out_free;

	for (;;) {
		struct hipac_node *c;

		klab_cond_resched();
		hipac_sweep_to(&sw, v, &next);
		c = hipac_build_dim(b, dim + 1, sub,
				    hipac_select(b, &sw, dim, list, n, sub));
		if (!c)
			goto out_put;
		hipac_kids_push(b, &kids, v, c);
		if (next == sw.n_events)
			break;
		v = sw.events[next] >> 32;
	}
	result = hipac_node_make(b, b->fam->order[dim], &kids);

out_put:
	hipac_kids_put(b, &kids);
out_free:
	hipac_sweep_free(b, &sw);
	return result;
}

/* The leaf for a region where every rule of @list matches */
static struct hipac_node *hipac_leaf_of(struct hipac_builder *b,
					const u32 *list, u32 n)
{
	if (b->flat)
		return hipac_flat_leaf(b, list, n);
	return hipac_leaf(b, n ? list[0] : HIPAC_NO_MATCH);
}

/*
 * Drop from @list the rules that cannot change the outcome of dimensions
 * *@dim and up, in place (a rule kept never lands past the one looked
 * at), and move *@dim to the first level a rule left matches on, or past
 * the last if none does.  Return: the rules left.
 */
static u32 hipac_prune(struct hipac_builder *b, u32 *dim, u32 *list, u32 n)
{
	struct hipac_shadow sh = {};
	u32 i, kept = 0, used = 0;
	bool stop = false;

	for (i = 0; i < n && !stop; i++)
		kept = hipac_add(b, &sh, list, kept, list[i],
				 hipac_wild_from(b, list[i], *dim), &stop);
	for (i = 0; i < kept; i++)
		used |= b->dim_mask[list[i]];
	if (*dim >= 32 || !(used >> *dim)) {
		*dim = 32;
		return kept;
	}
	while (!(used & (1u << *dim)))
		(*dim)++;
	return kept;
}

/*
 * The node for level @dim over the pruned @list, found in the memo if any
 * tree of the family has it (the identities of the rules and the level
 * are its key), else built and remembered.
 */
static struct hipac_node *hipac_build_keyed(struct hipac_builder *b, u32 dim,
					    const u32 *list, u32 n)
{
	struct hipac_node *node = NULL;
	const u32 *key = list;
	u32 *flat_key = NULL, i;
	struct hipac_key k;

	if (b->flat) {
		flat_key = (u32 *)hipac_scratch_alloc(&b->scratch,
						      n * sizeof(u32));
		if (!flat_key) {
			b->err = -ENOMEM;
			return NULL;
		}
		for (i = 0; i < n; i++)
			flat_key[i] = hipac_flat_key(b->flat, list[i],
						     hipac_wild_from(b, list[i],
								     dim));
		key = flat_key;
	}
	if (hipac_key_init(b, &k, dim, key, n))
		goto out_free;
	node = hipac_memo_get(b->fam, &k);
	if (node)
		goto out_free_key;
	node = hipac_build_node(b, dim, list, n);
	if (!node)
		goto out_free_key;
	b->err = hipac_memo_add(b, &k, node);
	if (b->err) {
		hipac_node_put(b->fam, node);
		node = NULL;
	}
out_free_key:
	hipac_key_free(b, &k);
out_free:
	if (flat_key)
		hipac_scratch_free(&b->scratch, flat_key);
	return node;
}

/*
 * The subtree classifying @list's rules on dimensions @dim and up, with
 * a reference for the caller; drops from @list the rules that cannot
 * change the outcome.
 */
static struct hipac_node *hipac_build_dim(struct hipac_builder *b, u32 dim,
					  u32 *list, u32 n)
{
	n = hipac_prune(b, &dim, list, n);
	if (dim >= 32)
		return hipac_leaf_of(b, list, n);
	return hipac_build_keyed(b, dim, list, n);
}

/*
 * Updates in a window.  When the caller knows the rules that changed
 * since @old's tree (b->win), a region outside their hull on any
 * dimension has the rules it had, and the old subtree for it stands.  So
 * from the root down, a node of the old tree at the same level keeps its
 * children outside the window on its dimension and rebuilds only those
 * inside, each from the old child at the same value; the rules of a
 * region that cannot reach the window are not even swept.  That spares
 * the big regions near the root the sort of all their rules and the memo
 * keys of every interval.  Regions of fewer than hipac_win_min_rules
 * rules take the memo's path (hipac_build_keyed()), which shares
 * subtrees as a fresh build does; the nodes built here have no memo key.
 * (Tests lower the bound to take the window's path on every level.)
 */
u32 hipac_win_min_rules = 64;

/* Whether @rule may allow a value of dimension @d in [@lo, @hi] */
static bool hipac_meets(const struct hipac_builder *b, u32 rule, u32 d,
			u32 lo, u32 hi)
{
	const struct hipac_rule *r = &b->rules[rule];
	u32 j;

	for (j = 0; j < r->n_matches; j++) {
		const struct hipac_match *m = &r->matches[j];

		if (m->dimid == d && !m->invert &&
		    (m->right < lo || m->left > hi))
			return false;
	}
	return true;
}

/* The child of @node for value @v */
static const struct hipac_node *hipac_child_at(const struct hipac_node *node,
					       u32 v)
{
	return hipac_children(node)[hipac_index_at(node, v)];
}

static struct hipac_node *hipac_win_dim(struct hipac_builder *b, u32 dim,
					u32 *list, u32 n,
					const struct hipac_node *old);

/* The child of @node at its level for value @v, through its chunk if any */
static const struct hipac_node *hipac_level_child(const struct hipac_node *node,
						  u32 v)
{
	if (hipac_is_index(node))
		node = hipac_child_at(node, v);
	return hipac_child_at(node, v);
}

/*
 * The node over @kids, the intervals from @first's chunk to @last's of
 * @old, an index node: @old's other chunks shared, those two and the ones
 * between made anew from @kids.  Takes @kids, also on errors.
 */
static struct hipac_node *hipac_win_index(struct hipac_builder *b,
					  const struct hipac_node *old,
					  u32 first, u32 last,
					  struct hipac_kids *kids)
{
	const struct hipac_node *const *ochunk = hipac_children(old);
	const u32 *olower = hipac_lowers(old);
	struct hipac_kids chunks;
	u32 i;

	if (hipac_kids_alloc(b, &chunks, (u64)old->n +
			     kids->n / hipac_chunk_max + 2)) {
		hipac_kids_put(b, kids);
		return NULL;
	}
	for (i = 0; i < first; i++)
		hipac_kids_push(b, &chunks, olower[i],
				hipac_node_get(ochunk[i]));
	if (hipac_chunks_push(b, &chunks, old->dim, kids)) {
		hipac_kids_put(b, &chunks);
		return NULL;
	}
	for (i = last + 1; i < old->n; i++)
		hipac_kids_push(b, &chunks, olower[i],
				hipac_node_get(ochunk[i]));
	return hipac_index_make(b, old->dim, &chunks);
}

/*
 * The node for level @dim over the pruned @list, from @old, a node of
 * the same level: the window's intervals built anew, the others @old's.
 * Of an index node, only the chunks the window reaches are copied.
 */
static struct hipac_node *hipac_win_node(struct hipac_builder *b, u32 dim,
					 const u32 *list, u32 n,
					 const struct hipac_node *old)
{
	u32 d = b->fam->order[dim], max = b->dims->max[d];
	u32 lo = b->win->lo[d], hi = b->win->hi[d];
	const struct hipac_node *head = old, *tail = old;
	struct hipac_node *result = NULL;
	u32 first = 0, last = 0;
	struct hipac_kids kids;
	u32 *sel, *sub, m = 0, i, next = 0, v = lo;
	const u32 *hlower, *tlower;
	struct hipac_sweep sw;

	sel = (u32 *)hipac_scratch_alloc(&b->scratch, (n + 1) * sizeof(u32));
	if (!sel) {
		b->err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (hipac_meets(b, list[i], d, lo, hi))
			sel[m++] = list[i];
	if (hipac_is_index(old)) {
		/* the chunks holding @lo and @hi + 1: their kids and between */
		first = hipac_index_at(old, lo);
		last = hi < max ? hipac_index_at(old, hi + 1) : old->n - 1;
		head = hipac_children(old)[first];
		tail = hipac_children(old)[last];
	} else if (b->cut_mark) {
		/* hipac_drop_range() knows which children it hands on */
		((struct hipac_node *)old)->mark = b->cut_mark;
	}
	hlower = hipac_lowers(head);
	tlower = hipac_lowers(tail);
	if (hipac_sweep_init(&sw, b, d, sel, m)) {
		b->err = -ENOMEM;
		goto out_free;
	}
	sub = (u32 *)hipac_scratch_alloc(&b->scratch, (m + 1) * sizeof(u32));
	if (!sub) {
		b->err = -ENOMEM;
		goto out_free;
	}
	if (hipac_kids_alloc(b, &kids, (u64)head->n + tail->n +
			     sw.n_events + 2))
		goto out_free;

	/* below the window: the old intervals, the last one cut at @lo */
	for (i = 0; i < head->n && hlower[i] < lo; i++)
		hipac_kids_push(b, &kids, hlower[i],
				hipac_node_get(hipac_children(head)[i]));
	while (next < sw.n_events && sw.events[next] >> 32 <= lo)
		hipac_sweep_to(&sw, sw.events[next] >> 32, &next);
	for (;;) {
		struct hipac_node *c;
		u64 nv;

		klab_cond_resched();
		c = hipac_win_dim(b, dim + 1, sub,
				  hipac_select(b, &sw, dim, sel, m, sub),
				  hipac_level_child(old, v));
		if (!c)
			goto out_put;
		hipac_kids_push(b, &kids, v, c);
		nv = next < sw.n_events ? sw.events[next] >> 32 :
					  (u64)max + 1;
		if (nv > hi)
			break;
		v = (u32)nv;
		hipac_sweep_to(&sw, v, &next);
	}
	/* above it: the old interval holding @hi + 1 from there, the rest */
	if (hi < max) {
		hipac_kids_push(b, &kids, hi + 1,
				hipac_node_get(hipac_child_at(tail, hi + 1)));
		for (i = 0; i < tail->n; i++)
			if (tlower[i] > hi + 1)
				hipac_kids_push(b, &kids, tlower[i],
						hipac_node_get(hipac_children(tail)[i]));
	}

	if (kids.n > 1 || hipac_is_index(old))
		b->win_nodes++;
	if (hipac_is_index(old))
		result = hipac_win_index(b, old, first, last, &kids);
	else
		result = hipac_node_make(b, d, &kids);

out_put:
	hipac_kids_put(b, &kids);
out_free:
	hipac_scratch_free(&b->scratch, sel);
	return result;
}

/*
 * The subtree for @list on levels @dim and up, as hipac_build_dim() builds
 * it, from @old, the old tree's subtree for the same region.
 */
static struct hipac_node *hipac_win_dim(struct hipac_builder *b, u32 dim,
					u32 *list, u32 n,
					const struct hipac_node *old)
{
	n = hipac_prune(b, &dim, list, n);
	if (dim >= 32)
		return hipac_leaf_of(b, list, n);
	if (n < hipac_win_min_rules || old->dim != b->fam->order[dim])
		return hipac_build_keyed(b, dim, list, n);
	return hipac_win_node(b, dim, list, n, old);
}

/**
 * hipac_validate() - check rules against the dimensions they match on
 * @dims: the dimensions
 * @rules: the rules
 * @n_rules: number of @rules
 * @bad_rule: set to the index of the first invalid rule, if any
 *
 * Return: 0, or -EINVAL if @dims is invalid or a match names a dimension
 * @dims lacks or an interval that is empty or exceeds its dimension.
 */
int hipac_validate(const struct hipac_dims *dims,
		   const struct hipac_rule *rules, u32 n_rules, u32 *bad_rule)
{
	u32 i, j;

	if (dims->n == 0 || dims->n > HIPAC_MAX_DIMS)
		return -EINVAL;
	for (i = 0; i < n_rules; i++) {
		for (j = 0; j < rules[i].n_matches; j++) {
			const struct hipac_match *m = &rules[i].matches[j];

			if (m->dimid >= dims->n || m->left > m->right ||
			    m->right > dims->max[m->dimid]) {
				*bad_rule = i;
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* How much a dimension would cost as the first level of the tree */
struct hipac_dim_cost {
	u32 wild;	/* rules matching any value of it */
	u64 work;	/* rules allowed, summed over its elementary intervals */
};

static int hipac_dim_cost(struct hipac_builder *b, u32 dim,
			  const u32 *all, u32 n, struct hipac_dim_cost *cost)
{
	struct hipac_sweep sw;
	u32 next = 0;

	if (hipac_sweep_init(&sw, b, dim, all, n))
		return -ENOMEM;
	cost->wild = sw.n_allowed;
	cost->work = 0;
	while (next < sw.n_events) {
		hipac_sweep_to(&sw, sw.events[next] >> 32, &next);
		cost->work += sw.n_allowed;
	}
	hipac_sweep_free(b, &sw);
	return 0;
}

/*
 * Whether dimension @a should come before @b: the one most rules match
 * on first, as it leaves the shortest lists to the levels below; when
 * they are within a twentieth of the rules of each other, the one with less
 * work (for 5-tuple sets: the protocol, then the addresses, then ports).
 */
static bool hipac_dim_before(const struct hipac_dim_cost *a,
			     const struct hipac_dim_cost *b, u32 n)
{
	u64 gap = n / 20;

	if ((u64)a->wild + gap < b->wild)
		return true;
	if ((u64)b->wild + gap < a->wild)
		return false;
	return a->work < b->work;
}

/* The order of the tree's levels */
static int hipac_choose_order(struct hipac_builder *b, const u32 *all, u32 n)
{
	struct hipac_dim_cost cost[HIPAC_MAX_DIMS];
	u8 *order = b->fam->order;
	u32 i, j;

	for (i = 0; i < b->dims->n; i++) {
		if (hipac_dim_cost(b, i, all, n, &cost[i]))
			return -ENOMEM;
		order[i] = i;
	}
	for (i = 1; i < b->dims->n; i++) {
		u8 d = order[i];

		for (j = i; j > 0; j--) {
			if (!hipac_dim_before(&cost[d], &cost[order[j - 1]], n))
				break;
			order[j] = order[j - 1];
		}
		order[j] = d;
	}
	for (i = 0; i < b->dims->n; i++)
		b->fam->level_of[order[i]] = i;
	return 0;
}

/*
 * Build the tree over the rules @b was set up with (dims, rules, n_rules,
 * flat, fam, max_bytes): a new family's first tree picks the level
 * order, later ones keep it.  On error *@tree is left alone.
 */
int hipac_tree_build(struct hipac_tree **tree, struct hipac_builder *b)
{
	u32 n_rules = b->n_rules;
	u32 *all, i, j;

	b->err = -ENOMEM;
	b->tree = (struct hipac_tree *)klab_bigzalloc(sizeof(*b->tree));
	b->dim_mask = (u32 *)klab_bigzalloc((n_rules + 1) * sizeof(u32));
	all = (u32 *)klab_bigzalloc((n_rules + 1) * sizeof(u32));
	if (!b->tree || !b->dim_mask || !all)
		goto err_free;

	for (i = 0; i < n_rules; i++)
		all[i] = i;
	if (!b->fam->trees && hipac_choose_order(b, all, n_rules))
		goto err_free;
	for (i = 0; i < n_rules; i++)
		for (j = 0; j < b->rules[i].n_matches; j++)
			b->dim_mask[i] |= 1u <<
				b->fam->level_of[b->rules[i].matches[j].dimid];
	/* the old tree the only other one: count what changes */
	if (b->old && b->old->fam == b->fam && b->fam->trees == 1) {
		b->born_mark = hipac_mark_new(b->fam);
		b->cut_mark = hipac_mark_new(b->fam);
	}
	if (b->win && b->old->fam == b->fam)
		b->tree->root = hipac_win_dim(b, 0, all, n_rules,
					      b->old->root);
	else
		b->tree->root = hipac_build_dim(b, 0, all, n_rules);
	if (!b->tree->root)
		goto err_free;
	b->tree->fam = b->fam;
	b->tree->win_nodes = b->win_nodes;
	b->fam->trees++;
	hipac_tree_count(b);
	if (b->max_bytes && b->tree->stats.bytes > b->max_bytes) {
		/* the caller puts the family */
		b->fam->trees--;
		hipac_node_put(b->fam, (struct hipac_node *)b->tree->root);
		b->err = -ENOSPC;
		goto err_free;
	}

	hipac_scratch_release(&b->scratch);
	klab_bigfree(all);
	klab_bigfree(b->dim_mask);
	*tree = b->tree;
	return 0;

err_free:
	hipac_scratch_release(&b->scratch);
	klab_bigfree(all);
	klab_bigfree(b->dim_mask);
	klab_bigfree(b->tree);
	return b->err;
}

/**
 * hipac_build() - build the tree classifying packets against rules
 * @tree: set to the new tree
 * @dims: the dimensions
 * @rules: the rules, in order; the tree refers to them by index only
 * @n_rules: number of @rules
 *
 * Return: 0, -EINVAL for rules hipac_validate() rejects, or -ENOMEM.
 */
int hipac_build(struct hipac_tree **tree, const struct hipac_dims *dims,
		const struct hipac_rule *rules, u32 n_rules)
{
	struct hipac_builder b;
	u32 bad;
	int err;

	err = hipac_validate(dims, rules, n_rules, &bad);
	if (err)
		return err;

	memset(&b, 0, sizeof(b));
	b.dims = dims;
	b.rules = rules;
	b.n_rules = n_rules;
	b.fam = hipac_family_new(dims);
	if (!b.fam)
		return -ENOMEM;
	err = hipac_tree_build(tree, &b);
	hipac_family_put(b.fam);
	return err;
}

/* The leaf of @packet's elementary region: a binary search per node */
static const struct hipac_node *hipac_descend(const struct hipac_tree *tree,
					      const u32 *packet)
{
	const struct hipac_node *node = tree->root;

	while (node->dim != HIPAC_LEAF)
		node = hipac_child_at(node, packet[node->dim]);
	return node;
}

/**
 * hipac_lookup() - classify a packet
 * @tree: a tree from hipac_build()
 * @packet: one value per dimension
 *
 * One binary search per dimension the rules use; takes no locks and
 * writes nothing, so any number of lookups may run at once.
 *
 * Return: the index of the first rule whose matches all hold, or
 * HIPAC_NO_MATCH: exactly what hipac_linear_lookup() returns.  A tree from
 * hipac_chains_build() always gives HIPAC_NO_MATCH.
 */
u32 hipac_lookup(const struct hipac_tree *tree, const u32 *packet)
{
	if (tree->pfam)
		return HIPAC_NO_MATCH;
	return hipac_descend(tree, packet)->rule;
}

/**
 * hipac_classify() - the outcome of walking the chains for a packet
 * @tree: a tree from hipac_chains_build()
 * @packet: one value per dimension
 *
 * Lock-free and read-only like hipac_lookup(), in the same time.
 *
 * Return: the result hipac_chains_walk() computes for @packet, shared by
 * every packet of the same outcome and valid as long as @tree; NULL for a
 * tree from hipac_build().
 */
const struct hipac_result *hipac_classify(const struct hipac_tree *tree,
					  const u32 *packet)
{
	if (tree->pfam)
		return hipac_part_classify(tree, packet);
	return hipac_descend(tree, packet)->result;
}

/**
 * hipac_tree_stats() - report the size of a tree
 * @tree: a tree from hipac_build()
 * @stats: filled in
 */
void hipac_tree_stats(const struct hipac_tree *tree, struct hipac_stats *stats)
{
	*stats = tree->stats;
}

/**
 * hipac_free() - free a tree and whatever no other tree shares with it
 * @tree: a tree from hipac_build(), hipac_chains_build() or
 *	hipac_chains_update(), or NULL
 *
 * Not at the same time as an update or a free of a tree of its family.
 */
void hipac_free(struct hipac_tree *tree)
{
	if (!tree)
		return;
	if (tree->pfam) {
		hipac_part_free(tree);
		return;
	}
	hipac_node_put(tree->fam, (struct hipac_node *)tree->root);
	tree->fam->trees--;
	hipac_family_put(tree->fam);
	klab_bigfree(tree);
}
