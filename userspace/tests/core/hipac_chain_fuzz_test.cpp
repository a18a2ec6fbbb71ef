// SPDX-License-Identifier: GPL-2.0
// Differential fuzzing: hipac_classify() on the flattened tree against
// hipac_chains_walk() over random chain sets (jumps, gotos, returns,
// counter-only rules, runs of one origin, negations, prefixes, ranges)
// and random and boundary packets.  Any disagreement fails.
#include "chain_set.hpp"
#include "hipac_random.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

using klab::hipac::ChainRule;
using klab::hipac::ChainSet;
using klab::hipac::Tree;
using klab::hipac::test::all_matches;
using klab::hipac::test::Generator;
using klab::hipac::test::probe_values;
using klab::hipac::test::random_chains;
using klab::hipac::test::same;
using klab::hipac::test::Shape;

constexpr u32 kMaxDepth = 16;

struct Counts {
    u64 packets = 0;
    u64 disagreements = 0;
};

void differential(u32 seed, const Shape &shape, u32 n_packets, Counts &counts)
{
    Generator gen(seed);
    hipac_dims d = gen.dims();
    ChainSet cs = random_chains(gen, d, shape);
    const hipac_limits limits = {kMaxDepth, 0, 0};
    hipac_tree *t = nullptr;
    hipac_error err{};

    ASSERT_EQ(hipac_chains_build(&t, &d, cs.view(), cs.size(), 0, &limits, &err), 0)
        << "seed " << seed << ": " << (err.msg ? err.msg : "");
    Tree tree(t);

    std::vector<std::vector<u32>> probes = probe_values(d, all_matches(cs));
    std::vector<u32> buf(4096);
    auto *want = reinterpret_cast<hipac_result *>(buf.data());
    u32 pkt[Generator::kDims];

    for (u32 p = 0; p < n_packets; p++) {
        gen.packet(d, probes, 2, pkt);
        ASSERT_EQ(hipac_chains_walk(cs.view(), cs.size(), 0, kMaxDepth, pkt, want, buf.size() - 2),
                  0);
        const hipac_result *got = hipac_classify(t, pkt);
        counts.packets++;
        if (!same(got, want) && counts.disagreements++ < 5)
            ADD_FAILURE() << "seed " << seed << " packet {" << pkt[0] << "," << pkt[1] << ","
                          << pkt[2] << "," << pkt[3] << "," << pkt[4] << "}: tree verdict "
                          << got->verdict << " (" << got->n_origins << " origins), walk "
                          << want->verdict << " (" << want->n_origins << " origins)";
    }
}

TEST(HipacChainsDifferential, SmallChainSets)
{
    Counts counts;

    for (u32 seed = 1; seed <= 2000; seed++)
        differential(seed, {4, 6, 30}, 300, counts);
    EXPECT_EQ(counts.disagreements, 0u);
    RecordProperty("packets", std::to_string(counts.packets));
    std::printf("fuzz: %llu packets, %llu disagreements\n",
                static_cast<unsigned long long>(counts.packets),
                static_cast<unsigned long long>(counts.disagreements));
}

TEST(HipacChainsDifferential, ManyChains)
{
    Counts counts;

    for (u32 seed = 5000; seed < 5120; seed++)
        differential(seed, {12, 15, 20}, 2000, counts);
    EXPECT_EQ(counts.disagreements, 0u);
    RecordProperty("packets", std::to_string(counts.packets));
    std::printf("fuzz: %llu packets, %llu disagreements\n",
                static_cast<unsigned long long>(counts.packets),
                static_cast<unsigned long long>(counts.disagreements));
}

TEST(HipacChainsDifferential, LargeChainSets)
{
    Counts counts;

    for (u32 seed = 9000; seed < 9005; seed++)
        differential(seed, {8, 80, 4}, 40000, counts);
    EXPECT_EQ(counts.disagreements, 0u);
    RecordProperty("packets", std::to_string(counts.packets));
    std::printf("fuzz: %llu packets, %llu disagreements\n",
                static_cast<unsigned long long>(counts.packets),
                static_cast<unsigned long long>(counts.disagreements));
}

} // namespace
