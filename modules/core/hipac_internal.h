/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HiPAC internals shared by the tree builder (hipac_tree.c) and the chain
 * flattening (hipac_chain.c); not part of the API.
 */
#ifndef _KLAB_HIPAC_INTERNAL_H
#define _KLAB_HIPAC_INTERNAL_H

#include "hipac.h"

#define HIPAC_LEAF	0xffffffffu
#define HIPAC_INDEX	1u		/* @rule of an index node */

struct hipac_memo;

/*
 * Nodes are shared: within a tree by identical subtrees, between the trees
 * of one family by updates.  @ref counts the child slots and trees
 * pointing to the node; the memo entries naming it hold none and go with
 * it.
 */
struct hipac_node {
	u32 ref;
	u32 mark;			/* last stats walk that counted it */
	u32 dim;			/* HIPAC_LEAF for a leaf */
	u32 n;				/* elementary intervals; 0 for a leaf */
	u32 rule;			/* leaf: first match; else HIPAC_INDEX, 0 */
	u64 bytes;			/* the node and its memo entries */
	struct hipac_memo *keys;	/* its memo entries */
	const struct hipac_result *result; /* leaf of a chains tree */
	/* then @n children and their @n lower bounds (the first one 0) */
};

/*
 * A node of more intervals than hipac_chunk_max is an index node
 * (@rule HIPAC_INDEX): its children are chunks, nodes of the same
 * dimension holding up to hipac_chunk_max of its intervals each, so that
 * an update copies and references the chunks it does not touch, not
 * every interval.  Lookups need not know: a chunk is a node of the
 * dimension the packet is still at.
 */
static inline bool hipac_is_index(const struct hipac_node *node)
{
	return node->n && node->rule == HIPAC_INDEX;
}

/* The children of @node, which follow it in its allocation */
static inline const struct hipac_node **
hipac_children(const struct hipac_node *node)
{
	return (const struct hipac_node **)(node + 1);
}

/* The lowest value each child covers, after the children */
static inline u32 *hipac_lowers(const struct hipac_node *node)
{
	return (u32 *)(hipac_children(node) + node->n);
}

/* The index of the child of @node for value @v */
static inline u32 hipac_index_at(const struct hipac_node *node, u32 v)
{
	const u32 *lower = hipac_lowers(node);
	u32 lo = 0, hi = node->n;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (lower[mid] <= v)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * A subtree already built: for a node, the rules (by identity) of one
 * dimension's region; for a leaf, its outcome.
 */
struct hipac_memo {
	struct hipac_memo *next;	/* the node's other entries */
	struct hipac_node *node;
	u32 hash;			/* of the key's words */
	u32 dim;			/* HIPAC_LEAF for a leaf's outcome */
	u32 len;			/* bytes of @key */
	u8 key[];			/* packed: hipac_key_pack() */
};

/*
 * What a flat rule is, whatever its position: the flat rule it was
 * called through (HIPAC_NO_MATCH in the root chain), and its own chain
 * rule's matches, origin, action, verdict and index in its run (a rule
 * whose run is split or merged with another moves in it, or starts it).
 */
struct hipac_ident {
	u32 hash;
	u32 parent;
	u32 origin;
	u32 action;
	u32 verdict;
	u32 idx;
	u32 n_matches;
	struct hipac_match *matches;
};

/*
 * The trees built from one another by updates, and what they share: the
 * level order, the memo of every live node and the identities of flat
 * rules.  Updates and frees of one family's trees must not run at once.
 */
struct hipac_family {
	u32 trees;
	u32 mark;
	bool chains;			/* keyed by identities, not indices */
	struct hipac_dims dims;
	u8 order[HIPAC_MAX_DIMS];	/* level of the tree -> dimension */
	u8 level_of[HIPAC_MAX_DIMS];
	u32 policy;			/* the root chain's, for updates */
	u32 policy_origin;
	struct hipac_memo **memo;
	u32 memo_size;			/* a power of two */
	u32 memo_used;
	struct hipac_ident *idents;	/* by id */
	u32 n_idents;
	u32 idents_cap;
	u32 *ident_slots;		/* id + 1, 0: free */
	u32 ident_size;			/* a power of two */
	u64 ident_bytes;
};

/* Partitions of a first-match rule set (hipac_part.c) */
#define HIPAC_PART_MAX		4
#define HIPAC_PART_DIMS		(HIPAC_PART_MAX - 1)

struct hipac_pfam;

/* One part's tree, shared by the trees whose part has the same rules */
struct hipac_part {
	u32 ref;
	u32 n;				/* rules */
	u32 *ids;			/* per rule: its step's identity */
	struct hipac_tree *tree;
};

/*
 * A tree is either one HiPAC tree (@root, @fam) or, for a root chain of
 * verdict rules only, up to HIPAC_PART_MAX trees over parts of its rules
 * (@pfam, @parts, @pents; @root NULL).
 */
struct hipac_tree {
	const struct hipac_node *root;
	struct hipac_family *fam;
	struct hipac_stats stats;
	struct hipac_pfam *pfam;
	struct hipac_part *parts[HIPAC_PART_MAX];
	u32 n_parts;
	u32 n_pents;			/* step identities + the policy's */
	u32 *pents;			/* per identity: position, then result */
	u32 win_nodes;			/* nodes its update built in a window */
	u32 guessed;			/* steps its update found unhashed */
	bool by_delta;			/* counted from its old tree */
	u64 node_bytes;			/* of its nodes, in @stats.bytes */
};

struct hipac_flat;

/* A memo key as looked up and stored: packed (hipac_key_pack()), hashed */
struct hipac_key {
	u32 hash;
	u32 dim;			/* HIPAC_LEAF for a leaf's outcome */
	u32 len;			/* bytes of @packed */
	u8 *packed;			/* on the builder's scratch stack */
};

struct hipac_chunk;

/* Scratch memory freed in the reverse order of its allocation */
struct hipac_scratch {
	struct hipac_chunk *top;
	struct hipac_chunk *spare;
};

/*
 * Where the rules that changed since an old tree may match: per
 * dimension, the hull of the values they allow.
 */
struct hipac_box {
	u32 lo[HIPAC_MAX_DIMS];
	u32 hi[HIPAC_MAX_DIMS];
};

/*
 * Builds a tree over flat rules.  Without @flat, a leaf is the first rule
 * matching and the memo knows rules by index; with it, a leaf is the
 * outcome of walking the chains the rules were flattened from
 * (hipac_chain.c), and rules are known by their identity in @fam, so that
 * an update finds the subtrees of older trees whose rules are still the
 * same.
 */
struct hipac_builder {
	const struct hipac_dims *dims;
	const struct hipac_rule *rules;
	u32 n_rules;
	struct hipac_flat *flat;
	struct hipac_family *fam;
	u64 max_bytes;			/* 0: no limit */
	u64 new_bytes;			/* allocated by this build */
	int err;			/* why a build step returned NULL */
	u32 *dim_mask;			/* per rule: levels it matches on */
	const struct hipac_box *win;	/* the changes since @old, or NULL */
	const struct hipac_tree *old;
	struct hipac_tree *tree;
	u32 win_nodes;			/* built by hipac_win_node() */
	u32 born_mark;			/* counting what it makes, or 0 */
	u32 cut_mark;			/* on old nodes hipac_win_node() took */
	struct hipac_stats born;	/* made (a build that succeeds frees none) */
	struct hipac_scratch scratch;
};

/*
 * Which rules of a region's list can still change its outcome: the rules
 * of steps in [@drop_from, @drop_to) cannot, and of the step of the last
 * rules kept (@step, the last @run of the list), only one if @wild.
 */
struct hipac_shadow {
	u32 drop_from;
	u32 drop_to;
	u32 step;
	u32 run;
	bool wild;
};

static inline bool hipac_match_holds(const struct hipac_match *m, u32 value)
{
	bool inside = value >= m->left && value <= m->right;

	return m->invert ? !inside : inside;
}

/*
 * A key as the memo keeps it: each word's difference from the word before
 * (identities of neighbouring rules are close), zigzagged so that a small
 * step down is small too, 7 bits a byte, the high bit saying more follow.
 * A key's bytes decode to it alone.  @out has room for 5 bytes a word.
 */
static inline u32 hipac_key_pack(const u32 *key, u32 n, u8 *out)
{
	u32 prev = 0, len = 0, i;

	for (i = 0; i < n; i++) {
		u32 d = key[i] - prev;
		u32 z = d << 1 ^ (d >> 31 ? 0xffffffffu : 0);

		prev = key[i];
		for (; z >= 0x80; z >>= 7)
			out[len++] = (u8)(z | 0x80);
		out[len++] = (u8)z;
	}
	return len;
}

/* The end of the run of rules of one origin that starts at rule @i */
static inline u32 hipac_run_end(const struct hipac_chain *c, u32 i)
{
	u32 j = i + 1;

	while (j < c->n_rules && c->rules[j].origin == c->rules[i].origin)
		j++;
	return j;
}

/* Regions with fewer rules update by the memo, not by a window */
extern u32 hipac_win_min_rules;
/* Nodes of more intervals are index nodes over chunks of at most this */
extern u32 hipac_chunk_max;

void *hipac_scratch_alloc(struct hipac_scratch *s, u64 bytes);
void hipac_scratch_free(struct hipac_scratch *s, void *p);
void hipac_scratch_release(struct hipac_scratch *s);
int hipac_tree_build(struct hipac_tree **tree, struct hipac_builder *b);
u32 hipac_mark_new(struct hipac_family *fam);
#ifdef __cplusplus
extern "C" {	/* for the host tests */
#endif
void hipac_tree_walk(const struct hipac_tree *tree, struct hipac_stats *st);
#ifdef __cplusplus
}
#endif
void hipac_stats_node(struct hipac_stats *st, const struct hipac_node *node);
void hipac_tree_count(struct hipac_builder *b);
struct hipac_family *hipac_family_new(const struct hipac_dims *dims);
void hipac_family_put(struct hipac_family *fam);
struct hipac_node *hipac_node_alloc(struct hipac_builder *b, u32 n,
				    u32 extra);
void hipac_node_put(struct hipac_family *fam, struct hipac_node *node);
int hipac_key_init(struct hipac_builder *b, struct hipac_key *k, u32 dim,
		   const u32 *key, u32 n);
void hipac_key_free(struct hipac_builder *b, struct hipac_key *k);
struct hipac_node *hipac_memo_get(struct hipac_family *fam,
				  const struct hipac_key *k);
int hipac_memo_add(struct hipac_builder *b, const struct hipac_key *k,
		   struct hipac_node *node);
int hipac_chains_tree(struct hipac_tree **tree, const struct hipac_tree *old,
		      const struct hipac_box *win, bool by_step,
		      const struct hipac_dims *dims,
		      const struct hipac_chain *chains, u32 n_chains, u32 root,
		      const struct hipac_limits *limits, struct hipac_error *err);
int hipac_part_make(struct hipac_tree **tree, const struct hipac_tree *old,
		    const struct hipac_dims *dims,
		    const struct hipac_chain *chains, u32 n_chains, u32 root,
		    const struct hipac_limits *limits, struct hipac_error *err);
const struct hipac_result *hipac_part_classify(const struct hipac_tree *tree,
					       const u32 *packet);
void hipac_part_free(struct hipac_tree *tree);
u32 hipac_flat_key(const struct hipac_flat *f, u32 rule, bool wild);
u32 hipac_flat_add(const struct hipac_flat *f, struct hipac_shadow *sh,
		   u32 *list, u32 n, u32 rule, bool wild, bool *stop);
struct hipac_node *hipac_flat_leaf(struct hipac_builder *b, const u32 *list,
				   u32 n);

#endif /* _KLAB_HIPAC_INTERNAL_H */
