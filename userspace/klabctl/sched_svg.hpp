// SPDX-License-Identifier: GPL-2.0
// klabctl sched: a run's timeline as an SVG Gantt chart.
#pragma once

#include "sched_stats.hpp"

#include <cstdint>
#include <string>

namespace klab::sched {

struct SvgOptions {
    uint64_t from_ns = 0;
    uint64_t to_ns = 0; // 0: the end of the run
    int width = 1000;   // of the time axis, in pixels
};

// One row per entity, a bar wherever it ran, coloured by class, with the
// CPU written in bars wide enough, and a time axis.
std::string timeline_svg(const RunStats &r, const SvgOptions &opts);

} // namespace klab::sched
