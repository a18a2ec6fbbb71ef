// SPDX-License-Identifier: GPL-2.0
// klabctl rcu: the rcu_demo module (RCU and seqlock reimplementations, their
// torture, scale and grace-period latency harnesses, and the notes' demo).
#include "error.hpp"
#include "genl.hpp"
#include "module.hpp"
#include "rcu_print.hpp"

#include <klab/rcu.h>
#include <netlink/genl/genl.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace klab {

const Module rcu_module = {
    .name = "rcu",
    .kmod = "rcu_demo",
    .family = KLAB_RCU_FAMILY_NAME,
    .version = KLAB_RCU_FAMILY_VERSION,
    .description = "rcu_demo: RCU and seqlock reimplementations",
};

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(200);

struct RunArgs {
    uint32_t harness = 0;
    std::string type;
    uint32_t readers = 0;
    uint32_t writers = 0;
    uint32_t duration_s = 0;
    uint32_t reader_delay_us = 0;
    uint32_t loops = 0;
    uint32_t nruns = 0;
    uint32_t samples = 0;
    uint32_t stat_interval_s = 0;
    bool detach = false;
};

Json fetch_status(GenlSocket &sock, const Family &family)
{
    Json status;

    sock.request(family, KLAB_RCU_CMD_STATUS, nullptr,
                 [&status](struct nlmsghdr *nlh) { status = rcu::decode_status(nlh); });
    return status;
}

Json fetch_types(GenlSocket &sock, const Family &family)
{
    Json types;

    sock.request(family, KLAB_RCU_CMD_TYPES, nullptr,
                 [&types](struct nlmsghdr *nlh) { types = rcu::decode_types(nlh); });
    return types;
}

void put_u32(struct nl_msg *msg, int attr, uint32_t value)
{
    if (value && nla_put_u32(msg, attr, value) < 0)
        throw Error("cannot build netlink message");
}

uint32_t start_run(GenlSocket &sock, const Family &family, const RunArgs &a)
{
    uint32_t id = 0;

    sock.request(
        family, KLAB_RCU_CMD_START,
        [&a](struct nl_msg *msg) {
            if (nla_put_u32(msg, KLAB_RCU_A_HARNESS_ID, a.harness) < 0 ||
                nla_put_string(msg, KLAB_RCU_A_TYPE, a.type.c_str()) < 0)
                throw Error("cannot build netlink message");
            put_u32(msg, KLAB_RCU_A_READERS, a.readers);
            put_u32(msg, KLAB_RCU_A_WRITERS, a.writers);
            put_u32(msg, KLAB_RCU_A_DURATION_S, a.duration_s);
            put_u32(msg, KLAB_RCU_A_READER_DELAY_US, a.reader_delay_us);
            put_u32(msg, KLAB_RCU_A_LOOPS, a.loops);
            put_u32(msg, KLAB_RCU_A_NRUNS, a.nruns);
            put_u32(msg, KLAB_RCU_A_SAMPLES, a.samples);
            put_u32(msg, KLAB_RCU_A_STAT_INTERVAL_S, a.stat_interval_s);
        },
        [&id](struct nlmsghdr *nlh) {
            struct nlattr *tb[KLAB_RCU_A_MAX + 1];

            if (genlmsg_parse(nlh, 0, tb, KLAB_RCU_A_MAX, nullptr) >= 0 && tb[KLAB_RCU_A_RUN_ID])
                id = nla_get_u32(tb[KLAB_RCU_A_RUN_ID]);
        });
    return id;
}

// "\rtorture klab_rcu: 3.2s of 10.0s" on a terminal, for runs over a second.
class Progress {
  public:
    explicit Progress(std::string label) : label_(std::move(label)), tty_(isatty(STDERR_FILENO)) {}
    ~Progress()
    {
        if (shown_)
            std::cerr << "\r\033[K" << std::flush;
    }
    Progress(const Progress &) = delete;
    Progress &operator=(const Progress &) = delete;

    void update(const Json &status)
    {
        uint64_t elapsed = status.value("elapsed_ns", 0ULL);
        uint64_t expected = status.value("expected_ns", 0ULL);

        if (!tty_ || elapsed < 1000000000ULL)
            return;
        std::cerr << "\r\033[K" << label_ << ": " << format_duration(elapsed);
        if (expected)
            std::cerr << " of " << format_duration(expected);
        std::cerr << std::flush;
        shown_ = true;
    }

  private:
    std::string label_;
    bool tty_;
    bool shown_ = false;
};

// Start a run and wait for it; the finished run's status.
Json run_and_wait(GenlSocket &sock, const Family &family, const RunArgs &a)
{
    uint32_t id = start_run(sock, family, a);
    Progress progress(std::string(rcu::harness_name(a.harness)) + " " + a.type);

    for (;;) {
        Json status = fetch_status(sock, family);

        if (status.value("run_id", 0U) != id)
            throw Error("run " + std::to_string(id) + " was replaced by another");
        if (status.value("state", "") == "done")
            return status;
        progress.update(status);
        std::this_thread::sleep_for(kPollInterval);
    }
}

Json record(const Json &status)
{
    Json rec{{"module", rcu_module.kmod}};

    rec.update(status);
    rec.erase("state");
    return rec;
}

void print_run(Cli &cli, const Json &status)
{
    Printer(cli.out, cli.opts).notice(record(status), rcu::render_run(status));
}

void do_run(Cli &cli, const RunArgs &a)
{
    GenlSocket sock;
    Family family = open_family(sock, rcu_module);

    if (a.detach) {
        uint32_t id = start_run(sock, family, a);
        Printer(cli.out, cli.opts)
            .notice(Json{{"module", rcu_module.kmod}, {"run_id", id}},
                    "run " + std::to_string(id) + " started");
        return;
    }
    print_run(cli, run_and_wait(sock, family, a));
}

// scale --type all: one run per type, a record each, then the table.
void do_scale_all(Cli &cli, RunArgs a)
{
    GenlSocket sock;
    Family family = open_family(sock, rcu_module);
    Printer printer(cli.out, cli.opts);
    Json runs = Json::array();

    for (const Json &t : fetch_types(sock, family).value("scale", Json::array())) {
        a.type = t.get<std::string>();
        Json status = run_and_wait(sock, family, a);
        if (cli.opts.json)
            printer.print(record(status));
        runs.push_back(status);
    }
    Json ratios = rcu::scale_ratios(runs);
    ratios["module"] = rcu_module.kmod;
    ratios["ratios"] = true;
    if (cli.opts.json)
        printer.print(ratios);
    else
        printer.notice(Json{}, rcu::render_scale_table(runs));
}

void show_status(Cli &cli)
{
    GenlSocket sock;
    Family family = open_family(sock, rcu_module);
    Json status = fetch_status(sock, family);

    if (status.value("state", "") == "done") {
        print_run(cli, status);
        return;
    }
    Json rec = record(status);
    rec["state"] = status["state"];
    Printer(cli.out, cli.opts).print(rec);
}

void show_types(Cli &cli)
{
    GenlSocket sock;
    Family family = open_family(sock, rcu_module);
    Json rec{{"module", rcu_module.kmod}};

    rec["types"] = fetch_types(sock, family);
    Printer(cli.out, cli.opts).print(rec);
}

void stop_run()
{
    GenlSocket sock;
    Family family = open_family(sock, rcu_module);

    sock.request(family, KLAB_RCU_CMD_STOP, nullptr, nullptr);
}

// The options every run verb may take, as kebab-case flags.
struct OptionSet {
    bool readers, writers, duration, reader_delay, loops, nruns, samples, stat_interval;
};

CLI::App *add_run_verb(CLI::App &mod, Cli &cli, const char *verb, const char *help,
                       uint32_t harness, const char *default_type, const OptionSet &o)
{
    auto a = std::make_shared<RunArgs>();
    CLI::App *sub = mod.add_subcommand(verb, help);

    a->harness = harness;
    a->type = default_type ? default_type : "";
    CLI::Option *type = sub->add_option("--type", a->type, "the type to run (see: rcu types)");
    if (!default_type)
        type->required();
    if (o.readers)
        sub->add_option("--readers", a->readers, "reader threads (default: per CPU)");
    if (o.writers)
        sub->add_option("--writers", a->writers, "fake writer threads (default 4)");
    if (o.duration)
        sub->add_option("--duration", a->duration_s, "seconds (default: the harness's)");
    if (o.reader_delay)
        sub->add_option("--reader-delay", a->reader_delay_us,
                        "microseconds spent inside each read-side section");
    if (o.loops)
        sub->add_option("--loops", a->loops, "read sections per timed run (default 10000)");
    if (o.nruns)
        sub->add_option("--nruns", a->nruns, "timed runs (default 30)");
    if (o.samples)
        sub->add_option("--samples", a->samples, "calls per primitive (default 100)");
    if (o.stat_interval)
        sub->add_option("--stat-interval", a->stat_interval_s,
                        "seconds between statistics lines in the kernel log (default 60)");
    sub->add_flag("--detach", a->detach, "start the run and return (see: rcu status)");
    sub->callback([&cli, a, harness] {
        if (harness == KLAB_RCU_HARNESS_SCALE && a->type == "all" && !a->detach)
            cli.action = [&cli, a] { do_scale_all(cli, *a); };
        else
            cli.action = [&cli, a] { do_run(cli, *a); };
    });
    return sub;
}

} // namespace

void add_rcu(CLI::App &mod, Cli &cli)
{
    add_run_verb(
        mod, cli, "torture", "rcutorture-style torture of an RCU type (needs CAP_NET_ADMIN)",
        KLAB_RCU_HARNESS_TORTURE, nullptr, {true, true, true, true, false, false, false, true});
    add_run_verb(
        mod, cli, "seqlock-torture", "torn-read torture of a seqlock type (needs CAP_NET_ADMIN)",
        KLAB_RCU_HARNESS_SEQLOCK, nullptr, {true, false, true, false, false, false, false, false});
    add_run_verb(
        mod, cli, "scale", "refscale-style read-side cost of a type, or all (needs CAP_NET_ADMIN)",
        KLAB_RCU_HARNESS_SCALE, nullptr, {false, false, false, false, true, true, false, false});
    add_run_verb(mod, cli, "gp-latency",
                 "grace-period latency of the synchronize primitives (needs CAP_NET_ADMIN)",
                 KLAB_RCU_HARNESS_GP_LATENCY, "all",
                 {true, false, false, false, false, false, true, false});
    add_run_verb(
        mod, cli, "demo", "the notes' two readers and one writer, fixed (needs CAP_NET_ADMIN)",
        KLAB_RCU_HARNESS_DEMO, "klab_rcu", {false, false, true, true, false, false, false, false});
    add_run_verb(mod, cli, "gp-check",
                 "synchronize and callbacks wait for a reader inside (needs CAP_NET_ADMIN)",
                 KLAB_RCU_HARNESS_GP_CHECK, "klab_rcu",
                 {false, false, false, false, false, false, false, false});

    mod.add_subcommand("status", "the active or last run, with its results")->callback([&cli] {
        cli.action = [&cli] { show_status(cli); };
    });
    mod.add_subcommand("types", "the types each harness accepts")->callback([&cli] {
        cli.action = [&cli] { show_types(cli); };
    });
    mod.add_subcommand("stop", "end the active run early (needs CAP_NET_ADMIN)")->callback([&cli] {
        cli.action = [] { stop_run(); };
    });
}

} // namespace klab
