// SPDX-License-Identifier: GPL-2.0
// The HiPAC tree against the linear first-match walk: hand-made cases,
// then differential fuzzing over random rule sets and packets.
#include "hipac_random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

namespace {

using klab::hipac::RuleSet;
using klab::hipac::Tree;
using klab::hipac::test::Generator;
using klab::hipac::test::make_dims;
using klab::hipac::test::probe_values;

Tree build(const hipac_dims &dims, const RuleSet &rs)
{
    hipac_tree *t = nullptr;

    EXPECT_EQ(hipac_build(&t, &dims, rs.rules.data(), rs.rules.size()), 0);
    return Tree(t);
}

// Three dimensions shaped like an address, a protocol and a port.
const hipac_dims kSmall = make_dims({0xffffffff, 255, 65535});

TEST(Hipac, NoRulesMatchNothing)
{
    RuleSet rs;
    Tree t = build(kSmall, rs);
    u32 pkt[3] = {1, 2, 3};

    EXPECT_EQ(hipac_lookup(t.get(), pkt), HIPAC_NO_MATCH);
}

TEST(Hipac, PrefixRangeAndFirstMatch)
{
    RuleSet rs;
    // 0: 10.0.0.0/8, tcp, dport 22
    rs.add({{0, 0, 0x0a000000, 0x0affffff}, {1, 0, 6, 6}, {2, 0, 22, 22}});
    // 1: 10.1.0.0/16, any proto
    rs.add({{0, 0, 0x0a010000, 0x0a01ffff}});
    // 2: anything but udp
    rs.add({{1, 1, 17, 17}});
    Tree t = build(kSmall, rs);

    u32 ssh[3] = {0x0a010203, 6, 22};
    u32 other_port[3] = {0x0a010203, 6, 23};
    u32 udp_out[3] = {0x0b000001, 17, 53};
    u32 tcp_out[3] = {0x0b000001, 6, 53};

    EXPECT_EQ(hipac_lookup(t.get(), ssh), 0u);
    EXPECT_EQ(hipac_lookup(t.get(), other_port), 1u);
    EXPECT_EQ(hipac_lookup(t.get(), udp_out), HIPAC_NO_MATCH);
    EXPECT_EQ(hipac_lookup(t.get(), tcp_out), 2u);
}

TEST(Hipac, BoundsAreInclusiveAtBothEndsOfTheSpace)
{
    RuleSet rs;
    rs.add({{0, 0, 0, 0}});
    rs.add({{0, 0, 0xffffffff, 0xffffffff}});
    rs.add({{2, 1, 1, 65534}}); // port 0 or 65535
    Tree t = build(kSmall, rs);
    u32 lo[3] = {0, 0, 5}, hi[3] = {0xffffffff, 0, 5};
    u32 p0[3] = {7, 0, 0}, p1[3] = {7, 0, 1}, pmax[3] = {7, 0, 65535};

    EXPECT_EQ(hipac_lookup(t.get(), lo), 0u);
    EXPECT_EQ(hipac_lookup(t.get(), hi), 1u);
    EXPECT_EQ(hipac_lookup(t.get(), p0), 2u);
    EXPECT_EQ(hipac_lookup(t.get(), p1), HIPAC_NO_MATCH);
    EXPECT_EQ(hipac_lookup(t.get(), pmax), 2u);
}

TEST(Hipac, ShadowedRulesCostNothing)
{
    RuleSet rs;
    rs.add({}); // matches everything
    for (u32 i = 0; i < 100; i++)
        rs.add({{2, 0, i, i}});
    Tree t = build(kSmall, rs);
    struct hipac_stats st;

    hipac_tree_stats(t.get(), &st);
    EXPECT_EQ(st.nodes, 0u);
    EXPECT_EQ(st.leaves, 1u);
}

TEST(Hipac, ValidateNamesTheBadRule)
{
    RuleSet rs;
    rs.add({{0, 0, 1, 2}});
    rs.add({{1, 0, 5, 300}}); // beyond the protocol's 255
    hipac_tree *t = nullptr;
    u32 bad = 0;

    EXPECT_EQ(hipac_validate(&kSmall, rs.rules.data(), 2, &bad), -EINVAL);
    EXPECT_EQ(bad, 1u);
    EXPECT_EQ(hipac_build(&t, &kSmall, rs.rules.data(), 2), -EINVAL);

    RuleSet empty_interval;
    empty_interval.add({{2, 0, 9, 8}});
    EXPECT_EQ(hipac_validate(&kSmall, empty_interval.rules.data(), 1, &bad), -EINVAL);

    RuleSet bad_dim;
    bad_dim.add({{3, 0, 0, 0}});
    EXPECT_EQ(hipac_validate(&kSmall, bad_dim.rules.data(), 1, &bad), -EINVAL);
}

void differential(u32 seed, u32 n_rules, u32 n_packets)
{
    Generator gen(seed);
    hipac_dims d = gen.dims();
    RuleSet rs;

    for (u32 i = 0; i < n_rules; i++)
        rs.add(gen.rule(d));
    Tree t = build(d, rs);
    ASSERT_TRUE(t);

    std::vector<std::vector<u32>> probes = probe_values(d, rs.matches);
    u32 pkt[Generator::kDims];
    u32 disagreements = 0;

    for (u32 p = 0; p < n_packets; p++) {
        gen.packet(d, probes, 2, pkt);
        u32 want = hipac_linear_lookup(rs.rules.data(), rs.rules.size(), pkt);
        u32 got = hipac_lookup(t.get(), pkt);
        if (got != want && disagreements++ < 5)
            ADD_FAILURE() << "seed " << seed << " rules " << n_rules << " packet {" << pkt[0] << ","
                          << pkt[1] << "," << pkt[2] << "," << pkt[3] << "," << pkt[4] << "}: tree "
                          << got << ", linear " << want;
    }
    EXPECT_EQ(disagreements, 0u);
}

TEST(HipacDifferential, SmallRuleSets)
{
    for (u32 seed = 1; seed <= 200; seed++)
        differential(seed, 1 + seed % 20, 2000);
}

TEST(HipacDifferential, MediumRuleSets)
{
    for (u32 seed = 1000; seed < 1010; seed++)
        differential(seed, 200, 50000);
}

TEST(HipacDifferential, LargeRuleSet)
{
    differential(4242, 1000, 200000);
}

} // namespace
