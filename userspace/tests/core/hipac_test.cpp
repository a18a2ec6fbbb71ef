// SPDX-License-Identifier: GPL-2.0
// The HiPAC tree against the linear first-match walk: hand-made cases,
// then differential fuzzing over random rule sets and packets.
#include "rule_set.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

namespace {

using klab::hipac::RuleSet;
using klab::hipac::Tree;

Tree build(const hipac_dims &dims, const RuleSet &rs)
{
    hipac_tree *t = nullptr;

    EXPECT_EQ(hipac_build(&t, &dims, rs.rules.data(), rs.rules.size()), 0);
    return Tree(t);
}

hipac_dims make_dims(std::vector<u32> max)
{
    hipac_dims d{};

    d.n = max.size();
    std::copy(max.begin(), max.end(), d.max);
    return d;
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

// Random rules over five dimensions of different widths, in the shapes
// firewall rules take: prefixes, ranges, single values, wildcards, and
// inversions of each.
class Generator {
  public:
    explicit Generator(u32 seed) : rng_(seed) {}

    static constexpr u32 kDims = 5;

    hipac_dims dims() const { return make_dims({0xffffffff, 0xffffffff, 255, 65535, 65535}); }

    hipac_match match(u32 dim, u32 max)
    {
        hipac_match m{static_cast<u8>(dim), static_cast<u8>(pick(5) == 0), 0, 0};
        u32 a = value(max), b = value(max);

        switch (pick(3)) {
        case 0: { // prefix
            u32 bits = max == 0xffffffff ? 32 : (max == 65535 ? 16 : 8);
            u32 len = pick(bits + 1);
            u32 host = len == bits ? 0 : (len == 0 ? max : (max >> len));
            m.left = a & ~host;
            m.right = m.left | host;
            break;
        }
        case 1: // range
            m.left = std::min(a, b);
            m.right = std::max(a, b);
            break;
        default: // one value
            m.left = m.right = a;
        }
        return m;
    }

    std::vector<hipac_match> rule(const hipac_dims &d)
    {
        std::vector<hipac_match> ms;

        for (u32 dim = 0; dim < d.n; dim++)
            if (pick(3) == 0)
                ms.push_back(match(dim, d.max[dim]));
        if (pick(8) == 0 && !ms.empty()) // the same dimension twice
            ms.push_back(match(ms.front().dimid, d.max[ms.front().dimid]));
        return ms;
    }

    // Values cluster on a few hot spots, so rules overlap as real ones do.
    u32 value(u32 max)
    {
        static const u32 hot[] = {0, 1, 22, 80, 443, 1024, 0x0a000000, 0xc0a80000};
        u32 v = pick(2) ? hot[pick(8)] + pick(4) : static_cast<u32>(rng_());
        return max == 0xffffffff ? v : v % (max + 1ull);
    }

    u32 pick(u32 n) { return std::uniform_int_distribution<u32>(0, n - 1)(rng_); }

  private:
    std::mt19937 rng_;
};

// Every bound of every rule, and the values either side, for every
// dimension; plus random values.
std::vector<std::vector<u32>> probe_values(const hipac_dims &d, const RuleSet &rs)
{
    std::vector<std::vector<u32>> v(d.n, {0, 1});

    for (u32 dim = 0; dim < d.n; dim++)
        v[dim].push_back(d.max[dim]);
    for (const auto &ms : rs.matches) {
        for (const hipac_match &m : ms) {
            for (u32 x : {m.left, m.right}) {
                v[m.dimid].push_back(x);
                if (x > 0)
                    v[m.dimid].push_back(x - 1);
                if (x < d.max[m.dimid])
                    v[m.dimid].push_back(x + 1);
            }
        }
    }
    return v;
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

    std::vector<std::vector<u32>> probes = probe_values(d, rs);
    u32 pkt[Generator::kDims];
    u32 disagreements = 0;

    for (u32 p = 0; p < n_packets; p++) {
        for (u32 dim = 0; dim < d.n; dim++)
            pkt[dim] =
                gen.pick(2) ? probes[dim][gen.pick(probes[dim].size())] : gen.value(d.max[dim]);
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
