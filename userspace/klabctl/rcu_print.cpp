// SPDX-License-Identifier: GPL-2.0
#include "rcu_print.hpp"

#include "error.hpp"

#include <klab/rcu.h>
#include <netlink/genl/genl.h>

#include <array>
#include <cstdio>
#include <sstream>

namespace klab::rcu {

namespace {

using Policy = std::array<struct nla_policy, KLAB_RCU_A_MAX + 1>;
using Attrs = std::array<struct nlattr *, KLAB_RCU_A_MAX + 1>;

constexpr std::array<const char *, __KLAB_RCU_HARNESS_END> kHarnesses = {
    "torture", "seqlock", "scale", "gp-latency", "demo", "gp-check"};
constexpr std::array<const char *, 3> kStates = {"idle", "running", "done"};

const Policy &policy()
{
    static const Policy p = [] {
        Policy q{};
        for (int a : {KLAB_RCU_A_TYPE, KLAB_RCU_A_NAME})
            q[a].type = NLA_STRING;
        for (int a : {KLAB_RCU_A_HARNESS_ID, KLAB_RCU_A_RUN_ID, KLAB_RCU_A_RUN_STATE})
            q[a].type = NLA_U32;
        for (int a : {KLAB_RCU_A_ELAPSED_NS, KLAB_RCU_A_EXPECTED_NS, KLAB_RCU_A_VALUE})
            q[a].type = NLA_U64;
        for (int a : {KLAB_RCU_A_SUCCESS, KLAB_RCU_A_STOPPED})
            q[a].type = NLA_U8;
        for (int a : {KLAB_RCU_A_GROUP, KLAB_RCU_A_STAT, KLAB_RCU_A_SERIES, KLAB_RCU_A_HARNESS})
            q[a].type = NLA_NESTED;
        return q;
    }();
    return p;
}

Attrs parse_nested(struct nlattr *nest)
{
    Attrs tb{};

    if (nla_parse_nested(tb.data(), KLAB_RCU_A_MAX, nest,
                         const_cast<struct nla_policy *>(policy().data())) < 0)
        throw Error("malformed result from family " KLAB_RCU_FAMILY_NAME);
    return tb;
}

Attrs parse_msg(struct nlmsghdr *nlh)
{
    Attrs tb{};

    if (genlmsg_parse(nlh, 0, tb.data(), KLAB_RCU_A_MAX,
                      const_cast<struct nla_policy *>(policy().data())) < 0)
        throw Error("malformed message from family " KLAB_RCU_FAMILY_NAME);
    return tb;
}

std::string name_of(const Attrs &tb)
{
    return tb[KLAB_RCU_A_NAME] ? nla_get_string(tb[KLAB_RCU_A_NAME]) : "";
}

// NAME, then the counters in order, then the series, each an array.
Json decode_group(struct nlattr *group)
{
    Json g{{"name", name_of(parse_nested(group))}};
    struct nlattr *a;
    int rem;

    nla_for_each_nested(a, group, rem)
    {
        if (nla_type(a) == KLAB_RCU_A_STAT) {
            Attrs tb = parse_nested(a);
            if (tb[KLAB_RCU_A_VALUE])
                g[name_of(tb)] = nla_get_u64(tb[KLAB_RCU_A_VALUE]);
        } else if (nla_type(a) == KLAB_RCU_A_SERIES) {
            Json values = Json::array();
            struct nlattr *v;
            int vrem;

            nla_for_each_nested(v, a, vrem)
            {
                if (nla_type(v) == KLAB_RCU_A_VALUE)
                    values.push_back(nla_get_u64(v));
            }
            g[name_of(parse_nested(a))] = values;
        }
    }
    return g;
}

std::string fixed3(uint64_t thousandths)
{
    char buf[32];

    std::snprintf(buf, sizeof(buf), "%llu.%03llu",
                  static_cast<unsigned long long>(thousandths / 1000),
                  static_cast<unsigned long long>(thousandths % 1000));
    return buf;
}

std::string series_text(const Json &values)
{
    std::string s;

    for (const Json &v : values)
        s += " " + v.dump();
    return s;
}

// "key value" pairs of a group's counters, wrapped, kebab-case keys.
void counters_text(std::ostringstream &out, const Json &group)
{
    std::string line;

    for (const auto &[key, value] : group.items()) {
        if (key == "name" || !value.is_number())
            continue;
        std::string item = render_text(Json{{key, value}});
        if (!line.empty() && line.size() + item.size() > 72) {
            out << "    " << line << "\n";
            line.clear();
        }
        line += (line.empty() ? "" : "  ") + item;
    }
    if (!line.empty())
        out << "    " << line << "\n";
}

const char *outcome(const Json &status)
{
    if (status.value("stopped", false))
        return "STOPPED";
    return status.value("success", false) ? "SUCCESS" : "FAILURE";
}

// rcutorture's names for the torture series
const char *series_label(const std::string &key)
{
    if (key == "reader_pipe")
        return "Reader Pipe:";
    if (key == "reader_batch")
        return "Reader Batch:";
    if (key == "free_block_circulation")
        return "Free-Block Circulation:";
    return nullptr;
}

std::string ms(uint64_t ns)
{
    return format_duration(ns);
}

std::string render_gp_latency(const Json &status)
{
    std::ostringstream out;
    char line[160];

    std::snprintf(line, sizeof(line), "%-20s %8s %9s %9s %9s %9s %9s %9s\n", "primitive", "samples",
                  "min", "p50", "p90", "p99", "max", "mean");
    out << line;
    for (const Json &g : status.value("results", Json::array())) {
        if (g.contains("callers")) {
            out << g.value("name", "") << ": " << g.value("callers", 0) << " concurrent callers, "
                << g.value("grace_periods", 0) << " grace periods\n";
            continue;
        }
        std::snprintf(line, sizeof(line), "%-20s %8llu %9s %9s %9s %9s %9s %9s\n",
                      g.value("name", "").c_str(),
                      static_cast<unsigned long long>(g.value("samples", 0ULL)),
                      ms(g.value("min_ns", 0ULL)).c_str(), ms(g.value("p50_ns", 0ULL)).c_str(),
                      ms(g.value("p90_ns", 0ULL)).c_str(), ms(g.value("p99_ns", 0ULL)).c_str(),
                      ms(g.value("max_ns", 0ULL)).c_str(), ms(g.value("mean_ns", 0ULL)).c_str());
        out << line;
    }
    return out.str();
}

double median_of(const Json &runs, const std::string &type)
{
    for (const Json &r : runs)
        for (const Json &g : r.value("results", Json::array()))
            if (g.value("name", "") == type && g.contains("median_ps"))
                return g["median_ps"].get<double>() / 1000.0;
    return -1;
}

} // namespace

const char *harness_name(uint32_t id)
{
    return id < kHarnesses.size() ? kHarnesses[id] : "unknown";
}

Json decode_status(struct nlmsghdr *nlh)
{
    Attrs tb = parse_msg(nlh);
    Json s;

    uint32_t state = tb[KLAB_RCU_A_RUN_STATE] ? nla_get_u32(tb[KLAB_RCU_A_RUN_STATE]) : 0;
    s["state"] = state < kStates.size() ? kStates[state] : "unknown";
    if (tb[KLAB_RCU_A_RUN_ID])
        s["run_id"] = nla_get_u32(tb[KLAB_RCU_A_RUN_ID]);
    if (tb[KLAB_RCU_A_HARNESS_ID])
        s["harness"] = harness_name(nla_get_u32(tb[KLAB_RCU_A_HARNESS_ID]));
    if (tb[KLAB_RCU_A_TYPE])
        s["type"] = nla_get_string(tb[KLAB_RCU_A_TYPE]);
    if (tb[KLAB_RCU_A_ELAPSED_NS])
        s["elapsed_ns"] = nla_get_u64(tb[KLAB_RCU_A_ELAPSED_NS]);
    if (tb[KLAB_RCU_A_EXPECTED_NS])
        s["expected_ns"] = nla_get_u64(tb[KLAB_RCU_A_EXPECTED_NS]);
    if (tb[KLAB_RCU_A_SUCCESS])
        s["success"] = nla_get_u8(tb[KLAB_RCU_A_SUCCESS]) != 0;
    if (tb[KLAB_RCU_A_STOPPED])
        s["stopped"] = nla_get_u8(tb[KLAB_RCU_A_STOPPED]) != 0;
    if (state == KLAB_RCU_RUN_DONE) {
        Json results = Json::array();
        struct nlattr *a;
        int rem;

        nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem)
        {
            if (nla_type(a) == KLAB_RCU_A_GROUP)
                results.push_back(decode_group(a));
        }
        s["results"] = results;
    }
    return s;
}

Json decode_types(struct nlmsghdr *nlh)
{
    Json types = Json::object();
    struct nlattr *h;
    int rem;

    nlmsg_for_each_attr(h, nlh, GENL_HDRLEN, rem)
    {
        if (nla_type(h) != KLAB_RCU_A_HARNESS)
            continue;
        Json names = Json::array();
        struct nlattr *t;
        int trem;

        nla_for_each_nested(t, h, trem)
        {
            if (nla_type(t) == KLAB_RCU_A_TYPE)
                names.push_back(nla_get_string(t));
        }
        types[name_of(parse_nested(h))] = names;
    }
    return types;
}

std::string render_run(const Json &status)
{
    std::ostringstream out;
    std::string harness = status.value("harness", "");

    out << harness << " " << status.value("type", "") << ": " << outcome(status) << " in "
        << format_duration(status.value("elapsed_ns", 0ULL)) << "\n";
    if (harness == "gp-latency")
        return out.str() + render_gp_latency(status);
    if (harness == "scale")
        return out.str() + render_scale_table(Json::array({status}));

    for (const Json &g : status.value("results", Json::array())) {
        out << "  " << g.value("name", "") << "\n";
        counters_text(out, g);
        for (const auto &[key, value] : g.items()) {
            if (!value.is_array())
                continue;
            const char *label = series_label(key);
            char head[40];

            std::snprintf(head, sizeof(head), "%-24s",
                          label ? label : render_text(Json{{key, ""}}).c_str());
            out << "    " << head << series_text(value) << "\n";
        }
    }
    return out.str();
}

std::string render_scale_table(const Json &runs)
{
    std::ostringstream out;
    char line[160];

    std::snprintf(line, sizeof(line), "%-14s %12s %12s %12s %12s %5s\n", "type", "median(ns)",
                  "min(ns)", "max(ns)", "mean(ns)", "irqs");
    out << line;
    for (const Json &r : runs) {
        for (const Json &g : r.value("results", Json::array())) {
            std::snprintf(
                line, sizeof(line), "%-14s %12s %12s %12s %12s %5s\n", g.value("name", "").c_str(),
                fixed3(g.value("median_ps", 0ULL)).c_str(), fixed3(g.value("min_ps", 0ULL)).c_str(),
                fixed3(g.value("max_ps", 0ULL)).c_str(), fixed3(g.value("mean_ps", 0ULL)).c_str(),
                g.value("irqs_off", 1ULL) ? "off" : "on");
            out << line;
        }
    }
    Json ratios = scale_ratios(runs);
    for (const auto &[key, value] : ratios.items()) {
        std::snprintf(line, sizeof(line), "%s %.2f\n", render_text(Json{{key, ""}}).c_str(),
                      value.get<double>());
        out << line;
    }
    return out.str();
}

Json scale_ratios(const Json &runs)
{
    Json ratios = Json::object();
    double rcu = median_of(runs, "rcu"), klab = median_of(runs, "klab_rcu");
    double seq = median_of(runs, "seqlock"), kseq = median_of(runs, "klab_seqlock");

    if (rcu > 0 && klab >= 0)
        ratios["klab_rcu_over_rcu"] = klab / rcu;
    if (seq > 0 && kseq >= 0)
        ratios["klab_seqlock_over_seqlock"] = kseq / seq;
    return ratios;
}

} // namespace klab::rcu
