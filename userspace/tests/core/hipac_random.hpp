// SPDX-License-Identifier: GPL-2.0
// Random HiPAC matches and the packet values that probe them, shared by
// the differential tests of first-match trees and of chains.
#pragma once

#include "chain_set.hpp"
#include "hipac_internal.h"
#include "rule_set.hpp"

#include <algorithm>
#include <random>
#include <vector>

namespace klab::hipac::test {

inline hipac_dims make_dims(std::vector<u32> max)
{
    hipac_dims d{};

    d.n = max.size();
    std::copy(max.begin(), max.end(), d.max);
    return d;
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

    // A packet for @d into @pkt: each value one of its dimension's @probes
    // (from probe_values()), or one time in @random_one_in any value.
    void packet(const hipac_dims &d, const std::vector<std::vector<u32>> &probes, u32 random_one_in,
                u32 *pkt)
    {
        for (u32 dim = 0; dim < d.n; dim++)
            pkt[dim] =
                pick(random_one_in) ? probes[dim][pick(probes[dim].size())] : value(d.max[dim]);
    }

  private:
    std::mt19937 rng_;
};

// Every bound of every rule, and the values either side, for every
// dimension; plus random values.
inline std::vector<std::vector<u32>>
probe_values(const hipac_dims &d, const std::vector<std::vector<hipac_match>> &rules)
{
    std::vector<std::vector<u32>> v(d.n, {0, 1});

    for (u32 dim = 0; dim < d.n; dim++)
        v[dim].push_back(d.max[dim]);
    for (const auto &ms : rules) {
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

constexpr u32 kVerdicts = 4;

struct Shape {
    u32 max_chains;
    u32 max_runs; // per chain
    u32 jumps;    // percent of runs that jump or go to another chain
};

// The action and argument of a random run of chain @c of @n_chains: jumps
// and gotos go only to chains after it, so there are no loops (those are
// the build's and the walk's business in the unit tests).
inline void random_action(Generator &gen, u32 c, u32 n_chains, u32 jumps, u32 &action, u32 &arg)
{
    u32 kind = gen.pick(100);

    arg = 0;
    if (kind < 25) {
        action = HIPAC_ACT_CONTINUE;
    } else if (kind < 40) {
        action = HIPAC_ACT_RETURN;
    } else if (kind >= 100 - jumps && c + 1 < n_chains) {
        action = gen.pick(3) ? HIPAC_ACT_JUMP : HIPAC_ACT_GOTO;
        arg = c + 1 + gen.pick(n_chains - c - 1);
    } else {
        action = HIPAC_ACT_VERDICT;
        arg = gen.pick(kVerdicts);
    }
}

// Random chains: jumps, gotos, returns, counter-only rules, runs of one
// origin, negations, prefixes, ranges.
inline ChainSet random_chains(Generator &gen, const hipac_dims &d, const Shape &shape)
{
    ChainSet cs;
    u32 n_chains = 1 + gen.pick(shape.max_chains);
    u32 origin = 0;

    cs.chains.resize(n_chains);
    for (u32 c = 0; c < n_chains; c++) {
        auto &chain = cs.chains[c];
        u32 runs = gen.pick(shape.max_runs + 1);

        chain.policy = gen.pick(kVerdicts);
        chain.policy_origin = 100000 + c;
        for (u32 r = 0; r < runs; r++) {
            u32 action, arg;
            u32 length = gen.pick(5) == 0 ? 2 + gen.pick(3) : 1;

            random_action(gen, c, n_chains, shape.jumps, action, arg);
            // origins repeat now and then across chains: only
            // consecutive rules of one chain form a run
            u32 o = gen.pick(10) == 0 ? gen.pick(origin + 1) : ++origin;
            if (!chain.rules.empty() && chain.rules.back().origin == o)
                o = ++origin;
            for (u32 k = 0; k < length; k++)
                chain.rules.push_back({gen.rule(d), o, action, arg});
        }
    }
    // a wildcard rule now and then shadows what follows it
    for (auto &chain : cs.chains)
        for (ChainRule &r : chain.rules)
            if (gen.pick(12) == 0)
                r.matches.clear();
    return cs;
}

// The matches of every rule of @cs, chain after chain
inline std::vector<std::vector<hipac_match>> all_matches(const ChainSet &cs)
{
    std::vector<std::vector<hipac_match>> out;

    for (const auto &chain : cs.chains)
        for (const ChainRule &r : chain.rules)
            out.push_back(r.matches);
    return out;
}

// Two outcomes of a walk are equal: verdict and every origin in order
inline bool same(const hipac_result *a, const hipac_result *b)
{
    return a->verdict == b->verdict && a->n_origins == b->n_origins &&
           std::equal(a->origins, a->origins + a->n_origins, b->origins);
}

// Whether a tree (of one family) knows its size: an update's count
// (hipac_count.c) against a walk of its nodes
inline bool size_known(const hipac_tree *t)
{
    hipac_stats w{};

    hipac_tree_walk(t, &w);
    return w.nodes == t->stats.nodes && w.leaves == t->stats.leaves &&
           w.intervals == t->stats.intervals && w.bytes == t->node_bytes;
}

} // namespace klab::hipac::test
