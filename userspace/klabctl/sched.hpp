// SPDX-License-Identifier: GPL-2.0
// klabctl sched: what the sched*.cpp files share.
#pragma once

#include "module.hpp"
#include "sched_nl.hpp"

namespace klab::sched {

// klabctl sched experiment NAME: the notes' facts on the kernel's scheduler
void add_experiments(CLI::App &mod, Cli &cli);

// What the observer saw of one task, as a record
Json obs_task_record(const ObsTask &t, uint64_t window_ns);

} // namespace klab::sched

namespace klab {
using sched::add_experiments;
using sched::obs_task_record;
} // namespace klab
