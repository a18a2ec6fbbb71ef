// SPDX-License-Identifier: GPL-2.0
// klabctl's SVG pictures: escaping, round axis steps, and the two charts the
// benchmark report draws (lines over linear or logarithmic axes, and grouped
// bars).  Standalone SVG 1.1 with no script and no external reference, so a
// browser shows it with nothing else installed.
#pragma once

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace klab::svg {

// @s with the XML special characters escaped
std::string escape(const std::string &s);

// A round step (1, 2 or 5 times a power of ten) giving about @n ticks over
// @span
double tick_step(double span, int n);

// @v as a short label: 950, 1.2k, 35M, 0.25
std::string short_number(double v);

struct Axis {
    std::string label;
    bool log = false;
};

// A named line: its points in any order (sorted by x when drawn)
struct Series {
    std::string name;
    std::vector<std::pair<double, double>> points;
};

struct LineChart {
    std::string title;
    Axis x;
    Axis y;
    std::vector<Series> series;
};

// One bar per group for each named row of values; NaN where a row has no
// value for a group
struct Bars {
    std::string name;
    std::vector<double> values;
};

struct BarChart {
    std::string title;
    Axis y;
    std::vector<std::string> groups;
    std::vector<Bars> bars;
    // a dashed horizontal line at this value, labelled (e.g. "= veth"); NaN
    // for none
    double reference = NAN;
    std::string reference_label;
};

std::string line_chart(const LineChart &chart);
std::string bar_chart(const BarChart &chart);

} // namespace klab::svg
