// SPDX-License-Identifier: GPL-2.0
#include "hipac_parse.hpp"

#include "hipac_names.hpp"
#include "hipac_xt.hpp"

#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string_view>

namespace klab::hipac {

namespace {

constexpr size_t kMaxIfname = NF_HIPAC_IFNAME_MAXLEN - 1;

struct CommandOpt {
    const char *short_name, *long_name;
    Op op;
};

constexpr CommandOpt kCommands[] = {
    {"-A", "--append", Op::Append},
    {"-I", "--insert", Op::Insert},
    {"-D", "--delete", Op::Delete},
    {"-R", "--replace", Op::Replace},
    {"-L", "--list", Op::List},
    {"-S", "--list-rules", Op::ListRules},
    {"-F", "--flush", Op::Flush},
    {"-Z", "--zero", Op::Zero},
    {"-N", "--new-chain", Op::NewChain},
    {"-X", "--delete-chain", Op::DeleteChain},
    {"-E", "--rename-chain", Op::RenameChain},
    {"-P", "--policy", Op::Policy},
};

struct BuiltinTarget {
    const char *name;
    uint32_t verdict;
};

constexpr BuiltinTarget kTargets[] = {
    {"ACCEPT", NF_HIPAC_V_ACCEPT},     {"DROP", NF_HIPAC_V_DROP},
    {"REJECT", NF_HIPAC_V_REJECT},     {"RETURN", NF_HIPAC_V_RETURN},
    {"LOG", NF_HIPAC_V_LOG},           {"SNAT", NF_HIPAC_V_SNAT},
    {"DNAT", NF_HIPAC_V_DNAT},         {"MASQUERADE", NF_HIPAC_V_MASQUERADE},
    {"REDIRECT", NF_HIPAC_V_REDIRECT},
};

// iptables' own long options (its original_opts), first in getopt's table:
// has_arg as getopt's, the short letter the code.  klabctl's --json is
// not iptables': it is taken only whole, so that "--j" stays --jump.
struct BaseOpt {
    const char *name;
    int has_arg;
    char code;
};

constexpr BaseOpt kBaseOpts[] = {
    {"append", 1, 'A'},       {"delete", 1, 'D'},       {"check", 1, 'C'},
    {"insert", 1, 'I'},       {"replace", 1, 'R'},      {"list", 2, 'L'},
    {"list-rules", 2, 'S'},   {"flush", 2, 'F'},        {"zero", 2, 'Z'},
    {"new-chain", 1, 'N'},    {"delete-chain", 2, 'X'}, {"rename-chain", 1, 'E'},
    {"policy", 1, 'P'},       {"source", 1, 's'},       {"destination", 1, 'd'},
    {"src", 1, 's'},          {"dst", 1, 'd'},          {"protocol", 1, 'p'},
    {"in-interface", 1, 'i'}, {"jump", 1, 'j'},         {"table", 1, 't'},
    {"match", 1, 'm'},        {"numeric", 0, 'n'},      {"out-interface", 1, 'o'},
    {"verbose", 0, 'v'},      {"wait", 2, 'w'},         {"wait-interval", 2, 'W'},
    {"exact", 0, 'x'},        {"fragments", 0, 'f'},    {"version", 0, 'V'},
    {"help", 2, 'h'},         {"line-numbers", 0, '0'}, {"modprobe", 1, 'M'},
    {"set-counters", 1, 'c'}, {"goto", 1, 'g'},         {"ipv4", 0, '4'},
    {"ipv6", 0, '6'},
};

// The long options of the plugins of nf_hipac's native matches and
// targets, as iptables 1.8.9 has them (names of one option share a code):
// what getopt's abbreviations are judged against.  Not asked of
// libxtables, whose plugins register only the family loaded first.
std::vector<xt::LongOpt> native_long_options(const std::string &name)
{
    using L = std::vector<xt::LongOpt>;
    constexpr int arg = 1, none = 0;
    static const L ports = {{"source-port", 1, arg},
                            {"sport", 1, arg},
                            {"destination-port", 2, arg},
                            {"dport", 2, arg}};
    static const std::map<std::string, L> own = {
        {"tcp", {{"syn", 3, none}, {"tcp-flags", 4, arg}, {"tcp-option", 5, arg}}},
        {"udp", {}},
        {"dccp", {{"dccp-types", 3, arg}, {"dccp-option", 4, arg}}},
        {"sctp", {{"chunk-types", 3, arg}}},
        {"icmp", {{"icmp-type", 1, arg}}},
        {"icmp6", {{"icmpv6-type", 1, arg}}},
        {"iprange", {{"src-range", 1, arg}, {"dst-range", 2, arg}}},
        {"multiport",
         {{"source-ports", 1, arg},
          {"sports", 1, arg},
          {"destination-ports", 2, arg},
          {"dports", 2, arg},
          {"ports", 3, arg}}},
        {"ttl", {{"ttl-eq", 1, arg}, {"ttl-lt", 2, arg}, {"ttl-gt", 3, arg}}},
        {"hl", {{"hl-eq", 1, arg}, {"hl-lt", 2, arg}, {"hl-gt", 3, arg}}},
        {"mark", {{"mark", 1, arg}}},
        {"state", {{"state", 1, arg}}},
        {"conntrack",
         {{"ctstate", 1, arg},
          {"ctproto", 2, arg},
          {"ctorigsrc", 3, arg},
          {"ctorigdst", 4, arg},
          {"ctreplsrc", 5, arg},
          {"ctrepldst", 6, arg},
          {"ctorigsrcport", 7, arg},
          {"ctorigdstport", 8, arg},
          {"ctreplsrcport", 9, arg},
          {"ctrepldstport", 10, arg},
          {"ctstatus", 11, arg},
          {"ctexpire", 12, arg},
          {"ctdir", 13, arg}}},
        {"REJECT", {{"reject-with", 1, arg}}},
        {"LOG",
         {{"log-level", 1, arg},
          {"log-prefix", 2, arg},
          {"log-tcp-sequence", 3, none},
          {"log-tcp-options", 4, none},
          {"log-ip-options", 5, none},
          {"log-uid", 6, none},
          {"log-macdecode", 7, none}}},
        {"SNAT",
         {{"to-source", 1, arg},
          {"random", 2, none},
          {"random-fully", 3, none},
          {"persistent", 4, none}}},
        {"DNAT", {{"to-destination", 1, arg}, {"random", 2, none}, {"persistent", 3, none}}},
        {"MASQUERADE", {{"to-ports", 1, arg}, {"random", 2, none}, {"random-fully", 3, none}}},
        {"REDIRECT", {{"to-ports", 1, arg}, {"random", 2, none}}},
    };
    bool port_match = name == "tcp" || name == "udp" || name == "dccp" || name == "sctp";
    auto it = own.find(name);
    L opts = port_match ? ports : L{};

    if (it != own.end())
        opts.insert(opts.end(), it->second.begin(), it->second.end());
    return opts;
}

// Whether @opt ("--name") is an option of nf_hipac's native match @match.
bool native_has_option(const std::string &match, const std::string &opt)
{
    static const std::set<std::string> ports = {"--sport", "--source-port", "--dport",
                                                "--destination-port"};
    static const std::map<std::string, std::set<std::string>> own = {
        {"tcp", {"--syn", "--tcp-flags"}},
        {"icmp", {"--icmp-type"}},
        {"icmp6", {"--icmpv6-type"}},
        {"iprange", {"--src-range", "--dst-range"}},
        {"multiport", {"--sports", "--source-ports", "--dports", "--destination-ports", "--ports"}},
        {"ttl", {"--ttl-eq", "--ttl-lt", "--ttl-gt"}},
        {"hl", {"--hl-eq", "--hl-lt", "--hl-gt"}},
        {"mark", {"--mark"}},
        {"state", {"--state"}},
        {"conntrack", {"--ctstate", "--ctstatus", "--ctdir"}},
    };
    bool port_match = match == "tcp" || match == "udp" || match == "dccp" || match == "sctp";
    auto it = own.find(match);

    return (port_match && ports.contains(opt)) || (it != own.end() && it->second.contains(opt));
}

// Everything iptables' getopt would consider one option: "--dport=80" is
// "--dport" with the value "80".
struct Token {
    std::string name;
    std::optional<std::string> inline_value;
};

// Thrown when a native match or target is given an option (or a value)
// only its xtables extension has: the command is parsed again with that
// module an extension (iptables' -m conntrack --ctorigsrc, -m sctp
// --chunk-types, -j LOG --log-uid, -j REJECT --reject-with
// icmp-host-prohibited).
struct NeedsXt {
    std::string key; // "-m NAME" or "-j NAME"
};

// Whether the plugin of match (or target) @name has the option @opt.
bool plugin_has_option(int family, bool target, const std::string &name, const std::string &opt)
{
    std::vector<xt::LongOpt> opts =
        target ? xt::target_options(family, name) : xt::match_options(family, name);

    return std::any_of(opts.begin(), opts.end(),
                       [&](const xt::LongOpt &o) { return "--" + o.name == opt; });
}

class Parser {
  public:
    // @native_as_xt: a native match loaded again, or after an extension,
    // goes to the kernel as an extension too (iptables' order exactly).
    // @xt_forced: the native matches ("-m NAME") and targets ("-j NAME")
    // to take as extensions (see NeedsXt).
    Parser(const std::vector<std::string> &args, int family, int table, bool native_as_xt,
           const std::set<std::string> &xt_forced = {})
        : args_(args), argv_(args), native_as_xt_(native_as_xt), xt_forced_(xt_forced)
    {
        cmd_.family = family;
        cmd_.table = table;
    }

    Command run();
    // Whether a native match went to the kernel as an extension.
    bool converted() const { return converted_; }

  private:
    bool more() const { return next_ < args_.size(); }
    std::string value(const Token &t);
    // The optional positional argument after a command option.
    std::optional<std::string> optional_arg();
    void no_invert(const Token &t);
    void once(bool already, const std::string &what);
    void rule_option(const std::string &name);
    void note_module(uint8_t module);

    bool command_option(const Token &t);
    bool general_option(const Token &t);
    bool ip_option(const Token &t, bool inv);
    bool tcp_udp_option(const Token &t, bool inv);
    bool other_match_option(const Token &t, bool inv);
    bool ct_option(const Token &t, bool inv);
    bool target_option(const Token &t);
    bool nat_option(const Token &t);
    bool port_ok() const;
    void load_match(const std::string &name);
    void set_target(const std::string &name, bool go_to);
    PortRange parse_port_range(const std::string &text, uint8_t proto) const;
    std::vector<PortRange> parse_port_list(const std::string &text) const;
    AddrRange parse_addr_range(const std::string &text) const;
    const char *port_module() const;
    void check();
    void check_rule();
    void check_loaded_matches() const;
    // The libxtables side of the rule, made at the first extension.
    xt::RuleParser &xt();
    void xt_option(std::optional<size_t> match, const Token &t);
    bool native_match_option(const Token &t, bool inv);
    bool extension_option(const Token &t, bool inv);
    void note_source(bool native, const std::string &name);
    // getopt's long option tables, and its reading of an abbreviation
    struct LongOpt {
        std::string name;
        int owner; // -1: iptables' own; else the index in sources_
        int code, has_arg;
    };
    std::vector<LongOpt> merged_options(const char *implicit) const;
    const char *implicit_match() const;
    std::string long_option(const std::string &name) const;
    void load_xt_match(const std::string &name);

    // What -m and -j loaded, in order: iptables' getopt finds an option in
    // the extension loaded last that has it (each -m puts its options
    // before those of the ones loaded earlier; loading a match again adds
    // an instance, not options), so -m mark --mark 1 -m connmark --mark 2
    // gives each its --mark.
    struct Source {
        enum Kind { Native, Xt, Target } kind;
        std::string name; // of the match
        size_t xt_index;  // the Xt match's latest instance in xt()
    };
    std::vector<Source> sources_;

    const std::vector<std::string> &args_;
    xt::Argv argv_; // args_ as getopt's argv, for the plugins
    std::unique_ptr<xt::RuleParser> xt_;
    std::vector<std::string> xt_names_; // -m of plugins, for -h
    std::string xt_target_name_;
    size_t next_ = 0;
    bool invert_ = false;
    Command cmd_;
    std::set<std::string> matches_;
    std::vector<std::string> loaded_; // by -m, in order
    std::vector<uint8_t> order_;      // NF_HIPAC_M_*, as iptables loads them
    std::string first_rule_option_;
    bool target_set_ = false;
    bool native_as_xt_;
    std::set<std::string> xt_forced_;
    bool converted_ = false;
};

std::string Parser::value(const Token &t)
{
    if (t.inline_value)
        return *t.inline_value;
    if (!more())
        throw ParamError("option \"" + t.name + "\" requires an argument");
    return args_[next_++];
}

std::optional<std::string> Parser::optional_arg()
{
    if (!more() || args_[next_].empty() || args_[next_][0] == '-' || args_[next_][0] == '!')
        return std::nullopt;
    return args_[next_++];
}

void Parser::no_invert(const Token &t)
{
    if (invert_)
        throw ParamError("cannot have ! before " + t.name);
}

void Parser::once(bool already, const std::string &what)
{
    if (already)
        throw ParamError("multiple " + what + " flags not allowed");
}

void Parser::rule_option(const std::string &name)
{
    if (first_rule_option_.empty())
        first_rule_option_ = name;
}

// iptables appends a match module to the rule when -m names it, and the
// module of -p (tcp, udp, icmp) at its first option; -S prints that order.
void Parser::note_module(uint8_t module)
{
    if (std::find(order_.begin(), order_.end(), module) == order_.end())
        order_.push_back(module);
}

uint32_t parse_rule_number(const std::string &text)
{
    std::optional<uint64_t> n = parse_uint(text, UINT32_MAX);

    if (!n || *n == 0)
        throw ParamError("Invalid rule number `" + text + "'");
    return static_cast<uint32_t>(*n);
}

bool Parser::command_option(const Token &t)
{
    const CommandOpt *c =
        std::find_if(std::begin(kCommands), std::end(kCommands), [&](const CommandOpt &o) {
            return t.name == o.short_name || t.name == o.long_name;
        });
    if (c == std::end(kCommands))
        return false;
    no_invert(t);
    if (cmd_.op != Op::None) {
        const CommandOpt *prev = std::find_if(std::begin(kCommands), std::end(kCommands),
                                              [&](const CommandOpt &o) { return o.op == cmd_.op; });
        throw ParamError(std::string("Cannot use ") + c->short_name + " with " + prev->short_name);
    }
    cmd_.op = c->op;

    switch (c->op) {
    case Op::Append:
    case Op::NewChain:
        cmd_.chain = value(t);
        break;
    case Op::Insert:
    case Op::Delete:
        cmd_.chain = value(t);
        if (std::optional<std::string> n = optional_arg())
            cmd_.pos = parse_rule_number(*n);
        break;
    case Op::Replace:
        cmd_.chain = value(t);
        if (!more())
            throw ParamError("-R requires a rule number");
        cmd_.pos = parse_rule_number(args_[next_++]);
        break;
    case Op::List:
    case Op::ListRules:
    case Op::Zero:
        if (t.inline_value)
            cmd_.chain = *t.inline_value;
        else if (std::optional<std::string> ch = optional_arg())
            cmd_.chain = *ch;
        if (!cmd_.chain.empty())
            if (std::optional<std::string> n = optional_arg())
                cmd_.pos = parse_rule_number(*n);
        break;
    case Op::Flush:
    case Op::DeleteChain:
        if (t.inline_value)
            cmd_.chain = *t.inline_value;
        else if (std::optional<std::string> ch = optional_arg())
            cmd_.chain = *ch;
        break;
    case Op::RenameChain:
        cmd_.chain = value(t);
        if (!more())
            throw ParamError("-E requires old-chain-name and new-chain-name");
        cmd_.newname = args_[next_++];
        break;
    case Op::Policy: {
        cmd_.chain = value(t);
        if (!more())
            throw ParamError("-P requires a chain and a policy");
        std::string policy = args_[next_++];
        if (policy == "ACCEPT")
            cmd_.policy = NF_HIPAC_V_ACCEPT;
        else if (policy == "DROP")
            cmd_.policy = NF_HIPAC_V_DROP;
        else
            throw RuleError("Bad policy name.");
        break;
    }
    case Op::None:
        break;
    }
    return true;
}

bool Parser::general_option(const Token &t)
{
    const std::string &n = t.name;

    if (n == "-4" || n == "--ipv4" || n == "-6" || n == "--ipv6") {
        no_invert(t);
        cmd_.family = n == "-6" || n == "--ipv6" ? AF_INET6 : AF_INET;
    } else if (n == "-n" || n == "--numeric") {
        cmd_.fmt.numeric = true;
    } else if (n == "-v" || n == "--verbose") {
        cmd_.fmt.verbose = true;
    } else if (n == "-x" || n == "--exact") {
        cmd_.fmt.exact = true;
    } else if (n == "--line-numbers") {
        cmd_.fmt.line_numbers = true;
    } else if (n == "--json") {
        cmd_.json = true;
    } else if (n == "-h" || n == "--help") {
        cmd_.help = true;
    } else if (n == "-t" || n == "--table") {
        std::string table = value(t);
        std::optional<int> id = parse_table(table);
        if (!id)
            throw ParamError("can't initialize iptables table `" + table +
                             "': Table does not exist (nf_hipac has filter and nat)");
        cmd_.table = *id;
    } else if (n == "-w" || n == "--wait" || n == "-W" || n == "--wait-interval") {
        // There is no lock to wait for; a number may follow.
        if (!t.inline_value && more() && parse_uint(args_[next_], UINT32_MAX))
            next_++;
    } else {
        return false;
    }
    no_invert(t);
    return true;
}

bool Parser::ip_option(const Token &t, bool inv)
{
    const std::string &n = t.name;
    Rule &r = cmd_.rule;

    if (n == "-s" || n == "--source" || n == "--src" || n == "-d" || n == "--destination" ||
        n == "--dst") {
        bool src = n == "-s" || n == "--source" || n == "--src";
        auto &field = src ? r.src : r.dst;
        once(field.has_value(), src ? "-s" : "-d");
        field = Inv<Prefix>{parse_prefix(cmd_.family, value(t)), inv};
    } else if (n == "-p" || n == "--protocol") {
        once(r.proto.has_value(), "-p");
        std::string text = value(t);
        std::optional<uint8_t> p = parse_proto(text);
        if (!p)
            throw ParamError("unknown protocol \"" + text + "\" specified");
        if (*p == 0 && inv)
            throw ParamError("rule would never match protocol");
        if (*p == IPPROTO_ICMPV6 && cmd_.family == AF_INET)
            throw ParamError("ipv6-icmp is not an IPv4 protocol; use -p icmp (or -6)");
        if (*p == IPPROTO_ICMP && cmd_.family == AF_INET6)
            throw ParamError("icmp is not an IPv6 protocol; use -p icmpv6");
        if (*p != 0)
            r.proto = Inv<uint8_t>{*p, inv};
        else
            matches_.insert("proto-all");
    } else if (n == "-i" || n == "--in-interface" || n == "-o" || n == "--out-interface") {
        bool in = n == "-i" || n == "--in-interface";
        auto &field = in ? r.iif : r.oif;
        once(field.has_value(), in ? "-i" : "-o");
        std::string name = value(t);
        if (name.size() > kMaxIfname)
            throw ParamError("interface name `" + name + "' must be shorter than IFNAMSIZ (" +
                             std::to_string(kMaxIfname) + ")");
        if (name.empty())
            throw ParamError("Empty interface is likely to be undesired");
        field = Inv<std::string>{name, inv};
    } else if (n == "-f" || n == "--fragments") {
        if (cmd_.family == AF_INET6)
            throw ParamError("`-f' is not supported in IPv6, use -m frag instead");
        once(r.frag.has_value(), "-f");
        r.frag = Inv<Fragment>{{}, inv};
    } else if (n == "-c" || n == "--set-counters") {
        if (inv)
            throw ParamError("cannot have ! before " + n);
        std::string pk = value(t);
        std::optional<uint64_t> packets = parse_uint(pk, UINT64_MAX);
        if (!packets)
            throw ParamError("-c packet counter not numeric");
        if (!more())
            throw ParamError("-c requires packet and byte counter");
        std::optional<uint64_t> bytes = parse_uint(args_[next_++], UINT64_MAX);
        if (!bytes)
            throw ParamError("-c byte counter not numeric");
        r.counters = Counters{*packets, *bytes};
    } else {
        return false;
    }
    rule_option(n);
    return true;
}

PortRange Parser::parse_port_range(const std::string &text, uint8_t proto) const
{
    size_t colon = text.find(':');

    if (colon == std::string::npos) {
        uint16_t port = parse_port(text, proto);
        return {port, port};
    }
    std::string lo = text.substr(0, colon), hi = text.substr(colon + 1);
    PortRange range{lo.empty() ? uint16_t{0} : parse_port(lo, proto),
                    hi.empty() ? uint16_t{0xffff} : parse_port(hi, proto)};
    if (range.lo > range.hi)
        throw ParamError("invalid portrange (min > max) `" + text + "'");
    return range;
}

std::vector<PortRange> Parser::parse_port_list(const std::string &text) const
{
    std::vector<PortRange> ports;
    unsigned int count = 0;
    size_t start = 0;

    for (;;) {
        size_t comma = text.find(',', start);
        PortRange r = parse_port_range(text.substr(start, comma - start),
                                       cmd_.rule.proto ? cmd_.rule.proto->v : uint8_t{IPPROTO_TCP});
        count += r.lo == r.hi ? 1 : 2;
        if (count > NF_HIPAC_MULTIPORT_MAX)
            throw ParamError("too many ports specified");
        ports.push_back(r);
        if (comma == std::string::npos)
            return ports;
        start = comma + 1;
    }
}

// The port match the port options go to: the one -m loaded, else the one
// of -p (tcp, udp, dccp, sctp); nullptr if there is none.
const char *Parser::port_module() const
{
    const Rule &r = cmd_.rule;

    for (const char *m : {"tcp", "udp", "dccp", "sctp"})
        if (matches_.contains(m))
            return m;
    return r.proto ? port_match_name(r.proto->v) : nullptr;
}

bool Parser::tcp_udp_option(const Token &t, bool inv)
{
    const std::string &n = t.name;
    Rule &r = cmd_.rule;
    const char *module = port_module();
    std::string_view m = module ? module : "";

    if (!module)
        return false;
    if (n == "--sport" || n == "--source-port" || n == "--dport" || n == "--destination-port") {
        bool src = n == "--sport" || n == "--source-port";
        auto &field = src ? r.sport : r.dport;
        once(field.has_value(), src ? "--sport" : "--dport");
        // dccp takes any protocol's service names, as iptables does
        PortRange range = parse_port_range(value(t), m == "dccp" ? uint8_t{0}
                                                     : r.proto   ? r.proto->v
                                                                 : uint8_t{IPPROTO_TCP});
        // tcp and udp leave the full range out, dccp and sctp keep it
        if (range.lo != 0 || range.hi != 0xffff || inv || m == "dccp" || m == "sctp")
            field = Inv<PortRange>{range, inv};
    } else if (m == "tcp" && (n == "--syn" || n == "--tcp-flags")) {
        if (r.tcp_flags)
            throw ParamError("Only one of `--syn' or `--tcp-flags'  allowed");
        TcpFlags flags{NF_HIPAC_TCP_FIN | NF_HIPAC_TCP_SYN | NF_HIPAC_TCP_RST | NF_HIPAC_TCP_ACK,
                       NF_HIPAC_TCP_SYN};
        if (n == "--tcp-flags") {
            flags.mask = parse_tcp_flag_list(value(t));
            if (!more())
                throw ParamError("--tcp-flags requires two args.");
            flags.cmp = parse_tcp_flag_list(args_[next_++]);
        }
        r.tcp_flags = Inv<TcpFlags>{flags, inv};
    } else {
        return false;
    }
    r.l4_match = true;
    note_module(NF_HIPAC_M_TCP_UDP);
    return true;
}

AddrRange Parser::parse_addr_range(const std::string &text) const
{
    size_t dash = text.find('-');
    std::string lo = text.substr(0, dash);
    std::string hi = dash == std::string::npos ? lo : text.substr(dash + 1);
    std::optional<Addr> a = parse_addr(cmd_.family, lo), b = parse_addr(cmd_.family, hi);

    if (!a)
        throw ParamError("iprange: Bad IP address \"" + lo + "\"");
    if (!b)
        throw ParamError("iprange: Bad IP address \"" + hi + "\"");
    return {*a, *b};
}

bool Parser::other_match_option(const Token &t, bool inv)
{
    const std::string &n = t.name;
    Rule &r = cmd_.rule;
    bool v6 = cmd_.family == AF_INET6;

    if (n == (v6 ? "--icmpv6-type" : "--icmp-type") &&
        (matches_.contains(v6 ? "icmp6" : "icmp") ||
         (r.proto && r.proto->v == (v6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP})))) {
        once(r.icmp.has_value(), n);
        std::string text = value(t);
        std::optional<Icmp> icmp = parse_icmp(cmd_.family, text);
        if (!icmp)
            throw ParamError(std::string("Invalid ICMP") + (v6 ? "v6" : "") + " type `" + text +
                             "'");
        r.icmp = Inv<Icmp>{*icmp, inv};
        note_module(NF_HIPAC_M_ICMP);
    } else if (matches_.contains("iprange") && (n == "--src-range" || n == "--dst-range")) {
        auto &field = n == "--src-range" ? r.src_range : r.dst_range;
        once(field.has_value(), n);
        field = Inv<AddrRange>{parse_addr_range(value(t)), inv};
        note_module(NF_HIPAC_M_IPRANGE);
    } else if (matches_.contains("multiport") &&
               (n == "--sports" || n == "--source-ports" || n == "--dports" ||
                n == "--destination-ports" || n == "--ports")) {
        if (r.multiport)
            throw ParamError("multiport can only have one option");
        if (!r.proto || r.proto->inv || !has_ports(r.proto->v))
            throw ParamError("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or "
                             "`-p dccp'");
        uint8_t dir = n == "--ports"                               ? NF_HIPAC_MP_ANY
                      : (n == "--sports" || n == "--source-ports") ? NF_HIPAC_MP_SRC
                                                                   : NF_HIPAC_MP_DST;
        r.multiport = Inv<Multiport>{{dir, parse_port_list(value(t))}, inv};
        note_module(NF_HIPAC_M_MULTIPORT);
    } else if (matches_.contains(v6 ? "hl" : "ttl") &&
               (v6 ? n.starts_with("--hl-") : n.starts_with("--ttl-"))) {
        std::string_view op = std::string_view(n).substr(v6 ? 5 : 6);
        uint8_t code = op == "eq"   ? NF_HIPAC_TTL_EQ
                       : op == "lt" ? NF_HIPAC_TTL_LT
                       : op == "gt" ? NF_HIPAC_TTL_GT
                                    : __NF_HIPAC_TTL_MAX;
        if (code == __NF_HIPAC_TTL_MAX)
            return false;
        const char *m = v6 ? "hl" : "ttl";
        if (r.ttl)
            throw ParamError(std::string(m) + ": Only one option may be specified");
        if (inv && code != NF_HIPAC_TTL_EQ)
            throw ParamError(std::string(m) + ": option \"" + n + "\" cannot be inverted.");
        std::string text = value(t);
        std::optional<uint64_t> ttl = parse_uint(text, 255);
        if (!ttl)
            throw ParamError(std::string(m) + ": Bad value for \"" + n + "\" option: \"" + text +
                             "\"");
        r.ttl = Inv<Ttl>{{code, static_cast<uint8_t>(*ttl)}, inv};
        note_module(NF_HIPAC_M_TTL);
    } else if (matches_.contains("mark") && n == "--mark") {
        once(r.mark.has_value(), "--mark");
        std::string text = value(t);
        size_t slash = text.find('/');
        std::optional<uint64_t> v = parse_uint(text.substr(0, slash), UINT32_MAX);
        std::optional<uint64_t> mask = slash == std::string::npos
                                           ? UINT32_MAX
                                           : parse_uint(text.substr(slash + 1), UINT32_MAX);
        if (!v || !mask)
            throw ParamError("mark: Bad value for \"--mark\" option: \"" + text + "\"");
        r.mark = Inv<Mark>{{static_cast<uint32_t>(*v), static_cast<uint32_t>(*mask)}, inv};
        note_module(NF_HIPAC_M_MARK);
    } else {
        return false;
    }
    return true;
}

// -m state --state, -m conntrack --ctstate, --ctstatus, --ctdir
bool Parser::ct_option(const Token &t, bool inv)
{
    const std::string &n = t.name;
    Rule &r = cmd_.rule;

    if (matches_.contains("state") && n == "--state") {
        once(r.state.has_value(), "--state");
        r.state = Inv<uint32_t>{parse_ct_states(value(t), false), inv};
        note_module(NF_HIPAC_M_STATE);
        return true;
    }
    if (!matches_.contains("conntrack"))
        return false;
    if (n == "--ctstate" || n == "--ctstatus") {
        auto &field = n == "--ctstate" ? r.ctstate : r.ctstatus;
        if (field)
            throw ParamError("conntrack: option \"" + n + "\" can only be used once.");
        std::string text = value(t);
        field = Inv<uint32_t>{
            n == "--ctstate" ? parse_ct_states(text, true) : parse_ct_status(text), inv};
    } else if (n == "--ctdir") {
        if (inv)
            throw ParamError("conntrack: option \"--ctdir\" cannot be inverted.");
        if (r.ctdir)
            throw ParamError("conntrack: option \"--ctdir\" can only be used once.");
        std::string text = value(t);
        if (strcasecmp(text.c_str(), "ORIGINAL") == 0)
            r.ctdir = NF_HIPAC_CTDIR_ORIGINAL;
        else if (strcasecmp(text.c_str(), "REPLY") == 0)
            r.ctdir = NF_HIPAC_CTDIR_REPLY;
        else
            throw ParamError("conntrack: Bad value for \"--ctdir\" option: \"" + text + "\"");
    } else {
        return false;
    }
    note_module(NF_HIPAC_M_CONNTRACK);
    return true;
}

// SNAT's, DNAT's, MASQUERADE's and REDIRECT's ports need a protocol with
// ports, known by the time the option is read, as iptables parses them.
bool Parser::port_ok() const
{
    const Rule &r = cmd_.rule;

    return r.proto && !r.proto->inv && has_ports(r.proto->v);
}

bool Parser::nat_option(const Token &t)
{
    const std::string &n = t.name;
    Rule &r = cmd_.rule;
    uint32_t v = r.verdict;
    bool addrs = v == NF_HIPAC_V_SNAT || v == NF_HIPAC_V_DNAT;

    if (!r.nat)
        return false;
    if ((v == NF_HIPAC_V_SNAT && n == "--to-source") ||
        (v == NF_HIPAC_V_DNAT && n == "--to-destination")) {
        if (r.nat->lo || r.nat->ports)
            throw ParamError(std::string(v == NF_HIPAC_V_SNAT ? "SNAT" : "DNAT") + ": option \"" +
                             n + "\" can only be used once.");
        uint32_t flags = r.nat->flags;
        r.nat = parse_nat_to(cmd_.family, value(t), port_ok());
        r.nat->flags = flags;
    } else if (!addrs && n == "--to-ports") {
        std::string text = value(t);
        if (!port_ok())
            throw ParamError("Need TCP, UDP, SCTP or DCCP with port specification");
        r.nat->ports = parse_nat_ports(text);
    } else if (n == "--random") {
        r.nat->flags |= NF_HIPAC_NAT_RANDOM;
    } else if (n == "--random-fully" && v != NF_HIPAC_V_REDIRECT) {
        r.nat->flags |= NF_HIPAC_NAT_RANDOM_FULLY;
    } else if (n == "--persistent" && addrs) {
        r.nat->flags |= NF_HIPAC_NAT_PERSISTENT;
    } else {
        return false;
    }
    return true;
}

bool Parser::target_option(const Token &t)
{
    const std::string &n = t.name;
    Rule &r = cmd_.rule;

    if (r.verdict == NF_HIPAC_V_REJECT && n == "--reject-with") {
        std::string text = value(t);
        std::optional<uint8_t> with = parse_reject(cmd_.family, text);
        if (!with && !xt::target_options(cmd_.family, "REJECT").empty())
            throw NeedsXt{"-j REJECT"};
        if (!with)
            throw ParamError("unknown reject type \"" + text + "\"");
        r.reject_with = *with;
    } else if (r.verdict == NF_HIPAC_V_LOG && n == "--log-prefix") {
        std::string prefix = value(t);
        if (prefix.size() > NF_HIPAC_LOG_PREFIX_MAXLEN)
            throw ParamError("Maximum prefix length " + std::to_string(NF_HIPAC_LOG_PREFIX_MAXLEN) +
                             " for --log-prefix");
        r.log_prefix = prefix;
    } else if (r.verdict == NF_HIPAC_V_LOG && n == "--log-level") {
        std::string text = value(t);
        std::optional<uint8_t> level = parse_log_level(text);
        if (!level)
            throw ParamError("log-level `" + text + "' unknown");
        r.log_level = level == kDefaultLogLevel ? std::nullopt : level;
    } else if (!nat_option(t)) {
        return false;
    }
    no_invert(t);
    return true;
}

void Parser::load_match(const std::string &name)
{
    static const std::map<std::string, uint8_t> v4 = {{"tcp", NF_HIPAC_M_TCP_UDP},
                                                      {"udp", NF_HIPAC_M_TCP_UDP},
                                                      {"dccp", NF_HIPAC_M_TCP_UDP},
                                                      {"sctp", NF_HIPAC_M_TCP_UDP},
                                                      {"icmp", NF_HIPAC_M_ICMP},
                                                      {"iprange", NF_HIPAC_M_IPRANGE},
                                                      {"ttl", NF_HIPAC_M_TTL},
                                                      {"mark", NF_HIPAC_M_MARK},
                                                      {"multiport", NF_HIPAC_M_MULTIPORT},
                                                      {"state", NF_HIPAC_M_STATE},
                                                      {"conntrack", NF_HIPAC_M_CONNTRACK}};
    static const std::map<std::string, uint8_t> v6 = {{"tcp", NF_HIPAC_M_TCP_UDP},
                                                      {"udp", NF_HIPAC_M_TCP_UDP},
                                                      {"dccp", NF_HIPAC_M_TCP_UDP},
                                                      {"sctp", NF_HIPAC_M_TCP_UDP},
                                                      {"icmp6", NF_HIPAC_M_ICMP},
                                                      {"iprange", NF_HIPAC_M_IPRANGE},
                                                      {"hl", NF_HIPAC_M_TTL},
                                                      {"mark", NF_HIPAC_M_MARK},
                                                      {"multiport", NF_HIPAC_M_MULTIPORT},
                                                      {"state", NF_HIPAC_M_STATE},
                                                      {"conntrack", NF_HIPAC_M_CONNTRACK}};
    const auto &known = cmd_.family == AF_INET6 ? v6 : v4;
    auto it = known.find(name);

    // iptables evaluates and prints the matches in the order loaded; the
    // tree's dimensions come first, so a native match after an extension
    // (or a second instance of one) is an extension too
    bool as_xt = native_as_xt_ && (matches_.contains(name) || !xt_names_.empty());

    if (xt_forced_.contains("-m " + name)) {
        load_xt_match(name);
        return;
    }
    if (it == known.end() || as_xt) {
        converted_ = converted_ || it != known.end();
        load_xt_match(name);
        return;
    }
    note_source(true, name);
    matches_.insert(name);
    loaded_.push_back(name);
    if (it->second == NF_HIPAC_M_TCP_UDP)
        cmd_.rule.l4_match = true;
    note_module(it->second);
}

void Parser::set_target(const std::string &name, bool go_to)
{
    Rule &r = cmd_.rule;

    if (target_set_)
        throw ParamError("multiple -j flags not allowed");
    target_set_ = true;
    if (name.empty())
        throw ParamError("-j requires a target");
    if (!go_to) {
        for (const BuiltinTarget &b : kTargets) {
            if (name == b.name && !xt_forced_.contains("-j " + name)) {
                r.verdict = b.verdict;
                if (b.verdict == NF_HIPAC_V_REJECT)
                    r.reject_with = NF_HIPAC_REJECT_PORT_UNREACH;
                if (b.verdict >= NF_HIPAC_V_SNAT)
                    r.nat = NatRange{};
                sources_.push_back({Source::Target, name, 0});
                return;
            }
        }
        if (xt().load_target(name)) {
            xt_target_name_ = name;
            sources_.push_back({Source::Target, name, 0});
            return;
        }
    }
    check_chain_name(name);
    r.verdict = go_to ? NF_HIPAC_V_GOTO : NF_HIPAC_V_JUMP;
    r.target = name;
}

void Parser::load_xt_match(const std::string &name)
{
    xt().load_match(name);
    xt_names_.push_back(name);
    note_source(false, name);
}

xt::RuleParser &Parser::xt()
{
    if (!xt_)
        xt_ = std::make_unique<xt::RuleParser>(cmd_.family);
    return *xt_;
}

// A match loaded again is a new instance taking the options from then
// on, at the place its first load gave its options.
void Parser::note_source(bool native, const std::string &name)
{
    auto same = std::find_if(sources_.begin(), sources_.end(), [&](const Source &s) {
        return s.kind != Source::Target && s.name == name;
    });
    size_t index = native ? 0 : xt().match_count() - 1;

    if (same != sources_.end()) {
        // the options go to the latest instance, a native one's too
        same->xt_index = index;
        if (!native)
            same->kind = Source::Xt;
    } else
        sources_.push_back({native ? Source::Native : Source::Xt, name, index});
}

// An option of a loaded extension: its plugin parses it (and the words
// after it that it takes), as iptables' getopt loop hands it over.
void Parser::xt_option(std::optional<size_t> match, const Token &t)
{
    size_t next = next_ + 1; // argv_ has the program name first

    xt_->option(match, t.name, t.inline_value ? t.inline_value->c_str() : nullptr, argv_, next,
                invert_, cmd_.rule);
    next_ = next - 1;
}

bool Parser::native_match_option(const Token &t, bool inv)
{
    return tcp_udp_option(t, inv) || other_match_option(t, inv) || ct_option(t, inv);
}

// An option of a match or target: the extension loaded last that has it
// parses it; if none has it, the match of -p (tcp, udp, dccp, sctp, icmp)
// is loaded for it then, as iptables does.
bool Parser::extension_option(const Token &t, bool inv)
{
    for (auto s = sources_.rbegin(); s != sources_.rend(); ++s) {
        if (s->kind == Source::Native && native_has_option(s->name, t.name))
            return native_match_option(t, inv);
        if (s->kind == Source::Native && plugin_has_option(cmd_.family, false, s->name, t.name))
            throw NeedsXt{"-m " + s->name};
        if (s->kind == Source::Xt && xt_->match_has_option(s->xt_index, t.name)) {
            xt_option(s->xt_index, t);
            return true;
        }
        if (s->kind == Source::Target) {
            if (target_option(t))
                return true;
            if (xt_ && xt_->target_has_option(t.name)) {
                xt_option(std::nullopt, t);
                return true;
            }
            if (cmd_.rule.verdict != NF_HIPAC_V_NONE &&
                plugin_has_option(cmd_.family, true, s->name, t.name))
                throw NeedsXt{"-j " + s->name};
        }
    }

    const char *implicit = implicit_match();

    if (implicit && xt_forced_.contains(std::string("-m ") + implicit) &&
        plugin_has_option(cmd_.family, false, implicit, t.name)) {
        load_xt_match(implicit);
        xt_option(xt_->match_count() - 1, t);
        return true;
    }
    if (implicit && !native_has_option(implicit, t.name) &&
        plugin_has_option(cmd_.family, false, implicit, t.name))
        throw NeedsXt{std::string("-m ") + implicit};
    if (!implicit || !native_has_option(implicit, t.name))
        return false;
    if (native_as_xt_ && !xt_names_.empty()) {
        converted_ = true;
        load_xt_match(implicit);
        xt_option(xt_->match_count() - 1, t);
        return true;
    }
    note_source(true, implicit);
    return native_match_option(t, inv);
}

// The match -p loads for an option no loaded match has (iptables'
// load_proto), or nullptr.
const char *Parser::implicit_match() const
{
    const Rule &r = cmd_.rule;
    bool v6 = cmd_.family == AF_INET6;
    uint8_t icmp = v6 ? uint8_t{IPPROTO_ICMPV6} : uint8_t{IPPROTO_ICMP};

    return !r.proto             ? nullptr
           : r.proto->v == icmp ? (v6 ? "icmp6" : "icmp")
                                : port_match_name(r.proto->v);
}

// getopt's table as iptables has merged it when it reads the option:
// its own options, then each extension's, the one loaded last first
// (a match loaded again keeps its first place); with @implicit, the
// options of the match -p loads when getopt finds none.
std::vector<Parser::LongOpt> Parser::merged_options(const char *implicit) const
{
    std::vector<LongOpt> opts;
    auto add = [&](const std::vector<xt::LongOpt> &from, int owner) {
        for (const xt::LongOpt &o : from)
            opts.push_back({o.name, owner, o.code, o.has_arg});
    };

    for (const BaseOpt &b : kBaseOpts)
        opts.push_back({b.name, -1, b.code, b.has_arg});
    if (implicit)
        add(native_long_options(implicit), static_cast<int>(sources_.size()));
    for (size_t i = sources_.size(); i-- > 0;) {
        const Source &s = sources_[i];
        if (s.kind == Source::Native || (s.kind == Source::Target && xt_target_name_.empty()))
            add(native_long_options(s.name), static_cast<int>(i));
        else if (s.kind == Source::Target)
            add(xt::target_options(cmd_.family, s.name), static_cast<int>(i));
        else
            add(xt::match_options(cmd_.family, s.name), static_cast<int>(i));
    }
    return opts;
}

// What getopt_long makes of "--@name": the name itself if an option has
// it, else the one option it is a prefix of (several names of one option
// count once); a prefix of several options is ambiguous, and iptables
// then says "unknown option", as for a name no option has.  Like
// iptables, the match of -p is loaded when nothing is found.
std::string Parser::long_option(const std::string &name) const
{
    std::string bare = name.substr(2);

    if (bare.empty())
        return name;
    for (const char *implicit : {static_cast<const char *>(nullptr), implicit_match()}) {
        std::vector<LongOpt> opts = merged_options(implicit);
        const LongOpt *found = nullptr;
        bool ambiguous = false;

        if (bare == "json")
            return name;
        for (const LongOpt &o : opts)
            if (o.name == bare)
                return name;
        for (const LongOpt &o : opts) {
            if (!o.name.starts_with(bare))
                continue;
            if (!found)
                found = &o;
            else if (o.owner != found->owner || o.code != found->code ||
                     o.has_arg != found->has_arg)
                ambiguous = true;
        }
        if (found && !ambiguous)
            return "--" + found->name;
        if (!implicit_match())
            break;
    }
    throw ParamError("unknown option \"" + name + "\"");
}

void Parser::check_rule()
{
    const Rule &r = cmd_.rule;
    const std::string &c = cmd_.chain;
    bool nat = cmd_.table == NF_HIPAC_TABLE_NAT;

    if ((c == "INPUT" || (nat && c == "PREROUTING")) && r.oif)
        throw ParamError("Can't use -o with " + c);
    if ((c == "OUTPUT" || (nat && c == "POSTROUTING")) && r.iif)
        throw ParamError("Can't use -i with " + c);
    if (r.verdict == NF_HIPAC_V_SNAT && !r.nat->lo && !r.nat->ports)
        throw ParamError("SNAT: option \"--to-source\" must be specified");
    if (r.verdict == NF_HIPAC_V_DNAT && !r.nat->lo && !r.nat->ports)
        throw ParamError("DNAT: option \"--to-destination\" must be specified");
    if (nat && r.verdict == NF_HIPAC_V_DROP)
        throw ParamError(kNatNoDrop);
}

// What iptables checks once the command line is read: each match loaded
// by -m has its options (the extensions' final checks, in load order, with
// their words; exit 2), and a port match is the one of the rule's
// protocol (the kernel's checkentry; exit 1).
void Parser::check_loaded_matches() const
{
    static const struct {
        const char *name, *msg;
    } need_option[] = {
        {"state", "state: option \"--state\" must be specified"},
        {"conntrack", "conntrack: At least one option is required"},
        {"icmp", "icmp: option \"--icmp-type\" must be specified"},
        {"icmp6", "icmp6: option \"--icmpv6-type\" must be specified"},
        {"ttl", "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt"},
        {"hl", "HL match: You must specify one of `--hl-eq', `--hl-lt', `--hl-gt'"},
        {"iprange", "iprange match: You must specify `--src-range' or `--dst-range'"},
        {"mark", "mark: option \"--mark\" must be specified"},
        {"multiport", "multiport expection an option"},
    };
    const Rule &r = cmd_.rule;

    for (const std::string &name : loaded_) {
        bool has = name == "state"                     ? r.state.has_value()
                   : name == "conntrack"               ? r.ctstate || r.ctstatus || r.ctdir
                   : name == "icmp" || name == "icmp6" ? r.icmp.has_value()
                   : name == "ttl" || name == "hl"     ? r.ttl.has_value()
                   : name == "iprange"                 ? r.src_range || r.dst_range
                   : name == "mark"                    ? r.mark.has_value()
                   : name == "multiport"               ? r.multiport.has_value()
                                                       : true;
        for (const auto &n : need_option)
            if (!has && name == n.name)
                throw ParamError(n.msg);
    }
    for (const std::string &name : loaded_) {
        const char *own = r.proto && !r.proto->inv ? port_match_name(r.proto->v) : nullptr;
        std::optional<uint8_t> proto = parse_proto(name);
        if (r.l4_match && proto && port_match_name(*proto) && (!own || name != own))
            throw RuleError(name + " match: only valid for protocol " + std::to_string(*proto));
    }
}

void Parser::check()
{
    if (invert_)
        throw ParamError("unexpected ! flag");
    if (cmd_.help) {
        for (const std::string &name : xt_names_)
            cmd_.ext_help += xt::match_help(cmd_.family, name);
        if (!xt_target_name_.empty())
            cmd_.ext_help += xt::target_help(cmd_.family, xt_target_name_);
        return;
    }
    if (cmd_.op == Op::None)
        throw ParamError("no command specified");

    bool rule_cmd = cmd_.op == Op::Append || cmd_.op == Op::Insert || cmd_.op == Op::Replace ||
                    (cmd_.op == Op::Delete && !cmd_.pos);
    if (!first_rule_option_.empty() && !rule_cmd)
        throw ParamError("Illegal option `" + first_rule_option_ + "' with this command");
    cmd_.has_rule = rule_cmd;
    if (rule_cmd)
        check_loaded_matches();
    if (rule_cmd && xt_)
        xt_->finish(cmd_.rule);
    set_match_order(cmd_.rule, order_);
    if (cmd_.chain.size() > NF_HIPAC_CHAIN_MAXLEN - 1)
        throw ParamError("chain name `" + cmd_.chain + "' too long (must be under " +
                         std::to_string(NF_HIPAC_CHAIN_MAXLEN) + " chars)");
    if (cmd_.op == Op::Policy && cmd_.table == NF_HIPAC_TABLE_NAT && cmd_.policy == NF_HIPAC_V_DROP)
        throw ParamError(kNatNoDrop);
    if (cmd_.op == Op::NewChain)
        check_chain_name(cmd_.chain);
    if (cmd_.op == Op::RenameChain)
        check_chain_name(cmd_.newname);
    if (rule_cmd)
        check_rule();
}

Token split(const std::string &arg)
{
    if (arg.starts_with("--")) {
        size_t eq = arg.find('=');
        if (eq != std::string::npos)
            return {arg.substr(0, eq), arg.substr(eq + 1)};
    }
    return {arg, std::nullopt};
}

Command Parser::run()
{
    while (more()) {
        const std::string &arg = args_[next_++];

        if (arg == "!") {
            if (invert_)
                throw ParamError("multiple `!' flags not allowed");
            invert_ = true;
            continue;
        }
        if (arg.size() < 2 || arg[0] != '-')
            throw ParamError("Bad argument `" + arg + "'");

        // "-nvL": bundled single-letter flags.
        if (arg[1] != '-' && arg.size() > 2) {
            std::vector<std::string> rest;
            for (size_t i = 1; i < arg.size(); i++)
                rest.push_back(std::string("-") + arg[i]);
            bool all_flags = std::all_of(rest.begin(), rest.end(), [](const std::string &f) {
                return f == "-n" || f == "-v" || f == "-x" || f == "-L" || f == "-S" || f == "-F" ||
                       f == "-Z" || f == "-X" || f == "-4" || f == "-6";
            });
            if (!all_flags)
                throw ParamError("unknown option \"" + arg + "\"");
            for (size_t i = 0; i + 1 < rest.size(); i++)
                if (!command_option({rest[i], std::nullopt}) &&
                    !general_option({rest[i], std::nullopt}))
                    throw ParamError("unknown option \"" + arg + "\"");
            Token last{rest.back(), std::nullopt};
            if (!command_option(last) && !general_option(last))
                throw ParamError("unknown option \"" + arg + "\"");
            continue;
        }

        Token t = split(arg);
        if (t.name.starts_with("--"))
            t.name = long_option(t.name);
        if (command_option(t) || general_option(t))
            continue;
        if (t.name == "-m" || t.name == "--match") {
            no_invert(t);
            load_match(value(t));
            continue;
        }
        if (t.name == "-j" || t.name == "--jump" || t.name == "-g" || t.name == "--goto") {
            no_invert(t);
            set_target(value(t), t.name == "-g" || t.name == "--goto");
            rule_option(t.name);
            continue;
        }
        bool inv = invert_;
        if (ip_option(t, inv) || extension_option(t, inv)) {
            invert_ = false;
            rule_option(t.name);
            continue;
        }
        throw ParamError("unknown option \"" + t.name + "\"");
    }
    check();
    return cmd_;
}

} // namespace

void check_chain_name(const std::string &name)
{
    if (name.size() > NF_HIPAC_CHAIN_MAXLEN - 1)
        throw ParamError("chain name `" + name + "' too long (must be under " +
                         std::to_string(NF_HIPAC_CHAIN_MAXLEN) + " chars)");
    if (name.empty() || name[0] == '-' || name[0] == '!')
        throw ParamError("chain name not allowed to start with `" + name.substr(0, 1) + "'");
    if (name.find_first_of(" \t\n") != std::string::npos)
        throw ParamError("chain name `" + name + "' contains white space");
    for (const BuiltinTarget &b : kTargets)
        if (name == b.name)
            throw ParamError("chain name may not clash with target name");
}

namespace {

Command parse_once(const std::vector<std::string> &args, int family, int table,
                   const std::set<std::string> &xt_forced)
{
    Parser parser(args, family, table, true, xt_forced);
    Command cmd = parser.run();
    bool xt_ok = cmd.table != NF_HIPAC_TABLE_NAT && cmd.rule.verdict != NF_HIPAC_V_JUMP &&
                 cmd.rule.verdict != NF_HIPAC_V_GOTO && cmd.rule.verdict != NF_HIPAC_V_RETURN;

    // The kernel takes no extensions there: the native matches stay native
    // and print first.
    if (parser.converted() && !xt_ok)
        return Parser(args, family, table, false, xt_forced).run();
    return cmd;
}

} // namespace

Command parse_command(const std::vector<std::string> &args, int family, int table)
{
    std::set<std::string> xt_forced;

    // each round takes one more module as an extension: at most one per
    // native match and target
    for (;;) {
        try {
            return parse_once(args, family, table, xt_forced);
        } catch (const NeedsXt &n) {
            if (!xt_forced.insert(n.key).second)
                throw ParamError("internal error: " + n.key + " as an extension twice");
        }
    }
}

const char *usage_text()
{
    return R"(Usage: klabctl hipac [-4|-6] -[ACD] chain rule-specification [options]
       klabctl hipac [-4|-6] -I chain [rulenum] rule-specification [options]
       klabctl hipac [-4|-6] -R chain rulenum rule-specification [options]
       klabctl hipac [-4|-6] -D chain rulenum [options]
       klabctl hipac [-4|-6] -[LS] [chain [rulenum]] [options]
       klabctl hipac [-4|-6] -[FZ] [chain] [options]
       klabctl hipac [-4|-6] -[NX] chain
       klabctl hipac [-4|-6] -E old-chain-name new-chain-name
       klabctl hipac [-4|-6] -P chain target [options]
       klabctl hipac save [-4|-6] [-t table] [-c]
       klabctl hipac restore [-4|-6] [--noflush] [-c] [file]
       klabctl hipac info|set|monitor
(nf-hipac takes the same arguments.)

Commands: -A -I -D -R -L -S -F -Z -N -X -E -P as iptables; -t filter (the default) or
  -t nat (PREROUTING, INPUT, OUTPUT, POSTROUTING).
Options: [!] -s/-d address[/mask], [!] -p proto, [!] -i/-o name[+], [!] -f,
  -m tcp/udp [!] --sport/--dport port[:port], [!] --syn, [!] --tcp-flags mask comp,
  -m icmp [!] --icmp-type type[/code] (-6: -m icmp6 --icmpv6-type),
  -m iprange [!] --src-range/--dst-range from-to,
  -m multiport [!] --sports/--dports/--ports port[,port:port...],
  -m ttl [!] --ttl-eq n, --ttl-gt n, --ttl-lt n (-6: -m hl --hl-*),
  -m mark [!] --mark value[/mask],
  -m state [!] --state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,
  -m conntrack [!] --ctstate STATES[,SNAT,DNAT] [!] --ctstatus EXPECTED,SEEN_REPLY,ASSURED,
    CONFIRMED|NONE --ctdir ORIGINAL|REPLY,
  -j ACCEPT|DROP|RETURN|REJECT [--reject-with type]|LOG [--log-prefix p --log-level l]|chain,
  -j SNAT --to-source [addr[-addr]][:port[-port]] [--random] [--random-fully] [--persistent],
  -j DNAT --to-destination ... (the same), -j MASQUERADE [--to-ports port[-port]] [--random]
  [--random-fully], -j REDIRECT [--to-ports port[-port]] [--random] (-t nat),
  -g chain, -c packets bytes, -n, -v, -x, --line-numbers, --json
)";
}

} // namespace klab::hipac
