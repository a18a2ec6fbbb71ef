// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: /sys/kernel/config/klab_blk.  mkdir makes an unpowered device
 * named after the directory; its attributes configure it; writing 1 to
 * "power" creates /dev/klab_blkN and 0 removes it again; rmdir removes
 * the device.  Configuration attributes are frozen (EBUSY) while the
 * device is powered; "badblocks" can change at any time.
 *
 * configfs holds a reference on this module for every directory, so rmmod
 * fails with EBUSY until they are all rmdir'd; the module therefore never
 * has to tear down a configfs item itself.
 */
#include <linux/blkdev.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "chardev.h"

static const char *const kcdev_blk_irqmodes[] = {
	[KLAB_CHARDEV_BLK_IRQ_NONE] = "none",
	[KLAB_CHARDEV_BLK_IRQ_SOFTIRQ] = "softirq",
	[KLAB_CHARDEV_BLK_IRQ_TIMER] = "timer",
};

static struct kcdev_blk_dev *to_kcdev_blk_dev(struct config_item *item)
{
	return container_of(to_config_group(item), struct kcdev_blk_dev,
			    group);
}

/*
 * Change the configuration: @parse writes the new value into a copy of
 * it, which is checked and installed if the device is not powered.
 */
static ssize_t kcdev_blk_cfg_store(struct config_item *item, const char *page,
				   size_t count,
				   int (*parse)(struct kcdev_blk_cfg *cfg,
						const char *page))
{
	struct kcdev_blk_dev *dev = to_kcdev_blk_dev(item);
	struct kcdev_blk_cfg cfg;
	const char *why;
	int err;

	mutex_lock(&kcdev_blk_lock);
	if (dev->disk) {
		err = -EBUSY;
		goto out_unlock;
	}
	cfg = dev->cfg;
	err = parse(&cfg, page);
	if (err)
		goto out_unlock;
	err = kcdev_blk_cfg_check(&cfg, &why);
	if (err)
		goto out_unlock;
	dev->cfg = cfg;
out_unlock:
	mutex_unlock(&kcdev_blk_lock);
	return err ? err : count;
}

/* Value printers and parsers by type, for KCDEV_BLK_CFG_ATTR() */
static ssize_t kcdev_blk_show_u32(u32 val, char *page)
{
	return sysfs_emit(page, "%u\n", val);
}

static ssize_t kcdev_blk_show_u64(u64 val, char *page)
{
	return sysfs_emit(page, "%llu\n", val);
}

static ssize_t kcdev_blk_show_bool(bool val, char *page)
{
	return sysfs_emit(page, "%d\n", val);
}

static int kcdev_blk_parse_u32(const char *page, u32 *val)
{
	return kstrtou32(page, 0, val);
}

static int kcdev_blk_parse_u64(const char *page, u64 *val)
{
	return kstrtou64(page, 0, val);
}

static int kcdev_blk_parse_bool(const char *page, bool *val)
{
	return kstrtobool(page, val);
}

/* Names of the values of an enumerated field */
struct kcdev_blk_names {
	const char *const *names;
	size_t n;
};

static ssize_t kcdev_blk_enum_show(const struct kcdev_blk_names *names,
				   u32 val, char *page)
{
	if (val < names->n && names->names[val])
		return sysfs_emit(page, "%s\n", names->names[val]);
	return sysfs_emit(page, "%u\n", val);
}

/* A name of @names, or a number (checked with the rest of the config) */
static int kcdev_blk_enum_parse(const struct kcdev_blk_names *names,
				const char *page, u32 *val)
{
	int i = __sysfs_match_string(names->names, names->n, page);

	if (i >= 0) {
		*val = i;
		return 0;
	}
	return kstrtou32(page, 0, val);
}

static const struct kcdev_blk_names kcdev_blk_irqmode_names = {
	kcdev_blk_irqmodes, ARRAY_SIZE(kcdev_blk_irqmodes)
};

static ssize_t kcdev_blk_show_irqmode(u32 val, char *page)
{
	return kcdev_blk_enum_show(&kcdev_blk_irqmode_names, val, page);
}

static int kcdev_blk_parse_irqmode(const char *page, u32 *val)
{
	return kcdev_blk_enum_parse(&kcdev_blk_irqmode_names, page, val);
}

/*
 * KCDEV_BLK_CFG_ATTR - configfs attribute @_attr for the configuration
 * field @_field, of @type, shown and parsed by kcdev_blk_show_<@_kind>()
 * and kcdev_blk_parse_<@_kind>(): read under kcdev_blk_lock, written through
 * kcdev_blk_cfg_store().
 */
#define KCDEV_BLK_CFG_ATTR(_attr, _field, type, _kind)			\
static type *kcdev_blk_##_attr##_field(struct kcdev_blk_cfg *cfg)	\
{									\
	return &(*cfg)._field;						\
}									\
static ssize_t kcdev_blk_##_attr##_show(struct config_item *item,	\
					char *page)			\
{									\
	struct kcdev_blk_dev *dev = to_kcdev_blk_dev(item);		\
	type val;							\
									\
	mutex_lock(&kcdev_blk_lock);					\
	val = *kcdev_blk_##_attr##_field(&dev->cfg);			\
	mutex_unlock(&kcdev_blk_lock);					\
	return kcdev_blk_show_##_kind(val, page);			\
}									\
static int kcdev_blk_##_attr##_parse(struct kcdev_blk_cfg *cfg,	\
				     const char *page)			\
{									\
	return kcdev_blk_parse_##_kind(page,				\
					 kcdev_blk_##_attr##_field(cfg)); \
}									\
static ssize_t kcdev_blk_##_attr##_store(struct config_item *item,	\
					 const char *page, size_t count) \
{									\
	return kcdev_blk_cfg_store(item, page, count,			\
				   kcdev_blk_##_attr##_parse);		\
}									\
CONFIGFS_ATTR(kcdev_blk_, _attr)

/* "size" is the null_blk name of size_mb */
KCDEV_BLK_CFG_ATTR(size, size_mb, u64, u64);
KCDEV_BLK_CFG_ATTR(size_mb, size_mb, u64, u64);
KCDEV_BLK_CFG_ATTR(blocksize, blocksize, u32, u32);
KCDEV_BLK_CFG_ATTR(submit_queues, submit_queues, u32, u32);
KCDEV_BLK_CFG_ATTR(hw_queue_depth, hw_queue_depth, u32, u32);
KCDEV_BLK_CFG_ATTR(irqmode, irqmode, u32, irqmode);
KCDEV_BLK_CFG_ATTR(completion_nsec, completion_nsec, u64, u64);
KCDEV_BLK_CFG_ATTR(discard, discard, bool, bool);

static ssize_t kcdev_blk_power_show(struct config_item *item, char *page)
{
	struct kcdev_blk_dev *dev = to_kcdev_blk_dev(item);
	ssize_t ret;

	mutex_lock(&kcdev_blk_lock);
	ret = sysfs_emit(page, "%d\n", !!dev->disk);
	mutex_unlock(&kcdev_blk_lock);
	return ret;
}

static ssize_t kcdev_blk_power_store(struct config_item *item,
				     const char *page, size_t count)
{
	struct kcdev_blk_dev *dev = to_kcdev_blk_dev(item);
	bool on;
	int err;

	err = kstrtobool(page, &on);
	if (err)
		return err;

	mutex_lock(&kcdev_blk_lock);
	if (on)
		err = kcdev_blk_power_on(dev);
	else
		kcdev_blk_power_off(dev);
	mutex_unlock(&kcdev_blk_lock);
	return err ? err : count;
}

CONFIGFS_ATTR(kcdev_blk_, power);

static ssize_t kcdev_blk_index_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_kcdev_blk_dev(item)->index);
}

CONFIGFS_ATTR_RO(kcdev_blk_, index);

/* One "start length" line per bad range, in 512-byte sectors */
static ssize_t kcdev_blk_badblocks_show(struct config_item *item, char *page)
{
	return badblocks_show(&to_kcdev_blk_dev(item)->bb, page, 0);
}

/* "+START-END" marks sectors START..END (inclusive) bad, "-START-END" good */
static ssize_t kcdev_blk_badblocks_store(struct config_item *item,
					 const char *page, size_t count)
{
	struct kcdev_blk_dev *dev = to_kcdev_blk_dev(item);
	char *copy, *buf, *dash;
	u64 start, end;
	int err;

	copy = kstrndup(page, count, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	buf = strstrip(copy);

	err = -EINVAL;
	if (buf[0] != '+' && buf[0] != '-')
		goto out_free;
	dash = strchr(buf + 1, '-');
	if (!dash)
		goto out_free;
	*dash = '\0';
	if (kstrtou64(buf + 1, 0, &start) || kstrtou64(dash + 1, 0, &end) ||
	    start > end || end - start >= INT_MAX)
		goto out_free;

	if (buf[0] == '+')
		err = badblocks_set(&dev->bb, start, end - start + 1, 1) ?
			-ENOSPC : 0;
	else
		err = badblocks_clear(&dev->bb, start, end - start + 1) ?
			-ENOSPC : 0;
out_free:
	kfree(copy);
	return err ? err : count;
}

CONFIGFS_ATTR(kcdev_blk_, badblocks);

/* The counters, one "key value" per line */
static ssize_t kcdev_blk_stats_show(struct config_item *item, char *page)
{
	struct kcdev_blk_dev *dev = to_kcdev_blk_dev(item);
	struct kcdev_blk_stats st;
	int len;
	unsigned int i;

	mutex_lock(&kcdev_blk_lock);
	kcdev_blk_stats(dev, &st);
	len = sysfs_emit(page,
			 "pages %llu\nbytes_read %llu\nbytes_written %llu\n"
			 "inflight %u\nio_errors %llu\nmerges_read %llu\n"
			 "merges_write %llu\n",
			 st.pages, st.bytes_read, st.bytes_written, st.inflight,
			 st.io_errors, st.merges_read, st.merges_write);
	for (i = 0; i < dev->nr_queues; i++)
		len += sysfs_emit_at(page, len, "queue%u_requests %llu\n", i,
				     (u64)atomic64_read(&dev->queues[i].requests));
	mutex_unlock(&kcdev_blk_lock);
	return len;
}

CONFIGFS_ATTR_RO(kcdev_blk_, stats);

static struct configfs_attribute *kcdev_blk_attrs[] = {
	&kcdev_blk_attr_size,
	&kcdev_blk_attr_size_mb,
	&kcdev_blk_attr_blocksize,
	&kcdev_blk_attr_submit_queues,
	&kcdev_blk_attr_hw_queue_depth,
	&kcdev_blk_attr_irqmode,
	&kcdev_blk_attr_completion_nsec,
	&kcdev_blk_attr_discard,
	&kcdev_blk_attr_badblocks,
	&kcdev_blk_attr_power,
	&kcdev_blk_attr_index,
	&kcdev_blk_attr_stats,
	NULL,
};

/* The last reference to the directory went: remove the device. */
static void kcdev_blk_item_release(struct config_item *item)
{
	struct kcdev_blk_dev *dev = to_kcdev_blk_dev(item);

	mutex_lock(&kcdev_blk_lock);
	kcdev_blk_dev_free(dev);
	mutex_unlock(&kcdev_blk_lock);
}

static struct configfs_item_operations kcdev_blk_item_ops = {
	.release = kcdev_blk_item_release,
};

static const struct config_item_type kcdev_blk_dev_type = {
	.ct_item_ops = &kcdev_blk_item_ops,
	.ct_attrs = kcdev_blk_attrs,
	.ct_owner = THIS_MODULE,
};

static struct config_group *kcdev_blk_make_group(struct config_group *group,
						 const char *name)
{
	struct kcdev_blk_dev *dev;

	if (kcdev_blk_name_check(name))
		return ERR_PTR(-EINVAL);

	mutex_lock(&kcdev_blk_lock);
	dev = kcdev_blk_dev_alloc(name);
	if (!IS_ERR(dev)) {
		dev->configfs = true;
		config_group_init_type_name(&dev->group, name,
					    &kcdev_blk_dev_type);
	}
	mutex_unlock(&kcdev_blk_lock);
	return IS_ERR(dev) ? ERR_CAST(dev) : &dev->group;
}

static struct configfs_group_operations kcdev_blk_group_ops = {
	.make_group = kcdev_blk_make_group,
};

static const struct config_item_type kcdev_blk_subsys_type = {
	.ct_group_ops = &kcdev_blk_group_ops,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem kcdev_blk_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "klab_blk",
			.ci_type = &kcdev_blk_subsys_type,
		},
	},
};

/**
 * kcdev_blk_configfs_init - register /sys/kernel/config/klab_blk
 *
 * Return: 0 or the error of configfs_register_subsystem().
 */
int kcdev_blk_configfs_init(void)
{
	config_group_init(&kcdev_blk_subsys.su_group);
	mutex_init(&kcdev_blk_subsys.su_mutex);
	return configfs_register_subsystem(&kcdev_blk_subsys);
}

/**
 * kcdev_blk_configfs_exit - unregister /sys/kernel/config/klab_blk
 *
 * Context: no directory is left below it (each one pins the module).
 */
void kcdev_blk_configfs_exit(void)
{
	configfs_unregister_subsystem(&kcdev_blk_subsys);
}
