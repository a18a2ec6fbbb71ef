// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: the names iptables gives to numbers (protocols, services,
// ICMP types, TCP flags, REJECT's --reject-with, LOG levels), and the
// address syntax, shared by the parser and the printers.
#pragma once

#include "hipac_rule.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace klab::hipac {

// A decimal or 0x-prefixed hexadecimal number up to @max.
std::optional<uint64_t> parse_uint(const std::string &text, uint64_t max);

size_t addr_len(int family);
std::optional<Addr> parse_addr(int family, const std::string &text);
std::string format_addr(int family, const Addr &addr);
// @addr with the bits beyond @plen cleared.
Addr mask_addr(int family, const Addr &addr, unsigned int plen);
// "a.b.c.d/len", "a.b.c.d/m.a.s.k" (IPv4) or an address alone; throws
// ParamError in iptables' words.
Prefix parse_prefix(int family, const std::string &text);

std::optional<uint8_t> parse_proto(const std::string &text);
// The name iptables shows for a protocol ("tcp", "gre", "all"), or its
// number when it has none.
std::string proto_name(uint8_t proto);
// Whether -m multiport takes @proto (tcp, udp, udplite, sctp, dccp).
bool has_ports(uint8_t proto);
// The match module iptables loads for the port options of -p @proto
// ("tcp", "udp", "dccp", "sctp"), or nullptr: udplite has none.
const char *port_match_name(uint8_t proto);

// A port number or service name of @proto; throws ParamError.  With @proto
// 0 a service of any protocol, as the dccp match resolves them.
uint16_t parse_port(const std::string &text, uint8_t proto);
// The service name of @port (for -L without -n), else the number.
std::string port_name(uint16_t port, uint8_t proto, bool numeric);

struct IcmpName {
    const char *name;
    uint8_t type, code_lo, code_hi;
};
std::optional<Icmp> parse_icmp(int family, const std::string &text);
// The name for -L without -n, if the type/code range has one.
const char *icmp_name(int family, const Icmp &icmp);

uint8_t parse_tcp_flag_list(const std::string &text);
std::string tcp_flag_list(uint8_t flags);

std::optional<uint8_t> parse_reject(int family, const std::string &text);
const char *reject_name(int family, uint8_t with);

std::optional<uint8_t> parse_log_level(const std::string &text);
const char *log_level_name(uint8_t level);

// --state (@ctstate false) and --ctstate lists, NF_HIPAC_CT_* bits, any
// case; throws ParamError("Bad state \"FOO\"").  Printed in iptables'
// order: INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED,SNAT,DNAT.
uint32_t parse_ct_states(const std::string &text, bool ctstate);
std::string ct_state_list(uint32_t bits);
// --ctstatus lists, NF_HIPAC_CTS_* bits or NONE.
uint32_t parse_ct_status(const std::string &text);
std::string ct_status_list(uint32_t bits);

// SNAT's --to-source and DNAT's --to-destination: [addr[-addr]][:port[-port]]
// (IPv6 with ports: [addr[-addr]]:port[-port]); ports only if @portok.
// Throws ParamError in iptables' words.
NatRange parse_nat_to(int family, const std::string &text, bool portok);
// MASQUERADE's and REDIRECT's --to-ports port[-port].
PortRange parse_nat_ports(const std::string &text);
// The range as iptables-save prints it after --to-source.
std::string nat_to_text(int family, const NatRange &r);

} // namespace klab::hipac
