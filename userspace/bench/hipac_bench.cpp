// SPDX-License-Identifier: GPL-2.0
// The HiPAC tree against the linear first-match walk on ClassBench-like
// rule sets: lookups per second, bytes per rule and build time.
#include "classbench.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>

namespace {

using namespace klab::hipac;

constexpr size_t kPackets = 4096;

struct Setup {
    RuleSet rules;
    std::vector<std::vector<u32>> pkts;
    Tree tree;
    double build_seconds = 0;
};

Setup make_setup(benchmark::State &state, bool with_tree)
{
    Setup s;
    hipac_dims dims = five_tuple_dims();
    auto profile = static_cast<Profile>(state.range(0));

    s.rules = generate(profile, state.range(1), 1);
    s.pkts = packets(s.rules, kPackets, 2);
    if (with_tree) {
        hipac_tree *t = nullptr;
        auto t0 = std::chrono::steady_clock::now();
        if (hipac_build(&t, &dims, s.rules.rules.data(), s.rules.size()))
            state.SkipWithError("hipac_build failed");
        s.build_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        s.tree.reset(t);
    }
    state.SetLabel(profile_name(profile));
    return s;
}

void BM_HipacLookup(benchmark::State &state)
{
    Setup s = make_setup(state, true);
    struct hipac_stats st {};
    size_t i = 0;

    if (!s.tree)
        return;
    for (auto _ : state)
        benchmark::DoNotOptimize(hipac_lookup(s.tree.get(), s.pkts[i++ % kPackets].data()));
    hipac_tree_stats(s.tree.get(), &st);
    state.SetItemsProcessed(state.iterations());
    state.counters["bytes_per_rule"] = static_cast<double>(st.bytes) / s.rules.size();
    state.counters["nodes"] = st.nodes;
    state.counters["build_s"] = s.build_seconds;
}

void BM_LinearLookup(benchmark::State &state)
{
    Setup s = make_setup(state, false);
    size_t i = 0;

    for (auto _ : state)
        benchmark::DoNotOptimize(hipac_linear_lookup(s.rules.rules.data(), s.rules.size(),
                                                     s.pkts[i++ % kPackets].data()));
    state.SetItemsProcessed(state.iterations());
}

void RuleSets(benchmark::internal::Benchmark *b)
{
    for (int profile : {0, 1, 2})
        for (int n : {100, 1000, 10000})
            b->Args({profile, n});
}

BENCHMARK(BM_HipacLookup)->Apply(RuleSets);
BENCHMARK(BM_LinearLookup)->Apply(RuleSets);

} // namespace

BENCHMARK_MAIN();
