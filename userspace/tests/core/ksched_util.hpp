// SPDX-License-Identifier: GPL-2.0
// Building run descriptions and simulating them, for the scheduler core's
// tests.
#pragma once

#include "ksched_sim.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

namespace ksched_test {

constexpr u64 kMs = KSCHED_NSEC_PER_MSEC;

struct RunDeleter {
    void operator()(struct ksched_run *run) const { ksched_run_destroy(run); }
};
using SimRun = std::unique_ptr<struct ksched_run, RunDeleter>;

class Workload {
  public:
    explicit Workload(u64 duration_ms, u64 cpus = 1)
    {
        ksched_run_spec_defaults(&spec_);
        spec_.duration_ns = duration_ms * kMs;
        spec_.cpus = cpus;
    }

    struct ksched_run_spec &spec() { return spec_; }

    // An entity with the given program of (op, arg) steps
    struct ksched_entity_spec &add(const std::string &name, u32 policy,
                                   std::initializer_list<struct ksched_step> steps)
    {
        struct ksched_entity_spec es;

        ksched_entity_spec_defaults(&es);
        snprintf(es.name, sizeof(es.name), "%s", name.c_str());
        es.policy = policy;
        for (const auto &st : steps)
            es.steps[es.nr_steps++] = st;
        ents_.push_back(es);
        return ents_.back();
    }

    // A CPU hog of the fair class
    struct ksched_entity_spec &hog(const std::string &name, int nice = 0)
    {
        struct ksched_entity_spec &es = add(name, KLAB_SCHED_POLICY_FAIR, {{KLAB_SCHED_OP_RUN, 0}});
        es.nice = nice;
        return es;
    }

    struct ksched_entity_spec &rt_hog(const std::string &name, u32 policy, u32 prio, u64 run_ms = 0)
    {
        struct ksched_entity_spec &es = add(name, policy, {{KLAB_SCHED_OP_RUN, run_ms * kMs}});
        es.prio = prio;
        es.repeat = run_ms ? 1 : 0;
        return es;
    }

    // A deadline entity running @work_ms of every @period_ms
    struct ksched_entity_spec &periodic_dl(const std::string &name, u64 runtime_us, u64 period_us,
                                           u64 work_us)
    {
        struct ksched_entity_spec &es = add(
            name, KLAB_SCHED_POLICY_DEADLINE,
            {{KLAB_SCHED_OP_RUN, work_us * 1000}, {KLAB_SCHED_OP_SLEEP_PERIOD, period_us * 1000}});
        es.dl_runtime = runtime_us * 1000;
        es.dl_period = period_us * 1000;
        return es;
    }

    int check(struct ksched_spec_error *err)
    {
        sync();
        return ksched_spec_check(&spec_, err);
    }

    SimRun simulate()
    {
        struct ksched_spec_error err;
        struct ksched_run *run = nullptr;

        sync();
        int ret = ksched_simulate(&spec_, &run, &err);
        EXPECT_EQ(ret, 0) << err.msg;
        return SimRun(run);
    }

  private:
    // The description points at a copy: references to entities returned
    // by add() stay valid as more are added.
    void sync()
    {
        flat_.assign(ents_.begin(), ents_.end());
        spec_.entities = flat_.data();
        spec_.nr_entities = static_cast<u32>(flat_.size());
    }

    struct ksched_run_spec spec_;
    std::deque<struct ksched_entity_spec> ents_;
    std::vector<struct ksched_entity_spec> flat_;
};

inline double share(const struct ksched_run *run, u32 id)
{
    u64 total = 0;

    for (u32 i = 0; i < run->nr_entities; i++)
        total += run->ents[i].sum_exec_runtime;
    return total ? 100.0 * static_cast<double>(run->ents[id].sum_exec_runtime) / total : 0;
}

// Share of the run's wall time on all its CPUs
inline double wall_share(const struct ksched_run *run, u32 id)
{
    double wall = static_cast<double>(run->stop_ns - run->start_ns) * run->nr_rqs;

    return 100.0 * static_cast<double>(run->ents[id].sum_exec_runtime) / wall;
}

inline double weight_share(std::initializer_list<int> nices, int which)
{
    double total = 0, mine = 0;
    int i = 0;

    for (int n : nices) {
        double w = ksched_prio_to_weight[n + 20];
        total += w;
        if (i++ == which)
            mine = w;
    }
    return 100.0 * mine / total;
}

} // namespace ksched_test
