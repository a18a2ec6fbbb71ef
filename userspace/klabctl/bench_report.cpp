// SPDX-License-Identifier: GPL-2.0
// klabctl bench report: the results `make bench` collects (one JSON object per
// line, as every bench/ script prints them) drawn as one HTML page with SVG
// pictures, a section per module, each comparison measured in the same boot.
//
//   klabctl bench report RESULTS [-o HTML]
//
// The page is self-contained (inline SVG, inline CSS, no script), so it opens
// in a browser with nothing else installed; each picture is also written as
// an .svg file beside it.
#include "bench_report.hpp"

#include "error.hpp"
#include "svg.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace klab {

namespace {

using Records = std::vector<Json>;

double number(const Json &r, const char *key)
{
    auto it = r.find(key);
    return it != r.end() && it->is_number() ? it->get<double>() : NAN;
}

std::string text(const Json &r, const char *key)
{
    auto it = r.find(key);
    if (it == r.end())
        return "";
    return it->is_string() ? it->get<std::string>() : it->dump();
}

Records select(const Records &all, const std::set<std::string> &benches)
{
    Records out;

    for (const Json &r : all)
        if (benches.count(text(r, "bench")))
            out.push_back(r);
    return out;
}

// Repeated runs give a series several values at one x: the line goes
// through their median, in the order the x values first came
svg::Series median_per_x(const svg::Series &in)
{
    std::map<double, std::vector<double>> ys;
    std::vector<double> xs;
    svg::Series out{in.name, {}};

    for (const auto &[x, y] : in.points) {
        if (!ys.count(x))
            xs.push_back(x);
        ys[x].push_back(y);
    }
    for (double x : xs) {
        std::vector<double> &v = ys[x];

        std::sort(v.begin(), v.end());
        size_t mid = v.size() / 2;
        out.points.emplace_back(x, v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2);
    }
    return out;
}

// Lines: one series per value of @series_key, points (@x_key, @y_key) of
// the records that have both numbers
std::vector<svg::Series> series_by(const Records &rs, const std::string &series_key,
                                   const char *x_key, const char *y_key)
{
    std::map<std::string, svg::Series> by_name;
    std::vector<std::string> order;

    for (const Json &r : rs) {
        double x = number(r, x_key), y = number(r, y_key);

        if (std::isnan(x) || std::isnan(y))
            continue;
        std::string name;
        std::istringstream keys(series_key);
        for (std::string k; std::getline(keys, k, '+');)
            name += (name.empty() ? "" : " ") + text(r, k.c_str());
        if (!by_name.count(name)) {
            order.push_back(name);
            by_name[name].name = name;
        }
        by_name[name].points.emplace_back(x, y);
    }
    std::vector<svg::Series> out;
    for (const std::string &n : order)
        out.push_back(median_per_x(by_name[n]));
    return out;
}

// Bars: groups from @group_key, one row per value of @row_key, value
// @value_key; a later record of the same group and row replaces an earlier
svg::BarChart bars_by(const Records &rs, const char *group_key, const char *row_key,
                      const char *value_key)
{
    svg::BarChart chart;
    std::map<std::string, size_t> group_index, row_index;

    for (const Json &r : rs) {
        double v = number(r, value_key);

        if (std::isnan(v))
            continue;
        std::string g = text(r, group_key), row = text(r, row_key);
        if (!group_index.count(g)) {
            group_index[g] = chart.groups.size();
            chart.groups.push_back(g);
        }
        if (!row_index.count(row)) {
            row_index[row] = chart.bars.size();
            chart.bars.push_back(svg::Bars{row, {}});
        }
        std::vector<double> &vals = chart.bars[row_index[row]].values;
        vals.resize(chart.groups.size(), NAN);
        vals[group_index[g]] = v;
    }
    for (svg::Bars &b : chart.bars)
        b.values.resize(chart.groups.size(), NAN);
    return chart;
}

struct Figure {
    std::string file; // name of the .svg beside the page
    std::string svg;
};

struct Section {
    std::string title;
    std::string intro;
    std::vector<Figure> figures;
    Records records;
};

Section hipac_section(const Records &all)
{
    Section s{"nf_hipac: packet classification", "", {}, select(all, {"hipac", "hipac-commit"})};
    Records lookups, commits;
    std::set<std::string> modules;

    for (const Json &r : s.records) {
        if (text(r, "bench") == "hipac-commit") {
            commits.push_back(r);
            modules.insert(text(r, "module"));
        } else if (r.contains("pps") && text(r, "system") != "none") {
            lookups.push_back(r);
        }
    }
    if (!lookups.empty())
        s.figures.push_back(
            {"hipac-pps.svg", svg::line_chart({"Forwarded packets/s against the number of rules",
                                               {"rules in the chain", true},
                                               {"packets/s", true},
                                               series_by(lookups, "system", "rules", "pps")})});
    if (!commits.empty())
        s.figures.push_back(
            {"hipac-commit.svg",
             svg::line_chart(
                 {"One-rule commit latency against the number of rules",
                  {"rules in the table", true},
                  {"ms per command", true},
                  // a line per operation; the module's path
                  // only when builds are compared
                  series_by(commits, modules.size() > 1 ? "module+op" : "op", "rules", "ms")})});
    s.intro = "Each system forwards the same pktgen stream through a chain of N rules in the "
              "same boot; no rule matches, so every packet is classified against all of them.";
    return s;
}

Section slab_section(const Records &all)
{
    Section s{"slabcache: object allocation", "", {}, select(all, {"slab"})};
    Records bulk;

    s.intro = "kmem_cache_alloc_bulk/free_bulk of 256-byte objects against slabcache's own bulk "
              "calls in the same boot (make bench-slab runs it with both init_on_alloc settings).";
    for (const Json &r : s.records)
        if (text(r, "test") == "bulk")
            bulk.push_back(r);
    if (bulk.empty())
        return s;
    // two lines per boot: slabcache's and SLUB's, each at both init_on_alloc
    Records split;
    for (const Json &r : bulk) {
        std::string init = "init_on_alloc=" + text(r, "init_on_alloc");

        split.push_back({{"who", "slabcache, " + init},
                         {"bulk", r["bulk"]},
                         {"ns", r.value("slabcache_ns", NAN)}});
        split.push_back({{"who", "SLUB kmem_cache, " + init},
                         {"bulk", r["bulk"]},
                         {"ns", r.value("kmem_cache_ns", NAN)}});
    }
    s.figures.push_back(
        {"slab-bulk.svg", svg::line_chart({"ns per object (alloc + free) against the bulk size",
                                           {"objects per bulk call", true},
                                           {"ns per object", false},
                                           series_by(split, "who", "bulk", "ns")})});
    return s;
}

Section blk_section(const Records &all)
{
    Section s{"klab_blk: RAM disk", "", {}, select(all, {"chardev-blk", "chardev-pipe"})};
    Records fio;

    for (const Json &r : s.records)
        if (text(r, "bench") == "chardev-blk" && r.contains("iops"))
            fio.push_back(r);
    if (!fio.empty()) {
        svg::BarChart c = bars_by(fio, "case", "device", "iops");

        c.title = "fio IOPS per case: klab_blk (bio and mq modes), brd, null_blk";
        c.y = {"IOPS", false};
        s.figures.push_back({"blk-iops.svg", svg::bar_chart(c)});
    }
    s.intro = "The same fio jobs against each disk in one boot; the medians of alternating runs.";
    return s;
}

Section igb_section(const Records &all)
{
    Section s{
        "netdev_igb_like: virtual NIC", "", {}, select(all, {"pktgen", "tcp", "xdp_drop", "itr"})};
    static const std::pair<const char *, const char *> metrics[] = {
        {"pktgen", "pps"}, {"xdp_drop", "drops_per_s"}, {"tcp", "Mbit_s"}};
    Records rel;

    s.intro = "64-byte pktgen frames through a connected pair, XDP_DROP on the receiver, and one "
              "TCP stream (iperf3), each against veth.";
    // Units differ, so each metric is shown relative to veth's in the same boot
    for (const auto &[bench, key] : metrics) {
        std::map<std::string, double> by_dev;

        for (const Json &r : s.records)
            if (text(r, "bench") == bench)
                by_dev[text(r, "dev")] = number(r, key);
        if (!by_dev.count("veth"))
            continue;
        double veth = by_dev["veth"];
        for (const auto &[dev, v] : by_dev)
            rel.push_back({{"metric", std::string(bench) + " (" + key + ")"},
                           {"dev", dev},
                           {"rel", v / veth}});
    }
    if (rel.empty())
        return s;
    svg::BarChart c = bars_by(rel, "metric", "dev", "rel");
    c.title = "The klab NIC against veth in the same boot (veth = 1)";
    c.y = {"relative to veth", false};
    c.reference = 1.0;
    c.reference_label = "veth";
    s.figures.push_back({"igb-vs-veth.svg", svg::bar_chart(c)});
    return s;
}

Section rcu_section(const Records &all)
{
    Section s{"rcu_demo: read side and grace periods",
              "",
              {},
              select(all, {"rcu-scale", "rcu-gp-latency"})};
    Records scale, gp;

    for (const Json &r : s.records)
        (text(r, "bench") == "rcu-scale" ? scale : gp).push_back(r);
    for (Json &r : scale)
        r["readers_label"] = text(r, "readers") + " readers";
    if (!scale.empty()) {
        svg::BarChart c = bars_by(scale, "type", "readers_label", "median_ns");

        c.title = "Read-side critical section cost (median ns), kernel's beside klab's";
        c.y = {"ns per read-side section", true};
        s.figures.push_back({"rcu-read.svg", svg::bar_chart(c)});
    }
    if (!gp.empty()) {
        svg::BarChart c = bars_by(gp, "primitive", "readers", "p50_ns");

        c.title = "Grace-period latency (median ns)";
        c.y = {"ns from update to callback", true};
        for (svg::Bars &b : c.bars)
            b.name = b.name + " reader(s)";
        s.figures.push_back({"rcu-gp.svg", svg::bar_chart(c)});
    }
    s.intro = "refscale-style loops of read-side sections on every CPU, and synchronize/call "
              "latencies of each primitive.";
    return s;
}

Section sched_section(const Records &all)
{
    Section s{"sched_demo: scheduling", "", {}, select(all, {"sched"})};
    Records sw, fair;

    for (const Json &r : s.records) {
        std::string m = text(r, "metric");

        if (m == "switch_ns")
            sw.push_back(r);
        else if (m == "fairness_error_pct")
            fair.push_back(r);
    }
    for (Records *rs : {&sw, &fair})
        for (Json &r : *rs)
            r["series"] = "median";
    if (!sw.empty()) {
        svg::BarChart c = bars_by(sw, "scheduler", "series", "value");

        c.title = "Context switch cost (ns per switch)";
        c.y = {"ns", false};
        s.figures.push_back({"sched-switch.svg", svg::bar_chart(c)});
    }
    if (!fair.empty()) {
        svg::BarChart c = bars_by(fair, "scheduler", "series", "value");

        c.title = "Fairness error of nice-weighted CPU shares (%)";
        c.y = {"% off the weights' shares", false};
        s.figures.push_back({"sched-fairness.svg", svg::bar_chart(c)});
    }
    s.intro = "Ping-pong switches between two threads, and the CPU shares of spinning threads "
              "with different nice values against their weights.";
    return s;
}

// The lines of @path that are JSON objects (progress and log lines are
// skipped); a JSON array is taken whole
Records read_results(const std::string &path)
{
    std::ifstream in(path);
    Records out;

    if (!in)
        throw Error("cannot open " + path);
    std::string line;
    while (std::getline(in, line)) {
        size_t at = line.find('{');
        if (line.rfind('[', 0) == 0) {
            std::stringstream rest;
            rest << line << in.rdbuf();
            for (const Json &r : Json::parse(rest.str()))
                out.push_back(r);
            break;
        }
        if (at == std::string::npos)
            continue;
        Json r = Json::parse(line.substr(at), nullptr, false);
        if (r.is_object() && r.contains("bench"))
            out.push_back(r);
    }
    return out;
}

std::string page(const Records &all, const std::vector<Section> &sections)
{
    std::ostringstream html;

    html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         << "<title>klab benchmark report</title>\n<style>\n"
         << "body { font-family: sans-serif; max-width: 800px; margin: 2em auto; }\n"
         << "pre { font-size: 11px; background: #f6f6f6; padding: 6px; overflow-x: auto; }\n"
         << "</style></head><body>\n<h1>klab benchmark report</h1>\n";
    for (const Json &r : all) {
        if (text(r, "bench") != "meta")
            continue;
        html << "<p>";
        for (const auto &[k, v] : r.items())
            if (k != "bench")
                html << "<b>" << svg::escape(k)
                     << "</b>: " << svg::escape(v.is_string() ? v.get<std::string>() : v.dump())
                     << " ";
        html << "</p>\n";
    }
    for (const Section &s : sections) {
        html << "<h2>" << svg::escape(s.title) << "</h2>\n";
        if (s.records.empty()) {
            html << "<p>Not in these results.</p>\n";
            continue;
        }
        html << "<p>" << svg::escape(s.intro) << "</p>\n";
        if (s.figures.empty())
            html << "<p>Nothing to draw: these results have no comparison for it.</p>\n";
        for (const Figure &f : s.figures)
            html << "<figure>\n" << f.svg << "</figure>\n";
        html << "<details><summary>" << s.records.size() << " measurements</summary>\n<pre>";
        for (const Json &r : s.records)
            html << svg::escape(r.dump()) << "\n";
        html << "</pre></details>\n";
    }
    html << "</body></html>\n";
    return html.str();
}

void write_file(const std::filesystem::path &path, const std::string &data)
{
    std::ofstream out(path);

    out << data;
    if (!out.flush())
        throw Error("cannot write " + path.string());
}

} // namespace

Json write_report(const std::string &results, const std::string &html_path)
{
    Records all = read_results(results);
    if (all.empty())
        throw Error(results + ": no benchmark results in it");
    std::vector<Section> sections = {hipac_section(all), slab_section(all), blk_section(all),
                                     igb_section(all),   rcu_section(all),  sched_section(all)};
    std::filesystem::path html(html_path);
    Json figures = Json::array();

    write_file(html, page(all, sections));
    for (const Section &s : sections)
        for (const Figure &f : s.figures) {
            write_file(html.parent_path() / f.file, f.svg);
            figures.push_back(f.file);
        }
    return Json{{"report", html_path}, {"results", all.size()}, {"figures", figures}};
}

void add_bench(CLI::App &cmd, Cli &cli)
{
    struct ReportArgs {
        std::string results;
        std::string html = "report.html";
    };
    auto args = std::make_shared<ReportArgs>();
    CLI::App *report = cmd.add_subcommand("report", "draw make bench's results as HTML with SVG");

    report->add_option("results", args->results, "JSON lines from make bench")->required();
    report->add_option("-o,--output", args->html, "the HTML file (the SVGs go beside it)");
    report->callback([&cli, args] {
        cli.action = [&cli, args] {
            Printer(cli.out, cli.opts).print(write_report(args->results, args->html));
        };
    });
    cmd.require_subcommand(1);
}

} // namespace klab
