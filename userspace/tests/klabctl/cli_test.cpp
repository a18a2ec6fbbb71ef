// SPDX-License-Identifier: GPL-2.0
// Command-line parsing.  Only paths that fail or finish before talking to
// the kernel are exercised here; selftests cover the rest.
#include "cli.hpp"
#include "error.hpp"
#include "run_klabctl.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace {

using klabctl_test::Result;
using klabctl_test::run;

void expect_usage_error(std::vector<const char *> args)
{
    Result r = run(args);

    EXPECT_EQ(r.code, klab::kExitUsage);
    EXPECT_EQ(r.err.rfind("Error: ", 0), 0u) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(Cli, Version)
{
    Result r = run({"--version"});

    EXPECT_EQ(r.code, klab::kExitOk);
    EXPECT_EQ(r.out.rfind("klabctl 0.1.0 (modules built against Linux ", 0), 0u) << r.out;
    EXPECT_EQ(r.out.find("unknown"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.back(), '\n');
}

TEST(Cli, HelpListsEveryModule)
{
    Result r = run({"--help"});

    EXPECT_EQ(r.code, klab::kExitOk);
    for (const char *m : {"sched", "rcu", "slab", "hipac", "chardev", "igb"})
        EXPECT_NE(r.out.find(m), std::string::npos) << m;
}

TEST(Cli, EveryModuleHasTheCommonVerbs)
{
    for (const char *m : {"sched", "rcu", "slab", "hipac", "chardev", "igb"}) {
        Result r = run({m, "--help"});

        EXPECT_EQ(r.code, klab::kExitOk) << m;
        for (const char *verb : {"info", "set", "monitor"})
            EXPECT_NE(r.out.find(verb), std::string::npos) << m << " " << verb;
    }
}

TEST(Cli, UsageErrors)
{
    expect_usage_error({});
    expect_usage_error({"bogus"});
    expect_usage_error({"sched"});
    expect_usage_error({"sched", "bogus"});
    expect_usage_error({"sched", "info", "extra"});
    expect_usage_error({"--bogus", "sched", "info"});
}

TEST(Cli, NamesTheUnknownCommand)
{
    EXPECT_EQ(run({"bogus"}).err, "Error: unknown command \"bogus\" (see klabctl --help)\n");
    EXPECT_EQ(run({"slab", "frob"}).err,
              "Error: unknown command \"frob\" (see klabctl slab --help)\n");
    EXPECT_EQ(run({"--frob"}).err, "Error: unknown option \"--frob\" (see klabctl --help)\n");
}

TEST(Cli, SetNeedsANumericLevel)
{
    expect_usage_error({"sched", "set"});
    expect_usage_error({"sched", "set", "debug-level"});
    expect_usage_error({"sched", "set", "debug-level", "abc"});
    expect_usage_error({"sched", "set", "debug-level", "3x"});
    expect_usage_error({"sched", "set", "debug-level", "-1"});
    expect_usage_error({"sched", "set", "debug-level", "4294967296"});
    expect_usage_error({"rcu", "set", "bogus-key", "1"});
}

TEST(Cli, MonitorCountIsNumeric)
{
    expect_usage_error({"igb", "monitor", "--count", "abc"});
    expect_usage_error({"igb", "monitor", "--count"});
}

} // namespace
