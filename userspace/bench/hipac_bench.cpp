// SPDX-License-Identifier: GPL-2.0
// The HiPAC tree against the linear walk on ClassBench-like rule sets and
// on nf-HiPAC's worst case (N rules that do not match, then one that
// does): lookups per second, bytes per rule and build time; and the time
// to apply a one-rule change (BM_Update): hipac_chains_update() from the
// tree, a full rebuild, and the linear classifier's array insert or erase.
// Besides the generated sets, the real ClassBench sets (acl1, fw1, ipc1 at
// 1k, 10k, 100k: KLAB_CLASSBENCH, default ../shared/classbench next to the
// repository), and a Tuple Space Search baseline on every set (BM_Tss).
// Build and update times are CPU seconds; lookups are per CPU second.
#include "chain_set.hpp"
#include "classbench.hpp"
#include "tss.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>

namespace {

using namespace klab::hipac;

constexpr size_t kPackets = 4096;
constexpr u32 kAccept = 1, kDrop = 0;

// A tree beyond KLAB_BENCH_MAX_MB (default 1024) is reported as too big,
// as the kernel module's memory limit would; raising it lets the 100k
// sets be measured on a machine with the memory for them.
hipac_limits bench_limits()
{
    const char *env = std::getenv("KLAB_BENCH_MAX_MB");
    u64 mb = env ? std::strtoull(env, nullptr, 10) : 1024;

    return {16, 0, mb << 20};
}

const hipac_limits kLimits = bench_limits();

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

// The directory of the real ClassBench sets
std::string classbench_dir()
{
    const char *env = std::getenv("KLAB_CLASSBENCH");
    std::string dir = KLAB_ROOT "/../shared/classbench";

    if (env)
        return env;
    // a git worktree of the repository lies a level further down
    if (!std::ifstream(dir + "/README.md"))
        dir = KLAB_ROOT "/../../shared/classbench";
    return dir;
}

// A ClassBench filter file (gzip), first match in file order:
// @SRC/LEN DST/LEN SPORT_LO : SPORT_HI DPORT_LO : DPORT_HI PROTO/MASK FLAGS/MASK
bool read_classbench(const std::string &name, size_t n, RuleSet &rs)
{
    std::string path = classbench_dir() + "/" + name + "_" +
                       (n >= 1000 ? std::to_string(n / 1000) + "k" : std::to_string(n)) + ".gz";
    std::string cmd = "gzip -dc '" + path + "' 2>/dev/null";
    FILE *f = popen(cmd.c_str(), "r");
    char line[512];

    if (!f)
        return false;
    while (fgets(line, sizeof(line), f)) {
        unsigned s[4], d[4], sl, dl, splo, sphi, dplo, dphi, proto, pmask;
        std::vector<hipac_match> m;

        if (std::sscanf(line, "@%u.%u.%u.%u/%u %u.%u.%u.%u/%u %u : %u %u : %u %x/%x", &s[0], &s[1],
                        &s[2], &s[3], &sl, &d[0], &d[1], &d[2], &d[3], &dl, &splo, &sphi, &dplo,
                        &dphi, &proto, &pmask) != 16)
            continue;
        for (auto [a, len, dim] : {std::tuple{s, sl, kSrc}, std::tuple{d, dl, kDst}}) {
            u32 addr = a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3];
            u32 host = len >= 32 ? 0 : 0xffffffffu >> len;

            if (len)
                m.push_back({dim, 0, addr & ~host, (addr & ~host) | host});
        }
        if (pmask == 0xff)
            m.push_back({kProto, 0, proto, proto});
        if (splo != 0 || sphi != 65535)
            m.push_back({kSport, 0, splo, sphi});
        if (dplo != 0 || dphi != 65535)
            m.push_back({kDport, 0, dplo, dphi});
        rs.matches.push_back(std::move(m));
    }
    pclose(f);
    rs.index();
    return rs.size() > 0;
}

struct Setup {
    RuleSet rules;
    ChainSet chains;
    std::vector<std::vector<u32>> pkts;
    Tree tree;
    std::string error;
    double build_s = 0;
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
        } else if (kind.back() == '1') {
            if (read_classbench(kind, n, slot->rules))
                slot->pkts = packets(slot->rules, kPackets, 2);
            else
                slot->error = "no ClassBench file " + kind + " in " + classbench_dir();
            slot->pkts.resize(kPackets, std::vector<u32>(kDims));
        } else {
            slot->rules = generate(parse_profile(kind), n, 1);
            slot->pkts = packets(slot->rules, kPackets, 2);
        }
        slot->chains = as_root_chain(slot->rules);
    }
    if (with_tree && !slot->tree && slot->error.empty()) {
        slot->tree = build(slot->chains, slot->error, slot->build_s);
        if (slot->tree)
            hipac_tree_stats(slot->tree.get(), &slot->stats);
    }
    return *slot;
}

std::string kind_of(const benchmark::State &state)
{
    static const char *const kinds[] = {"acl", "fw", "ipc", "worst", "acl1", "fw1", "ipc1"};
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
}

// The Tuple Space Search baseline on the same rules and packets, answers
// checked against the linear walk before timing
void BM_Tss(benchmark::State &state)
{
    std::string kind = kind_of(state);
    Setup &s = setup(kind, state.range(1), false);
    Tss tss;
    size_t i = 0;

    state.SetLabel(kind);
    if (!s.error.empty() || !s.rules.size()) {
        state.SkipWithError(s.error.empty() ? "no rules" : s.error.c_str());
        return;
    }
    double t0 = cpu_seconds();
    if (!tss.build(s.rules.rules)) {
        state.SkipWithError("a rule Tuple Space Search cannot hold");
        return;
    }
    double build_s = cpu_seconds() - t0;
    for (size_t p = 0; p < kPackets; p += 16) {
        u32 want = hipac_linear_lookup(s.rules.rules.data(), s.rules.size(), s.pkts[p].data());

        if (tss.lookup(s.pkts[p].data()) != want) {
            state.SkipWithError("Tuple Space Search disagrees with the linear walk");
            return;
        }
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(tss.lookup(s.pkts[i++ % kPackets].data()));
    state.SetItemsProcessed(state.iterations());
    state.counters["bytes_per_rule"] = static_cast<double>(tss.bytes()) / s.rules.size();
    state.counters["tuples"] = tss.tuples();
    state.counters["entries"] = tss.entries();
    state.counters["build_s"] = build_s;
}

void BM_Linear(benchmark::State &state)
{
    std::string kind = kind_of(state);
    Setup &s = setup(kind, state.range(1), false);
    size_t i = 0;

    state.SetLabel(kind);
    if (!s.rules.size()) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(hipac_linear_lookup(s.rules.rules.data(), s.rules.size(),
                                                     s.pkts[i++ % kPackets].data()));
    state.SetItemsProcessed(state.iterations());
}

enum UpdateOp : int {
    kInsertUpdate,  // hipac_chains_update() after inserting a rule
    kDeleteUpdate,  // ... after deleting one
    kInsertRebuild, // hipac_chains_build() of the same
    kDeleteRebuild,
    kInsertLinear, // the linear classifier: an insert into its array
    kDeleteLinear, // ... an erase
};

const char *const kOpNames[] = {"insert update",  "delete update", "insert rebuild",
                                "delete rebuild", "insert linear", "delete linear"};

// Rules to insert: more of the same profile.  Each keeps its origin, so a
// rule inserted again is the same rule to the family's identities.
const RuleSet &extra_rules(const std::string &kind)
{
    static std::map<std::string, RuleSet> cache;
    auto &rs = cache[kind];

    // a real set's extra rules come from the generator's profile of it
    if (!rs.size())
        rs = generate(parse_profile(kind.back() == '1' ? kind.substr(0, kind.size() - 1) : kind),
                      1024, 99);
    return rs;
}

// One rule inserted at a random position, or one deleted, then undone:
// each iteration changes the same tree.  Only the update itself is timed
// (CPU time); freeing the new tree and undoing the change are not.
void BM_Update(benchmark::State &state)
{
    std::string kind = kind_of(state);
    auto op = static_cast<UpdateOp>(state.range(2));
    bool insert = op % 2 == 0, linear = op >= kInsertLinear;
    Setup &s = setup(kind, state.range(1), !linear);
    const RuleSet &extra = extra_rules(kind);
    hipac_dims dims = five_tuple_dims();
    auto &rules = s.chains.chains[0].rules;
    std::mt19937 rng(42);
    double new_bytes = 0;
    u64 updates = 0;

    state.SetLabel(kind + " " + kOpNames[op]);
    if (!linear && !s.tree) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    for (auto _ : state) {
        u32 pick = rng() % extra.size();
        size_t pos = rng() % (rules.size() + insert);
        hipac_tree *t = nullptr;
        hipac_error err{};
        ChainRule saved;
        hipac_rule lsaved{};
        int ret = 0;

        if (linear) {
            auto &lr = s.rules.rules;
            double t0 = cpu_seconds();
            if (insert)
                lr.insert(lr.begin() + pos, extra.rules[pick]);
            else
                lsaved = lr[pos], lr.erase(lr.begin() + pos);
            state.SetIterationTime(cpu_seconds() - t0);
            if (insert)
                lr.erase(lr.begin() + pos);
            else
                lr.insert(lr.begin() + pos, lsaved);
            continue;
        }
        if (insert)
            rules.insert(rules.begin() + pos, {extra.matches[pick], (1u << 30) + pick,
                                               HIPAC_ACT_VERDICT, pick % 2 ? kAccept : kDrop});
        else
            saved = rules[pos], rules.erase(rules.begin() + pos);
        const hipac_chain *view = s.chains.view();
        double t0 = cpu_seconds();
        if (op == kInsertUpdate || op == kDeleteUpdate)
            ret = hipac_chains_update(&t, s.tree.get(), &dims, view, s.chains.size(), 0, &kLimits,
                                      &err);
        else
            ret = hipac_chains_build(&t, &dims, view, s.chains.size(), 0, &kLimits, &err);
        state.SetIterationTime(cpu_seconds() - t0);
        if (insert)
            rules.erase(rules.begin() + pos);
        else
            rules.insert(rules.begin() + pos, saved);
        if (ret) {
            state.SkipWithError(err.msg ? err.msg : "update failed");
            break;
        }
        hipac_stats st{};
        hipac_tree_stats(t, &st);
        new_bytes += st.new_bytes;
        updates++;
        hipac_free(t);
    }
    if (updates)
        state.counters["new_bytes"] = new_bytes / updates;
    state.counters["tree_bytes"] = s.stats.bytes;
}

void UpdateSets(benchmark::internal::Benchmark *b)
{
    for (int kind : {0, 1, 2})
        for (int n : {100, 1000, 10000, 100000})
            for (int op = kInsertUpdate; op <= kDeleteLinear; op++)
                b->Args({kind, n, op});
    for (int kind : {4, 5, 6})
        for (int n : {1000, 10000, 100000})
            for (int op : {kInsertUpdate, kDeleteUpdate})
                b->Args({kind, n, op});
}

void RuleSets(benchmark::internal::Benchmark *b)
{
    for (int kind : {0, 1, 2, 3})
        for (int n : {100, 1000, 10000, 100000})
            b->Args({kind, n});
    for (int kind : {4, 5, 6}) // the real ClassBench sets
        for (int n : {1000, 10000, 100000})
            b->Args({kind, n});
}

BENCHMARK(BM_Hipac)->Apply(RuleSets);
BENCHMARK(BM_Tss)->Apply(RuleSets);
BENCHMARK(BM_Linear)->Apply(RuleSets);
BENCHMARK(BM_Update)->Apply(UpdateSets)->UseManualTime()->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
