// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler core's red-black tree: see ksched_rbtree.h.
 *
 * Textbook insertion and deletion fix-ups with NULL leaves; deletion
 * tracks the parent of the (possibly NULL) node that took the removed
 * node's place, since a NULL leaf has no parent pointer of its own.
 */
#include "ksched_rbtree.h"

void ksched_rb_init(struct ksched_rb_root *root)
{
	root->root = NULL;
	root->leftmost = NULL;
	root->count = 0;
}

static bool rb_is_red(const struct ksched_rb_node *n)
{
	return n && n->red;
}

/* Make @new take @old's place under @old's parent */
static void rb_replace_child(struct ksched_rb_root *root,
			     struct ksched_rb_node *old,
			     struct ksched_rb_node *new_node)
{
	struct ksched_rb_node *parent = old->parent;

	if (!parent)
		root->root = new_node;
	else if (parent->left == old)
		parent->left = new_node;
	else
		parent->right = new_node;
	if (new_node)
		new_node->parent = parent;
}

static void rb_rotate_left(struct ksched_rb_root *root, struct ksched_rb_node *x)
{
	struct ksched_rb_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	rb_replace_child(root, x, y);
	y->left = x;
	x->parent = y;
}

static void rb_rotate_right(struct ksched_rb_root *root, struct ksched_rb_node *x)
{
	struct ksched_rb_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	rb_replace_child(root, x, y);
	y->right = x;
	x->parent = y;
}

static void rb_insert_fixup(struct ksched_rb_root *root, struct ksched_rb_node *z)
{
	while (rb_is_red(z->parent)) {
		struct ksched_rb_node *p = z->parent;
		struct ksched_rb_node *g = p->parent;	/* red p is never the root */
		struct ksched_rb_node *uncle = g->left == p ? g->right : g->left;

		if (rb_is_red(uncle)) {
			p->red = false;
			uncle->red = false;
			g->red = true;
			z = g;
			continue;
		}
		if (g->left == p) {
			if (p->right == z) {
				rb_rotate_left(root, p);
				z = p;
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			rb_rotate_right(root, g);
		} else {
			if (p->left == z) {
				rb_rotate_right(root, p);
				z = p;
				p = z->parent;
			}
			p->red = false;
			g->red = true;
			rb_rotate_left(root, g);
		}
	}
	root->root->red = false;
}

void ksched_rb_insert(struct ksched_rb_root *root, struct ksched_rb_node *node,
		      ksched_rb_less_fn less)
{
	struct ksched_rb_node **link = &root->root;
	struct ksched_rb_node *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (less(node, parent)) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}
	node->parent = parent;
	node->left = NULL;
	node->right = NULL;
	node->red = true;
	*link = node;
	if (leftmost)
		root->leftmost = node;
	root->count++;
	rb_insert_fixup(root, node);
}

static void rb_erase_fixup(struct ksched_rb_root *root, struct ksched_rb_node *x,
			   struct ksched_rb_node *parent)
{
	while (x != root->root && !rb_is_red(x)) {
		struct ksched_rb_node *w;

		if (parent->left == x) {
			w = parent->right;
			if (rb_is_red(w)) {
				w->red = false;
				parent->red = true;
				rb_rotate_left(root, parent);
				w = parent->right;
			}
			if (!rb_is_red(w->left) && !rb_is_red(w->right)) {
				w->red = true;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!rb_is_red(w->right)) {
				w->left->red = false;
				w->red = true;
				rb_rotate_right(root, w);
				w = parent->right;
			}
			w->red = parent->red;
			parent->red = false;
			w->right->red = false;
			rb_rotate_left(root, parent);
		} else {
			w = parent->left;
			if (rb_is_red(w)) {
				w->red = false;
				parent->red = true;
				rb_rotate_right(root, parent);
				w = parent->left;
			}
			if (!rb_is_red(w->left) && !rb_is_red(w->right)) {
				w->red = true;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!rb_is_red(w->left)) {
				w->right->red = false;
				w->red = true;
				rb_rotate_left(root, w);
				w = parent->left;
			}
			w->red = parent->red;
			parent->red = false;
			w->left->red = false;
			rb_rotate_right(root, parent);
		}
		x = root->root;
		break;
	}
	if (x)
		x->red = false;
}

void ksched_rb_erase(struct ksched_rb_root *root, struct ksched_rb_node *z)
{
	struct ksched_rb_node *x, *x_parent;
	bool removed_red;

	if (root->leftmost == z)
		root->leftmost = ksched_rb_next(z);

	if (!z->left || !z->right) {
		/* z has at most one child: splice it out */
		x = z->left ? z->left : z->right;
		x_parent = z->parent;
		removed_red = z->red;
		rb_replace_child(root, z, x);
	} else {
		/* z's successor y (no left child) takes z's place and colour */
		struct ksched_rb_node *y = z->right;

		while (y->left)
			y = y->left;
		removed_red = y->red;
		x = y->right;
		if (y->parent == z) {
			x_parent = y;
		} else {
			x_parent = y->parent;
			rb_replace_child(root, y, x);
			y->right = z->right;
			y->right->parent = y;
		}
		rb_replace_child(root, z, y);
		y->left = z->left;
		y->left->parent = y;
		y->red = z->red;
	}
	root->count--;
	if (!removed_red)
		rb_erase_fixup(root, x, x_parent);
	z->parent = NULL;
	z->left = NULL;
	z->right = NULL;
}

struct ksched_rb_node *ksched_rb_next(const struct ksched_rb_node *node)
{
	const struct ksched_rb_node *p;

	if (node->right) {
		node = node->right;
		while (node->left)
			node = node->left;
		return (struct ksched_rb_node *)node;
	}
	while ((p = node->parent) && p->right == node)
		node = p;
	return (struct ksched_rb_node *)p;
}

struct ksched_rb_node *ksched_rb_prev(const struct ksched_rb_node *node)
{
	const struct ksched_rb_node *p;

	if (node->left) {
		node = node->left;
		while (node->right)
			node = node->right;
		return (struct ksched_rb_node *)node;
	}
	while ((p = node->parent) && p->left == node)
		node = p;
	return (struct ksched_rb_node *)p;
}

struct ksched_rb_node *ksched_rb_last(const struct ksched_rb_root *root)
{
	struct ksched_rb_node *n = root->root;

	while (n && n->right)
		n = n->right;
	return n;
}

/* Black height of the subtree at @n, or -1 if it breaks an invariant */
static int rb_check_subtree(const struct ksched_rb_node *n, unsigned int *count)
{
	int lh, rh;

	if (!n)
		return 1;
	(*count)++;
	if (n->left && n->left->parent != n)
		return -1;
	if (n->right && n->right->parent != n)
		return -1;
	if (n->red && (rb_is_red(n->left) || rb_is_red(n->right)))
		return -1;
	lh = rb_check_subtree(n->left, count);
	rh = rb_check_subtree(n->right, count);
	if (lh < 0 || rh < 0 || lh != rh)
		return -1;
	return lh + (n->red ? 0 : 1);
}

int ksched_rb_check(const struct ksched_rb_root *root, ksched_rb_less_fn less)
{
	const struct ksched_rb_node *n, *first = root->root;
	unsigned int count = 0;
	int height;

	if (root->root && (root->root->red || root->root->parent))
		return -1;
	height = rb_check_subtree(root->root, &count);
	if (height < 0 || count != root->count)
		return -1;
	while (first && first->left)
		first = first->left;
	if (first != root->leftmost)
		return -1;
	/* in order, nothing sorts before its predecessor */
	for (n = first; n; n = ksched_rb_next(n)) {
		const struct ksched_rb_node *next = ksched_rb_next(n);

		if (next && less(next, n))
			return -1;
	}
	return height;
}
