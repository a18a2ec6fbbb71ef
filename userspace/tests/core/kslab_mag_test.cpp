// SPDX-License-Identifier: GPL-2.0
// slabcache's magazine layer (modules/core/kslab_mag.c), case by case.
#include "kslab_host_slabs.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using kslab_test::HostSlabs;

class KslabMag : public testing::Test {
  protected:
    void init(u32 magsize, u32 limit)
    {
        kslab_mc_init(&mc_, &HostSlabs::ops, &h_, magsize, limit);
        kslab_cc_init(&cc_);
    }

    void TearDown() override
    {
        kslab_mc_drain_cc(&mc_, &cc_);
        kslab_mc_destroy(&mc_);
        EXPECT_EQ(h_.live_mags(), 0u);
    }

    // Allocate, growing the slab layer when it runs dry, as the kernel does.
    void *alloc()
    {
        void *p = kslab_mc_alloc(&mc_, &cc_);
        if (!p) {
            h_.grow();
            p = kslab_mc_alloc(&mc_, &cc_);
        }
        EXPECT_NE(p, nullptr);
        return p;
    }

    HostSlabs h_{256};
    struct kslab_mc mc_;
    struct kslab_cc cc_;
};

TEST_F(KslabMag, FirstAllocFillsHalfAMagazine)
{
    init(10, 4);
    EXPECT_EQ(kslab_mc_alloc(&mc_, &cc_), nullptr); // no slab yet
    void *p = alloc();
    EXPECT_NE(p, nullptr);
    EXPECT_EQ(cc_.lsize, 10u);
    EXPECT_EQ(cc_.rounds, 4u); // 5 taken, 1 handed out
    EXPECT_EQ(cc_.alloc_miss, 1u);
    EXPECT_EQ(cc_.alloc_hit, 0u);
    // the next four come from the magazine
    for (int i = 0; i < 4; i++)
        EXPECT_NE(alloc(), nullptr);
    EXPECT_EQ(cc_.alloc_hit, 4u);
}

TEST_F(KslabMag, PairsHitTheLoadedMagazine)
{
    init(8, 4);
    void *p = alloc();
    for (int i = 0; i < 100; i++) {
        kslab_mc_free(&mc_, &cc_, p);
        void *q = alloc();
        EXPECT_EQ(q, p); // last freed, first allocated
    }
    EXPECT_EQ(cc_.free_hit, 100u);
    EXPECT_EQ(cc_.alloc_hit, 100u);
    kslab_mc_free(&mc_, &cc_, p);
}

TEST_F(KslabMag, FreesOverflowToTheDepotUpToItsLimit)
{
    std::vector<void *> objs;

    init(4, 2);
    for (int i = 0; i < 20; i++)
        objs.push_back(alloc());
    size_t free_before = h_.free_objects();
    u32 cached = kslab_cc_cached(&cc_);
    kslab_mc_drain_cc(&mc_, &cc_);
    EXPECT_EQ(h_.free_objects(), free_before + cached);

    for (void *p : objs)
        kslab_mc_free(&mc_, &cc_, p);
    // loaded 4 + previous 4 on the CPU, 2 full magazines in the depot,
    // the other 4 rounds went back to the slab layer
    EXPECT_EQ(cc_.rounds + cc_.prounds, 8u);
    EXPECT_EQ(mc_.depot.nr_full, 2u);
    EXPECT_EQ(kslab_mc_depot_rounds(&mc_), 8u);
    EXPECT_EQ(h_.free_objects(), free_before + cached + 4);
    EXPECT_EQ(cc_.free_hit + cc_.free_miss, 20u);

    // allocating 16 drains the CPU, then the depot, with no slab trip
    unsigned long refills = h_.refills();
    for (int i = 0; i < 16; i++)
        alloc();
    EXPECT_EQ(h_.refills(), refills);
    EXPECT_EQ(mc_.depot.nr_full, 0u);
    EXPECT_EQ(mc_.depot.nr_empty, 2u);
}

TEST_F(KslabMag, ReapGivesBackWhatTheIntervalDidNotUse)
{
    std::vector<void *> objs;

    init(4, 8);
    for (int i = 0; i < 40; i++)
        objs.push_back(alloc());
    for (void *p : objs)
        kslab_mc_free(&mc_, &cc_, p);
    u32 full = mc_.depot.nr_full;
    ASSERT_GT(full, 2u);
    kslab_mc_reap(&mc_); // starts the interval
    // two full magazines go out to the CPU during the interval and come back
    std::vector<void *> again;
    for (int i = 0; i < 16; i++)
        again.push_back(alloc());
    EXPECT_EQ(mc_.depot.min_full, full - 2);
    for (void *p : again)
        kslab_mc_free(&mc_, &cc_, p);
    EXPECT_EQ(mc_.depot.nr_full, full);
    u32 freed = kslab_mc_reap(&mc_);
    EXPECT_EQ(mc_.depot.nr_full, 2u) << "the working set stays";
    EXPECT_GE(freed, full - 2);
    // nothing used since: the next reap takes everything in the depot
    kslab_mc_reap(&mc_);
    EXPECT_EQ(mc_.depot.nr_full, 0u);
    EXPECT_EQ(mc_.depot.nr_empty, 0u);
}

TEST_F(KslabMag, NoMagazinesMeansTheSlabLayerEveryTime)
{
    init(0, 4);
    void *p = alloc();
    unsigned long flushed = h_.flushed();
    kslab_mc_free(&mc_, &cc_, p);
    EXPECT_EQ(h_.flushed(), flushed + 1);
    EXPECT_EQ(h_.live_mags(), 0u);
    EXPECT_EQ(alloc(), p);
    kslab_mc_free(&mc_, &cc_, p);
}

TEST_F(KslabMag, FailedMagazineAllocationFreesToTheSlab)
{
    init(2, 4);
    void *a = alloc(), *b = alloc(), *c = alloc(), *d = alloc();
    kslab_mc_drain_cc(&mc_, &cc_);
    h_.fail_mags(true);
    for (void *p : {a, b, c, d})
        kslab_mc_free(&mc_, &cc_, p);
    EXPECT_EQ(cc_.lsize, 0u);
    EXPECT_TRUE(h_.on_free_list(a));
    EXPECT_TRUE(h_.on_free_list(d));
    h_.fail_mags(false);
}

TEST_F(KslabMag, TuneResizesThroughADrain)
{
    init(8, 4);
    std::vector<void *> objs;
    for (int i = 0; i < 30; i++)
        objs.push_back(alloc());
    for (void *p : objs)
        kslab_mc_free(&mc_, &cc_, p);
    EXPECT_EQ(kslab_mc_tune(&mc_, KSLAB_MAG_MAX + 1, 4), -EINVAL);
    EXPECT_EQ(mc_.depot.magsize, 8u);
    ASSERT_EQ(kslab_mc_tune(&mc_, 3, 1), 0);
    EXPECT_EQ(mc_.depot.nr_full, 0u);
    kslab_mc_drain_cc(&mc_, &cc_);
    objs.clear();
    for (int i = 0; i < 10; i++)
        objs.push_back(alloc());
    for (void *p : objs)
        kslab_mc_free(&mc_, &cc_, p);
    EXPECT_EQ(cc_.lsize, 3u);
    EXPECT_LE(mc_.depot.nr_full, 1u);
}

TEST_F(KslabMag, BulkMovesWholeMagazines)
{
    std::vector<void *> p(250);

    init(16, 32);
    u32 got = kslab_mc_alloc_bulk(&mc_, &cc_, p.data(), 250);
    while (got < 250) {
        h_.grow();
        got += kslab_mc_alloc_bulk(&mc_, &cc_, p.data() + got, 250 - got);
    }
    kslab_mc_free_bulk(&mc_, &cc_, p.data(), 250);
    EXPECT_EQ(kslab_cc_cached(&cc_) + kslab_mc_depot_rounds(&mc_), 250u);
    unsigned long refills = h_.refills();
    std::vector<void *> q(250);
    EXPECT_EQ(kslab_mc_alloc_bulk(&mc_, &cc_, q.data(), 250), 250u);
    EXPECT_EQ(h_.refills(), refills) << "the second round comes from magazines only";
    std::set<void *> a(p.begin(), p.end()), b(q.begin(), q.end());
    EXPECT_EQ(a, b);
    EXPECT_EQ(cc_.alloc_hit + cc_.alloc_miss, 500u);
    kslab_mc_free_bulk(&mc_, &cc_, q.data(), 250);
    EXPECT_EQ(cc_.free_hit + cc_.free_miss, 500u);
}

} // namespace
