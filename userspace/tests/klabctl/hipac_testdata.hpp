// SPDX-License-Identifier: GPL-2.0
// Test helpers for klabctl hipac: the rule files in data/ (iptables command
// lines) applied to an in-memory rule set, and the golden outputs that
// iptables-legacy printed for them (data/gen_hipac_golden.sh).
#pragma once

#include "hipac_parse.hpp"
#include "hipac_print.hpp"
#include "hipac_restore.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hipac_test {

using namespace klab::hipac;

inline std::string data_path(const std::string &name)
{
    return std::string(KLAB_TEST_DATA) + "/" + name;
}

inline std::string read_file(const std::string &name)
{
    std::ifstream in(data_path(name));
    std::stringstream ss;

    EXPECT_TRUE(in.good()) << data_path(name);
    ss << in.rdbuf();
    return ss.str();
}

// The command lines of a rule file, comments left out.
inline std::vector<std::string> command_lines(const std::string &name)
{
    std::istringstream in(read_file(name));
    std::vector<std::string> lines;
    std::string line;

    while (std::getline(in, line))
        if (!line.empty() && line[0] != '#')
            lines.push_back(line);
    return lines;
}

inline Chain *find(Ruleset &rs, const std::string &name)
{
    for (Chain &c : rs.chains)
        if (c.name == name)
            return &c;
    return nullptr;
}

// What the kernel would hold after the -N/-P/-A commands of @name.
inline Ruleset load(const std::string &name, int family, int table = NF_HIPAC_TABLE_FILTER)
{
    Ruleset rs;

    rs.family = family;
    rs.table = table;
    for (const std::string &base : base_chains(table))
        rs.chains.push_back(Chain{base, true, NF_HIPAC_V_ACCEPT, 0, {}, {}});
    for (const std::string &line : command_lines(name)) {
        Command c = parse_command(split_line(line), family, table);
        if (c.op == Op::NewChain) {
            rs.chains.push_back(Chain{c.chain, false, 0, 0, {}, {}});
        } else if (c.op == Op::Policy) {
            find(rs, c.chain)->policy = c.policy;
        } else if (c.op == Op::Append) {
            c.rule.counters = c.rule.counters.value_or(Counters{});
            find(rs, c.chain)->rules.push_back(c.rule);
        } else {
            ADD_FAILURE() << "unexpected command in " << name << ": " << line;
        }
    }
    for (const Chain &c : rs.chains)
        for (const Rule &r : c.rules)
            if (r.verdict == NF_HIPAC_V_JUMP || r.verdict == NF_HIPAC_V_GOTO)
                find(rs, r.target)->refs++;
    sort_chains(rs);
    return rs;
}

// The rule files: filter and nat, IPv4 and IPv6.
struct RuleFile {
    const char *name;
    int family;
    int table;
};

inline constexpr RuleFile kRuleFiles[] = {
    {"hipac_rules4", AF_INET, NF_HIPAC_TABLE_FILTER},
    {"hipac_rules6", AF_INET6, NF_HIPAC_TABLE_FILTER},
    {"hipac_nat4", AF_INET, NF_HIPAC_TABLE_NAT},
    {"hipac_nat6", AF_INET6, NF_HIPAC_TABLE_NAT},
};

} // namespace hipac_test
