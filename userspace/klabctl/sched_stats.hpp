// SPDX-License-Identifier: GPL-2.0
// klabctl sched: the statistics of a run, whether it ran in the kernel or
// in the simulator, and their one rendering for the Printer.
#pragma once

#include "printer.hpp"

extern "C" {
#include "ksched.h"
}

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace klab::sched {

using LatHist = std::array<uint32_t, KLAB_SCHED_LAT_BUCKETS>;

struct EntityStats {
    uint32_t id = 0;
    std::string name;
    uint32_t policy = 0;
    int32_t nice = 0;
    uint32_t prio = 0;
    uint64_t dl_runtime = 0, dl_deadline = 0, dl_period = 0;
    uint64_t cpus = 0;
    int64_t pid = -1; // kernel threads only
    uint32_t state = 0;
    int cpu = -1;
    uint32_t weight = 0;
    uint64_t runtime = 0, vruntime = 0, wait = 0;
    uint64_t nvcsw = 0, nivcsw = 0, wakeups = 0, migrations = 0;
    uint64_t lat_max = 0, lat_sum = 0;
    LatHist lat_hist{};
    uint64_t dl_misses = 0, throttled = 0;
    uint64_t dl_overrun_max = 0;       // ns, the largest budget overrun at a throttle
    int64_t first_run = -1, done = -1; // ns since the start, -1: never
    std::vector<uint64_t> cpu_runtime; // per CPU of the run, in order
    uint64_t wrong_cpu = 0;
};

struct CpuStats {
    uint32_t cpu = 0;
    uint64_t switches = 0, idle = 0, ticks = 0, rt_throttled = 0, pulls = 0, overhead = 0;
};

struct RunStats {
    uint32_t id = 0; // 0: a simulation
    std::string name;
    std::string source; // "kernel" or "simulator"
    uint32_t state = 0;
    std::string reason;
    uint64_t duration = 0, elapsed = 0, tick = 0, cpus = 0;
    int64_t rt_runtime = 0;
    uint64_t rt_period = 0, watchdog = 0, balance = 0;
    uint64_t trace_lost = 0, overhead = 0, switches = 0;
    uint32_t nr_entities = 0;
    std::vector<CpuStats> cpu_stats;
    std::vector<EntityStats> ents;
    std::vector<struct klab_sched_trace_event> trace;
    std::vector<struct klab_sched_trace_fair> trace_fair; // per event, if known
};

// The statistics of a finished simulated run
RunStats stats_from_core(const struct ksched_run *run);

const char *policy_name(uint32_t policy);
const char *run_state_name(uint32_t state);
const char *entity_state_name(uint32_t state);

// Percentile @p (0-100) of a latency histogram: the upper bound of the
// bucket it falls in, in ns; 0 for an empty histogram
uint64_t lat_percentile(const LatHist &h, double p);
uint64_t lat_count(const LatHist &h);

// The record klabctl sched show/run/simulate print
Json run_record(const RunStats &r);

} // namespace klab::sched
