// SPDX-License-Identifier: GPL-2.0
// Partitioned trees (hipac_part.c): a root chain of verdict rules is split
// into parts by the dimensions its rules are narrow in.  Random first-match
// rule sets with narrow and wide addresses take random one-rule changes;
// after each, the updated tree must classify every probe as a fresh build
// and as the walk of the chains, older trees must stay intact, parts the
// change does not reach must be shared, and trees are freed in random
// order (ASan/LSan check what is freed).  The boundaries of the parts
// (the width that makes a dimension narrow, negations, two matches on one
// dimension, a run split over parts, rules moving between parts, a switch
// to and from a single tree) have tests of their own.  The changes include
// copies of a step in a second place; most steps of an update must be
// found by the walk of the old parts, not by hashing.
#include "hipac_internal.h"
#include "hipac_random.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <vector>

namespace {

using klab::hipac::ChainRule;
using klab::hipac::ChainSet;
using klab::hipac::Tree;
using klab::hipac::test::all_matches;
using klab::hipac::test::Generator;
using klab::hipac::test::probe_values;
using klab::hipac::test::same;
using klab::hipac::test::size_known;

constexpr u32 kMaxDepth = 16;
const hipac_limits kLimits = {kMaxDepth, 0, 0};
constexpr u32 kSrc = 0, kDst = 1, kProto = 2, kDport = 4;

hipac_match prefix(u32 dim, u32 addr, u32 len)
{
    u32 host = len >= 32 ? 0 : 0xffffffffu >> len;

    return {static_cast<u8>(dim), 0, addr & ~host, (addr & ~host) | host};
}

// Rules as access lists and firewalls have them: sources and destinations
// from /8 to /32 or none, now and then a port, a protocol, a negation.
std::vector<hipac_match> fw_rule(Generator &gen, const hipac_dims &d)
{
    std::vector<hipac_match> ms;

    for (u32 dim : {kSrc, kDst}) {
        if (gen.pick(4) == 0)
            continue;
        ms.push_back(prefix(dim, gen.value(0xffffffff), 8 + gen.pick(25)));
        if (gen.pick(20) == 0)
            ms.back().invert = 1;
    }
    if (gen.pick(2))
        ms.push_back(gen.match(kProto, d.max[kProto]));
    if (gen.pick(2))
        ms.push_back(gen.match(kDport, d.max[kDport]));
    return ms;
}

ChainSet first_match(Generator &gen, const hipac_dims &d, u32 n, u32 &origin)
{
    ChainSet cs;

    cs.chains.resize(1);
    cs.chains[0].policy = gen.pick(2);
    cs.chains[0].policy_origin = 999999;
    for (u32 i = 0; i < n; i++) {
        u32 o = ++origin, length = gen.pick(6) == 0 ? 2 : 1, v = gen.pick(3);

        for (u32 k = 0; k < length; k++)
            cs.chains[0].rules.push_back({fw_rule(gen, d), o, HIPAC_ACT_VERDICT, v});
    }
    return cs;
}

struct Counts {
    u64 updates = 0, packets = 0, disagreements = 0, shared = 0, parts = 0, win_nodes = 0;
    u64 steps = 0, guessed = 0, by_delta = 0, size_errors = 0;
    u64 index_roots = 0; // changed parts whose root is an index node
};

void check(Generator &gen, u32 seed, u32 step, ChainSet &cs, const hipac_tree *tree,
           const hipac_tree *fresh, u32 n_packets, Counts &counts)
{
    hipac_dims d = gen.dims();
    auto probes = probe_values(d, all_matches(cs));
    std::vector<u32> buf(64);
    auto *want = reinterpret_cast<hipac_result *>(buf.data());
    u32 pkt[Generator::kDims];

    for (u32 p = 0; p < n_packets; p++) {
        gen.packet(d, probes, 4, pkt);
        ASSERT_EQ(hipac_chains_walk(cs.view(), cs.size(), 0, kMaxDepth, pkt, want, buf.size() - 2),
                  0);
        const hipac_result *got = hipac_classify(tree, pkt);
        bool ok = same(got, want) && (!fresh || same(got, hipac_classify(fresh, pkt)));

        counts.packets++;
        if (!ok && counts.disagreements++ < 5)
            ADD_FAILURE() << "seed " << seed << " step " << step << ": packet {" << pkt[0] << ","
                          << pkt[1] << "," << pkt[2] << "," << pkt[3] << "," << pkt[4]
                          << "}: origin " << got->origins[0] << ", walk " << want->origins[0];
    }
}

void mutate(Generator &gen, const hipac_dims &d, ChainSet &cs, u32 &origin)
{
    auto &rules = cs.chains[0].rules;
    size_t pos = rules.empty() ? 0 : gen.pick(rules.size());

    switch (rules.empty() ? 0 : gen.pick(13)) {
    case 0:
    case 1:
    case 2:
    case 3: // a new rule anywhere, inside a run now and then
        rules.insert(rules.begin() + gen.pick(rules.size() + 1),
                     {fw_rule(gen, d), ++origin, HIPAC_ACT_VERDICT, gen.pick(3)});
        break;
    case 4:
    case 5:
    case 6:
        rules.erase(rules.begin() + pos);
        break;
    case 7:
    case 8: // new matches: the rule may move to another part
        rules[pos].matches = fw_rule(gen, d);
        break;
    case 9: { // a rule moves
        ChainRule r = rules[pos];

        rules.erase(rules.begin() + pos);
        r.origin = ++origin;
        rules.insert(rules.begin() + gen.pick(rules.size() + 1), r);
        break;
    }
    case 10: // a catch-all at the top
        rules.insert(rules.begin(), {{}, ++origin, HIPAC_ACT_VERDICT, gen.pick(3)});
        break;
    case 11: { // a copy of a rule's run elsewhere: one step, two places
        size_t i = pos, j = pos + 1;

        while (i && rules[i - 1].origin == rules[pos].origin)
            i--;
        while (j < rules.size() && rules[j].origin == rules[pos].origin)
            j++;
        std::vector<ChainRule> run(rules.begin() + i, rules.begin() + j);
        size_t at = gen.pick(rules.size() + 1);

        // not into another run: that would make the copy one of its rules
        while (at && at < rules.size() && rules[at].origin == rules[at - 1].origin)
            at--;
        rules.insert(rules.begin() + at, run.begin(), run.end());
        break;
    }
    default: // the policy: a new family
        cs.chains[0].policy = gen.pick(3);
        break;
    }
    // a rule and its run keep one verdict
    for (size_t i = 1; i < rules.size(); i++)
        if (rules[i].origin == rules[i - 1].origin)
            rules[i].arg = rules[i - 1].arg;
}

struct Version {
    ChainSet cs;
    Tree tree;
};

void updates(u32 seed, u32 n_rules, u32 steps, u32 n_packets, Counts &counts)
{
    Generator gen(seed);
    hipac_dims d = gen.dims();
    std::deque<Version> live;
    hipac_tree *t = nullptr;
    hipac_error err{};
    u32 origin = 0;

    live.push_back({first_match(gen, d, n_rules, origin), nullptr});
    ChainSet &first = live.back().cs;
    ASSERT_EQ(hipac_chains_build(&t, &d, first.view(), first.size(), 0, &kLimits, &err), 0);
    live.back().tree.reset(t);
    ASSERT_NE(t->pfam, nullptr) << "a root chain of verdicts is partitioned";

    for (u32 step = 0; step < steps; step++) {
        ChainSet cs = live.back().cs;
        const hipac_tree *old = live.back().tree.get();
        hipac_tree *fresh_t = nullptr, *upd_t = nullptr;
        hipac_error e1{}, e2{};

        mutate(gen, d, cs, origin);
        ASSERT_EQ(hipac_chains_build(&fresh_t, &d, cs.view(), cs.size(), 0, &kLimits, &e1), 0);
        ASSERT_EQ(hipac_chains_update(&upd_t, old, &d, cs.view(), cs.size(), 0, &kLimits, &e2), 0);
        Tree fresh(fresh_t), upd(upd_t);

        counts.updates++;
        counts.parts += upd->n_parts;
        for (u32 i = 0; i < HIPAC_PART_MAX; i++) {
            counts.shared += upd->parts[i] && upd->parts[i] == old->parts[i];
            if (!upd->parts[i] || upd->parts[i] == old->parts[i])
                continue;
            const hipac_tree *pt = upd->parts[i]->tree;

            counts.win_nodes += pt->win_nodes;
            counts.index_roots += hipac_is_index(pt->root);
            counts.by_delta += pt->by_delta;
            if (!size_known(pt) && counts.size_errors++ < 5)
                ADD_FAILURE() << "seed " << seed << " step " << step << ": part " << i
                              << " miscounted (" << (pt->by_delta ? "update" : "walk") << ")";
        }
        for (size_t i = 0; i < cs.chains[0].rules.size(); i++)
            counts.steps += !i || cs.chains[0].rules[i].origin != cs.chains[0].rules[i - 1].origin;
        counts.guessed += upd->guessed;
        check(gen, seed, step, cs, upd.get(), fresh.get(), n_packets, counts);
        fresh.reset();
        if (gen.pick(6) == 0)
            continue; // rolled back
        live.push_back({std::move(cs), std::move(upd)});
        Version &older = live[gen.pick(live.size())];
        check(gen, seed, step, older.cs, older.tree.get(), nullptr, n_packets / 4, counts);
        while (live.size() > 3 || (live.size() > 1 && gen.pick(4) == 0))
            live.erase(live.begin() + gen.pick(live.size()));
    }
}

void print(const Counts &c)
{
    std::printf(
        "parts: %llu updates, %llu parts, %llu shared, %llu window nodes, "
        "%llu of %llu steps guessed, %llu packets, %llu disagreements, "
        "%llu parts counted by the update, %llu miscounted\n",
        static_cast<unsigned long long>(c.updates), static_cast<unsigned long long>(c.parts),
        static_cast<unsigned long long>(c.shared), static_cast<unsigned long long>(c.win_nodes),
        static_cast<unsigned long long>(c.guessed), static_cast<unsigned long long>(c.steps),
        static_cast<unsigned long long>(c.packets),
        static_cast<unsigned long long>(c.disagreements),
        static_cast<unsigned long long>(c.by_delta),
        static_cast<unsigned long long>(c.size_errors));
}

TEST(HipacPart, RandomUpdatesMatchFreshBuildAndWalk)
{
    Counts counts;

    for (u32 seed = 1; seed <= 150; seed++)
        updates(seed, 5 + seed % 60, 30, 150, counts);
    for (u32 seed = 500; seed < 504; seed++)
        updates(seed, 600, 20, 1500, counts);
    EXPECT_EQ(counts.disagreements, 0u);
    EXPECT_EQ(counts.size_errors, 0u);
    // most changes reach one part: the others are the old tree's
    EXPECT_GT(counts.shared * 2, counts.parts - counts.updates);
    print(counts);
}

// Parts of thousands of rules: their updates rebuild only the window the
// changed rules reach (hipac_win_node()), which must give the trees a
// fresh build gives, and happen.
TEST(HipacPart, WindowUpdatesOfBigPartsMatchFreshBuild)
{
    Counts counts;

    for (u32 seed = 700; seed < 703; seed++)
        updates(seed, 3000, 25, 1500, counts);
    EXPECT_EQ(counts.disagreements, 0u);
    EXPECT_EQ(counts.size_errors, 0u);
    // the root of the changed part at least, in most updates
    EXPECT_GT(2 * counts.win_nodes, counts.updates) << "the window path was taken";
    // the steps a change leaves alone are found by the walk of the old
    // parts (all but those of the changed rules, and of updates that
    // start a new family: about one in thirteen, a new policy)
    EXPECT_GT(counts.guessed * 10, counts.steps * 8) << "steps found without hashing";
    // and, where the old tree is the only other one, their size counted
    EXPECT_GT(3 * counts.by_delta, counts.updates) << "sizes counted by the update";
    print(counts);
}

// The same with the window's path on every level down to regions of two
// rules: small sets, deep windows, every boundary of the window met.
TEST(HipacPart, WindowUpdatesOnEveryLevelMatchFreshBuild)
{
    u32 saved = hipac_win_min_rules;
    Counts counts;

    hipac_win_min_rules = 2;
    for (u32 seed = 1; seed <= 150; seed++)
        updates(seed, 5 + seed % 60, 30, 150, counts);
    hipac_win_min_rules = saved;
    EXPECT_EQ(counts.disagreements, 0u);
    EXPECT_EQ(counts.size_errors, 0u);
    EXPECT_GT(counts.win_nodes, 2 * counts.updates) << "the window path was taken";
    print(counts);
}

// Big nodes as index nodes over chunks (hipac_is_index()), made small
// enough that the random sets have them on every level: the window's
// update of an index node copies the chunks it reaches and shares the
// others, and must give what a fresh build gives.
TEST(HipacPart, WindowUpdatesOfIndexNodesMatchFreshBuild)
{
    u32 saved_win = hipac_win_min_rules, saved_chunk = hipac_chunk_max;
    Counts counts;

    hipac_win_min_rules = 2;
    for (u32 chunk : {2u, 3u, 5u}) {
        hipac_chunk_max = chunk;
        for (u32 seed = 1; seed <= 100; seed++)
            updates(seed, 5 + seed % 60, 30, 150, counts);
    }
    hipac_chunk_max = 16;
    for (u32 seed = 700; seed < 702; seed++)
        updates(seed, 1000, 20, 1500, counts);
    hipac_win_min_rules = saved_win;
    hipac_chunk_max = saved_chunk;
    EXPECT_EQ(counts.disagreements, 0u);
    EXPECT_EQ(counts.size_errors, 0u);
    EXPECT_GT(counts.win_nodes, 2 * counts.updates) << "the window path was taken";
    EXPECT_GT(2 * counts.index_roots, counts.updates) << "index roots were updated";
    print(counts);
    std::printf("index nodes: %llu changed parts of %llu updates had an index root\n",
                static_cast<unsigned long long>(counts.index_roots),
                static_cast<unsigned long long>(counts.updates));
}

// Twenty /24 sources and twenty /24 destinations make the scheme source,
// then destination.  A /16 is narrow, a /15 is not; a "!" is never
// narrow; two matches on one dimension are narrow when they meet in a
// narrow interval (or not at all).
TEST(HipacPart, NarrowWidthDecidesThePart)
{
    Generator gen(2);
    hipac_dims d = gen.dims();
    ChainSet cs;
    auto &rules = (cs.chains.resize(1), cs.chains[0].rules);
    u32 o = 0;

    cs.chains[0].policy_origin = 999999;
    for (u32 i = 0; i < 20; i++) {
        rules.push_back({{prefix(kSrc, 0x0a000000 + (i << 8), 24)}, ++o, HIPAC_ACT_VERDICT, 1});
        rules.push_back({{prefix(kDst, 0x0b000000 + (i << 8), 24)}, ++o, HIPAC_ACT_VERDICT, 1});
    }
    const std::vector<std::pair<std::vector<hipac_match>, u32>> cases = {
        {{prefix(kSrc, 0x0c000000, 16)}, 0},
        {{prefix(kSrc, 0x0c000000, 15), prefix(kDst, 0x0d000000, 16)}, 1},
        {{prefix(kSrc, 0x0c000000, 15)}, 2},
        {{{kSrc, 1, 0x0c000000, 0x0c0000ff}}, 2},
        {{prefix(kSrc, 0x0c000000, 8), prefix(kSrc, 0x0c010000, 16)}, 0},
        {{prefix(kSrc, 0x0c000000, 16), prefix(kSrc, 0x0d000000, 16)}, 0},
        {{}, 2},
    };
    for (const auto &c : cases)
        rules.push_back({c.first, ++o, HIPAC_ACT_VERDICT, 0});

    hipac_tree *t = nullptr;
    hipac_error err{};
    ASSERT_EQ(hipac_chains_build(&t, &d, cs.view(), cs.size(), 0, &kLimits, &err), 0);
    Tree tree(t);
    ASSERT_NE(tree->pfam, nullptr);
    ASSERT_EQ(tree->n_parts, 3u); // source, destination, the rest
    // count each part's rules: 20 + 3, 20 + 1, 3
    EXPECT_EQ(tree->parts[0]->n, 23u);
    EXPECT_EQ(tree->parts[1]->n, 21u);
    EXPECT_EQ(tree->parts[2]->n, 3u);

    // each case's rule alone decides a packet only it matches, in its part
    std::vector<u32> buf(64);
    auto *want = reinterpret_cast<hipac_result *>(buf.data());
    u32 bad = 0;
    for (u32 src : {0x0c000001u, 0x0c010001u, 0x0d000001u, 0x0c0000ffu, 0x0c000100u, 0x0a000001u})
        for (u32 dst : {0x0d000001u, 0x0b000001u, 0x0e000001u}) {
            u32 pkt[5] = {src, dst, 6, 1, 80};
            ASSERT_EQ(hipac_chains_walk(cs.view(), 1, 0, kMaxDepth, pkt, want, 60), 0);
            bad += !same(hipac_classify(tree.get(), pkt), want);
        }
    EXPECT_EQ(bad, 0u);
}

// Changes reach only their part: a narrow source rule rebuilds the source
// part; a rule that moves from the source part to the rest rebuilds both;
// a run split over two parts stays one rule; a counting rule makes the
// chain one tree, and its removal splits it again.
TEST(HipacPart, ChangesReachOnlyTheirParts)
{
    Generator gen(3);
    hipac_dims d = gen.dims();
    ChainSet cs;
    auto &rules = (cs.chains.resize(1), cs.chains[0].rules);
    u32 o = 0;

    cs.chains[0].policy_origin = 999999;
    for (u32 i = 0; i < 50; i++) {
        rules.push_back({{prefix(kSrc, 0x0a000000 + (i << 8), 24)}, ++o, HIPAC_ACT_VERDICT, 1});
        rules.push_back({{prefix(kDst, 0x0b000000 + (i << 8), 24)}, ++o, HIPAC_ACT_VERDICT, 0});
        rules.push_back({{{kDport, 0, 80, 80}}, ++o, HIPAC_ACT_VERDICT, 2});
    }
    hipac_tree *t = nullptr;
    hipac_error err{};
    ASSERT_EQ(hipac_chains_build(&t, &d, cs.view(), cs.size(), 0, &kLimits, &err), 0);
    Tree v0(t);
    ASSERT_EQ(v0->n_parts, 4u); // source, destination, port, the rest

    auto update = [&](const Tree &from) {
        hipac_tree *n = nullptr;
        EXPECT_EQ(hipac_chains_update(&n, from.get(), &d, cs.view(), cs.size(), 0, &kLimits, &err),
                  0);
        return Tree(n);
    };
    Counts counts;

    rules.insert(rules.begin() + 70, {{prefix(kSrc, 0x0c000000, 20)}, ++o, HIPAC_ACT_VERDICT, 3});
    Tree v1 = update(v0);
    EXPECT_NE(v1->parts[0], v0->parts[0]);
    EXPECT_EQ(v1->parts[1], v0->parts[1]);
    EXPECT_EQ(v1->parts[2], v0->parts[2]);
    check(gen, 3, 1, cs, v1.get(), nullptr, 2000, counts);

    rules[70].matches = {prefix(kSrc, 0x0c000000, 12)}; // to the rest
    Tree v2 = update(v1);
    EXPECT_NE(v2->parts[0], v1->parts[0]);
    EXPECT_EQ(v2->parts[1], v1->parts[1]);
    EXPECT_EQ(v2->parts[2], v1->parts[2]);
    EXPECT_NE(v2->parts[3], nullptr);
    EXPECT_EQ(v1->parts[3], nullptr);
    check(gen, 3, 2, cs, v2.get(), nullptr, 2000, counts);

    // a run of two rules of one origin, one narrow in source, one in
    // destination: reported once, whichever matches
    rules.insert(rules.begin() + 10, {{prefix(kSrc, 0x0d000000, 24)}, ++o, HIPAC_ACT_VERDICT, 3});
    rules.insert(rules.begin() + 11, {{prefix(kDst, 0x0d000000, 24)}, o, HIPAC_ACT_VERDICT, 3});
    Tree v3 = update(v2);
    EXPECT_EQ(v3->parts[2], v2->parts[2]);
    u32 both[5] = {0x0d000001, 0x0d000001, 6, 1, 81};
    const hipac_result *r = hipac_classify(v3.get(), both);
    EXPECT_EQ(r->n_origins, 1u);
    EXPECT_EQ(r->origins[0], o);
    check(gen, 3, 3, cs, v3.get(), nullptr, 2000, counts);

    rules.push_back({{{kDport, 0, 22, 22}}, ++o, HIPAC_ACT_CONTINUE, 0});
    Tree v4 = update(v3);
    EXPECT_EQ(v4->pfam, nullptr);
    check(gen, 3, 4, cs, v4.get(), nullptr, 2000, counts);
    rules.pop_back();
    Tree v5 = update(v4);
    EXPECT_NE(v5->pfam, nullptr);
    check(gen, 3, 5, cs, v5.get(), nullptr, 2000, counts);
    v0.reset();
    v2.reset();
    check(gen, 3, 6, cs, v5.get(), nullptr, 500, counts);
    EXPECT_EQ(counts.disagreements, 0u);
    EXPECT_EQ(counts.size_errors, 0u);
}

// An empty chain and a chain no dimension is narrow for: one part or none
TEST(HipacPart, EmptyAndAllWide)
{
    Generator gen(4);
    hipac_dims d = gen.dims();
    ChainSet cs;
    hipac_tree *t = nullptr;
    hipac_error err{};
    Counts counts;

    cs.chains.resize(1);
    cs.chains[0].policy = 2;
    cs.chains[0].policy_origin = 7;
    ASSERT_EQ(hipac_chains_build(&t, &d, cs.view(), cs.size(), 0, &kLimits, &err), 0);
    Tree empty(t);
    u32 pkt[5] = {1, 2, 3, 4, 5};
    EXPECT_EQ(hipac_classify(empty.get(), pkt)->verdict, 2u);
    EXPECT_EQ(hipac_classify(empty.get(), pkt)->origins[0], 7u);

    for (u32 i = 0; i < 30; i++)
        cs.chains[0].rules.push_back({{prefix(kSrc, i << 26, 6)}, i + 1, HIPAC_ACT_VERDICT, i % 3});
    ASSERT_EQ(hipac_chains_update(&t, empty.get(), &d, cs.view(), cs.size(), 0, &kLimits, &err), 0);
    Tree wide(t);
    EXPECT_EQ(wide->n_parts, 1u);
    check(gen, 4, 0, cs, wide.get(), nullptr, 3000, counts);
    EXPECT_EQ(counts.disagreements, 0u);
    EXPECT_EQ(counts.size_errors, 0u);
}

} // namespace
