/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A red-black tree for the freestanding scheduler core.
 *
 * The kernel's lib/rbtree cannot be used from userspace, and the core is
 * built into klabctl's simulator as well as into sched_demo.ko, so the
 * core carries its own: intrusive nodes with parent pointers, insertion
 * through a "less" callback, and a cached leftmost node, which is what
 * the fair class (ordered by vruntime) and the deadline class (ordered by
 * absolute deadline) pick from.  Equal keys go to the right of the
 * existing ones, so ties are served in insertion order.
 */
#ifndef _KSCHED_RBTREE_H
#define _KSCHED_RBTREE_H

#include "klab_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ksched_rb_node {
	struct ksched_rb_node *parent;
	struct ksched_rb_node *left;
	struct ksched_rb_node *right;
	bool red;
};

struct ksched_rb_root {
	struct ksched_rb_node *root;
	struct ksched_rb_node *leftmost;
	unsigned int count;
};

/* True when @a sorts before @b */
typedef bool (*ksched_rb_less_fn)(const struct ksched_rb_node *a,
				  const struct ksched_rb_node *b);

void ksched_rb_init(struct ksched_rb_root *root);
void ksched_rb_insert(struct ksched_rb_root *root, struct ksched_rb_node *node,
		      ksched_rb_less_fn less);
void ksched_rb_erase(struct ksched_rb_root *root, struct ksched_rb_node *node);
struct ksched_rb_node *ksched_rb_next(const struct ksched_rb_node *node);
struct ksched_rb_node *ksched_rb_prev(const struct ksched_rb_node *node);
struct ksched_rb_node *ksched_rb_last(const struct ksched_rb_root *root);

static inline struct ksched_rb_node *
ksched_rb_first(const struct ksched_rb_root *root)
{
	return root->leftmost;
}

static inline bool ksched_rb_empty(const struct ksched_rb_root *root)
{
	return !root->root;
}

/*
 * Check the tree's invariants (root black, no red node with a red child,
 * equal black height on every path, parent links, order under @less, the
 * cached leftmost and the count).  Returns the black height, or -1 when an
 * invariant is broken.  For tests.
 */
int ksched_rb_check(const struct ksched_rb_root *root, ksched_rb_less_fn less);

#ifdef __cplusplus
}
#endif

#endif /* _KSCHED_RBTREE_H */
