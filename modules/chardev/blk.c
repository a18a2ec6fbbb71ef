// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: a blk-mq RAM disk, /dev/klab_blkN.  This file holds the device
 * list and the device lifecycle: allocation, power on (tag set, disk,
 * queue limits, add_disk) and power off.  The request path is in
 * blk_mq.c, the page store in blk_store.c, the configfs interface in
 * blk_configfs.c and the generic netlink one in blk_nl.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/idr.h>
#include <linux/slab.h>

#include "chardev.h"

static unsigned int nr_devices = 1;
module_param(nr_devices, uint, 0444);
MODULE_PARM_DESC(nr_devices,
		 "RAM disks klab_blk0.. created at load, 0-16 (default: 1)");

static unsigned long size_mb = 512;
module_param(size_mb, ulong, 0444);
MODULE_PARM_DESC(size_mb,
		 "Default capacity of new RAM disks in MiB (default: 512)");

#define KCDEV_BLK_NR_DEVICES_MAX 16

/* Guards the device list and every device's power state and cfg. */
DEFINE_MUTEX(kcdev_blk_lock);
LIST_HEAD(kcdev_blk_devices);

static DEFINE_IDA(kcdev_blk_ida);
static int kcdev_blk_major;

static const struct block_device_operations kcdev_blk_fops = {
	.owner = THIS_MODULE,
};

/**
 * kcdev_blk_cfg_default - fill in the default configuration
 * @cfg: configuration to fill
 */
void kcdev_blk_cfg_default(struct kcdev_blk_cfg *cfg)
{
	*cfg = (struct kcdev_blk_cfg) {
		.size_mb = size_mb,
		.blocksize = 512,
		.submit_queues = 1,
		.hw_queue_depth = 64,
		.irqmode = KLAB_CHARDEV_BLK_IRQ_NONE,
		.completion_nsec = 10000,
		.discard = true,
	};
}

/**
 * kcdev_blk_cfg_check - validate a configuration
 * @cfg: configuration to check
 * @why: set to the name of the first offending field, for messages
 *
 * Return: 0 or -EINVAL.
 */
int kcdev_blk_cfg_check(const struct kcdev_blk_cfg *cfg, const char **why)
{
	if (cfg->size_mb < 1 || cfg->size_mb > KLAB_CHARDEV_BLK_SIZE_MB_MAX)
		*why = "size";
	else if (cfg->blocksize != 512 && cfg->blocksize != 4096)
		*why = "blocksize";
	else if (cfg->submit_queues < 1 || cfg->submit_queues > nr_cpu_ids)
		*why = "submit_queues";
	else if (cfg->hw_queue_depth < 1 ||
		 cfg->hw_queue_depth > KLAB_CHARDEV_BLK_QUEUE_DEPTH_MAX)
		*why = "hw_queue_depth";
	else if (cfg->irqmode > KLAB_CHARDEV_BLK_IRQ_TIMER)
		*why = "irqmode";
	else if (cfg->completion_nsec > KLAB_CHARDEV_BLK_COMPLETION_NSEC_MAX)
		*why = "completion_nsec";
	else
		return 0;
	return -EINVAL;
}

/**
 * kcdev_blk_name_check - is @name acceptable as a device name?
 * @name: NUL-terminated name
 *
 * Return: 0 or -EINVAL.
 */
int kcdev_blk_name_check(const char *name)
{
	size_t len = strnlen(name, KLAB_CHARDEV_BLK_NAME_LEN);
	size_t i;

	if (len == 0 || len >= KLAB_CHARDEV_BLK_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && name[i] != '_' && name[i] != '-')
			return -EINVAL;
	return 0;
}

/**
 * kcdev_blk_find - look a device up by name
 * @name: device name
 *
 * Context: kcdev_blk_lock held.
 * Return: the device or NULL.
 */
struct kcdev_blk_dev *kcdev_blk_find(const char *name)
{
	struct kcdev_blk_dev *dev;

	lockdep_assert_held(&kcdev_blk_lock);
	list_for_each_entry(dev, &kcdev_blk_devices, node)
		if (!strcmp(dev->name, name))
			return dev;
	return NULL;
}

/**
 * kcdev_blk_dev_alloc - allocate an unpowered device and list it
 * @name: its name, checked by the caller
 *
 * Context: kcdev_blk_lock held.
 * Return: the device, ERR_PTR(-EEXIST) if the name is taken,
 * ERR_PTR(-ENOSPC) past KLAB_CHARDEV_BLK_MAX_DEVICES, or -ENOMEM.
 */
struct kcdev_blk_dev *kcdev_blk_dev_alloc(const char *name)
{
	struct kcdev_blk_dev *dev;
	int err;

	lockdep_assert_held(&kcdev_blk_lock);
	if (kcdev_blk_find(name))
		return ERR_PTR(-EEXIST);

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return ERR_PTR(-ENOMEM);

	dev->index = ida_alloc_max(&kcdev_blk_ida,
				   KLAB_CHARDEV_BLK_MAX_DEVICES - 1,
				   GFP_KERNEL);
	if (dev->index < 0) {
		err = dev->index;
		goto err_free_dev;
	}

	err = badblocks_init(&dev->bb, 1);
	if (err)
		goto err_free_index;

	strscpy(dev->name, name, sizeof(dev->name));
	kcdev_blk_cfg_default(&dev->cfg);
	kcdev_blk_store_init(dev);
	list_add_tail(&dev->node, &kcdev_blk_devices);
	return dev;

err_free_index:
	ida_free(&kcdev_blk_ida, dev->index);
err_free_dev:
	kfree(dev);
	return ERR_PTR(err);
}

/**
 * kcdev_blk_dev_free - power a device off, unlist and free it
 * @dev: the device
 *
 * Context: kcdev_blk_lock held.
 */
void kcdev_blk_dev_free(struct kcdev_blk_dev *dev)
{
	lockdep_assert_held(&kcdev_blk_lock);
	kcdev_blk_power_off(dev);
	list_del(&dev->node);
	badblocks_exit(&dev->bb);
	ida_free(&kcdev_blk_ida, dev->index);
	kfree(dev);
}

static void kcdev_blk_set_limits(struct kcdev_blk_dev *dev,
				 struct request_queue *q)
{
	u32 bs = dev->cfg.blocksize;

	blk_queue_logical_block_size(q, bs);
	blk_queue_physical_block_size(q, bs);
	blk_queue_io_min(q, bs);
	blk_queue_max_hw_sectors(q, BLK_DEF_MAX_SECTORS);
	blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	blk_queue_flag_clear(QUEUE_FLAG_ADD_RANDOM, q);
	/*
	 * No per-request I/O accounting by default (two clock reads and the
	 * part_stat updates per request), like brd; queue/iostats turns it
	 * on.  The driver keeps its own counters.
	 */
	blk_queue_flag_clear(QUEUE_FLAG_IO_STAT, q);
	/* a volatile cache, so that flush and FUA reach the driver */
	blk_queue_write_cache(q, true, true);
	if (dev->cfg.discard) {
		/* pages are freed whole: smaller discards only zero */
		q->limits.discard_granularity = PAGE_SIZE;
		blk_queue_max_discard_sectors(q, UINT_MAX >> SECTOR_SHIFT);
		blk_queue_max_write_zeroes_sectors(q,
						   UINT_MAX >> SECTOR_SHIFT);
	}
}

/**
 * kcdev_blk_power_on - create the disk of @dev from its configuration
 * @dev: an unpowered device with a valid configuration
 *
 * Context: kcdev_blk_lock held.
 * Return: 0 or a negative errno.
 */
int kcdev_blk_power_on(struct kcdev_blk_dev *dev)
{
	struct blk_mq_tag_set *set = &dev->tag_set;
	struct gendisk *disk;
	int err;

	lockdep_assert_held(&kcdev_blk_lock);
	if (dev->disk)
		return 0;

	dev->nr_queues = dev->cfg.submit_queues;
	dev->queues = kcalloc(dev->nr_queues, sizeof(*dev->queues),
			      GFP_KERNEL);
	if (!dev->queues)
		return -ENOMEM;

	memset(set, 0, sizeof(*set));
	set->ops = &kcdev_blk_mq_ops;
	set->nr_hw_queues = dev->cfg.submit_queues;
	set->queue_depth = dev->cfg.hw_queue_depth;
	set->numa_node = NUMA_NO_NODE;
	set->cmd_size = sizeof(struct kcdev_blk_cmd);
	/* like brd: no I/O scheduler in front of a RAM disk by default */
	set->flags = BLK_MQ_F_SHOULD_MERGE | BLK_MQ_F_NO_SCHED_BY_DEFAULT;
	set->driver_data = dev;
	err = blk_mq_alloc_tag_set(set);
	if (err)
		goto err_free_queues;

	disk = blk_mq_alloc_disk(set, dev);
	if (IS_ERR(disk)) {
		err = PTR_ERR(disk);
		goto err_free_tag_set;
	}
	disk->major = kcdev_blk_major;
	disk->first_minor = dev->index;
	disk->minors = 1;
	disk->fops = &kcdev_blk_fops;
	disk->private_data = dev;
	disk->flags |= GENHD_FL_NO_PART;
	snprintf(disk->disk_name, DISK_NAME_LEN, "klab_blk%d", dev->index);
	set_capacity(disk, dev->cfg.size_mb << (20 - SECTOR_SHIFT));
	kcdev_blk_set_limits(dev, disk->queue);

	err = add_disk(disk);
	if (err)
		goto err_put_disk;

	dev->disk = disk;
	klab_dbg(1, "%s: %s powered on, %llu MiB\n", dev->name,
		 disk->disk_name, dev->cfg.size_mb);
	return 0;

err_put_disk:
	put_disk(disk);
err_free_tag_set:
	blk_mq_free_tag_set(set);
err_free_queues:
	kfree(dev->queues);
	dev->queues = NULL;
	return err;
}

/**
 * kcdev_blk_power_off - remove the disk of @dev and free its data
 * @dev: the device; nothing happens if it is not powered
 *
 * del_gendisk() waits for requests in flight (including those waiting
 * for their completion timer) before the tag set goes.
 *
 * Context: kcdev_blk_lock held.
 */
void kcdev_blk_power_off(struct kcdev_blk_dev *dev)
{
	lockdep_assert_held(&kcdev_blk_lock);
	if (!dev->disk)
		return;

	del_gendisk(dev->disk);
	put_disk(dev->disk);
	dev->disk = NULL;
	blk_mq_free_tag_set(&dev->tag_set);
	kfree(dev->queues);
	dev->queues = NULL;
	dev->nr_queues = 0;
	kcdev_blk_store_free(dev);
	klab_dbg(1, "%s: powered off\n", dev->name);
}

/**
 * kcdev_blk_stats - sum the counters of @dev
 * @dev: the device
 * @st: where to put them
 *
 * Context: kcdev_blk_lock held.
 */
void kcdev_blk_stats(struct kcdev_blk_dev *dev, struct kcdev_blk_stats *st)
{
	unsigned int i;

	lockdep_assert_held(&kcdev_blk_lock);
	memset(st, 0, sizeof(*st));
	st->pages = atomic_long_read(&dev->nr_pages);
	st->inflight = atomic_read(&dev->inflight);
	for (i = 0; i < dev->nr_queues; i++) {
		st->bytes_read += atomic64_read(&dev->queues[i].bytes_read);
		st->bytes_written +=
			atomic64_read(&dev->queues[i].bytes_written);
		st->io_errors += atomic64_read(&dev->queues[i].io_errors);
		st->merges_read += atomic64_read(&dev->queues[i].merges_read);
		st->merges_write +=
			atomic64_read(&dev->queues[i].merges_write);
	}
}

static int kcdev_blk_create_param_devices(void)
{
	char name[KLAB_CHARDEV_BLK_NAME_LEN];
	struct kcdev_blk_dev *dev;
	unsigned int i;
	int err = 0;

	mutex_lock(&kcdev_blk_lock);
	for (i = 0; i < nr_devices; i++) {
		snprintf(name, sizeof(name), "klab_blk%u", i);
		dev = kcdev_blk_dev_alloc(name);
		if (IS_ERR(dev)) {
			err = PTR_ERR(dev);
			break;
		}
		err = kcdev_blk_power_on(dev);
		if (err) {
			kcdev_blk_dev_free(dev);
			break;
		}
	}
	mutex_unlock(&kcdev_blk_lock);
	return err;
}

static void kcdev_blk_remove_all(void)
{
	struct kcdev_blk_dev *dev, *tmp;

	mutex_lock(&kcdev_blk_lock);
	list_for_each_entry_safe(dev, tmp, &kcdev_blk_devices, node)
		kcdev_blk_dev_free(dev);
	mutex_unlock(&kcdev_blk_lock);
}

/**
 * kcdev_blk_init - register the block major and configfs, create the
 * nr_devices devices
 *
 * Return: 0 or a negative errno.
 */
int kcdev_blk_init(void)
{
	struct kcdev_blk_cfg cfg;
	const char *why;
	int err;

	if (nr_devices > KCDEV_BLK_NR_DEVICES_MAX) {
		pr_err("nr_devices=%u is out of range (0-%u)\n", nr_devices,
		       KCDEV_BLK_NR_DEVICES_MAX);
		return -EINVAL;
	}
	kcdev_blk_cfg_default(&cfg);
	if (kcdev_blk_cfg_check(&cfg, &why)) {
		pr_err("size_mb=%lu is out of range (1-%u)\n", size_mb,
		       KLAB_CHARDEV_BLK_SIZE_MB_MAX);
		return -EINVAL;
	}

	kcdev_blk_major = register_blkdev(0, "klab_blk");
	if (kcdev_blk_major < 0)
		return kcdev_blk_major;

	err = kcdev_blk_create_param_devices();
	if (err)
		goto err_remove_devices;

	err = kcdev_blk_configfs_init();
	if (err)
		goto err_remove_devices;

	return 0;

err_remove_devices:
	kcdev_blk_remove_all();
	unregister_blkdev(kcdev_blk_major, "klab_blk");
	return err;
}

/**
 * kcdev_blk_exit - remove every device and unregister
 *
 * configfs holds a reference on this module for each directory under
 * /sys/kernel/config/klab_blk, so by the time this runs they are all
 * gone; what remains was made by nr_devices or BLK_ADD.
 */
void kcdev_blk_exit(void)
{
	kcdev_blk_configfs_exit();
	kcdev_blk_remove_all();
	unregister_blkdev(kcdev_blk_major, "klab_blk");
	ida_destroy(&kcdev_blk_ida);
	/* discarded pages are freed by RCU callbacks in this module */
	rcu_barrier();
}
