// SPDX-License-Identifier: GPL-2.0
// klabctl chardev: the chardev module (character devices and a blk-mq RAM disk).
#include "error.hpp"
#include "genl.hpp"
#include "module.hpp"

#include <klab/chardev.h>
#include <netlink/genl/genl.h>

#include <array>
#include <memory>
#include <string>

namespace klab {

static const Module chardev_module = {
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
                      KLAB_CHARDEV_A_IRQ_RATE_HZ, KLAB_CHARDEV_A_IRQ_COUNT})
            p[a].type = NLA_U32;
        for (int a :
             {KLAB_CHARDEV_A_DEV_SIZE, KLAB_CHARDEV_A_DEV_CAPACITY, KLAB_CHARDEV_A_DEV_BYTES_READ,
              KLAB_CHARDEV_A_DEV_BYTES_WRITTEN, KLAB_CHARDEV_A_IRQ_TOP, KLAB_CHARDEV_A_IRQ_BOTTOM,
              KLAB_CHARDEV_A_IRQ_BH_RUNS, KLAB_CHARDEV_A_IRQ_OVERRUNS,
              KLAB_CHARDEV_A_IRQ_RECORDS_DROPPED, KLAB_CHARDEV_A_IRQ_LAT_LAST_NS,
              KLAB_CHARDEV_A_IRQ_LAT_MAX_NS, KLAB_CHARDEV_A_IRQ_LAT_AVG_NS})
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

void chr_irq_fire(Cli &cli, uint32_t count)
{
    GenlSocket sock;
    Family family = open_family(sock, chardev_module);

    sock.request(
        family, KLAB_CHARDEV_CMD_IRQ_FIRE,
        [count](struct nl_msg *msg) {
            if (nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_COUNT, count) < 0)
                throw Error("cannot build netlink message");
        },
        nullptr);
    Json rec = record();
    rec["fired"] = count;
    Printer(cli.out, cli.opts).notice(rec, "fired " + std::to_string(count) + " interrupts");
}

struct IrqSetArgs {
    std::string mode;
    int64_t rate_hz = -1;
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

    auto count = std::make_shared<uint32_t>();
    CLI::App *fire =
        irq->add_subcommand("fire", "raise the interrupt N times (needs CAP_NET_ADMIN)");
    fire->add_option("count", *count, "how many interrupts")->required();
    fire->callback([&cli, count] { cli.action = [&cli, count] { chr_irq_fire(cli, *count); }; });

    auto args = std::make_shared<IrqSetArgs>();
    CLI::App *set = irq->add_subcommand("set", "change the bottom half or the timer rate "
                                               "(needs CAP_NET_ADMIN)");
    set->add_option("--mode", args->mode, "bottom half")
        ->check(CLI::IsMember({"tasklet", "workqueue"}));
    set->add_option("--rate", args->rate_hz, "timer rate in Hz, 0 = off")
        ->check(CLI::Range(int64_t{0}, int64_t{UINT32_MAX}));
    set->callback([&cli, args] {
        if (args->mode.empty() && args->rate_hz < 0)
            throw CLI::ValidationError("irq set", "give --mode and/or --rate");
        cli.action = [args] { chr_irq_set(*args); };
    });
}

} // namespace

// ---- end of chr ---------------------------------------------------------

void add_chardev(CLI::App &app, Cli &cli)
{
    CLI::App &mod = add_module(app, cli, chardev_module);

    add_chr(mod, cli);
}

} // namespace klab
