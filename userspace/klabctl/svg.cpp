// SPDX-License-Identifier: GPL-2.0
// klabctl's SVG pictures.
#include "svg.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <sstream>

namespace klab::svg {

namespace {

constexpr int kWidth = 820;
constexpr int kLeft = 80;
constexpr int kTop = 44;
constexpr int kPlotWidth = 470;
constexpr int kPlotHeight = 260;
constexpr int kLegendX = kLeft + kPlotWidth + 20;

const char *const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

const char *colour(size_t i)
{
    return kColours[i % (sizeof(kColours) / sizeof(kColours[0]))];
}

// Data values to pixels along one axis, from pixel @p0 (at lo) to @p1 (at hi)
class Scale {
  public:
    Scale(double dmin, double dmax, bool log, double p0, double p1) : log_(log), p0_(p0), p1_(p1)
    {
        if (log_) {
            lo_ = std::pow(10.0, std::floor(std::log10(dmin)));
            hi_ = std::pow(10.0, std::ceil(std::log10(dmax)));
            if (hi_ <= lo_)
                hi_ = lo_ * 10;
            return;
        }
        lo_ = std::min(0.0, dmin);
        step_ = tick_step(dmax > lo_ ? dmax - lo_ : 1.0, 5);
        hi_ = std::ceil(dmax / step_) * step_;
        if (hi_ <= lo_)
            hi_ = lo_ + step_;
    }

    double lo() const { return lo_; }

    double map(double v) const
    {
        double f = log_ ? (std::log10(v) - std::log10(lo_)) / (std::log10(hi_) - std::log10(lo_))
                        : (v - lo_) / (hi_ - lo_);
        return p0_ + f * (p1_ - p0_);
    }

    // Decades on a log axis (with 2 and 5 between them when there are at
    // most two), round steps on a linear one
    std::vector<double> ticks() const
    {
        std::vector<double> t;

        if (!log_) {
            for (double v = lo_; v <= hi_ + step_ / 2; v += step_)
                t.push_back(v);
            return t;
        }
        bool fine = hi_ / lo_ <= 100.5;
        for (double d = lo_; d <= hi_ * 1.001; d *= 10) {
            t.push_back(d);
            if (fine && d * 10 <= hi_ * 1.001) {
                t.push_back(2 * d);
                t.push_back(5 * d);
            }
        }
        return t;
    }

  private:
    bool log_;
    double p0_, p1_;
    double lo_ = 0, hi_ = 1, step_ = 1;
};

// The smallest and largest of @values that an axis can show (positive on
// a log axis); {1, 10} if there is none
std::pair<double, double> range(const std::vector<double> &values, bool log)
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;

    for (double v : values) {
        if (std::isnan(v) || (log && v <= 0))
            continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (lo > hi)
        return {1, 10};
    return {lo, hi};
}

void header(std::ostringstream &svg, const std::string &title, int height)
{
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\""
        << height << "\" viewBox=\"0 0 " << kWidth << ' ' << height
        << "\" font-family=\"sans-serif\" font-size=\"11\">\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        << "<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">" << escape(title)
        << "</text>\n";
}

// The y axis: grid lines, tick labels and the rotated label
void y_axis(std::ostringstream &svg, const Scale &y, const Axis &axis)
{
    for (double t : y.ticks()) {
        double py = y.map(t);

        svg << "<line x1=\"" << kLeft << "\" y1=\"" << py << "\" x2=\"" << kLeft + kPlotWidth
            << "\" y2=\"" << py << "\" stroke=\"#dddddd\" stroke-width=\"0.6\"/>\n"
            << "<text x=\"" << kLeft - 6 << "\" y=\"" << py + 4 << "\" text-anchor=\"end\">"
            << short_number(t) << "</text>\n";
    }
    svg << "<line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft << "\" y2=\""
        << kTop + kPlotHeight << "\" stroke=\"black\"/>\n";
    svg << "<text transform=\"translate(16," << kTop + kPlotHeight / 2
        << ") rotate(-90)\" text-anchor=\"middle\">" << escape(axis.label)
        << (axis.log ? " (log scale)" : "") << "</text>\n";
}

void legend(std::ostringstream &svg, const std::vector<std::string> &names)
{
    for (size_t i = 0; i < names.size(); i++) {
        int y = kTop + 4 + static_cast<int>(i) * 18;

        svg << "<rect x=\"" << kLegendX << "\" y=\"" << y << "\" width=\"12\" height=\"12\" fill=\""
            << colour(i) << "\"/><text x=\"" << kLegendX + 17 << "\" y=\"" << y + 10 << "\">"
            << escape(names[i]) << "</text>\n";
    }
}

} // namespace

std::string escape(const std::string &s)
{
    std::string out;

    for (char c : s) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

double tick_step(double span, int n)
{
    double raw = span / n;

    if (!(raw > 0))
        return 1;
    double p = std::pow(10.0, std::floor(std::log10(raw)));

    for (double m : {1.0, 2.0, 5.0})
        if (m * p >= raw)
            return m * p;
    return 10 * p;
}

std::string short_number(double v)
{
    static const std::pair<double, const char *> units[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    char buf[32];

    for (const auto &[scale, suffix] : units) {
        if (std::fabs(v) >= scale) {
            snprintf(buf, sizeof(buf), "%.3g%s", v / scale, suffix);
            return buf;
        }
    }
    snprintf(buf, sizeof(buf), "%.3g", v);
    return buf;
}

std::string line_chart(const LineChart &chart)
{
    std::vector<double> xs, ys;
    std::vector<std::string> names;
    std::ostringstream svg;

    for (const Series &s : chart.series) {
        names.push_back(s.name);
        for (const auto &[x, y] : s.points) {
            xs.push_back(x);
            ys.push_back(y);
        }
    }
    auto [xmin, xmax] = range(xs, chart.x.log);
    auto [ymin, ymax] = range(ys, chart.y.log);
    Scale x(xmin, xmax, chart.x.log, kLeft, kLeft + kPlotWidth);
    Scale y(ymin, ymax, chart.y.log, kTop + kPlotHeight, kTop);
    int bottom = kTop + kPlotHeight;

    header(svg, chart.title, bottom + 56);
    y_axis(svg, y, chart.y);
    for (double t : x.ticks()) {
        double px = x.map(t);

        svg << "<line x1=\"" << px << "\" y1=\"" << kTop << "\" x2=\"" << px << "\" y2=\""
            << bottom + 4 << "\" stroke=\"#dddddd\" stroke-width=\"0.6\"/>\n"
            << "<text x=\"" << px << "\" y=\"" << bottom + 18 << "\" text-anchor=\"middle\">"
            << short_number(t) << "</text>\n";
    }
    svg << "<line x1=\"" << kLeft << "\" y1=\"" << bottom << "\" x2=\"" << kLeft + kPlotWidth
        << "\" y2=\"" << bottom << "\" stroke=\"black\"/>\n"
        << "<text x=\"" << kLeft + kPlotWidth / 2 << "\" y=\"" << bottom + 42
        << "\" text-anchor=\"middle\">" << escape(chart.x.label)
        << (chart.x.log ? " (log scale)" : "") << "</text>\n";

    for (size_t i = 0; i < chart.series.size(); i++) {
        std::vector<std::pair<double, double>> pts = chart.series[i].points;
        std::string path;

        std::sort(pts.begin(), pts.end());
        for (const auto &[px, py] : pts) {
            if ((chart.x.log && px <= 0) || (chart.y.log && py <= 0))
                continue;
            path += (path.empty() ? "" : " ") + std::to_string(x.map(px)) + "," +
                    std::to_string(y.map(py));
            svg << "<circle cx=\"" << x.map(px) << "\" cy=\"" << y.map(py) << "\" r=\"3\" fill=\""
                << colour(i) << "\"><title>" << escape(chart.series[i].name) << ": "
                << short_number(px) << " &#8594; " << short_number(py) << "</title></circle>\n";
        }
        svg << "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" << colour(i) << "\" points=\""
            << path << "\"/>\n";
    }
    legend(svg, names);
    svg << "</svg>\n";
    return svg.str();
}

std::string bar_chart(const BarChart &chart)
{
    std::vector<double> values;
    std::vector<std::string> names;
    std::ostringstream svg;

    for (const Bars &b : chart.bars) {
        names.push_back(b.name);
        values.insert(values.end(), b.values.begin(), b.values.end());
    }
    if (!std::isnan(chart.reference))
        values.push_back(chart.reference);
    auto [ymin, ymax] = range(values, chart.y.log);
    Scale y(ymin, ymax, chart.y.log, kTop + kPlotHeight, kTop);
    int bottom = kTop + kPlotHeight;
    double group_w = static_cast<double>(kPlotWidth) / std::max<size_t>(chart.groups.size(), 1);
    double bar_w = group_w * 0.8 / std::max<size_t>(chart.bars.size(), 1);
    double base = y.map(chart.y.log ? y.lo() : std::max(0.0, y.lo()));

    header(svg, chart.title, bottom + 110);
    y_axis(svg, y, chart.y);
    for (size_t g = 0; g < chart.groups.size(); g++) {
        double gx = kLeft + group_w * static_cast<double>(g);

        for (size_t b = 0; b < chart.bars.size(); b++) {
            double v = g < chart.bars[b].values.size() ? chart.bars[b].values[g] : NAN;

            if (std::isnan(v) || (chart.y.log && v <= 0))
                continue;
            double bx = gx + group_w * 0.1 + bar_w * static_cast<double>(b);
            double top = y.map(v);

            svg << "<rect x=\"" << bx << "\" y=\"" << std::min(top, base) << "\" width=\""
                << bar_w * 0.92 << "\" height=\"" << std::fabs(base - top) << "\" fill=\""
                << colour(b) << "\"><title>" << escape(chart.groups[g]) << ", "
                << escape(chart.bars[b].name) << ": " << short_number(v) << "</title></rect>\n";
            if (bar_w >= 16)
                svg << "<text x=\"" << bx + bar_w * 0.46 << "\" y=\"" << top - 3
                    << "\" text-anchor=\"middle\" font-size=\"9\">" << short_number(v)
                    << "</text>\n";
        }
        svg << "<text transform=\"translate(" << gx + group_w / 2 << ',' << bottom + 14
            << ") rotate(-25)\" text-anchor=\"end\">" << escape(chart.groups[g]) << "</text>\n";
    }
    svg << "<line x1=\"" << kLeft << "\" y1=\"" << bottom << "\" x2=\"" << kLeft + kPlotWidth
        << "\" y2=\"" << bottom << "\" stroke=\"black\"/>\n";
    if (!std::isnan(chart.reference)) {
        double ry = y.map(chart.reference);

        svg << "<line x1=\"" << kLeft << "\" y1=\"" << ry << "\" x2=\"" << kLeft + kPlotWidth
            << "\" y2=\"" << ry << "\" stroke=\"black\" stroke-dasharray=\"5,4\"/>\n"
            << "<text x=\"" << kLeft + kPlotWidth - 4 << "\" y=\"" << ry - 4
            << "\" text-anchor=\"end\">" << escape(chart.reference_label) << "</text>\n";
    }
    legend(svg, names);
    svg << "</svg>\n";
    return svg.str();
}

} // namespace klab::svg
