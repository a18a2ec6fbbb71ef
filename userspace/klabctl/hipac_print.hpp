// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: the model printed as iptables-legacy prints it: -S and
// iptables-save lines, the -L table, and the same data as JSON.
#pragma once

#include "hipac_parse.hpp"
#include "hipac_rule.hpp"
#include "printer.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace klab::hipac {

// The options of @r after "-A CHAIN", as iptables -S prints them ("" for a
// rule without any).
std::string rule_spec(int family, const Rule &r);

// Builtin chains first, in iptables' order, then user chains by name.
void sort_chains(Ruleset &rs);

// Which part of a rule set a listing shows: every chain, one chain, or
// one rule of it.
struct Selection {
    std::string chain;
    std::optional<uint32_t> pos;
};

// -S: with @counters (-S -v) every line ends in "-c packets bytes".
void print_rules(std::ostream &out, const Ruleset &rs, const Selection &sel, bool counters);
// -L with -n, -v, -x and --line-numbers as in @fmt.
void print_list(std::ostream &out, const Ruleset &rs, const Selection &sel, const ListFormat &fmt);
// iptables-save's "*filter" block; @counters puts "[packets:bytes]" before
// each rule (-c).  No "# Generated" comment lines.
void print_save(std::ostream &out, const Ruleset &rs, bool counters);

// One JSON record per chain of @sel, for -j/--json.
Json chain_json(int family, const Chain &chain, const Selection &sel);

} // namespace klab::hipac
