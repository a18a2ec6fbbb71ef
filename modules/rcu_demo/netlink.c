// SPDX-License-Identifier: GPL-2.0
/* rcu_demo: the klab_rcu generic netlink family */
#include "rcu_demo.h"

static const struct nla_policy krcu_nl_start_policy[KLAB_RCU_A_MAX + 1] = {
	[KLAB_RCU_A_HARNESS_ID] = { .type = NLA_U32 },
	[KLAB_RCU_A_TYPE] = { .type = NLA_NUL_STRING, .len = KRCU_NAME_LEN - 1 },
	[KLAB_RCU_A_READERS] = { .type = NLA_U32 },
	[KLAB_RCU_A_WRITERS] = { .type = NLA_U32 },
	[KLAB_RCU_A_DURATION_S] = { .type = NLA_U32 },
	[KLAB_RCU_A_READER_DELAY_US] = { .type = NLA_U32 },
	[KLAB_RCU_A_LOOPS] = { .type = NLA_U32 },
	[KLAB_RCU_A_NRUNS] = { .type = NLA_U32 },
	[KLAB_RCU_A_SAMPLES] = { .type = NLA_U32 },
	[KLAB_RCU_A_STAT_INTERVAL_S] = { .type = NLA_U32 },
};

/* A u32 parameter: its attribute, where it goes, its limit, its name */
struct krcu_nl_param {
	int attr;
	size_t offset;
	u32 max;
	const char *msg;
};

#define KRCU_PARAM(a, field, limit, text)				\
	{ .attr = a, .offset = offsetof(struct krcu_params, field),	\
	  .max = limit, .msg = text }

static const struct krcu_nl_param krcu_nl_params[] = {
	KRCU_PARAM(KLAB_RCU_A_READERS, readers, KLAB_RCU_READERS_MAX,
		   "readers out of range (0-64, 0 = default)"),
	KRCU_PARAM(KLAB_RCU_A_WRITERS, writers, KLAB_RCU_WRITERS_MAX,
		   "writers out of range (0-16, 0 = default)"),
	KRCU_PARAM(KLAB_RCU_A_DURATION_S, duration_s, KLAB_RCU_DURATION_MAX_S,
		   "duration out of range (0-3600 s, 0 = default)"),
	KRCU_PARAM(KLAB_RCU_A_READER_DELAY_US, reader_delay_us,
		   KLAB_RCU_READER_DELAY_MAX_US,
		   "reader-delay out of range (0-10000 us)"),
	KRCU_PARAM(KLAB_RCU_A_LOOPS, loops, KLAB_RCU_LOOPS_MAX,
		   "loops out of range (0-10000000, 0 = default)"),
	KRCU_PARAM(KLAB_RCU_A_NRUNS, nruns, KLAB_RCU_NRUNS_MAX,
		   "nruns out of range (0-30, 0 = default)"),
	KRCU_PARAM(KLAB_RCU_A_SAMPLES, samples, KLAB_RCU_SAMPLES_MAX,
		   "samples out of range (0-100000, 0 = default)"),
	KRCU_PARAM(KLAB_RCU_A_STAT_INTERVAL_S, stat_interval_s,
		   KLAB_RCU_STAT_INTERVAL_MAX_S,
		   "stat-interval out of range (0-600 s, 0 = default)"),
};

static bool krcu_harness_has_type(const struct krcu_harness *h,
				  const char *type)
{
	const char * const *t;

	for (t = h->types; *t; t++)
		if (!strcmp(*t, type))
			return true;
	return false;
}

static int krcu_nl_parse_start(struct genl_info *info, struct krcu_params *p)
{
	struct nlattr *harness = info->attrs[KLAB_RCU_A_HARNESS_ID];
	struct nlattr *type = info->attrs[KLAB_RCU_A_TYPE];
	unsigned int i;

	if (!harness) {
		GENL_SET_ERR_MSG(info, "harness missing");
		return -EINVAL;
	}
	p->harness = nla_get_u32(harness);
	if (p->harness >= __KLAB_RCU_HARNESS_END) {
		NL_SET_ERR_MSG_ATTR(info->extack, harness,
				    "harness out of range (0-5)");
		return -EINVAL;
	}
	if (!type) {
		GENL_SET_ERR_MSG(info, "type missing");
		return -EINVAL;
	}
	nla_strscpy(p->type, type, sizeof(p->type));
	if (!krcu_harness_has_type(krcu_harnesses[p->harness], p->type)) {
		NL_SET_ERR_MSG_ATTR(info->extack, type,
				    "unknown type for this harness");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(krcu_nl_params); i++) {
		const struct krcu_nl_param *np = &krcu_nl_params[i];
		struct nlattr *attr = info->attrs[np->attr];

		if (!attr)
			continue;
		if (nla_get_u32(attr) > np->max) {
			/* the macros want a literal; the table's are static */
			if (info->extack)
				info->extack->_msg = np->msg;
			NL_SET_BAD_ATTR(info->extack, attr);
			return -EINVAL;
		}
		*(u32 *)((char *)p + np->offset) = nla_get_u32(attr);
	}
	return 0;
}

static int krcu_nl_start_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct krcu_params p = {};
	struct sk_buff *msg;
	void *hdr;
	u32 id;
	int err;

	err = krcu_nl_parse_start(info, &p);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = krcu_run_start(&p, &id);
	if (err == -EBUSY)
		GENL_SET_ERR_MSG(info, "a run is already active (stop it or wait for it)");
	if (err)
		goto err_free;
	hdr = klab_nl_reply_put(msg, info, KLAB_RCU_CMD_START);
	if (!hdr || nla_put_u32(msg, KLAB_RCU_A_RUN_ID, id)) {
		err = -EMSGSIZE;
		goto err_free;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

static int krcu_nl_stop_doit(struct sk_buff *skb, struct genl_info *info)
{
	int err = krcu_run_stop();

	if (err == -ENOENT)
		GENL_SET_ERR_MSG(info, "no run is active");
	return err;
}

static int krcu_nl_put_group(struct sk_buff *msg, const struct krcu_group *g)
{
	struct nlattr *group, *nest;
	unsigned int i, j;

	group = nla_nest_start(msg, KLAB_RCU_A_GROUP);
	if (!group || nla_put_string(msg, KLAB_RCU_A_NAME, g->name))
		return -EMSGSIZE;
	for (i = 0; i < g->nr_stats; i++) {
		nest = nla_nest_start(msg, KLAB_RCU_A_STAT);
		if (!nest ||
		    nla_put_string(msg, KLAB_RCU_A_NAME, g->stats[i].name) ||
		    nla_put_u64_64bit(msg, KLAB_RCU_A_VALUE, g->stats[i].value,
				      KLAB_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	for (i = 0; i < g->nr_series; i++) {
		nest = nla_nest_start(msg, KLAB_RCU_A_SERIES);
		if (!nest ||
		    nla_put_string(msg, KLAB_RCU_A_NAME, g->series[i].name))
			return -EMSGSIZE;
		for (j = 0; j < g->series[i].len; j++)
			if (nla_put_u64_64bit(msg, KLAB_RCU_A_VALUE,
					      g->series[i].values[j],
					      KLAB_A_PAD))
				return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	nla_nest_end(msg, group);
	return 0;
}

struct krcu_nl_status {
	struct genl_info *info;
	struct sk_buff *msg;
};

/* An upper bound of the STATUS reply's payload for @run */
static size_t krcu_nl_status_size(const struct krcu_run *run)
{
	size_t size = 1024;
	unsigned int i;

	if (!run)
		return size;
	for (i = 0; i < run->nr_groups; i++)
		size += nla_total_size(0) + nla_total_size(KRCU_NAME_LEN) +
			run->groups[i].nr_stats *
			(nla_total_size(0) + nla_total_size(KRCU_NAME_LEN) +
			 nla_total_size_64bit(sizeof(u64))) +
			run->groups[i].nr_series *
			(nla_total_size(0) + nla_total_size(KRCU_NAME_LEN) +
			 KRCU_SERIES_LEN * nla_total_size_64bit(sizeof(u64)));
	return size;
}

static int krcu_nl_fill_status(const struct krcu_run *run, u32 state,
			       void *arg)
{
	struct krcu_nl_status *st = arg;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;
	u64 now;

	msg = genlmsg_new(krcu_nl_status_size(run), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, st->info, KLAB_RCU_CMD_STATUS);
	if (!hdr || nla_put_u32(msg, KLAB_RCU_A_RUN_STATE, state))
		goto err_free;
	if (!run)
		goto out;

	now = run->finished_ns ?: ktime_get_boottime_ns();
	if (nla_put_u32(msg, KLAB_RCU_A_RUN_ID, run->id) ||
	    nla_put_u32(msg, KLAB_RCU_A_HARNESS_ID, run->params.harness) ||
	    nla_put_string(msg, KLAB_RCU_A_TYPE, run->params.type) ||
	    nla_put_u64_64bit(msg, KLAB_RCU_A_ELAPSED_NS,
			      now - run->started_ns, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_RCU_A_EXPECTED_NS, run->expected_ns,
			      KLAB_A_PAD))
		goto err_free;
	if (state != KLAB_RCU_RUN_DONE)
		goto out;
	if (nla_put_u8(msg, KLAB_RCU_A_SUCCESS, run->success) ||
	    nla_put_u8(msg, KLAB_RCU_A_STOPPED, run->stopped))
		goto err_free;
	for (i = 0; i < run->nr_groups; i++)
		if (krcu_nl_put_group(msg, &run->groups[i]))
			goto err_free;
out:
	genlmsg_end(msg, hdr);
	st->msg = msg;
	return 0;

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int krcu_nl_status_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct krcu_nl_status st = { .info = info };
	int err;

	err = krcu_run_report(krcu_nl_fill_status, &st);
	if (err)
		return err;
	return genlmsg_reply(st.msg, info);
}

static int krcu_nl_types_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	unsigned int h;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, KLAB_RCU_CMD_TYPES);
	if (!hdr)
		goto err_free;
	for (h = 0; h < __KLAB_RCU_HARNESS_END; h++) {
		const char * const *t;
		struct nlattr *nest;

		nest = nla_nest_start(msg, KLAB_RCU_A_HARNESS);
		if (!nest ||
		    nla_put_u32(msg, KLAB_RCU_A_HARNESS_ID, h) ||
		    nla_put_string(msg, KLAB_RCU_A_NAME,
				   krcu_harnesses[h]->name))
			goto err_free;
		for (t = krcu_harnesses[h]->types; *t; t++)
			if (nla_put_string(msg, KLAB_RCU_A_TYPE, *t))
				goto err_free;
		nla_nest_end(msg, nest);
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops krcu_nl_ops[] = {
	{
		.cmd = KLAB_RCU_CMD_TYPES,
		.doit = krcu_nl_types_doit,
	},
	{
		.cmd = KLAB_RCU_CMD_START,
		.doit = krcu_nl_start_doit,
		.policy = krcu_nl_start_policy,
		.maxattr = KLAB_RCU_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_RCU_CMD_STATUS,
		.doit = krcu_nl_status_doit,
	},
	{
		.cmd = KLAB_RCU_CMD_STOP,
		.doit = krcu_nl_stop_doit,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct klab_nl_desc krcu_nl_desc = {
	.name = KLAB_RCU_FAMILY_NAME,
	.version = KLAB_RCU_FAMILY_VERSION,
	.maxattr = KLAB_RCU_A_MAX,
	.ops = krcu_nl_ops,
	.n_ops = ARRAY_SIZE(krcu_nl_ops),
};

int krcu_nl_init(void)
{
	return klab_nl_register(&krcu_nl_desc);
}

void krcu_nl_exit(void)
{
	klab_nl_unregister();
}
