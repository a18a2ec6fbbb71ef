// SPDX-License-Identifier: GPL-2.0
// The HiPAC tree against the linear walk on ClassBench-like rule sets and
// on nf-HiPAC's worst case (N rules that do not match, then one that
// does): lookups per second, bytes per rule, build time and the time to
// apply a one-rule change.  There is no incremental update: a change
// rebuilds the tree, so insert_s and delete_s are the rebuilds after
// inserting or deleting one rule.
// Build and update times are CPU seconds; lookups are per CPU second.
#include "chain_set.hpp"
#include "classbench.hpp"

#include <benchmark/benchmark.h>

#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace {

using namespace klab::hipac;

constexpr size_t kPackets = 4096;
constexpr u32 kAccept = 1, kDrop = 0;

// A tree beyond 1 GB is reported as too big, as the kernel module's
// memory limit would.
const hipac_limits kLimits = {16, 0, 1ull << 30};

// CPU time of this thread: the machine may be busy with other work.
double cpu_seconds()
{
    timespec ts{};

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// A rule set as the kernel hands it over: one root chain of rules.
ChainSet as_root_chain(const RuleSet &rs)
{
    ChainSet cs;

    cs.chains.resize(1);
    cs.chains[0].policy = kDrop;
    cs.chains[0].policy_origin = rs.size();
    for (size_t i = 0; i < rs.size(); i++)
        cs.chains[0].rules.push_back(
            {rs.matches[i], static_cast<u32>(i), HIPAC_ACT_VERDICT, i % 2 ? kAccept : kDrop});
    return cs;
}

struct Setup {
    RuleSet rules;
    ChainSet chains;
    std::vector<std::vector<u32>> pkts;
    Tree tree;
    std::string error;
    double build_s = 0, insert_s = 0, delete_s = 0;
    hipac_stats stats{};
};

Tree build(ChainSet &cs, std::string &error, double &seconds)
{
    hipac_dims dims = five_tuple_dims();
    hipac_tree *t = nullptr;
    hipac_error err{};
    double t0 = cpu_seconds();
    int ret = hipac_chains_build(&t, &dims, cs.view(), cs.size(), 0, &kLimits, &err);

    seconds = cpu_seconds() - t0;
    if (ret)
        error = std::string("hipac_chains_build: ") + (err.msg ? err.msg : "failed");
    return Tree(t);
}

// Built once per rule set, however often Google Benchmark runs a case.
Setup &setup(const std::string &kind, size_t n, bool with_tree)
{
    static std::map<std::pair<std::string, size_t>, std::unique_ptr<Setup>> cache;
    auto &slot = cache[{kind, n}];

    if (!slot) {
        slot = std::make_unique<Setup>();
        if (kind == "worst") {
            // nf-HiPAC's test: /32 sources that no packet has, then a
            // rule every packet matches
            for (size_t i = 0; i < n; i++)
                slot->rules.add({{kSrc, 0, 0x0b000000u + static_cast<u32>(i),
                                  0x0b000000u + static_cast<u32>(i)}});
            slot->rules.add({});
            slot->pkts.assign(kPackets, {0x0a000001, 0x0a000002, 17, 1024, 53});
        } else {
            slot->rules = generate(parse_profile(kind), n, 1);
            slot->pkts = packets(slot->rules, kPackets, 2);
        }
        slot->chains = as_root_chain(slot->rules);
    }
    if (with_tree && !slot->tree && slot->error.empty()) {
        slot->tree = build(slot->chains, slot->error, slot->build_s);
        if (slot->tree) {
            hipac_tree_stats(slot->tree.get(), &slot->stats);
            // one rule more, or one less, in the middle: a rebuild
            ChainSet changed = slot->chains;
            auto &rules = changed.chains[0].rules;
            size_t middle = rules.size() / 2;
            std::string error;
            rules.insert(rules.begin() + middle,
                         {{{kDport, 0, 4242, 4242}}, 1u << 30, HIPAC_ACT_VERDICT, kAccept});
            Tree inserted = build(changed, error, slot->insert_s);
            inserted.reset();
            // the inserted rule and the one after it: one less than before
            rules.erase(rules.begin() + middle, rules.begin() + middle + 2);
            Tree deleted = build(changed, error, slot->delete_s);
        }
    }
    return *slot;
}

std::string kind_of(const benchmark::State &state)
{
    static const char *const kinds[] = {"acl", "fw", "ipc", "worst"};
    return kinds[state.range(0)];
}

void BM_Hipac(benchmark::State &state)
{
    std::string kind = kind_of(state);
    Setup &s = setup(kind, state.range(1), true);
    size_t i = 0;

    state.SetLabel(kind);
    if (!s.tree) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(hipac_classify(s.tree.get(), s.pkts[i++ % kPackets].data()));
    state.SetItemsProcessed(state.iterations());
    state.counters["bytes_per_rule"] = static_cast<double>(s.stats.bytes) / s.rules.size();
    state.counters["nodes"] = s.stats.nodes;
    state.counters["build_s"] = s.build_s;
    state.counters["insert_s"] = s.insert_s;
    state.counters["delete_s"] = s.delete_s;
}

void BM_Linear(benchmark::State &state)
{
    std::string kind = kind_of(state);
    Setup &s = setup(kind, state.range(1), false);
    size_t i = 0;

    state.SetLabel(kind);
    for (auto _ : state)
        benchmark::DoNotOptimize(hipac_linear_lookup(s.rules.rules.data(), s.rules.size(),
                                                     s.pkts[i++ % kPackets].data()));
    state.SetItemsProcessed(state.iterations());
}

void RuleSets(benchmark::internal::Benchmark *b)
{
    for (int kind : {0, 1, 2, 3})
        for (int n : {100, 1000, 10000, 100000})
            b->Args({kind, n});
}

BENCHMARK(BM_Hipac)->Apply(RuleSets);
BENCHMARK(BM_Linear)->Apply(RuleSets);

} // namespace

BENCHMARK_MAIN();
