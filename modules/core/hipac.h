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
 * dimensions hold (it shadows every later rule).  The levels of the tree
 * take the dimensions in the order that narrows the rules fastest, which
 * the builder chooses from the rules.
 *
 * The tree is immutable once built: changes build a new tree, which the
 * kernel swaps in under RCU, so lookups never block and never see a
 * half-built tree.
 *
 * Updates.  A change builds a new tree from the old one, copy on write:
 * the new tree shares every subtree whose rules did not change and builds
 * only what the change reaches.  What makes this work is the memo of
 * subtrees, which lives on with the trees of a "family" (a tree and the
 * trees updated from it).  Its key is the dimension and the list of the
 * rules left in a region, named not by position, which an insertion
 * shifts, but by an identity interned in the family: for a flat rule,
 * the flat rule of the jump it was called through, its chain rule's
 * matches, origin, action, verdict and index in its run.  The new build
 * starts at the root and, in each region, looks the key up first: a
 * region that a changed rule does not reach has the key it had and its
 * subtree is taken as it is.  So an inserted rule costs the nodes whose
 * regions it lies in (and their keys): with a narrow rule, the path to
 * it; with one matching anything on the first level's dimension, every
 * child of the root, but not their subtrees.  Leaves are keyed by their
 * outcome, which names rules by origin: origins must stay put while the
 * rule does (the kernel numbers its rules so).  An update keeps the old
 * level order; new dimensions or a new root policy, which identities do
 * not capture, start a new family.
 *
 * Partitions.  A root chain of verdict rules only (a first-match rule
 * set, what big firewalls are) is not one tree but up to four: its rules
 * are split by the first of up to three dimensions they are narrow in
 * (e.g. a /16 or longer source), plus one part for the rest, each part a
 * tree as above, a lookup descends each and keeps the earliest match.
 * Rules wide in one dimension then no longer multiply the subtrees of
 * the rules narrow in it, and an update rebuilds only the parts it
 * changes (hipac_part.c).
 *
 * Nodes count their references (the child slots and trees pointing to
 * them); freeing a tree drops its root, and a node whose count falls to
 * zero goes with its memo entries and drops its children, so freeing the
 * old tree after the swap frees exactly what the new one does not share,
 * whichever goes first.  The counts are plain integers: updates and frees
 * of one family must be serialised (the kernel holds a mutex), lookups
 * need nothing.
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
 * @bytes: memory held by the tree, shared parts included
 * @new_bytes: memory the build that made the tree allocated; the rest it
 *	shares with the tree it was updated from
 */
struct hipac_stats {
	u32 nodes;
	u32 leaves;
	u64 intervals;
	u64 bytes;
	u64 new_bytes;
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

/*
 * Chains.  An iptables-style rule set is a set of chains whose rules may
 * jump to other chains, return from them or only count; hipac_chains_build()
 * flattens the chains reachable from one root chain (a netfilter hook's
 * base chain) into one tree whose leaves hold the whole outcome of the
 * walk: the final verdict and the rules matched on the way, in order, for
 * counters and logging.  The result equals a linear walk of the chains,
 * which hipac_chains_walk() performs as the reference.
 */

/**
 * enum hipac_action - what a matching chain rule does
 * @HIPAC_ACT_CONTINUE: nothing but being reported (a counter, a LOG);
 *	the walk goes on with the next rule
 * @HIPAC_ACT_VERDICT: the walk ends with the rule's @arg as verdict
 * @HIPAC_ACT_JUMP: walk chain @arg, then go on after this rule
 * @HIPAC_ACT_GOTO: walk chain @arg instead of the rest of this chain
 * @HIPAC_ACT_RETURN: leave this chain; in the root chain, the policy
 *	applies
 */
enum hipac_action {
	HIPAC_ACT_CONTINUE,
	HIPAC_ACT_VERDICT,
	HIPAC_ACT_JUMP,
	HIPAC_ACT_GOTO,
	HIPAC_ACT_RETURN,
};

/**
 * struct hipac_chain_rule - one rule of a chain
 * @matches: the conjunction of matches, as in struct hipac_rule
 * @n_matches: number of @matches
 * @origin: the caller's id of the rule, reported in results.  A run of
 *	consecutive rules of one chain with the same origin is one rule
 *	whose match is the disjunction of theirs (what a caller makes of a
 *	match that is not one interval per dimension, e.g. a port list):
 *	it is reported and acts once.  The rules of a run share @action
 *	and @arg.
 * @action: enum hipac_action
 * @arg: the verdict (HIPAC_ACT_VERDICT) or the index of the chain
 *	(HIPAC_ACT_JUMP, HIPAC_ACT_GOTO)
 */
struct hipac_chain_rule {
	const struct hipac_match *matches;
	u32 n_matches;
	u32 origin;
	u32 action;
	u32 arg;
};

/**
 * struct hipac_chain - a chain
 * @rules: its rules in order
 * @n_rules: number of @rules
 * @policy: the verdict when the walk leaves the root chain
 * @policy_origin: reported as the last origin when the policy applies
 */
struct hipac_chain {
	const struct hipac_chain_rule *rules;
	u32 n_rules;
	u32 policy;
	u32 policy_origin;
};

/**
 * struct hipac_limits - bounds of a build
 * @max_depth: deepest nesting of jumps (the root chain is depth 0)
 * @max_flat_rules: most rules after flattening; 0: no bound
 * @max_bytes: most memory the tree may take (hipac_stats.bytes); 0: no
 *	bound
 */
struct hipac_limits {
	u32 max_depth;
	u32 max_flat_rules;
	u64 max_bytes;
};

/**
 * struct hipac_error - why a build failed
 * @chain: index of the chain at fault (a loop, a bad target), or
 *	HIPAC_NO_MATCH
 * @rule: index of the rule at fault within @chain, or HIPAC_NO_MATCH
 * @msg: a static message, e.g. "chain loop"
 */
struct hipac_error {
	u32 chain;
	u32 rule;
	const char *msg;
};

/**
 * struct hipac_result - the outcome of a walk
 * @verdict: the final verdict (a rule's @arg or the root's policy)
 * @n_origins: number of @origins
 * @origins: origin of each rule matched, in walk order, ending with the
 *	rule that gave the verdict or with the policy's origin
 */
struct hipac_result {
	u32 verdict;
	u32 n_origins;
	u32 origins[];
};

int hipac_chains_build(struct hipac_tree **tree, const struct hipac_dims *dims,
		       const struct hipac_chain *chains, u32 n_chains,
		       u32 root, const struct hipac_limits *limits,
		       struct hipac_error *err);
int hipac_chains_update(struct hipac_tree **tree, const struct hipac_tree *old,
			const struct hipac_dims *dims,
			const struct hipac_chain *chains, u32 n_chains,
			u32 root, const struct hipac_limits *limits,
			struct hipac_error *err);
const struct hipac_result *hipac_classify(const struct hipac_tree *tree,
					  const u32 *packet);
int hipac_chains_walk(const struct hipac_chain *chains, u32 n_chains, u32 root,
		      u32 max_depth, const u32 *packet,
		      struct hipac_result *res, u32 max_origins);

#ifdef __cplusplus
}
#endif

#endif /* _KLAB_HIPAC_H */
