// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: the rule model shared by the iptables-syntax parser, the
// printers (-L, -S, save) and the netlink encoding.  One field per
// NF_HIPAC_R_* match of <klab/hipac.h>; an absent optional matches anything.
#pragma once

#include <klab/hipac.h>

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace klab::hipac {

// Exit codes of iptables: a rule or operation the kernel refused, and a
// bad command line (PARAMETER_PROBLEM).
inline constexpr int kExitRule = 1;
inline constexpr int kExitParam = 2;

// A command-line problem; iptables exits 2 after printing it.
class ParamError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A command iptables refuses with exit code 1 although it never reaches the
// kernel (e.g. "Bad policy name").
class RuleError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A match with iptables' "!" in front.
template <class T> struct Inv {
    T v{};
    bool inv = false;
    bool operator==(const Inv &) const = default;
};

// An IPv4 (first 4 bytes) or IPv6 address in network order.
using Addr = std::array<uint8_t, 16>;

// A prefix of -s/-d; a mask whose ones are not contiguous (iptables takes
// "10.0.12.0/255.0.255.0") in @mask, @plen its leading ones.
struct Prefix {
    Addr addr{};
    uint8_t plen = 0;
    std::optional<Addr> mask;
    bool operator==(const Prefix &) const = default;
};

struct AddrRange {
    Addr lo{}, hi{};
    bool operator==(const AddrRange &) const = default;
};

struct PortRange {
    uint16_t lo = 0, hi = 0;
    bool operator==(const PortRange &) const = default;
};

struct Multiport {
    uint8_t dir = NF_HIPAC_MP_DST; // enum nf_hipac_multiport_dir
    std::vector<PortRange> ports;
    bool operator==(const Multiport &) const = default;
};

struct TcpFlags {
    uint8_t mask = 0, cmp = 0;
    bool operator==(const TcpFlags &) const = default;
};

struct Icmp {
    uint8_t type = 0, code_lo = 0, code_hi = 0xff;
    bool operator==(const Icmp &) const = default;
};

struct Ttl {
    uint8_t op = NF_HIPAC_TTL_EQ; // enum nf_hipac_ttl_op
    uint8_t value = 0;
    bool operator==(const Ttl &) const = default;
};

struct Mark {
    uint32_t value = 0, mask = 0xffffffff;
    bool operator==(const Mark &) const = default;
};

// -f: the match has no value, only its inversion.
struct Fragment {
    bool operator==(const Fragment &) const = default;
};

// SNAT --to-source and DNAT --to-destination, [addr[-addr]][:port[-port]],
// and MASQUERADE's and REDIRECT's --to-ports port[-port], with --random
// (NF_HIPAC_NAT_*).
struct NatRange {
    std::optional<Addr> lo, hi;
    std::optional<PortRange> ports;
    uint32_t flags = 0;
    bool operator==(const NatRange &) const = default;
};

// An xtables match or target (NF_HIPAC_XT_*): the extension's name as the
// kernel knows it, its revision and its data (the struct it declares,
// XT_ALIGN()ed), parsed and printed by the libxtables plugin.
struct XtExt {
    std::string name;
    uint8_t revision = 0;
    std::vector<uint8_t> data;
    bool operator==(const XtExt &) const = default;
};

struct Counters {
    uint64_t packets = 0, bytes = 0;
    bool operator==(const Counters &) const = default;
};

struct Rule {
    std::optional<Inv<Prefix>> src, dst;
    std::optional<Inv<AddrRange>> src_range, dst_range;
    std::optional<Inv<uint8_t>> proto;
    std::optional<Inv<PortRange>> sport, dport;
    std::optional<Inv<Multiport>> multiport;
    std::optional<Inv<std::string>> iif, oif;
    std::optional<Inv<TcpFlags>> tcp_flags;
    std::optional<Inv<Icmp>> icmp;
    std::optional<Inv<Ttl>> ttl;
    std::optional<Inv<Fragment>> frag;
    std::optional<Inv<Mark>> mark;
    std::optional<Inv<uint32_t>> state;    // -m state --state, NF_HIPAC_CT_*
    std::optional<Inv<uint32_t>> ctstate;  // -m conntrack --ctstate
    std::optional<Inv<uint32_t>> ctstatus; // --ctstatus, NF_HIPAC_CTS_*
    std::optional<uint8_t> ctdir;          // --ctdir, enum nf_hipac_ctdir
    // The port match of -p (tcp, udp, dccp or sctp) is in the rule: set
    // with its options, and also without them (-p tcp -m tcp), when it
    // still matches no non-first fragment and drops a cut header.
    bool l4_match = false;
    // The match modules (NF_HIPAC_M_*) in the order iptables evaluates
    // them; empty when that is ascending.  See set_match_order().
    std::vector<uint8_t> order;
    // The xtables matches (-m NAME of no native module), after the
    // native ones, in the order typed.
    std::vector<XtExt> xt_matches;

    uint32_t verdict = NF_HIPAC_V_NONE; // enum nf_hipac_verdict
    std::string target;                 // chain of JUMP and GOTO
    std::optional<uint8_t> reject_with; // always set for REJECT
    std::optional<std::string> log_prefix;
    std::optional<uint8_t> log_level; // absent: the default, 4
    std::optional<NatRange> nat;      // SNAT, DNAT, MASQUERADE, REDIRECT
    std::optional<XtExt> xt_target;   // -j of an xtables target; verdict NONE

    std::optional<Counters> counters; // -c on add; always set by a dump

    bool operator==(const Rule &) const = default;
};

inline constexpr uint8_t kDefaultLogLevel = 4;

struct Chain {
    std::string name;
    bool builtin = false;
    uint32_t policy = NF_HIPAC_V_ACCEPT; // base chains only
    uint32_t refs = 0;                   // user chains only
    Counters counters;                   // policy counters of a base chain
    std::vector<Rule> rules;
};

struct Ruleset {
    int family = 0;                    // AF_INET or AF_INET6
    int table = NF_HIPAC_TABLE_FILTER; // enum nf_hipac_table
    std::vector<Chain> chains;
};

// The base chains, in the order iptables lists them.
inline constexpr std::array<const char *, 3> kBaseChains = {"INPUT", "FORWARD", "OUTPUT"};
inline constexpr std::array<const char *, 4> kNatChains = {"PREROUTING", "INPUT", "OUTPUT",
                                                           "POSTROUTING"};

// The base chains of @table (enum nf_hipac_table), in iptables' order.
std::vector<std::string> base_chains(int table);
bool is_base_chain(int table, const std::string &name);
// "filter" or "nat"; the table of a name, or nullopt.
const char *table_name(int table);
std::optional<int> parse_table(const std::string &name);

// The match modules @r uses, in its order.
std::vector<uint8_t> match_order(const Rule &r);

// Set the order of @r's modules to @typed: the modules @r does not use
// are dropped, those @typed misses go last, and an ascending order is
// stored as none, as the kernel takes a rule without it, unless the rule
// has a port match without options: only the order tells the kernel.
void set_match_order(Rule &r, const std::vector<uint8_t> &typed);

} // namespace klab::hipac
