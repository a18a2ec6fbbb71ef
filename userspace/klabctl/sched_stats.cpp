// SPDX-License-Identifier: GPL-2.0
// klabctl sched: run statistics and their record.
#include "sched_stats.hpp"

#include <algorithm>
#include <cmath>

namespace klab::sched {

const char *policy_name(uint32_t policy)
{
    static const char *const names[] = {"fair", "fifo", "rr", "deadline", "idle"};

    return policy < std::size(names) ? names[policy] : "unknown";
}

const char *run_state_name(uint32_t state)
{
    static const char *const names[] = {"running", "done", "aborted", "stopped"};

    return state < std::size(names) ? names[state] : "unknown";
}

const char *entity_state_name(uint32_t state)
{
    static const char *const names[] = {"new", "runnable", "sleeping", "done"};

    return state < std::size(names) ? names[state] : "unknown";
}

uint64_t lat_count(const LatHist &h)
{
    uint64_t n = 0;

    for (uint32_t c : h)
        n += c;
    return n;
}

uint64_t lat_percentile(const LatHist &h, double p)
{
    uint64_t n = lat_count(h), seen = 0;

    if (!n)
        return 0;
    uint64_t want = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
    if (!want)
        want = 1;
    for (unsigned int b = 0; b < h.size(); b++) {
        seen += h[b];
        if (seen >= want)
            return b + 1 < h.size() ? ksched_lat_bucket_floor(b + 1) : ksched_lat_bucket_floor(b);
    }
    return ksched_lat_bucket_floor(KLAB_SCHED_LAT_BUCKETS - 1);
}

RunStats stats_from_core(const struct ksched_run *run)
{
    RunStats r;
    const struct ksched_run_spec &spec = run->spec;

    r.source = "simulator";
    r.name = spec.name;
    r.state = run->state;
    r.reason = run->reason;
    r.duration = spec.duration_ns;
    r.elapsed = run->stop_ns - run->start_ns;
    r.tick = spec.tick_ns;
    r.cpus = spec.cpus;
    r.rt_runtime = spec.rt_runtime_ns;
    r.rt_period = spec.rt_period_ns;
    r.watchdog = spec.watchdog_ns;
    r.balance = spec.balance_ns;
    r.trace_lost = run->trace_lost;
    r.nr_entities = run->nr_entities;
    for (u32 i = 0; i < run->nr_rqs; i++) {
        const struct ksched_rq &rq = run->rqs[i];
        CpuStats c;

        c.cpu = static_cast<uint32_t>(rq.cpu);
        c.switches = rq.switches;
        c.idle = rq.idle_ns;
        c.ticks = rq.ticks;
        c.rt_throttled = rq.rt.throttled_ns;
        c.pulls = rq.pulls;
        c.overhead = rq.overhead_ns;
        r.switches += c.switches;
        r.cpu_stats.push_back(c);
    }
    for (u32 i = 0; i < run->nr_entities; i++) {
        const struct ksched_entity &se = run->ents[i];
        const struct ksched_entity_spec &es = *se.spec;
        EntityStats e;

        e.id = i;
        e.name = es.name;
        e.policy = es.policy;
        e.nice = es.nice;
        e.prio = es.prio;
        e.dl_runtime = es.dl_runtime;
        e.dl_deadline = se.dl.dl_deadline;
        e.dl_period = es.dl_period;
        e.cpus = es.cpus ? es.cpus : spec.cpus;
        e.state = se.state;
        e.cpu = se.rq ? se.rq->cpu : -1;
        e.weight = se.fair.weight;
        e.runtime = se.sum_exec_runtime;
        e.vruntime = se.fair.vruntime;
        e.wait = se.wait_sum;
        e.nvcsw = se.nvcsw;
        e.nivcsw = se.nivcsw;
        e.wakeups = se.wakeups;
        e.migrations = se.migrations;
        e.lat_max = se.lat_max;
        e.lat_sum = se.lat_sum;
        std::copy(std::begin(se.lat_hist), std::end(se.lat_hist), e.lat_hist.begin());
        e.dl_misses = se.dl_misses;
        e.throttled = se.throttled;
        e.dl_overrun_max = se.dl_overrun_max;
        if (se.first_run)
            e.first_run = static_cast<int64_t>(se.first_run - run->start_ns);
        if (se.done_at)
            e.done = static_cast<int64_t>(se.done_at - run->start_ns);
        e.cpu_runtime.assign(se.cpu_runtime, se.cpu_runtime + run->nr_rqs);
        r.ents.push_back(e);
    }
    r.trace.assign(run->trace, run->trace + run->trace_len);
    r.trace_fair.assign(run->trace_fair, run->trace_fair + run->trace_len);
    return r;
}

namespace {

std::string cpu_list(uint64_t mask)
{
    std::string out;

    for (int i = 0; i < KLAB_SCHED_MAX_CPUS; i++) {
        if (!(mask & (1ULL << i)))
            continue;
        int j = i;
        while (j + 1 < KLAB_SCHED_MAX_CPUS && (mask & (1ULL << (j + 1))))
            j++;
        out += (out.empty() ? "" : ",") + std::to_string(i);
        if (j > i)
            out += "-" + std::to_string(j);
        i = j;
    }
    return out;
}

double pct(uint64_t part, uint64_t whole)
{
    return whole
               ? std::round(10000.0 * static_cast<double>(part) / static_cast<double>(whole)) / 100
               : 0.0;
}

Json entity_record(const EntityStats &e, uint64_t total_runtime, uint64_t elapsed,
                   const RunStats &r)
{
    Json j;

    j["id"] = e.id;
    j["name"] = e.name;
    if (e.pid >= 0)
        j["pid"] = e.pid;
    j["policy"] = policy_name(e.policy);
    switch (e.policy) {
    case KLAB_SCHED_POLICY_FAIR:
        j["nice"] = e.nice;
        j["weight"] = e.weight;
        break;
    case KLAB_SCHED_POLICY_FIFO:
    case KLAB_SCHED_POLICY_RR:
        j["priority"] = e.prio;
        break;
    case KLAB_SCHED_POLICY_DEADLINE:
        j["dl_runtime_ns"] = e.dl_runtime;
        j["dl_deadline_ns"] = e.dl_deadline;
        j["dl_period_ns"] = e.dl_period;
        break;
    }
    j["state"] = entity_state_name(e.state);
    j["cpu"] = e.cpu;
    j["runtime_ns"] = e.runtime;
    j["share"] = pct(e.runtime, total_runtime);
    j["cpu_pct"] = pct(e.runtime, elapsed);
    if (e.policy == KLAB_SCHED_POLICY_FAIR)
        j["vruntime"] = e.vruntime;
    j["wait_ns"] = e.wait;
    j["switches"] = e.nvcsw + e.nivcsw;
    j["nvcsw"] = e.nvcsw;
    j["nivcsw"] = e.nivcsw;
    j["wakeups"] = e.wakeups;
    j["migrations"] = e.migrations;
    uint64_t n = lat_count(e.lat_hist);
    j["latency_avg_ns"] = n ? e.lat_sum / n : 0;
    j["latency_p50_ns"] = std::min(lat_percentile(e.lat_hist, 50), e.lat_max);
    j["latency_p90_ns"] = std::min(lat_percentile(e.lat_hist, 90), e.lat_max);
    j["latency_p99_ns"] = std::min(lat_percentile(e.lat_hist, 99), e.lat_max);
    j["latency_max_ns"] = e.lat_max;
    if (e.policy == KLAB_SCHED_POLICY_DEADLINE) {
        j["deadline_misses"] = e.dl_misses;
        j["overrun_max_ns"] = e.dl_overrun_max;
    }
    if (e.policy == KLAB_SCHED_POLICY_DEADLINE || e.policy == KLAB_SCHED_POLICY_FIFO ||
        e.policy == KLAB_SCHED_POLICY_RR)
        j["throttled"] = e.throttled;
    if (e.first_run >= 0)
        j["first_run_ns"] = e.first_run;
    if (e.done >= 0)
        j["done_ns"] = e.done;
    Json per_cpu = Json::array();
    for (size_t i = 0; i < e.cpu_runtime.size() && i < r.cpu_stats.size(); i++)
        per_cpu.push_back(Json{{"cpu", r.cpu_stats[i].cpu}, {"runtime_ns", e.cpu_runtime[i]}});
    j["per_cpu"] = per_cpu;
    if (e.pid >= 0)
        j["wrong_cpu"] = e.wrong_cpu;
    return j;
}

} // namespace

Json run_record(const RunStats &r)
{
    Json j{{"module", "sched_demo"}};
    uint64_t total = 0;

    for (const EntityStats &e : r.ents)
        total += e.runtime;
    if (r.id)
        j["run"] = r.id;
    j["source"] = r.source;
    if (!r.name.empty())
        j["name"] = r.name;
    j["state"] = run_state_name(r.state);
    if (!r.reason.empty())
        j["reason"] = r.reason;
    j["elapsed_ns"] = r.elapsed;
    j["duration_ns"] = r.duration;
    j["cpus"] = cpu_list(r.cpus);
    j["tick_ns"] = r.tick;
    j["rt_runtime_ns"] = r.rt_runtime;
    j["rt_period_ns"] = r.rt_period;
    j["entities"] = r.nr_entities;
    j["switches"] = r.switches;
    j["overhead_ns"] = r.overhead;
    j["overhead_pct"] = pct(r.overhead, r.elapsed * r.cpu_stats.size());
    if (r.trace_lost)
        j["trace_lost"] = r.trace_lost;
    Json cpus = Json::array();
    for (const CpuStats &c : r.cpu_stats)
        cpus.push_back(Json{{"cpu", c.cpu},
                            {"switches", c.switches},
                            {"idle_ns", c.idle},
                            {"ticks", c.ticks},
                            {"rt_throttled_ns", c.rt_throttled},
                            {"pulls", c.pulls},
                            {"overhead_ns", c.overhead}});
    j["cpu_stats"] = cpus;
    if (!r.ents.empty()) {
        Json ents = Json::array();
        for (const EntityStats &e : r.ents)
            ents.push_back(entity_record(e, total, r.elapsed, r));
        j["entity_stats"] = ents;
    }
    return j;
}

} // namespace klab::sched
