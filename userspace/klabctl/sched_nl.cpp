// SPDX-License-Identifier: GPL-2.0
// klabctl sched: requests to the klab_sched family, through libnl.
#include "sched_nl.hpp"

#include "error.hpp"

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <array>
#include <cstring>

namespace klab::sched {

const Module kSchedModule = {
    .name = "sched",
    .kmod = "sched_demo",
    .family = KLAB_SCHED_FAMILY_NAME,
    .version = KLAB_SCHED_FAMILY_VERSION,
    .description = "sched_demo: scheduling-class framework and scheduler observer",
};

namespace {

using Attrs = std::array<struct nlattr *, KLAB_SCHED_A_MAX + 1>;
using Policy = std::array<struct nla_policy, KLAB_SCHED_A_MAX + 1>;

const Policy &policy()
{
    static const Policy p = [] {
        Policy p{};
        for (int a : {KLAB_SCHED_A_RUN_NAME, KLAB_SCHED_A_RUN_REASON, KLAB_SCHED_A_ENT_NAME,
                      KLAB_SCHED_A_OBS_T_COMM, KLAB_SCHED_A_OBS_T_PARENT_COMM})
            p[a].type = NLA_STRING;
        for (int a : {KLAB_SCHED_A_RUN_CPU_STATS, KLAB_SCHED_A_CPU, KLAB_SCHED_A_ENTITY,
                      KLAB_SCHED_A_OBS_THREAD})
            p[a].type = NLA_NESTED;
        for (int a : {KLAB_SCHED_A_RUN_ID,
                      KLAB_SCHED_A_RUN_STATE,
                      KLAB_SCHED_A_RUN_TRACE_CAP,
                      KLAB_SCHED_A_RUN_NR_ENTITIES,
                      KLAB_SCHED_A_ENT_POLICY,
                      KLAB_SCHED_A_ENT_NICE,
                      KLAB_SCHED_A_ENT_PRIO,
                      KLAB_SCHED_A_ENT_START_CPU,
                      KLAB_SCHED_A_ENT_REPEAT,
                      KLAB_SCHED_A_ENT_ID,
                      KLAB_SCHED_A_ENT_PID,
                      KLAB_SCHED_A_ENT_STATE,
                      KLAB_SCHED_A_ENT_CPU,
                      KLAB_SCHED_A_ENT_WEIGHT,
                      KLAB_SCHED_A_CPU_ID,
                      KLAB_SCHED_A_OBS_ID,
                      KLAB_SCHED_A_OBS_T_ERROR,
                      KLAB_SCHED_A_OBS_T_PID,
                      KLAB_SCHED_A_OBS_T_STATIC_PRIO,
                      KLAB_SCHED_A_OBS_T_NORMAL_PRIO,
                      KLAB_SCHED_A_OBS_T_KPRIO,
                      KLAB_SCHED_A_OBS_T_RT_PRIORITY,
                      KLAB_SCHED_A_OBS_T_FIRST_RUN_PREEMPTED,
                      KLAB_SCHED_A_OBS_T_PPID,
                      KLAB_SCHED_A_PP_CPU,
                      KLAB_SCHED_A_PP_ROUNDS})
            p[a].type = NLA_U32;
        for (int a : {KLAB_SCHED_A_RUN_DURATION_NS,    KLAB_SCHED_A_RUN_ELAPSED_NS,
                      KLAB_SCHED_A_RUN_TICK_NS,        KLAB_SCHED_A_RUN_CPUS,
                      KLAB_SCHED_A_RUN_RT_RUNTIME_NS,  KLAB_SCHED_A_RUN_RT_PERIOD_NS,
                      KLAB_SCHED_A_RUN_WATCHDOG_NS,    KLAB_SCHED_A_RUN_BALANCE_NS,
                      KLAB_SCHED_A_RUN_TRACE_LOST,     KLAB_SCHED_A_RUN_OVERHEAD_NS,
                      KLAB_SCHED_A_RUN_SWITCHES,       KLAB_SCHED_A_ENT_DL_RUNTIME_NS,
                      KLAB_SCHED_A_ENT_DL_DEADLINE_NS, KLAB_SCHED_A_ENT_DL_PERIOD_NS,
                      KLAB_SCHED_A_ENT_CPUS,           KLAB_SCHED_A_ENT_START_NS,
                      KLAB_SCHED_A_ENT_RUNTIME_NS,     KLAB_SCHED_A_ENT_VRUNTIME,
                      KLAB_SCHED_A_ENT_WAIT_NS,        KLAB_SCHED_A_ENT_NVCSW,
                      KLAB_SCHED_A_ENT_NIVCSW,         KLAB_SCHED_A_ENT_WAKEUPS,
                      KLAB_SCHED_A_ENT_MIGRATIONS,     KLAB_SCHED_A_ENT_LAT_MAX_NS,
                      KLAB_SCHED_A_ENT_LAT_SUM_NS,     KLAB_SCHED_A_ENT_DL_MISSES,
                      KLAB_SCHED_A_ENT_THROTTLED,      KLAB_SCHED_A_ENT_FIRST_RUN_NS,
                      KLAB_SCHED_A_ENT_DONE_NS,        KLAB_SCHED_A_ENT_WRONG_CPU,
                      KLAB_SCHED_A_CPU_SWITCHES,       KLAB_SCHED_A_CPU_IDLE_NS,
                      KLAB_SCHED_A_CPU_TICKS,          KLAB_SCHED_A_CPU_RT_THROTTLED_NS,
                      KLAB_SCHED_A_CPU_PULLS,          KLAB_SCHED_A_CPU_OVERHEAD_NS,
                      KLAB_SCHED_A_OBS_T_RUNTIME_NS,   KLAB_SCHED_A_OBS_T_NVCSW,
                      KLAB_SCHED_A_OBS_T_NIVCSW,       KLAB_SCHED_A_OBS_T_WAKEUPS,
                      KLAB_SCHED_A_OBS_T_LAT_MAX_NS,   KLAB_SCHED_A_OBS_T_LAT_SUM_NS,
                      KLAB_SCHED_A_OBS_T_FIRST_RUN_NS, KLAB_SCHED_A_OBS_T_FIRST_BLOCK_NS,
                      KLAB_SCHED_A_OBS_ELAPSED_NS,     KLAB_SCHED_A_PP_NS,
                      KLAB_SCHED_A_OBS_T_EXEC_NS,      KLAB_SCHED_A_OBS_EVEN_NS,
                      KLAB_SCHED_A_OBS_EVEN_LAG_NS,    KLAB_SCHED_A_OBS_T_EXEC_EVEN_NS})
            p[a].type = NLA_U64;
        return p;
    }();
    return p;
}

struct nla_policy *policy_ptr()
{
    return const_cast<struct nla_policy *>(policy().data());
}

Attrs parse(struct nlmsghdr *nlh)
{
    Attrs tb{};

    if (genlmsg_parse(nlh, 0, tb.data(), KLAB_SCHED_A_MAX, policy_ptr()) < 0)
        throw Error("malformed message from family " KLAB_SCHED_FAMILY_NAME);
    return tb;
}

Attrs parse_nested(struct nlattr *nest)
{
    Attrs tb{};

    if (nla_parse_nested(tb.data(), KLAB_SCHED_A_MAX, nest, policy_ptr()) < 0)
        throw Error("malformed nested attribute from family " KLAB_SCHED_FAMILY_NAME);
    return tb;
}

uint64_t get_u64(const Attrs &tb, int a, uint64_t def = 0)
{
    return tb[a] ? nla_get_u64(tb[a]) : def;
}

uint32_t get_u32(const Attrs &tb, int a, uint32_t def = 0)
{
    return tb[a] ? nla_get_u32(tb[a]) : def;
}

std::string str(const Attrs &tb, int a)
{
    return tb[a] ? nla_get_string(tb[a]) : "";
}

void hist(LatHist &h, struct nlattr *a)
{
    if (a && static_cast<size_t>(nla_len(a)) == sizeof(h))
        std::memcpy(h.data(), nla_data(a), sizeof(h));
}

void check(int err)
{
    if (err < 0)
        throw Error("cannot build netlink message: too large");
}

void put_u64(struct nl_msg *msg, int attr, uint64_t v)
{
    check(nla_put_u64(msg, attr, v));
}

void put_entity(struct nl_msg *msg, const struct ksched_entity_spec &es)
{
    struct nlattr *ent = nla_nest_start(msg, KLAB_SCHED_A_ENTITY);

    if (!ent)
        check(-1);
    if (es.name[0])
        check(nla_put_string(msg, KLAB_SCHED_A_ENT_NAME, es.name));
    check(nla_put_u32(msg, KLAB_SCHED_A_ENT_POLICY, es.policy));
    if (es.policy == KLAB_SCHED_POLICY_FAIR)
        check(nla_put_u32(msg, KLAB_SCHED_A_ENT_NICE, static_cast<uint32_t>(es.nice)));
    if (es.policy == KLAB_SCHED_POLICY_FIFO || es.policy == KLAB_SCHED_POLICY_RR)
        check(nla_put_u32(msg, KLAB_SCHED_A_ENT_PRIO, es.prio));
    if (es.policy == KLAB_SCHED_POLICY_DEADLINE) {
        put_u64(msg, KLAB_SCHED_A_ENT_DL_RUNTIME_NS, es.dl_runtime);
        if (es.dl_deadline)
            put_u64(msg, KLAB_SCHED_A_ENT_DL_DEADLINE_NS, es.dl_deadline);
        put_u64(msg, KLAB_SCHED_A_ENT_DL_PERIOD_NS, es.dl_period);
    }
    if (es.cpus)
        put_u64(msg, KLAB_SCHED_A_ENT_CPUS, es.cpus);
    if (es.start_cpu != KSCHED_NO_CPU)
        check(nla_put_u32(msg, KLAB_SCHED_A_ENT_START_CPU, static_cast<uint32_t>(es.start_cpu)));
    if (es.start_ns)
        put_u64(msg, KLAB_SCHED_A_ENT_START_NS, es.start_ns);
    check(nla_put_u32(msg, KLAB_SCHED_A_ENT_REPEAT, es.repeat));
    for (u32 i = 0; i < es.nr_steps; i++) {
        struct nlattr *st = nla_nest_start(msg, KLAB_SCHED_A_ENT_STEP);
        if (!st)
            check(-1);
        check(nla_put_u32(msg, KLAB_SCHED_A_STEP_OP, es.steps[i].op));
        put_u64(msg, KLAB_SCHED_A_STEP_ARG, es.steps[i].arg);
        nla_nest_end(msg, st);
    }
    nla_nest_end(msg, ent);
}

void put_run_id(struct nl_msg *msg, uint32_t id)
{
    if (id)
        check(nla_put_u32(msg, KLAB_SCHED_A_RUN_ID, id));
}

RunStats decode_run(struct nlmsghdr *nlh)
{
    Attrs tb = parse(nlh);
    RunStats r;
    struct nlattr *nest;
    int rem;

    r.source = "kernel";
    r.id = get_u32(tb, KLAB_SCHED_A_RUN_ID);
    r.name = str(tb, KLAB_SCHED_A_RUN_NAME);
    r.state = get_u32(tb, KLAB_SCHED_A_RUN_STATE);
    r.reason = str(tb, KLAB_SCHED_A_RUN_REASON);
    r.duration = get_u64(tb, KLAB_SCHED_A_RUN_DURATION_NS);
    r.elapsed = get_u64(tb, KLAB_SCHED_A_RUN_ELAPSED_NS);
    r.tick = get_u64(tb, KLAB_SCHED_A_RUN_TICK_NS);
    r.cpus = get_u64(tb, KLAB_SCHED_A_RUN_CPUS);
    r.rt_runtime = static_cast<int64_t>(get_u64(tb, KLAB_SCHED_A_RUN_RT_RUNTIME_NS));
    r.rt_period = get_u64(tb, KLAB_SCHED_A_RUN_RT_PERIOD_NS);
    r.watchdog = get_u64(tb, KLAB_SCHED_A_RUN_WATCHDOG_NS);
    r.balance = get_u64(tb, KLAB_SCHED_A_RUN_BALANCE_NS);
    r.trace_lost = get_u64(tb, KLAB_SCHED_A_RUN_TRACE_LOST);
    r.overhead = get_u64(tb, KLAB_SCHED_A_RUN_OVERHEAD_NS);
    r.switches = get_u64(tb, KLAB_SCHED_A_RUN_SWITCHES);
    r.nr_entities = get_u32(tb, KLAB_SCHED_A_RUN_NR_ENTITIES);
    if (tb[KLAB_SCHED_A_RUN_CPU_STATS]) {
        nla_for_each_nested(nest, tb[KLAB_SCHED_A_RUN_CPU_STATS], rem)
        {
            Attrs c = parse_nested(nest);
            r.cpu_stats.push_back(CpuStats{
                get_u32(c, KLAB_SCHED_A_CPU_ID), get_u64(c, KLAB_SCHED_A_CPU_SWITCHES),
                get_u64(c, KLAB_SCHED_A_CPU_IDLE_NS), get_u64(c, KLAB_SCHED_A_CPU_TICKS),
                get_u64(c, KLAB_SCHED_A_CPU_RT_THROTTLED_NS), get_u64(c, KLAB_SCHED_A_CPU_PULLS),
                get_u64(c, KLAB_SCHED_A_CPU_OVERHEAD_NS)});
        }
    }
    return r;
}

EntityStats decode_entity(struct nlattr *nest)
{
    Attrs tb = parse_nested(nest);
    EntityStats e;

    e.id = get_u32(tb, KLAB_SCHED_A_ENT_ID);
    e.name = str(tb, KLAB_SCHED_A_ENT_NAME);
    e.pid = get_u32(tb, KLAB_SCHED_A_ENT_PID);
    e.policy = get_u32(tb, KLAB_SCHED_A_ENT_POLICY);
    e.nice = static_cast<int32_t>(get_u32(tb, KLAB_SCHED_A_ENT_NICE));
    e.prio = get_u32(tb, KLAB_SCHED_A_ENT_PRIO);
    e.dl_runtime = get_u64(tb, KLAB_SCHED_A_ENT_DL_RUNTIME_NS);
    e.dl_deadline = get_u64(tb, KLAB_SCHED_A_ENT_DL_DEADLINE_NS);
    e.dl_period = get_u64(tb, KLAB_SCHED_A_ENT_DL_PERIOD_NS);
    e.cpus = get_u64(tb, KLAB_SCHED_A_ENT_CPUS);
    e.state = get_u32(tb, KLAB_SCHED_A_ENT_STATE);
    e.cpu = tb[KLAB_SCHED_A_ENT_CPU] ? static_cast<int>(get_u32(tb, KLAB_SCHED_A_ENT_CPU)) : -1;
    e.weight = get_u32(tb, KLAB_SCHED_A_ENT_WEIGHT);
    e.runtime = get_u64(tb, KLAB_SCHED_A_ENT_RUNTIME_NS);
    e.vruntime = get_u64(tb, KLAB_SCHED_A_ENT_VRUNTIME);
    e.wait = get_u64(tb, KLAB_SCHED_A_ENT_WAIT_NS);
    e.nvcsw = get_u64(tb, KLAB_SCHED_A_ENT_NVCSW);
    e.nivcsw = get_u64(tb, KLAB_SCHED_A_ENT_NIVCSW);
    e.wakeups = get_u64(tb, KLAB_SCHED_A_ENT_WAKEUPS);
    e.migrations = get_u64(tb, KLAB_SCHED_A_ENT_MIGRATIONS);
    e.lat_max = get_u64(tb, KLAB_SCHED_A_ENT_LAT_MAX_NS);
    e.lat_sum = get_u64(tb, KLAB_SCHED_A_ENT_LAT_SUM_NS);
    hist(e.lat_hist, tb[KLAB_SCHED_A_ENT_LAT_HIST]);
    e.dl_misses = get_u64(tb, KLAB_SCHED_A_ENT_DL_MISSES);
    e.throttled = get_u64(tb, KLAB_SCHED_A_ENT_THROTTLED);
    e.dl_overrun_max = get_u64(tb, KLAB_SCHED_A_ENT_DL_OVERRUN_MAX_NS);
    if (tb[KLAB_SCHED_A_ENT_FIRST_RUN_NS])
        e.first_run = static_cast<int64_t>(get_u64(tb, KLAB_SCHED_A_ENT_FIRST_RUN_NS));
    if (tb[KLAB_SCHED_A_ENT_DONE_NS])
        e.done = static_cast<int64_t>(get_u64(tb, KLAB_SCHED_A_ENT_DONE_NS));
    if (struct nlattr *a = tb[KLAB_SCHED_A_ENT_CPU_RUNTIME]) {
        const uint64_t *v = static_cast<const uint64_t *>(nla_data(a));
        e.cpu_runtime.assign(v, v + nla_len(a) / sizeof(uint64_t));
    }
    e.wrong_cpu = get_u64(tb, KLAB_SCHED_A_ENT_WRONG_CPU);
    return e;
}

ObsResult decode_obs(struct nlmsghdr *nlh)
{
    Attrs tb = parse(nlh);
    ObsResult r;
    struct nlattr *nest;
    int rem;

    r.id = get_u32(tb, KLAB_SCHED_A_OBS_ID);
    r.elapsed = get_u64(tb, KLAB_SCHED_A_OBS_ELAPSED_NS);
    r.even = tb[KLAB_SCHED_A_OBS_EVEN_NS] != nullptr;
    r.even_ns = get_u64(tb, KLAB_SCHED_A_OBS_EVEN_NS);
    r.even_lag = get_u64(tb, KLAB_SCHED_A_OBS_EVEN_LAG_NS);
    nlmsg_for_each_attr(nest, nlh, GENL_HDRLEN, rem)
    {
        if (nla_type(nest) != KLAB_SCHED_A_OBS_THREAD)
            continue;
        Attrs t = parse_nested(nest);
        ObsTask o;
        o.pid = get_u32(t, KLAB_SCHED_A_OBS_T_PID);
        o.error = static_cast<int32_t>(get_u32(t, KLAB_SCHED_A_OBS_T_ERROR));
        o.static_prio = get_u32(t, KLAB_SCHED_A_OBS_T_STATIC_PRIO);
        o.normal_prio = get_u32(t, KLAB_SCHED_A_OBS_T_NORMAL_PRIO);
        o.prio = get_u32(t, KLAB_SCHED_A_OBS_T_KPRIO);
        o.rt_priority = get_u32(t, KLAB_SCHED_A_OBS_T_RT_PRIORITY);
        o.comm = str(t, KLAB_SCHED_A_OBS_T_COMM);
        o.ppid = get_u32(t, KLAB_SCHED_A_OBS_T_PPID);
        o.parent_comm = str(t, KLAB_SCHED_A_OBS_T_PARENT_COMM);
        o.has_mm = t[KLAB_SCHED_A_OBS_T_HAS_MM] && nla_get_u8(t[KLAB_SCHED_A_OBS_T_HAS_MM]);
        o.runtime = get_u64(t, KLAB_SCHED_A_OBS_T_RUNTIME_NS);
        o.exec = get_u64(t, KLAB_SCHED_A_OBS_T_EXEC_NS);
        o.exec_even = get_u64(t, KLAB_SCHED_A_OBS_T_EXEC_EVEN_NS);
        o.nvcsw = get_u64(t, KLAB_SCHED_A_OBS_T_NVCSW);
        o.nivcsw = get_u64(t, KLAB_SCHED_A_OBS_T_NIVCSW);
        o.wakeups = get_u64(t, KLAB_SCHED_A_OBS_T_WAKEUPS);
        o.lat_max = get_u64(t, KLAB_SCHED_A_OBS_T_LAT_MAX_NS);
        o.lat_sum = get_u64(t, KLAB_SCHED_A_OBS_T_LAT_SUM_NS);
        hist(o.lat_hist, t[KLAB_SCHED_A_OBS_T_LAT_HIST]);
        if (t[KLAB_SCHED_A_OBS_T_FIRST_RUN_NS])
            o.first_run = static_cast<int64_t>(get_u64(t, KLAB_SCHED_A_OBS_T_FIRST_RUN_NS));
        o.first_run_preempted = get_u32(t, KLAB_SCHED_A_OBS_T_FIRST_RUN_PREEMPTED);
        if (t[KLAB_SCHED_A_OBS_T_FIRST_BLOCK_NS])
            o.first_block = static_cast<int64_t>(get_u64(t, KLAB_SCHED_A_OBS_T_FIRST_BLOCK_NS));
        if (struct nlattr *a = t[KLAB_SCHED_A_OBS_T_SEGMENTS]) {
            const uint64_t *v = static_cast<const uint64_t *>(nla_data(a));
            o.segments.assign(v, v + nla_len(a) / sizeof(uint64_t));
        }
        if (struct nlattr *a = t[KLAB_SCHED_A_OBS_T_SEG_STALLED]) {
            const uint64_t *v = static_cast<const uint64_t *>(nla_data(a));
            o.seg_stalled.assign(v, v + nla_len(a) / sizeof(uint64_t));
        }
        if (struct nlattr *a = t[KLAB_SCHED_A_OBS_T_SEG_START]) {
            const uint64_t *v = static_cast<const uint64_t *>(nla_data(a));
            o.seg_start.assign(v, v + nla_len(a) / sizeof(uint64_t));
        }
        r.tasks.push_back(o);
    }
    return r;
}

} // namespace

uint32_t run_new(const Workload &w)
{
    GenlSocket sock;
    Family family = open_family(sock, kSchedModule);
    const struct ksched_run_spec &s = w.spec;
    uint32_t id = 0;

    // a run of many entities is larger than libnl's default message
    nlmsg_set_default_size(1 << 18);
    sock.request(
        family, KLAB_SCHED_CMD_RUN_NEW,
        [&](struct nl_msg *msg) {
            if (s.name[0])
                check(nla_put_string(msg, KLAB_SCHED_A_RUN_NAME, s.name));
            put_u64(msg, KLAB_SCHED_A_RUN_DURATION_NS, s.duration_ns);
            put_u64(msg, KLAB_SCHED_A_RUN_TICK_NS, s.tick_ns);
            put_u64(msg, KLAB_SCHED_A_RUN_CPUS, s.cpus);
            put_u64(msg, KLAB_SCHED_A_RUN_RT_RUNTIME_NS, static_cast<uint64_t>(s.rt_runtime_ns));
            put_u64(msg, KLAB_SCHED_A_RUN_RT_PERIOD_NS, s.rt_period_ns);
            put_u64(msg, KLAB_SCHED_A_RUN_WATCHDOG_NS, s.watchdog_ns);
            put_u64(msg, KLAB_SCHED_A_RUN_BALANCE_NS, s.balance_ns);
            check(nla_put_u32(msg, KLAB_SCHED_A_RUN_TRACE_CAP, s.trace_cap));
            struct nlattr *ents = nla_nest_start(msg, KLAB_SCHED_A_RUN_ENTITIES);
            if (!ents)
                check(-1);
            for (u32 i = 0; i < s.nr_entities; i++)
                put_entity(msg, s.entities[i]);
            nla_nest_end(msg, ents);
        },
        [&](struct nlmsghdr *nlh) { id = get_u32(parse(nlh), KLAB_SCHED_A_RUN_ID); });
    return id;
}

RunStats run_get(uint32_t id, bool entities, bool trace)
{
    GenlSocket sock;
    Family family = open_family(sock, kSchedModule);
    RunStats r;

    sock.request(
        family, KLAB_SCHED_CMD_RUN_GET, [id](struct nl_msg *msg) { put_run_id(msg, id); },
        [&](struct nlmsghdr *nlh) { r = decode_run(nlh); });
    if (entities)
        sock.dump(
            family, KLAB_SCHED_CMD_ENT_GET, [&r](struct nl_msg *msg) { put_run_id(msg, r.id); },
            [&](struct nlmsghdr *nlh) {
                Attrs tb = parse(nlh);
                if (tb[KLAB_SCHED_A_ENTITY])
                    r.ents.push_back(decode_entity(tb[KLAB_SCHED_A_ENTITY]));
            });
    if (trace)
        sock.dump(
            family, KLAB_SCHED_CMD_TRACE_GET, [&r](struct nl_msg *msg) { put_run_id(msg, r.id); },
            [&](struct nlmsghdr *nlh) {
                Attrs tb = parse(nlh);
                struct nlattr *a = tb[KLAB_SCHED_A_TRACE_EVENTS];
                if (!a)
                    return;
                const auto *ev = static_cast<const struct klab_sched_trace_event *>(nla_data(a));
                r.trace.insert(r.trace.end(), ev, ev + nla_len(a) / sizeof(*ev));
                // each event's fair view, or none for all of them
                a = tb[KLAB_SCHED_A_TRACE_FAIR];
                if (!a)
                    return;
                const auto *tf = static_cast<const struct klab_sched_trace_fair *>(nla_data(a));
                r.trace_fair.insert(r.trace_fair.end(), tf, tf + nla_len(a) / sizeof(*tf));
            });
    return r;
}

std::vector<RunStats> run_list()
{
    GenlSocket sock;
    Family family = open_family(sock, kSchedModule);
    std::vector<RunStats> runs;

    sock.dump(family, KLAB_SCHED_CMD_RUN_GET, nullptr,
              [&](struct nlmsghdr *nlh) { runs.push_back(decode_run(nlh)); });
    return runs;
}

void run_stop(uint32_t id)
{
    request_u32(kSchedModule, KLAB_SCHED_CMD_RUN_STOP, KLAB_SCHED_A_RUN_ID, id);
}

void run_del(uint32_t id)
{
    request_u32(kSchedModule, KLAB_SCHED_CMD_RUN_DEL, KLAB_SCHED_A_RUN_ID, id);
}

ObsResult obs_new(const std::vector<ObsThread> &threads, const std::vector<uint32_t> &pids,
                  uint64_t window_ns, uint64_t warmup_ns)
{
    GenlSocket sock;
    Family family = open_family(sock, kSchedModule);
    ObsResult r;

    sock.request(
        family, KLAB_SCHED_CMD_OBS_NEW,
        [&](struct nl_msg *msg) {
            put_u64(msg, KLAB_SCHED_A_OBS_WINDOW_NS, window_ns);
            if (warmup_ns)
                put_u64(msg, KLAB_SCHED_A_OBS_WARMUP_NS, warmup_ns);
            for (uint32_t pid : pids)
                check(nla_put_u32(msg, KLAB_SCHED_A_OBS_PID, pid));
            for (const ObsThread &t : threads) {
                struct nlattr *nest = nla_nest_start(msg, KLAB_SCHED_A_OBS_THREAD);
                if (!nest)
                    check(-1);
                check(nla_put_u32(msg, KLAB_SCHED_A_OBS_T_POLICY, t.policy));
                if (t.policy == 0)
                    check(nla_put_u32(msg, KLAB_SCHED_A_OBS_T_NICE, static_cast<uint32_t>(t.nice)));
                if (t.prio)
                    check(nla_put_u32(msg, KLAB_SCHED_A_OBS_T_PRIO, t.prio));
                if (t.dl_period) {
                    put_u64(msg, KLAB_SCHED_A_OBS_T_DL_RUNTIME_NS, t.dl_runtime);
                    put_u64(msg, KLAB_SCHED_A_OBS_T_DL_DEADLINE_NS, t.dl_deadline);
                    put_u64(msg, KLAB_SCHED_A_OBS_T_DL_PERIOD_NS, t.dl_period);
                }
                if (t.cpu >= 0)
                    check(nla_put_u32(msg, KLAB_SCHED_A_OBS_T_CPU, static_cast<uint32_t>(t.cpu)));
                if (t.run_ns)
                    put_u64(msg, KLAB_SCHED_A_OBS_T_RUN_NS, t.run_ns);
                if (t.start_ns)
                    put_u64(msg, KLAB_SCHED_A_OBS_T_START_NS, t.start_ns);
                if (t.period_ns)
                    put_u64(msg, KLAB_SCHED_A_OBS_T_PERIOD_NS, t.period_ns);
                if (t.idle)
                    check(nla_put_flag(msg, KLAB_SCHED_A_OBS_T_IDLE));
                if (t.bind)
                    check(nla_put_flag(msg, KLAB_SCHED_A_OBS_T_BIND));
                nla_nest_end(msg, nest);
            }
        },
        [&](struct nlmsghdr *nlh) { r = decode_obs(nlh); });
    return r;
}

ObsResult obs_get(uint32_t id)
{
    GenlSocket sock;
    Family family = open_family(sock, kSchedModule);
    ObsResult r;

    sock.request(
        family, KLAB_SCHED_CMD_OBS_GET,
        [id](struct nl_msg *msg) { check(nla_put_u32(msg, KLAB_SCHED_A_OBS_ID, id)); },
        [&](struct nlmsghdr *nlh) { r = decode_obs(nlh); });
    return r;
}

void obs_del(uint32_t id)
{
    request_u32(kSchedModule, KLAB_SCHED_CMD_OBS_DEL, KLAB_SCHED_A_OBS_ID, id);
}

uint64_t pingpong(uint32_t cpu, uint32_t rounds)
{
    GenlSocket sock;
    Family family = open_family(sock, kSchedModule);
    uint64_t ns = 0;

    sock.request(
        family, KLAB_SCHED_CMD_PINGPONG,
        [&](struct nl_msg *msg) {
            check(nla_put_u32(msg, KLAB_SCHED_A_PP_CPU, cpu));
            check(nla_put_u32(msg, KLAB_SCHED_A_PP_ROUNDS, rounds));
        },
        [&](struct nlmsghdr *nlh) { ns = get_u64(parse(nlh), KLAB_SCHED_A_PP_NS); });
    return ns;
}

} // namespace klab::sched
