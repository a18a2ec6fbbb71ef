/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HiPAC: packet classification by multi-dimensional range matching.
 *
 * A rule is a conjunction of matches, each a closed interval [left, right]
 * on one dimension (a packet field: an address word, a port, the
 * protocol...), optionally inverted ("!").  A packet is a vector of one
 * u32 value per dimension.  Classifying it means finding the first rule,
 * in rule order, whose matches all hold: what a linear walk of an
 * iptables chain computes, in time proportional to the number of rules.
 *
 * The HiPAC tree (Heinz and Bellion) computes the same answer in time
 * proportional to the number of dimensions.  Each node covers one
 * dimension: it cuts the dimension's value space at every rule bound into
 * "elementary intervals", within which every rule either matches or not,
 * and points for each interval to the node for the next dimension built
 * from just the rules that match there.  A lookup is one binary search
 * per dimension.  Identical subtrees are built once and shared, and a
 * subtree stops at the first rule that matches whatever the remaining
 * dimensions hold (it shadows every later rule).
 *
 * The tree is immutable once built: changes build a new tree, which the
 * kernel swaps in under RCU, so lookups never block and never see a
 * half-built tree.
 */
#ifndef _KLAB_HIPAC_H
#define _KLAB_HIPAC_H

#include "klab_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HIPAC_MAX_DIMS		32
#define HIPAC_NO_MATCH		0xffffffffu

/**
 * struct hipac_match - one interval match
 * @dimid: the dimension matched
 * @invert: match values outside [@left, @right] instead
 * @left: lowest value matched
 * @right: highest value matched
 */
struct hipac_match {
	u8 dimid;
	u8 invert;
	u32 left;
	u32 right;
};

/**
 * struct hipac_rule - a conjunction of matches; dimensions without one
 *	match any value
 * @matches: the matches, in any order; a dimension may appear twice
 * @n_matches: number of @matches
 */
struct hipac_rule {
	const struct hipac_match *matches;
	u32 n_matches;
};

/**
 * struct hipac_dims - the dimensions a classifier works on
 * @n: number of dimensions, at most HIPAC_MAX_DIMS
 * @max: highest value of each dimension (e.g. 65535 for a port)
 */
struct hipac_dims {
	u32 n;
	u32 max[HIPAC_MAX_DIMS];
};

struct hipac_tree;

/**
 * struct hipac_stats - the size of a built tree
 * @nodes: internal nodes (each one dimension of one subtree)
 * @leaves: distinct leaves
 * @intervals: elementary intervals over all nodes
 * @bytes: memory held by the tree
 */
struct hipac_stats {
	u32 nodes;
	u32 leaves;
	u64 intervals;
	u64 bytes;
};

int hipac_validate(const struct hipac_dims *dims,
		   const struct hipac_rule *rules, u32 n_rules, u32 *bad_rule);
int hipac_build(struct hipac_tree **tree, const struct hipac_dims *dims,
		const struct hipac_rule *rules, u32 n_rules);
u32 hipac_lookup(const struct hipac_tree *tree, const u32 *packet);
void hipac_tree_stats(const struct hipac_tree *tree, struct hipac_stats *stats);
void hipac_free(struct hipac_tree *tree);

u32 hipac_linear_lookup(const struct hipac_rule *rules, u32 n_rules,
			const u32 *packet);

#ifdef __cplusplus
}
#endif

#endif /* _KLAB_HIPAC_H */
