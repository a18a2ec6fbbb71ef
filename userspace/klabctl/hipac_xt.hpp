// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: iptables' match and target extensions through libxtables,
// parsed and printed by the plugins iptables itself loads
// (/usr/lib/x86_64-linux-gnu/xtables/libxt_*.so): -m NAME and -j NAME of
// the modules nf_hipac has no native dimension for.
#pragma once

#include "hipac_rule.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace klab::hipac::xt {

// The command line being parsed, as getopt sees it (the old-style plugins
// read argv[optind] themselves).
struct Argv {
    std::vector<std::string> words; // words[0] is the program name
    std::vector<char *> ptrs;       // into words, NULL-terminated
    explicit Argv(const std::vector<std::string> &args);
};

// The extensions of one rule while its command line is parsed.
class RuleParser {
  public:
    explicit RuleParser(int family);
    ~RuleParser();
    RuleParser(const RuleParser &) = delete;
    RuleParser &operator=(const RuleParser &) = delete;

    // -m @name: load the plugin (iptables' "Couldn't load match" if none).
    void load_match(const std::string &name);
    // -j @name: true if a plugin knows the target (else it is a chain).
    bool load_target(const std::string &name);
    bool has_target() const;
    // The matches loaded so far (indexes in load order), and whether the
    // one at @index or the target has the option @name ("--opt").
    size_t match_count() const;
    bool match_has_option(size_t index, const std::string &name) const;
    bool target_has_option(const std::string &name) const;
    // Parse @name, an option of the match at @match, or of the target if
    // @match is empty (the caller found it has the option); @argv/@next are
    // the command line and the index (in @argv) of the word after it,
    // @inline_value the "=value" part.  On return @next is past its
    // arguments.
    void option(std::optional<size_t> match, const std::string &name, const char *inline_value,
                Argv &argv, size_t &next, bool invert, const Rule &ip);
    // The plugins' final checks; then the extensions into @r.
    void finish(Rule &r);

  private:
    struct State;
    std::unique_ptr<State> st_;
};

// A long option of a plugin as iptables merges it into getopt's table:
// its name (without "--"), the code its parser gets and whether it takes a
// value (getopt's has_arg).  Two names with the same code are one option.
struct LongOpt {
    std::string name;
    int code;
    int has_arg;
};
// The long options of match or target @name's plugin, in its table's
// order; none if no plugin has the name (a chain: the standard target).
std::vector<LongOpt> match_options(int family, const std::string &name);
std::vector<LongOpt> target_options(int family, const std::string &name);

// " -m NAME opts" of every xtables match of @r, as iptables-save prints
// them, and " -j NAME opts" of its xtables target ("" if none).
std::string save_matches(int family, const Rule &r);
std::string save_target(int family, const Rule &r);
// The -L text of the matches and of the target, as iptables -L prints it.
std::string print_matches(int family, const Rule &r, bool numeric);
std::string print_target(int family, const Rule &r, bool numeric);
// -m NAME -h: the plugin's help text, or "" if no plugin has the name.
std::string match_help(int family, const std::string &name);
std::string target_help(int family, const std::string &name);

} // namespace klab::hipac::xt
