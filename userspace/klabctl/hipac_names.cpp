// SPDX-License-Identifier: GPL-2.0
#include "hipac_names.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <limits>
#include <span>

namespace klab::hipac {

namespace {

struct NamedNumber {
    const char *name;
    uint8_t value;
};

// iptables' own protocol names, used when /etc/protocols lacks them.
constexpr NamedNumber kProtos[] = {
    {"all", 0},  {"tcp", IPPROTO_TCP},   {"udp", IPPROTO_UDP}, {"udplite", IPPROTO_UDPLITE},
    {"icmp", 1}, {"icmpv6", 58},         {"ipv6-icmp", 58},    {"esp", IPPROTO_ESP},
    {"ah", 51},  {"sctp", IPPROTO_SCTP}, {"mh", 135},          {"gre", IPPROTO_GRE},
};

constexpr IcmpName kIcmp4[] = {
    {"any", 255, 0, 255},
    {"echo-reply", 0, 0, 255},
    {"destination-unreachable", 3, 0, 255},
    {"network-unreachable", 3, 0, 0},
    {"host-unreachable", 3, 1, 1},
    {"protocol-unreachable", 3, 2, 2},
    {"port-unreachable", 3, 3, 3},
    {"fragmentation-needed", 3, 4, 4},
    {"source-route-failed", 3, 5, 5},
    {"network-unknown", 3, 6, 6},
    {"host-unknown", 3, 7, 7},
    {"network-prohibited", 3, 9, 9},
    {"host-prohibited", 3, 10, 10},
    {"TOS-network-unreachable", 3, 11, 11},
    {"TOS-host-unreachable", 3, 12, 12},
    {"communication-prohibited", 3, 13, 13},
    {"host-precedence-violation", 3, 14, 14},
    {"precedence-cutoff", 3, 15, 15},
    {"source-quench", 4, 0, 255},
    {"redirect", 5, 0, 255},
    {"network-redirect", 5, 0, 0},
    {"host-redirect", 5, 1, 1},
    {"TOS-network-redirect", 5, 2, 2},
    {"TOS-host-redirect", 5, 3, 3},
    {"echo-request", 8, 0, 255},
    {"router-advertisement", 9, 0, 255},
    {"router-solicitation", 10, 0, 255},
    {"time-exceeded", 11, 0, 255},
    {"ttl-zero-during-transit", 11, 0, 0},
    {"ttl-zero-during-reassembly", 11, 1, 1},
    {"parameter-problem", 12, 0, 255},
    {"ip-header-bad", 12, 0, 0},
    {"required-option-missing", 12, 1, 1},
    {"timestamp-request", 13, 0, 255},
    {"timestamp-reply", 14, 0, 255},
    {"address-mask-request", 17, 0, 255},
    {"address-mask-reply", 18, 0, 255},
    // Aliases, accepted but never printed (a name above wins).
    {"pong", 0, 0, 255},
    {"ping", 8, 0, 255},
    {"ttl-exceeded", 11, 0, 255},
};

constexpr IcmpName kIcmp6[] = {
    {"destination-unreachable", 1, 0, 255},
    {"no-route", 1, 0, 0},
    {"communication-prohibited", 1, 1, 1},
    {"beyond-scope", 1, 2, 2},
    {"address-unreachable", 1, 3, 3},
    {"port-unreachable", 1, 4, 4},
    {"failed-policy", 1, 5, 5},
    {"reject-route", 1, 6, 6},
    {"packet-too-big", 2, 0, 255},
    {"time-exceeded", 3, 0, 255},
    {"ttl-zero-during-transit", 3, 0, 0},
    {"ttl-zero-during-reassembly", 3, 1, 1},
    {"parameter-problem", 4, 0, 255},
    {"bad-header", 4, 0, 0},
    {"unknown-header-type", 4, 1, 1},
    {"unknown-option", 4, 2, 2},
    {"echo-request", 128, 0, 255},
    {"echo-reply", 129, 0, 255},
    {"mld-listener-query", 130, 0, 255},
    {"mld-listener-report", 131, 0, 255},
    {"mld-listener-done", 132, 0, 255},
    {"router-solicitation", 133, 0, 255},
    {"router-advertisement", 134, 0, 255},
    {"neighbour-solicitation", 135, 0, 255},
    {"neighbour-advertisement", 136, 0, 255},
    {"redirect", 137, 0, 255},
    {"ping", 128, 0, 255},
    {"pong", 129, 0, 255},
    {"ttl-exceeded", 3, 0, 255},
    {"neighbor-solicitation", 135, 0, 255},
    {"neighbor-advertisement", 136, 0, 255},
};

std::span<const IcmpName> icmp_names(int family)
{
    if (family == AF_INET6)
        return kIcmp6;
    return kIcmp4;
}

constexpr NamedNumber kTcpFlags[] = {
    {"FIN", NF_HIPAC_TCP_FIN}, {"SYN", NF_HIPAC_TCP_SYN}, {"RST", NF_HIPAC_TCP_RST},
    {"PSH", NF_HIPAC_TCP_PSH}, {"ACK", NF_HIPAC_TCP_ACK}, {"URG", NF_HIPAC_TCP_URG},
    {"ECE", NF_HIPAC_TCP_ECE}, {"CWR", NF_HIPAC_TCP_CWR},
};
constexpr uint8_t kTcpFlagsAll = 0x3f; // iptables' ALL: FIN to URG

struct RejectName {
    const char *v4, *v6;
    uint8_t with;
};

// The first name of each family is the one printed; the rest are aliases.
constexpr RejectName kReject[] = {
    {"icmp-port-unreachable", "icmp6-port-unreachable", NF_HIPAC_REJECT_PORT_UNREACH},
    {"icmp-net-unreachable", "icmp6-no-route", NF_HIPAC_REJECT_NET_UNREACH},
    {"icmp-host-unreachable", "icmp6-addr-unreachable", NF_HIPAC_REJECT_HOST_UNREACH},
    {"icmp-proto-unreachable", nullptr, NF_HIPAC_REJECT_PROTO_UNREACH},
    {"icmp-admin-prohibited", "icmp6-adm-prohibited", NF_HIPAC_REJECT_ADMIN_PROHIB},
    {"tcp-reset", "tcp-reset", NF_HIPAC_REJECT_TCP_RESET},
    {"port-unreach", "port-unreach", NF_HIPAC_REJECT_PORT_UNREACH},
    {"net-unreach", "no-route", NF_HIPAC_REJECT_NET_UNREACH},
    {"host-unreach", "addr-unreach", NF_HIPAC_REJECT_HOST_UNREACH},
    {"proto-unreach", nullptr, NF_HIPAC_REJECT_PROTO_UNREACH},
    {"admin-prohib", "adm-prohibited", NF_HIPAC_REJECT_ADMIN_PROHIB},
    {"tcp-rst", "tcp-rst", NF_HIPAC_REJECT_TCP_RESET},
};

// By level; the names after them are accepted aliases.
constexpr const char *kLogLevels[] = {"emerg", "alert",  "crit", "err",
                                      "warn",  "notice", "info", "debug"};
constexpr NamedNumber kLogAliases[] = {{"panic", 0}, {"error", 3}, {"warning", 4}};

template <class T> std::optional<T> parse_number(const std::string &text)
{
    std::optional<uint64_t> n = parse_uint(text, std::numeric_limits<T>::max());

    if (!n)
        return std::nullopt;
    return static_cast<T>(*n);
}

const char *service_proto(uint8_t proto)
{
    switch (proto) {
    case IPPROTO_TCP:
        return "tcp";
    case IPPROTO_UDP:
        return "udp";
    case IPPROTO_SCTP:
        return "sctp";
    case IPPROTO_UDPLITE:
        return "udplite";
    case IPPROTO_DCCP:
        return "dccp";
    default:
        return nullptr;
    }
}

} // namespace

std::optional<uint64_t> parse_uint(const std::string &text, uint64_t max)
{
    uint64_t value = 0;
    const char *p = text.data();
    const char *end = p + text.size();
    int base = 10;

    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        p += 2;
        base = 16;
    }
    auto [ptr, ec] = std::from_chars(p, end, value, base);
    if (p == end || ec != std::errc() || ptr != end || value > max)
        return std::nullopt;
    return value;
}

size_t addr_len(int family)
{
    return family == AF_INET6 ? 16 : 4;
}

std::optional<Addr> parse_addr(int family, const std::string &text)
{
    Addr addr{};

    if (inet_pton(family, text.c_str(), addr.data()) != 1)
        return std::nullopt;
    return addr;
}

std::string format_addr(int family, const Addr &addr)
{
    char buf[INET6_ADDRSTRLEN];

    if (!inet_ntop(family, addr.data(), buf, sizeof(buf)))
        return "?";
    return buf;
}

Addr mask_addr(int family, const Addr &addr, unsigned int plen)
{
    Addr out{};

    for (size_t i = 0; i < addr_len(family); i++) {
        unsigned int bits = plen > i * 8 ? std::min(8u, plen - static_cast<unsigned>(i * 8)) : 0;
        out[i] = addr[i] & static_cast<uint8_t>(0xff00 >> bits);
    }
    return out;
}

namespace {

// The leading ones of @mask.
unsigned int leading_ones(int family, const Addr &mask)
{
    unsigned int plen = 0;

    for (size_t i = 0; i < addr_len(family) && mask[i] == 0xff; i++)
        plen += 8;
    if (plen < addr_len(family) * 8)
        plen += static_cast<unsigned int>(std::countl_one(mask[plen / 8]));
    return plen;
}

// A mask written as an address ("255.0.255.0", "ffff::ff"), as iptables
// and ip6tables take it after the '/'.
std::optional<Addr> parse_mask(int family, const std::string &text)
{
    if (text.find(family == AF_INET ? '.' : ':') == std::string::npos)
        return std::nullopt;
    return parse_addr(family, text);
}

} // namespace

Prefix parse_prefix(int family, const std::string &text)
{
    size_t slash = text.find('/');
    std::string host = text.substr(0, slash);
    unsigned int max = static_cast<unsigned int>(addr_len(family) * 8);
    Prefix out{};
    std::optional<Addr> mask;

    out.plen = static_cast<uint8_t>(max);
    if (slash != std::string::npos) {
        std::string len = text.substr(slash + 1);
        std::optional<unsigned int> n = parse_number<unsigned int>(len);

        if (!n)
            mask = parse_mask(family, len);
        if ((!n && !mask) || (n && *n > max))
            throw ParamError("invalid mask `" + len + "' specified");
        if (n)
            out.plen = static_cast<uint8_t>(*n);
    }
    std::optional<Addr> addr = parse_addr(family, host);
    if (!addr)
        throw ParamError("host/network `" + host + "' not found");
    if (mask) {
        out.plen = static_cast<uint8_t>(leading_ones(family, *mask));
        if (mask_addr(family, *mask, out.plen) != *mask)
            out.mask = mask;
    }
    out.addr = mask_addr(family, *addr, out.plen);
    if (out.mask)
        for (size_t i = 0; i < addr_len(family); i++)
            out.addr[i] = (*addr)[i] & (*out.mask)[i];
    return out;
}

std::optional<uint8_t> parse_proto(const std::string &text)
{
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

    if (std::optional<unsigned int> n = parse_number<unsigned int>(lower))
        return *n <= 255 ? std::optional<uint8_t>(static_cast<uint8_t>(*n)) : std::nullopt;
    for (const NamedNumber &p : kProtos)
        if (lower == p.name)
            return p.value;
    if (const struct protoent *pe = getprotobyname(lower.c_str()))
        return static_cast<uint8_t>(pe->p_proto);
    return std::nullopt;
}

std::string proto_name(uint8_t proto)
{
    if (proto == 0)
        return "all";
    if (const struct protoent *pe = getprotobynumber(proto))
        return pe->p_name;
    for (const NamedNumber &p : kProtos)
        if (p.value == proto)
            return p.name;
    return std::to_string(proto);
}

bool has_ports(uint8_t proto)
{
    return service_proto(proto) != nullptr;
}

const char *port_match_name(uint8_t proto)
{
    return proto == IPPROTO_UDPLITE ? nullptr : service_proto(proto);
}

uint16_t parse_port(const std::string &text, uint8_t proto)
{
    if (std::optional<unsigned int> n = parse_number<unsigned int>(text); n && *n <= 0xffff)
        return static_cast<uint16_t>(*n);
    const char *p = service_proto(proto);
    if ((p || !proto) && !text.empty() && !std::isdigit(static_cast<unsigned char>(text[0])))
        if (const struct servent *se = getservbyname(text.c_str(), p))
            return ntohs(static_cast<uint16_t>(se->s_port));
    throw ParamError("invalid port/service `" + text + "' specified");
}

std::string port_name(uint16_t port, uint8_t proto, bool numeric)
{
    const char *p = service_proto(proto);

    if (!numeric && p)
        if (const struct servent *se = getservbyport(htons(port), p))
            return se->s_name;
    return std::to_string(port);
}

std::optional<Icmp> parse_icmp(int family, const std::string &text)
{
    for (const IcmpName &n : icmp_names(family))
        if (strcasecmp(text.c_str(), n.name) == 0)
            return Icmp{n.type, n.code_lo, n.code_hi};

    size_t slash = text.find('/');
    std::optional<unsigned int> type = parse_number<unsigned int>(text.substr(0, slash));
    if (!type || *type > 255)
        return std::nullopt;
    Icmp icmp{static_cast<uint8_t>(*type), 0, 255};
    if (slash != std::string::npos) {
        std::optional<unsigned int> code = parse_number<unsigned int>(text.substr(slash + 1));
        if (!code || *code > 255)
            return std::nullopt;
        icmp.code_lo = icmp.code_hi = static_cast<uint8_t>(*code);
    }
    return icmp;
}

const char *icmp_name(int family, const Icmp &icmp)
{
    for (const IcmpName &n : icmp_names(family))
        if (n.type == icmp.type && n.code_lo == icmp.code_lo && n.code_hi == icmp.code_hi)
            return n.name;
    return nullptr;
}

uint8_t parse_tcp_flag_list(const std::string &text)
{
    uint8_t flags = 0;
    size_t start = 0;

    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string name = text.substr(start, comma - start);
        bool found = false;

        if (name == "ALL") {
            flags |= kTcpFlagsAll;
            found = true;
        } else if (name == "NONE") {
            found = true;
        }
        for (const NamedNumber &f : kTcpFlags) {
            if (strcasecmp(name.c_str(), f.name) == 0) {
                flags |= f.value;
                found = true;
            }
        }
        if (!found)
            throw ParamError("Unknown TCP flag `" + name + "'");
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return flags;
}

std::string tcp_flag_list(uint8_t flags)
{
    std::string out;

    if (flags == 0)
        return "NONE";
    for (const NamedNumber &f : kTcpFlags)
        if (flags & f.value)
            out += (out.empty() ? "" : ",") + std::string(f.name);
    return out;
}

std::optional<uint8_t> parse_reject(int family, const std::string &text)
{
    for (const RejectName &r : kReject) {
        const char *name = family == AF_INET6 ? r.v6 : r.v4;
        if (name && text == name)
            return r.with;
    }
    return std::nullopt;
}

const char *reject_name(int family, uint8_t with)
{
    for (const RejectName &r : kReject)
        if (r.with == with)
            return family == AF_INET6 ? r.v6 : r.v4;
    return nullptr;
}

std::optional<uint8_t> parse_log_level(const std::string &text)
{
    if (std::optional<unsigned int> n = parse_number<unsigned int>(text))
        return *n <= 7 ? std::optional<uint8_t>(static_cast<uint8_t>(*n)) : std::nullopt;
    for (size_t i = 0; i < std::size(kLogLevels); i++)
        if (strcasecmp(text.c_str(), kLogLevels[i]) == 0)
            return static_cast<uint8_t>(i);
    for (const NamedNumber &a : kLogAliases)
        if (strcasecmp(text.c_str(), a.name) == 0)
            return a.value;
    return std::nullopt;
}

const char *log_level_name(uint8_t level)
{
    return level < std::size(kLogLevels) ? kLogLevels[level] : "?";
}

} // namespace klab::hipac

namespace klab::hipac {

namespace {

// In the order iptables prints them.
constexpr NamedNumber kCtStates[] = {
    {"INVALID", NF_HIPAC_CT_INVALID},     {"NEW", NF_HIPAC_CT_NEW},
    {"RELATED", NF_HIPAC_CT_RELATED},     {"ESTABLISHED", NF_HIPAC_CT_ESTABLISHED},
    {"UNTRACKED", NF_HIPAC_CT_UNTRACKED}, {"SNAT", NF_HIPAC_CT_SNAT},
    {"DNAT", NF_HIPAC_CT_DNAT},
};

constexpr NamedNumber kCtStatus[] = {
    {"EXPECTED", NF_HIPAC_CTS_EXPECTED},
    {"SEEN_REPLY", NF_HIPAC_CTS_SEEN_REPLY},
    {"ASSURED", NF_HIPAC_CTS_ASSURED},
    {"CONFIRMED", NF_HIPAC_CTS_CONFIRMED},
};

template <size_t N>
uint32_t parse_bit_list(const std::string &text, const NamedNumber (&names)[N], uint32_t allowed,
                        const std::string &what)
{
    uint32_t bits = 0;
    size_t start = 0;

    for (;;) {
        size_t comma = text.find(',', start);
        std::string word = text.substr(start, comma - start);
        const NamedNumber *n =
            std::find_if(std::begin(names), std::end(names), [&](const NamedNumber &x) {
                return strcasecmp(x.name, word.c_str()) == 0;
            });
        if (n == std::end(names) || !(n->value & allowed))
            throw ParamError("Bad " + what + " \"" + (word.empty() ? "," : word) + "\"");
        bits |= n->value;
        if (comma == std::string::npos)
            return bits;
        start = comma + 1;
    }
}

template <size_t N> std::string bit_list(uint32_t bits, const NamedNumber (&names)[N])
{
    std::string out;

    for (const NamedNumber &n : names)
        if (bits & n.value)
            out += (out.empty() ? "" : ",") + std::string(n.name);
    return out;
}

// A port of a NAT range: "Port `%s' not valid"
uint16_t nat_port(const std::string &text)
{
    std::optional<uint64_t> n = parse_uint(text, 65535);

    if (!n)
        throw ParamError("Port `" + text + "' not valid");
    return static_cast<uint16_t>(*n);
}

} // namespace

uint32_t parse_ct_states(const std::string &text, bool ctstate)
{
    uint32_t all = NF_HIPAC_CT_INVALID | NF_HIPAC_CT_NEW | NF_HIPAC_CT_RELATED |
                   NF_HIPAC_CT_ESTABLISHED | NF_HIPAC_CT_UNTRACKED;

    if (ctstate)
        return parse_bit_list(text, kCtStates, all | NF_HIPAC_CT_SNAT | NF_HIPAC_CT_DNAT,
                              "ctstate");
    return parse_bit_list(text, kCtStates, all, "state");
}

std::string ct_state_list(uint32_t bits)
{
    return bit_list(bits, kCtStates);
}

uint32_t parse_ct_status(const std::string &text)
{
    if (strcasecmp(text.c_str(), "NONE") == 0)
        return 0;
    return parse_bit_list(text, kCtStatus, ~0u, "ctstatus");
}

std::string ct_status_list(uint32_t bits)
{
    return bits ? bit_list(bits, kCtStatus) : "NONE";
}

PortRange parse_nat_ports(const std::string &text)
{
    if (text.find(':') != std::string::npos)
        throw ParamError("Invalid port:port syntax - use dash");
    size_t dash = text.find('-');
    PortRange r{nat_port(text.substr(0, dash)), 0};

    r.hi = dash == std::string::npos ? r.lo : nat_port(text.substr(dash + 1));
    if (r.hi < r.lo)
        throw ParamError("Port range `" + text.substr(dash + 1) + "' funky");
    return r;
}

NatRange parse_nat_to(int family, const std::string &text, bool portok)
{
    std::string addrs = text, ports;
    NatRange r;

    // [a-b]:p-q for IPv6 with ports; else one colon is the port (IPv4)
    if (!text.empty() && text[0] == '[') {
        size_t end = text.find(']');
        if (end == std::string::npos || family == AF_INET)
            throw ParamError("Invalid address format");
        addrs = text.substr(1, end - 1);
        size_t colon = text.find(':', end);
        if (colon != std::string::npos)
            ports = text.substr(colon + 1);
        if (colon == std::string::npos && end + 1 != text.size())
            throw ParamError("Invalid address format");
    } else {
        size_t colon = text.find(':');
        if (colon != std::string::npos && text.find(':', colon + 1) == std::string::npos) {
            addrs = text.substr(0, colon);
            ports = text.substr(colon + 1);
            if (addrs.empty() && ports.empty())
                ports = ":";
        }
    }
    if (!ports.empty()) {
        if (!portok)
            throw ParamError("Need TCP, UDP, SCTP or DCCP with port specification");
        r.ports = parse_nat_ports(ports);
    }
    if (addrs.empty())
        return r;
    size_t dash = addrs.find('-');
    std::string lo = addrs.substr(0, dash);
    std::optional<Addr> a = parse_addr(family, lo);
    if (!a)
        throw ParamError("Bad IP address \"" + lo + "\"");
    r.lo = a;
    if (dash != std::string::npos) {
        std::string hi = addrs.substr(dash + 1);
        std::optional<Addr> b = parse_addr(family, hi);
        if (!b)
            throw ParamError("Bad IP address \"" + hi + "\"");
        if (*b != *a)
            r.hi = b;
    }
    return r;
}

std::string nat_to_text(int family, const NatRange &r)
{
    std::string s;

    if (r.lo) {
        s = format_addr(family, *r.lo);
        if (r.hi)
            s += "-" + format_addr(family, *r.hi);
        if (family == AF_INET6 && r.ports)
            s = "[" + s + "]";
    }
    if (r.ports) {
        s += ":" + std::to_string(r.ports->lo);
        if (r.ports->hi != r.ports->lo)
            s += "-" + std::to_string(r.ports->hi);
    }
    return s;
}

} // namespace klab::hipac
