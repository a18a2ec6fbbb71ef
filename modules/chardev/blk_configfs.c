// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: /sys/kernel/config/klab_blk.  mkdir makes an unpowered device
 * named after the directory; its attributes configure it; writing 1 to
 * "power" creates /dev/klab_blkN and 0 cuts the power (the disk goes,
 * unflushed writes are lost, the data stays); rmdir removes the device
 * and its data.  Configuration attributes are frozen while the device is
 * powered; a refused value (EINVAL) says why in the kernel log.  Fault
 * injection and "badblocks" can change at any time.
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

static struct kcdev_blk_dev *to_kcdev_blk_dev(struct config_item *item)
{
	return container_of(to_config_group(item), struct kcdev_blk_dev,
			    group);
}

static void kcdev_blk_refused(struct kcdev_blk_dev *dev,
			      const struct kcdev_blk_cfg_err *why)
{
	pr_warn_ratelimited("klab_blk %s: %s\n", dev->name, why->msg);
}

static void kcdev_blk_cfg_get(struct config_item *item,
			      struct kcdev_blk_cfg *cfg)
{
	mutex_lock(&kcdev_blk_lock);
	*cfg = to_kcdev_blk_dev(item)->cfg;
	mutex_unlock(&kcdev_blk_lock);
}

static void kcdev_blk_fault_get(struct config_item *item,
				struct kcdev_blk_fault *fault)
{
	mutex_lock(&kcdev_blk_lock);
	*fault = to_kcdev_blk_dev(item)->fault;
	mutex_unlock(&kcdev_blk_lock);
}

/*
 * Change the configuration: @parse writes the new value into a copy of
 * it, which is checked and installed.  A powered device's configuration
 * is frozen: EINVAL, as for a bad value, and the reason in the log.
 */
static ssize_t kcdev_blk_cfg_store(struct config_item *item, const char *page,
				   size_t count,
				   int (*parse)(struct kcdev_blk_cfg *cfg,
						const char *page))
{
	struct kcdev_blk_dev *dev = to_kcdev_blk_dev(item);
	struct kcdev_blk_cfg_err why;
	struct kcdev_blk_cfg cfg;
	int err;

	mutex_lock(&kcdev_blk_lock);
	if (dev->disk) {
		why.msg = "cannot change while powered on: write 0 to power first";
		err = -EINVAL;
		goto out_unlock;
	}
	cfg = dev->cfg;
	err = parse(&cfg, page);
	if (err)
		goto out_unlock;
	err = kcdev_blk_cfg_check(&cfg, &dev->fault, &why);
	if (err)
		goto out_unlock;
	dev->cfg = cfg;
out_unlock:
	mutex_unlock(&kcdev_blk_lock);
	if (err == -EINVAL && why.msg)
		kcdev_blk_refused(dev, &why);
	return err ? err : count;
}

/* Change fault injection, powered or not */
static ssize_t kcdev_blk_fault_store(struct config_item *item,
				     const char *page, size_t count,
				     int (*parse)(struct kcdev_blk_fault *fault,
						  const char *page))
{
	struct kcdev_blk_dev *dev = to_kcdev_blk_dev(item);
	struct kcdev_blk_cfg_err why = {};
	struct kcdev_blk_fault fault;
	int err;

	mutex_lock(&kcdev_blk_lock);
	fault = dev->fault;
	err = parse(&fault, page);
	if (!err)
		err = kcdev_blk_fault_check(&dev->cfg, &fault, &why);
	if (!err)
		kcdev_blk_fault_set(dev, &fault);
	mutex_unlock(&kcdev_blk_lock);
	if (err == -EINVAL && why.msg)
		kcdev_blk_refused(dev, &why);
	return err ? err : count;
}

/* Value printers and parsers by kind, for KCDEV_BLK_ATTR() */
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

/* KCDEV_BLK_ENUM - the kind _name: a u32 shown and parsed by @_names */
#define KCDEV_BLK_ENUM(_name, ...)					\
static const char *const kcdev_blk_##_name##_strs[] = { __VA_ARGS__ };	\
static const struct kcdev_blk_names kcdev_blk_##_name##_names = {	\
	kcdev_blk_##_name##_strs, ARRAY_SIZE(kcdev_blk_##_name##_strs)	\
};									\
static ssize_t kcdev_blk_show_##_name(u32 val, char *page)		\
{									\
	return kcdev_blk_enum_show(&kcdev_blk_##_name##_names, val, page); \
}									\
static int kcdev_blk_parse_##_name(const char *page, u32 *val)		\
{									\
	return kcdev_blk_enum_parse(&kcdev_blk_##_name##_names, page, val); \
}

/* null_blk's numbers: 1 was its legacy request mode, refused */
KCDEV_BLK_ENUM(queue_mode, "bio", "rq", "mq")
KCDEV_BLK_ENUM(irqmode, "none", "softirq", "timer")
/* by bits: KLAB_CHARDEV_BLK_FAULT_READ, _WRITE */
KCDEV_BLK_ENUM(fault_ops, "none", "read", "write", "rw")
KCDEV_BLK_ENUM(timeout_action, "error", "requeue")

/*
 * KCDEV_BLK_ATTR - configfs attribute @_attr for the field @_field, of
 * @type, of struct kcdev_blk_<@_set> (cfg or fault), shown and parsed by
 * kcdev_blk_show_<@_kind>() and kcdev_blk_parse_<@_kind>(): read under
 * kcdev_blk_lock, written through kcdev_blk_<@_set>_store().
 */
#define KCDEV_BLK_ATTR(_attr, _set, _field, type, _kind)		\
static type *kcdev_blk_##_attr##_field(struct kcdev_blk_##_set *s)	\
{									\
	return &(*s)._field;						\
}									\
static ssize_t kcdev_blk_##_attr##_show(struct config_item *item,	\
					char *page)			\
{									\
	struct kcdev_blk_##_set s;					\
									\
	kcdev_blk_##_set##_get(item, &s);				\
	return kcdev_blk_show_##_kind(*kcdev_blk_##_attr##_field(&s),	\
				      page);				\
}									\
static int kcdev_blk_##_attr##_parse(struct kcdev_blk_##_set *s,	\
				     const char *page)			\
{									\
	return kcdev_blk_parse_##_kind(page,				\
				       kcdev_blk_##_attr##_field(s));	\
}									\
static ssize_t kcdev_blk_##_attr##_store(struct config_item *item,	\
					 const char *page, size_t count) \
{									\
	return kcdev_blk_##_set##_store(item, page, count,		\
					kcdev_blk_##_attr##_parse);	\
}									\
CONFIGFS_ATTR(kcdev_blk_, _attr)

/* configuration, frozen while powered; "size" is null_blk's name */
KCDEV_BLK_ATTR(size, cfg, size_mb, u64, u64);
KCDEV_BLK_ATTR(size_mb, cfg, size_mb, u64, u64);
KCDEV_BLK_ATTR(blocksize, cfg, blocksize, u32, u32);
KCDEV_BLK_ATTR(queue_mode, cfg, queue_mode, u32, queue_mode);
KCDEV_BLK_ATTR(submit_queues, cfg, submit_queues, u32, u32);
KCDEV_BLK_ATTR(poll_queues, cfg, poll_queues, u32, u32);
KCDEV_BLK_ATTR(hw_queue_depth, cfg, hw_queue_depth, u32, u32);
KCDEV_BLK_ATTR(irqmode, cfg, irqmode, u32, irqmode);
KCDEV_BLK_ATTR(completion_nsec, cfg, completion_nsec, u64, u64);
KCDEV_BLK_ATTR(discard, cfg, discard, bool, bool);
KCDEV_BLK_ATTR(cache_size, cfg, cache_size_mb, u32, u32);
KCDEV_BLK_ATTR(zoned, cfg, zoned, bool, bool);
KCDEV_BLK_ATTR(zone_size, cfg, zone_size_mb, u32, u32);
KCDEV_BLK_ATTR(zone_capacity, cfg, zone_capacity_mb, u32, u32);
KCDEV_BLK_ATTR(zone_nr_conv, cfg, zone_nr_conv, u32, u32);
KCDEV_BLK_ATTR(zone_max_open, cfg, zone_max_open, u32, u32);
KCDEV_BLK_ATTR(zone_max_active, cfg, zone_max_active, u32, u32);

/* fault injection, changeable at any time */
KCDEV_BLK_ATTR(fault_ops, fault, ops, u32, fault_ops);
KCDEV_BLK_ATTR(fail_nth, fault, fail_nth, u32, u32);
KCDEV_BLK_ATTR(fail_ppm, fault, fail_ppm, u32, u32);
KCDEV_BLK_ATTR(timeout_nth, fault, timeout_nth, u32, u32);
KCDEV_BLK_ATTR(timeout_action, fault, timeout_action, u32, timeout_action);
KCDEV_BLK_ATTR(delay_nth, fault, delay_nth, u32, u32);
KCDEV_BLK_ATTR(delay_nsec, fault, delay_nsec, u64, u64);

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
	struct kcdev_blk_cfg_err why;
	bool on;
	int err;

	err = kstrtobool(page, &on);
	if (err)
		return err;

	mutex_lock(&kcdev_blk_lock);
	if (on)
		err = kcdev_blk_power_on(dev, &why);
	else
		kcdev_blk_power_off(dev);
	mutex_unlock(&kcdev_blk_lock);
	if (err == -EINVAL)
		kcdev_blk_refused(dev, &why);
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
	const struct kcdev_blk_stat_desc *d;
	struct kcdev_blk_stats st;
	unsigned int i;
	int len = 0;

	mutex_lock(&kcdev_blk_lock);
	kcdev_blk_stats(dev, &st);
	for (i = 0; i < kcdev_blk_nr_stat_descs; i++) {
		d = &kcdev_blk_stat_descs[i];
		len += sysfs_emit_at(page, len, "%s %llu\n", d->name,
				     kcdev_blk_stat(&st, d));
	}
	len += sysfs_emit_at(page, len, "inflight %u\nnr_zones %u\n",
			     st.inflight, st.nr_zones);
	for (i = 0; i < dev->nr_queues; i++)
		len += sysfs_emit_at(page, len, "queue%u_requests %llu\n", i,
				     kcdev_blk_queue_requests(dev, i));
	mutex_unlock(&kcdev_blk_lock);
	return len;
}

CONFIGFS_ATTR_RO(kcdev_blk_, stats);

static struct configfs_attribute *kcdev_blk_attrs[] = {
	&kcdev_blk_attr_size,
	&kcdev_blk_attr_size_mb,
	&kcdev_blk_attr_blocksize,
	&kcdev_blk_attr_queue_mode,
	&kcdev_blk_attr_submit_queues,
	&kcdev_blk_attr_poll_queues,
	&kcdev_blk_attr_hw_queue_depth,
	&kcdev_blk_attr_irqmode,
	&kcdev_blk_attr_completion_nsec,
	&kcdev_blk_attr_discard,
	&kcdev_blk_attr_cache_size,
	&kcdev_blk_attr_zoned,
	&kcdev_blk_attr_zone_size,
	&kcdev_blk_attr_zone_capacity,
	&kcdev_blk_attr_zone_nr_conv,
	&kcdev_blk_attr_zone_max_open,
	&kcdev_blk_attr_zone_max_active,
	&kcdev_blk_attr_fault_ops,
	&kcdev_blk_attr_fail_nth,
	&kcdev_blk_attr_fail_ppm,
	&kcdev_blk_attr_timeout_nth,
	&kcdev_blk_attr_timeout_action,
	&kcdev_blk_attr_delay_nth,
	&kcdev_blk_attr_delay_nsec,
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

/* The attributes a device directory has, as null_blk's "features" */
static ssize_t kcdev_blk_group_features_show(struct config_item *item,
					     char *page)
{
	struct configfs_attribute **attr;
	int len = 0;

	for (attr = kcdev_blk_attrs; *attr; attr++)
		len += sysfs_emit_at(page, len, "%s%s",
				     attr == kcdev_blk_attrs ? "" : ",",
				     (*attr)->ca_name);
	return len + sysfs_emit_at(page, len, "\n");
}

CONFIGFS_ATTR_RO(kcdev_blk_group_, features);

static struct configfs_attribute *kcdev_blk_group_attrs[] = {
	&kcdev_blk_group_attr_features,
	NULL,
};

static const struct config_item_type kcdev_blk_subsys_type = {
	.ct_group_ops = &kcdev_blk_group_ops,
	.ct_attrs = kcdev_blk_group_attrs,
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
