// SPDX-License-Identifier: GPL-2.0
// klabctl slab: the slabcache module (a slab allocator with magazines).
//
//   klabctl slab list | show NAME | stats
//   klabctl slab create NAME SIZE [--align N] [--flags F,...] [--magazine N]
//                                 [--depot-limit N]
//   klabctl slab destroy NAME | shrink [NAME] | validate NAME
//   klabctl slab alloc NAME COUNT [--atomic] [--zero] [--offsets]
//   klabctl slab free NAME COUNT | bug NAME KIND
//   klabctl slab run [--threads K] [--seconds S] [--size B] [--flags F,...]
//                    [--cache NAME] [--no-wait | --status | --stop]
//   klabctl slab bench IMPL TEST [--size B] [--bulk N] [--loops N]
//   klabctl slab mm zones | buddy | walk | fault KIND (slab_mm.cpp)
#include "error.hpp"
#include "genl.hpp"
#include "module.hpp"
#include "slab_attrs.hpp"

#include <klab/slab.h>
#include <netlink/genl/genl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace klab {

// klabctl slab mm: slabcache's memory-management observer (slab_mm.cpp)
void add_slab_mm(CLI::App &mod, Cli &cli);

const Module slab_module = {
    .name = "slab",
    .kmod = "slabcache",
    .family = KLAB_SLAB_FAMILY_NAME,
    .version = KLAB_SLAB_FAMILY_VERSION,
    .description = "slabcache: slab allocator",
};

namespace {

using slab::Attrs;
using slab::decode_into;
using slab::flags_of;
using slab::parse_msg;
using slab::parse_nest;

// Names of enum klab_slab_bug, enum klab_slab_impl and enum klab_slab_bench,
// in their order.
constexpr const char *kBugs[] = {
    "redzone-right", "redzone-left",  "use-after-free", "double-free",
    "foreign-free",  "interior-free", "freelist",
};
static_assert(std::size(kBugs) == __KLAB_SLAB_BUG_END);

constexpr const char *kImpls[] = {"slabcache", "kmem_cache"};
static_assert(std::size(kImpls) == __KLAB_SLAB_IMPL_END);

constexpr const char *kBenches[] = {"pair", "bulk", "concurrent", "hold", "release"};
static_assert(std::size(kBenches) == __KLAB_SLAB_BENCH_END);

template <size_t N> std::vector<std::string> names(const char *const (&table)[N])
{
    return std::vector<std::string>(table, table + N);
}

template <size_t N> uint32_t index_of(const char *const (&table)[N], const std::string &name)
{
    for (size_t i = 0; i < N; i++)
        if (name == table[i])
            return static_cast<uint32_t>(i);
    throw CLI::ValidationError(name, "unknown");
}

uint32_t parse_flags(const std::string &text)
{
    return flags_of(text).value_or(0);
}

// --flags is checked while parsing, so a typo is a usage error
const CLI::Validator kFlagsValidator(
    [](std::string &text) {
        return flags_of(text) ? std::string()
                              : "unknown flag in \"" + text +
                                    "\" (red_zone, poison, store_user, hwcache_align, ctor)";
    },
    "FLAG,...");

Json decode_cache(struct nlattr *nest)
{
    Attrs tb = parse_nest(nest);
    Json cache;

    decode_into(cache, tb);
    if (tb[KLAB_SLAB_A_CPUS]) {
        Json cpus = Json::array();
        struct nlattr *cpu;
        int rem;

        nla_for_each_nested(cpu, tb[KLAB_SLAB_A_CPUS], rem)
        {
            Json c;
            decode_into(c, parse_nest(cpu));
            cpus.push_back(c);
        }
        cache["cpus"] = cpus;
    }
    return cache;
}

Json record()
{
    return Json{{"module", slab_module.kmod}};
}

void put_name(struct nl_msg *msg, const std::string &name)
{
    if (nla_put_string(msg, KLAB_SLAB_A_NAME, name.c_str()) < 0)
        throw Error("cannot build netlink message");
}

void put_u32(struct nl_msg *msg, int attr, uint32_t v)
{
    if (nla_put_u32(msg, attr, v) < 0)
        throw Error("cannot build netlink message");
}

// Send @cmd with what @fill adds and return the reply's fields.
Json simple_request(uint8_t cmd, const GenlSocket::Filler &fill)
{
    GenlSocket sock;
    Family family = open_family(sock, slab_module);
    Json rec = record();

    sock.request(family, cmd, fill, [&](struct nlmsghdr *nlh) {
        Attrs tb = parse_msg(nlh);
        if (tb[KLAB_SLAB_A_CACHE])
            rec.update(decode_cache(tb[KLAB_SLAB_A_CACHE]));
        decode_into(rec, tb);
        if (tb[KLAB_SLAB_A_OFFSETS]) {
            std::vector<uint32_t> off(nla_len(tb[KLAB_SLAB_A_OFFSETS]) / sizeof(uint32_t));
            memcpy(off.data(), nla_data(tb[KLAB_SLAB_A_OFFSETS]), off.size() * sizeof(uint32_t));
            rec["offsets"] = off;
        }
    });
    return rec;
}

void slab_list(Cli &cli)
{
    GenlSocket sock;
    Family family = open_family(sock, slab_module);
    Json rec = record();
    Json caches = Json::array();

    sock.dump(family, KLAB_SLAB_CMD_LIST, nullptr, [&](struct nlmsghdr *nlh) {
        Attrs tb = parse_msg(nlh);
        if (tb[KLAB_SLAB_A_CACHE])
            caches.push_back(decode_cache(tb[KLAB_SLAB_A_CACHE]));
    });
    rec["caches"] = caches;
    Printer(cli.out, cli.opts).print(rec);
}

void slab_stats(Cli &cli)
{
    Printer(cli.out, cli.opts).print(simple_request(KLAB_CMD_INFO, nullptr));
}

struct CreateArgs {
    std::string name;
    uint32_t size = 0;
    std::optional<uint32_t> align, magazine, depot_limit;
    std::string flags;
};

void slab_create(Cli &cli, const CreateArgs &a)
{
    uint32_t flags = parse_flags(a.flags);
    Json rec = simple_request(KLAB_SLAB_CMD_CREATE, [&](struct nl_msg *msg) {
        put_name(msg, a.name);
        put_u32(msg, KLAB_SLAB_A_OBJECT_SIZE, a.size);
        put_u32(msg, KLAB_SLAB_A_FLAGS, flags);
        if (a.align)
            put_u32(msg, KLAB_SLAB_A_ALIGN, *a.align);
        if (a.magazine)
            put_u32(msg, KLAB_SLAB_A_MAG_SIZE, *a.magazine);
        if (a.depot_limit)
            put_u32(msg, KLAB_SLAB_A_DEPOT_LIMIT, *a.depot_limit);
    });
    Printer(cli.out, cli.opts).print(rec);
}

struct AllocArgs {
    std::string name;
    uint32_t count = 0;
    bool atomic = false;
    bool zero = false;
    bool offsets = false;
};

void slab_alloc(Cli &cli, const AllocArgs &a)
{
    Json rec = simple_request(KLAB_SLAB_CMD_ALLOC, [&](struct nl_msg *msg) {
        put_name(msg, a.name);
        put_u32(msg, KLAB_SLAB_A_COUNT, a.count);
        if ((a.atomic && nla_put_flag(msg, KLAB_SLAB_A_GFP_ATOMIC) < 0) ||
            (a.zero && nla_put_flag(msg, KLAB_SLAB_A_GFP_ZERO) < 0))
            throw Error("cannot build netlink message");
    });
    if (!a.offsets)
        rec.erase("offsets");
    Printer(cli.out, cli.opts).print(rec);
}

struct RunArgs {
    uint32_t threads = 2;
    double seconds = 1;
    uint32_t size = 256;
    std::string flags;
    std::string cache;
    bool no_wait = false;
    bool status = false;
    bool stop = false;
};

Json run_status()
{
    return simple_request(KLAB_SLAB_CMD_RUN_STATUS, nullptr);
}

// Progress on stderr while the workload runs: a line that redraws itself
// on a terminal, one line every few seconds otherwise.
void show_progress(const Json &st, bool tty, int tick)
{
    double elapsed = st.value("elapsed_ns", uint64_t{0}) / 1e9;
    double total = st.value("ms", uint32_t{0}) / 1e3;
    char line[160];

    snprintf(line, sizeof(line), "run: %.1f/%.1f s, %llu allocations, %llu frees, %llu errors",
             elapsed, total, static_cast<unsigned long long>(st.value("allocs", uint64_t{0})),
             static_cast<unsigned long long>(st.value("frees", uint64_t{0})),
             static_cast<unsigned long long>(st.value("errors", uint64_t{0})));
    if (tty)
        std::cerr << '\r' << line << std::flush;
    else if (tick % 10 == 0)
        std::cerr << line << '\n';
}

void slab_run(Cli &cli, const RunArgs &a)
{
    Printer printer(cli.out, cli.opts);
    Json st;

    if (a.status || a.stop) {
        st = simple_request(a.stop ? KLAB_SLAB_CMD_RUN_STOP : KLAB_SLAB_CMD_RUN_STATUS, nullptr);
        printer.print(st);
        return;
    }
    uint32_t flags = parse_flags(a.flags);
    st = simple_request(KLAB_SLAB_CMD_RUN, [&](struct nl_msg *msg) {
        put_u32(msg, KLAB_SLAB_A_RUN_THREADS, a.threads);
        put_u32(msg, KLAB_SLAB_A_RUN_MS, static_cast<uint32_t>(a.seconds * 1000));
        if (!a.cache.empty()) {
            put_name(msg, a.cache);
        } else {
            put_u32(msg, KLAB_SLAB_A_OBJECT_SIZE, a.size);
            put_u32(msg, KLAB_SLAB_A_FLAGS, flags);
        }
    });
    if (a.no_wait) {
        printer.print(st);
        return;
    }
    bool tty = isatty(STDERR_FILENO);
    for (int tick = 0; st.value("running", 0) != 0; tick++) {
        show_progress(st, tty, tick);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        st = run_status();
    }
    if (tty)
        std::cerr << '\n';
    printer.print(st);
    uint64_t errors = st.value("errors", uint64_t{0}), leaked = st.value("leaked", uint64_t{0});
    if (errors || leaked)
        throw Error("the workload found " + std::to_string(errors) + " error(s) and " +
                    std::to_string(leaked) + " leaked object(s)");
}

struct BenchArgs {
    std::string impl;
    std::string test;
    uint32_t size = 256;
    uint32_t bulk = 1;
    uint32_t loops = 100000;
};

void slab_bench(Cli &cli, const BenchArgs &a)
{
    uint32_t impl = index_of(kImpls, a.impl), test = index_of(kBenches, a.test);
    Json rec = simple_request(KLAB_SLAB_CMD_BENCH, [&](struct nl_msg *msg) {
        put_u32(msg, KLAB_SLAB_A_BENCH_IMPL, impl);
        put_u32(msg, KLAB_SLAB_A_BENCH_TEST, test);
        put_u32(msg, KLAB_SLAB_A_OBJECT_SIZE, a.size);
        put_u32(msg, KLAB_SLAB_A_BENCH_BULK, a.bulk);
        put_u32(msg, KLAB_SLAB_A_BENCH_LOOPS, a.loops);
    });
    rec["impl"] = a.impl;
    rec["test"] = a.test;
    rec["size"] = a.size;
    if (a.test == "bulk")
        rec["bulk"] = a.bulk;
    uint64_t ops = rec.value("ops", uint64_t{0}), ns = rec.value("time_ns", uint64_t{0});
    if (ops && a.test != "release")
        rec["ns_per_op"] = static_cast<double>(ns) / static_cast<double>(ops);
    Printer(cli.out, cli.opts).print(rec);
}

void add_cache_verbs(CLI::App &mod, Cli &cli)
{
    mod.add_subcommand("list", "list every cache")->callback([&cli] {
        cli.action = [&cli] { slab_list(cli); };
    });
    mod.add_subcommand("stats", "module-wide counters")->callback([&cli] {
        cli.action = [&cli] { slab_stats(cli); };
    });

    auto name = std::make_shared<std::string>();
    CLI::App *show = mod.add_subcommand("show", "one cache, with its per-CPU counters");
    show->add_option("name", *name, "cache name")->required();
    show->callback([&cli, name] {
        cli.action = [&cli, name] {
            Printer(cli.out, cli.opts)
                .print(simple_request(KLAB_SLAB_CMD_GET,
                                      [name](struct nl_msg *msg) { put_name(msg, *name); }));
        };
    });

    auto ca = std::make_shared<CreateArgs>();
    CLI::App *create = mod.add_subcommand("create", "create a test cache (needs CAP_NET_ADMIN)");
    create->add_option("name", ca->name, "cache name")->required();
    create->add_option("size", ca->size, "object size in bytes")->required();
    create->add_option("--align", ca->align, "object alignment, a power of two");
    create
        ->add_option("--flags", ca->flags,
                     "comma-separated: red_zone, poison, store_user, hwcache_align, ctor")
        ->check(kFlagsValidator);
    create->add_option("--magazine", ca->magazine, "rounds per magazine (0: none)");
    create->add_option("--depot-limit", ca->depot_limit, "full magazines the depot keeps");
    create->callback([&cli, ca] { cli.action = [&cli, ca] { slab_create(cli, *ca); }; });

    // destroy, shrink and validate take a name and print the reply
    struct NameVerb {
        const char *verb;
        const char *help;
        uint8_t cmd;
        bool optional;
    };
    static const NameVerb kNameVerbs[] = {
        {"destroy", "destroy a test cache, reporting leaked objects", KLAB_SLAB_CMD_DESTROY, false},
        {"shrink", "give back free slabs and magazines (of every cache without NAME)",
         KLAB_SLAB_CMD_SHRINK, true},
        {"validate", "check every object of a cache", KLAB_SLAB_CMD_VALIDATE, false},
    };
    for (const NameVerb &v : kNameVerbs) {
        auto arg = std::make_shared<std::string>();
        CLI::App *sub = mod.add_subcommand(v.verb, v.help);
        CLI::Option *opt = sub->add_option("name", *arg, "cache name");
        if (!v.optional)
            opt->required();
        uint8_t cmd = v.cmd;
        sub->callback([&cli, arg, cmd] {
            cli.action = [&cli, arg, cmd] {
                Printer(cli.out, cli.opts).print(simple_request(cmd, [arg](struct nl_msg *msg) {
                    if (!arg->empty())
                        put_name(msg, *arg);
                }));
            };
        });
    }
}

void add_object_verbs(CLI::App &mod, Cli &cli)
{
    auto aa = std::make_shared<AllocArgs>();
    CLI::App *alloc = mod.add_subcommand("alloc", "allocate objects into a test cache's hold");
    alloc->add_option("name", aa->name, "test cache")->required();
    alloc->add_option("count", aa->count, "objects")->required()->check(CLI::PositiveNumber);
    alloc->add_flag("--atomic", aa->atomic, "GFP_ATOMIC, with interrupts disabled");
    alloc->add_flag("--zero", aa->zero, "__GFP_ZERO");
    alloc->add_flag("--offsets", aa->offsets, "show each object's offset in its slab");
    alloc->callback([&cli, aa] { cli.action = [&cli, aa] { slab_alloc(cli, *aa); }; });

    auto fname = std::make_shared<std::string>();
    auto fcount = std::make_shared<uint32_t>();
    CLI::App *fr = mod.add_subcommand("free", "free held objects, the last allocated first");
    fr->add_option("name", *fname, "test cache")->required();
    fr->add_option("count", *fcount, "objects")->required()->check(CLI::PositiveNumber);
    fr->callback([&cli, fname, fcount] {
        cli.action = [&cli, fname, fcount] {
            Printer(cli.out, cli.opts)
                .print(simple_request(KLAB_SLAB_CMD_FREE, [&](struct nl_msg *msg) {
                    put_name(msg, *fname);
                    put_u32(msg, KLAB_SLAB_A_COUNT, *fcount);
                }));
        };
    });

    auto bname = std::make_shared<std::string>();
    auto bkind = std::make_shared<std::string>();
    CLI::App *bug = mod.add_subcommand("bug", "plant a bug in a test cache (test_bugs=1)");
    bug->add_option("name", *bname, "test cache")->required();
    bug->add_option("kind", *bkind, "the bug")->required()->check(CLI::IsMember(names(kBugs)));
    bug->callback([&cli, bname, bkind] {
        cli.action = [&cli, bname, bkind] {
            uint32_t kind = index_of(kBugs, *bkind);
            Json rec = simple_request(KLAB_SLAB_CMD_BUG, [&](struct nl_msg *msg) {
                put_name(msg, *bname);
                put_u32(msg, KLAB_SLAB_A_BUG, kind);
            });
            rec["planted"] = *bkind;
            Printer(cli.out, cli.opts).print(rec);
        };
    });
}

void add_run_verbs(CLI::App &mod, Cli &cli)
{
    auto ra = std::make_shared<RunArgs>();
    CLI::App *run = mod.add_subcommand("run", "run the in-kernel workload and report errors");
    run->add_option("--threads", ra->threads, "kthreads")->check(CLI::Range(1, 64));
    run->add_option("--seconds", ra->seconds, "how long")->check(CLI::Range(0.001, 3600.0));
    run->add_option("--size", ra->size, "object size of the workload's own cache");
    run->add_option("--flags", ra->flags, "debug flags of the workload's own cache")
        ->check(kFlagsValidator);
    run->add_option("--cache", ra->cache, "run on this test cache instead");
    run->add_flag("--no-wait", ra->no_wait, "start and return");
    run->add_flag("--status", ra->status, "show the current or last run");
    run->add_flag("--stop", ra->stop, "end the current run now");
    run->callback([&cli, ra] { cli.action = [&cli, ra] { slab_run(cli, *ra); }; });

    auto ba = std::make_shared<BenchArgs>();
    CLI::App *bench = mod.add_subcommand("bench", "measure slabcache or kmem_cache (SLUB)");
    bench->add_option("impl", ba->impl, "allocator")
        ->required()
        ->check(CLI::IsMember(names(kImpls)));
    bench->add_option("test", ba->test, "measurement")
        ->required()
        ->check(CLI::IsMember(names(kBenches)));
    bench->add_option("--size", ba->size, "object size");
    bench->add_option("--bulk", ba->bulk, "objects per bulk call");
    bench->add_option("--loops", ba->loops, "pairs or bulk calls (objects for hold)");
    bench->callback([&cli, ba] { cli.action = [&cli, ba] { slab_bench(cli, *ba); }; });
}

} // namespace

void add_slab(CLI::App &mod, Cli &cli)
{
    add_cache_verbs(mod, cli);
    add_object_verbs(mod, cli);
    add_run_verbs(mod, cli);
    add_slab_mm(mod, cli);
}

} // namespace klab
