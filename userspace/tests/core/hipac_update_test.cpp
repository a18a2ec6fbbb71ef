// SPDX-License-Identifier: GPL-2.0
// Incremental updates.  Random chain sets take random changes (rules and
// runs inserted anywhere, even inside a run, deleted, replaced, retargeted;
// chains added; policies changed); after each, the tree
// hipac_chains_update() makes from the previous one must classify every
// probe exactly as a fresh hipac_chains_build() and as hipac_chains_walk(),
// the older trees it shares nodes with must still classify as their own
// chains, and trees are dropped in random order, some updates rolled back.
// Run under ASan or valgrind, this also checks that freeing in any order
// frees exactly what no tree uses.
#include "classbench.hpp"
#include "hipac_internal.h"
#include "hipac_random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

namespace {

using klab::hipac::ChainRule;
using klab::hipac::ChainSet;
using klab::hipac::Tree;
using klab::hipac::test::all_matches;
using klab::hipac::test::Generator;
using klab::hipac::test::probe_values;
using klab::hipac::test::random_action;
using klab::hipac::test::random_chains;
using klab::hipac::test::same;
using klab::hipac::test::Shape;
using klab::hipac::test::size_known;

constexpr u32 kMaxDepth = 16;
const hipac_limits kLimits = {kMaxDepth, 0, 0};

struct Version {
    ChainSet cs;
    Tree tree;
};

struct Counts {
    u64 updates = 0;
    u64 refused = 0; // changes both builds refused
    u64 packets = 0;
    u64 disagreements = 0;
    u64 by_delta = 0;    // trees whose size the update counted
    u64 size_errors = 0; // trees whose size is not a walk's
};

// The run of rule @pos: [first, end)
void run_of(const std::vector<ChainRule> &rules, size_t pos, size_t &first, size_t &end)
{
    first = end = pos;
    while (first > 0 && rules[first - 1].origin == rules[pos].origin)
        first--;
    while (end < rules.size() && rules[end].origin == rules[pos].origin)
        end++;
}

std::vector<hipac_match> some_rule(Generator &gen, const hipac_dims &d)
{
    return gen.pick(10) == 0 ? std::vector<hipac_match>{} : gen.rule(d);
}

void mutate(Generator &gen, const hipac_dims &d, ChainSet &cs, u32 &origin)
{
    u32 c = gen.pick(cs.size()), action, arg;
    auto &rules = cs.chains[c].rules;
    size_t pos = rules.empty() ? 0 : gen.pick(rules.size()), first, end;

    switch (rules.empty() ? 0 : gen.pick(9)) {
    case 0:
    case 1:
    case 2: { // a new run anywhere, splitting a run now and then
        u32 length = gen.pick(4) == 0 ? 2 : 1;

        random_action(gen, c, cs.size(), 30, action, arg);
        pos = gen.pick(rules.size() + 1);
        origin++;
        for (u32 k = 0; k < length; k++)
            rules.insert(rules.begin() + pos, {some_rule(gen, d), origin, action, arg});
        break;
    }
    case 3: // one rule: a run shrinks, or goes and its neighbours may merge
        rules.erase(rules.begin() + pos);
        break;
    case 4: // a whole run
        run_of(rules, pos, first, end);
        rules.erase(rules.begin() + first, rules.begin() + end);
        break;
    case 5: // new matches, same origin
        rules[pos].matches = some_rule(gen, d);
        break;
    case 6: // a run does something else
        random_action(gen, c, cs.size(), 30, action, arg);
        run_of(rules, pos, first, end);
        for (size_t k = first; k < end; k++) {
            rules[k].action = action;
            rules[k].arg = arg;
        }
        break;
    case 7: // a new last chain, jumped to from this one
        cs.chains.emplace_back();
        cs.chains.back().policy_origin = 100000 + cs.size() - 1;
        cs.chains.back().rules.push_back({gen.rule(d), ++origin, HIPAC_ACT_RETURN, 0});
        run_of(cs.chains[c].rules, pos, first, end);
        for (size_t k = first; k < end; k++) {
            cs.chains[c].rules[k].action = HIPAC_ACT_JUMP;
            cs.chains[c].rules[k].arg = cs.size() - 1;
        }
        break;
    default: // a policy: the root's makes a new family
        cs.chains[c].policy = gen.pick(klab::hipac::test::kVerdicts);
        break;
    }
}

// @tree against the walk of @cs and, if given, against @fresh
void check(Generator &gen, const char *what, u32 seed, u32 step, ChainSet &cs,
           const hipac_tree *tree, const hipac_tree *fresh, u32 n_packets, Counts &counts)
{
    hipac_dims d = gen.dims();
    std::vector<std::vector<u32>> probes = probe_values(d, all_matches(cs));
    std::vector<u32> buf(8192);
    auto *want = reinterpret_cast<hipac_result *>(buf.data());
    u32 pkt[Generator::kDims];

    for (u32 p = 0; p < n_packets; p++) {
        gen.packet(d, probes, 2, pkt);
        ASSERT_EQ(hipac_chains_walk(cs.view(), cs.size(), 0, kMaxDepth, pkt, want, buf.size() - 2),
                  0);
        const hipac_result *got = hipac_classify(tree, pkt);
        ASSERT_NE(got, nullptr) << "seed " << seed << " step " << step << ": a first-match leaf";
        bool ok = same(got, want) && (!fresh || same(got, hipac_classify(fresh, pkt)));

        counts.packets++;
        if (!ok && counts.disagreements++ < 5)
            ADD_FAILURE() << "seed " << seed << " step " << step << ", " << what
                          << " tree, packet {" << pkt[0] << "," << pkt[1] << "," << pkt[2] << ","
                          << pkt[3] << "," << pkt[4] << "}: verdict " << got->verdict << " ("
                          << got->n_origins << " origins), walk " << want->verdict << " ("
                          << want->n_origins << " origins)";
    }
}

void updates(u32 seed, const Shape &shape, u32 steps, u32 n_packets, Counts &counts)
{
    Generator gen(seed);
    hipac_dims d = gen.dims();
    std::deque<Version> live; // the newest last
    hipac_tree *t = nullptr;
    hipac_error err{};
    u32 origin = 1000;

    live.push_back({random_chains(gen, d, shape), nullptr});
    ChainSet &first = live.back().cs;
    ASSERT_EQ(hipac_chains_build(&t, &d, first.view(), first.size(), 0, &kLimits, &err), 0)
        << "seed " << seed << ": " << (err.msg ? err.msg : "");
    live.back().tree.reset(t);

    for (u32 step = 0; step < steps; step++) {
        ChainSet cs = live.back().cs;
        hipac_tree *fresh_t = nullptr, *upd_t = nullptr;
        hipac_error e1{}, e2{};

        mutate(gen, d, cs, origin);
        int r1 = hipac_chains_build(&fresh_t, &d, cs.view(), cs.size(), 0, &kLimits, &e1);
        int r2 = hipac_chains_update(&upd_t, live.back().tree.get(), &d, cs.view(), cs.size(), 0,
                                     &kLimits, &e2);
        Tree fresh(fresh_t), upd(upd_t);

        ASSERT_EQ(r1, r2) << "seed " << seed << " step " << step;
        if (r1) { // e.g. a merged run of two targets: the old tree stays
            counts.refused++;
            continue;
        }
        counts.updates++;
        if (!upd->pfam) {
            counts.by_delta += upd->by_delta;
            if (!size_known(upd.get()) && counts.size_errors++ < 5)
                ADD_FAILURE() << "seed " << seed << " step " << step << ": miscounted ("
                              << (upd->by_delta ? "update" : "walk") << ")";
        }
        check(gen, "updated", seed, step, cs, upd.get(), fresh.get(), n_packets, counts);
        fresh.reset();
        if (gen.pick(6) == 0)
            continue; // rolled back: the next change starts from the old tree again
        live.push_back({std::move(cs), std::move(upd)});
        // an older tree, which shares nodes with the new ones, is intact
        Version &old = live[gen.pick(live.size())];
        check(gen, "older", seed, step, old.cs, old.tree.get(), nullptr, n_packets / 4, counts);
        // drop trees in any order, the newest too now and then
        while (live.size() > 3 || (live.size() > 1 && gen.pick(4) == 0))
            live.erase(live.begin() + gen.pick(live.size()));
    }
}

void report(const Counts &c)
{
    EXPECT_EQ(c.disagreements, 0u);
    EXPECT_EQ(c.size_errors, 0u);
    std::printf("updates: %llu updates, %llu refused by both, %llu packets, %llu disagreements, "
                "%llu sizes counted by the update, %llu miscounted\n",
                static_cast<unsigned long long>(c.updates),
                static_cast<unsigned long long>(c.refused),
                static_cast<unsigned long long>(c.packets),
                static_cast<unsigned long long>(c.disagreements),
                static_cast<unsigned long long>(c.by_delta),
                static_cast<unsigned long long>(c.size_errors));
}

// The memo keeps keys packed (hipac_key_pack()): a key must unpack to
// itself alone, or two regions' rule lists could share one subtree.
TEST(HipacUpdate, PackedKeysUnpackToThemselves)
{
    const std::vector<std::vector<u32>> keys = {
        {},
        {0},
        {0x7f, 0x80, 0x3fff, 0x4000, 0x1fffff, 0x200000},
        {0xffffffff, 0, 0xffffffff, 0x80000000, 0x7fffffff},
        {5, 4, 3, 1000, 999, 0x80000000 | 3, 3},
    };

    for (const auto &key : keys) {
        std::vector<u8> packed(5 * key.size() + 1);
        u32 len = hipac_key_pack(key.data(), key.size(), packed.data());
        std::vector<u32> back;
        u32 prev = 0, pos = 0;

        ASSERT_LE(len, 5 * key.size());
        while (pos < len) {
            u32 z = 0, shift = 0;
            u8 byte;

            do {
                byte = packed[pos++];
                z |= static_cast<u32>(byte & 0x7f) << shift;
                shift += 7;
            } while (byte & 0x80 && pos < len);
            prev += z >> 1 ^ (z & 1 ? 0xffffffffu : 0);
            back.push_back(prev);
        }
        EXPECT_EQ(back, key);
    }
}

TEST(HipacUpdate, SmallChainSets)
{
    Counts counts;

    for (u32 seed = 1; seed <= 400; seed++)
        updates(seed, {4, 6, 30}, 25, 100, counts);
    report(counts);
}

TEST(HipacUpdate, LargerChainSets)
{
    Counts counts;

    for (u32 seed = 7000; seed < 7012; seed++)
        updates(seed, {8, 40, 10}, 30, 600, counts);
    report(counts);
}

// One narrow rule into a 2000-rule access list, then out again: the new
// trees share nearly everything with the first one.  (A rule that any
// value of the first level's dimension matches reaches every child of the
// root, and those are built anew.)
TEST(HipacUpdate, OneRuleBuildsLittle)
{
    using namespace klab::hipac;
    RuleSet rs = generate(Profile::kAcl, 2000, 7);
    hipac_dims d = five_tuple_dims();
    ChainSet cs;
    hipac_tree *t = nullptr;
    hipac_error err{};
    hipac_stats before{}, after{};

    cs.chains.resize(1);
    cs.chains[0].policy_origin = 99999;
    for (size_t i = 0; i < rs.size(); i++)
        cs.chains[0].rules.push_back(
            {rs.matches[i], static_cast<u32>(i), HIPAC_ACT_VERDICT, static_cast<u32>(i % 2)});
    ASSERT_EQ(hipac_chains_build(&t, &d, cs.view(), cs.size(), 0, &kLimits, &err), 0);
    Tree first(t);
    hipac_tree_stats(first.get(), &before);

    ChainSet more = cs;
    more.chains[0].rules.insert(more.chains[0].rules.begin() + 1000,
                                {{{kSrc, 0, 0x0a010203, 0x0a010203},
                                  {kDst, 0, 0xc0a80101, 0xc0a80101},
                                  {kProto, 0, 6, 6},
                                  {kDport, 0, 4242, 4242}},
                                 50000,
                                 HIPAC_ACT_VERDICT,
                                 1});
    ASSERT_EQ(hipac_chains_update(&t, first.get(), &d, more.view(), more.size(), 0, &kLimits, &err),
              0);
    Tree second(t);
    hipac_tree_stats(second.get(), &after);
    // each tree has its own map of steps to positions (16 bytes a step)
    EXPECT_LT((after.new_bytes - 16 * second->n_pents) * 20, after.bytes);

    ASSERT_EQ(hipac_chains_update(&t, second.get(), &d, cs.view(), cs.size(), 0, &kLimits, &err),
              0);
    Tree third(t);
    first.reset();
    hipac_tree_stats(third.get(), &after);
    EXPECT_LT((after.new_bytes - 16 * third->n_pents) * 20, after.bytes);

    Generator gen(3);
    std::vector<std::vector<u32>> pkts = packets(rs, 20000, 4);
    std::vector<u32> buf(64);
    auto *want = reinterpret_cast<hipac_result *>(buf.data());
    u32 bad = 0;

    pkts.push_back({0x0a010203, 0xc0a80101, 6, 0, 4242});
    for (const auto &p : pkts) {
        ASSERT_EQ(hipac_chains_walk(more.view(), more.size(), 0, kMaxDepth, p.data(), want,
                                    buf.size() - 2),
                  0);
        bad += !same(hipac_classify(second.get(), p.data()), want);
        ASSERT_EQ(
            hipac_chains_walk(cs.view(), cs.size(), 0, kMaxDepth, p.data(), want, buf.size() - 2),
            0);
        bad += !same(hipac_classify(third.get(), p.data()), want);
    }
    EXPECT_EQ(bad, 0u);
}

} // namespace

// A first-match tree's memo names rules by index: an update from it must
// not take its subtrees for chains whose flat rules have those numbers.
TEST(HipacUpdate, FromFirstMatchTreeBuildsAfresh)
{
    Generator gen(11);
    hipac_dims d = gen.dims();
    klab::hipac::RuleSet rs;
    ChainSet cs;
    hipac_tree *t = nullptr;
    hipac_error err{};
    Counts counts;

    for (u32 i = 0; i < 40; i++)
        rs.add(gen.rule(d));
    ASSERT_EQ(hipac_build(&t, &d, rs.rules.data(), rs.size()), 0);
    Tree first(t);
    cs.chains.resize(1);
    cs.chains[0].policy_origin = 0; // as the first-match family has it
    // the same rules in the same order: their flat rules have the same
    // numbers, but the leaves must hold outcomes
    for (u32 i = 0; i < 40; i++)
        cs.chains[0].rules.push_back({rs.matches[i], i, HIPAC_ACT_VERDICT, i % 3});
    ASSERT_EQ(hipac_chains_update(&t, first.get(), &d, cs.view(), cs.size(), 0, &kLimits, &err), 0);
    Tree second(t);
    check(gen, "updated", 11, 0, cs, second.get(), nullptr, 3000, counts);
    EXPECT_EQ(counts.disagreements, 0u);
}
