// SPDX-License-Identifier: GPL-2.0
/* chardev: the klab_chardev generic netlink family */
#include "chardev.h"

/* character devices and the interrupt source (chr) */
static const struct nla_policy kcdev_nl_irq_set_policy[KLAB_CHARDEV_A_CHR_MAX + 1] = {
	[KLAB_CHARDEV_A_IRQ_MODE] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_IRQ_RATE_HZ] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_IRQ_SHARED] = { .type = NLA_U32 },
};

static const struct nla_policy kcdev_nl_irq_fire_policy[KLAB_CHARDEV_A_CHR_MAX + 1] = {
	[KLAB_CHARDEV_A_IRQ_COUNT] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_IRQ_ALL_CPUS] = { .type = NLA_FLAG },
};

/* Room for one KLAB_CHARDEV_A_DEV nest */
#define KCDEV_NL_DEV_SIZE						\
	(nla_total_size(0) + nla_total_size(16) +			\
	 4 * nla_total_size(sizeof(u32)) +				\
	 4 * nla_total_size_64bit(sizeof(u64)))

static int kcdev_nl_put_dev(struct sk_buff *msg, const char *name, u32 kind,
			    dev_t devt, u64 size, u64 capacity, u32 opens,
			    u64 bytes_read, u64 bytes_written)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, KLAB_CHARDEV_A_DEV);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(msg, KLAB_CHARDEV_A_DEV_NAME, name) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_DEV_KIND, kind) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_DEV_MAJOR, MAJOR(devt)) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_DEV_MINOR, MINOR(devt)) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_DEV_SIZE, size, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_DEV_CAPACITY, capacity,
			      KLAB_A_PAD) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_DEV_OPENS, opens) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_DEV_BYTES_READ, bytes_read,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_DEV_BYTES_WRITTEN,
			      bytes_written, KLAB_A_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int kcdev_nl_fill_devs(struct sk_buff *msg)
{
	struct nlattr *devs;
	unsigned int i;

	devs = nla_nest_start(msg, KLAB_CHARDEV_A_DEVS);
	if (!devs)
		return -EMSGSIZE;
	for (i = 0; i < kcdev_nr_scull; i++) {
		struct kcdev_scull *s = &kcdev_sculls[i];

		if (kcdev_nl_put_dev(msg, dev_name(s->dev),
				     KLAB_CHARDEV_KIND_SCULL, s->cdev.dev,
				     kcdev_scull_size(s),
				     kcdev_scull_capacity(),
				     atomic_read(&s->opens),
				     atomic64_read(&s->bytes_read),
				     atomic64_read(&s->bytes_written)))
			return -EMSGSIZE;
	}
	for (i = 0; i < kcdev_nr_pipe; i++) {
		struct kcdev_pipe *p = &kcdev_pipes[i];

		if (kcdev_nl_put_dev(msg, dev_name(p->dev),
				     KLAB_CHARDEV_KIND_PIPE, p->cdev.dev,
				     kcdev_pipe_used(p), kcdev_pipe_capacity(),
				     atomic_read(&p->opens),
				     atomic64_read(&p->bytes_read),
				     atomic64_read(&p->bytes_written)))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, devs);
	return 0;
}

static int kcdev_nl_list_doit(struct sk_buff *skb, struct genl_info *info)
{
	size_t size = nla_total_size(0) +
		      (kcdev_nr_scull + kcdev_nr_pipe) * KCDEV_NL_DEV_SIZE;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, KLAB_CHARDEV_CMD_LIST);
	if (!hdr || kcdev_nl_fill_devs(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int kcdev_nl_irq_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kcdev_irq_stats st;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, KLAB_CHARDEV_CMD_IRQ_GET);
	if (!hdr)
		goto err_free;

	kcdev_irq_get_stats(&st);
	if (nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_NUM, st.irq) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_MODE, st.mode) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_RATE_HZ, st.rate_hz) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_TOP, st.top, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_BOTTOM, st.bottom,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_BH_RUNS, st.bh_runs,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_OVERRUNS, st.overruns,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_RECORDS_DROPPED,
			      st.records_dropped, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_LAT_LAST_NS,
			      st.lat_last_ns, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_LAT_MAX_NS,
			      st.lat_max_ns, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_LAT_AVG_NS,
			      st.lat_avg_ns, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_MERGED, st.merged,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_BH_OVERLAPS,
			      st.bh_overlaps, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_BH_IN_TASK,
			      st.bh_in_task, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_BH_SLEPT, st.bh_slept,
			      KLAB_A_PAD) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_SHARED, st.shared) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_IRQ_SHARED_NUM, st.shared_irq) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_IRQ_SHARED_CALLS,
			      st.shared_calls, KLAB_A_PAD))
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int kcdev_nl_irq_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *mode_attr = info->attrs[KLAB_CHARDEV_A_IRQ_MODE];
	struct nlattr *rate_attr = info->attrs[KLAB_CHARDEV_A_IRQ_RATE_HZ];
	struct nlattr *shared_attr = info->attrs[KLAB_CHARDEV_A_IRQ_SHARED];
	int mode = -1, rate = -1, shared = -1;

	if (!mode_attr && !rate_attr && !shared_attr) {
		GENL_SET_ERR_MSG(info, "nothing to set: no irq-mode, irq-rate-hz or irq-shared");
		return -EINVAL;
	}
	if (mode_attr) {
		if (nla_get_u32(mode_attr) >= __KLAB_CHARDEV_IRQ_MODE_END) {
			NL_SET_ERR_MSG_ATTR(info->extack, mode_attr,
					    "irq-mode out of range (0 tasklet, 1 workqueue)");
			return -EINVAL;
		}
		mode = nla_get_u32(mode_attr);
	}
	if (rate_attr) {
		if (nla_get_u32(rate_attr) > KLAB_CHARDEV_IRQ_RATE_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, rate_attr,
					    "irq-rate-hz out of range (0-100000)");
			return -EINVAL;
		}
		rate = nla_get_u32(rate_attr);
	}
	if (shared_attr) {
		if (nla_get_u32(shared_attr) > KLAB_CHARDEV_IRQ_SHARED_MAX) {
			NL_SET_ERR_MSG_ATTR(info->extack, shared_attr,
					    "irq-shared out of range (0-2 handlers)");
			return -EINVAL;
		}
		shared = nla_get_u32(shared_attr);
	}
	return kcdev_irq_set(mode, rate, shared);
}

static int kcdev_nl_irq_fire_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KLAB_CHARDEV_A_IRQ_COUNT];
	u32 count;

	if (!attr) {
		GENL_SET_ERR_MSG(info, "nothing to fire: irq-count missing");
		return -EINVAL;
	}
	count = nla_get_u32(attr);
	if (!count || count > KLAB_CHARDEV_IRQ_FIRE_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "irq-count out of range (1-100000)");
		return -EINVAL;
	}
	return kcdev_irq_fire(count,
			      nla_get_flag(info->attrs[KLAB_CHARDEV_A_IRQ_ALL_CPUS]));
}

static const struct genl_ops kcdev_nl_ops[] = {
	/* character devices and the interrupt source (chr) */
	{
		.cmd = KLAB_CHARDEV_CMD_LIST,
		.doit = kcdev_nl_list_doit,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_IRQ_GET,
		.doit = kcdev_nl_irq_get_doit,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_IRQ_SET,
		.doit = kcdev_nl_irq_set_doit,
		.policy = kcdev_nl_irq_set_policy,
		.maxattr = KLAB_CHARDEV_A_CHR_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_IRQ_FIRE,
		.doit = kcdev_nl_irq_fire_doit,
		.policy = kcdev_nl_irq_fire_policy,
		.maxattr = KLAB_CHARDEV_A_CHR_MAX,
		.flags = GENL_ADMIN_PERM,
	},

	/* the block device (blk) */
	{
		.cmd = KLAB_CHARDEV_CMD_BLK_ADD,
		.doit = kcdev_blk_nl_add,
		.policy = kcdev_blk_nl_add_policy,
		.maxattr = KLAB_CHARDEV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_BLK_DEL,
		.doit = kcdev_blk_nl_del,
		.policy = kcdev_blk_nl_name_policy,
		.maxattr = KLAB_CHARDEV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_BLK_SET,
		.doit = kcdev_blk_nl_set,
		.policy = kcdev_blk_nl_add_policy,
		.maxattr = KLAB_CHARDEV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_BLK_LIST,
		.doit = kcdev_blk_nl_list,
		.dumpit = kcdev_blk_nl_dump,
		.policy = kcdev_blk_nl_name_policy,
		.maxattr = KLAB_CHARDEV_A_MAX,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_BLK_STATS,
		.doit = kcdev_blk_nl_stats,
		.dumpit = kcdev_blk_nl_dump,
		.policy = kcdev_blk_nl_name_policy,
		.maxattr = KLAB_CHARDEV_A_MAX,
	},
};

static const struct klab_nl_desc kcdev_nl_desc = {
	.name = KLAB_CHARDEV_FAMILY_NAME,
	.version = KLAB_CHARDEV_FAMILY_VERSION,
	.maxattr = KLAB_CHARDEV_A_MAX,
	.ops = kcdev_nl_ops,
	.n_ops = ARRAY_SIZE(kcdev_nl_ops),
};

int kcdev_nl_init(void)
{
	return klab_nl_register(&kcdev_nl_desc);
}

void kcdev_nl_exit(void)
{
	klab_nl_unregister();
}
