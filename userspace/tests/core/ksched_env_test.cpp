// SPDX-License-Identifier: GPL-2.0
// The core driven by hand, with an environment whose entities are kept
// off the CPU for a while (as a host steals a virtual CPU): the time they
// did not run is charged to nobody, and fairness holds in the time they
// did.
#include "ksched_util.hpp"

#include <map>

namespace {

using namespace ksched_test;

struct HandEnv {
    std::map<int, u64> ran; // per entity: CPU time actually had
};

HandEnv *hand(struct ksched_run *run)
{
    return static_cast<HandEnv *>(run->env_priv);
}

void hand_start(struct ksched_run *, struct ksched_rq *, struct ksched_entity *) {}

u64 hand_ran(struct ksched_run *run, struct ksched_entity *se)
{
    return hand(run)->ran[se->id];
}

void hand_timer_arm(struct ksched_run *, struct ksched_entity *, int, u64) {}

void hand_timer_cancel(struct ksched_run *, struct ksched_entity *, int) {}

void hand_end(struct ksched_run *) {}

const struct ksched_env kHandEnv = {
    .start = hand_start,
    .ran = hand_ran,
    .timer_arm = hand_timer_arm,
    .timer_cancel = hand_timer_cancel,
    .end = hand_end,
};

// Two nice-0 hogs on one CPU for a second, ticking every 100 us of wall
// time; from 300 to 450 ms whoever is curr does not run at all.
TEST(KschedEnv, StolenTimeIsChargedToNobody)
{
    Workload w(1000);
    HandEnv env;

    w.hog("a");
    w.hog("b");
    struct ksched_spec_error err;
    ASSERT_EQ(w.check(&err), 0);
    SimRun run(ksched_run_create(&w.spec(), &kHandEnv, &env));
    ASSERT_TRUE(run);
    struct ksched_rq *rq = &run->rqs[0];
    const u64 start = KSCHED_NSEC_PER_SEC, step = 100 * KSCHED_NSEC_PER_USEC;
    struct ksched_entity *victim = nullptr;
    u64 before = 0;

    ksched_run_start(run.get(), start);
    for (u64 t = start + step; ksched_run_active(run.get()); t += step) {
        bool stolen = t > start + 300 * kMs && t <= start + 450 * kMs;

        if (stolen && !victim) {
            victim = rq->curr;
            before = victim->sum_exec_runtime;
        }
        if (!stolen && rq->curr)
            env.ran[rq->curr->id] += step;
        ksched_tick(rq, t);
        while (ksched_run_active(run.get()) && rq->curr && rq->resched)
            ksched_yield(rq, t);
        if (stolen) {
            // nothing ran: no slice ends, and nobody is charged
            EXPECT_EQ(rq->curr, victim);
            EXPECT_EQ(victim->sum_exec_runtime, before);
        }
    }
    ASSERT_NE(victim, nullptr);
    u64 charged = run->ents[0].sum_exec_runtime + run->ents[1].sum_exec_runtime;
    EXPECT_EQ(charged, env.ran[0] + env.ran[1]);
    EXPECT_NEAR(static_cast<double>(charged), 850e6, 1e6);
    EXPECT_NEAR(share(run.get(), 0), 50.0, 1.0);
}

} // namespace

namespace {

// A FIFO hog and a fair hog on a CPU that the host takes away every
// other millisecond: RT throttling still leaves the fair one 5% of the
// CPU time there was, since rt periods run on the run queue's own time.
TEST(KschedEnv, ThrottlingHoldsUnderSteal)
{
    Workload w(4000);
    HandEnv env;

    w.rt_hog("fifo", KLAB_SCHED_POLICY_FIFO, 50);
    w.hog("other");
    struct ksched_spec_error err;
    ASSERT_EQ(w.check(&err), 0);
    SimRun run(ksched_run_create(&w.spec(), &kHandEnv, &env));
    ASSERT_TRUE(run);
    struct ksched_rq *rq = &run->rqs[0];
    const u64 start = KSCHED_NSEC_PER_SEC, step = 100 * KSCHED_NSEC_PER_USEC;

    ksched_run_start(run.get(), start);
    for (u64 t = start + step; ksched_run_active(run.get()); t += step) {
        bool stolen = ((t - start) / kMs) % 2;

        if (!stolen && rq->curr)
            env.ran[rq->curr->id] += step;
        ksched_tick(rq, t);
        while (ksched_run_active(run.get()) && rq->curr && rq->resched)
            ksched_yield(rq, t);
    }
    // four seconds of wall time, two of CPU: two whole rt periods
    EXPECT_NEAR(share(run.get(), 1), 5.0, 0.3);
    EXPECT_GE(run->ents[0].throttled, 1u);
}

} // namespace
