// SPDX-License-Identifier: GPL-2.0
// klabctl slab mm: slabcache's observer of the kernel's memory management.
//
//   klabctl slab mm zones        every zone's watermarks, sizes, free blocks
//   klabctl slab mm buddy        a block of every order; a 512-page split
//   klabctl slab mm walk         the page-table walk of a page of klabctl's
//   klabctl slab mm fault KIND [--pages N] [--file PATH]
//                                first touches of anon or file pages, or
//                                touches of swapped-out anon pages, counted
#include "error.hpp"
#include "genl.hpp"
#include "module.hpp"

#include <fcntl.h>
#include <klab/slab.h>
#include <netlink/genl/genl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace klab {

namespace {

using Attrs = std::array<struct nlattr *, KLAB_SLAB_A_MAX + 1>;

struct MmAttr {
    int attr;
    int type; // NLA_U32, NLA_U64, NLA_STRING, or NLA_UNSPEC for u64 arrays
    const char *key;
};

constexpr MmAttr kMmAttrs[] = {
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
    {KLAB_SLAB_A_ORDER, NLA_U32, "order"},
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

const struct nla_policy *mm_policy()
{
    static const std::array<struct nla_policy, KLAB_SLAB_A_MAX + 1> p = [] {
        std::array<struct nla_policy, KLAB_SLAB_A_MAX + 1> p{};
        for (const MmAttr &a : kMmAttrs)
            p[a.attr].type = static_cast<uint16_t>(a.type);
        for (int a : {KLAB_SLAB_A_MM_ZONE, KLAB_SLAB_A_MM_BLOCK})
            p[a].type = NLA_NESTED;
        return p;
    }();
    return p.data();
}

Attrs parse(struct nlattr *head, int len)
{
    Attrs tb{};

    if (nla_parse(tb.data(), KLAB_SLAB_A_MAX, head, len,
                  const_cast<struct nla_policy *>(mm_policy())) < 0)
        throw Error("malformed reply from family " + std::string(slab_module.family));
    return tb;
}

Json decode(const Attrs &tb)
{
    Json rec = Json::object();

    for (const MmAttr &a : kMmAttrs) {
        struct nlattr *attr = tb[a.attr];
        if (!attr)
            continue;
        switch (a.type) {
        case NLA_STRING:
            rec[a.key] = nla_get_string(attr);
            break;
        case NLA_U32:
            rec[a.key] = nla_get_u32(attr);
            break;
        case NLA_U64:
            rec[a.key] = nla_get_u64(attr);
            break;
        default: {
            std::vector<uint64_t> v(nla_len(attr) / sizeof(uint64_t));
            memcpy(v.data(), nla_data(attr), v.size() * sizeof(uint64_t));
            rec[a.key] = v;
            break;
        }
        }
    }
    return rec;
}

// Send @cmd (with @fill's attributes); the reply's fields, each nest of
// @nest_attr decoded into the array @nest_key.
Json mm_request(uint8_t cmd, const GenlSocket::Filler &fill, int nest_attr = 0,
                const char *nest_key = nullptr)
{
    GenlSocket sock;
    Family family = open_family(sock, slab_module);
    Json rec{{"module", slab_module.kmod}};

    sock.request(family, cmd, fill, [&](struct nlmsghdr *nlh) {
        Attrs tb = parse(genlmsg_attrdata(static_cast<struct genlmsghdr *>(nlmsg_data(nlh)), 0),
                         genlmsg_attrlen(static_cast<struct genlmsghdr *>(nlmsg_data(nlh)), 0));
        rec.update(decode(tb));
        if (!nest_attr)
            return;
        Json items = Json::array();
        struct nlattr *a;
        int rem;
        nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem)
        {
            if (nla_type(a) == nest_attr)
                items.push_back(
                    decode(parse(static_cast<struct nlattr *>(nla_data(a)), nla_len(a))));
        }
        rec[nest_key] = items;
    });
    return rec;
}

// One page's entry in /proc/self/pagemap: its pfn (0 without CAP_SYS_ADMIN)
uint64_t pagemap_pfn(const void *addr)
{
    uint64_t entry = 0;
    long page = sysconf(_SC_PAGESIZE);
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        throw Error(std::string("/proc/self/pagemap: ") + strerror(errno));
    off_t off = static_cast<off_t>(reinterpret_cast<uintptr_t>(addr) / page * sizeof(entry));
    ssize_t n = pread(fd, &entry, sizeof(entry), off);
    close(fd);
    if (n != sizeof(entry))
        throw Error("/proc/self/pagemap: short read");
    if (!(entry >> 63))
        throw Error("/proc/self/pagemap: page not present");
    return entry & ((1ULL << 55) - 1);
}

struct Mapping {
    void *addr = MAP_FAILED;
    size_t len = 0;
    ~Mapping()
    {
        if (addr != MAP_FAILED)
            munmap(addr, len);
    }
};

void mm_walk(Cli &cli)
{
    long page = sysconf(_SC_PAGESIZE);
    Mapping m;

    m.len = static_cast<size_t>(page);
    m.addr = mmap(nullptr, m.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m.addr == MAP_FAILED)
        throw Error(std::string("mmap: ") + strerror(errno));
    // the first write faults a page in; an offset shows where it goes
    char *p = static_cast<char *>(m.addr) + 0x123;
    *static_cast<volatile char *>(p) = 1;
    Json rec = mm_request(KLAB_SLAB_CMD_MM_WALK, [&](struct nl_msg *msg) {
        if (nla_put_u64(msg, KLAB_SLAB_A_MM_ADDR, reinterpret_cast<uintptr_t>(p)) < 0)
            throw Error("cannot build netlink message");
    });
    rec["offset"] = reinterpret_cast<uintptr_t>(p) & static_cast<uintptr_t>(page - 1);
    rec["page_size"] = page;
    rec["pagemap_pfn"] = pagemap_pfn(p);
    Printer(cli.out, cli.opts).print(rec);
}

// The fault and swap counters of /proc/vmstat
struct VmstatFaults {
    uint64_t pgfault = 0;
    uint64_t pgmajfault = 0;
    uint64_t pswpin = 0;
    uint64_t pswpout = 0;
};

VmstatFaults vmstat_faults()
{
    std::ifstream in("/proc/vmstat");
    std::string key;
    uint64_t v;
    VmstatFaults f;

    while (in >> key >> v) {
        if (key == "pgfault")
            f.pgfault = v;
        else if (key == "pgmajfault")
            f.pgmajfault = v;
        else if (key == "pswpin")
            f.pswpin = v;
        else if (key == "pswpout")
            f.pswpout = v;
    }
    return f;
}

// Touch every page of @m once, writing (anonymous) or reading (file)
void touch_pages(const Mapping &m, long page, bool write)
{
    volatile char *base = static_cast<volatile char *>(m.addr);

    for (size_t off = 0; off < m.len; off += static_cast<size_t>(page)) {
        if (write)
            base[off] = 1;
        else
            (void)base[off];
    }
}

struct FaultArgs {
    std::string kind;
    uint32_t pages = 64;
    std::string file;
};

// Map @a.pages pages (anonymous, or of a file whose cached pages are
// dropped first, read at random so that no readahead brings in more than
// the faulting page), touch each once, and count the faults: this
// process's (getrusage) and the whole system's (/proc/vmstat).  "swap"
// first fills anonymous pages and pushes them out to swap
// (MADV_PAGEOUT), then counts the faults of touching them again.
void mm_fault(Cli &cli, const FaultArgs &a)
{
    long page = sysconf(_SC_PAGESIZE);
    bool file = a.kind == "file";
    bool swap = a.kind == "swap";
    VmstatFaults out_before{}, out_after{};
    Mapping m;
    int fd = -1;

    m.len = static_cast<size_t>(a.pages) * static_cast<size_t>(page);
    if (file) {
        fd = open(a.file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            throw Error(a.file + ": " + strerror(errno));
        struct stat st {};
        if (fstat(fd, &st) < 0 || static_cast<size_t>(st.st_size) < m.len) {
            close(fd);
            throw Error(a.file + ": smaller than " + std::to_string(a.pages) + " pages");
        }
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        m.addr = mmap(nullptr, m.len, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
    } else {
        m.addr = mmap(nullptr, m.len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    }
    if (m.addr == MAP_FAILED)
        throw Error(std::string("mmap: ") + strerror(errno));
    // no readahead for the file, no huge page for the anonymous memory:
    // one fault per page either way
    madvise(m.addr, m.len, file ? MADV_RANDOM : MADV_NOHUGEPAGE);

    if (swap) {
        touch_pages(m, page, true);
        out_before = vmstat_faults();
        // reclaims the pages now, written to swap if there is some
        if (madvise(m.addr, m.len, MADV_PAGEOUT) < 0)
            throw Error(std::string("madvise(MADV_PAGEOUT): ") + strerror(errno));
        out_after = vmstat_faults();
    }

    struct rusage before {
    }, after{};
    auto vm_before = vmstat_faults();
    getrusage(RUSAGE_SELF, &before);
    touch_pages(m, page, !file);
    getrusage(RUSAGE_SELF, &after);
    auto vm_after = vmstat_faults();

    Json rec{{"module", slab_module.kmod}, {"kind", a.kind}, {"pages", a.pages}};
    rec["minflt"] = after.ru_minflt - before.ru_minflt;
    rec["majflt"] = after.ru_majflt - before.ru_majflt;
    rec["pgfault"] = vm_after.pgfault - vm_before.pgfault;
    rec["pgmajfault"] = vm_after.pgmajfault - vm_before.pgmajfault;
    rec["pswpin"] = vm_after.pswpin - vm_before.pswpin;
    if (swap)
        rec["pswpout"] = out_after.pswpout - out_before.pswpout;
    Printer(cli.out, cli.opts).print(rec);
}

} // namespace

void add_slab_mm(CLI::App &mod, Cli &cli)
{
    CLI::App *mm = mod.add_subcommand("mm", "observe the kernel's memory management");
    mm->require_subcommand(1);
    mm->add_subcommand("zones", "every zone's watermarks, sizes and free blocks")->callback([&cli] {
        cli.action = [&cli] {
            Printer(cli.out, cli.opts)
                .print(mm_request(KLAB_SLAB_CMD_MM_ZONES, nullptr, KLAB_SLAB_A_MM_ZONE, "zones"));
        };
    });
    mm->add_subcommand("buddy", "a block of every order, and a 512-page block split and merged")
        ->callback([&cli] {
            cli.action = [&cli] {
                Printer(cli.out, cli.opts)
                    .print(mm_request(KLAB_SLAB_CMD_MM_BUDDY, nullptr, KLAB_SLAB_A_MM_BLOCK,
                                      "blocks"));
            };
        });
    mm->add_subcommand("walk", "walk the page tables to a page of klabctl's own")->callback([&cli] {
        cli.action = [&cli] { mm_walk(cli); };
    });

    auto fa = std::make_shared<FaultArgs>();
    CLI::App *fault = mm->add_subcommand("fault", "count the faults of first touches");
    fault->add_option("kind", fa->kind, "anon, file or swap (anon pages paged out first)")
        ->required()
        ->check(CLI::IsMember({"anon", "file", "swap"}));
    fault->add_option("--pages", fa->pages, "pages to touch")->check(CLI::Range(1, 65536));
    fault->add_option("--file", fa->file, "the file to map (file)");
    fault->callback([&cli, fa] {
        if (fa->kind == "file" && fa->file.empty())
            throw CLI::ValidationError("--file", "needed for file faults");
        cli.action = [&cli, fa] { mm_fault(cli, *fa); };
    });
}

} // namespace klab
