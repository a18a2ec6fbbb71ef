// SPDX-License-Identifier: GPL-2.0
// A set of HiPAC chains that owns its rules and matches, ready for
// hipac_chains_build() and hipac_chains_walk().
#pragma once

#include "rule_set.hpp"

#include <cstdint>
#include <vector>

namespace klab::hipac {

struct ChainRule {
    std::vector<hipac_match> matches;
    u32 origin;
    u32 action;
    u32 arg;
};

struct ChainSet {
    struct Chain {
        std::vector<ChainRule> rules;
        u32 policy = 0;
        u32 policy_origin = 0;
    };
    std::vector<Chain> chains;

    // Rebuilt by view() from chains; valid until chains change.
    std::vector<std::vector<hipac_chain_rule>> rule_views;
    std::vector<hipac_chain> chain_views;

    const hipac_chain *view()
    {
        rule_views.clear();
        chain_views.clear();
        for (Chain &c : chains) {
            std::vector<hipac_chain_rule> v;
            for (ChainRule &r : c.rules)
                v.push_back({r.matches.data(), static_cast<u32>(r.matches.size()), r.origin,
                             r.action, r.arg});
            rule_views.push_back(std::move(v));
        }
        for (size_t i = 0; i < chains.size(); i++)
            chain_views.push_back({rule_views[i].data(), static_cast<u32>(rule_views[i].size()),
                                   chains[i].policy, chains[i].policy_origin});
        return chain_views.data();
    }

    u32 size() const { return static_cast<u32>(chains.size()); }
};

} // namespace klab::hipac
