// SPDX-License-Identifier: GPL-2.0
// klabctl hipac on the command line: routing around CLI11, and iptables'
// exit codes for problems found before the kernel is asked.
#include "cli.hpp"
#include "hipac_rule.hpp"
#include "run_klabctl.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using klabctl_test::Result;
using klabctl_test::run;

void expect_usage(std::vector<const char *> args, const std::string &message)
{
    Result r = run(args);

    EXPECT_EQ(r.code, klab::hipac::kExitParam);
    EXPECT_EQ(r.err,
              "Error: " + message +
                  "\nTry `klabctl hipac -h' or 'klabctl hipac --help' for more information.\n");
    EXPECT_EQ(r.out, "");
}

TEST(HipacCli, UsageErrorsExit2)
{
    expect_usage({"hipac"}, "no command specified");
    expect_usage({"hipac", "-A", "INPUT", "--dport", "80"}, "unknown option \"--dport\"");
    expect_usage({"-j", "hipac", "-A", "INPUT", "-p", "tcp", "--dport", "x:y"},
                 "invalid port/service `x' specified");
    expect_usage({"hipac", "save", "-x"}, "unknown option \"-x\" (save [-4|-6] [-t table] [-c])");
}

TEST(HipacCli, BadRulesExit1)
{
    Result r = run({"hipac", "-P", "INPUT", "FOO"});

    EXPECT_EQ(r.code, klab::hipac::kExitRule);
    EXPECT_EQ(r.err, "Error: Bad policy name.\n");
}

TEST(HipacCli, RestoreOfABadFileExits1NamingTheLine)
{
    char path[] = "/tmp/hipac_restore_XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    std::ofstream(path) << "*filter\n:INPUT ACCEPT [0:0]\n:INPUT BAD [0:0]\nCOMMIT\n";

    Result r = run({"hipac", "restore", path});
    std::remove(path);
    EXPECT_EQ(r.code, klab::hipac::kExitRule);
    EXPECT_EQ(r.err, "Error: Can't set policy `BAD' on `INPUT' line 3: Bad policy name\n");
}

// klabctl's -j before the module is JSON; iptables' -j after it is the
// target.  Both parse: the command gets as far as the (absent) module.
TEST(HipacCli, GlobalJsonAndTargetJ)
{
    Result r = run({"-j", "hipac", "-A", "INPUT", "-j", "ACCEPT"});

    if (r.code == 0)
        GTEST_SKIP() << "nf_hipac is loaded on this host";
    EXPECT_EQ(r.code, klab::hipac::kExitRule);
    EXPECT_NE(r.err.find("nf_hipac is not loaded"), std::string::npos) << r.err;
}

TEST(HipacCli, CommonVerbsStillGoThroughCli11)
{
    Result r = run({"hipac", "--help"});

    EXPECT_EQ(r.code, 0);
    for (const char *verb : {"info", "set", "monitor", "-E old-chain-name", "restore"})
        EXPECT_NE(r.out.find(verb), std::string::npos) << verb;

    r = run({"hipac", "info", "--bogus"});
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("--bogus"), std::string::npos);
}

TEST(HipacCli, HelpInIptablesSyntax)
{
    Result r = run({"hipac", "-h", "-A", "INPUT"});

    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("-E old-chain-name new-chain-name"), std::string::npos);
}

} // namespace
