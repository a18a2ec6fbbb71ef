// SPDX-License-Identifier: GPL-2.0
// A HiPAC rule set that owns its matches, ready for hipac_build().
#pragma once

#include "hipac.h"

#include <memory>
#include <utility>
#include <vector>

namespace klab::hipac {

struct RuleSet {
    std::vector<std::vector<hipac_match>> matches;
    std::vector<hipac_rule> rules; // points into matches: call index() after changing it

    void add(std::vector<hipac_match> m)
    {
        matches.push_back(std::move(m));
        index();
    }

    void index()
    {
        rules.clear();
        for (auto &v : matches)
            rules.push_back(hipac_rule{v.data(), static_cast<u32>(v.size())});
    }

    size_t size() const { return rules.size(); }
};

struct TreeDeleter {
    void operator()(hipac_tree *t) const { hipac_free(t); }
};
using Tree = std::unique_ptr<hipac_tree, TreeDeleter>;

} // namespace klab::hipac
