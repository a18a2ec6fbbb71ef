// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: rules as NF_HIPAC_R_* attributes, and a session with the
// nf_hipac family: transactions, change commands and dumps.
#pragma once

#include "genl.hpp"
#include "hipac_parse.hpp"
#include "hipac_rule.hpp"

#include <string>

struct nl_msg;
struct nlattr;

namespace klab {
struct Module;
}

namespace klab::hipac {

// klabctl's description of nf_hipac.
const Module &hipac_module();

// Add @r as an NF_HIPAC_A_RULE nest to @msg.
void put_rule(struct nl_msg *msg, int family, const Rule &r);
// The rule in the NF_HIPAC_A_RULE nest @nest; throws Error when malformed.
Rule get_rule(const struct nlattr *nest, int family);

class Session {
  public:
    explicit Session(int family, int table = NF_HIPAC_TABLE_FILTER);

    void begin();
    void commit();
    void abort();
    // Send the change @cmd (not -L/-S).
    void execute(const Command &cmd);
    // The committed rule set, chains in iptables' order.
    Ruleset dump();

  private:
    GenlSocket sock_;
    Family genl_;
    int family_;
    int table_;
};

} // namespace klab::hipac
