// SPDX-License-Identifier: GPL-2.0
#include "hipac_restore.hpp"

#include "hipac_names.hpp"

#include <istream>

namespace klab::hipac {

namespace {

std::string at_line(unsigned int line)
{
    return "\nError occurred at line: " + std::to_string(line);
}

class RestoreParser {
  public:
    RestoreParser(const RestoreOptions &opts, const ChainExists &chain_exists)
        : opts_(opts), chain_exists_(chain_exists)
    {
    }

    void line(unsigned int n, const std::string &text);
    std::vector<RestoreStep> finish(unsigned int last);

  private:
    void add(Command cmd) { steps_.push_back({line_, std::move(cmd)}); }
    Command base(Op op, const std::string &chain = "") const;
    void table(const std::string &name);
    void chain(const std::string &text);
    void rule(const std::string &text);

    const RestoreOptions &opts_;
    const ChainExists &chain_exists_;
    std::vector<RestoreStep> steps_;
    unsigned int line_ = 0;
    bool in_table_ = false;
    int table_ = NF_HIPAC_TABLE_FILTER;
};

Command RestoreParser::base(Op op, const std::string &chain) const
{
    Command c;

    c.op = op;
    c.family = opts_.family;
    c.table = table_;
    c.chain = chain;
    return c;
}

void RestoreParser::table(const std::string &name)
{
    if (in_table_)
        throw RestoreError("COMMIT expected at line " + std::to_string(line_), kExitRule);
    std::optional<int> table = parse_table(name);
    if (!table)
        throw RestoreError("table '" + name + "' does not exist (nf_hipac has filter and nat)" +
                               at_line(line_),
                           kExitParam);
    table_ = *table;
    in_table_ = true;
    if (opts_.noflush)
        return;
    add(base(Op::Flush));
    add(base(Op::DeleteChain));
}

void RestoreParser::chain(const std::string &text)
{
    std::vector<std::string> f = split_line(text.substr(1));

    if (f.empty() || f[0].empty())
        throw RestoreError("no chain name specified" + at_line(line_), kExitParam);
    const std::string &name = f[0];
    std::string policy = f.size() > 1 ? f[1] : "-";

    if (!is_base_chain(table_, name)) {
        if (policy != "-")
            throw RestoreError("Can't set policy `" + policy + "' on `" + name + "' line " +
                                   std::to_string(line_) + ": Bad built-in chain name",
                               kExitRule);
        try {
            check_chain_name(name);
        } catch (const ParamError &e) {
            throw RestoreError(e.what() + at_line(line_), kExitParam);
        }
        if (opts_.noflush && chain_exists_(table_, name))
            add(base(Op::Flush, name));
        else
            add(base(Op::NewChain, name));
        return;
    }
    if (policy == "-")
        return;
    Command c = base(Op::Policy, name);
    if (policy == "ACCEPT")
        c.policy = NF_HIPAC_V_ACCEPT;
    else if (policy == "DROP" && table_ == NF_HIPAC_TABLE_NAT)
        throw RestoreError(std::string(kNatNoDrop) + at_line(line_), kExitParam);
    else if (policy == "DROP")
        c.policy = NF_HIPAC_V_DROP;
    else
        throw RestoreError("Can't set policy `" + policy + "' on `" + name + "' line " +
                               std::to_string(line_) + ": Bad policy name",
                           kExitRule);
    add(c);
}

void RestoreParser::rule(const std::string &text)
{
    std::string rest = text;
    std::optional<Counters> counters;

    // "[packets:bytes] -A ..."
    if (rest.starts_with("[")) {
        size_t end = rest.find(']');
        size_t colon = rest.find(':');
        std::optional<uint64_t> p, b;
        if (end != std::string::npos && colon < end) {
            p = parse_uint(rest.substr(1, colon - 1), UINT64_MAX);
            b = parse_uint(rest.substr(colon + 1, end - colon - 1), UINT64_MAX);
        }
        if (!p || !b)
            throw RestoreError("Bad counter format `" + rest.substr(0, end + 1) + "'" +
                                   at_line(line_),
                               kExitParam);
        counters = Counters{*p, *b};
        rest = rest.substr(end + 1);
    }
    Command c;
    try {
        c = parse_command(split_line(rest), opts_.family, table_);
    } catch (const ParamError &e) {
        throw RestoreError(e.what() + at_line(line_), kExitParam);
    } catch (const RuleError &e) {
        throw RestoreError("line " + std::to_string(line_) + " failed: " + e.what(), kExitRule);
    }
    if (c.op == Op::List || c.op == Op::ListRules || c.help)
        throw RestoreError("only changes are allowed in a restore file" + at_line(line_),
                           kExitParam);
    if (c.family != opts_.family)
        throw RestoreError("-4/-6 must not change the family of the file" + at_line(line_),
                           kExitParam);
    if (c.table != table_)
        throw RestoreError("-t must not change the table of the section" + at_line(line_),
                           kExitParam);
    if (opts_.counters && counters && c.has_rule)
        c.rule.counters = counters;
    add(std::move(c));
}

void RestoreParser::line(unsigned int n, const std::string &raw)
{
    std::string text = raw;

    line_ = n;
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t'))
        text.pop_back();
    size_t start = text.find_first_not_of(" \t");
    if (start == std::string::npos || text[start] == '#')
        return;
    text = text.substr(start);

    if (text[0] == '*') {
        table(text.substr(1));
        return;
    }
    if (!in_table_)
        throw RestoreError("no table specified" + at_line(n), kExitParam);
    if (text == "COMMIT") {
        in_table_ = false;
        return;
    }
    if (text[0] == ':')
        chain(text);
    else
        rule(text);
}

std::vector<RestoreStep> RestoreParser::finish(unsigned int last)
{
    if (in_table_)
        throw RestoreError("COMMIT expected at line " + std::to_string(last + 1), kExitRule);
    return std::move(steps_);
}

} // namespace

std::vector<std::string> split_line(const std::string &line)
{
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;

    for (size_t i = 0; i < line.size(); i++) {
        char c = line[i];

        if (quote) {
            if (c == quote) {
                quote = 0;
            } else if (quote == '"' && c == '\\' && i + 1 < line.size() &&
                       (line[i + 1] == '"' || line[i + 1] == '\\')) {
                word += line[++i];
            } else {
                word += c;
            }
        } else if (c == '"' || c == '\'') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word)
                words.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote)
        throw ParamError("unterminated quote");
    if (in_word)
        words.push_back(word);
    return words;
}

std::vector<RestoreStep> parse_restore(std::istream &in, const RestoreOptions &opts,
                                       const ChainExists &chain_exists)
{
    RestoreParser p(opts, chain_exists);
    std::string text;
    unsigned int n = 0;

    while (std::getline(in, text)) {
        n++;
        try {
            p.line(n, text);
        } catch (const ParamError &e) {
            throw RestoreError(e.what() + at_line(n), kExitParam);
        }
    }
    return p.finish(n);
}

} // namespace klab::hipac
