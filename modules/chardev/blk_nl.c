// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the RAM disk's generic netlink commands, BLK_ADD, BLK_DEL,
 * BLK_SET, BLK_LIST and BLK_STATS (see <klab/chardev.h>); netlink.c
 * lists them in the family's operations.
 */
#include <linux/blkdev.h>

#include "chardev.h"

/* A field of struct kcdev_blk_cfg or kcdev_blk_fault and its attribute */
struct kcdev_blk_nl_field {
	int attr;		/* KLAB_CHARDEV_A_BLK_* */
	int type;		/* NLA_U8 (a bool), NLA_U32 or NLA_U64 */
	size_t offset;
};

#define KCDEV_BLK_NL_FIELD(_struct, _attr, _type, _field)		\
	{ KLAB_CHARDEV_A_BLK_##_attr, NLA_##_type,			\
	  offsetof(struct _struct, _field) }
#define KCDEV_BLK_NL_CFG(_attr, _type, _field)				\
	KCDEV_BLK_NL_FIELD(kcdev_blk_cfg, _attr, _type, _field)
#define KCDEV_BLK_NL_FAULT(_attr, _type, _field)			\
	KCDEV_BLK_NL_FIELD(kcdev_blk_fault, _attr, _type, _field)

static const struct kcdev_blk_nl_field kcdev_blk_nl_cfg_fields[] = {
	KCDEV_BLK_NL_CFG(SIZE_MB, U64, size_mb),
	KCDEV_BLK_NL_CFG(BLOCKSIZE, U32, blocksize),
	KCDEV_BLK_NL_CFG(QUEUE_MODE, U32, queue_mode),
	KCDEV_BLK_NL_CFG(SUBMIT_QUEUES, U32, submit_queues),
	KCDEV_BLK_NL_CFG(POLL_QUEUES, U32, poll_queues),
	KCDEV_BLK_NL_CFG(HW_QUEUE_DEPTH, U32, hw_queue_depth),
	KCDEV_BLK_NL_CFG(IRQMODE, U32, irqmode),
	KCDEV_BLK_NL_CFG(COMPLETION_NSEC, U64, completion_nsec),
	KCDEV_BLK_NL_CFG(DISCARD, U8, discard),
	KCDEV_BLK_NL_CFG(CACHE_SIZE_MB, U32, cache_size_mb),
	KCDEV_BLK_NL_CFG(ZONED, U8, zoned),
	KCDEV_BLK_NL_CFG(ZONE_SIZE_MB, U32, zone_size_mb),
	KCDEV_BLK_NL_CFG(ZONE_CAPACITY_MB, U32, zone_capacity_mb),
	KCDEV_BLK_NL_CFG(ZONE_NR_CONV, U32, zone_nr_conv),
	KCDEV_BLK_NL_CFG(ZONE_MAX_OPEN, U32, zone_max_open),
	KCDEV_BLK_NL_CFG(ZONE_MAX_ACTIVE, U32, zone_max_active),
};

static const struct kcdev_blk_nl_field kcdev_blk_nl_fault_fields[] = {
	KCDEV_BLK_NL_FAULT(FAULT_OPS, U32, ops),
	KCDEV_BLK_NL_FAULT(FAIL_NTH, U32, fail_nth),
	KCDEV_BLK_NL_FAULT(FAIL_PPM, U32, fail_ppm),
	KCDEV_BLK_NL_FAULT(TIMEOUT_NTH, U32, timeout_nth),
	KCDEV_BLK_NL_FAULT(TIMEOUT_ACTION, U32, timeout_action),
	KCDEV_BLK_NL_FAULT(DELAY_NTH, U32, delay_nth),
	KCDEV_BLK_NL_FAULT(DELAY_NSEC, U64, delay_nsec),
};

/* BLK_ADD and BLK_SET: a name, the configuration, fault injection, power */
const struct nla_policy kcdev_blk_nl_add_policy[KLAB_CHARDEV_A_MAX + 1] = {
	[KLAB_CHARDEV_A_BLK_NAME] = { .type = NLA_NUL_STRING,
				      .len = KLAB_CHARDEV_BLK_NAME_LEN - 1 },
	[KLAB_CHARDEV_A_BLK_POWERED] = NLA_POLICY_MAX(NLA_U8, 1),
	[KLAB_CHARDEV_A_BLK_SIZE_MB] = { .type = NLA_U64 },
	[KLAB_CHARDEV_A_BLK_BLOCKSIZE] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_QUEUE_MODE] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_POLL_QUEUES] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_IRQMODE] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_COMPLETION_NSEC] = { .type = NLA_U64 },
	[KLAB_CHARDEV_A_BLK_DISCARD] = NLA_POLICY_MAX(NLA_U8, 1),
	[KLAB_CHARDEV_A_BLK_CACHE_SIZE_MB] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_ZONED] = NLA_POLICY_MAX(NLA_U8, 1),
	[KLAB_CHARDEV_A_BLK_ZONE_SIZE_MB] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_ZONE_CAPACITY_MB] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_ZONE_NR_CONV] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_ZONE_MAX_OPEN] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_ZONE_MAX_ACTIVE] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_FAULT_OPS] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_FAIL_NTH] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_FAIL_PPM] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_TIMEOUT_NTH] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_TIMEOUT_ACTION] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_DELAY_NTH] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_DELAY_NSEC] = { .type = NLA_U64 },
};

const struct nla_policy kcdev_blk_nl_name_policy[KLAB_CHARDEV_A_MAX + 1] = {
	[KLAB_CHARDEV_A_BLK_NAME] = { .type = NLA_NUL_STRING,
				      .len = KLAB_CHARDEV_BLK_NAME_LEN - 1 },
};

/* Copy the attributes of @fields present in @tb into @base */
static bool kcdev_blk_nl_get_fields(void *base, struct nlattr **tb,
				    const struct kcdev_blk_nl_field *fields,
				    unsigned int n)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct nlattr *a = tb[fields[i].attr];
		void *field = base + fields[i].offset;

		if (!a)
			continue;
		any = true;
		switch (fields[i].type) {
		case NLA_U8:
			*(bool *)field = nla_get_u8(a);
			break;
		case NLA_U32:
			*(u32 *)field = nla_get_u32(a);
			break;
		default:
			*(u64 *)field = nla_get_u64(a);
			break;
		}
	}
	return any;
}

static int kcdev_blk_nl_put_fields(struct sk_buff *msg, const void *base,
				   const struct kcdev_blk_nl_field *fields,
				   unsigned int n)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		const void *field = base + fields[i].offset;

		switch (fields[i].type) {
		case NLA_U8:
			err = nla_put_u8(msg, fields[i].attr, *(bool *)field);
			break;
		case NLA_U32:
			err = nla_put_u32(msg, fields[i].attr, *(u32 *)field);
			break;
		default:
			err = nla_put_u64_64bit(msg, fields[i].attr,
						*(u64 *)field, KLAB_A_PAD);
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

static int kcdev_blk_nl_fill_queues(struct sk_buff *msg,
				    struct kcdev_blk_dev *dev)
{
	struct nlattr *queues, *queue;
	unsigned int i;

	queues = nla_nest_start(msg, KLAB_CHARDEV_A_BLK_QUEUES);
	if (!queues)
		return -EMSGSIZE;
	for (i = 0; i < dev->nr_queues; i++) {
		queue = nla_nest_start(msg, KLAB_CHARDEV_A_BLK_QUEUE);
		if (!queue ||
		    nla_put_u32(msg, KLAB_CHARDEV_A_BLK_INDEX, i) ||
		    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_BLK_REQUESTS,
				      kcdev_blk_queue_requests(dev, i),
				      KLAB_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(msg, queue);
	}
	nla_nest_end(msg, queues);
	return 0;
}

static int kcdev_blk_nl_fill_stats(struct sk_buff *msg,
				   struct kcdev_blk_dev *dev)
{
	const struct kcdev_blk_stat_desc *d;
	struct kcdev_blk_stats st;
	unsigned int i;

	kcdev_blk_stats(dev, &st);
	for (i = 0; i < kcdev_blk_nr_stat_descs; i++) {
		d = &kcdev_blk_stat_descs[i];
		if (nla_put_u64_64bit(msg, d->attr, kcdev_blk_stat(&st, d),
				      KLAB_A_PAD))
			return -EMSGSIZE;
	}
	if (nla_put_u32(msg, KLAB_CHARDEV_A_BLK_INFLIGHT, st.inflight) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_BLK_NR_ZONES, st.nr_zones))
		return -EMSGSIZE;
	return kcdev_blk_nl_fill_queues(msg, dev);
}

/* One KLAB_CHARDEV_A_BLK_DEVICE nest.  Context: kcdev_blk_lock held. */
static int kcdev_blk_nl_fill_dev(struct sk_buff *msg,
				 struct kcdev_blk_dev *dev, bool stats)
{
	char disk[DISK_NAME_LEN];
	struct nlattr *nest;

	snprintf(disk, sizeof(disk), "klab_blk%d", dev->index);
	nest = nla_nest_start(msg, KLAB_CHARDEV_A_BLK_DEVICE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(msg, KLAB_CHARDEV_A_BLK_NAME, dev->name) ||
	    nla_put_string(msg, KLAB_CHARDEV_A_BLK_DISK, disk) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_BLK_INDEX, dev->index) ||
	    nla_put_u8(msg, KLAB_CHARDEV_A_BLK_POWERED, !!dev->disk) ||
	    nla_put_u8(msg, KLAB_CHARDEV_A_BLK_CONFIGFS, dev->configfs) ||
	    kcdev_blk_nl_put_fields(msg, &dev->cfg, kcdev_blk_nl_cfg_fields,
				    ARRAY_SIZE(kcdev_blk_nl_cfg_fields)) ||
	    kcdev_blk_nl_put_fields(msg, &dev->fault,
				    kcdev_blk_nl_fault_fields,
				    ARRAY_SIZE(kcdev_blk_nl_fault_fields)))
		goto err_cancel;
	if (stats && kcdev_blk_nl_fill_stats(msg, dev))
		goto err_cancel;
	nla_nest_end(msg, nest);
	return 0;

err_cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/* Room for one device with its counters and its queues */
static size_t kcdev_blk_nl_dev_size(void)
{
	return 2048 + (nr_cpu_ids + KLAB_CHARDEV_BLK_POLL_QUEUES_MAX) * 32;
}

/*
 * Reply with the device named by the request, in a KLAB_CHARDEV_A_BLK_DEVICES
 * nest as a dump's messages carry it.
 */
static int kcdev_blk_nl_reply_dev(struct genl_info *info, u8 cmd, bool stats)
{
	struct nlattr *attr = info->attrs[KLAB_CHARDEV_A_BLK_NAME];
	struct kcdev_blk_dev *dev;
	struct nlattr *devs;
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KLAB_CHARDEV_A_BLK_NAME))
		return -EINVAL;
	mutex_lock(&kcdev_blk_lock);
	dev = kcdev_blk_find(nla_data(attr));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no block device of that name");
		err = -ENODEV;
		goto out_unlock;
	}

	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE + kcdev_blk_nl_dev_size(),
			  GFP_KERNEL);
	if (!msg)
		goto out_unlock;
	err = -EMSGSIZE;
	hdr = klab_nl_reply_put(msg, info, cmd);
	if (!hdr)
		goto err_free_msg;
	devs = nla_nest_start(msg, KLAB_CHARDEV_A_BLK_DEVICES);
	if (!devs || kcdev_blk_nl_fill_dev(msg, dev, stats))
		goto err_free_msg;
	nla_nest_end(msg, devs);
	genlmsg_end(msg, hdr);
	mutex_unlock(&kcdev_blk_lock);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
out_unlock:
	mutex_unlock(&kcdev_blk_lock);
	return err;
}

/*
 * Say in the extended ACK which attribute was refused and why.  The
 * NL_SET_ERR_MSG() macros want a literal; the message here is one of
 * the static strings of kcdev_blk_cfg_check(), which is what they make.
 */
static void kcdev_blk_nl_refused(struct genl_info *info,
				 const struct kcdev_blk_cfg_err *why)
{
	NL_SET_BAD_ATTR(info->extack, info->attrs[why->attr]);
	if (info->extack)
		info->extack->_msg = why->msg;
}

/* The device named by the request.  Context: kcdev_blk_lock held. */
static struct kcdev_blk_dev *kcdev_blk_nl_dev(struct genl_info *info)
{
	struct nlattr *name = info->attrs[KLAB_CHARDEV_A_BLK_NAME];
	struct kcdev_blk_dev *dev;

	if (!name) {
		GENL_SET_ERR_MSG(info, "name missing");
		return ERR_PTR(-EINVAL);
	}
	dev = kcdev_blk_find(nla_data(name));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "no block device of that name");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

/*
 * Apply the configuration and fault attributes of @info to @dev, after
 * cutting its power if @power_off, and power it on if @power_on.  The
 * whole request is checked before anything changes: a refused one
 * leaves the device as it was, powered or not.  Context: kcdev_blk_lock
 * held.
 */
static int kcdev_blk_nl_apply(struct kcdev_blk_dev *dev,
			      struct genl_info *info, bool power_off,
			      bool power_on)
{
	struct kcdev_blk_cfg cfg = dev->cfg;
	struct kcdev_blk_fault fault = dev->fault;
	struct kcdev_blk_cfg_err why;
	int err;

	if (kcdev_blk_nl_get_fields(&cfg, info->attrs, kcdev_blk_nl_cfg_fields,
				    ARRAY_SIZE(kcdev_blk_nl_cfg_fields)) &&
	    dev->disk && !power_off) {
		GENL_SET_ERR_MSG(info, "cannot change while powered on: power off first");
		return -EINVAL;
	}
	kcdev_blk_nl_get_fields(&fault, info->attrs, kcdev_blk_nl_fault_fields,
				ARRAY_SIZE(kcdev_blk_nl_fault_fields));
	err = kcdev_blk_cfg_check(&cfg, &fault, &why);
	if (err) {
		kcdev_blk_nl_refused(info, &why);
		return err;
	}
	if (power_off)
		kcdev_blk_power_off(dev);
	dev->cfg = cfg;
	kcdev_blk_fault_set(dev, &fault);
	if (!power_on)
		return 0;
	err = kcdev_blk_power_on(dev, &why);
	if (err == -EINVAL)
		kcdev_blk_nl_refused(info, &why);
	else if (err)
		GENL_SET_ERR_MSG(info, "could not create the disk");
	return err;
}

/**
 * kcdev_blk_nl_add - BLK_ADD: create a device, powered unless POWERED is 0
 * @skb: the request
 * @info: its attributes
 *
 * Return: 0 (after a BLK_LIST-style reply) or a negative errno.
 */
int kcdev_blk_nl_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = info->attrs[KLAB_CHARDEV_A_BLK_NAME];
	struct nlattr *power = info->attrs[KLAB_CHARDEV_A_BLK_POWERED];
	struct kcdev_blk_dev *dev;
	int err;

	if (!name) {
		GENL_SET_ERR_MSG(info, "name missing");
		return -EINVAL;
	}
	if (kcdev_blk_name_check(nla_data(name))) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "name must be 1-31 of [A-Za-z0-9_-]");
		return -EINVAL;
	}

	mutex_lock(&kcdev_blk_lock);
	dev = kcdev_blk_dev_alloc(nla_data(name));
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack, name,
					    "a block device of that name exists");
		else if (err == -ENOSPC)
			GENL_SET_ERR_MSG(info, "too many block devices");
		goto out_unlock;
	}
	err = kcdev_blk_nl_apply(dev, info, false,
				 !power || nla_get_u8(power));
	if (err)
		kcdev_blk_dev_free(dev);
out_unlock:
	mutex_unlock(&kcdev_blk_lock);
	if (err)
		return err;

	return kcdev_blk_nl_reply_dev(info, KLAB_CHARDEV_CMD_BLK_ADD, false);
}

/**
 * kcdev_blk_nl_set - BLK_SET: power off, reconfigure, power on a device
 * @skb: the request
 * @info: its attributes
 *
 * POWERED 0 cuts the power first (once the whole request is found
 * valid); configuration attributes otherwise need the device off;
 * fault injection may change at any time; POWERED 1 powers it on last.
 *
 * Return: 0 (after a BLK_LIST-style reply) or a negative errno.
 */
int kcdev_blk_nl_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *power = info->attrs[KLAB_CHARDEV_A_BLK_POWERED];
	struct kcdev_blk_dev *dev;
	int err;

	mutex_lock(&kcdev_blk_lock);
	dev = kcdev_blk_nl_dev(info);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
		goto out_unlock;
	}
	err = kcdev_blk_nl_apply(dev, info, power && !nla_get_u8(power),
				 power && nla_get_u8(power));
out_unlock:
	mutex_unlock(&kcdev_blk_lock);
	if (err)
		return err;

	return kcdev_blk_nl_reply_dev(info, KLAB_CHARDEV_CMD_BLK_SET, false);
}

/**
 * kcdev_blk_nl_del - BLK_DEL: remove a device made by BLK_ADD or nr_devices
 * @skb: the request
 * @info: its attributes
 *
 * Devices made in configfs are refused: only rmdir removes them.
 *
 * Return: 0 or a negative errno.
 */
int kcdev_blk_nl_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kcdev_blk_dev *dev;
	int err = 0;

	mutex_lock(&kcdev_blk_lock);
	dev = kcdev_blk_nl_dev(info);
	if (IS_ERR(dev)) {
		err = PTR_ERR(dev);
	} else if (dev->configfs) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[KLAB_CHARDEV_A_BLK_NAME],
				    "made in configfs: rmdir its directory");
		err = -EBUSY;
	} else {
		kcdev_blk_dev_free(dev);
	}
	mutex_unlock(&kcdev_blk_lock);
	return err;
}

/**
 * kcdev_blk_nl_list - BLK_LIST: the named device and its configuration
 * @skb: the request
 * @info: its attributes
 *
 * Return: 0 or a negative errno.
 */
int kcdev_blk_nl_list(struct sk_buff *skb, struct genl_info *info)
{
	return kcdev_blk_nl_reply_dev(info, KLAB_CHARDEV_CMD_BLK_LIST, false);
}

/**
 * kcdev_blk_nl_stats - BLK_STATS: the named device with its counters
 * @skb: the request
 * @info: its attributes
 *
 * Return: 0 or a negative errno.
 */
int kcdev_blk_nl_stats(struct sk_buff *skb, struct genl_info *info)
{
	return kcdev_blk_nl_reply_dev(info, KLAB_CHARDEV_CMD_BLK_STATS, true);
}

static int kcdev_blk_nl_dump_dev(struct sk_buff *msg, void *dev)
{
	return kcdev_blk_nl_fill_dev(msg, dev, false);
}

static int kcdev_blk_nl_dump_dev_stats(struct sk_buff *msg, void *dev)
{
	return kcdev_blk_nl_fill_dev(msg, dev, true);
}

/**
 * kcdev_blk_nl_dump - BLK_LIST and BLK_STATS as dumps: every device, one
 *	a message (max_devices of them would not fit one reply)
 * @skb: the part of the dump to fill
 * @cb: the dump
 *
 * Return: the part's length, 0 at the end, or a negative errno.
 */
int kcdev_blk_nl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	int (*fill)(struct sk_buff *msg, void *dev) = kcdev_blk_nl_dump_dev;
	struct kcdev_blk_dev *dev;
	long idx = 0;
	int err = 0;

	if (genl_dumpit_info(cb)->op.cmd == KLAB_CHARDEV_CMD_BLK_STATS)
		fill = kcdev_blk_nl_dump_dev_stats;
	mutex_lock(&kcdev_blk_lock);
	list_for_each_entry(dev, &kcdev_blk_devices, node) {
		err = klab_nl_dump_obj(skb, cb, &idx,
				       KLAB_CHARDEV_A_BLK_DEVICES, fill, dev);
		if (err)
			break;
	}
	mutex_unlock(&kcdev_blk_lock);
	return klab_nl_dump_done(skb, cb, idx, err);
}
