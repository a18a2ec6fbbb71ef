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

static void hipac_sift_down(u64 *a, u32 root, u32 n)
{
	u32 child;
	u64 tmp;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		tmp = a[root];
		a[root] = a[child];
		a[child] = tmp;
		root = child;
	}
}

/* Heapsort: no recursion and no allocation, for kernel stacks */
static void hipac_sort(u64 *a, u32 n)
{
	u32 i;
	u64 tmp;

	for (i = n / 2; i-- > 0;)
		hipac_sift_down(a, i, n);
	for (i = n; i-- > 1;) {
		tmp = a[0];
		a[0] = a[i];
		a[i] = tmp;
		hipac_sift_down(a, 0, i);
	}
}

/*
 * A node with @n intervals and @extra bytes after them, counted against
 * the build's memory limit.
 */
struct hipac_node *hipac_node_alloc(struct hipac_builder *b, u32 n, u32 extra)
{
	u64 bytes = sizeof(struct hipac_node) +
		    (u64)n * (sizeof(u32) + sizeof(struct hipac_node *)) + extra;
	struct hipac_node *node;

	if (b->max_bytes && b->tree->stats.bytes + bytes > b->max_bytes) {
		b->err = -ENOSPC;
		return NULL;
	}
	node = (struct hipac_node *)klab_bigzalloc(bytes);
	if (!node) {
		b->err = -ENOMEM;
		return NULL;
	}
	node->n = n;
	node->child = (const struct hipac_node **)(node + 1);
	node->lower = (u32 *)(node->child + n);
	node->next = b->tree->nodes;
	b->tree->nodes = node;
	b->tree->stats.bytes += bytes;
	return node;
}

static const struct hipac_node *hipac_leaf(struct hipac_builder *b, u32 rule)
{
	u32 slot = rule == HIPAC_NO_MATCH ? b->n_rules : rule;
	struct hipac_node *leaf;

	if (b->leaves[slot])
		return b->leaves[slot];
	leaf = hipac_node_alloc(b, 0, 0);
	if (!leaf)
		return NULL;
	leaf->dim = HIPAC_LEAF;
	leaf->rule = rule;
	b->tree->stats.leaves++;
	b->leaves[slot] = leaf;
	return leaf;
}

static u32 hipac_hash(u32 dim, const u32 *list, u32 n)
{
	u32 h = 2166136261u ^ dim;
	u32 i;

	for (i = 0; i < n; i++)
		h = (h ^ list[i]) * 16777619u;
	return h;
}

static struct hipac_memo *hipac_memo_find(struct hipac_builder *b, u32 hash,
					  u32 dim, const u32 *list, u32 n)
{
	u32 mask = b->memo_size - 1;
	u32 i = hash & mask;

	for (;; i = (i + 1) & mask) {
		struct hipac_memo *e = &b->memo[i];

		if (!e->list)
			return e;
		if (e->hash == hash && e->dim == dim && e->n == n &&
		    !memcmp(e->list, list, n * sizeof(u32)))
			return e;
	}
}

static int hipac_memo_grow(struct hipac_builder *b)
{
	struct hipac_memo *old = b->memo;
	u32 old_size = b->memo_size, i;

	b->memo = (struct hipac_memo *)klab_bigzalloc(2 * old_size *
						   sizeof(*b->memo));
	if (!b->memo) {
		b->memo = old;
		return -ENOMEM;
	}
	b->memo_size = 2 * old_size;
	for (i = 0; i < old_size; i++)
		if (old[i].list)
			*hipac_memo_find(b, old[i].hash, old[i].dim,
					 old[i].list, old[i].n) = old[i];
	klab_bigfree(old);
	return 0;
}

static int hipac_memo_add(struct hipac_builder *b, u32 hash, u32 dim,
			  const u32 *list, u32 n,
			  const struct hipac_node *node)
{
	struct hipac_memo *e;
	u32 *copy;

	if (2 * (b->memo_used + 1) > b->memo_size && hipac_memo_grow(b))
		return -ENOMEM;
	copy = (u32 *)klab_bigalloc(n * sizeof(u32));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, list, n * sizeof(u32));
	e = hipac_memo_find(b, hash, dim, list, n);
	e->hash = hash;
	e->dim = dim;
	e->n = n;
	e->list = copy;
	e->node = node;
	b->memo_used++;
	return 0;
}

/*
 * The sweep over one dimension.  An event says that at value @v one of
 * the matches of the rule at position @pos of the list starts or stops
 * holding; a rule allows a value when all its matches on the dimension
 * hold there.  Events are packed as (v << 32 | pos << 1 | starts) to be
 * sorted as integers.
 */
struct hipac_sweep {
	u64 *events;
	u32 n_events;
	u32 *need;		/* per position: matches on the dimension */
	u32 *held;		/* per position: how many of them hold */
	u64 *allowed;		/* bitmap of positions whose matches all hold */
};

static void hipac_event(struct hipac_sweep *sw, u32 v, u32 pos, bool starts)
{
	sw->events[sw->n_events++] = (u64)v << 32 | (u64)pos << 1 | starts;
}

static void hipac_sweep_free(struct hipac_sweep *sw)
{
	klab_bigfree(sw->events);
	klab_bigfree(sw->need);
	klab_bigfree(sw->held);
	klab_bigfree(sw->allowed);
}

static int hipac_sweep_init(struct hipac_sweep *sw,
			    const struct hipac_builder *b, u32 dim,
			    const u32 *list, u32 n)
{
	u32 max = b->dims->max[dim];
	u32 pos, j, count = 0;

	memset(sw, 0, sizeof(*sw));
	for (pos = 0; pos < n; pos++) {
		const struct hipac_rule *rule = &b->rules[list[pos]];

		for (j = 0; j < rule->n_matches; j++)
			count += rule->matches[j].dimid == dim ? 3 : 0;
	}
	sw->events = (u64 *)klab_bigalloc(count * sizeof(u64));
	sw->need = (u32 *)klab_bigzalloc(n * sizeof(u32));
	sw->held = (u32 *)klab_bigzalloc(n * sizeof(u32));
	sw->allowed = (u64 *)klab_bigzalloc((n + 63) / 64 * sizeof(u64));
	if (!sw->events || !sw->need || !sw->held || !sw->allowed) {
		hipac_sweep_free(sw);
		return -ENOMEM;
	}

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
		if (!sw->need[pos])
			sw->allowed[pos / 64] |= 1ull << (pos % 64);
	}
	hipac_sort(sw->events, sw->n_events);
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
		if (before != after)
			sw->allowed[pos / 64] ^= 1ull << (pos % 64);
	}
}

/*
 * Whether @rule, allowed in a region after the rules kept before it, can
 * still change the region's outcome; @stop is set when no later rule can.
 * @wild says whether @rule matches whatever the dimensions left hold.
 */
static bool hipac_keep(const struct hipac_builder *b, struct hipac_shadow *sh,
		       u32 rule, bool wild, bool *stop)
{
	if (b->flat)
		return hipac_flat_keep(b->flat, sh, rule, wild, stop);
	/* first match: a rule matching anything shadows every later one */
	*stop = wild;
	return true;
}

/*
 * The rules of @list allowed by the sweep that can still change the
 * outcome of the dimensions after @dim, in order.
 */
static u32 hipac_select(const struct hipac_builder *b,
			const struct hipac_sweep *sw, u32 dim,
			const u32 *list, u32 n, u32 *out)
{
	struct hipac_shadow sh = { 0, 0 };
	bool stop = false;
	u32 w, count = 0;

	for (w = 0; w < (n + 63) / 64; w++) {
		u64 bits = sw->allowed[w];

		while (bits) {
			u32 pos = w * 64 + __builtin_ctzll(bits);
			u32 rule = list[pos];

			bits &= bits - 1;
			if (hipac_keep(b, &sh, rule,
				       hipac_wild_from(b, rule, dim + 1), &stop))
				out[count++] = rule;
			if (stop)
				return count;
		}
	}
	return count;
}

static const struct hipac_node *hipac_build_dim(struct hipac_builder *b,
						u32 dim, u32 *list, u32 n);

/*
 * Build the node for @dim over @list, whose rules all match on @dim: sweep
 * the dimension from 0 up, building a child for each elementary interval.
 * Children of neighbouring intervals that agree merge into one interval.
 */
static const struct hipac_node *hipac_build_node(struct hipac_builder *b,
						 u32 dim, const u32 *list,
						 u32 n)
{
	const struct hipac_node **child = NULL, *result = NULL;
	u32 *lower = NULL, *sub = NULL;
	u32 next = 0, merged = 0, v = 0;
	struct hipac_sweep sw;
	struct hipac_node *node;

	if (hipac_sweep_init(&sw, b, dim, list, n))
		return NULL;
	sub = (u32 *)klab_bigalloc(n * sizeof(u32));
	lower = (u32 *)klab_bigalloc((sw.n_events + 1) * sizeof(u32));
	child = (const struct hipac_node **)
		klab_bigalloc((sw.n_events + 1) * sizeof(*child));
	if (!sub || !lower || !child)
		goto out_free;

	for (;;) {
		const struct hipac_node *c;

		klab_cond_resched();
		hipac_sweep_to(&sw, v, &next);
		c = hipac_build_dim(b, dim + 1, sub,
				    hipac_select(b, &sw, dim, list, n, sub));
		if (!c)
			goto out_free;
		if (!merged || child[merged - 1] != c) {
			lower[merged] = v;
			child[merged++] = c;
		}
		if (next == sw.n_events)
			break;
		v = sw.events[next] >> 32;
	}

	if (merged == 1) {
		result = child[0];
		goto out_free;
	}
	node = hipac_node_alloc(b, merged, 0);
	if (!node)
		goto out_free;
	node->dim = dim;
	memcpy(node->lower, lower, merged * sizeof(u32));
	memcpy(node->child, child, merged * sizeof(*child));
	b->tree->stats.nodes++;
	b->tree->stats.intervals += merged;
	result = node;

out_free:
	klab_bigfree(child);
	klab_bigfree(lower);
	klab_bigfree(sub);
	hipac_sweep_free(&sw);
	return result;
}

/* The leaf for a region where every rule of @list matches */
static const struct hipac_node *hipac_leaf_of(struct hipac_builder *b,
					      const u32 *list, u32 n)
{
	if (b->flat)
		return hipac_flat_leaf(b, list, n);
	return hipac_leaf(b, n ? list[0] : HIPAC_NO_MATCH);
}

/*
 * The subtree classifying @list's rules on dimensions @dim and up; drops
 * from @list the rules that cannot change the outcome.
 */
static const struct hipac_node *hipac_build_dim(struct hipac_builder *b,
						u32 dim, u32 *list, u32 n)
{
	struct hipac_shadow sh = { 0, 0 };
	const struct hipac_node *node;
	bool stop = false, all_wild = true;
	struct hipac_memo *e;
	u32 i, kept = 0, used = 0, hash;

	for (i = 0; i < n && !stop; i++) {
		bool wild = hipac_wild_from(b, list[i], dim);

		if (!hipac_keep(b, &sh, list[i], wild, &stop))
			continue;
		list[kept++] = list[i];
		all_wild &= wild;
	}
	n = kept;
	if (all_wild)
		return hipac_leaf_of(b, list, n);

	/* Skip the dimensions none of these rules matches on */
	for (i = 0; i < n; i++)
		used |= b->dim_mask[list[i]];
	while (!(used & (1u << dim)))
		dim++;

	hash = hipac_hash(dim, list, n);
	e = hipac_memo_find(b, hash, dim, list, n);
	if (e->list)
		return e->node;

	node = hipac_build_node(b, dim, list, n);
	if (!node || hipac_memo_add(b, hash, dim, list, n, node))
		return NULL;
	return node;
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

static void hipac_builder_free(struct hipac_builder *b)
{
	u32 i;

	if (b->memo)
		for (i = 0; i < b->memo_size; i++)
			klab_bigfree(b->memo[i].list);
	klab_bigfree(b->memo);
	klab_bigfree(b->leaves);
	klab_bigfree(b->dim_mask);
}

/*
 * Build the tree over the rules @b was set up with (dims, rules, n_rules,
 * flat, max_bytes); on error *@tree is left alone.
 */
int hipac_tree_build(struct hipac_tree **tree, struct hipac_builder *b)
{
	u32 n_rules = b->n_rules;
	u32 *all, i, j;

	b->err = -ENOMEM;
	b->memo_size = 64;
	b->tree = (struct hipac_tree *)klab_bigzalloc(sizeof(*b->tree));
	b->dim_mask = (u32 *)klab_bigzalloc((n_rules + 1) * sizeof(u32));
	b->leaves = (const struct hipac_node **)
		klab_bigzalloc((n_rules + 1) * sizeof(*b->leaves));
	b->memo = (struct hipac_memo *)klab_bigzalloc(b->memo_size *
						     sizeof(*b->memo));
	all = (u32 *)klab_bigalloc((n_rules + 1) * sizeof(u32));
	if (!b->tree || !b->dim_mask || !b->leaves || !b->memo || !all)
		goto err_free;

	for (i = 0; i < n_rules; i++) {
		all[i] = i;
		for (j = 0; j < b->rules[i].n_matches; j++)
			b->dim_mask[i] |= 1u << b->rules[i].matches[j].dimid;
	}
	b->tree->root = hipac_build_dim(b, 0, all, n_rules);
	if (!b->tree->root)
		goto err_free;

	b->tree->stats.bytes += sizeof(*b->tree);
	klab_bigfree(all);
	hipac_builder_free(b);
	*tree = b->tree;
	return 0;

err_free:
	klab_bigfree(all);
	hipac_builder_free(b);
	hipac_free(b->tree);
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
	return hipac_tree_build(tree, &b);
}

/* The leaf of @packet's elementary region: a binary search per node */
static const struct hipac_node *hipac_descend(const struct hipac_tree *tree,
					      const u32 *packet)
{
	const struct hipac_node *node = tree->root;

	while (node->dim != HIPAC_LEAF) {
		u32 value = packet[node->dim];
		u32 lo = 0, hi = node->n;

		/* the last interval whose lower bound is <= value */
		while (hi - lo > 1) {
			u32 mid = lo + (hi - lo) / 2;

			if (node->lower[mid] <= value)
				lo = mid;
			else
				hi = mid;
		}
		node = node->child[lo];
	}
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
 * hipac_free() - free a tree
 * @tree: a tree from hipac_build(), or NULL
 */
void hipac_free(struct hipac_tree *tree)
{
	struct hipac_node *node, *next;

	if (!tree)
		return;
	for (node = tree->nodes; node; node = next) {
		next = node->next;
		klab_bigfree(node);
	}
	klab_bigfree(tree);
}
