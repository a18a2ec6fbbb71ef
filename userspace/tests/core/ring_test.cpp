// SPDX-License-Identifier: GPL-2.0
#include "klab_ring.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

constexpr u32 kNearWrap = UINT32_MAX - 2;

struct klab_ring make_ring(u32 size, u32 start)
{
    struct klab_ring ring;

    EXPECT_EQ(klab_ring_init(&ring, size), 0);
    ring.head = start;
    ring.tail = start;
    ring.resv = start;
    return ring;
}

TEST(RingInit, AcceptsPowersOfTwo)
{
    for (int shift = 0; shift < 32; shift++) {
        struct klab_ring ring;
        u32 size = 1u << shift;

        ASSERT_EQ(klab_ring_init(&ring, size), 0) << size;
        EXPECT_EQ(ring.size, size);
        EXPECT_TRUE(klab_ring_empty(&ring));
        EXPECT_EQ(klab_ring_space(&ring), size);
    }
}

TEST(RingInit, RejectsOthersAndLeavesRingAlone)
{
    for (u32 size : {0u, 3u, 6u, 12u, 1000u, 0x80000001u, 0xffffffffu}) {
        struct klab_ring ring = {7, 5, 4, 6};

        EXPECT_EQ(klab_ring_init(&ring, size), -EINVAL) << size;
        EXPECT_EQ(ring.size, 7u);
        EXPECT_EQ(ring.head, 5u);
        EXPECT_EQ(ring.tail, 4u);
    }
}

TEST(Ring, FillAndDrain)
{
    struct klab_ring ring = make_ring(4, 0);

    klab_ring_produce(&ring, 3);
    EXPECT_EQ(klab_ring_used(&ring), 3u);
    EXPECT_EQ(klab_ring_space(&ring), 1u);
    EXPECT_FALSE(klab_ring_empty(&ring));
    EXPECT_FALSE(klab_ring_full(&ring));

    klab_ring_produce(&ring, 1);
    EXPECT_TRUE(klab_ring_full(&ring));
    EXPECT_EQ(klab_ring_space(&ring), 0u);
    EXPECT_EQ(klab_ring_prod_contig(&ring), 0u);

    klab_ring_consume(&ring, 4);
    EXPECT_TRUE(klab_ring_empty(&ring));
    EXPECT_EQ(klab_ring_cons_contig(&ring), 0u);
    EXPECT_EQ(ring.head, 4u);
    EXPECT_EQ(ring.tail, 4u);
}

TEST(Ring, IndicesWrapPastU32Max)
{
    struct klab_ring ring = make_ring(8, kNearWrap);

    klab_ring_produce(&ring, 5);
    EXPECT_EQ(ring.head, 2u); // wrapped
    EXPECT_EQ(klab_ring_used(&ring), 5u);
    EXPECT_EQ(klab_ring_space(&ring), 3u);

    klab_ring_produce(&ring, 3);
    EXPECT_TRUE(klab_ring_full(&ring));
    EXPECT_FALSE(klab_ring_empty(&ring));

    klab_ring_consume(&ring, 6);
    EXPECT_EQ(ring.tail, 3u); // wrapped too
    EXPECT_EQ(klab_ring_used(&ring), 2u);
    klab_ring_consume(&ring, 2);
    EXPECT_TRUE(klab_ring_empty(&ring));
}

TEST(Ring, MaskIsContinuousAcrossWrap)
{
    struct klab_ring ring = make_ring(8, 0);

    // 2^32 is a multiple of the size, so slots keep counting up.
    EXPECT_EQ(klab_ring_mask(&ring, UINT32_MAX - 1), 6u);
    EXPECT_EQ(klab_ring_mask(&ring, UINT32_MAX), 7u);
    EXPECT_EQ(klab_ring_mask(&ring, 0), 0u);
    EXPECT_EQ(klab_ring_mask(&ring, 9), 1u);
}

TEST(Ring, LargestRingAcrossWrap)
{
    struct klab_ring ring = make_ring(0x80000000u, 0x90000000u);

    klab_ring_produce(&ring, 0x80000000u);
    EXPECT_EQ(ring.head, 0x10000000u);
    EXPECT_TRUE(klab_ring_full(&ring));
    EXPECT_EQ(klab_ring_used(&ring), 0x80000000u);
    EXPECT_EQ(klab_ring_cons_contig(&ring), 0x70000000u);
}

TEST(Ring, ContiguousRunsSplitAtWrapPoint)
{
    // Slots 6 and 7 before the wrap point, then 0..5.
    struct klab_ring ring = make_ring(8, 6);

    EXPECT_EQ(klab_ring_prod_contig(&ring), 2u);
    klab_ring_produce(&ring, 2);
    EXPECT_EQ(klab_ring_prod_contig(&ring), 6u);
    EXPECT_EQ(klab_ring_cons_contig(&ring), 2u);

    klab_ring_produce(&ring, 3);
    EXPECT_EQ(klab_ring_prod_contig(&ring), 3u);
    EXPECT_EQ(klab_ring_cons_contig(&ring), 2u);
    klab_ring_consume(&ring, 2);
    EXPECT_EQ(klab_ring_cons_contig(&ring), 3u);
    EXPECT_EQ(klab_ring_mask(&ring, ring.tail), 0u);
}

TEST(Ring, ContiguousRunBoundedByFillLevel)
{
    struct klab_ring ring = make_ring(16, 0);

    klab_ring_produce(&ring, 5);
    EXPECT_EQ(klab_ring_cons_contig(&ring), 5u);
    EXPECT_EQ(klab_ring_prod_contig(&ring), 11u);
    klab_ring_consume(&ring, 2);
    EXPECT_EQ(klab_ring_prod_contig(&ring), 11u); // up to the wrap point
    EXPECT_EQ(klab_ring_space(&ring), 13u);
}

TEST(RingDeathTest, OverrunAndUnderrunAssert)
{
    struct klab_ring ring = make_ring(4, kNearWrap);

    EXPECT_DEATH(klab_ring_produce(&ring, 5), "n <= klab_ring_space");
    klab_ring_produce(&ring, 2);
    EXPECT_DEATH(klab_ring_consume(&ring, 3), "n <= klab_ring_used");
}

// A byte FIFO on top of the ring, copying in at most two chunks.
class ByteFifo {
  public:
    ByteFifo(u32 size, u32 start) : ring_(make_ring(size, start)), buf_(size) {}

    u32 put(const u8 *data, u32 len)
    {
        u32 done = 0;
        int chunks = 0;

        while (done < len) {
            u32 n = std::min(len - done, klab_ring_prod_contig(&ring_));
            if (n == 0)
                break;
            memcpy(&buf_[klab_ring_mask(&ring_, ring_.head)], data + done, n);
            klab_ring_produce(&ring_, n);
            done += n;
            chunks++;
        }
        EXPECT_LE(chunks, 2);
        return done;
    }

    u32 get(u8 *data, u32 len)
    {
        u32 done = 0;
        int chunks = 0;

        while (done < len) {
            u32 n = std::min(len - done, klab_ring_cons_contig(&ring_));
            if (n == 0)
                break;
            memcpy(data + done, &buf_[klab_ring_mask(&ring_, ring_.tail)], n);
            klab_ring_consume(&ring_, n);
            done += n;
            chunks++;
        }
        EXPECT_LE(chunks, 2);
        return done;
    }

  private:
    struct klab_ring ring_;
    std::vector<u8> buf_;
};

TEST(Ring, ByteFifoStreamsAcrossWrap)
{
    ByteFifo fifo(64, UINT32_MAX - 500);
    std::vector<u8> in(5000), out;
    u32 produced = 0;
    u32 step = 1;

    for (size_t i = 0; i < in.size(); i++)
        in[i] = static_cast<u8>(i * 7 + 3);

    for (int round = 0; out.size() < in.size(); round++) {
        ASSERT_LT(round, 10000) << "no progress";
        produced += fifo.put(&in[produced], std::min<u32>(step, in.size() - produced));
        u8 tmp[64];
        u32 got = fifo.get(tmp, (step * 5) % 64 + 1);
        out.insert(out.end(), tmp, tmp + got);
        step = step % 61 + 3;
    }
    EXPECT_EQ(in, out);
}

TEST(RingReserve, ReservedSlotsAreTakenButNotVisible)
{
    struct klab_ring ring = make_ring(8, kNearWrap);

    EXPECT_EQ(klab_ring_reserve(&ring, 3), kNearWrap);
    EXPECT_EQ(klab_ring_reserved(&ring), 3u);
    EXPECT_EQ(klab_ring_space(&ring), 5u);
    EXPECT_EQ(klab_ring_used(&ring), 0u);
    EXPECT_TRUE(klab_ring_empty(&ring));
    EXPECT_EQ(klab_ring_cons_contig(&ring), 0u);
    // the next reservation queues behind the first, across the u32 wrap
    EXPECT_EQ(klab_ring_reserve(&ring, 5), 0u);
    EXPECT_TRUE(klab_ring_full(&ring));
    EXPECT_EQ(klab_ring_prod_contig(&ring), 0u);

    klab_ring_publish(&ring);
    EXPECT_EQ(klab_ring_reserved(&ring), 0u);
    EXPECT_EQ(klab_ring_used(&ring), 8u);
    EXPECT_EQ(ring.head, 5u);
    klab_ring_consume(&ring, 8);
    EXPECT_TRUE(klab_ring_empty(&ring));
    EXPECT_EQ(klab_ring_space(&ring), 8u);
}

TEST(RingReserve, ContigSplitsAnyRunAtTheWrapPoint)
{
    struct klab_ring ring = make_ring(8, 0);

    EXPECT_EQ(klab_ring_contig(&ring, 6, 5), 2u);
    EXPECT_EQ(klab_ring_contig(&ring, 8, 5), 5u);
    EXPECT_EQ(klab_ring_contig(&ring, 3, 2), 2u);
    EXPECT_EQ(klab_ring_contig(&ring, UINT32_MAX, 4), 1u);
    EXPECT_EQ(klab_ring_contig(&ring, 5, 0), 0u);
}

TEST(RingReserve, WriteWrapsIntoTwoChunks)
{
    struct klab_ring ring = make_ring(8, 5);
    std::vector<u8> buf(8, 0);
    const u8 data[] = {1, 2, 3, 4, 5, 6};

    klab_ring_write(&ring, buf.data(), klab_ring_reserve(&ring, 6), data, 6);
    EXPECT_EQ(buf, (std::vector<u8>{4, 5, 6, 0, 0, 1, 2, 3}));
}

// The bytes of the reserved slots, in order.
static std::vector<u8> reserved_bytes(const struct klab_ring &ring, const std::vector<u8> &buf)
{
    std::vector<u8> out;

    for (u32 i = ring.head; i != ring.resv; i++)
        out.push_back(buf[klab_ring_mask(&ring, i)]);
    return out;
}

TEST(RingReserve, RemoveClosesTheGapBeforeLaterReservations)
{
    // Starts where the gap, the moved bytes or both straddle the end of
    // the storage, and the u32 wrap.
    for (u32 start : {0u, 5u, UINT32_MAX - 2, UINT32_MAX - 6}) {
        struct klab_ring ring = make_ring(16, start);
        std::vector<u8> buf(16, 0xee);
        const u8 first[] = {1, 2, 3, 4, 5, 6};
        const u8 later[] = {20, 21, 22, 23, 24, 25, 26};

        // a producer reserves 6, gets only 2 filled; 7 more are queued
        u32 idx = klab_ring_reserve(&ring, 6);
        klab_ring_write(&ring, buf.data(), idx, first, 2);
        klab_ring_write(&ring, buf.data(), klab_ring_reserve(&ring, 7), later, 7);
        klab_ring_remove(&ring, buf.data(), idx + 2, 4);

        EXPECT_EQ(klab_ring_reserved(&ring), 9u) << start;
        EXPECT_EQ(klab_ring_space(&ring), 7u) << start;
        EXPECT_EQ(reserved_bytes(ring, buf), (std::vector<u8>{1, 2, 20, 21, 22, 23, 24, 25, 26}))
            << start;
        klab_ring_publish(&ring);
        EXPECT_EQ(klab_ring_used(&ring), 9u) << start;
    }
}

TEST(RingReserve, RemoveAllOrTheTail)
{
    struct klab_ring ring = make_ring(8, 6);
    std::vector<u8> buf(8, 0);
    const u8 data[] = {1, 2, 3, 4, 5};

    // nothing behind the gap: only resv moves back
    u32 idx = klab_ring_reserve(&ring, 5);
    klab_ring_write(&ring, buf.data(), idx, data, 5);
    klab_ring_remove(&ring, buf.data(), idx + 3, 2);
    EXPECT_EQ(reserved_bytes(ring, buf), (std::vector<u8>{1, 2, 3}));
    // the whole reservation
    klab_ring_remove(&ring, buf.data(), idx, 3);
    EXPECT_EQ(klab_ring_reserved(&ring), 0u);
    EXPECT_EQ(ring.resv, 6u);
    // a gap of 0
    klab_ring_reserve(&ring, 2);
    klab_ring_remove(&ring, buf.data(), idx, 0);
    EXPECT_EQ(klab_ring_reserved(&ring), 2u);
}

TEST(RingReserveDeathTest, MisuseAsserts)
{
    struct klab_ring ring = make_ring(4, kNearWrap);
    std::vector<u8> buf(4, 0);

    EXPECT_DEATH(klab_ring_reserve(&ring, 5), "n <= klab_ring_space");
    u32 idx = klab_ring_reserve(&ring, 2);
    // producing past a reservation would overtake it
    EXPECT_DEATH(klab_ring_produce(&ring, 1), "resv == ring->head");
    EXPECT_DEATH(klab_ring_remove(&ring, buf.data(), idx + 1, 2), "n <= ring->resv - idx");
    EXPECT_DEATH(klab_ring_remove(&ring, buf.data(), idx - 1, 1), "idx - ring->head");
}

// The pipe's protocol, against a model: one producer at a time reserves,
// fills part of its reservation and publishes; appends in between queue
// behind it whole and are published only with it.
TEST(RingReserve, ReserveAppendShrinkMatchesModel)
{
    struct klab_ring ring = make_ring(64, UINT32_MAX - 100);
    std::vector<u8> buf(64, 0), expect, got;
    unsigned int rnd = 1;
    u8 next = 0;

    for (int round = 0; round < 20000; round++) {
        u32 space = klab_ring_space(&ring);
        u32 want = rand_r(&rnd) % 40, n = std::min(want, space);
        u32 idx = klab_ring_reserve(&ring, n);
        u32 filled = n ? rand_r(&rnd) % (n + 1) : 0;
        std::vector<u8> mine;

        for (u32 i = 0; i < filled; i++)
            mine.push_back(next++);
        klab_ring_write(&ring, buf.data(), idx, mine.data(), filled);
        // garbage in the unfilled part must never come out
        for (u32 i = filled; i < n; i++)
            buf[klab_ring_mask(&ring, idx + i)] = 0xff;
        std::vector<u8> appended;
        for (int a = rand_r(&rnd) % 3; a > 0; a--) {
            u32 len = rand_r(&rnd) % 8;
            std::vector<u8> rec(len);

            if (len > klab_ring_space(&ring))
                continue;
            for (auto &b : rec)
                b = next++;
            klab_ring_write(&ring, buf.data(), klab_ring_reserve(&ring, len), rec.data(), len);
            appended.insert(appended.end(), rec.begin(), rec.end());
        }
        klab_ring_remove(&ring, buf.data(), idx + filled, n - filled);
        klab_ring_publish(&ring);
        expect.insert(expect.end(), mine.begin(), mine.end());
        expect.insert(expect.end(), appended.begin(), appended.end());

        for (u32 take = rand_r(&rnd) % 48; take && !klab_ring_empty(&ring); take--) {
            got.push_back(buf[klab_ring_mask(&ring, ring.tail)]);
            klab_ring_consume(&ring, 1);
        }
    }
    while (!klab_ring_empty(&ring)) {
        got.push_back(buf[klab_ring_mask(&ring, ring.tail)]);
        klab_ring_consume(&ring, 1);
    }
    ASSERT_EQ(got.size(), expect.size());
    EXPECT_EQ(got, expect);
}

TEST(Platform, AllocAndLock)
{
    auto *p = static_cast<u32 *>(klab_zalloc(16 * sizeof(u32)));
    struct klab_lock lock;

    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p[15], 0u);
    klab_lock_init(&lock);
    klab_lock(&lock);
    p[0] = 1;
    klab_unlock(&lock);
    klab_lock_destroy(&lock);
    klab_free(p);
}

} // namespace
