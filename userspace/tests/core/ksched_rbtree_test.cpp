// SPDX-License-Identifier: GPL-2.0
// The scheduler core's red-black tree against std::multimap, with its
// invariants checked after every change.
#include "ksched_rbtree.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

namespace {

struct Item {
    struct ksched_rb_node node;
    int64_t key;
    int seq; // insertion order, to check that ties stay in order
    bool in_tree;
};

Item *item_of(const struct ksched_rb_node *n)
{
    return reinterpret_cast<Item *>(reinterpret_cast<uintptr_t>(n) - offsetof(Item, node));
}

bool item_less(const struct ksched_rb_node *a, const struct ksched_rb_node *b)
{
    return item_of(a)->key < item_of(b)->key;
}

// The tree's items in order, as (key, seq)
std::vector<std::pair<int64_t, int>> in_order(const struct ksched_rb_root &root)
{
    std::vector<std::pair<int64_t, int>> out;

    for (struct ksched_rb_node *n = ksched_rb_first(&root); n; n = ksched_rb_next(n))
        out.emplace_back(item_of(n)->key, item_of(n)->seq);
    return out;
}

TEST(KschedRbtree, EmptyTree)
{
    struct ksched_rb_root root;

    ksched_rb_init(&root);
    EXPECT_TRUE(ksched_rb_empty(&root));
    EXPECT_EQ(ksched_rb_first(&root), nullptr);
    EXPECT_EQ(ksched_rb_last(&root), nullptr);
    EXPECT_EQ(ksched_rb_check(&root, item_less), 1);
}

TEST(KschedRbtree, AscendingInsertStaysBalanced)
{
    std::vector<Item> items(1024);
    struct ksched_rb_root root;

    ksched_rb_init(&root);
    for (size_t i = 0; i < items.size(); i++) {
        items[i].key = static_cast<int64_t>(i);
        ksched_rb_insert(&root, &items[i].node, item_less);
    }
    int height = ksched_rb_check(&root, item_less);
    ASSERT_GT(height, 0);
    // a red-black tree of n nodes has black height at most log2(n + 1)
    EXPECT_LE(height, 11);
    EXPECT_EQ(item_of(ksched_rb_first(&root))->key, 0);
    EXPECT_EQ(item_of(ksched_rb_last(&root))->key, 1023);
}

TEST(KschedRbtree, TiesKeepInsertionOrder)
{
    std::vector<Item> items(50);
    struct ksched_rb_root root;

    ksched_rb_init(&root);
    for (size_t i = 0; i < items.size(); i++) {
        items[i].key = static_cast<int64_t>(i % 5);
        items[i].seq = static_cast<int>(i);
        ksched_rb_insert(&root, &items[i].node, item_less);
    }
    auto got = in_order(root);
    for (size_t i = 1; i < got.size(); i++) {
        if (got[i].first == got[i - 1].first) {
            EXPECT_LT(got[i - 1].second, got[i].second);
        }
    }
}

// Random inserts and erases of keys with many duplicates, checked against
// a multimap after every operation.
TEST(KschedRbtree, RandomAgainstMultimap)
{
    std::mt19937 rng(42);
    std::vector<Item> items(400);
    std::multimap<int64_t, int> model;
    struct ksched_rb_root root;
    int seq = 0;

    ksched_rb_init(&root);
    for (int op = 0; op < 20000; op++) {
        Item &it = items[rng() % items.size()];

        if (!it.in_tree) {
            it.key = static_cast<int64_t>(rng() % 64) - 32;
            it.seq = seq++;
            ksched_rb_insert(&root, &it.node, item_less);
            model.emplace(it.key, it.seq);
            it.in_tree = true;
        } else {
            ksched_rb_erase(&root, &it.node);
            auto range = model.equal_range(it.key);
            for (auto m = range.first; m != range.second; ++m)
                if (m->second == it.seq) {
                    model.erase(m);
                    break;
                }
            it.in_tree = false;
        }
        ASSERT_GT(ksched_rb_check(&root, item_less), 0) << "op " << op;
        ASSERT_EQ(root.count, model.size());
        if (op % 97 == 0) {
            std::vector<std::pair<int64_t, int>> want(model.begin(), model.end());
            ASSERT_EQ(in_order(root), want) << "op " << op;
        }
        if (!model.empty()) {
            ASSERT_EQ(item_of(ksched_rb_first(&root))->key, model.begin()->first);
            ASSERT_EQ(item_of(ksched_rb_first(&root))->seq, model.begin()->second);
        }
    }
}

TEST(KschedRbtree, PrevWalksBackwards)
{
    std::vector<Item> items(100);
    struct ksched_rb_root root;

    ksched_rb_init(&root);
    for (size_t i = 0; i < items.size(); i++) {
        items[i].key = static_cast<int64_t>((i * 37) % 100);
        ksched_rb_insert(&root, &items[i].node, item_less);
    }
    int64_t expect = 99;
    for (struct ksched_rb_node *n = ksched_rb_last(&root); n; n = ksched_rb_prev(n))
        EXPECT_EQ(item_of(n)->key, expect--);
    EXPECT_EQ(expect, -1);
}

TEST(KschedRbtree, CheckCatchesBrokenTrees)
{
    std::vector<Item> items(8);
    struct ksched_rb_root root;

    ksched_rb_init(&root);
    for (size_t i = 0; i < items.size(); i++) {
        items[i].key = static_cast<int64_t>(i);
        ksched_rb_insert(&root, &items[i].node, item_less);
    }
    ASSERT_GT(ksched_rb_check(&root, item_less), 0);
    root.root->red = true; // a red root
    EXPECT_EQ(ksched_rb_check(&root, item_less), -1);
    root.root->red = false;
    items[0].key = 100; // out of order
    EXPECT_EQ(ksched_rb_check(&root, item_less), -1);
    items[0].key = 0;
    root.leftmost = &items[1].node; // a stale cached leftmost
    EXPECT_EQ(ksched_rb_check(&root, item_less), -1);
}

} // namespace
