// SPDX-License-Identifier: GPL-2.0
// klabctl sched: the SVG timeline.
#include "sched_svg.hpp"

#include "svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <vector>

namespace klab::sched {

namespace {

constexpr int kLabelWidth = 170;
constexpr int kRowHeight = 20;
constexpr int kTop = 40;
constexpr int kAxisHeight = 60;

struct Segment {
    uint64_t from;
    uint64_t to;
    uint16_t cpu;
};

const char *class_colour(uint32_t policy)
{
    switch (policy) {
    case KLAB_SCHED_POLICY_DEADLINE:
        return "#d62728";
    case KLAB_SCHED_POLICY_FIFO:
        return "#ff7f0e";
    case KLAB_SCHED_POLICY_RR:
        return "#e6b400";
    case KLAB_SCHED_POLICY_IDLE:
        return "#8c8c8c";
    default:
        return "#1f77b4";
    }
}

// Each entity's stretches on a CPU, by entity
std::vector<std::vector<Segment>> segments(const RunStats &r)
{
    std::vector<std::vector<Segment>> segs(r.ents.size());

    for (const Stretch &s : stretches(r))
        if (s.ent < segs.size())
            segs[s.ent].push_back(Segment{s.from, s.to, s.cpu});
    return segs;
}

std::string time_label(uint64_t ns, uint64_t step)
{
    char buf[32];

    if (step >= 1000000000ULL)
        snprintf(buf, sizeof(buf), "%gs", static_cast<double>(ns) / 1e9);
    else if (step >= 1000000ULL)
        snprintf(buf, sizeof(buf), "%gms", static_cast<double>(ns) / 1e6);
    else
        snprintf(buf, sizeof(buf), "%gus", static_cast<double>(ns) / 1e3);
    return buf;
}

} // namespace

std::vector<Stretch> stretches(const RunStats &r)
{
    std::vector<Stretch> out;
    std::map<uint16_t, Stretch> open; // entity -> its stretch so far
    bool fair = r.trace_fair.size() == r.trace.size();

    for (size_t i = 0; i < r.trace.size(); i++) {
        const struct klab_sched_trace_event &ev = r.trace[i];
        if (ev.start) {
            Stretch s{ev.ent, ev.cpu, ev.time_ns, 0};
            if (fair) {
                s.fair = true;
                s.at_from = r.trace_fair[i];
            }
            open[ev.ent] = s;
            continue;
        }
        auto it = open.find(ev.ent);
        if (it == open.end())
            continue;
        Stretch s = it->second;
        s.to = ev.time_ns;
        if (fair)
            s.at_to = r.trace_fair[i];
        out.push_back(s);
        open.erase(it);
    }
    for (auto &[ent, s] : open) {
        s.to = r.elapsed;
        s.fair = false; // no view at its end
        out.push_back(s);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Stretch &a, const Stretch &b) { return a.ent < b.ent; });
    return out;
}

std::string timeline_svg(const RunStats &r, const SvgOptions &opts)
{
    uint64_t from = opts.from_ns;
    uint64_t to = opts.to_ns ? std::min(opts.to_ns, r.elapsed) : r.elapsed;
    if (to <= from)
        to = from + 1;
    double scale = static_cast<double>(opts.width) / static_cast<double>(to - from);
    int rows = static_cast<int>(r.ents.size());
    int width = kLabelWidth + opts.width + 30;
    int height = kTop + rows * kRowHeight + kAxisHeight;
    auto x_of = [&](uint64_t t) {
        return kLabelWidth + static_cast<double>(std::clamp(t, from, to) - from) * scale;
    };
    std::ostringstream svg;

    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
        << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
    svg << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    std::string title = (r.source == "kernel" ? "sched_demo run " + std::to_string(r.id)
                                              : std::string("simulation")) +
                        (r.name.empty() ? "" : ": " + r.name);
    svg << "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" << svg::escape(title)
        << "</text>\n";

    // legend
    int lx = kLabelWidth + opts.width - 330;
    const std::pair<uint32_t, const char *> legend[] = {{KLAB_SCHED_POLICY_DEADLINE, "deadline"},
                                                        {KLAB_SCHED_POLICY_FIFO, "fifo"},
                                                        {KLAB_SCHED_POLICY_RR, "rr"},
                                                        {KLAB_SCHED_POLICY_FAIR, "fair"},
                                                        {KLAB_SCHED_POLICY_IDLE, "idle"}};
    for (const auto &[policy, name] : legend) {
        svg << "<rect x=\"" << lx << "\" y=\"10\" width=\"12\" height=\"12\" fill=\""
            << class_colour(policy) << "\"/><text x=\"" << lx + 16 << "\" y=\"20\">" << name
            << "</text>\n";
        lx += 66;
    }

    std::vector<std::vector<Segment>> segs = segments(r);
    for (int i = 0; i < rows; i++) {
        const EntityStats &e = r.ents[i];
        int y = kTop + i * kRowHeight;
        std::string label = e.name.empty() ? "#" + std::to_string(e.id) : e.name;

        label += " (" + std::string(policy_name(e.policy));
        if (e.policy == KLAB_SCHED_POLICY_FAIR)
            label += " " + std::to_string(e.nice);
        else if (e.policy == KLAB_SCHED_POLICY_FIFO || e.policy == KLAB_SCHED_POLICY_RR)
            label += " " + std::to_string(e.prio);
        label += ")";
        if (i % 2)
            svg << "<rect x=\"" << kLabelWidth << "\" y=\"" << y << "\" width=\"" << opts.width
                << "\" height=\"" << kRowHeight << "\" fill=\"#f4f4f4\"/>\n";
        svg << "<text x=\"" << kLabelWidth - 6 << "\" y=\"" << y + 14 << "\" text-anchor=\"end\">"
            << svg::escape(label) << "</text>\n";

        // merge what is closer than half a pixel on the same CPU
        std::vector<Segment> merged;
        for (const Segment &s : segs[i]) {
            if (s.to < from || s.from > to)
                continue;
            if (!merged.empty() && merged.back().cpu == s.cpu &&
                static_cast<double>(s.from - merged.back().to) * scale < 0.5)
                merged.back().to = s.to;
            else
                merged.push_back(s);
        }
        for (const Segment &s : merged) {
            double x0 = x_of(s.from), x1 = x_of(s.to);
            double w = std::max(x1 - x0, 0.6);

            svg << "<rect x=\"" << x0 << "\" y=\"" << y + 3 << "\" width=\"" << w << "\" height=\""
                << kRowHeight - 6 << "\" fill=\"" << class_colour(e.policy) << "\"><title>"
                << svg::escape(label) << " on CPU " << s.cpu << ": " << time_label(s.from, 1)
                << " - " << time_label(s.to, 1) << "</title></rect>\n";
            if (w > 18)
                svg << "<text x=\"" << x0 + w / 2 << "\" y=\"" << y + 14
                    << "\" text-anchor=\"middle\" fill=\"white\" font-size=\"9\">" << s.cpu
                    << "</text>\n";
        }
    }

    // time axis
    int axis_y = kTop + rows * kRowHeight + 8;
    uint64_t step = std::max<uint64_t>(
        1, static_cast<uint64_t>(svg::tick_step(static_cast<double>(to - from), 10)));
    svg << "<line x1=\"" << kLabelWidth << "\" y1=\"" << axis_y << "\" x2=\""
        << kLabelWidth + opts.width << "\" y2=\"" << axis_y << "\" stroke=\"black\"/>\n";
    for (uint64_t t = (from + step - 1) / step * step; t <= to; t += step) {
        double x = x_of(t);
        svg << "<line x1=\"" << x << "\" y1=\"" << kTop << "\" x2=\"" << x << "\" y2=\""
            << axis_y + 5 << "\" stroke=\"#cccccc\" stroke-width=\"0.5\"/>\n";
        svg << "<text x=\"" << x << "\" y=\"" << axis_y + 18 << "\" text-anchor=\"middle\">"
            << time_label(t, step) << "</text>\n";
    }
    svg << "<text x=\"" << kLabelWidth + opts.width / 2 << "\" y=\"" << axis_y + 40
        << "\" text-anchor=\"middle\">time since the start (numbers in bars: the CPU)</text>\n";
    svg << "</svg>\n";
    return svg.str();
}

} // namespace klab::sched
