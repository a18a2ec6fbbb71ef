// SPDX-License-Identifier: GPL-2.0
#include "classbench.hpp"

#include <algorithm>
#include <stdexcept>

namespace klab::hipac {

namespace {

struct Shape {
    // prefix length weights for 0, 8, 16, 24, 28, 32 bits
    std::vector<double> src_len, dst_len;
    double tcp, udp, icmp; // the rest: any protocol
    double dport_exact, dport_range, sport_range;
};

const Shape &shape(Profile p)
{
    static const Shape acl = {
        {5, 5, 10, 30, 10, 40}, {1, 2, 8, 30, 9, 50}, 0.55, 0.3, 0.05, 0.7, 0.15, 0.05};
    static const Shape fw = {
        {40, 10, 20, 20, 5, 5}, {25, 10, 20, 25, 5, 15}, 0.45, 0.25, 0.05, 0.4, 0.35, 0.2};
    static const Shape ipc = {
        {20, 10, 15, 25, 5, 25}, {20, 10, 15, 25, 5, 25}, 0.4, 0.3, 0.1, 0.5, 0.2, 0.1};
    switch (p) {
    case Profile::kAcl:
        return acl;
    case Profile::kFirewall:
        return fw;
    default:
        return ipc;
    }
}

constexpr u32 kPrefixLens[] = {0, 8, 16, 24, 28, 32};
constexpr u32 kWellKnown[] = {20, 21, 22, 23, 25, 53, 80, 110, 123, 143, 443, 993, 3306, 8080};

class Draw {
  public:
    explicit Draw(uint32_t seed) : rng_(seed) {}

    u32 any() { return static_cast<u32>(rng_()); }
    double real() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
    u32 below(u32 n) { return std::uniform_int_distribution<u32>(0, n - 1)(rng_); }
    size_t weighted(const std::vector<double> &w)
    {
        return std::discrete_distribution<size_t>(w.begin(), w.end())(rng_);
    }

  private:
    std::mt19937 rng_;
};

// Addresses come from a few hundred "networks", as real rule sets
// cluster, so prefixes nest and overlap.
u32 address(Draw &d, const std::vector<u32> &nets)
{
    return nets[d.below(nets.size())] ^ (d.any() & 0x0000ffff);
}

void add_prefix(std::vector<hipac_match> &m, Dim dim, u32 addr, u32 len)
{
    if (len == 0)
        return;
    u32 host = len == 32 ? 0 : 0xffffffffu >> len;
    m.push_back({dim, 0, addr & ~host, (addr & ~host) | host});
}

void add_ports(std::vector<hipac_match> &m, Dim dim, Draw &d, double exact, double range)
{
    double x = d.real();

    if (x < exact) {
        u32 p = d.below(4) ? kWellKnown[d.below(std::size(kWellKnown))] : d.below(65536);
        m.push_back({dim, 0, p, p});
    } else if (x < exact + range) {
        if (d.below(2))
            m.push_back({dim, 0, 1024, 65535});
        else {
            u32 a = d.below(65536), b = d.below(65536);
            m.push_back({dim, 0, std::min(a, b), std::max(a, b)});
        }
    }
}

} // namespace

hipac_dims five_tuple_dims()
{
    hipac_dims d{};

    d.n = kDims;
    d.max[kSrc] = d.max[kDst] = 0xffffffff;
    d.max[kProto] = 255;
    d.max[kSport] = d.max[kDport] = 65535;
    return d;
}

Profile parse_profile(const std::string &name)
{
    if (name == "acl")
        return Profile::kAcl;
    if (name == "fw")
        return Profile::kFirewall;
    if (name == "ipc")
        return Profile::kIpChain;
    throw std::invalid_argument("unknown ClassBench profile " + name + " (acl, fw, ipc)");
}

const char *profile_name(Profile p)
{
    switch (p) {
    case Profile::kAcl:
        return "acl";
    case Profile::kFirewall:
        return "fw";
    default:
        return "ipc";
    }
}

RuleSet generate(Profile profile, size_t n_rules, uint32_t seed)
{
    const Shape &s = shape(profile);
    Draw d(seed);
    std::vector<u32> nets(64 + n_rules / 16);
    RuleSet rs;

    for (u32 &n : nets)
        n = d.any() & 0xffff0000;
    rs.matches.reserve(n_rules);
    for (size_t i = 0; i < n_rules; i++) {
        std::vector<hipac_match> m;
        double proto = d.real();

        u32 src_len = kPrefixLens[d.weighted(s.src_len)];
        u32 dst_len = kPrefixLens[d.weighted(s.dst_len)];

        // Real sets have next to no rule matching every address pair:
        // such a rule would shadow all that follow it.
        while (src_len == 0 && dst_len == 0)
            dst_len = kPrefixLens[d.weighted(s.dst_len)];
        add_prefix(m, kSrc, address(d, nets), src_len);
        add_prefix(m, kDst, address(d, nets), dst_len);
        if (proto < s.tcp + s.udp) {
            m.push_back({kProto, 0, proto < s.tcp ? 6u : 17u, proto < s.tcp ? 6u : 17u});
            add_ports(m, kSport, d, 0.02, s.sport_range);
            add_ports(m, kDport, d, s.dport_exact, s.dport_range);
        } else if (proto < s.tcp + s.udp + s.icmp) {
            m.push_back({kProto, 0, 1, 1});
        }
        rs.matches.push_back(std::move(m));
    }
    rs.index();
    return rs;
}

std::vector<std::vector<u32>> packets(const RuleSet &rs, size_t n, uint32_t seed)
{
    hipac_dims dims = five_tuple_dims();
    std::vector<std::vector<u32>> out(n, std::vector<u32>(kDims));
    Draw d(seed);

    for (auto &pkt : out) {
        for (u32 dim = 0; dim < kDims; dim++)
            pkt[dim] = dims.max[dim] == 0xffffffff ? d.any() : d.below(dims.max[dim] + 1);
        if (rs.size() == 0 || d.below(10) == 0)
            continue;
        for (const hipac_match &m : rs.matches[d.below(rs.size())])
            if (!m.invert)
                pkt[m.dimid] = m.left + static_cast<u32>(d.any() % (u64{m.right} - m.left + 1));
    }
    return out;
}

} // namespace klab::hipac
