// SPDX-License-Identifier: GPL-2.0
/*
 * sched_demo: the klab_sched generic netlink family.  Starting, stopping
 * and deleting runs and observations needs CAP_NET_ADMIN; reading does
 * not.  Every command has a strict policy; descriptions the core refuses
 * come back with its message and the offending attribute in the extack.
 */
#include <linux/sched.h>
#include <uapi/linux/sched.h>

#include "sched_demo.h"

/* ---- policies ----------------------------------------------------------- */

static struct netlink_range_validation ksched_trace_cap_range = {
	.max = KSCHED_TRACE_CAP_MAX,
};

static struct netlink_range_validation ksched_pp_rounds_range = {
	.min = 1,
	.max = 10000000,
};

static const struct nla_policy ksched_step_policy[KLAB_SCHED_A_MAX + 1] = {
	[KLAB_SCHED_A_STEP_OP] = NLA_POLICY_MAX(NLA_U32, __KLAB_SCHED_OP_CNT - 1),
	[KLAB_SCHED_A_STEP_ARG] = { .type = NLA_U64 },
};

static const struct nla_policy ksched_entity_policy[KLAB_SCHED_A_MAX + 1] = {
	[KLAB_SCHED_A_ENT_NAME] = { .type = NLA_NUL_STRING,
				    .len = KLAB_SCHED_NAME_LEN - 1 },
	[KLAB_SCHED_A_ENT_POLICY] = NLA_POLICY_MAX(NLA_U32, __KLAB_SCHED_POLICY_CNT - 1),
	[KLAB_SCHED_A_ENT_NICE] = NLA_POLICY_RANGE(NLA_S32, -20, 19),
	[KLAB_SCHED_A_ENT_PRIO] = NLA_POLICY_RANGE(NLA_U32, 1, 99),
	[KLAB_SCHED_A_ENT_DL_RUNTIME_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_ENT_DL_DEADLINE_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_ENT_DL_PERIOD_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_ENT_CPUS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_ENT_START_CPU] = NLA_POLICY_MAX(NLA_U32, KLAB_SCHED_MAX_CPUS - 1),
	[KLAB_SCHED_A_ENT_START_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_ENT_REPEAT] = { .type = NLA_U32 },
	[KLAB_SCHED_A_ENT_STEP] = NLA_POLICY_NESTED(ksched_step_policy),
};

static const struct nla_policy ksched_entities_policy[KLAB_SCHED_A_MAX + 1] = {
	[KLAB_SCHED_A_ENTITY] = NLA_POLICY_NESTED(ksched_entity_policy),
};

static const struct nla_policy ksched_run_new_policy[KLAB_SCHED_A_MAX + 1] = {
	[KLAB_SCHED_A_RUN_NAME] = { .type = NLA_NUL_STRING,
				    .len = KLAB_SCHED_NAME_LEN - 1 },
	[KLAB_SCHED_A_RUN_DURATION_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_RUN_TICK_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_RUN_CPUS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_RUN_RT_RUNTIME_NS] = { .type = NLA_S64 },
	[KLAB_SCHED_A_RUN_RT_PERIOD_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_RUN_WATCHDOG_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_RUN_BALANCE_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_RUN_TRACE_CAP] = NLA_POLICY_FULL_RANGE(NLA_U32, &ksched_trace_cap_range),
	[KLAB_SCHED_A_RUN_ENTITIES] = NLA_POLICY_NESTED(ksched_entities_policy),
};

static const struct nla_policy ksched_run_id_policy[KLAB_SCHED_A_MAX + 1] = {
	[KLAB_SCHED_A_RUN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy ksched_obs_thread_policy[KLAB_SCHED_A_MAX + 1] = {
	[KLAB_SCHED_A_OBS_T_POLICY] = NLA_POLICY_MAX(NLA_U32, SCHED_DEADLINE),
	[KLAB_SCHED_A_OBS_T_NICE] = NLA_POLICY_RANGE(NLA_S32, -20, 19),
	[KLAB_SCHED_A_OBS_T_PRIO] = NLA_POLICY_RANGE(NLA_U32, 1, 99),
	[KLAB_SCHED_A_OBS_T_DL_RUNTIME_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_OBS_T_DL_DEADLINE_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_OBS_T_DL_PERIOD_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_OBS_T_CPU] = { .type = NLA_U32 },
	[KLAB_SCHED_A_OBS_T_RUN_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_OBS_T_START_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_OBS_T_IDLE] = { .type = NLA_FLAG },
	[KLAB_SCHED_A_OBS_T_PERIOD_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_OBS_T_BIND] = { .type = NLA_FLAG },
};

static const struct nla_policy ksched_obs_new_policy[KLAB_SCHED_A_MAX + 1] = {
	[KLAB_SCHED_A_OBS_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KLAB_SCHED_A_OBS_THREAD] = NLA_POLICY_NESTED(ksched_obs_thread_policy),
	[KLAB_SCHED_A_OBS_WINDOW_NS] = { .type = NLA_U64 },
	[KLAB_SCHED_A_OBS_WARMUP_NS] = { .type = NLA_U64 },
};

static const struct nla_policy ksched_obs_id_policy[KLAB_SCHED_A_MAX + 1] = {
	[KLAB_SCHED_A_OBS_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy ksched_pingpong_policy[KLAB_SCHED_A_MAX + 1] = {
	[KLAB_SCHED_A_PP_CPU] = { .type = NLA_U32 },
	[KLAB_SCHED_A_PP_ROUNDS] = NLA_POLICY_FULL_RANGE(NLA_U32, &ksched_pp_rounds_range),
};

/* ---- extack messages with details -------------------------------------- */

/*
 * The extack keeps a pointer to its message until the ack is built, after
 * the handler returned, and 6.1 has no formatted extack messages: the
 * core's formatted ones are copied into one of a few static slots, taken
 * in turn.  Only that many failing requests in flight at once could
 * overwrite one another's message.
 */
#define KSCHED_NL_MSG_SLOTS	16

static char ksched_nl_msgs[KSCHED_NL_MSG_SLOTS][sizeof_field(struct ksched_spec_error, msg)];
static atomic_t ksched_nl_msg_next = ATOMIC_INIT(0);

static void ksched_nl_set_msg(struct netlink_ext_ack *extack, const char *msg)
{
	unsigned int slot = (unsigned int)atomic_inc_return(&ksched_nl_msg_next) %
			    KSCHED_NL_MSG_SLOTS;

	strscpy(ksched_nl_msgs[slot], msg, sizeof(ksched_nl_msgs[slot]));
	if (extack)
		extack->_msg = ksched_nl_msgs[slot];
}

/* ---- parsing a run description ---------------------------------------- */

static u64 ksched_get_u64(struct nlattr **tb, int attr, u64 def)
{
	return tb[attr] ? nla_get_u64(tb[attr]) : def;
}

static int ksched_parse_steps(struct ksched_entity_spec *es, struct nlattr *nest,
			      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KLAB_SCHED_A_MAX + 1];
	struct nlattr *a;
	int rem, err;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != KLAB_SCHED_A_ENT_STEP)
			continue;
		if (es->nr_steps == KLAB_SCHED_MAX_STEPS) {
			NL_SET_ERR_MSG_ATTR(extack, a, "too many steps (at most 16)");
			return -EINVAL;
		}
		err = nla_parse_nested(tb, KLAB_SCHED_A_MAX, a, ksched_step_policy,
				       extack);
		if (err)
			return err;
		if (!tb[KLAB_SCHED_A_STEP_OP]) {
			NL_SET_ERR_MSG_ATTR(extack, a, "a step needs an op");
			return -EINVAL;
		}
		es->steps[es->nr_steps].op = nla_get_u32(tb[KLAB_SCHED_A_STEP_OP]);
		es->steps[es->nr_steps].arg = ksched_get_u64(tb, KLAB_SCHED_A_STEP_ARG, 0);
		es->nr_steps++;
	}
	return 0;
}

static int ksched_parse_entity(struct ksched_entity_spec *es, struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KLAB_SCHED_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KLAB_SCHED_A_MAX, nest, ksched_entity_policy, extack);
	if (err)
		return err;
	ksched_entity_spec_defaults(es);
	if (tb[KLAB_SCHED_A_ENT_NAME])
		nla_strscpy(es->name, tb[KLAB_SCHED_A_ENT_NAME], sizeof(es->name));
	if (tb[KLAB_SCHED_A_ENT_POLICY])
		es->policy = nla_get_u32(tb[KLAB_SCHED_A_ENT_POLICY]);
	if (tb[KLAB_SCHED_A_ENT_NICE])
		es->nice = nla_get_s32(tb[KLAB_SCHED_A_ENT_NICE]);
	if (tb[KLAB_SCHED_A_ENT_PRIO])
		es->prio = nla_get_u32(tb[KLAB_SCHED_A_ENT_PRIO]);
	if (tb[KLAB_SCHED_A_ENT_START_CPU])
		es->start_cpu = nla_get_u32(tb[KLAB_SCHED_A_ENT_START_CPU]);
	if (tb[KLAB_SCHED_A_ENT_REPEAT])
		es->repeat = nla_get_u32(tb[KLAB_SCHED_A_ENT_REPEAT]);
	es->dl_runtime = ksched_get_u64(tb, KLAB_SCHED_A_ENT_DL_RUNTIME_NS, 0);
	es->dl_deadline = ksched_get_u64(tb, KLAB_SCHED_A_ENT_DL_DEADLINE_NS, 0);
	es->dl_period = ksched_get_u64(tb, KLAB_SCHED_A_ENT_DL_PERIOD_NS, 0);
	es->cpus = ksched_get_u64(tb, KLAB_SCHED_A_ENT_CPUS, 0);
	es->start_ns = ksched_get_u64(tb, KLAB_SCHED_A_ENT_START_NS, 0);
	return ksched_parse_steps(es, nest, extack);
}

/* The ENTITY nest of entity @idx, to point the extack at */
static struct nlattr *ksched_entity_attr(struct nlattr *ents, int idx)
{
	struct nlattr *a;
	int rem, n = 0;

	nla_for_each_nested(a, ents, rem)
		if (nla_type(a) == KLAB_SCHED_A_ENTITY && n++ == idx)
			return a;
	return NULL;
}

/* Point the extack at the attribute the core complained about */
static void ksched_set_bad_attr(struct genl_info *info,
				const struct ksched_spec_error *serr)
{
	struct nlattr *ents = info->attrs[KLAB_SCHED_A_RUN_ENTITIES];
	struct nlattr *bad = NULL, *ent, *a;
	int rem;

	if (serr->entity < 0 || !ents) {
		if (serr->attr > 0 && serr->attr <= KLAB_SCHED_A_MAX)
			bad = info->attrs[serr->attr];
	} else {
		ent = ksched_entity_attr(ents, serr->entity);
		bad = ent;
		nla_for_each_nested(a, ent, rem)
			if (nla_type(a) == serr->attr)
				bad = a;
	}
	if (bad)
		NL_SET_BAD_ATTR(info->extack, bad);
}

static int ksched_parse_run(struct genl_info *info, struct ksched_run_spec *spec)
{
	struct nlattr **tb = info->attrs;
	struct nlattr *ents = tb[KLAB_SCHED_A_RUN_ENTITIES];
	struct nlattr *a;
	int rem, err;
	u32 n = 0;

	ksched_run_spec_defaults(spec);
	spec->cpus = cpumask_bits(cpu_online_mask)[0];
	if (tb[KLAB_SCHED_A_RUN_NAME])
		nla_strscpy(spec->name, tb[KLAB_SCHED_A_RUN_NAME], sizeof(spec->name));
	spec->duration_ns = ksched_get_u64(tb, KLAB_SCHED_A_RUN_DURATION_NS,
					   spec->duration_ns);
	spec->tick_ns = ksched_get_u64(tb, KLAB_SCHED_A_RUN_TICK_NS, spec->tick_ns);
	spec->cpus = ksched_get_u64(tb, KLAB_SCHED_A_RUN_CPUS, spec->cpus);
	if (tb[KLAB_SCHED_A_RUN_RT_RUNTIME_NS])
		spec->rt_runtime_ns = nla_get_s64(tb[KLAB_SCHED_A_RUN_RT_RUNTIME_NS]);
	spec->rt_period_ns = ksched_get_u64(tb, KLAB_SCHED_A_RUN_RT_PERIOD_NS,
					    spec->rt_period_ns);
	spec->watchdog_ns = ksched_get_u64(tb, KLAB_SCHED_A_RUN_WATCHDOG_NS,
					   spec->watchdog_ns);
	spec->balance_ns = ksched_get_u64(tb, KLAB_SCHED_A_RUN_BALANCE_NS,
					  spec->balance_ns);
	if (tb[KLAB_SCHED_A_RUN_TRACE_CAP])
		spec->trace_cap = nla_get_u32(tb[KLAB_SCHED_A_RUN_TRACE_CAP]);

	if (GENL_REQ_ATTR_CHECK(info, KLAB_SCHED_A_RUN_ENTITIES))
		return -EINVAL;
	nla_for_each_nested(a, ents, rem)
		if (nla_type(a) == KLAB_SCHED_A_ENTITY)
			n++;
	if (!n || n > KLAB_SCHED_MAX_ENTITIES) {
		NL_SET_ERR_MSG_ATTR(info->extack, ents, "a run has 1 to 128 entities");
		return -EINVAL;
	}
	spec->entities = kvcalloc(n, sizeof(*spec->entities), GFP_KERNEL);
	if (!spec->entities)
		return -ENOMEM;
	n = 0;
	nla_for_each_nested(a, ents, rem) {
		if (nla_type(a) != KLAB_SCHED_A_ENTITY)
			continue;
		err = ksched_parse_entity(&spec->entities[n++], a, info->extack);
		if (err)
			return err;
	}
	spec->nr_entities = n;
	return 0;
}

static int ksched_nl_run_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ksched_spec_error serr = { .entity = -1, .step = -1 };
	struct ksched_run_spec spec = {};
	struct sk_buff *msg;
	void *hdr;
	u32 id;
	int err;

	err = ksched_parse_run(info, &spec);
	if (err)
		goto out_free;
	err = ksched_run_new(&spec, &id, &serr);
	if (err) {
		if (serr.msg[0]) {
			ksched_nl_set_msg(info->extack, serr.msg);
			ksched_set_bad_attr(info, &serr);
		}
		goto out_free;
	}

	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out_free;
	hdr = klab_nl_reply_put(msg, info, KLAB_SCHED_CMD_RUN_NEW);
	if (!hdr || nla_put_u32(msg, KLAB_SCHED_A_RUN_ID, id)) {
		nlmsg_free(msg);
		goto out_free;
	}
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
out_free:
	kvfree(spec.entities);
	return err;
}

/* ---- reading runs ----------------------------------------------------- */

static int ksched_put_u64(struct sk_buff *msg, int attr, u64 value)
{
	return nla_put_u64_64bit(msg, attr, value, KLAB_A_PAD);
}

static int ksched_fill_cpu(struct sk_buff *msg, const struct ksched_rq *rq, u64 now)
{
	struct nlattr *nest = nla_nest_start(msg, KLAB_SCHED_A_CPU);
	u64 idle = rq->idle_ns, throttled = rq->rt.throttled_ns;

	if (!nest)
		return -EMSGSIZE;
	if (ksched_run_active(rq->run)) {
		if (!rq->curr)
			idle += now - rq->idle_since;
		if (rq->rt.throttled)
			throttled += now - rq->rt.throttled_since;
	}
	if (nla_put_u32(msg, KLAB_SCHED_A_CPU_ID, rq->cpu) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_CPU_SWITCHES, rq->switches) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_CPU_IDLE_NS, idle) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_CPU_TICKS, rq->ticks) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_CPU_RT_THROTTLED_NS, throttled) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_CPU_PULLS, rq->pulls) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_CPU_OVERHEAD_NS, rq->overhead_ns)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* A run's settings, summary and CPUs; under its lock, which is short */
static int ksched_fill_run_locked(struct sk_buff *msg, struct ksched_krun *kr)
{
	const struct ksched_run *run = kr->core;
	const struct ksched_run_spec *spec = &run->spec;
	u64 now = ksched_run_active(run) ? ksched_now() : run->stop_ns;
	u64 overhead = 0, switches = 0;
	struct nlattr *cpus;
	u32 i;

	for (i = 0; i < run->nr_rqs; i++) {
		overhead += run->rqs[i].overhead_ns;
		switches += run->rqs[i].switches;
	}
	if (nla_put_u32(msg, KLAB_SCHED_A_RUN_ID, kr->id) ||
	    nla_put_string(msg, KLAB_SCHED_A_RUN_NAME, spec->name) ||
	    nla_put_u32(msg, KLAB_SCHED_A_RUN_STATE, run->state) ||
	    (run->reason[0] &&
	     nla_put_string(msg, KLAB_SCHED_A_RUN_REASON, run->reason)) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_DURATION_NS, spec->duration_ns) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_ELAPSED_NS, now - run->start_ns) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_TICK_NS, spec->tick_ns) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_CPUS, spec->cpus) ||
	    nla_put_s64(msg, KLAB_SCHED_A_RUN_RT_RUNTIME_NS, spec->rt_runtime_ns,
			KLAB_A_PAD) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_RT_PERIOD_NS, spec->rt_period_ns) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_WATCHDOG_NS, spec->watchdog_ns) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_BALANCE_NS, spec->balance_ns) ||
	    nla_put_u32(msg, KLAB_SCHED_A_RUN_TRACE_CAP, spec->trace_cap) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_TRACE_LOST, run->trace_lost) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_OVERHEAD_NS, overhead) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_RUN_SWITCHES, switches) ||
	    nla_put_u32(msg, KLAB_SCHED_A_RUN_NR_ENTITIES, run->nr_entities))
		return -EMSGSIZE;
	cpus = nla_nest_start(msg, KLAB_SCHED_A_RUN_CPU_STATS);
	if (!cpus)
		return -EMSGSIZE;
	for (i = 0; i < run->nr_rqs; i++)
		if (ksched_fill_cpu(msg, &run->rqs[i], now))
			return -EMSGSIZE;
	nla_nest_end(msg, cpus);
	return 0;
}

static int ksched_fill_run(struct sk_buff *msg, struct ksched_krun *kr)
{
	unsigned long flags;
	int err;

	raw_spin_lock_irqsave(&kr->lock, flags);
	err = ksched_fill_run_locked(msg, kr);
	raw_spin_unlock_irqrestore(&kr->lock, flags);
	return err;
}

static u32 ksched_attr_run_id(struct nlattr **attrs)
{
	return attrs[KLAB_SCHED_A_RUN_ID] ? nla_get_u32(attrs[KLAB_SCHED_A_RUN_ID]) : 0;
}

static int ksched_nl_run_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ksched_krun *kr;
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(4 * NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, KLAB_SCHED_CMD_RUN_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	ksched_runs_lock();
	kr = ksched_run_find(ksched_attr_run_id(info->attrs));
	if (!kr) {
		ksched_runs_unlock();
		NL_SET_ERR_MSG(info->extack, "no such run");
		err = -ENOENT;
		goto err_free;
	}
	err = ksched_fill_run(msg, kr);
	ksched_runs_unlock();
	if (err)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

static void *ksched_dump_put(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd)
{
	return genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			   genl_dumpit_info(cb)->family, NLM_F_MULTI, cmd);
}

/* Every run, newest first; cb->args[0] is the id of the last one sent */
static int ksched_nl_run_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ksched_krun *kr = NULL;
	int err = 0;
	void *hdr;

	ksched_runs_lock();
	while ((kr = ksched_run_next(kr))) {
		if (cb->args[0] && kr->id >= cb->args[0])
			continue;
		hdr = ksched_dump_put(skb, cb, KLAB_SCHED_CMD_RUN_GET);
		if (!hdr)
			break;
		if (ksched_fill_run(skb, kr)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = kr->id;
	}
	ksched_runs_unlock();
	return err ? err : skb->len;
}

/* What ENT_GET reports of an entity, copied under the run's lock */
struct ksched_ent_snap {
	struct ksched_entity se;
	const struct ksched_entity_spec *spec;
	u64 run_start;
	u64 run_cpus;
	pid_t pid;
	int cpu;
	u32 nr_rqs;
	u64 cpu_runtime[KLAB_SCHED_MAX_CPUS];
};

static void ksched_ent_snapshot(struct ksched_krun *kr, u32 i,
				struct ksched_ent_snap *snap)
{
	struct ksched_run *run = kr->core;
	struct ksched_entity *se = &run->ents[i];
	unsigned long flags;
	u64 now;

	raw_spin_lock_irqsave(&kr->lock, flags);
	now = ksched_run_active(run) ? ksched_now() : run->stop_ns;
	snap->se = *se;
	snap->spec = se->spec;
	snap->run_start = run->start_ns;
	snap->run_cpus = run->spec.cpus;
	snap->nr_rqs = run->nr_rqs;
	snap->cpu = se->rq ? se->rq->cpu : -1;
	memcpy(snap->cpu_runtime, se->cpu_runtime, run->nr_rqs * sizeof(u64));
	if (ksched_run_active(run)) {
		/* what curr and waiting entities have had since the last update */
		u64 ran = READ_ONCE(kr->kents[i].ran_ns);

		if (se->on_cpu && ksched_time_before(se->ran_seen, ran)) {
			snap->se.sum_exec_runtime += ran - se->ran_seen;
			snap->cpu_runtime[se->rq->idx] += ran - se->ran_seen;
		} else if (se->on_rq && !se->on_cpu) {
			snap->se.wait_sum += now - se->wait_start;
		}
	}
	raw_spin_unlock_irqrestore(&kr->lock, flags);
	snap->pid = kr->kents[i].pid;
}

static int ksched_fill_entity_desc(struct sk_buff *msg, const struct ksched_ent_snap *s)
{
	const struct ksched_entity_spec *es = s->spec;

	if (nla_put_string(msg, KLAB_SCHED_A_ENT_NAME, es->name) ||
	    nla_put_u32(msg, KLAB_SCHED_A_ENT_POLICY, es->policy) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_CPUS, es->cpus ? es->cpus : s->run_cpus) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_START_NS, es->start_ns) ||
	    nla_put_u32(msg, KLAB_SCHED_A_ENT_REPEAT, es->repeat))
		return -EMSGSIZE;
	switch (es->policy) {
	case KLAB_SCHED_POLICY_FAIR:
		if (nla_put_s32(msg, KLAB_SCHED_A_ENT_NICE, es->nice) ||
		    nla_put_u32(msg, KLAB_SCHED_A_ENT_WEIGHT, s->se.fair.weight) ||
		    ksched_put_u64(msg, KLAB_SCHED_A_ENT_VRUNTIME, s->se.fair.vruntime))
			return -EMSGSIZE;
		break;
	case KLAB_SCHED_POLICY_FIFO:
	case KLAB_SCHED_POLICY_RR:
		if (nla_put_u32(msg, KLAB_SCHED_A_ENT_PRIO, es->prio))
			return -EMSGSIZE;
		break;
	case KLAB_SCHED_POLICY_DEADLINE:
		if (ksched_put_u64(msg, KLAB_SCHED_A_ENT_DL_RUNTIME_NS, es->dl_runtime) ||
		    ksched_put_u64(msg, KLAB_SCHED_A_ENT_DL_DEADLINE_NS,
				   s->se.dl.dl_deadline) ||
		    ksched_put_u64(msg, KLAB_SCHED_A_ENT_DL_PERIOD_NS, es->dl_period))
			return -EMSGSIZE;
		break;
	}
	if (es->start_cpu != KSCHED_NO_CPU &&
	    nla_put_u32(msg, KLAB_SCHED_A_ENT_START_CPU, es->start_cpu))
		return -EMSGSIZE;
	return 0;
}

static int ksched_fill_entity(struct sk_buff *msg, const struct ksched_ent_snap *s)
{
	const struct ksched_entity *se = &s->se;
	struct nlattr *nest = nla_nest_start(msg, KLAB_SCHED_A_ENTITY);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, KLAB_SCHED_A_ENT_ID, se->id) ||
	    nla_put_u32(msg, KLAB_SCHED_A_ENT_PID, s->pid) ||
	    nla_put_u32(msg, KLAB_SCHED_A_ENT_STATE, se->state) ||
	    (s->cpu >= 0 && nla_put_u32(msg, KLAB_SCHED_A_ENT_CPU, s->cpu)) ||
	    ksched_fill_entity_desc(msg, s) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_RUNTIME_NS, se->sum_exec_runtime) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_WAIT_NS, se->wait_sum) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_NVCSW, se->nvcsw) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_NIVCSW, se->nivcsw) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_WAKEUPS, se->wakeups) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_MIGRATIONS, se->migrations) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_LAT_MAX_NS, se->lat_max) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_LAT_SUM_NS, se->lat_sum) ||
	    nla_put(msg, KLAB_SCHED_A_ENT_LAT_HIST, sizeof(se->lat_hist), se->lat_hist) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_DL_MISSES, se->dl_misses) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_THROTTLED, se->throttled) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_DL_OVERRUN_MAX_NS, se->dl_overrun_max) ||
	    (se->first_run &&
	     ksched_put_u64(msg, KLAB_SCHED_A_ENT_FIRST_RUN_NS, se->first_run - s->run_start)) ||
	    (se->done_at &&
	     ksched_put_u64(msg, KLAB_SCHED_A_ENT_DONE_NS, se->done_at - s->run_start)) ||
	    nla_put(msg, KLAB_SCHED_A_ENT_CPU_RUNTIME, s->nr_rqs * sizeof(u64),
		    s->cpu_runtime) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_ENT_WRONG_CPU, se->wrong_cpu)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * The run a per-run dump walks: found by the request's id on the first
 * call (an error if there is none), by cb->args[0] on the calls after, where
 * NULL means it was deleted meanwhile and the dump ends.  Runs lock held.
 */
static struct ksched_krun *ksched_dump_run(struct netlink_callback *cb)
{
	struct ksched_krun *kr;

	if (cb->args[0])
		return ksched_run_find(cb->args[0]);
	kr = ksched_run_find(ksched_attr_run_id(genl_dumpit_info(cb)->attrs));
	if (!kr) {
		NL_SET_ERR_MSG(cb->extack, "no such run");
		return ERR_PTR(-ENOENT);
	}
	cb->args[0] = kr->id;
	return kr;
}

/* The entities of one run: cb->args[0] its id, cb->args[1] the next */
static int ksched_nl_ent_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ksched_ent_snap *snap;
	struct ksched_krun *kr;
	int err = 0;
	void *hdr;

	snap = kmalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	ksched_runs_lock();
	kr = ksched_dump_run(cb);
	if (IS_ERR_OR_NULL(kr)) {
		err = PTR_ERR_OR_ZERO(kr);
		goto out;
	}
	for (; cb->args[1] < kr->core->nr_entities; cb->args[1]++) {
		ksched_ent_snapshot(kr, cb->args[1], snap);
		hdr = ksched_dump_put(skb, cb, KLAB_SCHED_CMD_ENT_GET);
		if (!hdr)
			break;
		if (nla_put_u32(skb, KLAB_SCHED_A_RUN_ID, kr->id) ||
		    ksched_fill_entity(skb, snap)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
out:
	ksched_runs_unlock();
	kfree(snap);
	return err ? err : skb->len;
}

/*
 * Trace events in chunks: cb->args[0] the run, cb->args[1] the next event.
 * A chunk's events and their fair views (48 bytes an event) fit in a
 * message of NLMSG_GOODSIZE, the smallest skb a dump may get
 */
#define KSCHED_TRACE_CHUNK	64

static int ksched_nl_trace_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *attr, *fair;
	struct ksched_krun *kr;
	unsigned long flags;
	int err = 0;
	void *hdr;

	ksched_runs_lock();
	kr = ksched_dump_run(cb);
	if (IS_ERR_OR_NULL(kr)) {
		err = PTR_ERR_OR_ZERO(kr);
		goto out;
	}
	for (;;) {
		u32 len = READ_ONCE(kr->core->trace_len);
		u32 n = min_t(u32, len - cb->args[1], KSCHED_TRACE_CHUNK);

		if (!n)
			break;
		hdr = ksched_dump_put(skb, cb, KLAB_SCHED_CMD_TRACE_GET);
		if (!hdr)
			break;
		attr = NULL;
		fair = NULL;
		if (!nla_put_u32(skb, KLAB_SCHED_A_RUN_ID, kr->id))
			attr = nla_reserve(skb, KLAB_SCHED_A_TRACE_EVENTS,
					   n * sizeof(struct klab_sched_trace_event));
		if (attr)
			fair = nla_reserve(skb, KLAB_SCHED_A_TRACE_FAIR,
					   n * sizeof(struct klab_sched_trace_fair));
		if (!fair) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		raw_spin_lock_irqsave(&kr->lock, flags);
		memcpy(nla_data(attr), &kr->core->trace[cb->args[1]],
		       n * sizeof(struct klab_sched_trace_event));
		memcpy(nla_data(fair), &kr->core->trace_fair[cb->args[1]],
		       n * sizeof(struct klab_sched_trace_fair));
		raw_spin_unlock_irqrestore(&kr->lock, flags);
		genlmsg_end(skb, hdr);
		cb->args[1] += n;
	}
out:
	ksched_runs_unlock();
	return err ? err : skb->len;
}

static int ksched_nl_run_stop(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KLAB_SCHED_A_RUN_ID))
		return -EINVAL;
	err = ksched_run_stop_id(nla_get_u32(info->attrs[KLAB_SCHED_A_RUN_ID]));
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLAB_SCHED_A_RUN_ID],
				    "no such run");
	return err;
}

static int ksched_nl_run_del(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KLAB_SCHED_A_RUN_ID))
		return -EINVAL;
	err = ksched_run_del(nla_get_u32(info->attrs[KLAB_SCHED_A_RUN_ID]));
	if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLAB_SCHED_A_RUN_ID],
				    "no such run");
	else if (err == -EBUSY)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLAB_SCHED_A_RUN_ID],
				    "the run is active: stop it first");
	return err;
}

/* ---- observations ------------------------------------------------------ */

static int ksched_parse_obs_thread(struct ksched_obs_spec *t, struct nlattr *nest,
				   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KLAB_SCHED_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KLAB_SCHED_A_MAX, nest, ksched_obs_thread_policy,
			       extack);
	if (err)
		return err;
	memset(t, 0, sizeof(*t));
	t->cpu = -1;
	if (tb[KLAB_SCHED_A_OBS_T_POLICY])
		t->policy = nla_get_u32(tb[KLAB_SCHED_A_OBS_T_POLICY]);
	if (t->policy != SCHED_NORMAL && t->policy != SCHED_FIFO &&
	    t->policy != SCHED_RR && t->policy != SCHED_DEADLINE) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KLAB_SCHED_A_OBS_T_POLICY],
				    "policy must be SCHED_NORMAL, SCHED_FIFO, SCHED_RR or SCHED_DEADLINE");
		return -EINVAL;
	}
	if (tb[KLAB_SCHED_A_OBS_T_NICE])
		t->nice = nla_get_s32(tb[KLAB_SCHED_A_OBS_T_NICE]);
	if (tb[KLAB_SCHED_A_OBS_T_PRIO])
		t->prio = nla_get_u32(tb[KLAB_SCHED_A_OBS_T_PRIO]);
	if ((t->policy == SCHED_FIFO || t->policy == SCHED_RR) && !t->prio) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "an rt thread needs a priority");
		return -EINVAL;
	}
	if (tb[KLAB_SCHED_A_OBS_T_CPU]) {
		t->cpu = nla_get_u32(tb[KLAB_SCHED_A_OBS_T_CPU]);
		if (t->cpu >= nr_cpu_ids || !cpu_online(t->cpu)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[KLAB_SCHED_A_OBS_T_CPU],
					    "CPU is not online");
			return -EINVAL;
		}
	}
	t->dl_runtime = ksched_get_u64(tb, KLAB_SCHED_A_OBS_T_DL_RUNTIME_NS, 0);
	t->dl_deadline = ksched_get_u64(tb, KLAB_SCHED_A_OBS_T_DL_DEADLINE_NS, 0);
	t->dl_period = ksched_get_u64(tb, KLAB_SCHED_A_OBS_T_DL_PERIOD_NS, 0);
	t->run_ns = ksched_get_u64(tb, KLAB_SCHED_A_OBS_T_RUN_NS, 0);
	t->start_ns = ksched_get_u64(tb, KLAB_SCHED_A_OBS_T_START_NS, 0);
	t->period_ns = ksched_get_u64(tb, KLAB_SCHED_A_OBS_T_PERIOD_NS, 0);
	if (t->period_ns && (t->period_ns < NSEC_PER_USEC || t->run_ns >= t->period_ns)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KLAB_SCHED_A_OBS_T_PERIOD_NS],
				    "a period is at least 1 us and longer than the run");
		return -EINVAL;
	}
	t->idle = nla_get_flag(tb[KLAB_SCHED_A_OBS_T_IDLE]);
	t->bind = nla_get_flag(tb[KLAB_SCHED_A_OBS_T_BIND]);
	if (t->bind && t->cpu < 0) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KLAB_SCHED_A_OBS_T_BIND],
				    "binding a thread needs its CPU");
		return -EINVAL;
	}
	return 0;
}

static int ksched_fill_obs_thread(struct sk_buff *msg, const struct ksched_obs_stats *t,
				  u64 start, bool even)
{
	struct nlattr *nest = nla_nest_start(msg, KLAB_SCHED_A_OBS_THREAD);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, KLAB_SCHED_A_OBS_T_PID, t->pid) ||
	    nla_put_s32(msg, KLAB_SCHED_A_OBS_T_ERROR, t->error) ||
	    nla_put_u32(msg, KLAB_SCHED_A_OBS_T_STATIC_PRIO, t->static_prio) ||
	    nla_put_u32(msg, KLAB_SCHED_A_OBS_T_NORMAL_PRIO, t->normal_prio) ||
	    nla_put_u32(msg, KLAB_SCHED_A_OBS_T_KPRIO, t->prio) ||
	    nla_put_u32(msg, KLAB_SCHED_A_OBS_T_RT_PRIORITY, t->rt_priority) ||
	    nla_put_string(msg, KLAB_SCHED_A_OBS_T_COMM, t->comm) ||
	    nla_put_u32(msg, KLAB_SCHED_A_OBS_T_PPID, t->ppid) ||
	    nla_put_string(msg, KLAB_SCHED_A_OBS_T_PARENT_COMM, t->parent_comm) ||
	    nla_put_u8(msg, KLAB_SCHED_A_OBS_T_HAS_MM, t->has_mm) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_RUNTIME_NS, t->runtime) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_EXEC_NS, t->exec) ||
	    (even && ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_EXEC_EVEN_NS, t->exec_even)) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_NVCSW, t->nvcsw) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_NIVCSW, t->nivcsw) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_WAKEUPS, t->wakeups) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_LAT_MAX_NS, t->lat_max) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_LAT_SUM_NS, t->lat_sum) ||
	    nla_put(msg, KLAB_SCHED_A_OBS_T_LAT_HIST, sizeof(t->lat_hist), t->lat_hist) ||
	    (t->first_run &&
	     ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_FIRST_RUN_NS, t->first_run - start)) ||
	    (t->first_run_preempted &&
	     nla_put_u32(msg, KLAB_SCHED_A_OBS_T_FIRST_RUN_PREEMPTED, t->first_run_preempted)) ||
	    (t->first_block &&
	     ksched_put_u64(msg, KLAB_SCHED_A_OBS_T_FIRST_BLOCK_NS, t->first_block - start)) ||
	    (t->nr_segments &&
	     (nla_put(msg, KLAB_SCHED_A_OBS_T_SEGMENTS, t->nr_segments * sizeof(u64),
		      t->segments) ||
	      nla_put(msg, KLAB_SCHED_A_OBS_T_SEG_STALLED, t->nr_segments * sizeof(u64),
		      t->seg_stalled) ||
	      nla_put(msg, KLAB_SCHED_A_OBS_T_SEG_START, t->nr_segments * sizeof(u64),
		      t->seg_start)))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* Reply with the observation's statistics (OBS_NEW and OBS_GET) */
static int ksched_obs_reply(struct genl_info *info, u8 cmd, u32 id)
{
	struct ksched_obs_stats *stats;
	struct ksched_obs_span even;
	unsigned int i, nr;
	struct sk_buff *msg;
	u64 elapsed, start;
	void *hdr;
	int err;

	stats = kcalloc(KLAB_SCHED_OBS_MAX_THREADS, sizeof(*stats), GFP_KERNEL);
	if (!stats)
		return -ENOMEM;
	err = ksched_obs_get(id, stats, &nr, &elapsed, &start, &even);
	if (err) {
		NL_SET_ERR_MSG(info->extack, "no such observation");
		goto out_free;
	}
	err = -ENOMEM;
	/* 16 threads with full histograms, segments, stalls and starts: 34 KiB */
	msg = genlmsg_new(10 * NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		goto out_free;
	hdr = klab_nl_reply_put(msg, info, cmd);
	if (!hdr || nla_put_u32(msg, KLAB_SCHED_A_OBS_ID, id) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_OBS_ELAPSED_NS, elapsed) ||
	    (even.valid &&
	     (ksched_put_u64(msg, KLAB_SCHED_A_OBS_EVEN_NS, even.ns) ||
	      ksched_put_u64(msg, KLAB_SCHED_A_OBS_EVEN_LAG_NS, even.lag))))
		goto err_msg;
	for (i = 0; i < nr; i++)
		if (ksched_fill_obs_thread(msg, &stats[i], start, even.valid))
			goto err_msg;
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
	goto out_free;

err_msg:
	nlmsg_free(msg);
	err = -EMSGSIZE;
out_free:
	kfree(stats);
	return err;
}

static int ksched_nl_obs_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ksched_obs_spec threads[KLAB_SCHED_OBS_MAX_THREADS];
	pid_t pids[KLAB_SCHED_OBS_MAX_THREADS];
	unsigned int nt = 0, np = 0;
	struct nlattr *a, *w;
	u64 window, warmup;
	int rem, err;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, KLAB_SCHED_A_OBS_WINDOW_NS))
		return -EINVAL;
	window = nla_get_u64(info->attrs[KLAB_SCHED_A_OBS_WINDOW_NS]);
	if (!window || window > KSCHED_OBS_WINDOW_MAX_NS) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLAB_SCHED_A_OBS_WINDOW_NS],
				    "the window is 1 ns to 60 s");
		return -EINVAL;
	}
	w = info->attrs[KLAB_SCHED_A_OBS_WARMUP_NS];
	warmup = w ? nla_get_u64(w) : 0;
	if (warmup > KSCHED_OBS_WINDOW_MAX_NS) {
		NL_SET_ERR_MSG_ATTR(info->extack, w, "the warm-up is at most 60 s");
		return -EINVAL;
	}
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != KLAB_SCHED_A_OBS_THREAD &&
		    nla_type(a) != KLAB_SCHED_A_OBS_PID)
			continue;
		if (nt + np == KLAB_SCHED_OBS_MAX_THREADS) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "at most 16 tasks per observation");
			return -EINVAL;
		}
		if (nla_type(a) == KLAB_SCHED_A_OBS_PID) {
			pids[np++] = nla_get_u32(a);
			continue;
		}
		err = ksched_parse_obs_thread(&threads[nt], a, info->extack);
		if (err)
			return err;
		nt++;
	}
	if (!nt && !np) {
		NL_SET_ERR_MSG(info->extack, "nothing to observe: no thread or pid");
		return -EINVAL;
	}
	err = ksched_obs_new(threads, nt, pids, np, window, warmup, &id, info->extack);
	if (err)
		return err;
	return ksched_obs_reply(info, KLAB_SCHED_CMD_OBS_NEW, id);
}

static int ksched_nl_obs_get(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, KLAB_SCHED_A_OBS_ID))
		return -EINVAL;
	return ksched_obs_reply(info, KLAB_SCHED_CMD_OBS_GET,
				nla_get_u32(info->attrs[KLAB_SCHED_A_OBS_ID]));
}

static int ksched_nl_obs_del(struct sk_buff *skb, struct genl_info *info)
{
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KLAB_SCHED_A_OBS_ID))
		return -EINVAL;
	err = ksched_obs_del(nla_get_u32(info->attrs[KLAB_SCHED_A_OBS_ID]));
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLAB_SCHED_A_OBS_ID],
				    "no such observation");
	return err;
}

static int ksched_nl_pingpong(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	u32 cpu, rounds;
	void *hdr;
	u64 ns;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KLAB_SCHED_A_PP_CPU) ||
	    GENL_REQ_ATTR_CHECK(info, KLAB_SCHED_A_PP_ROUNDS))
		return -EINVAL;
	cpu = nla_get_u32(info->attrs[KLAB_SCHED_A_PP_CPU]);
	rounds = nla_get_u32(info->attrs[KLAB_SCHED_A_PP_ROUNDS]);
	if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KLAB_SCHED_A_PP_CPU],
				    "CPU is not online");
		return -EINVAL;
	}
	err = ksched_pingpong(cpu, rounds, &ns);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, KLAB_SCHED_CMD_PINGPONG);
	if (!hdr || nla_put_u32(msg, KLAB_SCHED_A_PP_CPU, cpu) ||
	    nla_put_u32(msg, KLAB_SCHED_A_PP_ROUNDS, rounds) ||
	    ksched_put_u64(msg, KLAB_SCHED_A_PP_NS, ns)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops ksched_nl_ops[] = {
	{
		.cmd = KLAB_SCHED_CMD_RUN_NEW,
		.doit = ksched_nl_run_new,
		.policy = ksched_run_new_policy,
		.maxattr = KLAB_SCHED_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SCHED_CMD_RUN_GET,
		.doit = ksched_nl_run_get,
		.dumpit = ksched_nl_run_dump,
		.policy = ksched_run_id_policy,
		.maxattr = KLAB_SCHED_A_MAX,
	},
	{
		.cmd = KLAB_SCHED_CMD_ENT_GET,
		.dumpit = ksched_nl_ent_dump,
		.policy = ksched_run_id_policy,
		.maxattr = KLAB_SCHED_A_MAX,
	},
	{
		.cmd = KLAB_SCHED_CMD_RUN_STOP,
		.doit = ksched_nl_run_stop,
		.policy = ksched_run_id_policy,
		.maxattr = KLAB_SCHED_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SCHED_CMD_RUN_DEL,
		.doit = ksched_nl_run_del,
		.policy = ksched_run_id_policy,
		.maxattr = KLAB_SCHED_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SCHED_CMD_TRACE_GET,
		.dumpit = ksched_nl_trace_dump,
		.policy = ksched_run_id_policy,
		.maxattr = KLAB_SCHED_A_MAX,
	},
	{
		.cmd = KLAB_SCHED_CMD_OBS_NEW,
		.doit = ksched_nl_obs_new,
		.policy = ksched_obs_new_policy,
		.maxattr = KLAB_SCHED_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SCHED_CMD_OBS_GET,
		.doit = ksched_nl_obs_get,
		.policy = ksched_obs_id_policy,
		.maxattr = KLAB_SCHED_A_MAX,
	},
	{
		.cmd = KLAB_SCHED_CMD_OBS_DEL,
		.doit = ksched_nl_obs_del,
		.policy = ksched_obs_id_policy,
		.maxattr = KLAB_SCHED_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_SCHED_CMD_PINGPONG,
		.doit = ksched_nl_pingpong,
		.policy = ksched_pingpong_policy,
		.maxattr = KLAB_SCHED_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct klab_nl_desc ksched_nl_desc = {
	.name = KLAB_SCHED_FAMILY_NAME,
	.version = KLAB_SCHED_FAMILY_VERSION,
	.maxattr = KLAB_SCHED_A_MAX,
	.ops = ksched_nl_ops,
	.n_ops = ARRAY_SIZE(ksched_nl_ops),
};

int ksched_nl_init(void)
{
	return klab_nl_register(&ksched_nl_desc);
}

void ksched_nl_exit(void)
{
	klab_nl_unregister();
}
