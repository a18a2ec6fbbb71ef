// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: nf_hipac with iptables' syntax.  Everything after "hipac"
// that is not a common verb (info, set, monitor) is an iptables command
// line, "save" or "restore"; CLI11 cannot parse those (-j TARGET clashes
// with klabctl's -j/--json, "!" prefixes options), so they bypass it.
#pragma once

#include "printer.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace klab::hipac {

// The name under which klabctl behaves as "klabctl hipac".
inline constexpr const char *kProgramName = "nf-hipac";

// If @argv is "klabctl [-j] [-p] hipac <iptables arguments>", run it and
// return the exit code; nothing if CLI11 should parse @argv.
std::optional<int> run_from_argv(int argc, const char *const *argv, std::ostream &out,
                                 std::ostream &err);

// Run the iptables-style arguments after "hipac".  Exit codes as iptables:
// 0, kExitRule or kExitParam.
int run(const std::vector<std::string> &args, const Options &opts, std::ostream &out,
        std::ostream &err);

} // namespace klab::hipac
