// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: an iptables command line (everything after "hipac") as a
// command on the model.  Problems are ParamError with iptables' wording.
#pragma once

#include "hipac_rule.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace klab::hipac {

enum class Op {
    None,
    Append,      // -A
    Insert,      // -I
    Delete,      // -D
    Replace,     // -R
    List,        // -L
    ListRules,   // -S
    Flush,       // -F
    Zero,        // -Z
    NewChain,    // -N
    DeleteChain, // -X
    RenameChain, // -E
    Policy,      // -P
};

struct ListFormat {
    bool numeric = false;      // -n
    bool verbose = false;      // -v
    bool exact = false;        // -x
    bool line_numbers = false; // --line-numbers
};

struct Command {
    Op op = Op::None;
    int family = 0;                    // AF_INET or AF_INET6
    int table = NF_HIPAC_TABLE_FILTER; // -t, enum nf_hipac_table
    std::string chain;                 // empty: every chain (-L -S -F -Z -X)
    std::optional<uint32_t> pos;       // rule number (-I -R -D -L -S -Z)
    bool has_rule = false;             // -A -I -R, and -D by specification
    Rule rule;
    std::string newname;                 // -E
    uint32_t policy = NF_HIPAC_V_ACCEPT; // -P
    ListFormat fmt;
    bool json = false;    // --json, for the nf-hipac name
    bool help = false;    // -h/--help: nothing else is done
    std::string ext_help; // with -h: the help of the -m and -j extensions
};

// Parse @args (iptables' syntax, without the program name) for
// @family (AF_INET unless -6 says otherwise) and @table (filter unless
// -t says otherwise).
Command parse_command(const std::vector<std::string> &args, int family,
                      int table = NF_HIPAC_TABLE_FILTER);

// iptables' refusal of DROP in the nat table (rules and policies).
inline constexpr const char *kNatNoDrop =
    "The \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.";

// iptables' checks of a chain name given to -N, -E, -j and -g.
void check_chain_name(const std::string &name);

// The text printed for "-h".
const char *usage_text();

} // namespace klab::hipac
