// SPDX-License-Identifier: GPL-2.0
// klabctl hipac restore: an iptables-save file as the list of changes that
// one transaction applies.
#pragma once

#include "hipac_parse.hpp"

#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace klab::hipac {

struct RestoreOptions {
    int family = 0;
    bool noflush = false;  // --noflush: keep what the file does not mention
    bool counters = false; // -c: set the rules' "[packets:bytes]"
};

// One change, and the line of the file it came from.
struct RestoreStep {
    unsigned int line;
    Command cmd;
};

// A line the parser rejected: iptables-restore's message and exit code.
class RestoreError : public std::runtime_error {
  public:
    RestoreError(const std::string &what, int exit_code)
        : std::runtime_error(what), exit_code_(exit_code)
    {
    }
    int exit_code() const { return exit_code_; }

  private:
    int exit_code_;
};

// Split a line as iptables-restore does: on blanks, with "..." and '...'
// quoting and \" inside double quotes.
std::vector<std::string> split_line(const std::string &line);

// Whether user chain (table, name) exists.
using ChainExists = std::function<bool(int, const std::string &)>;

// The changes of the file @in, each with the table of its section
// (Command::table).  @chain_exists tells, for --noflush, whether a user
// chain the file declares exists already (it is then flushed instead of
// created).
std::vector<RestoreStep> parse_restore(std::istream &in, const RestoreOptions &opts,
                                       const ChainExists &chain_exists);

} // namespace klab::hipac
