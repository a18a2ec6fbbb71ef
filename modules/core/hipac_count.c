// SPDX-License-Identifier: GPL-2.0
/*
 * The size of a tree (struct hipac_stats), shared nodes counted once.
 *
 * A fresh tree is walked.  An update need not walk: when the tree it was
 * built from is the only other tree of the family, every live node is in
 * one of the two, so the new tree holds the old one's nodes, less those
 * only the old one holds, plus those the build made.  The build counts
 * what it makes (hipac_node_alloc(), hipac_memo_add()); one that succeeds
 * frees none of it (a node is put only where its neighbour is the same
 * node, or on an error).  What only the old tree holds is found by
 * counting its references down as freeing it would, and back.
 * A node hipac_win_node() updated hands its children outside the window
 * to the new node, so those keep a reference and are not visited: the
 * count-down costs the window, not the old tree (of an index node, the
 * chunks the window reached and the index).
 */
#include "hipac_internal.h"

/* A mark no node carries yet, never 0 (which fresh nodes carry) */
u32 hipac_mark_new(struct hipac_family *fam)
{
	if (!++fam->mark)
		fam->mark = 1;
	return fam->mark;
}

/* Count what @node reaches that this walk has not counted yet */
static void hipac_count(struct hipac_family *fam, const struct hipac_node *node,
			struct hipac_stats *st)
{
	struct hipac_node *n = (struct hipac_node *)node;
	u32 i;

	if (n->mark == fam->mark)
		return;
	n->mark = fam->mark;
	hipac_stats_node(st, n);
	for (i = 0; i < n->n; i++)	/* none for a leaf */
		hipac_count(fam, hipac_children(n)[i], st);
}

/**
 * hipac_tree_walk() - count the nodes of @tree by a walk
 * @tree: a tree of one family (not partitioned)
 * @st: set to its nodes, leaves, intervals and their bytes
 *
 * Writes only the nodes' marks, so lookups in other trees may go on.
 */
void hipac_tree_walk(const struct hipac_tree *tree, struct hipac_stats *st)
{
	memset(st, 0, sizeof(*st));
	hipac_mark_new(tree->fam);
	hipac_count(tree->fam, tree->root, st);
}

/* Count @node (a leaf has no intervals) */
void hipac_stats_node(struct hipac_stats *st, const struct hipac_node *node)
{
	st->bytes += node->bytes;
	if (!node->n) {
		st->leaves++;
		return;
	}
	st->nodes++;
	st->intervals += node->n;
}

/* The old tree's nodes being counted down (hipac_drop()) */
struct hipac_drop {
	const struct hipac_builder *b;
	struct hipac_stats st;		/* of the nodes only it holds */
};

/*
 * The children of @node that freeing it drops and no new node holds:
 * all, or for a node hipac_win_node() updated (its mark is b->cut_mark),
 * those it did not hand on: from the first at or above the window's
 * lowest value to the one holding the value past its highest.  An index
 * node has no such mark: its chunks are few, and those the window did
 * not copy keep the new index node's reference.
 */
static void hipac_drop_range(const struct hipac_drop *d,
			     const struct hipac_node *node, u32 *from, u32 *to)
{
	u32 lo, hi;

	*from = 0;
	*to = node->n;
	if (node->mark != d->b->cut_mark)
		return;
	lo = d->b->win->lo[node->dim];
	hi = d->b->win->hi[node->dim];
	if (lo)
		*from = hipac_index_at(node, lo - 1) + 1;
	if (hi < d->b->dims->max[node->dim])
		*to = hipac_index_at(node, hi + 1);
}

/* @node has lost its last reference: count it, and drop its children's */
static void hipac_drop(struct hipac_drop *d, struct hipac_node *node)
{
	u32 from, to, i;

	hipac_stats_node(&d->st, node);
	hipac_drop_range(d, node, &from, &to);
	for (i = from; i < to; i++) {
		struct hipac_node *c = (struct hipac_node *)
				       hipac_children(node)[i];

		if (!--c->ref)
			hipac_drop(d, c);
	}
}

/* Give back what hipac_drop() took from @node's children */
static void hipac_undrop(struct hipac_drop *d, struct hipac_node *node)
{
	u32 from, to, i;

	hipac_drop_range(d, node, &from, &to);
	for (i = from; i < to; i++) {
		struct hipac_node *c = (struct hipac_node *)
				       hipac_children(node)[i];

		if (!c->ref)
			hipac_undrop(d, c);
		c->ref++;
	}
}

/*
 * The nodes of @b's new tree, from those of @b->old: those only @b->old
 * holds out, those the build made (@b->born) in.
 */
static void hipac_count_delta(struct hipac_builder *b, struct hipac_stats *st)
{
	struct hipac_node *root = (struct hipac_node *)b->old->root;
	const struct hipac_stats *was = &b->old->stats;
	struct hipac_drop d;

	memset(&d, 0, sizeof(d));
	d.b = b;
	if (!--root->ref)
		hipac_drop(&d, root);
	if (!root->ref)
		hipac_undrop(&d, root);
	root->ref++;
	st->nodes = was->nodes - d.st.nodes + b->born.nodes;
	st->leaves = was->leaves - d.st.leaves + b->born.leaves;
	st->intervals = was->intervals - d.st.intervals + b->born.intervals;
	st->bytes = b->old->node_bytes - d.st.bytes + b->born.bytes;
}

/**
 * hipac_tree_count() - the size of the tree @b built
 * @b: the builder, its tree built, @b->born counted if @b->born_mark
 *
 * The tree's stats: its nodes, by the count-down when the build counted
 * (hipac_tree_build() decides), else by a walk; then the family's
 * identities and memo table.
 */
void hipac_tree_count(struct hipac_builder *b)
{
	struct hipac_tree *tree = b->tree;
	struct hipac_family *fam = tree->fam;
	struct hipac_stats *st = &tree->stats;

	if (b->born_mark) {
		hipac_count_delta(b, st);
		tree->by_delta = true;
	} else {
		hipac_tree_walk(tree, st);
	}
	tree->node_bytes = st->bytes;
	st->bytes += sizeof(*tree) + fam->ident_bytes +
		     (u64)fam->memo_size * sizeof(*fam->memo);
	st->new_bytes = b->new_bytes;
}
