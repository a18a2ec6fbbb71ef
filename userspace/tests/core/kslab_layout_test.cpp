// SPDX-License-Identifier: GPL-2.0
// slabcache's slab geometry and per-slab free list (modules/core/kslab_layout.c).
#include "kslab_layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <vector>

namespace {

constexpr u32 kPage = 4096;
constexpr u32 kLine = 64;
constexpr u32 kTrack = 24;

struct kslab_layout layout(u32 size, u32 align = 0, u32 flags = 0, u32 max_order = 3)
{
    struct kslab_layout_req req = {size, align, flags, kPage, kLine, max_order, kTrack};
    struct kslab_layout l;

    EXPECT_EQ(kslab_layout_compute(&req, &l), 0) << size;
    return l;
}

u32 align_up(u32 x, u32 a)
{
    return (x + a - 1) / a * a;
}

// The documented rule, written out independently of the implementation.
u32 rule_order(u32 stride, u32 max_order)
{
    u32 min_order = 0;
    while ((kPage << min_order) < stride)
        min_order++;
    max_order = std::max(max_order, min_order);
    u32 best = min_order;
    double best_frac = 2.0;
    for (u32 o = min_order; o <= max_order; o++) {
        u32 bytes = kPage << o;
        u32 slack = bytes - bytes / stride * stride;
        if (slack * 32u <= bytes)
            return o;
        double frac = double(slack) / bytes;
        if (frac < best_frac) {
            best_frac = frac;
            best = o;
        }
    }
    return best;
}

TEST(KslabLayout, PlainCachesFollowTheRule)
{
    std::vector<u32> sizes = {8,   16,  24,   32,   40,   64,   96,   100,  128,  192,  256, 300,
                              512, 700, 1000, 1024, 1100, 2000, 2048, 3000, 4096, 5000, 8192};
    for (u32 size = 1; size < 600; size += 37)
        sizes.push_back(size);
    for (u32 size : sizes) {
        for (u32 align : {0u, 8u, 16u, 64u, 256u, 1024u}) {
            struct kslab_layout l = layout(size, align);
            u32 a = std::max(align, 8u);
            u32 stride = align_up(align_up(size, 8), a);

            SCOPED_TRACE(testing::Message() << "size " << size << " align " << align);
            EXPECT_EQ(l.stride, stride);
            EXPECT_EQ(l.align, a);
            EXPECT_EQ(l.red_left, 0u);
            EXPECT_EQ(l.order, rule_order(stride, 3));
            EXPECT_EQ(l.slab_bytes, kPage << l.order);
            // the notes: objperslab = floor(pagesperslab * 4096 / objsize)
            EXPECT_EQ(l.objects, l.slab_bytes / l.stride);
            EXPECT_EQ(l.slack, l.slab_bytes - l.objects * l.stride);
            EXPECT_EQ(l.colour_step, std::max(kLine, a));
            EXPECT_EQ(l.colours, l.slack / l.colour_step + 1);
            // the link sits in the middle of the object, word aligned
            EXPECT_EQ(l.link, size / 2 / 8 * 8);
            EXPECT_LT(l.link + 8, l.stride + 1);
        }
    }
}

TEST(KslabLayout, ExamplesByHand)
{
    // 700 B: 14% slack at order 0, 5.5% at 1, 1.2% at 2 -> order 2, 23 objects
    struct kslab_layout l = layout(700);
    EXPECT_EQ(l.stride, 704u);
    EXPECT_EQ(l.order, 2u);
    EXPECT_EQ(l.objects, 23u);
    EXPECT_EQ(l.slack, 16384u - 23 * 704);
    EXPECT_EQ(l.colours, 4u); // 192 bytes of slack: offsets 0, 64, 128, 192

    // 2000 B: 2.3% slack at every order; order 0 is within 1/32
    l = layout(2000);
    EXPECT_EQ(l.order, 0u);
    EXPECT_EQ(l.objects, 2u);

    // 1100 B: 19%, 5.7%, 5.7%, 2.3% -> order 3
    l = layout(1100);
    EXPECT_EQ(l.stride, 1104u);
    EXPECT_EQ(l.order, 3u);
    EXPECT_EQ(l.objects, 29u);

    // 3000 B never gets within 1/32 up to order 3: the least waste wins
    l = layout(3000);
    EXPECT_EQ(l.order, rule_order(3000, 3));
    EXPECT_GT(l.slack * 32, l.slab_bytes);

    // 24 B: 170 objects and 16 bytes of slack on one page (one colour)
    l = layout(24);
    EXPECT_EQ(l.order, 0u);
    EXPECT_EQ(l.objects, 170u);
    EXPECT_EQ(l.colours, 1u);

    // an object larger than the largest order looked at still gets a slab
    l = layout(40000);
    EXPECT_EQ(l.order, 4u);
    EXPECT_EQ(l.objects, 1u);
}

// SLUB's calculate_order() for a 2-CPU machine (min_objects 12), as in 6.1.
u32 slub_order(u32 size)
{
    u32 min_objects = 12;
    u32 max_objects = (kPage << 3) / size;
    min_objects = std::min(min_objects, max_objects);
    while (min_objects > 1) {
        for (u32 fract = 16; fract >= 4; fract /= 2) {
            u32 order = 0;
            while ((kPage << order) < min_objects * size)
                order++;
            for (; order <= 3; order++) {
                u32 bytes = kPage << order;
                if (bytes % size <= bytes / fract)
                    return order;
            }
        }
        min_objects--;
    }
    u32 order = 0;
    while ((kPage << order) < size)
        order++;
    return order;
}

// Pages for n objects packed into full slabs
u64 pages_for(u64 n, u32 objects, u32 order)
{
    return (n + objects - 1) / objects << order;
}

TEST(KslabLayout, NoMorePagesThanSlubForTheBenchmarkSizes)
{
    for (u32 size : {24u, 100u, 256u, 700u, 2000u}) {
        struct kslab_layout l = layout(size);
        u32 slub_size = align_up(size, 8);
        u32 so = slub_order(slub_size);
        u32 sobjs = (kPage << so) / slub_size;

        EXPECT_LE(pages_for(100000, l.objects, l.order), pages_for(100000, sobjs, so))
            << size << ": ours order " << l.order << " x" << l.objects << ", SLUB order " << so
            << " x" << sobjs;
    }
}

TEST(KslabLayout, ConstructedAndPoisonedObjectsKeepTheLinkOutside)
{
    for (u32 flags : {KSLAB_L_CTOR, KSLAB_L_POISON}) {
        for (u32 size : {8u, 24u, 100u, 256u}) {
            struct kslab_layout l = layout(size, 0, flags);

            EXPECT_TRUE(kslab_link_outside(&l));
            EXPECT_GE(l.link, size);
            // link word, plus the state word of debug (poisoned) caches
            u32 extra = flags == KSLAB_L_POISON ? 16 : 8;
            EXPECT_EQ(l.stride, align_up(size, 8) + extra);
        }
    }
    // red zoning an object smaller than a word moves the link out too
    struct kslab_layout l = layout(4, 0, KSLAB_L_RED_ZONE);
    EXPECT_TRUE(kslab_link_outside(&l));
}

TEST(KslabLayout, DebugPartsDoNotOverlap)
{
    for (u32 size : {1u, 8u, 13u, 64u, 100u, 4000u}) {
        for (u32 align : {0u, 64u}) {
            struct kslab_layout l =
                layout(size, align, KSLAB_L_RED_ZONE | KSLAB_L_POISON | KSLAB_L_STORE_USER);
            SCOPED_TRACE(testing::Message() << "size " << size << " align " << align);

            EXPECT_GT(l.inuse, size); // a right red zone of at least one byte
            EXPECT_GE(l.red_left, 8u);
            EXPECT_EQ(l.red_left % l.align, 0u);
            EXPECT_GE(l.link, l.inuse);
            EXPECT_GE(l.track, l.link + 8);
            EXPECT_GE(l.state, l.track + 2 * 24);
            EXPECT_LE(l.red_left + l.state + 8, l.stride);
            EXPECT_EQ(l.stride % l.align, 0u);
        }
    }
}

TEST(KslabLayout, RejectsBadRequests)
{
    struct kslab_layout l;
    struct kslab_layout_req req = {0, 0, 0, kPage, kLine, 3, kTrack};

    EXPECT_EQ(kslab_layout_compute(&req, &l), -EINVAL); // size 0
    req.size = 64;
    req.align = 24;
    EXPECT_EQ(kslab_layout_compute(&req, &l), -EINVAL); // not a power of two
    req.align = 8192;
    EXPECT_EQ(kslab_layout_compute(&req, &l), -EINVAL); // beyond a page
    req.align = 0;
    req.size = (kPage << KSLAB_MAX_ORDER) + 1;
    EXPECT_EQ(kslab_layout_compute(&req, &l), -EINVAL);
    req.size = kPage << KSLAB_MAX_ORDER;
    EXPECT_EQ(kslab_layout_compute(&req, &l), 0);
    EXPECT_EQ(l.order, KSLAB_MAX_ORDER);
}

TEST(KslabLayout, HwcacheAlignSharesLinesBetweenSmallObjects)
{
    EXPECT_EQ(layout(20, 0, KSLAB_L_HWCACHE_ALIGN).stride, 32u);
    EXPECT_EQ(layout(40, 0, KSLAB_L_HWCACHE_ALIGN).stride, 64u);
    EXPECT_EQ(layout(100, 0, KSLAB_L_HWCACHE_ALIGN).stride, 128u);
}

TEST(KslabColour, OffsetsCycleThroughTheSlack)
{
    struct kslab_layout l = layout(700); // 192 bytes of slack
    std::vector<u32> seen;
    u32 c = 0;

    for (int i = 0; i < 9; i++) {
        seen.push_back(kslab_colour_offset(&l, c));
        c = kslab_colour_next(&l, c);
    }
    EXPECT_EQ(seen, (std::vector<u32>{0, 64, 128, 192, 0, 64, 128, 192, 0}));
    for (u32 i = 0; i < l.colours; i++)
        EXPECT_LE(kslab_colour_offset(&l, i) + l.objects * l.stride, l.slab_bytes);
}

class KslabFreeList : public testing::Test {
  protected:
    void SetUp() override
    {
        l_ = layout(100);
        mem_ = static_cast<char *>(aligned_alloc(kPage, l_.slab_bytes));
        ASSERT_NE(mem_, nullptr);
    }
    void TearDown() override { free(mem_); }

    struct kslab_layout l_;
    char *mem_ = nullptr;
    uintptr_t secret_ = 0x5eed5eed12345678u;
};

TEST_F(KslabFreeList, HandsOutEveryObjectOnceInAddressOrder)
{
    struct kslab_slab_state st;
    std::vector<void *> objs(l_.objects + 5);
    u32 lost;

    kslab_slab_init(&l_, mem_, 0, secret_, &st);
    u32 got = kslab_slab_take(&l_, mem_, secret_, &st, objs.data(), objs.size(), &lost);
    EXPECT_EQ(got, l_.objects);
    EXPECT_EQ(lost, 0u);
    EXPECT_EQ(st.inuse, l_.objects);
    EXPECT_EQ(st.free, nullptr);
    for (u32 i = 0; i < got; i++) {
        u32 idx;
        EXPECT_EQ(objs[i], kslab_slab_obj(&l_, mem_, 0, i));
        EXPECT_EQ(kslab_slab_index(&l_, mem_, 0, objs[i], &idx), 0);
        EXPECT_EQ(idx, i);
    }
}

TEST_F(KslabFreeList, PushAndTakeKeepCountsAndCheckPasses)
{
    struct kslab_slab_state st;
    std::vector<void *> objs(l_.objects);
    u32 lost, nr_free;

    kslab_slab_init(&l_, mem_, 0, secret_, &st);
    ASSERT_EQ(kslab_slab_take(&l_, mem_, secret_, &st, objs.data(), 10, &lost), 10u);
    EXPECT_EQ(kslab_slab_check(&l_, mem_, secret_, &st, &nr_free), 0);
    EXPECT_EQ(nr_free, l_.objects - 10);
    kslab_slab_push(&l_, secret_, &st, objs[3]);
    kslab_slab_push(&l_, secret_, &st, objs[7]);
    EXPECT_EQ(st.inuse, 8u);
    EXPECT_TRUE(kslab_slab_on_free_list(&l_, mem_, secret_, &st, objs[3]));
    EXPECT_FALSE(kslab_slab_on_free_list(&l_, mem_, secret_, &st, objs[4]));
    EXPECT_EQ(kslab_slab_check(&l_, mem_, secret_, &st, &nr_free), 0);
    // last in, first out
    void *p;
    ASSERT_EQ(kslab_slab_take(&l_, mem_, secret_, &st, &p, 1, &lost), 1u);
    EXPECT_EQ(p, objs[7]);
}

TEST_F(KslabFreeList, ColouredSlabsShiftEveryObject)
{
    struct kslab_layout l = layout(700);
    char *mem = static_cast<char *>(aligned_alloc(kPage, l.slab_bytes));
    struct kslab_slab_state st;
    void *first;
    u32 lost, idx;

    kslab_slab_init(&l, mem, 2, secret_, &st);
    ASSERT_EQ(kslab_slab_take(&l, mem, secret_, &st, &first, 1, &lost), 1u);
    EXPECT_EQ(static_cast<char *>(first) - mem, 128);
    // the uncoloured first object's address is not an object of this slab
    EXPECT_EQ(kslab_slab_index(&l, mem, 2, mem, &idx), -ERANGE);
    EXPECT_EQ(kslab_slab_index(&l, mem, 2, mem + 128 + 5, &idx), -EINVAL);
    EXPECT_EQ(kslab_slab_index(&l, mem, 2, mem + 128 + 704, &idx), 0);
    EXPECT_EQ(idx, 1u);
    EXPECT_EQ(kslab_slab_index(&l, mem, 2, mem + 128 + 23 * 704, &idx), -ERANGE);
    free(mem);
}

TEST_F(KslabFreeList, AWriteIntoAFreeObjectLosesTheRestOfTheList)
{
    struct kslab_slab_state st;
    std::vector<void *> objs(l_.objects);
    u32 lost, nr_free;

    kslab_slab_init(&l_, mem_, 0, secret_, &st);
    ASSERT_EQ(kslab_slab_take(&l_, mem_, secret_, &st, objs.data(), 4, &lost), 4u);
    // write after free into the 6th object (index 5): its link is garbage
    memset(static_cast<char *>(kslab_slab_obj(&l_, mem_, 0, 5)) + l_.link, 0x41, 8);
    EXPECT_EQ(kslab_slab_check(&l_, mem_, secret_, &st, &nr_free), -EFAULT);
    u32 got = kslab_slab_take(&l_, mem_, secret_, &st, objs.data(), l_.objects, &lost);
    EXPECT_EQ(got, 1u); // object 4 is fine; object 5's link is not
    EXPECT_EQ(lost, l_.objects - 5);
    EXPECT_EQ(st.inuse, l_.objects);
    EXPECT_EQ(st.free, nullptr);
}

TEST_F(KslabFreeList, CheckFindsCyclesAndMiscounts)
{
    struct kslab_slab_state st;
    void *a, *b;
    u32 lost, nr_free;

    kslab_slab_init(&l_, mem_, 0, secret_, &st);
    ASSERT_EQ(kslab_slab_take(&l_, mem_, secret_, &st, &a, 1, &lost), 1u);
    ASSERT_EQ(kslab_slab_take(&l_, mem_, secret_, &st, &b, 1, &lost), 1u);
    kslab_slab_push(&l_, secret_, &st, a);
    struct kslab_slab_state bad = st;
    bad.inuse = 0;
    EXPECT_EQ(kslab_slab_check(&l_, mem_, secret_, &bad, &nr_free), -EBADMSG);
    // a double free without a check makes a cycle: a -> a
    kslab_slab_push(&l_, secret_, &st, a);
    EXPECT_EQ(kslab_slab_check(&l_, mem_, secret_, &st, &nr_free), -ELOOP);
}

TEST_F(KslabFreeList, LinksAreNotStoredInTheClear)
{
    struct kslab_slab_state st;

    kslab_slab_init(&l_, mem_, 0, secret_, &st);
    void *second = kslab_slab_obj(&l_, mem_, 0, 1);
    void *stored;
    memcpy(&stored, static_cast<char *>(kslab_slab_obj(&l_, mem_, 0, 0)) + l_.link, sizeof(stored));
    EXPECT_NE(stored, second);
}

} // namespace
