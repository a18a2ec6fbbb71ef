// SPDX-License-Identifier: GPL-2.0
// klabctl sched: the sched_demo module (scheduling-class framework and
// scheduler observer), and the simulator built from the same core.
//
//   klabctl sched run FILE [--svg OUT] [--no-wait]
//   klabctl sched simulate FILE [--svg OUT]
//   klabctl sched show [RUN]          klabctl sched list
//   klabctl sched stop RUN            klabctl sched delete RUN
//   klabctl sched trace [--svg OUT] [RUN | --simulate FILE] [--from MS] [--to MS]
//   klabctl sched observe --pid PID... [--duration MS]
//   klabctl sched experiment NAME [--cpu N] [--duration MS]
//   klabctl sched pingpong [--cpu N] [--rounds N]
#include "sched.hpp"
#include "error.hpp"
#include "module.hpp"
#include "sched_nl.hpp"
#include "sched_svg.hpp"

extern "C" {
#include "ksched_sim.h"
}

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

namespace klab {

using namespace sched;

namespace {

struct RunArgs {
    std::string file;
    std::string svg;
    bool no_wait = false;
};

struct TraceArgs {
    std::string svg;
    uint32_t run = 0;
    std::string simulate;
    double from_ms = 0;
    double to_ms = 0;
};

void write_file(const std::string &path, const std::string &text)
{
    std::ofstream out(path);

    out << text;
    if (!out)
        throw Error("cannot write " + path);
}

void write_svg(const RunStats &r, const std::string &path, double from_ms, double to_ms)
{
    SvgOptions o;

    o.from_ns = static_cast<uint64_t>(from_ms * 1e6);
    o.to_ns = static_cast<uint64_t>(to_ms * 1e6);
    write_file(path, timeline_svg(r, o));
}

// Progress on a terminal for runs longer than a second
class Progress {
  public:
    explicit Progress(uint64_t duration_ns)
        : on_(duration_ns > 1000000000ULL && isatty(STDERR_FILENO))
    {
    }
    ~Progress()
    {
        if (shown_)
            std::cerr << "\r\033[K" << std::flush;
    }

    void show(uint32_t id, uint64_t elapsed, uint64_t duration)
    {
        if (!on_)
            return;
        int width = 30, done = static_cast<int>(width * std::min(1.0, 1.0 * elapsed / duration));
        std::cerr << "\rrun " << id << " [" << std::string(done, '#')
                  << std::string(width - done, '.') << "] " << format_duration(elapsed) << " / "
                  << format_duration(duration) << std::flush;
        shown_ = true;
    }

  private:
    bool on_;
    bool shown_ = false;
};

RunStats wait_run(uint32_t id, uint64_t duration)
{
    Progress progress(duration);

    for (;;) {
        RunStats r = run_get(id, false, false);
        if (r.state != KLAB_SCHED_RUN_RUNNING)
            return r;
        progress.show(id, r.elapsed, r.duration);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

void cmd_run(Cli &cli, const RunArgs &a)
{
    Workload w = load_workload(a.file, online_cpus());

    // deadline admission is the kernel's to refuse, with EBUSY
    check_workload(w, false);
    uint32_t id = run_new(w);
    if (a.no_wait) {
        Printer(cli.out, cli.opts)
            .notice(Json{{"module", "sched_demo"}, {"run", id}}, "run " + std::to_string(id));
        return;
    }
    wait_run(id, w.spec.duration_ns);
    RunStats r = run_get(id, true, !a.svg.empty());
    Printer(cli.out, cli.opts).print(run_record(r));
    if (!a.svg.empty())
        write_svg(r, a.svg, 0, 0);
}

RunStats simulate(const std::string &file)
{
    Workload w = load_workload(file, online_cpus());
    struct ksched_spec_error err;
    struct ksched_run *run;

    int ret = ksched_simulate(&w.spec, &run, &err);
    if (ret == -ENOMEM)
        throw Error("simulation: out of memory");
    if (ret)
        throw WorkloadError(spec_error_text(w, err));
    std::unique_ptr<struct ksched_run, void (*)(struct ksched_run *)> guard(run,
                                                                            ksched_run_destroy);
    return stats_from_core(run);
}

void cmd_simulate(Cli &cli, const RunArgs &a)
{
    RunStats r = simulate(a.file);

    Printer(cli.out, cli.opts).print(run_record(r));
    if (!a.svg.empty())
        write_svg(r, a.svg, 0, 0);
}

void cmd_show(Cli &cli, uint32_t id)
{
    Printer(cli.out, cli.opts).print(run_record(run_get(id, true, false)));
}

void cmd_list(Cli &cli)
{
    Printer printer(cli.out, cli.opts);

    for (const RunStats &r : run_list())
        printer.print(run_record(r));
}

void cmd_trace(Cli &cli, const TraceArgs &a)
{
    RunStats r = a.simulate.empty() ? run_get(a.run, true, true) : simulate(a.simulate);

    if (!a.svg.empty()) {
        write_svg(r, a.svg, a.from_ms, a.to_ms);
        return;
    }
    Printer printer(cli.out, cli.opts);
    for (const Stretch &s : stretches(r)) {
        Json j{{"module", "sched_demo"}};
        if (r.id)
            j["run"] = r.id;
        j["entity"] = s.ent;
        j["name"] = s.ent < r.ents.size() ? r.ents[s.ent].name : "";
        j["cpu"] = s.cpu;
        j["start_ns"] = s.from;
        j["end_ns"] = s.to;
        j["length_ns"] = s.to - s.from;
        if (s.fair) {
            j["runtime_from_ns"] = s.at_from.runtime_ns;
            j["runtime_to_ns"] = s.at_to.runtime_ns;
            j["vruntime_from"] = s.at_from.vruntime;
            j["vruntime_to"] = s.at_to.vruntime;
            // at its pick: the other runnable fair entities of the CPU
            j["rivals"] = s.at_from.nr_other;
            if (s.at_from.nr_other)
                j["rivals_min_vruntime"] = s.at_from.min_other;
        }
        printer.print(j);
    }
}

struct ObserveArgs {
    std::vector<uint32_t> pids;
    double duration_ms = 1000;
};

void cmd_observe(Cli &cli, const ObserveArgs &a)
{
    uint64_t window = static_cast<uint64_t>(a.duration_ms * 1e6);
    ObsResult r = obs_new({}, a.pids, window);

    std::this_thread::sleep_for(std::chrono::nanoseconds(window));
    r = obs_get(r.id);
    obs_del(r.id);
    Printer printer(cli.out, cli.opts);
    for (const ObsTask &t : r.tasks)
        printer.print(obs_task_record(t, r.elapsed));
}

void cmd_pingpong(Cli &cli, uint32_t cpu, uint32_t rounds)
{
    uint64_t ns = pingpong(cpu, rounds);

    Printer(cli.out, cli.opts)
        .print(Json{{"module", "sched_demo"},
                    {"cpu", cpu},
                    {"rounds", rounds},
                    {"elapsed_ns", ns},
                    {"switch_ns", ns / (2ULL * rounds)}});
}

uint32_t parse_run_id(const std::string &s)
{
    try {
        size_t end;
        unsigned long v = std::stoul(s, &end);
        if (end == s.size() && v && v <= UINT32_MAX)
            return static_cast<uint32_t>(v);
    } catch (const std::exception &) {
    }
    throw CLI::ValidationError("run", "not a run number: " + s);
}

void add_run_verbs(CLI::App &mod, Cli &cli)
{
    auto run = std::make_shared<RunArgs>();
    CLI::App *r =
        mod.add_subcommand("run", "run a workload file in the kernel (needs CAP_NET_ADMIN)");
    r->add_option("file", run->file, "workload (JSON)")->required();
    r->add_option("--svg", run->svg, "also write the timeline to this SVG file");
    r->add_flag("--no-wait", run->no_wait, "print the run's number and return at once");
    r->callback([&cli, run] { cli.action = [&cli, run] { cmd_run(cli, *run); }; });

    auto sim = std::make_shared<RunArgs>();
    CLI::App *s = mod.add_subcommand("simulate", "run a workload file in the simulator");
    s->add_option("file", sim->file, "workload (JSON)")->required();
    s->add_option("--svg", sim->svg, "also write the timeline to this SVG file");
    s->callback([&cli, sim] { cli.action = [&cli, sim] { cmd_simulate(cli, *sim); }; });

    auto show_id = std::make_shared<std::string>();
    CLI::App *sh = mod.add_subcommand("show", "a run's statistics (default: the newest)");
    sh->add_option("run", *show_id, "run number");
    sh->callback([&cli, show_id] {
        uint32_t id = show_id->empty() ? 0 : parse_run_id(*show_id);
        cli.action = [&cli, id] { cmd_show(cli, id); };
    });

    mod.add_subcommand("list", "every run kept, newest first")->callback([&cli] {
        cli.action = [&cli] { cmd_list(cli); };
    });

    for (const char *verb : {"stop", "delete"}) {
        auto id = std::make_shared<std::string>();
        bool stop = std::string(verb) == "stop";
        CLI::App *sub =
            mod.add_subcommand(verb, stop ? "stop a run (needs CAP_NET_ADMIN)"
                                          : "forget a finished run (needs CAP_NET_ADMIN)");
        sub->add_option("run", *id, "run number")->required();
        sub->callback([&cli, id, stop] {
            uint32_t n = parse_run_id(*id);
            cli.action = [n, stop] { stop ? run_stop(n) : run_del(n); };
        });
    }

    auto tr = std::make_shared<TraceArgs>();
    auto tr_id = std::make_shared<std::string>();
    CLI::App *t = mod.add_subcommand(
        "trace", "a run's timeline: the stretches each entity ran, or an SVG picture of them");
    t->add_option("--svg", tr->svg, "write the picture to this file");
    t->add_option("run", *tr_id, "run number (default: the newest)");
    t->add_option("--simulate", tr->simulate, "simulate this workload file instead");
    t->add_option("--from", tr->from_ms, "start of the window, ms");
    t->add_option("--to", tr->to_ms, "end of the window, ms (default: the end)");
    t->callback([&cli, tr, tr_id] {
        tr->run = tr_id->empty() ? 0 : parse_run_id(*tr_id);
        cli.action = [&cli, tr] { cmd_trace(cli, *tr); };
    });

    auto obs = std::make_shared<ObserveArgs>();
    CLI::App *o = mod.add_subcommand(
        "observe", "watch tasks through the kernel's sched_switch/sched_wakeup tracepoints");
    o->add_option("--pid", obs->pids, "a task to watch (up to 16)")->required();
    o->add_option("--duration", obs->duration_ms, "how long, ms")->check(CLI::Range(1.0, 60000.0));
    o->callback([&cli, obs] { cli.action = [&cli, obs] { cmd_observe(cli, *obs); }; });

    auto pp_cpu = std::make_shared<uint32_t>(0);
    auto pp_rounds = std::make_shared<uint32_t>(20000);
    CLI::App *p = mod.add_subcommand(
        "pingpong", "time the kernel's own switch between two kernel threads on a CPU");
    p->add_option("--cpu", *pp_cpu, "the CPU");
    p->add_option("--rounds", *pp_rounds, "round trips")->check(CLI::Range(1, 10000000));
    p->callback([&cli, pp_cpu, pp_rounds] {
        cli.action = [&cli, pp_cpu, pp_rounds] { cmd_pingpong(cli, *pp_cpu, *pp_rounds); };
    });
}

} // namespace

void add_sched(CLI::App &mod, Cli &cli)
{
    add_run_verbs(mod, cli);
    add_experiments(mod, cli);
}

} // namespace klab
