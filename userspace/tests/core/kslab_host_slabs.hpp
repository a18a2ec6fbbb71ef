// SPDX-License-Identifier: GPL-2.0
// A slab layer for the host tests of slabcache's magazine layer: slabs of
// malloc'd pages carved with kslab_layout, and kslab_mc_ops over them, with
// magazine allocations that can be made to fail.
#pragma once

#include "kslab_layout.h"
#include "kslab_mag.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <vector>

namespace kslab_test {

class HostSlabs {
  public:
    explicit HostSlabs(u32 size, u32 flags = 0)
    {
        struct kslab_layout_req req = {size, 0, flags, 4096, 64, 3, 24};

        EXPECT_EQ(kslab_layout_compute(&req, &l_), 0);
    }

    ~HostSlabs()
    {
        for (auto &s : slabs_)
            free(s.second.base);
    }

    HostSlabs(const HostSlabs &) = delete;
    HostSlabs &operator=(const HostSlabs &) = delete;

    const struct kslab_layout &layout() const { return l_; }

    // Add one slab of free objects, coloured as the kernel colours them.
    void grow()
    {
        Slab s;
        s.base = static_cast<char *>(aligned_alloc(4096, l_.slab_bytes));
        ASSERT_NE(s.base, nullptr);
        kslab_slab_init(&l_, s.base, colour_, secret_, &s.st);
        colour_ = kslab_colour_next(&l_, colour_);
        slabs_[reinterpret_cast<uintptr_t>(s.base)] = s;
    }

    u32 refill(void **objs, u32 n)
    {
        u32 got = 0;

        refills_++;
        // partial slabs first, then free ones, as the kernel's slab layer
        for (int pass = 0; pass < 2 && got < n; pass++) {
            for (auto &e : slabs_) {
                Slab &s = e.second;
                bool partial = s.st.inuse > 0;
                u32 lost;

                if (got == n)
                    break;
                if (!s.st.free || partial != (pass == 0))
                    continue;
                got += kslab_slab_take(&l_, s.base, secret_, &s.st, objs + got, n - got, &lost);
                EXPECT_EQ(lost, 0u);
            }
        }
        return got;
    }

    void flush(void **objs, u32 n)
    {
        for (u32 i = 0; i < n; i++) {
            Slab *s = slab_of(objs[i]);
            ASSERT_NE(s, nullptr) << "flushed a pointer that is no object";
            ASSERT_FALSE(kslab_slab_on_free_list(&l_, s->base, secret_, &s->st, objs[i]))
                << "object flushed twice";
            kslab_slab_push(&l_, secret_, &s->st, objs[i]);
        }
        flushed_ += n;
    }

    struct kslab_mag *mag_alloc(u32 size)
    {
        if (fail_mags_)
            return nullptr;
        auto *m = static_cast<struct kslab_mag *>(calloc(1, kslab_mag_bytes(size)));
        m->size = size;
        mags_.insert(m);
        return m;
    }

    void mag_free(struct kslab_mag *m)
    {
        EXPECT_EQ(mags_.erase(m), 1u) << "magazine freed twice";
        free(m);
    }

    // Which slab @p is an object of, or nullptr.
    struct Slab;
    Slab *slab_of(const void *p)
    {
        auto it = slabs_.upper_bound(reinterpret_cast<uintptr_t>(p));
        u32 idx;

        if (it == slabs_.begin())
            return nullptr;
        --it;
        Slab &s = it->second;
        if (kslab_slab_index(&l_, s.base, s.st.colour, p, &idx))
            return nullptr;
        return &s;
    }

    size_t nr_slabs() const { return slabs_.size(); }
    size_t total_objects() const { return slabs_.size() * l_.objects; }

    // Objects on the slabs' free lists, checked link by link.
    size_t free_objects()
    {
        size_t n = 0;

        for (auto &e : slabs_) {
            u32 nr_free;

            EXPECT_EQ(kslab_slab_check(&l_, e.second.base, secret_, &e.second.st, &nr_free), 0);
            n += nr_free;
        }
        return n;
    }

    // Every object on a free list: taking from a copy of a slab's state
    // reads the links without changing anything.
    void collect_free(std::set<void *> &out)
    {
        std::vector<void *> objs(l_.objects);

        for (auto &e : slabs_) {
            struct kslab_slab_state st = e.second.st;
            u32 lost;
            u32 n =
                kslab_slab_take(&l_, e.second.base, secret_, &st, objs.data(), l_.objects, &lost);

            EXPECT_EQ(lost, 0u);
            out.insert(objs.begin(), objs.begin() + n);
        }
    }

    bool on_free_list(const void *p)
    {
        Slab *s = slab_of(p);
        return s && kslab_slab_on_free_list(&l_, s->base, secret_, &s->st, p);
    }

    size_t live_mags() const { return mags_.size(); }
    bool is_mag(struct kslab_mag *m) const { return mags_.count(m) != 0; }
    void fail_mags(bool fail) { fail_mags_ = fail; }
    unsigned long refills() const { return refills_; }
    unsigned long flushed() const { return flushed_; }

    static const struct kslab_mc_ops ops;

    struct Slab {
        char *base = nullptr;
        struct kslab_slab_state st = {};
    };

  private:
    struct kslab_layout l_;
    std::map<uintptr_t, Slab> slabs_;
    std::set<struct kslab_mag *> mags_;
    uintptr_t secret_ = 0x0123456789abcdefu;
    u32 colour_ = 0;
    bool fail_mags_ = false;
    unsigned long refills_ = 0;
    unsigned long flushed_ = 0;
};

inline u32 host_refill(void *ctx, void **objs, u32 n)
{
    return static_cast<HostSlabs *>(ctx)->refill(objs, n);
}

inline void host_flush(void *ctx, void **objs, u32 n)
{
    static_cast<HostSlabs *>(ctx)->flush(objs, n);
}

inline struct kslab_mag *host_mag_alloc(void *ctx, u32 size)
{
    return static_cast<HostSlabs *>(ctx)->mag_alloc(size);
}

inline void host_mag_free(void *ctx, struct kslab_mag *m)
{
    static_cast<HostSlabs *>(ctx)->mag_free(m);
}

inline const struct kslab_mc_ops HostSlabs::ops = {
    .refill = host_refill,
    .flush = host_flush,
    .mag_alloc = host_mag_alloc,
    .mag_free = host_mag_free,
};

} // namespace kslab_test
