// SPDX-License-Identifier: GPL-2.0
// klabctl sched: a run's timeline as an SVG Gantt chart.
#pragma once

#include "sched_stats.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace klab::sched {

// A stretch of time an entity ran on a CPU, from the trace
struct Stretch {
    uint32_t ent;
    uint16_t cpu;
    uint64_t from;
    uint64_t to;
    // the fair views at its start and end (end: the run's end if the
    // trace has none), when the trace carries them
    bool fair = false;
    struct klab_sched_trace_fair at_from {};
    struct klab_sched_trace_fair at_to {};
};

// Every entity's stretches, by entity, in time order; those still open at
// the end of the trace end with the run
std::vector<Stretch> stretches(const RunStats &r);

struct SvgOptions {
    uint64_t from_ns = 0;
    uint64_t to_ns = 0; // 0: the end of the run
    int width = 1000;   // of the time axis, in pixels
};

// One row per entity, a bar wherever it ran, coloured by class, with the
// CPU written in bars wide enough, and a time axis.
std::string timeline_svg(const RunStats &r, const SvgOptions &opts);

} // namespace klab::sched
