// SPDX-License-Identifier: GPL-2.0
// Tuple Space Search (Srinivasan, Suri and Varghese, 1999), the way Open
// vSwitch's classifier does it: one hash table per tuple of prefix
// lengths (source, destination, protocol, source port, destination port);
// a rule's port ranges (and any interval that is not a prefix) are cut
// into prefixes, so a rule may be several entries.  A lookup masks the
// packet with each tuple's lengths and probes that tuple's table; tuples
// are searched best priority first and the search stops at a tuple whose
// best rule cannot beat the match found (OVS's priority sorting).  The
// baseline the issue asks the HiPAC core to be compared with.
#pragma once

#include "hipac.h"

#include <algorithm>
#include <map>
#include <vector>

namespace klab::hipac {

class Tss {
  public:
    static constexpr u32 kNoMatch = 0xffffffffu;

    // Rules over the five 5-tuple dimensions (classbench.hpp's Dim), first
    // match wins; "!" is not supported (ClassBench has none).
    bool build(const std::vector<hipac_rule> &rules)
    {
        tuples_.clear();
        for (u32 i = 0; i < rules.size(); i++)
            if (!insert(rules[i], i))
                return false;
        order();
        return true;
    }

    // Insert rule @rule with priority @prio (lower wins).
    bool insert(const hipac_rule &rule, u32 prio)
    {
        std::vector<std::pair<u32, u32>> pfx[kDims]; // value, length

        for (u32 d = 0; d < kDims; d++) {
            u32 lo = 0, hi = kMax[d];

            for (u32 m = 0; m < rule.n_matches; m++) {
                const hipac_match &x = rule.matches[m];

                if (x.invert)
                    return false;
                if (x.dimid == d) {
                    lo = std::max(lo, x.left);
                    hi = std::min(hi, x.right);
                }
            }
            if (lo > hi)
                return true; // matches nothing
            split(lo, hi, kBits[d], pfx[d]);
        }
        for (auto s : pfx[0])
            for (auto t : pfx[1])
                for (auto p : pfx[2])
                    for (auto sp : pfx[3])
                        for (auto dp : pfx[4])
                            add(s, t, p, sp, dp, prio);
        return true;
    }

    // Sort the tuples best priority first; after inserts.
    void order()
    {
        std::sort(tuples_.begin(), tuples_.end(),
                  [](const Tuple &a, const Tuple &b) { return a.best < b.best; });
        index_.clear();
        for (u32 i = 0; i < tuples_.size(); i++)
            index_[tuples_[i].lens] = i;
    }

    u32 lookup(const u32 *pkt) const
    {
        u32 best = kNoMatch;

        for (const Tuple &t : tuples_) {
            if (t.best >= best)
                break;
            u64 a = static_cast<u64>(pkt[0] & t.mask[0]) << 32 | (pkt[1] & t.mask[1]);
            u64 b = static_cast<u64>(pkt[2] & t.mask[2]) << 32 | (pkt[3] & t.mask[3]) << 16 |
                    (pkt[4] & t.mask[4]);
            u32 p = t.find(a, b);

            if (p < best)
                best = p;
        }
        return best;
    }

    size_t tuples() const { return tuples_.size(); }

    size_t entries() const
    {
        size_t n = 0;

        for (const Tuple &t : tuples_)
            n += t.used;
        return n;
    }

    size_t bytes() const
    {
        size_t n = tuples_.capacity() * sizeof(Tuple);

        for (const Tuple &t : tuples_)
            n += t.slots.capacity() * sizeof(Entry);
        return n;
    }

  private:
    static constexpr u32 kDims = 5;
    static constexpr u32 kBits[kDims] = {32, 32, 8, 16, 16};
    static constexpr u32 kMax[kDims] = {0xffffffffu, 0xffffffffu, 255, 65535, 65535};

    struct Entry {
        u64 a, b;
        u32 prio; // kNoMatch: free
    };

    struct Tuple {
        u64 lens; // the five prefix lengths, a byte each
        u32 mask[kDims];
        u32 best = kNoMatch;
        u32 used = 0;
        std::vector<Entry> slots;

        static u64 hash(u64 a, u64 b)
        {
            u64 h = (a ^ (b * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
            return h ^ (h >> 29);
        }

        u32 find(u64 a, u64 b) const
        {
            size_t mask = slots.size() - 1;

            for (size_t i = hash(a, b) & mask;; i = (i + 1) & mask) {
                const Entry &e = slots[i];

                if (e.prio == kNoMatch)
                    return kNoMatch;
                if (e.a == a && e.b == b)
                    return e.prio;
            }
        }

        void put(u64 a, u64 b, u32 prio)
        {
            if (2 * (used + 1) > slots.size()) {
                std::vector<Entry> old = std::move(slots);

                slots.assign(std::max<size_t>(8, 2 * old.size()), {0, 0, kNoMatch});
                used = 0;
                for (const Entry &e : old)
                    if (e.prio != kNoMatch)
                        put(e.a, e.b, e.prio);
            }
            size_t mask = slots.size() - 1;

            for (size_t i = hash(a, b) & mask;; i = (i + 1) & mask) {
                Entry &e = slots[i];

                if (e.prio == kNoMatch) {
                    e = {a, b, prio};
                    used++;
                    return;
                }
                if (e.a == a && e.b == b) {
                    // the same box twice: the better rule shadows the other
                    e.prio = std::min(e.prio, prio);
                    return;
                }
            }
        }
    };

    // [lo, hi] as the fewest prefixes of a @bits-bit space
    static void split(u32 lo, u32 hi, u32 bits, std::vector<std::pair<u32, u32>> &out)
    {
        u64 l = lo, h = hi;

        while (l <= h) {
            u32 len = bits;

            // the biggest aligned block at l that stays within h
            while (len > 0) {
                u64 size = 1ull << (bits - len + 1);

                if (l % size || l + size - 1 > h)
                    break;
                len--;
            }
            out.push_back({static_cast<u32>(l), len});
            l += 1ull << (bits - len);
        }
    }

    static u32 mask_of(u32 len, u32 bits)
    {
        return len == 0 ? 0 : static_cast<u32>(((1ull << len) - 1) << (bits - len));
    }

    void add(std::pair<u32, u32> s, std::pair<u32, u32> t, std::pair<u32, u32> p,
             std::pair<u32, u32> sp, std::pair<u32, u32> dp, u32 prio)
    {
        u64 lens = static_cast<u64>(s.second) | static_cast<u64>(t.second) << 8 |
                   static_cast<u64>(p.second) << 16 | static_cast<u64>(sp.second) << 24 |
                   static_cast<u64>(dp.second) << 32;
        auto it = index_.find(lens);

        if (it == index_.end()) {
            Tuple nt;
            u32 l[kDims] = {s.second, t.second, p.second, sp.second, dp.second};

            nt.lens = lens;
            for (u32 d = 0; d < kDims; d++)
                nt.mask[d] = mask_of(l[d], kBits[d]);
            tuples_.push_back(std::move(nt));
            it = index_.emplace(lens, tuples_.size() - 1).first;
        }
        Tuple &tu = tuples_[it->second];
        u64 a = static_cast<u64>(s.first) << 32 | t.first;
        u64 b = static_cast<u64>(p.first) << 32 | sp.first << 16 | dp.first;

        tu.put(a, b, prio);
        tu.best = std::min(tu.best, prio);
    }

    std::vector<Tuple> tuples_;
    std::map<u64, u32> index_; // lens -> position in tuples_
};

} // namespace klab::hipac
