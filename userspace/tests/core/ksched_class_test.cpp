// SPDX-License-Identifier: GPL-2.0
// The rt, deadline and idle classes, SMP placement and balancing, the
// watchdog and the checking of descriptions, through the simulator.
#include "ksched_util.hpp"

#include <cstring>
#include <utility>

namespace {

using namespace ksched_test;

// (start, end) of each stretch @id ran, from the run's trace
std::vector<std::pair<u64, u64>> segments(const struct ksched_run *run, u32 id)
{
    std::vector<std::pair<u64, u64>> out;
    u64 start = 0;

    for (u32 i = 0; i < run->trace_len; i++) {
        const struct klab_sched_trace_event &ev = run->trace[i];

        if (ev.ent != id)
            continue;
        if (ev.start)
            start = ev.time_ns;
        else
            out.emplace_back(start, ev.time_ns);
    }
    return out;
}

// ---- rt ------------------------------------------------------------------

TEST(KschedRt, FifoPeersDoNotInterleave)
{
    Workload w(1000);

    w.rt_hog("first", KLAB_SCHED_POLICY_FIFO, 10, 200);
    w.rt_hog("second", KLAB_SCHED_POLICY_FIFO, 10, 200);
    SimRun run = w.simulate();
    const struct ksched_entity *a = &run->ents[0], *b = &run->ents[1];

    ASSERT_NE(a->done_at, 0u);
    EXPECT_GE(b->first_run, a->done_at);
    EXPECT_EQ(a->nivcsw, 0u);
    EXPECT_EQ(segments(run.get(), 0).size(), 1u);
    EXPECT_EQ(segments(run.get(), 1).size(), 1u);
}

TEST(KschedRt, HigherPriorityPreemptsAtOnce)
{
    Workload w(1000);

    w.rt_hog("low", KLAB_SCHED_POLICY_FIFO, 10, 200);
    auto &high = w.rt_hog("high", KLAB_SCHED_POLICY_FIFO, 20, 50);
    high.start_ns = 30 * kMs;
    w.hog("fair");
    SimRun run = w.simulate();
    const struct ksched_entity *low = &run->ents[0], *hi = &run->ents[1];

    EXPECT_EQ(hi->first_run - run->start_ns, 30 * kMs);
    EXPECT_EQ(hi->lat_max, 0u);
    EXPECT_EQ(low->nivcsw, 1u);
    // low resumes right after high and finishes before the fair hog runs
    auto segs = segments(run.get(), 0);
    ASSERT_EQ(segs.size(), 2u);
    EXPECT_EQ(segs[1].first, 80 * kMs);
    EXPECT_EQ(run->ents[2].first_run - run->start_ns, 250 * kMs);
}

TEST(KschedRt, FairNeverPreemptsRt)
{
    Workload w(500);

    w.rt_hog("rt", KLAB_SCHED_POLICY_FIFO, 1, 300);
    w.add("sleeper", KLAB_SCHED_POLICY_FAIR,
          {{KLAB_SCHED_OP_RUN, 1 * kMs}, {KLAB_SCHED_OP_SLEEP, 5 * kMs}});
    SimRun run = w.simulate();
    EXPECT_EQ(run->ents[0].nivcsw, 0u);
    EXPECT_EQ(segments(run.get(), 0).size(), 1u);
}

TEST(KschedRt, RoundRobinRotatesEvery100ms)
{
    Workload w(900);

    w.rt_hog("a", KLAB_SCHED_POLICY_RR, 10);
    w.rt_hog("b", KLAB_SCHED_POLICY_RR, 10);
    SimRun run = w.simulate();
    for (u32 id = 0; id < 2; id++) {
        auto segs = segments(run.get(), id);
        ASSERT_GE(segs.size(), 4u);
        for (size_t i = 0; i + 1 < segs.size(); i++)
            EXPECT_EQ(segs[i].second - segs[i].first, 100 * kMs) << "entity " << id;
    }
    EXPECT_NEAR(share(run.get(), 0), 50.0, 6.0);
}

TEST(KschedRt, ThrottlingLeavesFivePercent)
{
    Workload w(3000);

    w.rt_hog("fifo", KLAB_SCHED_POLICY_FIFO, 50);
    w.hog("other");
    SimRun run = w.simulate();
    EXPECT_NEAR(wall_share(run.get(), 1), 5.0, 0.2);
    EXPECT_EQ(run->ents[0].throttled, 3u);
    EXPECT_NEAR(static_cast<double>(run->rqs[0].rt.throttled_ns), 150e6, 3e6);
}

TEST(KschedRt, NoThrottlingStarvesFair)
{
    Workload w(2000);

    w.spec().rt_runtime_ns = KSCHED_RT_RUNTIME_INF;
    w.rt_hog("fifo", KLAB_SCHED_POLICY_FIFO, 50);
    w.hog("other");
    SimRun run = w.simulate();
    EXPECT_EQ(run->ents[1].sum_exec_runtime, 0u);
}

TEST(KschedRt, ThrottledCpuIdlesWithoutLowerClasses)
{
    Workload w(1000);

    w.spec().rt_runtime_ns = 800 * kMs;
    w.rt_hog("fifo", KLAB_SCHED_POLICY_FIFO, 50);
    SimRun run = w.simulate();
    EXPECT_NEAR(wall_share(run.get(), 0), 80.0, 0.2);
    EXPECT_NEAR(static_cast<double>(run->rqs[0].idle_ns), 200e6, 2e6);
}

// ---- deadline --------------------------------------------------------------

TEST(KschedDl, NoMissesUpToTheAdmissionLimit)
{
    Workload w(2000);

    // utilisation 0.25 + 0.3 + 0.4 = 0.95
    w.periodic_dl("a", 2500, 10000, 2500);
    w.periodic_dl("b", 6000, 20000, 6000);
    w.periodic_dl("c", 14000, 35000, 14000);
    w.hog("background");
    SimRun run = w.simulate();
    for (u32 i = 0; i < 3; i++) {
        EXPECT_EQ(run->ents[i].dl_misses, 0u) << run->ents[i].spec->name;
        EXPECT_GT(run->ents[i].nvcsw, 50u);
    }
    EXPECT_NEAR(wall_share(run.get(), 3), 5.0, 0.5);
}

TEST(KschedDl, EarliestDeadlineRunsFirst)
{
    Workload w(100);

    // released together: the shorter deadline goes first
    w.periodic_dl("late", 10000, 50000, 10000);
    w.periodic_dl("early", 10000, 20000, 10000);
    SimRun run = w.simulate();
    EXPECT_EQ(run->ents[1].first_run, run->start_ns);
    EXPECT_EQ(run->ents[0].first_run, run->start_ns + 10 * kMs);
}

TEST(KschedDl, AdmissionRefusesMoreThan95Percent)
{
    Workload w(1000);
    struct ksched_spec_error err;

    w.periodic_dl("a", 5000, 10000, 1000);
    w.periodic_dl("b", 4600, 10000, 1000);
    EXPECT_EQ(w.check(&err), -EBUSY);
    EXPECT_NE(strstr(err.msg, "exceeds"), nullptr) << err.msg;

    Workload ok(1000, 3);
    ok.periodic_dl("a", 5000, 10000, 1000);
    ok.periodic_dl("b", 4600, 10000, 1000);
    ok.periodic_dl("c", 9000, 10000, 1000);
    EXPECT_EQ(ok.check(&err), 0) << err.msg;
    ok.periodic_dl("d", 1000, 10000, 1000);
    EXPECT_EQ(ok.check(&err), -EBUSY);
}

// A deadline entity that wants more than its budget is throttled to
// runtime/period (the notes: 10 ms every 30 ms is about 33%)
TEST(KschedDl, CbsThrottlesAnOverrunningEntity)
{
    Workload w(3000);

    auto &dl = w.add("greedy", KLAB_SCHED_POLICY_DEADLINE, {{KLAB_SCHED_OP_RUN, 0}});
    dl.dl_runtime = 10 * kMs;
    dl.dl_period = 30 * kMs;
    w.hog("fair");
    SimRun run = w.simulate();
    EXPECT_NEAR(wall_share(run.get(), 0), 100.0 / 3, 0.5);
    EXPECT_GE(run->ents[0].throttled, 99u);
}

TEST(KschedDl, OverloadMissesDeadlines)
{
    Workload w(1000);

    // admission off (no rt limit) and 120% utilisation
    w.spec().rt_runtime_ns = KSCHED_RT_RUNTIME_INF;
    w.periodic_dl("a", 6000, 10000, 6000);
    w.periodic_dl("b", 6000, 10000, 6000);
    SimRun run = w.simulate();
    EXPECT_GT(run->ents[0].dl_misses + run->ents[1].dl_misses, 10u);
}

TEST(KschedDl, DeadlineBeatsRtBeatsFairBeatsIdle)
{
    Workload w(300);

    w.add("idle", KLAB_SCHED_POLICY_IDLE, {{KLAB_SCHED_OP_RUN, 0}});
    w.hog("fair");
    w.rt_hog("rt", KLAB_SCHED_POLICY_FIFO, 1, 50);
    auto &dl = w.add("dl", KLAB_SCHED_POLICY_DEADLINE, {{KLAB_SCHED_OP_RUN, 20 * kMs}});
    dl.dl_runtime = 25 * kMs;
    dl.dl_period = 100 * kMs;
    dl.repeat = 1;
    SimRun run = w.simulate();
    EXPECT_EQ(run->ents[3].first_run, run->start_ns);
    EXPECT_EQ(run->ents[2].first_run, run->start_ns + 20 * kMs);
    EXPECT_EQ(run->ents[1].first_run, run->start_ns + 70 * kMs);
    EXPECT_EQ(run->ents[0].sum_exec_runtime, 0u);
}

// ---- idle ------------------------------------------------------------------

TEST(KschedIdle, RunsOnlyWhenNothingElseCan)
{
    Workload w(1000);

    w.add("idle", KLAB_SCHED_POLICY_IDLE, {{KLAB_SCHED_OP_RUN, 0}});
    w.add("half", KLAB_SCHED_POLICY_FAIR,
          {{KLAB_SCHED_OP_RUN, 10 * kMs}, {KLAB_SCHED_OP_SLEEP, 10 * kMs}});
    SimRun run = w.simulate();
    EXPECT_NEAR(wall_share(run.get(), 0), 50.0, 1.5);
    EXPECT_NEAR(wall_share(run.get(), 1), 50.0, 1.5);
    // the fair entity never waited for it
    EXPECT_EQ(run->ents[1].lat_max, 0u);
}

// ---- SMP -------------------------------------------------------------------

TEST(KschedSmp, AffinityIsHonoured)
{
    Workload w(500, 3);

    w.hog("a").cpus = 1;
    w.hog("b").cpus = 2;
    w.hog("c").cpus = 2;
    SimRun run = w.simulate();
    EXPECT_EQ(run->ents[0].cpu_runtime[1], 0u);
    EXPECT_EQ(run->ents[1].cpu_runtime[0], 0u);
    EXPECT_EQ(run->ents[2].cpu_runtime[0], 0u);
    EXPECT_NEAR(wall_share(run.get(), 0), 50.0, 0.5);
    EXPECT_NEAR(wall_share(run.get(), 1), 25.0, 0.5);
}

TEST(KschedSmp, BalancingSpreadsHogsStartedOnOneCpu)
{
    Workload w(1000, 3);

    for (int i = 0; i < 4; i++)
        w.hog("h" + std::to_string(i)).start_cpu = 0;
    SimRun run = w.simulate();
    EXPECT_GT(run->rqs[1].pulls, 0u);
    EXPECT_LT(run->rqs[1].idle_ns, 10 * kMs);
    for (u32 i = 0; i < 4; i++)
        EXPECT_NEAR(wall_share(run.get(), i), 25.0, 1.5) << i;
}

TEST(KschedSmp, IdleCpuPullsWaitingRt)
{
    Workload w(200, 3);

    // both start on CPU 0: the second waits there until CPU 1 pulls it
    w.rt_hog("a", KLAB_SCHED_POLICY_FIFO, 10).start_cpu = 0;
    w.rt_hog("b", KLAB_SCHED_POLICY_FIFO, 10).start_cpu = 0;
    SimRun run = w.simulate();
    EXPECT_EQ(run->ents[1].migrations, 1u);
    EXPECT_EQ(run->ents[1].cpu_runtime[0], 0u);
    EXPECT_NEAR(wall_share(run.get(), 1), 50.0, 1.0);
}

TEST(KschedSmp, WakeupGoesToAnIdleCpu)
{
    Workload w(500, 3);

    w.hog("hog").cpus = 1;
    w.add("sleeper", KLAB_SCHED_POLICY_FAIR,
          {{KLAB_SCHED_OP_RUN, 1 * kMs}, {KLAB_SCHED_OP_SLEEP, 9 * kMs}})
        .start_cpu = 0;
    SimRun run = w.simulate();
    // after its first sleep it wakes where nothing runs and stays there
    EXPECT_EQ(run->ents[1].migrations, 1u);
    EXPECT_LE(run->ents[0].nivcsw, 1u);
    EXPECT_GT(run->ents[1].cpu_runtime[1], run->ents[1].sum_exec_runtime - 2 * kMs);
}

// ---- wake chains, the watchdog, descriptions ---------------------------------

TEST(KschedChain, EachWakesTheNext)
{
    Workload w(300);

    w.add("a", KLAB_SCHED_POLICY_FAIR,
          {{KLAB_SCHED_OP_RUN, 1 * kMs}, {KLAB_SCHED_OP_WAKE, 1}, {KLAB_SCHED_OP_SLEEP, 10 * kMs}});
    w.add("b", KLAB_SCHED_POLICY_FAIR,
          {{KLAB_SCHED_OP_WAIT, 0}, {KLAB_SCHED_OP_RUN, 1 * kMs}, {KLAB_SCHED_OP_WAKE, 2}});
    w.add("c", KLAB_SCHED_POLICY_FAIR, {{KLAB_SCHED_OP_WAIT, 0}, {KLAB_SCHED_OP_RUN, 1 * kMs}});
    SimRun run = w.simulate();
    EXPECT_EQ(run->ents[1].wakeups, run->ents[2].wakeups);
    EXPECT_GE(run->ents[1].wakeups, 25u);
    EXPECT_NEAR(static_cast<double>(run->ents[2].sum_exec_runtime),
                static_cast<double>(run->ents[0].sum_exec_runtime), 1.5e6);
}

TEST(KschedWatchdog, FiresOnAStarvedEntity)
{
    Workload w(5000);

    w.spec().rt_runtime_ns = KSCHED_RT_RUNTIME_INF;
    w.spec().watchdog_ns = 500 * kMs;
    w.rt_hog("fifo", KLAB_SCHED_POLICY_FIFO, 50);
    w.hog("starved");
    SimRun run = w.simulate();
    EXPECT_EQ(run->state, static_cast<u32>(KLAB_SCHED_RUN_ABORTED));
    EXPECT_NE(strstr(run->reason, "starved"), nullptr) << run->reason;
    EXPECT_NEAR(static_cast<double>(run->stop_ns - run->start_ns), 501e6, 2e6);
}

TEST(KschedWatchdog, QuietWhenThrottlingLetsFairRun)
{
    Workload w(3000);

    w.spec().watchdog_ns = 1000 * kMs;
    w.rt_hog("fifo", KLAB_SCHED_POLICY_FIFO, 50);
    w.hog("other");
    SimRun run = w.simulate();
    EXPECT_EQ(run->state, static_cast<u32>(KLAB_SCHED_RUN_DONE));
}

TEST(KschedSim, WakeLoopsWithoutCpuAreCutShort)
{
    Workload w(1000);

    w.add("a", KLAB_SCHED_POLICY_FAIR, {{KLAB_SCHED_OP_WAKE, 1}, {KLAB_SCHED_OP_WAIT, 0}});
    w.add("b", KLAB_SCHED_POLICY_FAIR, {{KLAB_SCHED_OP_WAIT, 0}, {KLAB_SCHED_OP_WAKE, 0}});
    SimRun run = w.simulate();
    EXPECT_EQ(run->state, static_cast<u32>(KLAB_SCHED_RUN_ABORTED));
    EXPECT_NE(strstr(run->reason, "time stands still"), nullptr) << run->reason;
}

struct BadSpec {
    const char *what;
    void (*spoil)(Workload &w);
    int attr;
};

class KschedSpec : public ::testing::TestWithParam<BadSpec> {};

TEST_P(KschedSpec, Refused)
{
    Workload w(1000);
    struct ksched_spec_error err;

    w.hog("a");
    w.add("b", KLAB_SCHED_POLICY_FAIR, {{KLAB_SCHED_OP_RUN, 1 * kMs}, {KLAB_SCHED_OP_SLEEP, kMs}});
    ASSERT_EQ(w.check(&err), 0) << err.msg;
    GetParam().spoil(w);
    EXPECT_EQ(w.check(&err), -EINVAL);
    EXPECT_EQ(err.attr, GetParam().attr) << err.msg;
    EXPECT_NE(err.msg[0], '\0');
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, KschedSpec,
    ::testing::Values(
        BadSpec{"nice", [](Workload &w) { w.hog("n", 20); }, KLAB_SCHED_A_ENT_NICE},
        BadSpec{"prio", [](Workload &w) { w.rt_hog("p", KLAB_SCHED_POLICY_RR, 100); },
                KLAB_SCHED_A_ENT_PRIO},
        BadSpec{"prio0", [](Workload &w) { w.rt_hog("p", KLAB_SCHED_POLICY_FIFO, 0); },
                KLAB_SCHED_A_ENT_PRIO},
        BadSpec{"dl order", [](Workload &w) { w.periodic_dl("d", 20000, 10000, 1000); },
                KLAB_SCHED_A_ENT_DL_PERIOD_NS},
        BadSpec{"dl tiny", [](Workload &w) { w.periodic_dl("d", 0, 10000, 1000); },
                KLAB_SCHED_A_ENT_DL_RUNTIME_NS},
        BadSpec{"wake self",
                [](Workload &w) {
                    w.add("s", KLAB_SCHED_POLICY_FAIR,
                          {{KLAB_SCHED_OP_WAKE, 2}, {KLAB_SCHED_OP_WAIT, 0}});
                },
                KLAB_SCHED_A_STEP_ARG},
        BadSpec{"no progress",
                [](Workload &w) {
                    w.add("s", KLAB_SCHED_POLICY_FAIR, {{KLAB_SCHED_OP_WAKE, 0}});
                },
                KLAB_SCHED_A_ENT_STEP},
        BadSpec{"zero sleep",
                [](Workload &w) {
                    w.add("s", KLAB_SCHED_POLICY_FAIR, {{KLAB_SCHED_OP_SLEEP, 0}});
                },
                KLAB_SCHED_A_STEP_ARG},
        BadSpec{"cpus", [](Workload &w) { w.hog("c").cpus = 2; }, KLAB_SCHED_A_ENT_CPUS},
        BadSpec{"tick", [](Workload &w) { w.spec().tick_ns = 1000; }, KLAB_SCHED_A_RUN_TICK_NS},
        BadSpec{"rt runtime", [](Workload &w) { w.spec().rt_runtime_ns = 2 * KSCHED_RT_PERIOD_NS; },
                KLAB_SCHED_A_RUN_RT_RUNTIME_NS}),
    [](const ::testing::TestParamInfo<BadSpec> &info) {
        std::string name = info.param.what;
        for (char &c : name)
            if (c == ' ')
                c = '_';
        return name;
    });

} // namespace
