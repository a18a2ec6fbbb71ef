// SPDX-License-Identifier: GPL-2.0
// slabcache's magazine layer over a real slab layer, driven by random
// alloc/free/bulk/drain/reap/purge/tune sequences on several simulated CPUs
// and checked against a shadow model after every step: no object handed out
// twice, every free object reachable exactly once (on a slab free list, in a
// CPU's magazine or in the depot), counters exact, no magazine leaked.
#include "kslab_host_slabs.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <set>
#include <vector>

namespace {

using kslab_test::HostSlabs;

constexpr int kCpus = 3;

struct FuzzParam {
    unsigned int seed;
    u32 size;
    u32 flags;
};

class KslabFuzz : public testing::TestWithParam<FuzzParam> {
  protected:
    KslabFuzz() : h_(GetParam().size, GetParam().flags), rng_(GetParam().seed) {}

    void SetUp() override
    {
        kslab_mc_init(&mc_, &HostSlabs::ops, &h_, pick({0u, 1u, 2u, 7u, 16u, 64u}),
                      pick({0u, 1u, 3u, 8u}));
        for (auto &cc : cc_)
            kslab_cc_init(&cc);
    }

    template <typename T> T pick(std::initializer_list<T> v)
    {
        return *(v.begin() + rng_() % v.size());
    }

    u32 below(u32 n) { return n ? rng_() % n : 0; }

    // Live objects carry their own address: a second owner would clobber it.
    void stamp(void *p)
    {
        uintptr_t v = reinterpret_cast<uintptr_t>(p);
        memcpy(p, &v, std::min<size_t>(sizeof(v), h_.layout().object_size));
    }

    void check_stamp(void *p)
    {
        uintptr_t v = reinterpret_cast<uintptr_t>(p), got = 0;
        size_t n = std::min<size_t>(sizeof(v), h_.layout().object_size);
        memcpy(&got, p, n);
        ASSERT_EQ(memcmp(&got, &v, n), 0) << "object changed while allocated";
    }

    void took(void *p)
    {
        ASSERT_NE(p, nullptr);
        ASSERT_TRUE(h_.slab_of(p)) << "not an object";
        ASSERT_TRUE(live_set_.insert(p).second) << "object handed out twice";
        live_.push_back(p);
        stamp(p);
    }

    void *take_live()
    {
        u32 i = below(live_.size());
        void *p = live_[i];
        live_[i] = live_.back();
        live_.pop_back();
        live_set_.erase(p);
        check_stamp(p);
        return p;
    }

    void op_alloc(struct kslab_cc *cc)
    {
        void *p = kslab_mc_alloc(&mc_, cc);
        if (!p) {
            h_.grow();
            p = kslab_mc_alloc(&mc_, cc);
        }
        took(p);
    }

    void op_alloc_bulk(struct kslab_cc *cc)
    {
        u32 n = 1 + below(300);
        std::vector<void *> p(n);
        u32 got = kslab_mc_alloc_bulk(&mc_, cc, p.data(), n);
        while (got < n) {
            h_.grow();
            got += kslab_mc_alloc_bulk(&mc_, cc, p.data() + got, n - got);
        }
        for (void *o : p)
            took(o);
    }

    void op_free(struct kslab_cc *cc)
    {
        if (!live_.empty())
            kslab_mc_free(&mc_, cc, take_live());
    }

    void op_free_bulk(struct kslab_cc *cc)
    {
        u32 n = std::min<u32>(live_.size(), 1 + below(300));
        std::vector<void *> p;
        for (u32 i = 0; i < n; i++)
            p.push_back(take_live());
        kslab_mc_free_bulk(&mc_, cc, p.data(), n);
    }

    void op_tune()
    {
        ASSERT_EQ(kslab_mc_tune(&mc_, pick({0u, 1u, 5u, 16u, KSLAB_MAG_MAX}), pick({0u, 2u, 6u})),
                  0);
        for (auto &cc : cc_)
            kslab_mc_drain_cc(&mc_, &cc);
    }

    void step()
    {
        struct kslab_cc *cc = &cc_[below(kCpus)];
        u32 r = below(1000);

        if (r < 350)
            op_alloc(cc);
        else if (r < 700)
            op_free(cc);
        else if (r < 780)
            op_alloc_bulk(cc);
        else if (r < 860)
            op_free_bulk(cc);
        else if (r < 900)
            kslab_mc_drain_cc(&mc_, cc);
        else if (r < 950)
            kslab_mc_reap(&mc_);
        else if (r < 975)
            kslab_mc_purge(&mc_);
        else if (r < 985)
            op_tune();
        else
            h_.fail_mags(!below(3));
    }

    void check_mag(struct kslab_mag *m, u32 rounds, std::set<void *> &cached,
                   const std::set<void *> &free_listed)
    {
        ASSERT_TRUE(h_.is_mag(m)) << "magazine not allocated";
        ASSERT_LE(rounds, m->size);
        for (u32 i = 0; i < rounds; i++) {
            void *p = m->objs[i];
            ASSERT_TRUE(h_.slab_of(p));
            ASSERT_FALSE(live_set_.count(p)) << "a live object is cached";
            ASSERT_FALSE(free_listed.count(p)) << "a cached object is on a free list";
            ASSERT_TRUE(cached.insert(p).second) << "an object is cached twice";
        }
    }

    void check()
    {
        std::set<void *> cached, free_listed;
        size_t mags = 0;

        h_.collect_free(free_listed);
        long allocs = 0;

        for (auto &cc : cc_) {
            ASSERT_EQ(cc.lsize == 0, cc.loaded == nullptr);
            ASSERT_EQ(cc.psize == 0, cc.prev == nullptr);
            ASSERT_LE(cc.rounds, cc.lsize);
            ASSERT_TRUE(cc.prounds == 0 || cc.prounds == cc.psize) << "previous is half full";
            if (cc.loaded) {
                ASSERT_EQ(cc.lsize, cc.loaded->size);
                check_mag(cc.loaded, cc.rounds, cached, free_listed);
                mags++;
            }
            if (cc.prev) {
                ASSERT_EQ(cc.psize, cc.prev->size);
                check_mag(cc.prev, cc.prounds, cached, free_listed);
                mags++;
            }
            allocs += cc.alloc_hit + cc.alloc_miss;
            allocs -= cc.free_hit + cc.free_miss;
        }
        const struct kslab_depot &d = mc_.depot;
        u32 n = 0;
        for (struct kslab_mag *m = d.full; m; m = m->next, n++) {
            ASSERT_EQ(m->rounds, m->size) << "a full magazine is not full";
            ASSERT_EQ(m->size, d.magsize);
            check_mag(m, m->rounds, cached, free_listed);
        }
        ASSERT_EQ(n, d.nr_full);
        ASSERT_LE(d.min_full, d.nr_full);
        mags += n;
        n = 0;
        for (struct kslab_mag *m = d.empty; m; m = m->next, n++) {
            ASSERT_TRUE(h_.is_mag(m));
            ASSERT_EQ(m->rounds, 0u) << "an empty magazine has rounds";
        }
        ASSERT_EQ(n, d.nr_empty);
        ASSERT_LE(d.min_empty, d.nr_empty);
        mags += n;

        ASSERT_EQ(mags, h_.live_mags()) << "a magazine leaked";
        ASSERT_EQ(allocs, (long)live_.size()) << "counters disagree with the shadow";
        ASSERT_EQ(free_listed.size(), h_.free_objects());
        ASSERT_EQ(live_.size() + cached.size() + free_listed.size(), h_.total_objects())
            << "a free object is unreachable";
    }

    HostSlabs h_;
    std::mt19937 rng_;
    struct kslab_mc mc_;
    struct kslab_cc cc_[kCpus];
    std::vector<void *> live_;
    std::set<void *> live_set_;
};

TEST_P(KslabFuzz, RandomSequencesKeepEveryInvariant)
{
    for (int i = 0; i < 4000; i++) {
        step();
        if (HasFatalFailure())
            return;
        check();
        if (HasFatalFailure())
            return;
    }
    // free everything: the slab layer gets every object back
    h_.fail_mags(false);
    while (!live_.empty())
        op_free(&cc_[below(kCpus)]);
    for (auto &cc : cc_)
        kslab_mc_drain_cc(&mc_, &cc);
    kslab_mc_destroy(&mc_);
    EXPECT_EQ(h_.free_objects(), h_.total_objects());
    EXPECT_EQ(h_.live_mags(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, KslabFuzz,
                         testing::Values(FuzzParam{1, 64, 0}, FuzzParam{2, 24, 0},
                                         FuzzParam{3, 700, KSLAB_L_CTOR},
                                         FuzzParam{4, 8, KSLAB_L_RED_ZONE | KSLAB_L_POISON},
                                         FuzzParam{5, 2000, 0}, FuzzParam{6, 100, 0},
                                         FuzzParam{7, 256, KSLAB_L_STORE_USER},
                                         FuzzParam{8, 3000, 0}));

} // namespace
