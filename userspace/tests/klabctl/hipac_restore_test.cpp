// SPDX-License-Identifier: GPL-2.0
// klabctl hipac restore: the iptables-save format as one list of changes.
#include "hipac_testdata.hpp"

#include <sys/socket.h>

namespace {

using namespace hipac_test;

std::vector<RestoreStep> restore(const std::string &text,
                                 RestoreOptions opts = {AF_INET, false, false},
                                 const std::set<std::string> &existing = {})
{
    std::istringstream in(text);

    return parse_restore(in, opts, [&](int, const std::string &c) { return existing.contains(c); });
}

void expect_restore_error(const std::string &text, const std::string &message, int code)
{
    try {
        restore(text);
        ADD_FAILURE() << "no error for:\n" << text;
    } catch (const RestoreError &e) {
        EXPECT_EQ(e.what(), message);
        EXPECT_EQ(e.exit_code(), code);
    }
}

// The model restore builds from a save file prints the same file again.
TEST(HipacRestore, SaveOutputRoundTrips)
{
    for (const RuleFile &f : kRuleFiles) {
        std::string file = std::string(f.name) + ".save";
        std::string saved = read_file(file);
        std::vector<RestoreStep> steps = restore(saved, {f.family, false, true});
        Ruleset rs;

        rs.family = f.family;
        rs.table = f.table;
        for (const std::string &base : base_chains(f.table))
            rs.chains.push_back(Chain{base, true, NF_HIPAC_V_ACCEPT, 0, {}, {}});
        ASSERT_GE(steps.size(), 2u);
        EXPECT_EQ(steps[0].cmd.op, Op::Flush);
        EXPECT_EQ(steps[1].cmd.op, Op::DeleteChain);
        for (const RestoreStep &s : steps) {
            EXPECT_EQ(s.cmd.table, f.table) << file << " line " << s.line;
            if (s.cmd.op == Op::NewChain)
                rs.chains.push_back(Chain{s.cmd.chain, false, 0, 0, {}, {}});
            else if (s.cmd.op == Op::Policy)
                find(rs, s.cmd.chain)->policy = s.cmd.policy;
            else if (s.cmd.op == Op::Append)
                find(rs, s.cmd.chain)->rules.push_back(s.cmd.rule);
        }
        sort_chains(rs);
        std::ostringstream out;
        print_save(out, rs, true);
        EXPECT_EQ(out.str(), saved) << file;
    }
}

TEST(HipacRestore, LinesAreNumberedAndCountersOnlyWithC)
{
    const std::string text = "# comment\n*filter\n:INPUT DROP [1:2]\n:foo - [0:0]\n\n"
                             "[5:6] -A foo -j ACCEPT\nCOMMIT\n";
    std::vector<RestoreStep> steps = restore(text);

    ASSERT_EQ(steps.size(), 5u);
    EXPECT_EQ(steps[2].line, 3u);
    EXPECT_EQ(steps[2].cmd.op, Op::Policy);
    EXPECT_EQ(steps[2].cmd.policy, NF_HIPAC_V_DROP);
    EXPECT_EQ(steps[3].cmd.op, Op::NewChain);
    EXPECT_EQ(steps[4].line, 6u);
    EXPECT_FALSE(steps[4].cmd.rule.counters);

    steps = restore(text, {AF_INET, false, true});
    EXPECT_EQ(steps[4].cmd.rule.counters, (Counters{5, 6}));
}

TEST(HipacRestore, NoflushKeepsChainsAndFlushesDeclaredOnes)
{
    std::vector<RestoreStep> steps =
        restore("*filter\n:old - [0:0]\n:new - [0:0]\n-A new -j old\nCOMMIT\n",
                {AF_INET, true, false}, {"old"});

    ASSERT_EQ(steps.size(), 3u);
    EXPECT_EQ(steps[0].cmd.op, Op::Flush);
    EXPECT_EQ(steps[0].cmd.chain, "old");
    EXPECT_EQ(steps[1].cmd.op, Op::NewChain);
    EXPECT_EQ(steps[2].cmd.op, Op::Append);
}

TEST(HipacRestore, BadLinesNameTheLine)
{
    expect_restore_error(
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-A INPUT --bogus\nCOMMIT\n",
        "unknown option \"--bogus\"\nError occurred at line: 4", kExitParam);
    expect_restore_error("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n",
                         "COMMIT expected at line 4", kExitRule);
    expect_restore_error("*filter\nfoo bar\nCOMMIT\n",
                         "Bad argument `foo'\nError occurred at line: 2", kExitParam);
    expect_restore_error("*filter\n:foo BAD [0:0]\nCOMMIT\n",
                         "Can't set policy `BAD' on `foo' line 2: Bad built-in chain name",
                         kExitRule);
    expect_restore_error("*filter\n:INPUT BAD [0:0]\nCOMMIT\n",
                         "Can't set policy `BAD' on `INPUT' line 2: Bad policy name", kExitRule);
    expect_restore_error("*filter\n-P INPUT BAD\nCOMMIT\n", "line 2 failed: Bad policy name.",
                         kExitRule);
    expect_restore_error(
        "*raw\nCOMMIT\n",
        "table 'raw' does not exist (nf_hipac has filter and nat)\nError occurred at line: 1",
        kExitParam);
    expect_restore_error("*nat\n:PREROUTING DROP [0:0]\nCOMMIT\n",
                         std::string(kNatNoDrop) + "\nError occurred at line: 2", kExitParam);
    expect_restore_error("*nat\n-A POSTROUTING -j DROP\nCOMMIT\n",
                         std::string(kNatNoDrop) + "\nError occurred at line: 2", kExitParam);
    expect_restore_error("-A INPUT\n", "no table specified\nError occurred at line: 1", kExitParam);
    expect_restore_error("*filter\n[1:x] -A INPUT\nCOMMIT\n",
                         "Bad counter format `[1:x]'\nError occurred at line: 2", kExitParam);
    expect_restore_error("*filter\n-L\nCOMMIT\n",
                         "only changes are allowed in a restore file\nError occurred at line: 2",
                         kExitParam);
}

} // namespace
