// SPDX-License-Identifier: GPL-2.0
// The fair class: weights, vruntime arithmetic and CFS behaviour through
// the simulator.
#include "ksched_util.hpp"

#include <cmath>

namespace {

using namespace ksched_test;

TEST(KschedWeights, TableMatchesTheKernel)
{
    EXPECT_EQ(ksched_prio_to_weight[0], 88761); // nice -20
    EXPECT_EQ(ksched_prio_to_weight[19], 1277); // nice -1
    EXPECT_EQ(ksched_prio_to_weight[20], 1024); // nice 0
    EXPECT_EQ(ksched_prio_to_weight[21], 820);  // nice 1
    EXPECT_EQ(ksched_prio_to_weight[25], 335);  // nice 5
    EXPECT_EQ(ksched_prio_to_weight[36], 29);   // nice 16
    EXPECT_EQ(ksched_prio_to_weight[39], 15);   // nice 19
}

TEST(KschedWeights, InverseIsTwoToThe32OverWeight)
{
    for (int i = 0; i < 40; i++) {
        double exact = 4294967296.0 / ksched_prio_to_weight[i];
        EXPECT_NEAR(ksched_prio_to_wmult[i], exact, 1.0) << "nice " << i - 20;
    }
}

TEST(KschedWeights, EachNiceStepIsAboutTwentyFivePercent)
{
    for (int i = 1; i < 40; i++) {
        double ratio = static_cast<double>(ksched_prio_to_weight[i - 1]) / ksched_prio_to_weight[i];
        EXPECT_GT(ratio, 1.19) << "nice " << i - 20;
        EXPECT_LT(ratio, 1.29) << "nice " << i - 20;
    }
}

TEST(KschedVruntime, CalcDeltaFairScalesByNice0OverWeight)
{
    struct ksched_entity se = {};

    for (int nice : {-20, -5, 0, 1, 5, 10, 19}) {
        se.fair.weight = static_cast<u32>(ksched_prio_to_weight[nice + 20]);
        se.fair.inv_weight = ksched_prio_to_wmult[nice + 20];
        for (u64 delta : {1000ULL, 1000000ULL, 10000000ULL, 4000000000ULL}) {
            double exact = static_cast<double>(delta) * 1024 / se.fair.weight;
            u64 got = ksched_calc_delta_fair(delta, &se);
            EXPECT_NEAR(static_cast<double>(got), exact, exact * 1e-6 + 1)
                << "nice " << nice << " delta " << delta;
        }
    }
    // The notes' example: 10 ms at nice 5 is worth about 30.6 ms
    se.fair.weight = 335;
    se.fair.inv_weight = ksched_prio_to_wmult[25];
    EXPECT_NEAR(ksched_calc_delta_fair(10 * kMs, &se) / 1e6, 30.57, 0.01);
}

TEST(KschedVruntime, CalcDeltaAgainstLoadSums)
{
    // a slice of the period by weight: 6 ms * 1024 / (1024 + 335)
    EXPECT_NEAR(static_cast<double>(ksched_calc_delta(6 * kMs, 1024, 1359, 0)), 6e6 * 1024 / 1359,
                2.0);
    EXPECT_NEAR(static_cast<double>(ksched_calc_delta(6 * kMs, 15, 88761 + 15, 0)),
                6e6 * 15 / 88776, 2.0);
}

TEST(KschedPeriod, LatencyOrNrTimesMinGranularity)
{
    EXPECT_EQ(ksched_sched_period(1), 6 * kMs);
    EXPECT_EQ(ksched_sched_period(8), 6 * kMs);
    EXPECT_EQ(ksched_sched_period(9), 6750000ULL);
    EXPECT_EQ(ksched_sched_period(20), 15 * kMs);
}

struct NicePair {
    int a;
    int b;
};

class KschedFairShares : public ::testing::TestWithParam<NicePair> {};

// Two hogs on one CPU share it by weight (the notes: 1024/335 = 3.06)
TEST_P(KschedFairShares, TwoHogsShareByWeight)
{
    NicePair p = GetParam();
    Workload w(3000);

    w.hog("a", p.a);
    w.hog("b", p.b);
    SimRun run = w.simulate();
    ASSERT_EQ(run->state, static_cast<u32>(KLAB_SCHED_RUN_DONE));
    EXPECT_NEAR(share(run.get(), 0), weight_share({p.a, p.b}, 0), 0.5);
    double ratio = static_cast<double>(run->ents[0].sum_exec_runtime) /
                   static_cast<double>(run->ents[1].sum_exec_runtime);
    double want =
        static_cast<double>(ksched_prio_to_weight[p.a + 20]) / ksched_prio_to_weight[p.b + 20];
    EXPECT_NEAR(ratio, want, want * 0.03);
}

INSTANTIATE_TEST_SUITE_P(NotesPairs, KschedFairShares,
                         ::testing::Values(NicePair{0, 0}, NicePair{0, 1}, NicePair{0, 5},
                                           NicePair{-5, 5}, NicePair{0, 19}, NicePair{5, 10}));

TEST(KschedFair, OnlyRelativeNiceMatters)
{
    Workload w1(2000), w2(2000);

    w1.hog("a", 0);
    w1.hog("b", 5);
    w2.hog("a", 5);
    w2.hog("b", 10);
    SimRun r1 = w1.simulate(), r2 = w2.simulate();
    EXPECT_NEAR(share(r1.get(), 0), share(r2.get(), 0), 1.0);
}

TEST(KschedFair, ThreeHogsByWeight)
{
    Workload w(3000);

    w.hog("a", 0);
    w.hog("b", 2);
    w.hog("c", 5);
    SimRun run = w.simulate();
    for (u32 i = 0; i < 3; i++)
        EXPECT_NEAR(share(run.get(), i), weight_share({0, 2, 5}, static_cast<int>(i)), 0.5);
}

// A nice-0 entity's vruntime follows its runtime; a lighter one's runs ahead
TEST(KschedFair, VruntimeTracksRuntimeOverWeight)
{
    Workload w(1000);

    w.hog("a", 0);
    w.hog("b", 5);
    SimRun run = w.simulate();
    const struct ksched_entity *a = &run->ents[0], *b = &run->ents[1];
    // both started near min_vruntime and stayed close to each other
    double b_expected = static_cast<double>(b->sum_exec_runtime) * 1024 / 335;
    EXPECT_NEAR(static_cast<double>(a->fair.vruntime), static_cast<double>(a->sum_exec_runtime),
                7e6);
    EXPECT_NEAR(static_cast<double>(b->fair.vruntime), b_expected, 7e6);
    EXPECT_LT(std::llabs(static_cast<long long>(a->fair.vruntime - b->fair.vruntime)), 7000000);
}

// The vruntime of a blocked entity does not move while others run
TEST(KschedFair, BlockedEntityKeepsItsVruntime)
{
    SimRun runs[2];
    u64 stop_ms[2] = {500, 900};

    for (int i = 0; i < 2; i++) {
        Workload w(stop_ms[i]);

        w.add("sleeper", KLAB_SCHED_POLICY_FAIR,
              {{KLAB_SCHED_OP_RUN, 20 * kMs}, {KLAB_SCHED_OP_SLEEP, 10000 * kMs}});
        w.hog("hog");
        runs[i] = w.simulate();
    }
    const struct ksched_entity *s0 = &runs[0]->ents[0], *s1 = &runs[1]->ents[0];
    EXPECT_EQ(s0->state, static_cast<u32>(KLAB_SCHED_ENT_SLEEPING));
    EXPECT_EQ(s0->fair.vruntime, s1->fair.vruntime);
    EXPECT_EQ(s0->sum_exec_runtime, 20 * kMs);
    // ... while the hog's kept growing
    EXPECT_GT(runs[1]->ents[1].fair.vruntime, runs[0]->ents[1].fair.vruntime + 300 * kMs);
}

// A sleeper waking behind a hog preempts it: the victim's switches are
// involuntary, the sleeper's voluntary, and their sum is the total.
TEST(KschedFair, WakeupPreemptionCountsSwitches)
{
    Workload w(1000);

    w.hog("hog");
    w.add("sleeper", KLAB_SCHED_POLICY_FAIR,
          {{KLAB_SCHED_OP_RUN, 1 * kMs}, {KLAB_SCHED_OP_SLEEP, 20 * kMs}});
    SimRun run = w.simulate();
    const struct ksched_entity *hog = &run->ents[0], *sl = &run->ents[1];

    EXPECT_GT(sl->wakeups, 40u);
    EXPECT_EQ(sl->nivcsw, 0u);
    EXPECT_GE(sl->nvcsw, sl->wakeups);
    // every wakeup preempted the hog at once
    EXPECT_GE(hog->nivcsw, sl->wakeups);
    EXPECT_EQ(hog->nvcsw, 0u);
    EXPECT_EQ(sl->lat_max, 0u);
    u64 total = 0;
    for (u32 i = 0; i < run->nr_entities; i++)
        total += run->ents[i].nvcsw + run->ents[i].nivcsw;
    EXPECT_EQ(total, run->rqs[0].switches);
}

// Sleeper credit is bounded: a long sleeper does not get its sleep back
TEST(KschedFair, SleeperCreditIsHalfALatency)
{
    Workload w(2000);

    w.hog("hog");
    w.add("napper", KLAB_SCHED_POLICY_FAIR,
          {{KLAB_SCHED_OP_RUN, 50 * kMs}, {KLAB_SCHED_OP_SLEEP, 200 * kMs}});
    SimRun run = w.simulate();
    // After each 200 ms nap it is placed 3 ms of vruntime behind the hog,
    // not 200 ms: it runs ahead 3 ms, then shares the CPU half and half,
    // so a cycle is 200 + 3 + 2 * 47 ms and it gets 50/297 = 16.8%.  With
    // its whole sleep credited it would run 50 ms straight: 50/250 = 20%.
    EXPECT_NEAR(share(run.get(), 1), 16.8, 0.8);
    EXPECT_EQ(run->ents[1].lat_max, 0u);
}

TEST(KschedFair, SimulationIsDeterministic)
{
    SimRun runs[2];

    for (auto &r : runs) {
        Workload w(500, 3);

        w.hog("a", 0);
        w.hog("b", 3);
        w.add("s", KLAB_SCHED_POLICY_FAIR,
              {{KLAB_SCHED_OP_RUN, 3 * kMs}, {KLAB_SCHED_OP_SLEEP, 7 * kMs}});
        w.add("t", KLAB_SCHED_POLICY_FAIR,
              {{KLAB_SCHED_OP_RUN, 2 * kMs},
               {KLAB_SCHED_OP_WAKE, 2},
               {KLAB_SCHED_OP_SLEEP, 5 * kMs}});
        r = w.simulate();
    }
    ASSERT_EQ(runs[0]->trace_len, runs[1]->trace_len);
    ASSERT_GT(runs[0]->trace_len, 100u);
    EXPECT_EQ(memcmp(runs[0]->trace, runs[1]->trace, runs[0]->trace_len * sizeof(*runs[0]->trace)),
              0);
}

} // namespace

namespace {

TEST(KschedLatency, BucketsAreQuarterOctaves)
{
    EXPECT_EQ(ksched_lat_bucket(0), 0u);
    EXPECT_EQ(ksched_lat_bucket(999), 0u);
    EXPECT_EQ(ksched_lat_bucket(1000), 1u);
    for (unsigned int b = 1; b < KLAB_SCHED_LAT_BUCKETS; b++) {
        u64 floor = ksched_lat_bucket_floor(b);
        // from 4 us on, microseconds land in the bucket whose floor they
        // reach (below, some quarter octaves hold no whole microsecond)
        if (floor > 4000) {
            EXPECT_EQ(ksched_lat_bucket(floor), b) << floor;
            EXPECT_EQ(ksched_lat_bucket(floor - 1000), b - 1) << floor;
        }
        EXPECT_GT(floor, ksched_lat_bucket_floor(b - 1));
    }
    EXPECT_EQ(ksched_lat_bucket(3600ULL * 1000000000ULL), KLAB_SCHED_LAT_BUCKETS - 1u);
}

} // namespace
