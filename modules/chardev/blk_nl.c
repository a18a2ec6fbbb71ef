// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the RAM disk's generic netlink commands, BLK_ADD, BLK_DEL,
 * BLK_LIST and BLK_STATS (see <klab/chardev.h>); netlink.c lists them in
 * the family's operations.
 */
#include <linux/blkdev.h>

#include "chardev.h"

const struct nla_policy kcdev_blk_nl_add_policy[KLAB_CHARDEV_A_MAX + 1] = {
	[KLAB_CHARDEV_A_BLK_NAME] = { .type = NLA_NUL_STRING,
				      .len = KLAB_CHARDEV_BLK_NAME_LEN - 1 },
	[KLAB_CHARDEV_A_BLK_SIZE_MB] = { .type = NLA_U64 },
	[KLAB_CHARDEV_A_BLK_BLOCKSIZE] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_IRQMODE] = { .type = NLA_U32 },
	[KLAB_CHARDEV_A_BLK_COMPLETION_NSEC] = { .type = NLA_U64 },
	[KLAB_CHARDEV_A_BLK_DISCARD] = { .type = NLA_U8 },
};

const struct nla_policy kcdev_blk_nl_name_policy[KLAB_CHARDEV_A_MAX + 1] = {
	[KLAB_CHARDEV_A_BLK_NAME] = { .type = NLA_NUL_STRING,
				      .len = KLAB_CHARDEV_BLK_NAME_LEN - 1 },
};

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
				      atomic64_read(&dev->queues[i].requests),
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
	struct kcdev_blk_stats st;

	kcdev_blk_stats(dev, &st);
	if (nla_put_u64_64bit(msg, KLAB_CHARDEV_A_BLK_PAGES, st.pages,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_BLK_BYTES_READ,
			      st.bytes_read, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_BLK_BYTES_WRITTEN,
			      st.bytes_written, KLAB_A_PAD) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_BLK_INFLIGHT, st.inflight) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_BLK_IO_ERRORS, st.io_errors,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_BLK_MERGES_READ,
			      st.merges_read, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_BLK_MERGES_WRITE,
			      st.merges_write, KLAB_A_PAD))
		return -EMSGSIZE;
	return kcdev_blk_nl_fill_queues(msg, dev);
}

/* One KLAB_CHARDEV_A_BLK_DEVICE nest.  Context: kcdev_blk_lock held. */
static int kcdev_blk_nl_fill_dev(struct sk_buff *msg,
				 struct kcdev_blk_dev *dev, bool stats)
{
	const struct kcdev_blk_cfg *cfg = &dev->cfg;
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
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_BLK_SIZE_MB, cfg->size_mb,
			      KLAB_A_PAD) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_BLK_BLOCKSIZE, cfg->blocksize) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES,
			cfg->submit_queues) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH,
			cfg->hw_queue_depth) ||
	    nla_put_u32(msg, KLAB_CHARDEV_A_BLK_IRQMODE, cfg->irqmode) ||
	    nla_put_u64_64bit(msg, KLAB_CHARDEV_A_BLK_COMPLETION_NSEC,
			      cfg->completion_nsec, KLAB_A_PAD) ||
	    nla_put_u8(msg, KLAB_CHARDEV_A_BLK_DISCARD, cfg->discard))
		goto err_cancel;
	if (stats && kcdev_blk_nl_fill_stats(msg, dev))
		goto err_cancel;
	nla_nest_end(msg, nest);
	return 0;

err_cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/* Room for one device with its counters and KLAB_CHARDEV_A_MAX queues */
static size_t kcdev_blk_nl_dev_size(void)
{
	return 1024 + nr_cpu_ids * 32;
}

/*
 * Reply with the devices (all, or the one named by the request) in one
 * message: at most KLAB_CHARDEV_BLK_MAX_DEVICES of them exist.
 */
static int kcdev_blk_nl_reply_devs(struct genl_info *info, u8 cmd, bool stats)
{
	struct nlattr *attr = info->attrs[KLAB_CHARDEV_A_BLK_NAME];
	struct kcdev_blk_dev *dev, *only = NULL;
	struct nlattr *devs;
	struct sk_buff *msg;
	size_t n = 0;
	void *hdr;
	int err;

	mutex_lock(&kcdev_blk_lock);
	if (attr) {
		only = kcdev_blk_find(nla_data(attr));
		if (!only) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr,
					    "no block device of that name");
			err = -ENODEV;
			goto out_unlock;
		}
		n = 1;
	} else {
		list_for_each_entry(dev, &kcdev_blk_devices, node)
			n++;
	}

	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE + n * kcdev_blk_nl_dev_size(),
			  GFP_KERNEL);
	if (!msg)
		goto out_unlock;
	err = -EMSGSIZE;
	hdr = klab_nl_reply_put(msg, info, cmd);
	if (!hdr)
		goto err_free_msg;
	devs = nla_nest_start(msg, KLAB_CHARDEV_A_BLK_DEVICES);
	if (!devs)
		goto err_free_msg;
	if (only) {
		if (kcdev_blk_nl_fill_dev(msg, only, stats))
			goto err_free_msg;
	} else {
		list_for_each_entry(dev, &kcdev_blk_devices, node)
			if (kcdev_blk_nl_fill_dev(msg, dev, stats))
				goto err_free_msg;
	}
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

/* Copy the optional configuration attributes of @info into @cfg. */
static int kcdev_blk_nl_parse_cfg(struct genl_info *info,
				  struct kcdev_blk_cfg *cfg)
{
	struct nlattr **tb = info->attrs;
	const char *why = NULL;
	int attr;

	if (tb[KLAB_CHARDEV_A_BLK_SIZE_MB])
		cfg->size_mb = nla_get_u64(tb[KLAB_CHARDEV_A_BLK_SIZE_MB]);
	if (tb[KLAB_CHARDEV_A_BLK_BLOCKSIZE])
		cfg->blocksize = nla_get_u32(tb[KLAB_CHARDEV_A_BLK_BLOCKSIZE]);
	if (tb[KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES])
		cfg->submit_queues =
			nla_get_u32(tb[KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES]);
	if (tb[KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH])
		cfg->hw_queue_depth =
			nla_get_u32(tb[KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH]);
	if (tb[KLAB_CHARDEV_A_BLK_IRQMODE])
		cfg->irqmode = nla_get_u32(tb[KLAB_CHARDEV_A_BLK_IRQMODE]);
	if (tb[KLAB_CHARDEV_A_BLK_COMPLETION_NSEC])
		cfg->completion_nsec =
			nla_get_u64(tb[KLAB_CHARDEV_A_BLK_COMPLETION_NSEC]);
	if (tb[KLAB_CHARDEV_A_BLK_DISCARD])
		cfg->discard = nla_get_u8(tb[KLAB_CHARDEV_A_BLK_DISCARD]);

	if (!kcdev_blk_cfg_check(cfg, &why))
		return 0;

	if (!strcmp(why, "size")) {
		attr = KLAB_CHARDEV_A_BLK_SIZE_MB;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[attr],
				    "size out of range (1-1048576 MiB)");
	} else if (!strcmp(why, "blocksize")) {
		attr = KLAB_CHARDEV_A_BLK_BLOCKSIZE;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[attr],
				    "blocksize must be 512 or 4096");
	} else if (!strcmp(why, "submit_queues")) {
		attr = KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[attr],
				    "submit-queues out of range (1-number of CPUs)");
	} else if (!strcmp(why, "hw_queue_depth")) {
		attr = KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[attr],
				    "hw-queue-depth out of range (1-4096)");
	} else if (!strcmp(why, "irqmode")) {
		attr = KLAB_CHARDEV_A_BLK_IRQMODE;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[attr],
				    "irqmode out of range (0-2)");
	} else {
		attr = KLAB_CHARDEV_A_BLK_COMPLETION_NSEC;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[attr],
				    "completion-nsec out of range (0-1000000000)");
	}
	return -EINVAL;
}

/**
 * kcdev_blk_nl_add - BLK_ADD: create and power a device
 * @skb: the request
 * @info: its attributes
 *
 * Return: 0 (after a BLK_LIST-style reply) or a negative errno.
 */
int kcdev_blk_nl_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *name = info->attrs[KLAB_CHARDEV_A_BLK_NAME];
	struct kcdev_blk_dev *dev;
	struct kcdev_blk_cfg cfg;
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
	kcdev_blk_cfg_default(&cfg);
	err = kcdev_blk_nl_parse_cfg(info, &cfg);
	if (err)
		return err;

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
	dev->cfg = cfg;
	err = kcdev_blk_power_on(dev);
	if (err) {
		GENL_SET_ERR_MSG(info, "could not create the disk");
		kcdev_blk_dev_free(dev);
	}
out_unlock:
	mutex_unlock(&kcdev_blk_lock);
	if (err)
		return err;

	return kcdev_blk_nl_reply_devs(info, KLAB_CHARDEV_CMD_BLK_ADD, false);
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
	struct nlattr *name = info->attrs[KLAB_CHARDEV_A_BLK_NAME];
	struct kcdev_blk_dev *dev;
	int err = 0;

	if (!name) {
		GENL_SET_ERR_MSG(info, "name missing");
		return -EINVAL;
	}

	mutex_lock(&kcdev_blk_lock);
	dev = kcdev_blk_find(nla_data(name));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "no block device of that name");
		err = -ENODEV;
	} else if (dev->configfs) {
		NL_SET_ERR_MSG_ATTR(info->extack, name,
				    "made in configfs: rmdir its directory");
		err = -EBUSY;
	} else {
		kcdev_blk_dev_free(dev);
	}
	mutex_unlock(&kcdev_blk_lock);
	return err;
}

/**
 * kcdev_blk_nl_list - BLK_LIST: the devices and their configuration
 * @skb: the request
 * @info: its attributes
 *
 * Return: 0 or a negative errno.
 */
int kcdev_blk_nl_list(struct sk_buff *skb, struct genl_info *info)
{
	return kcdev_blk_nl_reply_devs(info, KLAB_CHARDEV_CMD_BLK_LIST, false);
}

/**
 * kcdev_blk_nl_stats - BLK_STATS: the devices with their counters
 * @skb: the request
 * @info: its attributes
 *
 * Return: 0 or a negative errno.
 */
int kcdev_blk_nl_stats(struct sk_buff *skb, struct genl_info *info)
{
	return kcdev_blk_nl_reply_devs(info, KLAB_CHARDEV_CMD_BLK_STATS, true);
}
