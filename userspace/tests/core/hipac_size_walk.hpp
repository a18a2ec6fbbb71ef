// SPDX-License-Identifier: GPL-2.0
// The size a tree reports for its nodes, checked against a walk of every
// node it reaches (shared ones once): updates count only what changed.
#pragma once

#include "hipac_internal.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace klab::hipac::test {

inline void walk_nodes(const hipac_node *n, std::unordered_set<const hipac_node *> &seen,
                       hipac_stats &st)
{
    if (!seen.insert(n).second)
        return;
    st.bytes += n->bytes;
    if (n->dim == HIPAC_LEAF) {
        st.leaves++;
        return;
    }
    st.nodes++;
    st.intervals += n->n;
    for (u32 i = 0; i < n->n; i++)
        walk_nodes(hipac_children(n)[i], seen, st);
}

// Every single tree of @t (@t itself, or each part's) counts the nodes a
// walk finds; returns how many trees were compared.
inline u32 expect_size_of_walk(const hipac_tree *t, const char *what, u32 seed, u32 step)
{
    u32 trees = 0;

    if (t->pfam) {
        for (u32 i = 0; i < HIPAC_PART_MAX; i++)
            if (t->parts[i])
                trees += expect_size_of_walk(t->parts[i]->tree, what, seed, step);
        return trees;
    }
    std::unordered_set<const hipac_node *> seen;
    hipac_stats st{};

    walk_nodes(t->root, seen, st);
    EXPECT_EQ(t->node_stats.bytes, st.bytes) << what << " seed " << seed << " step " << step;
    EXPECT_EQ(t->node_stats.nodes, st.nodes) << what << " seed " << seed << " step " << step;
    EXPECT_EQ(t->node_stats.leaves, st.leaves) << what << " seed " << seed << " step " << step;
    EXPECT_EQ(t->node_stats.intervals, st.intervals)
        << what << " seed " << seed << " step " << step;
    return 1;
}

} // namespace klab::hipac::test
