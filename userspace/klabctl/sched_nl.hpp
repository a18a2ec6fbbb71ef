// SPDX-License-Identifier: GPL-2.0
// klabctl sched: requests to the klab_sched family.
#pragma once

#include "module.hpp"
#include "sched_stats.hpp"
#include "sched_workload.hpp"

#include <cstdint>
#include <vector>

namespace klab::sched {

extern const Module kSchedModule;

// Start a run of @w in the kernel; returns its id
uint32_t run_new(const Workload &w);
// A run's statistics (id 0: the newest), with its entities and, if
// @trace, its switch trace
RunStats run_get(uint32_t id, bool entities, bool trace);
// Every run's summary, newest first
std::vector<RunStats> run_list();
void run_stop(uint32_t id);
void run_del(uint32_t id);

// A kernel thread an observation starts
struct ObsThread {
    uint32_t policy = 0; // SCHED_NORMAL, SCHED_FIFO, SCHED_RR, SCHED_DEADLINE
    int32_t nice = 0;
    uint32_t prio = 0;
    uint64_t dl_runtime = 0, dl_deadline = 0, dl_period = 0;
    int cpu = -1;
    uint64_t run_ns = 0, start_ns = 0, period_ns = 0;
    bool idle = false;
    bool bind = false; // kthread_bind() to cpu: userspace cannot move it
};

// What the observer saw of a task
struct ObsTask {
    uint32_t pid = 0;
    int32_t error = 0;
    uint32_t static_prio = 0, normal_prio = 0, prio = 0, rt_priority = 0;
    std::string comm, parent_comm; // its name and its real parent's, from the kernel
    uint32_t ppid = 0;
    bool has_mm = false;
    uint64_t runtime = 0, exec = 0, nvcsw = 0, nivcsw = 0, wakeups = 0, lat_max = 0, lat_sum = 0;
    uint64_t exec_even = 0; // charged between the even points (ObsResult::even)
    LatHist lat_hist{};
    int64_t first_run = -1, first_block = -1;
    uint32_t first_run_preempted = 0; // the task it preempted at its first run
    std::vector<uint64_t> segments;
    std::vector<uint64_t> seg_stalled; // in each segment, the vCPU stalls beyond a tick
    std::vector<uint64_t> seg_start;   // when each began, since the window's start
};

struct ObsResult {
    uint32_t id = 0;
    uint64_t elapsed = 0;
    // fair threads pinned to one CPU: the two switches, one per half of
    // the window, where their vruntimes were closest; even_lag the larger
    // vruntime spread there
    bool even = false;
    uint64_t even_ns = 0, even_lag = 0;
    std::vector<ObsTask> tasks;
};

// The threads start @warmup_ns before the window
ObsResult obs_new(const std::vector<ObsThread> &threads, const std::vector<uint32_t> &pids,
                  uint64_t window_ns, uint64_t warmup_ns = 0);
ObsResult obs_get(uint32_t id);
void obs_del(uint32_t id);

// The kernel's own thread switch: ns for @rounds round trips on @cpu
uint64_t pingpong(uint32_t cpu, uint32_t rounds);

} // namespace klab::sched
