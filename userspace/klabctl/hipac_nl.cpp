// SPDX-License-Identifier: GPL-2.0
#include "hipac_nl.hpp"

#include "error.hpp"
#include "hipac_names.hpp"
#include "hipac_print.hpp"
#include "module.hpp"

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <algorithm>
#include <cstring>

namespace klab::hipac {

namespace {

const Module kModule = {
    .name = "hipac",
    .kmod = "nf_hipac",
    .family = NF_HIPAC_FAMILY_NAME,
    .version = NF_HIPAC_FAMILY_VERSION,
    .description = "nf_hipac: HiPAC packet classifier on netfilter (iptables syntax)",
};

void check(int err)
{
    if (err < 0)
        throw Error("cannot build netlink message: rule too large");
}

void put_flag_if(struct nl_msg *msg, int attr, bool set)
{
    if (set)
        check(nla_put_flag(msg, attr));
}

void put_addr(struct nl_msg *msg, int attr, int family, const Addr &a)
{
    check(nla_put(msg, attr, static_cast<int>(addr_len(family)), a.data()));
}

// The prefix length, or @mask's attribute for a non-contiguous mask.
void put_prefix(struct nl_msg *msg, int family, const std::optional<Inv<Prefix>> &p, int addr,
                int plen, int inv, int mask)
{
    if (!p)
        return;
    put_addr(msg, addr, family, p->v.addr);
    if (p->v.mask)
        put_addr(msg, mask, family, *p->v.mask);
    else
        check(nla_put_u8(msg, plen, p->v.plen));
    put_flag_if(msg, inv, p->inv);
}

void put_range(struct nl_msg *msg, int family, const std::optional<Inv<AddrRange>> &r, int lo,
               int hi, int inv)
{
    if (!r)
        return;
    put_addr(msg, lo, family, r->v.lo);
    put_addr(msg, hi, family, r->v.hi);
    put_flag_if(msg, inv, r->inv);
}

void put_ports(struct nl_msg *msg, const std::optional<Inv<PortRange>> &p, int lo, int hi, int inv)
{
    if (!p)
        return;
    check(nla_put_u16(msg, lo, p->v.lo));
    check(nla_put_u16(msg, hi, p->v.hi));
    put_flag_if(msg, inv, p->inv);
}

void put_iface(struct nl_msg *msg, const std::optional<Inv<std::string>> &i, int name, int inv)
{
    if (!i)
        return;
    check(nla_put_string(msg, name, i->v.c_str()));
    put_flag_if(msg, inv, i->inv);
}

void put_matches(struct nl_msg *msg, int family, const Rule &r)
{
    put_prefix(msg, family, r.src, NF_HIPAC_R_SRC, NF_HIPAC_R_SRC_PLEN, NF_HIPAC_R_SRC_INV,
               NF_HIPAC_R_SRC_MASK);
    put_prefix(msg, family, r.dst, NF_HIPAC_R_DST, NF_HIPAC_R_DST_PLEN, NF_HIPAC_R_DST_INV,
               NF_HIPAC_R_DST_MASK);
    put_range(msg, family, r.src_range, NF_HIPAC_R_SRC_RANGE_LO, NF_HIPAC_R_SRC_RANGE_HI,
              NF_HIPAC_R_SRC_RANGE_INV);
    put_range(msg, family, r.dst_range, NF_HIPAC_R_DST_RANGE_LO, NF_HIPAC_R_DST_RANGE_HI,
              NF_HIPAC_R_DST_RANGE_INV);
    if (r.proto) {
        check(nla_put_u8(msg, NF_HIPAC_R_PROTO, r.proto->v));
        put_flag_if(msg, NF_HIPAC_R_PROTO_INV, r.proto->inv);
    }
    put_ports(msg, r.sport, NF_HIPAC_R_SPORT_LO, NF_HIPAC_R_SPORT_HI, NF_HIPAC_R_SPORT_INV);
    put_ports(msg, r.dport, NF_HIPAC_R_DPORT_LO, NF_HIPAC_R_DPORT_HI, NF_HIPAC_R_DPORT_INV);
    if (r.multiport) {
        std::vector<struct nf_hipac_port_range> ports;
        for (const PortRange &p : r.multiport->v.ports)
            ports.push_back({p.lo, p.hi});
        check(nla_put_u8(msg, NF_HIPAC_R_MULTIPORT_DIR, r.multiport->v.dir));
        check(nla_put(msg, NF_HIPAC_R_MULTIPORT, static_cast<int>(ports.size() * sizeof(ports[0])),
                      ports.data()));
        put_flag_if(msg, NF_HIPAC_R_MULTIPORT_INV, r.multiport->inv);
    }
    put_iface(msg, r.iif, NF_HIPAC_R_IIF, NF_HIPAC_R_IIF_INV);
    put_iface(msg, r.oif, NF_HIPAC_R_OIF, NF_HIPAC_R_OIF_INV);
    if (r.tcp_flags) {
        check(nla_put_u8(msg, NF_HIPAC_R_TCP_FLAGS_MASK, r.tcp_flags->v.mask));
        check(nla_put_u8(msg, NF_HIPAC_R_TCP_FLAGS_CMP, r.tcp_flags->v.cmp));
        put_flag_if(msg, NF_HIPAC_R_TCP_FLAGS_INV, r.tcp_flags->inv);
    }
    if (r.icmp) {
        check(nla_put_u8(msg, NF_HIPAC_R_ICMP_TYPE, r.icmp->v.type));
        check(nla_put_u8(msg, NF_HIPAC_R_ICMP_CODE_LO, r.icmp->v.code_lo));
        check(nla_put_u8(msg, NF_HIPAC_R_ICMP_CODE_HI, r.icmp->v.code_hi));
        put_flag_if(msg, NF_HIPAC_R_ICMP_INV, r.icmp->inv);
    }
    if (r.ttl) {
        check(nla_put_u8(msg, NF_HIPAC_R_TTL_OP, r.ttl->v.op));
        check(nla_put_u8(msg, NF_HIPAC_R_TTL, r.ttl->v.value));
        put_flag_if(msg, NF_HIPAC_R_TTL_INV, r.ttl->inv);
    }
    // "-f" is R_FRAG, "! -f" R_FRAG_INV alone.
    if (r.frag)
        check(nla_put_flag(msg, r.frag->inv ? NF_HIPAC_R_FRAG_INV : NF_HIPAC_R_FRAG));
    if (r.mark) {
        check(nla_put_u32(msg, NF_HIPAC_R_MARK, r.mark->v.value));
        check(nla_put_u32(msg, NF_HIPAC_R_MARK_MASK, r.mark->v.mask));
        put_flag_if(msg, NF_HIPAC_R_MARK_INV, r.mark->inv);
    }
    if (!r.order.empty())
        check(
            nla_put(msg, NF_HIPAC_R_MATCH_ORDER, static_cast<int>(r.order.size()), r.order.data()));
    if (r.state) {
        check(nla_put_u32(msg, NF_HIPAC_R_STATE, r.state->v));
        put_flag_if(msg, NF_HIPAC_R_STATE_INV, r.state->inv);
    }
    if (r.ctstate) {
        check(nla_put_u32(msg, NF_HIPAC_R_CTSTATE, r.ctstate->v));
        put_flag_if(msg, NF_HIPAC_R_CTSTATE_INV, r.ctstate->inv);
    }
    if (r.ctstatus) {
        check(nla_put_u32(msg, NF_HIPAC_R_CTSTATUS, r.ctstatus->v));
        put_flag_if(msg, NF_HIPAC_R_CTSTATUS_INV, r.ctstatus->inv);
    }
    if (r.ctdir)
        check(nla_put_u8(msg, NF_HIPAC_R_CTDIR, *r.ctdir));
}

void put_nat(struct nl_msg *msg, int family, const NatRange &n)
{
    if (n.lo)
        put_addr(msg, NF_HIPAC_R_NAT_ADDR_LO, family, *n.lo);
    if (n.hi)
        put_addr(msg, NF_HIPAC_R_NAT_ADDR_HI, family, *n.hi);
    if (n.ports) {
        check(nla_put_u16(msg, NF_HIPAC_R_NAT_PORT_LO, n.ports->lo));
        if (n.ports->hi != n.ports->lo)
            check(nla_put_u16(msg, NF_HIPAC_R_NAT_PORT_HI, n.ports->hi));
    }
    if (n.flags)
        check(nla_put_u32(msg, NF_HIPAC_R_NAT_FLAGS, n.flags));
}

// One NF_HIPAC_XT_* nest of type @type.
void put_xt(struct nl_msg *msg, int type, const XtExt &x)
{
    struct nlattr *nest = nla_nest_start(msg, type);

    if (!nest)
        check(-1);
    check(nla_put_string(msg, NF_HIPAC_XT_NAME, x.name.c_str()));
    check(nla_put_u8(msg, NF_HIPAC_XT_REVISION, x.revision));
    check(nla_put(msg, NF_HIPAC_XT_DATA, static_cast<int>(x.data.size()), x.data.data()));
    nla_nest_end(msg, nest);
}

void put_xt_matches(struct nl_msg *msg, const Rule &r)
{
    if (r.xt_matches.empty())
        return;
    struct nlattr *list = nla_nest_start(msg, NF_HIPAC_R_XT_MATCHES);
    if (!list)
        check(-1);
    for (size_t i = 0; i < r.xt_matches.size(); i++)
        put_xt(msg, static_cast<int>(i + 1), r.xt_matches[i]);
    nla_nest_end(msg, list);
}

void put_target(struct nl_msg *msg, int family, const Rule &r)
{
    if (r.xt_target)
        put_xt(msg, NF_HIPAC_R_XT_TARGET, *r.xt_target);
    check(nla_put_u32(msg, NF_HIPAC_R_VERDICT, r.verdict));
    if (!r.target.empty())
        check(nla_put_string(msg, NF_HIPAC_R_TARGET, r.target.c_str()));
    if (r.reject_with)
        check(nla_put_u8(msg, NF_HIPAC_R_REJECT_WITH, *r.reject_with));
    if (r.log_prefix)
        check(nla_put_string(msg, NF_HIPAC_R_LOG_PREFIX, r.log_prefix->c_str()));
    if (r.log_level)
        check(nla_put_u8(msg, NF_HIPAC_R_LOG_LEVEL, *r.log_level));
    if (r.nat)
        put_nat(msg, family, *r.nat);
    if (r.counters) {
        check(nla_put_u64(msg, NF_HIPAC_R_PACKETS, r.counters->packets));
        check(nla_put_u64(msg, NF_HIPAC_R_BYTES, r.counters->bytes));
    }
}

// ---- decoding ----

using Attrs = struct nlattr * [NF_HIPAC_R_MAX + 1];

[[noreturn]] void malformed(const char *what)
{
    throw Error(std::string("malformed rule in the kernel's reply: ") + what);
}

Addr get_addr(const struct nlattr *a, int family)
{
    Addr out{};

    if (static_cast<size_t>(nla_len(a)) != addr_len(family))
        malformed("address length");
    std::memcpy(out.data(), nla_data(a), addr_len(family));
    return out;
}

uint8_t get_u8_or(const struct nlattr *a, uint8_t def)
{
    return a ? nla_get_u8(const_cast<struct nlattr *>(a)) : def;
}

std::string get_str(const struct nlattr *a)
{
    const char *s = static_cast<const char *>(nla_data(a));
    return std::string(s, strnlen(s, static_cast<size_t>(nla_len(a))));
}

void get_prefix(const Attrs tb, int family, std::optional<Inv<Prefix>> &out, int addr, int plen,
                int inv, int mask)
{
    if (!tb[addr])
        return;
    uint8_t max = static_cast<uint8_t>(addr_len(family) * 8);
    out = Inv<Prefix>{{get_addr(tb[addr], family), get_u8_or(tb[plen], max), std::nullopt},
                      tb[inv] != nullptr};
    if (tb[mask])
        out->v.mask = get_addr(tb[mask], family);
}

void get_range(const Attrs tb, int family, std::optional<Inv<AddrRange>> &out, int lo, int hi,
               int inv)
{
    if (!tb[lo] || !tb[hi])
        return;
    out = Inv<AddrRange>{{get_addr(tb[lo], family), get_addr(tb[hi], family)}, tb[inv] != nullptr};
}

void get_ports(const Attrs tb, std::optional<Inv<PortRange>> &out, int lo, int hi, int inv)
{
    if (!tb[lo])
        return;
    uint16_t l = nla_get_u16(tb[lo]);
    out = Inv<PortRange>{{l, tb[hi] ? nla_get_u16(tb[hi]) : l}, tb[inv] != nullptr};
}

void get_iface(const Attrs tb, std::optional<Inv<std::string>> &out, int name, int inv)
{
    if (tb[name])
        out = Inv<std::string>{get_str(tb[name]), tb[inv] != nullptr};
}

void get_u32_inv(const Attrs tb, std::optional<Inv<uint32_t>> &out, int attr, int inv)
{
    if (tb[attr])
        out = Inv<uint32_t>{nla_get_u32(tb[attr]), tb[inv] != nullptr};
}

void get_matches(const Attrs tb, int family, Rule &r)
{
    get_prefix(tb, family, r.src, NF_HIPAC_R_SRC, NF_HIPAC_R_SRC_PLEN, NF_HIPAC_R_SRC_INV,
               NF_HIPAC_R_SRC_MASK);
    get_prefix(tb, family, r.dst, NF_HIPAC_R_DST, NF_HIPAC_R_DST_PLEN, NF_HIPAC_R_DST_INV,
               NF_HIPAC_R_DST_MASK);
    get_range(tb, family, r.src_range, NF_HIPAC_R_SRC_RANGE_LO, NF_HIPAC_R_SRC_RANGE_HI,
              NF_HIPAC_R_SRC_RANGE_INV);
    get_range(tb, family, r.dst_range, NF_HIPAC_R_DST_RANGE_LO, NF_HIPAC_R_DST_RANGE_HI,
              NF_HIPAC_R_DST_RANGE_INV);
    if (tb[NF_HIPAC_R_PROTO])
        r.proto =
            Inv<uint8_t>{nla_get_u8(tb[NF_HIPAC_R_PROTO]), tb[NF_HIPAC_R_PROTO_INV] != nullptr};
    get_ports(tb, r.sport, NF_HIPAC_R_SPORT_LO, NF_HIPAC_R_SPORT_HI, NF_HIPAC_R_SPORT_INV);
    get_ports(tb, r.dport, NF_HIPAC_R_DPORT_LO, NF_HIPAC_R_DPORT_HI, NF_HIPAC_R_DPORT_INV);
    if (tb[NF_HIPAC_R_MULTIPORT]) {
        size_t n = static_cast<size_t>(nla_len(tb[NF_HIPAC_R_MULTIPORT])) /
                   sizeof(struct nf_hipac_port_range);
        const auto *p =
            static_cast<const struct nf_hipac_port_range *>(nla_data(tb[NF_HIPAC_R_MULTIPORT]));
        Multiport mp{get_u8_or(tb[NF_HIPAC_R_MULTIPORT_DIR], NF_HIPAC_MP_DST), {}};
        for (size_t i = 0; i < n; i++)
            mp.ports.push_back({p[i].lo, p[i].hi});
        r.multiport = Inv<Multiport>{mp, tb[NF_HIPAC_R_MULTIPORT_INV] != nullptr};
    }
    get_iface(tb, r.iif, NF_HIPAC_R_IIF, NF_HIPAC_R_IIF_INV);
    get_iface(tb, r.oif, NF_HIPAC_R_OIF, NF_HIPAC_R_OIF_INV);
    if (tb[NF_HIPAC_R_TCP_FLAGS_MASK])
        r.tcp_flags = Inv<TcpFlags>{
            {nla_get_u8(tb[NF_HIPAC_R_TCP_FLAGS_MASK]), get_u8_or(tb[NF_HIPAC_R_TCP_FLAGS_CMP], 0)},
            tb[NF_HIPAC_R_TCP_FLAGS_INV] != nullptr};
    if (tb[NF_HIPAC_R_ICMP_TYPE])
        r.icmp = Inv<Icmp>{{nla_get_u8(tb[NF_HIPAC_R_ICMP_TYPE]),
                            get_u8_or(tb[NF_HIPAC_R_ICMP_CODE_LO], 0),
                            get_u8_or(tb[NF_HIPAC_R_ICMP_CODE_HI], 0xff)},
                           tb[NF_HIPAC_R_ICMP_INV] != nullptr};
    if (tb[NF_HIPAC_R_TTL])
        r.ttl = Inv<Ttl>{
            {get_u8_or(tb[NF_HIPAC_R_TTL_OP], NF_HIPAC_TTL_EQ), nla_get_u8(tb[NF_HIPAC_R_TTL])},
            tb[NF_HIPAC_R_TTL_INV] != nullptr};
    if (tb[NF_HIPAC_R_FRAG] || tb[NF_HIPAC_R_FRAG_INV])
        r.frag = Inv<Fragment>{{}, tb[NF_HIPAC_R_FRAG_INV] != nullptr};
    if (tb[NF_HIPAC_R_MARK])
        r.mark = Inv<Mark>{
            {nla_get_u32(tb[NF_HIPAC_R_MARK]),
             tb[NF_HIPAC_R_MARK_MASK] ? nla_get_u32(tb[NF_HIPAC_R_MARK_MASK]) : 0xffffffff},
            tb[NF_HIPAC_R_MARK_INV] != nullptr};
    get_u32_inv(tb, r.state, NF_HIPAC_R_STATE, NF_HIPAC_R_STATE_INV);
    get_u32_inv(tb, r.ctstate, NF_HIPAC_R_CTSTATE, NF_HIPAC_R_CTSTATE_INV);
    get_u32_inv(tb, r.ctstatus, NF_HIPAC_R_CTSTATUS, NF_HIPAC_R_CTSTATUS_INV);
    if (tb[NF_HIPAC_R_CTDIR])
        r.ctdir = nla_get_u8(tb[NF_HIPAC_R_CTDIR]);
    r.l4_match = r.sport || r.dport || r.tcp_flags;
    if (tb[NF_HIPAC_R_MATCH_ORDER]) {
        const auto *m = static_cast<const uint8_t *>(nla_data(tb[NF_HIPAC_R_MATCH_ORDER]));
        std::vector<uint8_t> order(m, m + nla_len(tb[NF_HIPAC_R_MATCH_ORDER]));
        // the port match of -p, maybe without options
        if (std::find(order.begin(), order.end(), NF_HIPAC_M_TCP_UDP) != order.end())
            r.l4_match = true;
        set_match_order(r, order);
    }
}

void get_target(const Attrs tb, int family, Rule &r)
{
    if (tb[NF_HIPAC_R_VERDICT])
        r.verdict = nla_get_u32(tb[NF_HIPAC_R_VERDICT]);
    if (tb[NF_HIPAC_R_TARGET])
        r.target = get_str(tb[NF_HIPAC_R_TARGET]);
    if (r.verdict == NF_HIPAC_V_REJECT)
        r.reject_with = get_u8_or(tb[NF_HIPAC_R_REJECT_WITH], NF_HIPAC_REJECT_PORT_UNREACH);
    if (tb[NF_HIPAC_R_LOG_PREFIX])
        r.log_prefix = get_str(tb[NF_HIPAC_R_LOG_PREFIX]);
    if (tb[NF_HIPAC_R_LOG_LEVEL] && nla_get_u8(tb[NF_HIPAC_R_LOG_LEVEL]) != kDefaultLogLevel)
        r.log_level = nla_get_u8(tb[NF_HIPAC_R_LOG_LEVEL]);
    if (r.verdict >= NF_HIPAC_V_SNAT && r.verdict <= NF_HIPAC_V_REDIRECT) {
        NatRange n;
        if (tb[NF_HIPAC_R_NAT_ADDR_LO])
            n.lo = get_addr(tb[NF_HIPAC_R_NAT_ADDR_LO], family);
        if (tb[NF_HIPAC_R_NAT_ADDR_HI])
            n.hi = get_addr(tb[NF_HIPAC_R_NAT_ADDR_HI], family);
        if (tb[NF_HIPAC_R_NAT_PORT_LO]) {
            uint16_t lo = nla_get_u16(tb[NF_HIPAC_R_NAT_PORT_LO]);
            n.ports = PortRange{
                lo, tb[NF_HIPAC_R_NAT_PORT_HI] ? nla_get_u16(tb[NF_HIPAC_R_NAT_PORT_HI]) : lo};
        }
        if (tb[NF_HIPAC_R_NAT_FLAGS])
            n.flags = nla_get_u32(tb[NF_HIPAC_R_NAT_FLAGS]);
        r.nat = n;
    }
    if (tb[NF_HIPAC_R_PACKETS] || tb[NF_HIPAC_R_BYTES])
        r.counters = Counters{tb[NF_HIPAC_R_PACKETS] ? nla_get_u64(tb[NF_HIPAC_R_PACKETS]) : 0,
                              tb[NF_HIPAC_R_BYTES] ? nla_get_u64(tb[NF_HIPAC_R_BYTES]) : 0};
}

XtExt get_xt(const struct nlattr *nest)
{
    struct nlattr *tb[NF_HIPAC_XT_MAX + 1] = {};
    XtExt x;

    if (nla_parse_nested(tb, NF_HIPAC_XT_MAX, const_cast<struct nlattr *>(nest), nullptr) < 0 ||
        !tb[NF_HIPAC_XT_NAME])
        malformed("xtables extension");
    x.name = get_str(tb[NF_HIPAC_XT_NAME]);
    x.revision = get_u8_or(tb[NF_HIPAC_XT_REVISION], 0);
    if (tb[NF_HIPAC_XT_DATA]) {
        const auto *d = static_cast<const uint8_t *>(nla_data(tb[NF_HIPAC_XT_DATA]));
        x.data.assign(d, d + nla_len(tb[NF_HIPAC_XT_DATA]));
    }
    return x;
}

void get_xt_all(const Attrs tb, Rule &r)
{
    if (tb[NF_HIPAC_R_XT_MATCHES]) {
        struct nlattr *a;
        int rem;
        nla_for_each_nested(a, tb[NF_HIPAC_R_XT_MATCHES], rem) r.xt_matches.push_back(get_xt(a));
    }
    if (tb[NF_HIPAC_R_XT_TARGET])
        r.xt_target = get_xt(tb[NF_HIPAC_R_XT_TARGET]);
}

// Attributes of one message of the dump.
using TopAttrs = struct nlattr * [NF_HIPAC_A_MAX + 1];

void parse_top(struct nlmsghdr *nlh, TopAttrs tb)
{
    if (genlmsg_parse(nlh, 0, tb, NF_HIPAC_A_MAX, nullptr) < 0)
        throw Error("malformed nf_hipac dump message");
}

} // namespace

const Module &hipac_module()
{
    return kModule;
}

void put_rule(struct nl_msg *msg, int family, const Rule &r)
{
    struct nlattr *nest = nla_nest_start(msg, NF_HIPAC_A_RULE);

    if (!nest)
        check(-1);
    put_matches(msg, family, r);
    put_xt_matches(msg, r);
    put_target(msg, family, r);
    nla_nest_end(msg, nest);
}

Rule get_rule(const struct nlattr *nest, int family)
{
    Attrs tb{};
    Rule r;

    if (nla_parse_nested(tb, NF_HIPAC_R_MAX, const_cast<struct nlattr *>(nest), nullptr) < 0)
        malformed("nest");
    get_matches(tb, family, r);
    get_xt_all(tb, r);
    get_target(tb, family, r);
    return r;
}

Session::Session(int family, int table)
    : genl_(open_family(sock_, kModule)), family_(family), table_(table)
{
}

namespace {

// A_FAMILY, and A_TABLE unless it is the filter table (the default), so
// that filter requests are sent as before tables existed.
GenlSocket::Filler with_table(int family, int table, const GenlSocket::Filler &more)
{
    return [family, table, more](struct nl_msg *msg) {
        check(nla_put_u8(msg, NF_HIPAC_A_FAMILY, static_cast<uint8_t>(family)));
        if (table != NF_HIPAC_TABLE_FILTER)
            check(nla_put_u8(msg, NF_HIPAC_A_TABLE, static_cast<uint8_t>(table)));
        if (more)
            more(msg);
    };
}

uint8_t change_cmd(Op op)
{
    switch (op) {
    case Op::Append:
        return NF_HIPAC_CMD_RULE_APPEND;
    case Op::Insert:
        return NF_HIPAC_CMD_RULE_INSERT;
    case Op::Delete:
        return NF_HIPAC_CMD_RULE_DELETE;
    case Op::Replace:
        return NF_HIPAC_CMD_RULE_REPLACE;
    case Op::Flush:
        return NF_HIPAC_CMD_FLUSH;
    case Op::Zero:
        return NF_HIPAC_CMD_ZERO;
    case Op::NewChain:
        return NF_HIPAC_CMD_CHAIN_NEW;
    case Op::DeleteChain:
        return NF_HIPAC_CMD_CHAIN_DEL;
    case Op::RenameChain:
        return NF_HIPAC_CMD_CHAIN_RENAME;
    case Op::Policy:
        return NF_HIPAC_CMD_CHAIN_POLICY;
    default:
        throw Error("not a change command");
    }
}

} // namespace

void Session::begin()
{
    sock_.request(genl_, NF_HIPAC_CMD_BEGIN, with_table(family_, table_, nullptr), nullptr);
}

void Session::commit()
{
    sock_.request(genl_, NF_HIPAC_CMD_COMMIT, with_table(family_, table_, nullptr), nullptr);
}

void Session::abort()
{
    sock_.request(genl_, NF_HIPAC_CMD_ABORT, with_table(family_, table_, nullptr), nullptr);
}

void Session::execute(const Command &cmd)
{
    int family = family_;

    sock_.request(
        genl_, change_cmd(cmd.op),
        with_table(family, table_,
                   [&cmd, family](struct nl_msg *msg) {
                       if (!cmd.chain.empty())
                           check(nla_put_string(msg, NF_HIPAC_A_CHAIN, cmd.chain.c_str()));
                       if (cmd.pos)
                           check(nla_put_u32(msg, NF_HIPAC_A_POS, *cmd.pos));
                       if (cmd.op == Op::RenameChain)
                           check(nla_put_string(msg, NF_HIPAC_A_NEWNAME, cmd.newname.c_str()));
                       if (cmd.op == Op::Policy)
                           check(nla_put_u32(msg, NF_HIPAC_A_POLICY, cmd.policy));
                       if (cmd.has_rule)
                           put_rule(msg, family, cmd.rule);
                   }),
        nullptr);
}

Ruleset Session::dump()
{
    Ruleset rs;

    rs.family = family_;
    rs.table = table_;
    sock_.dump(genl_, NF_HIPAC_CMD_DUMP, with_table(family_, table_, nullptr),
               [this, &rs](struct nlmsghdr *nlh) {
                   TopAttrs tb{};
                   parse_top(nlh, tb);
                   if (!tb[NF_HIPAC_A_CHAIN])
                       return;
                   std::string name = get_str(tb[NF_HIPAC_A_CHAIN]);
                   if (rs.chains.empty() || rs.chains.back().name != name) {
                       Chain c;
                       c.name = name;
                       c.builtin = is_base_chain(table_, name);
                       rs.chains.push_back(c);
                   }
                   Chain &c = rs.chains.back();
                   if (tb[NF_HIPAC_A_RULE]) {
                       c.rules.push_back(get_rule(tb[NF_HIPAC_A_RULE], family_));
                       return;
                   }
                   if (tb[NF_HIPAC_A_POLICY])
                       c.policy = nla_get_u32(tb[NF_HIPAC_A_POLICY]);
                   if (tb[NF_HIPAC_A_REFS])
                       c.refs = nla_get_u32(tb[NF_HIPAC_A_REFS]);
                   if (tb[NF_HIPAC_A_PACKETS])
                       c.counters.packets = nla_get_u64(tb[NF_HIPAC_A_PACKETS]);
                   if (tb[NF_HIPAC_A_BYTES])
                       c.counters.bytes = nla_get_u64(tb[NF_HIPAC_A_BYTES]);
               });
    sort_chains(rs);
    return rs;
}

} // namespace klab::hipac
