// SPDX-License-Identifier: GPL-2.0
// klabctl slab: the klab_slab family's attributes, parsed and decoded.
#include "slab_attrs.hpp"

#include "error.hpp"

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace klab::slab {

namespace {

// Every attribute of the family with its type and its key in records;
// NLA_UNSPEC stands for an array of u64.
struct AttrInfo {
    int attr;
    int type;
    const char *key;
};

constexpr AttrInfo kAttrs[] = {
    {KLAB_SLAB_A_NAME, NLA_STRING, "name"},
    {KLAB_SLAB_A_OBJECT_SIZE, NLA_U32, "object_size"},
    {KLAB_SLAB_A_STRIDE, NLA_U32, "stride"},
    {KLAB_SLAB_A_ALIGN, NLA_U32, "align"},
    {KLAB_SLAB_A_ORDER, NLA_U32, "order"},
    {KLAB_SLAB_A_OBJS_PER_SLAB, NLA_U32, "objs_per_slab"},
    {KLAB_SLAB_A_COLOUR_STEP, NLA_U32, "colour_step"},
    {KLAB_SLAB_A_COLOURS, NLA_U32, "colours"},
    {KLAB_SLAB_A_ACTIVE_OBJS, NLA_U64, "active_objs"},
    {KLAB_SLAB_A_TOTAL_OBJS, NLA_U64, "total_objs"},
    {KLAB_SLAB_A_CACHED_OBJS, NLA_U64, "cached_objs"},
    {KLAB_SLAB_A_SLABS_FULL, NLA_U64, "slabs_full"},
    {KLAB_SLAB_A_SLABS_PARTIAL, NLA_U64, "slabs_partial"},
    {KLAB_SLAB_A_SLABS_FREE, NLA_U64, "slabs_free"},
    {KLAB_SLAB_A_PAGES, NLA_U64, "pages"},
    {KLAB_SLAB_A_MAG_SIZE, NLA_U32, "magazine_size"},
    {KLAB_SLAB_A_DEPOT_LIMIT, NLA_U32, "depot_limit"},
    {KLAB_SLAB_A_DEPOT_FULL, NLA_U32, "depot_full"},
    {KLAB_SLAB_A_DEPOT_EMPTY, NLA_U32, "depot_empty"},
    {KLAB_SLAB_A_FREE_LIMIT, NLA_U32, "free_limit"},
    {KLAB_SLAB_A_CPU_ID, NLA_U32, "cpu"},
    {KLAB_SLAB_A_ALLOC_HIT, NLA_U64, "alloc_hit"},
    {KLAB_SLAB_A_ALLOC_MISS, NLA_U64, "alloc_miss"},
    {KLAB_SLAB_A_FREE_HIT, NLA_U64, "free_hit"},
    {KLAB_SLAB_A_FREE_MISS, NLA_U64, "free_miss"},
    {KLAB_SLAB_A_CORRUPT_REDZONE, NLA_U64, "corrupt_redzone"},
    {KLAB_SLAB_A_CORRUPT_POISON, NLA_U64, "corrupt_poison"},
    {KLAB_SLAB_A_CORRUPT_FREELIST, NLA_U64, "corrupt_freelist"},
    {KLAB_SLAB_A_DOUBLE_FREE, NLA_U64, "double_free"},
    {KLAB_SLAB_A_INVALID_FREE, NLA_U64, "invalid_free"},
    {KLAB_SLAB_A_QUARANTINED, NLA_U64, "quarantined"},
    {KLAB_SLAB_A_SLABS_CREATED, NLA_U64, "slabs_created"},
    {KLAB_SLAB_A_SLABS_FREED, NLA_U64, "slabs_freed"},
    {KLAB_SLAB_A_CONSTRUCTED, NLA_U64, "constructed"},
    {KLAB_SLAB_A_REAPED_PAGES, NLA_U64, "reaped_pages"},
    {KLAB_SLAB_A_TEST, NLA_U8, "test"},
    {KLAB_SLAB_A_HELD, NLA_U32, "held"},
    {KLAB_SLAB_A_NONZERO, NLA_U32, "nonzero"},
    {KLAB_SLAB_A_CTOR_BAD, NLA_U32, "ctor_bad"},
    {KLAB_SLAB_A_LEAKED, NLA_U64, "leaked"},
    {KLAB_SLAB_A_PAGES_FREED, NLA_U64, "pages_freed"},
    {KLAB_SLAB_A_CHECKED, NLA_U64, "checked"},
    {KLAB_SLAB_A_ERRORS, NLA_U64, "errors"},
    {KLAB_SLAB_A_RUN_RUNNING, NLA_U8, "running"},
    {KLAB_SLAB_A_RUN_THREADS, NLA_U32, "threads"},
    {KLAB_SLAB_A_RUN_MS, NLA_U32, "ms"},
    {KLAB_SLAB_A_RUN_ELAPSED_NS, NLA_U64, "elapsed_ns"},
    {KLAB_SLAB_A_RUN_ALLOCS, NLA_U64, "allocs"},
    {KLAB_SLAB_A_RUN_FREES, NLA_U64, "frees"},
    {KLAB_SLAB_A_RUN_IRQ_OPS, NLA_U64, "irq_ops"},
    {KLAB_SLAB_A_RUN_REMOTE_FREES, NLA_U64, "remote_frees"},
    {KLAB_SLAB_A_RUN_ENOMEM, NLA_U64, "enomem"},
    {KLAB_SLAB_A_BENCH_NS, NLA_U64, "time_ns"},
    {KLAB_SLAB_A_BENCH_OPS, NLA_U64, "ops"},
    {KLAB_SLAB_A_BENCH_MAX_NS, NLA_U64, "max_cpu_ns"},
    {KLAB_SLAB_A_BENCH_CPUS, NLA_U32, "cpus"},
    {KLAB_SLAB_A_TOTAL_PAGES, NLA_U64, "total_pages"},
    {KLAB_SLAB_A_LEAKED_PAGES, NLA_U64, "leaked_pages"},
    {KLAB_SLAB_A_NR_CACHES, NLA_U32, "caches"},
    {KLAB_SLAB_A_INIT_ON_ALLOC, NLA_U8, "init_on_alloc"},
    {KLAB_SLAB_A_INIT_ON_FREE, NLA_U8, "init_on_free"},
    {KLAB_SLAB_A_CTOR_CALLS, NLA_U64, "test_ctor_calls"},
    {KLAB_SLAB_A_MAG_BYTES, NLA_U64, "magazine_bytes"},
    {KLAB_SLAB_A_MM_NODE, NLA_U32, "node"},
    {KLAB_SLAB_A_MM_ZONE_NAME, NLA_STRING, "zone"},
    {KLAB_SLAB_A_MM_WMARK_MIN, NLA_U64, "min"},
    {KLAB_SLAB_A_MM_WMARK_LOW, NLA_U64, "low"},
    {KLAB_SLAB_A_MM_WMARK_HIGH, NLA_U64, "high"},
    {KLAB_SLAB_A_MM_WMARK_BOOST, NLA_U64, "boost"},
    {KLAB_SLAB_A_MM_SPANNED, NLA_U64, "spanned"},
    {KLAB_SLAB_A_MM_PRESENT, NLA_U64, "present"},
    {KLAB_SLAB_A_MM_MANAGED, NLA_U64, "managed"},
    {KLAB_SLAB_A_MM_NR_FREE, NLA_UNSPEC, "nr_free"},
    {KLAB_SLAB_A_MM_MAX_ORDER, NLA_U32, "max_order"},
    {KLAB_SLAB_A_MM_PFN, NLA_U64, "pfn"},
    {KLAB_SLAB_A_MM_DRAINED, NLA_U32, "drained"},
    {KLAB_SLAB_A_MM_SPLIT_PFNS, NLA_UNSPEC, "split_pfns"},
    {KLAB_SLAB_A_MM_SPLIT_BEFORE, NLA_UNSPEC, "nr_free_before"},
    {KLAB_SLAB_A_MM_SPLIT_AFTER, NLA_UNSPEC, "nr_free_split"},
    {KLAB_SLAB_A_MM_MERGED, NLA_UNSPEC, "nr_free_merged"},
    {KLAB_SLAB_A_MM_MERGED_ORDER, NLA_U32, "merged_order"},
    {KLAB_SLAB_A_MM_ADDR, NLA_U64, "addr"},
    {KLAB_SLAB_A_MM_LEVELS, NLA_U32, "levels"},
    {KLAB_SLAB_A_MM_PGD, NLA_U32, "pgd"},
    {KLAB_SLAB_A_MM_P4D, NLA_U32, "p4d"},
    {KLAB_SLAB_A_MM_PUD, NLA_U32, "pud"},
    {KLAB_SLAB_A_MM_PMD, NLA_U32, "pmd"},
    {KLAB_SLAB_A_MM_PTE, NLA_U32, "pte"},
    {KLAB_SLAB_A_MM_PAGE_SHIFT, NLA_U32, "page_shift"},
};

struct FlagName {
    uint32_t flag;
    const char *name;
};

constexpr FlagName kFlags[] = {
    {KLAB_SLAB_F_RED_ZONE, "red_zone"},
    {KLAB_SLAB_F_POISON, "poison"},
    {KLAB_SLAB_F_STORE_USER, "store_user"},
    {KLAB_SLAB_F_HWCACHE_ALIGN, "hwcache_align"},
    {KLAB_SLAB_F_CTOR, "ctor"},
};

const struct nla_policy *policy()
{
    static const std::array<struct nla_policy, KLAB_SLAB_A_MAX + 1> p = [] {
        std::array<struct nla_policy, KLAB_SLAB_A_MAX + 1> p{};
        for (const AttrInfo &a : kAttrs)
            p[a.attr].type = static_cast<uint16_t>(a.type);
        p[KLAB_SLAB_A_FLAGS].type = NLA_U32;
        p[KLAB_SLAB_A_OFFSETS].type = NLA_UNSPEC;
        for (int a : {KLAB_SLAB_A_CACHE, KLAB_SLAB_A_CPUS, KLAB_SLAB_A_CPU, KLAB_SLAB_A_MM_ZONE,
                      KLAB_SLAB_A_MM_BLOCK})
            p[a].type = NLA_NESTED;
        return p;
    }();
    return p.data();
}

Json u64_array(const struct nlattr *attr)
{
    std::vector<uint64_t> v(nla_len(attr) / sizeof(uint64_t));

    memcpy(v.data(), nla_data(attr), v.size() * sizeof(uint64_t));
    return v;
}

} // namespace

std::string flags_text(uint32_t flags)
{
    std::string out;

    for (const FlagName &f : kFlags)
        if (flags & f.flag)
            out += (out.empty() ? "" : ",") + std::string(f.name);
    return out.empty() ? "none" : out;
}

std::optional<uint32_t> flags_of(const std::string &text)
{
    std::stringstream ss(text);
    std::string item;
    uint32_t flags = 0;

    while (std::getline(ss, item, ',')) {
        bool found = item == "none";
        for (const FlagName &f : kFlags) {
            if (item == f.name) {
                flags |= f.flag;
                found = true;
            }
        }
        if (!found)
            return std::nullopt;
    }
    return flags;
}

void decode_into(Json &rec, const Attrs &tb)
{
    for (const AttrInfo &a : kAttrs) {
        struct nlattr *attr = tb[a.attr];
        if (!attr)
            continue;
        switch (a.type) {
        case NLA_STRING:
            rec[a.key] = nla_get_string(attr);
            break;
        case NLA_U8:
            rec[a.key] = nla_get_u8(attr);
            break;
        case NLA_U32:
            rec[a.key] = nla_get_u32(attr);
            break;
        case NLA_U64:
            rec[a.key] = nla_get_u64(attr);
            break;
        default:
            rec[a.key] = u64_array(attr);
            break;
        }
    }
    if (tb[KLAB_SLAB_A_FLAGS])
        rec["flags"] = flags_text(nla_get_u32(tb[KLAB_SLAB_A_FLAGS]));
}

Attrs parse_msg(struct nlmsghdr *nlh)
{
    Attrs tb{};

    if (genlmsg_parse(nlh, 0, tb.data(), KLAB_SLAB_A_MAX,
                      const_cast<struct nla_policy *>(policy())) < 0)
        throw Error("malformed message from family " KLAB_SLAB_FAMILY_NAME);
    return tb;
}

Attrs parse_nest(struct nlattr *nest)
{
    Attrs tb{};

    if (nla_parse_nested(tb.data(), KLAB_SLAB_A_MAX, nest,
                         const_cast<struct nla_policy *>(policy())) < 0)
        throw Error("malformed nested attribute in reply");
    return tb;
}

} // namespace klab::slab
