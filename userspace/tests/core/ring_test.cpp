// SPDX-License-Identifier: GPL-2.0
#include "klab_ring.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

constexpr u32 kNearWrap = UINT32_MAX - 2;

struct klab_ring make_ring(u32 size, u32 start)
{
    struct klab_ring ring;

    EXPECT_EQ(klab_ring_init(&ring, size), 0);
    ring.head = start;
    ring.tail = start;
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
        struct klab_ring ring = {7, 5, 4};

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
