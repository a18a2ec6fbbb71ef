// SPDX-License-Identifier: GPL-2.0
// rcu_demo's grace-period sequence arithmetic and the summaries of its
// harnesses (modules/core/krcu_stats.c), built as C and as C++.
#include "krcu_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>
#include <vector>

namespace {

TEST(KrcuSeq, SnapNeedsAFullGracePeriod)
{
    // idle at 8 (two GPs done): the next GP's end
    EXPECT_EQ(12UL, krcu_seq_snap(8));
    // a GP in progress (either phase): the end of the one after it
    EXPECT_EQ(16UL, krcu_seq_snap(8 + KRCU_SEQ_FLIP));
    EXPECT_EQ(16UL, krcu_seq_snap(8 + KRCU_SEQ_DRAIN));
}

TEST(KrcuSeq, StartPhasesEnd)
{
    unsigned long s = 8;
    unsigned long snap = krcu_seq_snap(s);

    EXPECT_EQ(KRCU_SEQ_IDLE, krcu_seq_state(s));
    s += KRCU_SEQ_FLIP;
    EXPECT_EQ(KRCU_SEQ_FLIP, krcu_seq_state(s));
    EXPECT_FALSE(krcu_seq_done(s, snap));
    s += 1;
    EXPECT_EQ(KRCU_SEQ_DRAIN, krcu_seq_state(s));
    s = krcu_seq_end(s);
    EXPECT_EQ(KRCU_SEQ_IDLE, krcu_seq_state(s));
    EXPECT_TRUE(krcu_seq_done(s, snap));
    EXPECT_EQ(3UL, krcu_seq_completed(s));
}

// A caller arriving mid-GP must not be satisfied by that GP's end.
TEST(KrcuSeq, MidGracePeriodCallerWaitsForTheNextOne)
{
    unsigned long s = 4 + KRCU_SEQ_DRAIN;
    unsigned long snap = krcu_seq_snap(s);

    s = krcu_seq_end(s);
    EXPECT_FALSE(krcu_seq_done(s, snap));
    s = krcu_seq_end(s + KRCU_SEQ_FLIP);
    EXPECT_TRUE(krcu_seq_done(s, snap));
}

TEST(KrcuSeq, DoneAcrossWrapAround)
{
    unsigned long s = ULONG_MAX - 3; // idle, the last GP before the wrap
    unsigned long snap = krcu_seq_snap(s);

    EXPECT_EQ(0UL, snap);
    EXPECT_FALSE(krcu_seq_done(s, snap));
    EXPECT_TRUE(krcu_seq_done(krcu_seq_end(s + KRCU_SEQ_FLIP), snap));
}

// The torture's held reader: which drains prove a GP waits for it.
TEST(KrcuSeq, DrainWaitsForAReaderInsideSince)
{
    // idle at 8: the next GP (9, 10) drains the reader's bank
    EXPECT_TRUE(krcu_seq_drain_waits(8 + KRCU_SEQ_DRAIN, 8));
    // a GP flipping at 9: it or the next one (13, 14)
    EXPECT_TRUE(krcu_seq_drain_waits(8 + KRCU_SEQ_DRAIN, 9));
    EXPECT_TRUE(krcu_seq_drain_waits(12 + KRCU_SEQ_DRAIN, 9));
    // draining at 10: it or the next one
    EXPECT_TRUE(krcu_seq_drain_waits(10, 10));
    EXPECT_TRUE(krcu_seq_drain_waits(14, 10));
    // a drain before the reader was seen inside proves nothing
    EXPECT_FALSE(krcu_seq_drain_waits(6, 8));
    EXPECT_FALSE(krcu_seq_drain_waits(6, 9));
    // nor one two GPs later, nor a busy flip phase
    EXPECT_FALSE(krcu_seq_drain_waits(18, 10));
    EXPECT_FALSE(krcu_seq_drain_waits(16 + KRCU_SEQ_DRAIN, 9));
    EXPECT_FALSE(krcu_seq_drain_waits(9, 8));
    // never-set bank (0) against a fresh domain (0)
    EXPECT_FALSE(krcu_seq_drain_waits(0, 0));
    // across the wrap
    EXPECT_TRUE(krcu_seq_drain_waits(2UL, ULONG_MAX - 2));
    EXPECT_FALSE(krcu_seq_drain_waits(ULONG_MAX - 1, 2));
}

TEST(KrcuStats, SortMatchesStdSort)
{
    std::mt19937_64 rng(42);
    for (unsigned int n : {0u, 1u, 2u, 7u, 100u, 1000u, 5000u}) {
        std::vector<u64> v(n);
        for (u64 &x : v)
            x = rng() % 1000;
        std::vector<u64> want = v;
        std::sort(want.begin(), want.end());
        krcu_sort_u64(v.data(), n);
        EXPECT_EQ(want, v) << "n=" << n;
    }
}

TEST(KrcuStats, PercentileNearestRank)
{
    std::vector<u64> v;
    for (u64 i = 1; i <= 100; i++)
        v.push_back(i * 10);
    EXPECT_EQ(500u, krcu_percentile(v.data(), 100, 50));
    EXPECT_EQ(900u, krcu_percentile(v.data(), 100, 90));
    EXPECT_EQ(990u, krcu_percentile(v.data(), 100, 99));
    EXPECT_EQ(1000u, krcu_percentile(v.data(), 100, 100));
    EXPECT_EQ(10u, krcu_percentile(v.data(), 100, 0));
    u64 three[] = {5, 7, 9};
    EXPECT_EQ(7u, krcu_percentile(three, 3, 50));
    EXPECT_EQ(9u, krcu_percentile(three, 3, 99));
    EXPECT_EQ(0u, krcu_percentile(three, 0, 50));
}

TEST(KrcuStats, Median)
{
    u64 odd[] = {1, 2, 30};
    u64 even[] = {1, 2, 4, 30};
    EXPECT_EQ(2u, krcu_median(odd, 3));
    EXPECT_EQ(3u, krcu_median(even, 4));
    EXPECT_EQ(1u, krcu_median(odd, 1));
    EXPECT_EQ(0u, krcu_median(odd, 0));
}

TEST(KrcuStats, HistogramBuckets)
{
    EXPECT_EQ(0u, krcu_hist_bucket(0));
    EXPECT_EQ(0u, krcu_hist_bucket(1023));
    EXPECT_EQ(1u, krcu_hist_bucket(1024));
    EXPECT_EQ(1u, krcu_hist_bucket(2047));
    EXPECT_EQ(2u, krcu_hist_bucket(2048));
    EXPECT_EQ(KRCU_HIST_BUCKETS - 1, krcu_hist_bucket(~0ULL));
    for (unsigned int b = 1; b < KRCU_HIST_BUCKETS - 1; b++) {
        EXPECT_EQ(b, krcu_hist_bucket(krcu_hist_bucket_floor(b)));
        EXPECT_EQ(b - 1, krcu_hist_bucket(krcu_hist_bucket_floor(b) - 1));
    }
}

} // namespace
