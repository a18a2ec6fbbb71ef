// SPDX-License-Identifier: GPL-2.0
// klabctl slab: its verbs and the usage errors caught before the kernel is
// asked anything.
#include "error.hpp"
#include "run_klabctl.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using klabctl_test::Result;
using klabctl_test::run;

TEST(SlabCli, HelpListsEveryVerb)
{
    Result r = run({"slab", "--help"});

    EXPECT_EQ(r.code, klab::kExitOk);
    for (const char *verb : {"list", "show", "stats", "create", "destroy", "shrink", "validate",
                             "alloc", "free", "bug", "run", "bench"})
        EXPECT_NE(r.out.find(verb), std::string::npos) << verb;
}

TEST(SlabCli, UsageErrors)
{
    const std::vector<std::vector<const char *>> bad = {
        {"slab", "create", "c"},
        {"slab", "create", "c", "64", "--flags", "red_zone,bogus"},
        {"slab", "create", "c", "sixty-four"},
        {"slab", "show"},
        {"slab", "alloc", "c", "0"},
        {"slab", "free", "c"},
        {"slab", "bug", "c", "stack-overflow"},
        {"slab", "run", "--threads", "0"},
        {"slab", "run", "--flags", "ctor,nope"},
        {"slab", "bench", "slob", "pair"},
        {"slab", "bench", "slabcache", "sprint"},
        {"slab", "destroy", "a", "b"},
    };

    for (const auto &args : bad) {
        Result r = run(args);

        EXPECT_EQ(r.code, klab::kExitUsage) << args.back();
        EXPECT_EQ(r.err.rfind("Error: ", 0), 0u) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
}

} // namespace
