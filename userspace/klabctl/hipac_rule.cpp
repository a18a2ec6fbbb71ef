// SPDX-License-Identifier: GPL-2.0
#include "hipac_rule.hpp"

#include <algorithm>

namespace klab::hipac {

namespace {

bool uses(const Rule &r, uint8_t module)
{
    switch (module) {
    case NF_HIPAC_M_IPRANGE:
        return r.src_range || r.dst_range;
    case NF_HIPAC_M_TCP_UDP:
        return r.l4_match || r.sport || r.dport || r.tcp_flags;
    case NF_HIPAC_M_ICMP:
        return r.icmp.has_value();
    case NF_HIPAC_M_MULTIPORT:
        return r.multiport.has_value();
    case NF_HIPAC_M_TTL:
        return r.ttl.has_value();
    case NF_HIPAC_M_MARK:
        return r.mark.has_value();
    case NF_HIPAC_M_STATE:
        return r.state.has_value();
    case NF_HIPAC_M_CONNTRACK:
        return r.ctstate || r.ctstatus || r.ctdir;
    default:
        return false;
    }
}

bool contains(const std::vector<uint8_t> &v, uint8_t module)
{
    return std::find(v.begin(), v.end(), module) != v.end();
}

} // namespace

std::vector<uint8_t> match_order(const Rule &r)
{
    std::vector<uint8_t> order;

    for (uint8_t m : r.order)
        if (uses(r, m) && !contains(order, m))
            order.push_back(m);
    for (uint8_t m = 1; m <= NF_HIPAC_M_MAX; m++)
        if (uses(r, m) && !contains(order, m))
            order.push_back(m);
    return order;
}

std::vector<std::string> base_chains(int table)
{
    if (table == NF_HIPAC_TABLE_NAT)
        return {kNatChains.begin(), kNatChains.end()};
    return {kBaseChains.begin(), kBaseChains.end()};
}

bool is_base_chain(int table, const std::string &name)
{
    std::vector<std::string> base = base_chains(table);

    return std::find(base.begin(), base.end(), name) != base.end();
}

const char *table_name(int table)
{
    return table == NF_HIPAC_TABLE_NAT ? "nat" : "filter";
}

std::optional<int> parse_table(const std::string &name)
{
    if (name == "filter")
        return NF_HIPAC_TABLE_FILTER;
    if (name == "nat")
        return NF_HIPAC_TABLE_NAT;
    return std::nullopt;
}

void set_match_order(Rule &r, const std::vector<uint8_t> &typed)
{
    bool bare_l4 = r.l4_match && !r.sport && !r.dport && !r.tcp_flags;

    r.order = typed;
    r.order = match_order(r);
    if (std::is_sorted(r.order.begin(), r.order.end()) && !bare_l4)
        r.order.clear();
}

} // namespace klab::hipac
