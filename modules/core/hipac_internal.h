/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HiPAC internals shared by the tree builder (hipac_tree.c) and the chain
 * flattening (hipac_chain.c); not part of the API.
 */
#ifndef _KLAB_HIPAC_INTERNAL_H
#define _KLAB_HIPAC_INTERNAL_H

#include "hipac.h"

#define HIPAC_LEAF	0xffffffffu

struct hipac_node {
	struct hipac_node *next;	/* every node of a tree, for freeing */
	u32 dim;			/* HIPAC_LEAF for a leaf */
	u32 n;				/* elementary intervals; 0 for a leaf */
	u32 rule;			/* leaf: first matching rule or NO_MATCH */
	const struct hipac_result *result; /* leaf of a chains tree */
	u32 *lower;			/* lower bounds; lower[0] == 0 */
	const struct hipac_node **child;
};

struct hipac_tree {
	const struct hipac_node *root;
	struct hipac_node *nodes;
	struct hipac_stats stats;
};

/* A subtree already built for one (dimension, rule list) pair */
struct hipac_memo {
	u32 hash;
	u32 dim;
	u32 n;
	u32 *list;			/* NULL: free slot */
	const struct hipac_node *node;
};

struct hipac_flat;

/*
 * Builds a tree over flat rules.  Without @flat, a leaf is the first rule
 * matching; with it, the outcome of walking the chains the rules were
 * flattened from (hipac_chain.c).
 */
struct hipac_builder {
	const struct hipac_dims *dims;
	const struct hipac_rule *rules;
	u32 n_rules;
	struct hipac_flat *flat;
	u64 max_bytes;			/* 0: no limit */
	int err;			/* why a build step returned NULL */
	u32 *dim_mask;			/* per rule: dimensions it matches on */
	const struct hipac_node **leaves; /* per rule, then one for no match */
	struct hipac_tree *tree;
	struct hipac_memo *memo;
	u32 memo_size;			/* a power of two */
	u32 memo_used;
};

/*
 * Which rules of a region's list can still change its outcome: the rules
 * of steps in [@drop_from, @drop_to) cannot.
 */
struct hipac_shadow {
	u32 drop_from;
	u32 drop_to;
};

static inline bool hipac_match_holds(const struct hipac_match *m, u32 value)
{
	bool inside = value >= m->left && value <= m->right;

	return m->invert ? !inside : inside;
}

/* The end of the run of rules of one origin that starts at rule @i */
static inline u32 hipac_run_end(const struct hipac_chain *c, u32 i)
{
	u32 j = i + 1;

	while (j < c->n_rules && c->rules[j].origin == c->rules[i].origin)
		j++;
	return j;
}

int hipac_tree_build(struct hipac_tree **tree, struct hipac_builder *b);
struct hipac_node *hipac_node_alloc(struct hipac_builder *b, u32 n,
				    u32 extra);
bool hipac_flat_keep(const struct hipac_flat *f, struct hipac_shadow *sh,
		     u32 rule, bool wild, bool *stop);
const struct hipac_node *hipac_flat_leaf(struct hipac_builder *b,
					 const u32 *list, u32 n);

#endif /* _KLAB_HIPAC_INTERNAL_H */
