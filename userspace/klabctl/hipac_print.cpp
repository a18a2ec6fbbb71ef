// SPDX-License-Identifier: GPL-2.0
#include "hipac_print.hpp"

#include "hipac_names.hpp"
#include "hipac_xt.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ostream>
#include <string_view>

namespace klab::hipac {

namespace {

std::string fmt(const char *format, ...) __attribute__((format(printf, 1, 2)));

std::string fmt(const char *format, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, format);
    vsnprintf(buf, sizeof(buf), format, ap);
    va_end(ap);
    return buf;
}

std::string hex(uint32_t v)
{
    return fmt("0x%x", v);
}

// iptables-save's quoting (xtables_save_string()): a word of letters,
// digits, '_' and '-' bare, anything else in double quotes with ", ' and
// \ escaped.
std::string quoted(const std::string &s)
{
    static const std::string_view bare =
        "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string out = "\"";

    if (!s.empty() && s.find_first_not_of(bare) == std::string::npos)
        return s;
    for (char c : s) {
        if (c == '"' || c == '\\' || c == '\'')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string bang(bool inv)
{
    return inv ? "! " : "";
}

// iptables' "/len", or the mask as an address when its ones are not
// contiguous.
std::string mask_text(int family, const Prefix &p)
{
    return "/" + (p.mask ? format_addr(family, *p.mask) : std::to_string(p.plen));
}

std::string prefix_text(int family, const Prefix &p)
{
    return format_addr(family, p.addr) + mask_text(family, p);
}

std::string range_text(int family, const AddrRange &r)
{
    return format_addr(family, r.lo) + "-" + format_addr(family, r.hi);
}

std::string port_range_text(const PortRange &r, uint8_t proto, bool numeric)
{
    if (r.lo == r.hi)
        return port_name(r.lo, proto, numeric);
    return port_name(r.lo, proto, numeric) + ":" + port_name(r.hi, proto, numeric);
}

std::string port_list_text(const Multiport &mp, uint8_t proto, bool numeric)
{
    std::string out;

    for (const PortRange &r : mp.ports)
        out += (out.empty() ? "" : ",") + port_range_text(r, proto, numeric);
    return out;
}

uint8_t rule_proto(const Rule &r)
{
    return r.proto ? r.proto->v : 0;
}

// The match module iptables-save names for the port and flag options.
const char *port_match(const Rule &r)
{
    const char *name = r.tcp_flags ? nullptr : port_match_name(rule_proto(r));

    return name ? name : "tcp";
}

// tcp and udp save no port option that spans every port (even with "!",
// which a restore then loses), dccp and sctp save what was given.
bool saved_ports(const Rule &r, const Inv<PortRange> &p)
{
    std::string_view m = port_match(r);

    return m == "dccp" || m == "sctp" || p.v.lo != 0 || p.v.hi != 0xffff;
}

const char *ttl_op_name(uint8_t op)
{
    switch (op) {
    case NF_HIPAC_TTL_LT:
        return "lt";
    case NF_HIPAC_TTL_GT:
        return "gt";
    default:
        return "eq";
    }
}

std::string icmp_spec(const Icmp &icmp)
{
    if (icmp.type == 255 && icmp.code_lo == 0 && icmp.code_hi == 255)
        return "any";
    if (icmp.code_lo == icmp.code_hi)
        return fmt("%u/%u", icmp.type, icmp.code_lo);
    return std::to_string(icmp.type);
}

// The options of match module @m of @r, as -S and save print them.
std::string spec_module(int family, const Rule &r, uint8_t m)
{
    bool v6 = family == AF_INET6;
    std::string s;

    switch (m) {
    case NF_HIPAC_M_IPRANGE:
        s = " -m iprange";
        if (r.src_range)
            s += " " + bang(r.src_range->inv) + "--src-range " + range_text(family, r.src_range->v);
        if (r.dst_range)
            s += " " + bang(r.dst_range->inv) + "--dst-range " + range_text(family, r.dst_range->v);
        return s;
    case NF_HIPAC_M_TCP_UDP:
        s = std::string(" -m ") + port_match(r);
        if (r.sport && saved_ports(r, *r.sport))
            s += " " + bang(r.sport->inv) + "--sport " + port_range_text(r.sport->v, 0, true);
        if (r.dport && saved_ports(r, *r.dport))
            s += " " + bang(r.dport->inv) + "--dport " + port_range_text(r.dport->v, 0, true);
        if (r.tcp_flags)
            s += " " + bang(r.tcp_flags->inv) + "--tcp-flags " +
                 tcp_flag_list(r.tcp_flags->v.mask) + " " + tcp_flag_list(r.tcp_flags->v.cmp);
        return s;
    case NF_HIPAC_M_ICMP:
        return std::string(v6 ? " -m icmp6 " : " -m icmp ") + bang(r.icmp->inv) +
               (v6 ? "--icmpv6-type " : "--icmp-type ") + icmp_spec(r.icmp->v);
    case NF_HIPAC_M_MULTIPORT: {
        static const char *const dirs[] = {"", "--sports", "--dports", "--ports"};
        return " -m multiport " + bang(r.multiport->inv) + dirs[r.multiport->v.dir % 4] + " " +
               port_list_text(r.multiport->v, 0, true);
    }
    case NF_HIPAC_M_TTL:
        return std::string(v6 ? " -m hl " : " -m ttl ") + bang(r.ttl->inv) +
               (v6 ? "--hl-" : "--ttl-") + ttl_op_name(r.ttl->v.op) + " " +
               std::to_string(r.ttl->v.value);
    case NF_HIPAC_M_MARK:
        s = hex(r.mark->v.value);
        if (r.mark->v.mask != 0xffffffff)
            s += "/" + hex(r.mark->v.mask);
        return " -m mark " + bang(r.mark->inv) + "--mark " + s;
    case NF_HIPAC_M_STATE:
        return " -m state " + bang(r.state->inv) + "--state " + ct_state_list(r.state->v);
    case NF_HIPAC_M_CONNTRACK:
        s = " -m conntrack";
        if (r.ctstate)
            s += " " + bang(r.ctstate->inv) + "--ctstate " + ct_state_list(r.ctstate->v);
        if (r.ctstatus)
            s += " " + bang(r.ctstatus->inv) + "--ctstatus " + ct_status_list(r.ctstatus->v);
        if (r.ctdir)
            s += *r.ctdir == NF_HIPAC_CTDIR_REPLY ? " --ctdir REPLY" : " --ctdir ORIGINAL";
        return s;
    default:
        return s;
    }
}

void spec_matches(std::string &s, int family, const Rule &r)
{
    for (uint8_t m : match_order(r))
        s += spec_module(family, r, m);
    s += xt::save_matches(family, r);
}

const char *verdict_name(uint32_t verdict)
{
    switch (verdict) {
    case NF_HIPAC_V_ACCEPT:
        return "ACCEPT";
    case NF_HIPAC_V_DROP:
        return "DROP";
    case NF_HIPAC_V_REJECT:
        return "REJECT";
    case NF_HIPAC_V_RETURN:
        return "RETURN";
    case NF_HIPAC_V_LOG:
        return "LOG";
    case NF_HIPAC_V_SNAT:
        return "SNAT";
    case NF_HIPAC_V_DNAT:
        return "DNAT";
    case NF_HIPAC_V_MASQUERADE:
        return "MASQUERADE";
    case NF_HIPAC_V_REDIRECT:
        return "REDIRECT";
    default:
        return "";
    }
}

// --random, --random-fully, --persistent as iptables-save (@dashes) or -L
// prints them.
std::string nat_flags(uint32_t flags, bool dashes)
{
    std::string s, d = dashes ? " --" : " ";

    if (flags & NF_HIPAC_NAT_RANDOM)
        s += d + "random";
    if (flags & NF_HIPAC_NAT_RANDOM_FULLY)
        s += d + "random-fully";
    if (flags & NF_HIPAC_NAT_PERSISTENT)
        s += d + "persistent";
    return s;
}

std::string port_range_dash(const PortRange &p)
{
    return std::to_string(p.lo) + (p.hi != p.lo ? "-" + std::to_string(p.hi) : "");
}

// The target column of -L: a builtin target or the chain.
std::string target_name(const Rule &r)
{
    if (r.xt_target)
        return r.xt_target->name;
    if (r.verdict == NF_HIPAC_V_JUMP || r.verdict == NF_HIPAC_V_GOTO)
        return r.target;
    return verdict_name(r.verdict);
}

void spec_target(std::string &s, int family, const Rule &r)
{
    if (r.xt_target)
        s += xt::save_target(family, r);
    if (r.verdict == NF_HIPAC_V_NONE)
        return;
    s += (r.verdict == NF_HIPAC_V_GOTO ? " -g " : " -j ") + target_name(r);
    if (r.verdict == NF_HIPAC_V_REJECT) {
        const char *with = reject_name(family, r.reject_with.value_or(0));
        s += std::string(" --reject-with ") + (with ? with : "?");
    }
    if (r.verdict == NF_HIPAC_V_LOG) {
        if (r.log_prefix)
            s += " --log-prefix " + quoted(*r.log_prefix);
        if (r.log_level && *r.log_level != kDefaultLogLevel)
            s += " --log-level " + std::to_string(*r.log_level);
    }
    if (!r.nat)
        return;
    if (r.verdict == NF_HIPAC_V_SNAT)
        s += " --to-source " + nat_to_text(family, *r.nat);
    else if (r.verdict == NF_HIPAC_V_DNAT)
        s += " --to-destination " + nat_to_text(family, *r.nat);
    else if (r.nat->ports)
        s += " --to-ports " + port_range_dash(*r.nat->ports);
    s += nat_flags(r.nat->flags, true);
}

// The chains of @sel; a missing chain lists nothing (the caller checked).
std::vector<const Chain *> selected(const Ruleset &rs, const Selection &sel)
{
    std::vector<const Chain *> chains;

    for (const Chain &c : rs.chains)
        if (sel.chain.empty() || c.name == sel.chain)
            chains.push_back(&c);
    return chains;
}

template <class F> void for_each_selected_rule(const Chain &c, const Selection &sel, F f)
{
    for (size_t i = 0; i < c.rules.size(); i++)
        if (!sel.pos || *sel.pos == i + 1)
            f(c.rules[i], static_cast<uint32_t>(i + 1));
}

Counters rule_counters(const Rule &r)
{
    return r.counters.value_or(Counters{});
}

// ---- -L ----

// xtables_print_num(): exact, or shortened with K/M/G/T in 5 columns.
std::string count_text(uint64_t n, const ListFormat &f, bool table)
{
    if (f.exact)
        return table ? fmt("%8llu ", static_cast<unsigned long long>(n))
                     : fmt("%llu ", static_cast<unsigned long long>(n));
    if (n <= 99999)
        return table ? fmt("%5llu ", static_cast<unsigned long long>(n))
                     : fmt("%llu ", static_cast<unsigned long long>(n));
    // Rounded to the nearest unit; iptables lets n + 500 wrap, and so do we.
    static const char units[] = "KMGT";
    for (size_t i = 0;; i++) {
        n = (n + 500) / 1000;
        if (n <= 9999 || i == 3)
            return table ? fmt("%4llu%c ", static_cast<unsigned long long>(n), units[i])
                         : fmt("%llu%c ", static_cast<unsigned long long>(n), units[i]);
    }
}

std::string list_header(const ListFormat &f)
{
    std::string s;

    if (f.line_numbers)
        s += fmt("%-4s ", "num");
    if (f.verbose)
        s += f.exact ? fmt("%8s %10s ", "pkts", "bytes") : fmt("%5s %5s ", "pkts", "bytes");
    s += fmt("%-9s ", "target") + " prot opt";
    if (f.verbose)
        s += fmt(" %-6s %-6s ", "in", "out");
    s += fmt(" %-19s  %-19s ", "source", "destination");
    return s;
}

std::string iface_text(const std::optional<Inv<std::string>> &i, bool numeric)
{
    std::string s = i && i->inv ? "!" : "";

    if (i)
        return s + i->v;
    return s + (numeric ? "*" : "any");
}

std::string addr_column(int family, const std::optional<Inv<Prefix>> &p, bool numeric)
{
    unsigned int max = static_cast<unsigned int>(addr_len(family) * 8);
    std::string s = p && p->inv ? "!" : " ";

    if (!p || (p->v.plen == 0 && !p->v.mask)) {
        if (!numeric && !(p && p->inv))
            return s + fmt("%-19s ", "anywhere");
        return s + fmt("%-19s ", (family == AF_INET6 ? "::/0" : "0.0.0.0/0"));
    }
    std::string a = format_addr(family, p->v.addr);
    if (p->v.plen != max)
        a += mask_text(family, p->v);
    return s + fmt("%-19s ", a.c_str());
}

std::string list_ports(const char *name, const Inv<PortRange> &p, uint8_t proto, bool numeric)
{
    const PortRange &r = p.v;
    std::string inv = p.inv ? "!" : "";

    if (r.lo == 0 && r.hi == 0xffff && !p.inv)
        return "";
    if (r.lo == r.hi)
        return fmt(" %s:", name) + inv + port_name(r.lo, proto, numeric);
    return fmt(" %ss:", name) + inv + port_name(r.lo, proto, numeric) + ":" +
           port_name(r.hi, proto, numeric);
}

std::string list_icmp(int family, const Inv<Icmp> &m, bool numeric)
{
    std::string s = family == AF_INET6 ? " ipv6-icmp" : " icmp";
    const Icmp &i = m.v;
    const char *name = numeric ? nullptr : icmp_name(family, i);

    if (name)
        return s + " " + (m.inv ? "!" : "") + name;
    s += std::string(m.inv ? " !" : "") + fmt("type %u", i.type);
    if (i.code_lo == i.code_hi)
        s += fmt(" code %u", i.code_lo);
    else if (i.code_lo != 0 || i.code_hi != 0xff)
        s += fmt(" codes %u-%u", i.code_lo, i.code_hi);
    return s;
}

// What -L prints for match module @m of @r.
std::string list_module(int family, const Rule &r, uint8_t m, bool numeric)
{
    uint8_t proto = rule_proto(r);
    std::string s;

    switch (m) {
    case NF_HIPAC_M_IPRANGE:
        if (r.src_range)
            s += std::string(" source IP range") + (r.src_range->inv ? " !" : "") + " " +
                 range_text(family, r.src_range->v);
        if (r.dst_range)
            s += std::string(" destination IP range") + (r.dst_range->inv ? " !" : "") + " " +
                 range_text(family, r.dst_range->v);
        return s;
    case NF_HIPAC_M_TCP_UDP:
        s = std::string(" ") + port_match(r);
        if (r.sport)
            s += list_ports("spt", *r.sport, proto, numeric);
        if (r.dport)
            s += list_ports("dpt", *r.dport, proto, numeric);
        if (r.tcp_flags) {
            const TcpFlags &f = r.tcp_flags->v;
            s += std::string(" flags:") + (r.tcp_flags->inv ? "!" : "");
            s += numeric ? fmt("0x%02X/0x%02X", f.mask, f.cmp)
                         : tcp_flag_list(f.mask) + "/" + tcp_flag_list(f.cmp);
        }
        return s;
    case NF_HIPAC_M_ICMP:
        return list_icmp(family, *r.icmp, numeric);
    case NF_HIPAC_M_MULTIPORT: {
        static const char *const dirs[] = {"", "sports", "dports", "ports"};
        return std::string(" multiport ") + dirs[r.multiport->v.dir % 4] +
               (r.multiport->inv ? "  !" : " ") + port_list_text(r.multiport->v, proto, numeric);
    }
    case NF_HIPAC_M_TTL: {
        static const char *const ops[] = {"==", "<", ">"};
        const char *op = r.ttl->inv ? "!=" : ops[r.ttl->v.op % 3];
        const char *name = family == AF_INET6 ? "HL" : "TTL";
        return fmt(" %s match %s %s %u", name, name, op, r.ttl->v.value);
    }
    case NF_HIPAC_M_MARK:
        s = std::string(" mark match ") + (r.mark->inv ? "! " : "") + hex(r.mark->v.value);
        if (r.mark->v.mask != 0xffffffff)
            s += "/" + hex(r.mark->v.mask);
        return s;
    case NF_HIPAC_M_STATE:
        return std::string(r.state->inv ? " ! " : " ") + "state " + ct_state_list(r.state->v);
    case NF_HIPAC_M_CONNTRACK:
        if (r.ctstate)
            s += std::string(r.ctstate->inv ? " ! " : " ") + "ctstate " +
                 ct_state_list(r.ctstate->v);
        if (r.ctstatus)
            s += std::string(r.ctstatus->inv ? " ! " : " ") + "ctstatus " +
                 ct_status_list(r.ctstatus->v);
        if (r.ctdir)
            s += *r.ctdir == NF_HIPAC_CTDIR_REPLY ? " ctdir REPLY" : " ctdir ORIGINAL";
        return s;
    default:
        return s;
    }
}

std::string list_matches(int family, const Rule &r, bool numeric)
{
    std::string s;

    for (uint8_t m : match_order(r))
        s += list_module(family, r, m, numeric);
    return s + xt::print_matches(family, r, numeric);
}

std::string list_target_options(int family, const Rule &r, bool numeric)
{
    std::string s = xt::print_target(family, r, numeric);

    if (r.verdict == NF_HIPAC_V_REJECT) {
        const char *with = reject_name(family, r.reject_with.value_or(0));
        s += std::string(" reject-with ") + (with ? with : "?");
    }
    if (r.verdict == NF_HIPAC_V_LOG) {
        uint8_t level = r.log_level.value_or(kDefaultLogLevel);
        s += numeric ? fmt(" LOG flags 0 level %u", level)
                     : std::string(" LOG level ") + log_level_name(level);
        if (r.log_prefix)
            s += " prefix \"" + *r.log_prefix + "\"";
    }
    if (!r.nat)
        return s;
    if (r.verdict == NF_HIPAC_V_SNAT || r.verdict == NF_HIPAC_V_DNAT)
        s += " to:" + nat_to_text(family, *r.nat);
    else if (r.nat->ports)
        s += std::string(r.verdict == NF_HIPAC_V_MASQUERADE ? " masq ports: " : " redir ports ") +
             port_range_dash(*r.nat->ports);
    return s + nat_flags(r.nat->flags, false);
}

std::string list_rule(int family, const Rule &r, uint32_t num, const ListFormat &f)
{
    std::string s;
    Counters c = rule_counters(r);

    if (f.line_numbers)
        s += fmt("%-4u ", num);
    if (f.verbose)
        s += count_text(c.packets, f, true) + count_text(c.bytes, f, true);
    s += fmt("%-9s ", target_name(r).c_str());
    s += r.proto && r.proto->inv ? '!' : ' ';
    if (f.numeric)
        s += fmt("%-4u ", rule_proto(r));
    else
        s += fmt("%-4s ", proto_name(rule_proto(r)).c_str());
    s += r.frag && r.frag->inv ? '!' : '-';
    s += r.frag ? 'f' : '-';
    s += ' ';
    if (f.verbose) {
        s += fmt(" %-6s ", iface_text(r.iif, f.numeric).c_str());
        s += fmt("%-6s ", iface_text(r.oif, f.numeric).c_str());
    }
    s += addr_column(family, r.src, f.numeric);
    s += addr_column(family, r.dst, f.numeric);
    if (r.verdict == NF_HIPAC_V_GOTO)
        s += "[goto] ";
    s += list_matches(family, r, f.numeric);
    s += list_target_options(family, r, f.numeric);
    return s;
}

std::string chain_title(const Chain &c, const ListFormat &f)
{
    std::string s = "Chain " + c.name;

    if (!c.builtin)
        return s + fmt(" (%u references)", c.refs);
    s += std::string(" (policy ") + verdict_name(c.policy);
    if (f.verbose)
        s += " " + count_text(c.counters.packets, f, false) + "packets, " +
             count_text(c.counters.bytes, f, false) + "bytes";
    return s + ")";
}

} // namespace

std::string rule_spec(int family, const Rule &r, bool counters)
{
    std::string s;

    if (r.src)
        s += " " + bang(r.src->inv) + "-s " + prefix_text(family, r.src->v);
    if (r.dst)
        s += " " + bang(r.dst->inv) + "-d " + prefix_text(family, r.dst->v);
    if (r.iif)
        s += " " + bang(r.iif->inv) + "-i " + r.iif->v;
    if (r.oif)
        s += " " + bang(r.oif->inv) + "-o " + r.oif->v;
    if (r.proto)
        s += " " + bang(r.proto->inv) + "-p " + proto_name(r.proto->v);
    if (r.frag)
        s += " " + bang(r.frag->inv) + "-f";
    spec_matches(s, family, r);
    if (counters) {
        Counters c = rule_counters(r);
        s += " -c " + std::to_string(c.packets) + " " + std::to_string(c.bytes);
    }
    spec_target(s, family, r);
    return s.empty() ? s : s.substr(1);
}

void sort_chains(Ruleset &rs)
{
    std::vector<std::string> base = base_chains(rs.table);
    auto rank = [&base](const Chain &c) {
        auto it = std::find(base.begin(), base.end(), c.name);
        return static_cast<size_t>(it - base.begin());
    };
    std::stable_sort(rs.chains.begin(), rs.chains.end(), [&](const Chain &a, const Chain &b) {
        if (rank(a) != rank(b))
            return rank(a) < rank(b);
        return a.name < b.name;
    });
}

void print_rules(std::ostream &out, const Ruleset &rs, const Selection &sel, bool counters)
{
    if (!sel.pos) {
        for (const Chain *c : selected(rs, sel)) {
            if (!c->builtin) {
                out << "-N " << c->name << '\n';
                continue;
            }
            out << "-P " << c->name << ' ' << verdict_name(c->policy);
            if (counters)
                out << " -c " << c->counters.packets << ' ' << c->counters.bytes;
            out << '\n';
        }
    }
    for (const Chain *c : selected(rs, sel))
        for_each_selected_rule(*c, sel, [&](const Rule &r, uint32_t) {
            std::string spec = rule_spec(rs.family, r, counters);
            out << "-A " << c->name << (spec.empty() ? "" : " ") << spec << '\n';
        });
}

void print_list(std::ostream &out, const Ruleset &rs, const Selection &sel, const ListFormat &fmt)
{
    bool first = true;

    for (const Chain *c : selected(rs, sel)) {
        if (!sel.pos) {
            out << (first ? "" : "\n") << chain_title(*c, fmt) << '\n' << list_header(fmt) << '\n';
        }
        first = false;
        for_each_selected_rule(*c, sel, [&](const Rule &r, uint32_t num) {
            out << list_rule(rs.family, r, num, fmt) << '\n';
        });
    }
}

void print_save(std::ostream &out, const Ruleset &rs, bool counters)
{
    out << '*' << table_name(rs.table) << '\n';
    for (const Chain &c : rs.chains)
        out << ':' << c.name << ' ' << (c.builtin ? verdict_name(c.policy) : "-") << " ["
            << c.counters.packets << ':' << c.counters.bytes << "]\n";
    for (const Chain &c : rs.chains) {
        for (const Rule &r : c.rules) {
            std::string spec = rule_spec(rs.family, r);
            if (counters) {
                Counters n = rule_counters(r);
                out << '[' << n.packets << ':' << n.bytes << "] ";
            }
            out << "-A " << c.name << (spec.empty() ? "" : " ") << spec << '\n';
        }
    }
    out << "COMMIT\n";
}

Json chain_json(int family, const Chain &c, const Selection &sel)
{
    Json j{{"family", family == AF_INET6 ? "ipv6" : "ipv4"}, {"chain", c.name}};
    Json rules = Json::array();

    if (c.builtin) {
        j["policy"] = verdict_name(c.policy);
        j["packets"] = c.counters.packets;
        j["bytes"] = c.counters.bytes;
    } else {
        j["references"] = c.refs;
    }
    for_each_selected_rule(c, sel, [&](const Rule &r, uint32_t num) {
        Counters n = rule_counters(r);
        rules.push_back(Json{{"num", num},
                             {"packets", n.packets},
                             {"bytes", n.bytes},
                             {"target", target_name(r)},
                             {"goto", r.verdict == NF_HIPAC_V_GOTO},
                             {"spec", rule_spec(family, r)}});
    });
    j["rules"] = rules;
    return j;
}

} // namespace klab::hipac
