// SPDX-License-Identifier: GPL-2.0
// klabctl chardev: the chardev module (character devices and a blk-mq RAM disk).
#include "error.hpp"
#include "genl.hpp"
#include "module.hpp"

#include <klab/chardev.h>
#include <netlink/genl/genl.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace klab {

const Module chardev_module = {
    .name = "chardev",
    .kmod = "chardev",
    .family = KLAB_CHARDEV_FAMILY_NAME,
    .version = KLAB_CHARDEV_FAMILY_VERSION,
    .description = "chardev: character devices and a blk-mq RAM disk",
};

// ---- character devices and the interrupt source (chr) ----------------

namespace {

using ChrPolicy = std::array<struct nla_policy, KLAB_CHARDEV_A_CHR_MAX + 1>;
using ChrAttrs = std::array<struct nlattr *, KLAB_CHARDEV_A_CHR_MAX + 1>;

const ChrPolicy &chr_policy()
{
    static const ChrPolicy policy = [] {
        ChrPolicy p{};
        p[KLAB_CHARDEV_A_DEVS].type = NLA_NESTED;
        p[KLAB_CHARDEV_A_DEV].type = NLA_NESTED;
        p[KLAB_CHARDEV_A_DEV_NAME].type = NLA_STRING;
        for (int a : {KLAB_CHARDEV_A_DEV_KIND, KLAB_CHARDEV_A_DEV_MAJOR, KLAB_CHARDEV_A_DEV_MINOR,
                      KLAB_CHARDEV_A_DEV_OPENS, KLAB_CHARDEV_A_IRQ_NUM, KLAB_CHARDEV_A_IRQ_MODE,
                      KLAB_CHARDEV_A_IRQ_RATE_HZ, KLAB_CHARDEV_A_IRQ_COUNT,
                      KLAB_CHARDEV_A_IRQ_SHARED, KLAB_CHARDEV_A_IRQ_SHARED_NUM})
            p[a].type = NLA_U32;
        for (int a : {KLAB_CHARDEV_A_DEV_SIZE, KLAB_CHARDEV_A_DEV_CAPACITY,
                      KLAB_CHARDEV_A_DEV_BYTES_READ, KLAB_CHARDEV_A_DEV_BYTES_WRITTEN,
                      KLAB_CHARDEV_A_IRQ_TOP, KLAB_CHARDEV_A_IRQ_BOTTOM, KLAB_CHARDEV_A_IRQ_BH_RUNS,
                      KLAB_CHARDEV_A_IRQ_OVERRUNS, KLAB_CHARDEV_A_IRQ_RECORDS_DROPPED,
                      KLAB_CHARDEV_A_IRQ_LAT_LAST_NS, KLAB_CHARDEV_A_IRQ_LAT_MAX_NS,
                      KLAB_CHARDEV_A_IRQ_LAT_AVG_NS, KLAB_CHARDEV_A_IRQ_MERGED,
                      KLAB_CHARDEV_A_IRQ_BH_OVERLAPS, KLAB_CHARDEV_A_IRQ_BH_IN_TASK,
                      KLAB_CHARDEV_A_IRQ_BH_SLEPT, KLAB_CHARDEV_A_IRQ_SHARED_CALLS})
            p[a].type = NLA_U64;
        return p;
    }();
    return policy;
}

// Attributes above the chr range (the blk half's) are skipped.
ChrAttrs parse_chr(struct nlmsghdr *nlh)
{
    ChrAttrs tb{};

    if (genlmsg_parse(nlh, 0, tb.data(), KLAB_CHARDEV_A_CHR_MAX,
                      const_cast<struct nla_policy *>(chr_policy().data())) < 0)
        throw Error(std::string("malformed message from family ") + chardev_module.family);
    return tb;
}

const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case KLAB_CHARDEV_KIND_SCULL:
        return "scull";
    case KLAB_CHARDEV_KIND_PIPE:
        return "pipe";
    default:
        return "unknown";
    }
}

const char *mode_name(uint32_t mode)
{
    return mode == KLAB_CHARDEV_IRQ_WORKQUEUE ? "workqueue" : "tasklet";
}

void put_u64(Json &j, const char *key, struct nlattr *attr)
{
    if (attr)
        j[key] = nla_get_u64(attr);
}

Json decode_dev(struct nlattr *nest)
{
    ChrAttrs tb{};
    Json dev;

    if (nla_parse_nested(tb.data(), KLAB_CHARDEV_A_CHR_MAX, nest,
                         const_cast<struct nla_policy *>(chr_policy().data())) < 0)
        throw Error("malformed device entry");
    if (tb[KLAB_CHARDEV_A_DEV_NAME])
        dev["name"] = nla_get_string(tb[KLAB_CHARDEV_A_DEV_NAME]);
    if (tb[KLAB_CHARDEV_A_DEV_KIND])
        dev["kind"] = kind_name(nla_get_u32(tb[KLAB_CHARDEV_A_DEV_KIND]));
    if (tb[KLAB_CHARDEV_A_DEV_MAJOR] && tb[KLAB_CHARDEV_A_DEV_MINOR])
        dev["dev"] = std::to_string(nla_get_u32(tb[KLAB_CHARDEV_A_DEV_MAJOR])) + ":" +
                     std::to_string(nla_get_u32(tb[KLAB_CHARDEV_A_DEV_MINOR]));
    put_u64(dev, "size", tb[KLAB_CHARDEV_A_DEV_SIZE]);
    put_u64(dev, "capacity", tb[KLAB_CHARDEV_A_DEV_CAPACITY]);
    if (tb[KLAB_CHARDEV_A_DEV_OPENS])
        dev["opens"] = nla_get_u32(tb[KLAB_CHARDEV_A_DEV_OPENS]);
    put_u64(dev, "bytes_read", tb[KLAB_CHARDEV_A_DEV_BYTES_READ]);
    put_u64(dev, "bytes_written", tb[KLAB_CHARDEV_A_DEV_BYTES_WRITTEN]);
    return dev;
}

Json fetch_devices(GenlSocket &sock, const Family &family)
{
    Json devs = Json::array();

    sock.request(family, KLAB_CHARDEV_CMD_LIST, nullptr, [&](struct nlmsghdr *nlh) {
        ChrAttrs tb = parse_chr(nlh);
        struct nlattr *nest;
        int rem;

        if (!tb[KLAB_CHARDEV_A_DEVS])
            return;
        nla_for_each_nested(nest, tb[KLAB_CHARDEV_A_DEVS], rem)
        {
            if (nla_type(nest) == KLAB_CHARDEV_A_DEV)
                devs.push_back(decode_dev(nest));
        }
    });
    return devs;
}

Json fetch_irq(GenlSocket &sock, const Family &family)
{
    Json irq;

    sock.request(family, KLAB_CHARDEV_CMD_IRQ_GET, nullptr, [&](struct nlmsghdr *nlh) {
        ChrAttrs tb = parse_chr(nlh);

        if (tb[KLAB_CHARDEV_A_IRQ_NUM])
            irq["irq"] = nla_get_u32(tb[KLAB_CHARDEV_A_IRQ_NUM]);
        if (tb[KLAB_CHARDEV_A_IRQ_MODE])
            irq["mode"] = mode_name(nla_get_u32(tb[KLAB_CHARDEV_A_IRQ_MODE]));
        if (tb[KLAB_CHARDEV_A_IRQ_RATE_HZ])
            irq["rate_hz"] = nla_get_u32(tb[KLAB_CHARDEV_A_IRQ_RATE_HZ]);
        put_u64(irq, "top_halves", tb[KLAB_CHARDEV_A_IRQ_TOP]);
        put_u64(irq, "bottom_halves", tb[KLAB_CHARDEV_A_IRQ_BOTTOM]);
        put_u64(irq, "bh_runs", tb[KLAB_CHARDEV_A_IRQ_BH_RUNS]);
        put_u64(irq, "overruns", tb[KLAB_CHARDEV_A_IRQ_OVERRUNS]);
        put_u64(irq, "records_dropped", tb[KLAB_CHARDEV_A_IRQ_RECORDS_DROPPED]);
        put_u64(irq, "latency_last_ns", tb[KLAB_CHARDEV_A_IRQ_LAT_LAST_NS]);
        put_u64(irq, "latency_max_ns", tb[KLAB_CHARDEV_A_IRQ_LAT_MAX_NS]);
        put_u64(irq, "latency_avg_ns", tb[KLAB_CHARDEV_A_IRQ_LAT_AVG_NS]);
        put_u64(irq, "merged", tb[KLAB_CHARDEV_A_IRQ_MERGED]);
        put_u64(irq, "bh_overlaps", tb[KLAB_CHARDEV_A_IRQ_BH_OVERLAPS]);
        put_u64(irq, "bh_in_task", tb[KLAB_CHARDEV_A_IRQ_BH_IN_TASK]);
        put_u64(irq, "bh_slept", tb[KLAB_CHARDEV_A_IRQ_BH_SLEPT]);
        if (tb[KLAB_CHARDEV_A_IRQ_SHARED])
            irq["shared_handlers"] = nla_get_u32(tb[KLAB_CHARDEV_A_IRQ_SHARED]);
        if (tb[KLAB_CHARDEV_A_IRQ_SHARED_NUM])
            irq["shared_irq"] = nla_get_u32(tb[KLAB_CHARDEV_A_IRQ_SHARED_NUM]);
        put_u64(irq, "shared_calls", tb[KLAB_CHARDEV_A_IRQ_SHARED_CALLS]);
    });
    return irq;
}

Json record()
{
    return Json{{"module", chardev_module.kmod}};
}

void chr_list(Cli &cli)
{
    GenlSocket sock;
    Family family = open_family(sock, chardev_module);
    Json rec = record();

    rec["devices"] = fetch_devices(sock, family);
    Printer(cli.out, cli.opts).print(rec);
}

void chr_stats(Cli &cli)
{
    GenlSocket sock;
    Family family = open_family(sock, chardev_module);
    Json rec = record();
    uint64_t rd = 0, wr = 0;

    Json devs = fetch_devices(sock, family);
    for (const Json &d : devs) {
        rd += d.value("bytes_read", uint64_t{0});
        wr += d.value("bytes_written", uint64_t{0});
    }
    rec["devices"] = devs.size();
    rec["bytes_read"] = rd;
    rec["bytes_written"] = wr;
    rec["irq"] = fetch_irq(sock, family);
    Printer(cli.out, cli.opts).print(rec);
}

void chr_irq_show(Cli &cli)
{
    GenlSocket sock;
    Family family = open_family(sock, chardev_module);
    Json rec = record();

    rec.update(fetch_irq(sock, family));
    Printer(cli.out, cli.opts).print(rec);
}

struct IrqFireArgs {
    uint32_t count = 0;
    bool all_cpus = false;
};

void chr_irq_fire(const IrqFireArgs &args)
{
    GenlSocket sock;
    Family family = open_family(sock, chardev_module);

    sock.request(
        family, KLAB_CHARDEV_CMD_IRQ_FIRE,
        [&args](struct nl_msg *msg) {
            if (nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_COUNT, args.count) < 0 ||
                (args.all_cpus && nla_put_flag(msg, KLAB_CHARDEV_A_IRQ_ALL_CPUS) < 0))
                throw Error("cannot build netlink message");
        },
        nullptr);
}

struct IrqSetArgs {
    std::string mode;
    int64_t rate_hz = -1;
    int64_t shared = -1;
};

void chr_irq_set(const IrqSetArgs &args)
{
    GenlSocket sock;
    Family family = open_family(sock, chardev_module);

    sock.request(
        family, KLAB_CHARDEV_CMD_IRQ_SET,
        [&args](struct nl_msg *msg) {
            if (!args.mode.empty() &&
                nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_MODE,
                            args.mode == "workqueue" ? KLAB_CHARDEV_IRQ_WORKQUEUE
                                                     : KLAB_CHARDEV_IRQ_TASKLET) < 0)
                throw Error("cannot build netlink message");
            if (args.rate_hz >= 0 && nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_RATE_HZ,
                                                 static_cast<uint32_t>(args.rate_hz)) < 0)
                throw Error("cannot build netlink message");
            if (args.shared >= 0 &&
                nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_SHARED, static_cast<uint32_t>(args.shared)) < 0)
                throw Error("cannot build netlink message");
        },
        nullptr);
}

void add_chr(CLI::App &mod, Cli &cli)
{
    mod.add_subcommand("list", "list the character devices with their counters")->callback([&cli] {
        cli.action = [&cli] { chr_list(cli); };
    });
    mod.add_subcommand("stats", "byte totals and interrupt-source counters")->callback([&cli] {
        cli.action = [&cli] { chr_stats(cli); };
    });

    CLI::App *irq = mod.add_subcommand("irq", "the interrupt source");
    irq->require_subcommand(1);
    irq->add_subcommand("show", "show the interrupt source's settings and counters")
        ->callback([&cli] { cli.action = [&cli] { chr_irq_show(cli); }; });

    auto fa = std::make_shared<IrqFireArgs>();
    CLI::App *fire =
        irq->add_subcommand("fire", "raise the interrupt N times (needs CAP_NET_ADMIN)");
    fire->add_option("count", fa->count, "how many interrupts")->required();
    fire->add_flag("--all-cpus", fa->all_cpus, "raise it on every online CPU at once, each time");
    fire->callback([&cli, fa] { cli.action = [fa] { chr_irq_fire(*fa); }; });

    auto args = std::make_shared<IrqSetArgs>();
    CLI::App *set = irq->add_subcommand("set", "change the bottom half, the timer rate or the "
                                               "shared line's handlers (needs CAP_NET_ADMIN)");
    set->add_option("--mode", args->mode, "bottom half")
        ->check(CLI::IsMember({"tasklet", "workqueue"}));
    set->add_option("--rate", args->rate_hz, "timer rate in Hz, 0 = off")
        ->check(CLI::Range(int64_t{0}, int64_t{UINT32_MAX}));
    set->add_option("--shared", args->shared,
                    "IRQF_SHARED handlers on the shared line, then raise it once")
        ->check(CLI::Range(int64_t{0}, int64_t{UINT32_MAX}));
    set->callback([&cli, args] {
        if (args->mode.empty() && args->rate_hz < 0 && args->shared < 0)
            throw CLI::ValidationError("irq set", "give --mode, --rate and/or --shared");
        cli.action = [args] { chr_irq_set(*args); };
    });
}

} // namespace

// ---- end of chr ---------------------------------------------------------

// ---- the block device (blk): klabctl chardev blk add|del|list|stats ----

namespace {

using BlkPolicy = std::array<struct nla_policy, KLAB_CHARDEV_A_MAX + 1>;

constexpr std::array<const char *, 3> kBlkIrqModes = {"none", "softirq", "timer"};
// null_blk's numbers: 0 bio, 2 mq (1, its legacy request mode, is gone)
constexpr std::array<const char *, 3> kBlkQueueModes = {"bio", "rq", "mq"};
// by bits: KLAB_CHARDEV_BLK_FAULT_READ, _WRITE
constexpr std::array<const char *, 4> kBlkFaultOps = {"none", "read", "write", "rw"};
constexpr std::array<const char *, 2> kBlkTimeoutActions = {"error", "requeue"};

// The u64 counters of BLK_STATS, by JSON key (as in configfs "stats")
struct BlkCounter {
    const char *key;
    int attr;
};

constexpr BlkCounter kBlkCounters[] = {
    {"pages", KLAB_CHARDEV_A_BLK_PAGES},
    {"requests", KLAB_CHARDEV_A_BLK_REQUESTS},
    {"bytes_read", KLAB_CHARDEV_A_BLK_BYTES_READ},
    {"bytes_written", KLAB_CHARDEV_A_BLK_BYTES_WRITTEN},
    {"io_errors", KLAB_CHARDEV_A_BLK_IO_ERRORS},
    {"merges_read", KLAB_CHARDEV_A_BLK_MERGES_READ},
    {"merges_write", KLAB_CHARDEV_A_BLK_MERGES_WRITE},
    {"flushes", KLAB_CHARDEV_A_BLK_FLUSHES},
    {"fua", KLAB_CHARDEV_A_BLK_FUA},
    {"cache_pages", KLAB_CHARDEV_A_BLK_CACHE_PAGES},
    {"cache_dirty_bytes", KLAB_CHARDEV_A_BLK_CACHE_DIRTY_BYTES},
    {"cache_writebacks", KLAB_CHARDEV_A_BLK_CACHE_WRITEBACKS},
    {"power_cuts", KLAB_CHARDEV_A_BLK_POWER_CUTS},
    {"dropped_bytes", KLAB_CHARDEV_A_BLK_CACHE_DROPPED_BYTES},
    {"last_dropped_bytes", KLAB_CHARDEV_A_BLK_LAST_DROPPED_BYTES},
    {"fault_errors", KLAB_CHARDEV_A_BLK_FAULT_ERRORS},
    {"fault_timeouts", KLAB_CHARDEV_A_BLK_FAULT_TIMEOUTS},
    {"timeouts", KLAB_CHARDEV_A_BLK_TIMEOUTS},
    {"fault_delays", KLAB_CHARDEV_A_BLK_FAULT_DELAYS},
    {"polled", KLAB_CHARDEV_A_BLK_POLLED},
    {"zone_appends", KLAB_CHARDEV_A_BLK_ZONE_APPENDS},
    {"opens", KLAB_CHARDEV_A_BLK_OPENS},
    {"releases", KLAB_CHARDEV_A_BLK_RELEASES},
};

const BlkPolicy &blk_policy()
{
    static const BlkPolicy policy = [] {
        BlkPolicy p{};
        for (int a : {KLAB_CHARDEV_A_BLK_NAME, KLAB_CHARDEV_A_BLK_DISK})
            p[a].type = NLA_STRING;
        for (int a : {KLAB_CHARDEV_A_BLK_SIZE_MB, KLAB_CHARDEV_A_BLK_COMPLETION_NSEC,
                      KLAB_CHARDEV_A_BLK_DELAY_NSEC, KLAB_CHARDEV_A_BLK_REQUESTS})
            p[a].type = NLA_U64;
        for (const BlkCounter &c : kBlkCounters)
            p[c.attr].type = NLA_U64;
        for (int a : {KLAB_CHARDEV_A_BLK_BLOCKSIZE,
                      KLAB_CHARDEV_A_BLK_QUEUE_MODE,
                      KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES,
                      KLAB_CHARDEV_A_BLK_POLL_QUEUES,
                      KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH,
                      KLAB_CHARDEV_A_BLK_IRQMODE,
                      KLAB_CHARDEV_A_BLK_CACHE_SIZE_MB,
                      KLAB_CHARDEV_A_BLK_ZONE_SIZE_MB,
                      KLAB_CHARDEV_A_BLK_ZONE_CAPACITY_MB,
                      KLAB_CHARDEV_A_BLK_ZONE_NR_CONV,
                      KLAB_CHARDEV_A_BLK_ZONE_MAX_OPEN,
                      KLAB_CHARDEV_A_BLK_ZONE_MAX_ACTIVE,
                      KLAB_CHARDEV_A_BLK_FAULT_OPS,
                      KLAB_CHARDEV_A_BLK_FAIL_NTH,
                      KLAB_CHARDEV_A_BLK_FAIL_PPM,
                      KLAB_CHARDEV_A_BLK_TIMEOUT_NTH,
                      KLAB_CHARDEV_A_BLK_TIMEOUT_ACTION,
                      KLAB_CHARDEV_A_BLK_DELAY_NTH,
                      KLAB_CHARDEV_A_BLK_INDEX,
                      KLAB_CHARDEV_A_BLK_INFLIGHT,
                      KLAB_CHARDEV_A_BLK_NR_ZONES})
            p[a].type = NLA_U32;
        for (int a : {KLAB_CHARDEV_A_BLK_POWERED, KLAB_CHARDEV_A_BLK_CONFIGFS,
                      KLAB_CHARDEV_A_BLK_DISCARD, KLAB_CHARDEV_A_BLK_ZONED})
            p[a].type = NLA_U8;
        for (int a : {KLAB_CHARDEV_A_BLK_DEVICES, KLAB_CHARDEV_A_BLK_DEVICE,
                      KLAB_CHARDEV_A_BLK_QUEUES, KLAB_CHARDEV_A_BLK_QUEUE})
            p[a].type = NLA_NESTED;
        return p;
    }();
    return policy;
}

// The settings of "blk add" and "blk set", by attribute; values are
// checked by the kernel.  Enumerated ones have names (the index is the
// value); u8 ones are on/off.
struct BlkSetting {
    int attr;
    int type; // NLA_U8, NLA_U32 or NLA_U64
    const char *const *names = nullptr;
    size_t nr_names = 0;
};

template <size_t N> BlkSetting blk_enum(int attr, const std::array<const char *, N> &names)
{
    return {attr, NLA_U32, names.data(), N};
}

const std::map<std::string, BlkSetting> kBlkSettings = {
    {"size", {KLAB_CHARDEV_A_BLK_SIZE_MB, NLA_U64}},
    {"blocksize", {KLAB_CHARDEV_A_BLK_BLOCKSIZE, NLA_U32}},
    {"queue-mode", blk_enum(KLAB_CHARDEV_A_BLK_QUEUE_MODE, kBlkQueueModes)},
    {"submit-queues", {KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES, NLA_U32}},
    {"poll-queues", {KLAB_CHARDEV_A_BLK_POLL_QUEUES, NLA_U32}},
    {"hw-queue-depth", {KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH, NLA_U32}},
    {"irqmode", blk_enum(KLAB_CHARDEV_A_BLK_IRQMODE, kBlkIrqModes)},
    {"completion-nsec", {KLAB_CHARDEV_A_BLK_COMPLETION_NSEC, NLA_U64}},
    {"discard", {KLAB_CHARDEV_A_BLK_DISCARD, NLA_U8}},
    {"cache-size", {KLAB_CHARDEV_A_BLK_CACHE_SIZE_MB, NLA_U32}},
    {"zoned", {KLAB_CHARDEV_A_BLK_ZONED, NLA_U8}},
    {"zone-size", {KLAB_CHARDEV_A_BLK_ZONE_SIZE_MB, NLA_U32}},
    {"zone-capacity", {KLAB_CHARDEV_A_BLK_ZONE_CAPACITY_MB, NLA_U32}},
    {"zone-nr-conv", {KLAB_CHARDEV_A_BLK_ZONE_NR_CONV, NLA_U32}},
    {"zone-max-open", {KLAB_CHARDEV_A_BLK_ZONE_MAX_OPEN, NLA_U32}},
    {"zone-max-active", {KLAB_CHARDEV_A_BLK_ZONE_MAX_ACTIVE, NLA_U32}},
    {"fault-ops", blk_enum(KLAB_CHARDEV_A_BLK_FAULT_OPS, kBlkFaultOps)},
    {"fail-nth", {KLAB_CHARDEV_A_BLK_FAIL_NTH, NLA_U32}},
    {"fail-ppm", {KLAB_CHARDEV_A_BLK_FAIL_PPM, NLA_U32}},
    {"timeout-nth", {KLAB_CHARDEV_A_BLK_TIMEOUT_NTH, NLA_U32}},
    {"timeout-action", blk_enum(KLAB_CHARDEV_A_BLK_TIMEOUT_ACTION, kBlkTimeoutActions)},
    {"delay-nth", {KLAB_CHARDEV_A_BLK_DELAY_NTH, NLA_U32}},
    {"delay-nsec", {KLAB_CHARDEV_A_BLK_DELAY_NSEC, NLA_U64}},
    {"power", {KLAB_CHARDEV_A_BLK_POWERED, NLA_U8}},
};

struct BlkAddArgs {
    std::string name;
    std::vector<std::string> settings;
    std::vector<std::pair<BlkSetting, uint64_t>> parsed;
};

uint64_t blk_parse_value(const std::string &key, const BlkSetting &setting,
                         const std::string &value)
{
    if (setting.names) {
        std::string all;
        for (size_t i = 0; i < setting.nr_names; i++) {
            if (value == setting.names[i])
                return i;
            all += (i ? ", " : "") + std::string(setting.names[i]);
        }
        throw CLI::ValidationError(key, "must be one of " + all);
    }
    if (setting.type == NLA_U8) {
        if (value == "on")
            return 1;
        if (value == "off")
            return 0;
        throw CLI::ValidationError(key, "must be on or off");
    }
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos)
        throw CLI::ValidationError(key, "not a number: " + value);
    try {
        return std::stoull(value);
    } catch (const std::out_of_range &) {
        throw CLI::ValidationError(key, "out of range: " + value);
    }
}

// "size 64 blocksize 4096 ...": pairs of a setting and its value.
void blk_parse_settings(BlkAddArgs &args)
{
    const std::vector<std::string> &s = args.settings;

    args.parsed.clear();
    for (size_t i = 0; i < s.size(); i += 2) {
        auto it = kBlkSettings.find(s[i]);
        if (it == kBlkSettings.end())
            throw CLI::ValidationError("setting", "unknown setting \"" + s[i] + "\"");
        if (i + 1 >= s.size())
            throw CLI::ValidationError(s[i], "value missing");
        args.parsed.emplace_back(it->second, blk_parse_value(s[i], it->second, s[i + 1]));
    }
}

void blk_put_name(struct nl_msg *msg, const std::string &name)
{
    if (nla_put_string(msg, KLAB_CHARDEV_A_BLK_NAME, name.c_str()) < 0)
        throw Error("cannot build netlink message");
}

Json blk_decode_queues(struct nlattr *queues)
{
    Json out = Json::array();
    struct nlattr *q;
    int rem;

    nla_for_each_nested(q, queues, rem)
    {
        struct nlattr *tb[KLAB_CHARDEV_A_MAX + 1];

        if (nla_type(q) != KLAB_CHARDEV_A_BLK_QUEUE ||
            nla_parse_nested(tb, KLAB_CHARDEV_A_MAX, q, blk_policy().data()) < 0)
            throw Error("malformed queue in reply");
        Json queue;
        if (tb[KLAB_CHARDEV_A_BLK_INDEX])
            queue["index"] = nla_get_u32(tb[KLAB_CHARDEV_A_BLK_INDEX]);
        if (tb[KLAB_CHARDEV_A_BLK_REQUESTS])
            queue["requests"] = nla_get_u64(tb[KLAB_CHARDEV_A_BLK_REQUESTS]);
        out.push_back(queue);
    }
    return out;
}

Json blk_decode_device(struct nlattr *dev)
{
    struct nlattr *tb[KLAB_CHARDEV_A_MAX + 1];

    if (nla_parse_nested(tb, KLAB_CHARDEV_A_MAX, dev, blk_policy().data()) < 0)
        throw Error("malformed device in reply");

    Json d;
    auto u64 = [&](const char *key, int attr) {
        if (tb[attr])
            d[key] = nla_get_u64(tb[attr]);
    };
    auto u32 = [&](const char *key, int attr) {
        if (tb[attr])
            d[key] = nla_get_u32(tb[attr]);
    };
    auto flag = [&](const char *key, int attr) {
        if (tb[attr])
            d[key] = nla_get_u8(tb[attr]) != 0;
    };
    auto name = [&](const char *key, int attr, const auto &names) {
        if (tb[attr]) {
            uint32_t v = nla_get_u32(tb[attr]);
            d[key] = v < names.size() ? Json(names[v]) : Json(v);
        }
    };
    if (tb[KLAB_CHARDEV_A_BLK_NAME])
        d["name"] = nla_get_string(tb[KLAB_CHARDEV_A_BLK_NAME]);
    if (tb[KLAB_CHARDEV_A_BLK_DISK])
        d["disk"] = nla_get_string(tb[KLAB_CHARDEV_A_BLK_DISK]);
    u32("index", KLAB_CHARDEV_A_BLK_INDEX);
    flag("powered", KLAB_CHARDEV_A_BLK_POWERED);
    flag("configfs", KLAB_CHARDEV_A_BLK_CONFIGFS);
    u64("size_mb", KLAB_CHARDEV_A_BLK_SIZE_MB);
    u32("blocksize", KLAB_CHARDEV_A_BLK_BLOCKSIZE);
    name("queue_mode", KLAB_CHARDEV_A_BLK_QUEUE_MODE, kBlkQueueModes);
    u32("submit_queues", KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES);
    u32("poll_queues", KLAB_CHARDEV_A_BLK_POLL_QUEUES);
    u32("hw_queue_depth", KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH);
    name("irqmode", KLAB_CHARDEV_A_BLK_IRQMODE, kBlkIrqModes);
    u64("completion_nsec", KLAB_CHARDEV_A_BLK_COMPLETION_NSEC);
    flag("discard", KLAB_CHARDEV_A_BLK_DISCARD);
    u32("cache_size_mb", KLAB_CHARDEV_A_BLK_CACHE_SIZE_MB);
    flag("zoned", KLAB_CHARDEV_A_BLK_ZONED);
    u32("zone_size_mb", KLAB_CHARDEV_A_BLK_ZONE_SIZE_MB);
    u32("zone_capacity_mb", KLAB_CHARDEV_A_BLK_ZONE_CAPACITY_MB);
    u32("zone_nr_conv", KLAB_CHARDEV_A_BLK_ZONE_NR_CONV);
    u32("zone_max_open", KLAB_CHARDEV_A_BLK_ZONE_MAX_OPEN);
    u32("zone_max_active", KLAB_CHARDEV_A_BLK_ZONE_MAX_ACTIVE);
    name("fault_ops", KLAB_CHARDEV_A_BLK_FAULT_OPS, kBlkFaultOps);
    u32("fail_nth", KLAB_CHARDEV_A_BLK_FAIL_NTH);
    u32("fail_ppm", KLAB_CHARDEV_A_BLK_FAIL_PPM);
    u32("timeout_nth", KLAB_CHARDEV_A_BLK_TIMEOUT_NTH);
    name("timeout_action", KLAB_CHARDEV_A_BLK_TIMEOUT_ACTION, kBlkTimeoutActions);
    u32("delay_nth", KLAB_CHARDEV_A_BLK_DELAY_NTH);
    u64("delay_nsec", KLAB_CHARDEV_A_BLK_DELAY_NSEC);
    for (const BlkCounter &c : kBlkCounters)
        u64(c.key, c.attr);
    u32("inflight", KLAB_CHARDEV_A_BLK_INFLIGHT);
    u32("nr_zones", KLAB_CHARDEV_A_BLK_NR_ZONES);
    if (tb[KLAB_CHARDEV_A_BLK_QUEUES])
        d["queues"] = blk_decode_queues(tb[KLAB_CHARDEV_A_BLK_QUEUES]);
    return d;
}

// The devices of a BLK_ADD, BLK_LIST or BLK_STATS reply.
Json blk_decode_devices(struct nlmsghdr *nlh)
{
    struct nlattr *tb[KLAB_CHARDEV_A_MAX + 1];
    Json devices = Json::array();
    struct nlattr *dev;
    int rem;

    if (genlmsg_parse(nlh, 0, tb, KLAB_CHARDEV_A_MAX, blk_policy().data()) < 0)
        throw Error("malformed message from family " KLAB_CHARDEV_FAMILY_NAME);
    if (!tb[KLAB_CHARDEV_A_BLK_DEVICES])
        return devices;
    nla_for_each_nested(dev, tb[KLAB_CHARDEV_A_BLK_DEVICES], rem)
    {
        if (nla_type(dev) == KLAB_CHARDEV_A_BLK_DEVICE)
            devices.push_back(blk_decode_device(dev));
    }
    return devices;
}

// Send @cmd (as a dump with @dump) with the attributes of @fill and print
// the devices replied.
void blk_request(Cli &cli, uint8_t cmd, const GenlSocket::Filler &fill, bool dump = false)
{
    GenlSocket sock;
    Family family = open_family(sock, chardev_module);
    Printer printer(cli.out, cli.opts);
    Json devices = Json::array();
    auto collect = [&devices](struct nlmsghdr *nlh) {
        for (Json &d : blk_decode_devices(nlh))
            devices.push_back(std::move(d));
    };

    if (dump)
        sock.dump(family, cmd, fill, collect);
    else
        sock.request(family, cmd, fill, collect);
    printer.print(Json{
        {"module", chardev_module.kmod}, {"family", chardev_module.family}, {"devices", devices}});
}

// one device: a request; every device: a dump, one a message
void blk_show(Cli &cli, uint8_t cmd, const std::string &name)
{
    blk_request(
        cli, cmd,
        [&name](struct nl_msg *msg) {
            if (!name.empty())
                blk_put_name(msg, name);
        },
        name.empty());
}

// BLK_ADD or BLK_SET: the name and the settings given
void blk_change(Cli &cli, uint8_t cmd, const BlkAddArgs &args)
{
    blk_request(cli, cmd, [&args](struct nl_msg *msg) {
        blk_put_name(msg, args.name);
        for (const auto &[setting, value] : args.parsed) {
            int err = setting.type == NLA_U64   ? nla_put_u64(msg, setting.attr, value)
                      : setting.type == NLA_U32 ? nla_put_u32(msg, setting.attr, value)
                                                : nla_put_u8(msg, setting.attr, value);
            if (err < 0)
                throw Error("cannot build netlink message");
        }
    });
}

void blk_del(const std::string &name)
{
    GenlSocket sock;
    Family family = open_family(sock, chardev_module);

    sock.request(
        family, KLAB_CHARDEV_CMD_BLK_DEL, [&name](struct nl_msg *msg) { blk_put_name(msg, name); },
        nullptr);
}

void add_blk(CLI::App &mod, Cli &cli)
{
    CLI::App *blk = mod.add_subcommand("blk", "the RAM disks /dev/klab_blkN");
    blk->require_subcommand(1);

    for (auto [verb, cmd, help] :
         {std::tuple{"add", KLAB_CHARDEV_CMD_BLK_ADD,
                     "create a RAM disk, powered unless power off (needs CAP_NET_ADMIN): "
                     "NAME [size MiB] [blocksize 512|4096] [queue-mode bio|mq] "
                     "[submit-queues N] [poll-queues N] [hw-queue-depth N] "
                     "[irqmode none|softirq|timer] [completion-nsec N] [discard on|off] "
                     "[cache-size MiB] [zoned on|off] [zone-size MiB] [zone-capacity MiB] "
                     "[zone-nr-conv N] [zone-max-open N] [zone-max-active N] "
                     "[fault-ops none|read|write|rw] [fail-nth N] [fail-ppm N] "
                     "[timeout-nth N] [timeout-action error|requeue] [delay-nth N] "
                     "[delay-nsec N] [power on|off]"},
          std::tuple{"set", KLAB_CHARDEV_CMD_BLK_SET,
                     "change a RAM disk (needs CAP_NET_ADMIN): NAME setting value ... "
                     "as for add; power off cuts the power first (unflushed writes are "
                     "lost), the configuration needs the power off, fault injection "
                     "changes at any time, power on comes last"}}) {
        auto args = std::make_shared<BlkAddArgs>();
        CLI::App *sub = blk->add_subcommand(verb, help);
        sub->add_option("name", args->name, "device name")->required();
        sub->add_option("settings", args->settings, "setting value ...");
        uint8_t c = cmd;
        sub->callback([&cli, args, c] {
            blk_parse_settings(*args);
            cli.action = [&cli, args, c] { blk_change(cli, c, *args); };
        });
    }

    auto del_name = std::make_shared<std::string>();
    CLI::App *del = blk->add_subcommand("del", "remove a RAM disk (needs CAP_NET_ADMIN)");
    del->add_option("name", *del_name, "device name")->required();
    del->callback([&cli, del_name] { cli.action = [del_name] { blk_del(*del_name); }; });

    for (auto [verb, cmd, help] :
         {std::tuple{"list", KLAB_CHARDEV_CMD_BLK_LIST, "list the RAM disks"},
          std::tuple{"stats", KLAB_CHARDEV_CMD_BLK_STATS, "show the RAM disks' counters"}}) {
        auto name = std::make_shared<std::string>();
        CLI::App *sub = blk->add_subcommand(verb, help);
        sub->add_option("name", *name, "only this device");
        uint8_t c = cmd;
        sub->callback(
            [&cli, name, c] { cli.action = [&cli, name, c] { blk_show(cli, c, *name); }; });
    }
}

} // namespace

// ---- end of the block device (blk) ----

void add_chardev(CLI::App &mod, Cli &cli)
{
    add_chr(mod, cli);
    add_blk(mod, cli);
}

} // namespace klab
