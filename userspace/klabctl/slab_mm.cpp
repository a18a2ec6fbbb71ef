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
#include "slab_attrs.hpp"

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

using slab::Attrs;
using slab::decode_into;
using slab::parse_msg;
using slab::parse_nest;

// Send @cmd (with @fill's attributes); the reply's fields, each nest of
// @nest_attr decoded into the array @nest_key.
Json mm_request(uint8_t cmd, const GenlSocket::Filler &fill, int nest_attr = 0,
                const char *nest_key = nullptr)
{
    GenlSocket sock;
    Family family = open_family(sock, slab_module);
    Json rec{{"module", slab_module.kmod}};

    sock.request(family, cmd, fill, [&](struct nlmsghdr *nlh) {
        decode_into(rec, parse_msg(nlh));
        if (!nest_attr)
            return;
        Json items = Json::array();
        struct nlattr *a;
        int rem;
        nlmsg_for_each_attr(a, nlh, GENL_HDRLEN, rem)
        {
            if (nla_type(a) != nest_attr)
                continue;
            Json item = Json::object();
            decode_into(item, parse_nest(a));
            items.push_back(item);
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
