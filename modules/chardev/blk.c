// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: a RAM disk, /dev/klab_blkN, in the manner of null_blk with
 * memory backing and of brd.  This file holds the device list, the
 * configuration and its checks, and the lifecycle: allocation, power on
 * (the queue mode's disk, queue limits, zones, add_disk) and power off
 * (a power cut: what the volatile cache holds is lost).
 *
 * The queue modes are in blk_bio.c (submit_bio, like brd) and blk_mq.c
 * (blk-mq, like null_blk's queue_mode=2); what both do with an I/O is in
 * blk_io.c, the page store in blk_store.c, the write cache in
 * blk_cache.c, zones in blk_zoned.c, fault injection in blk_fault.c, and
 * the interfaces in blk_configfs.c and blk_nl.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/idr.h>
#include <linux/log2.h>
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

static unsigned int max_devices = KLAB_CHARDEV_BLK_MAX_DEVICES;
module_param(max_devices, uint, 0444);
MODULE_PARM_DESC(max_devices,
		 "Most RAM disks at once, 1-256; one more fails with ENOSPC (default: 256)");

#define KCDEV_BLK_NR_DEVICES_MAX 16

/* Guards the device list and every device's power state and cfg. */
DEFINE_MUTEX(kcdev_blk_lock);
LIST_HEAD(kcdev_blk_devices);

static DEFINE_IDA(kcdev_blk_ida);
static int kcdev_blk_major;

/**
 * kcdev_blk_cfg_default - fill in the default configuration
 * @cfg: configuration to fill
 */
void kcdev_blk_cfg_default(struct kcdev_blk_cfg *cfg)
{
	*cfg = (struct kcdev_blk_cfg) {
		.size_mb = size_mb,
		.blocksize = 512,
		.queue_mode = KLAB_CHARDEV_BLK_QUEUE_MQ,
		.submit_queues = 1,
		.hw_queue_depth = 64,
		.irqmode = KLAB_CHARDEV_BLK_IRQ_NONE,
		.completion_nsec = 10000,
		.discard = true,
		.zone_size_mb = 64,
	};
}

/* Refuse a configuration: @attr (KLAB_CHARDEV_A_BLK_@attr) is at fault */
#define KCDEV_BLK_REFUSE(err, attr, msg)				\
	kcdev_blk_refuse(err, KLAB_CHARDEV_A_BLK_##attr, msg)

static int kcdev_blk_refuse(struct kcdev_blk_cfg_err *err, int attr,
			    const char *msg)
{
	err->attr = attr;
	err->msg = msg;
	return -EINVAL;
}

static int kcdev_blk_zoned_check(const struct kcdev_blk_cfg *cfg,
				 struct kcdev_blk_cfg_err *err)
{
	u64 nr_zones;

	if (!cfg->zone_size_mb || !is_power_of_2(cfg->zone_size_mb))
		return KCDEV_BLK_REFUSE(err, ZONE_SIZE_MB,
					"zone-size must be a power of two (MiB)");
	if (cfg->zone_size_mb > cfg->size_mb)
		return KCDEV_BLK_REFUSE(err, ZONE_SIZE_MB,
					"zone-size larger than the device");
	if (cfg->zone_capacity_mb > cfg->zone_size_mb)
		return KCDEV_BLK_REFUSE(err, ZONE_CAPACITY_MB,
					"zone-capacity larger than the zone size");
	/* as on real devices: a smaller capacity, or a smaller last zone */
	if (cfg->zone_capacity_mb && cfg->zone_capacity_mb != cfg->zone_size_mb &&
	    cfg->size_mb & (cfg->zone_size_mb - 1))
		return KCDEV_BLK_REFUSE(err, ZONE_CAPACITY_MB,
					"zone-capacity below the zone size needs a size that is a multiple of it");
	nr_zones = DIV_ROUND_UP(cfg->size_mb, cfg->zone_size_mb);
	if (cfg->zone_nr_conv >= nr_zones)
		return KCDEV_BLK_REFUSE(err, ZONE_NR_CONV,
					"zone-nr-conv leaves no sequential zone");
	if (cfg->zone_max_active && cfg->zone_max_open > cfg->zone_max_active)
		return KCDEV_BLK_REFUSE(err, ZONE_MAX_OPEN,
					"zone-max-open above zone-max-active");
	if (cfg->cache_size_mb)
		return KCDEV_BLK_REFUSE(err, CACHE_SIZE_MB,
					"a zoned device has no write cache (cache-size must be 0)");
	return 0;
}

/**
 * kcdev_blk_fault_check - validate fault injection settings
 * @cfg: the configuration they go with
 * @fault: the settings
 * @err: set to what is wrong
 *
 * Return: 0 or -EINVAL.
 */
int kcdev_blk_fault_check(const struct kcdev_blk_cfg *cfg,
			  const struct kcdev_blk_fault *fault,
			  struct kcdev_blk_cfg_err *err)
{
	if (fault->ops & ~(KLAB_CHARDEV_BLK_FAULT_READ |
			   KLAB_CHARDEV_BLK_FAULT_WRITE))
		return KCDEV_BLK_REFUSE(err, FAULT_OPS,
					"fault-ops must be read, write or both");
	if (fault->fail_ppm > KLAB_CHARDEV_BLK_FAIL_PPM_MAX)
		return KCDEV_BLK_REFUSE(err, FAIL_PPM,
					"fail-ppm out of range (0-1000000)");
	if (fault->timeout_action > KLAB_CHARDEV_BLK_TIMEOUT_REQUEUE)
		return KCDEV_BLK_REFUSE(err, TIMEOUT_ACTION,
					"timeout-action must be error or requeue");
	if (fault->delay_nsec > KLAB_CHARDEV_BLK_DELAY_NSEC_MAX)
		return KCDEV_BLK_REFUSE(err, DELAY_NSEC,
					"delay-nsec out of range (0-10000000000)");
	if (fault->timeout_nth && cfg->queue_mode == KLAB_CHARDEV_BLK_QUEUE_BIO)
		return KCDEV_BLK_REFUSE(err, TIMEOUT_NTH,
					"timeouts need queue-mode mq (a bio has no timeout handler)");
	return 0;
}

/**
 * kcdev_blk_cfg_check - validate a configuration
 * @cfg: configuration to check
 * @fault: the fault injection settings it would run with
 * @err: set to the offending attribute and why, for messages
 *
 * Return: 0 or -EINVAL.
 */
int kcdev_blk_cfg_check(const struct kcdev_blk_cfg *cfg,
			const struct kcdev_blk_fault *fault,
			struct kcdev_blk_cfg_err *err)
{
	bool bio = cfg->queue_mode == KLAB_CHARDEV_BLK_QUEUE_BIO;

	if (cfg->size_mb < 1 || cfg->size_mb > KLAB_CHARDEV_BLK_SIZE_MB_MAX)
		return KCDEV_BLK_REFUSE(err, SIZE_MB,
					"size out of range (1-1048576 MiB)");
	if (cfg->blocksize != 512 && cfg->blocksize != 4096)
		return KCDEV_BLK_REFUSE(err, BLOCKSIZE,
					"blocksize must be 512 or 4096");
	if (!bio && cfg->queue_mode != KLAB_CHARDEV_BLK_QUEUE_MQ)
		return KCDEV_BLK_REFUSE(err, QUEUE_MODE,
					"queue-mode must be bio (0) or mq (2)");
	if (cfg->submit_queues < 1 || cfg->submit_queues > nr_cpu_ids)
		return KCDEV_BLK_REFUSE(err, SUBMIT_QUEUES,
					"submit-queues out of range (1-number of CPUs)");
	if (cfg->poll_queues > KLAB_CHARDEV_BLK_POLL_QUEUES_MAX)
		return KCDEV_BLK_REFUSE(err, POLL_QUEUES,
					"poll-queues out of range (0-16)");
	if (cfg->poll_queues && bio)
		return KCDEV_BLK_REFUSE(err, POLL_QUEUES,
					"poll-queues need queue-mode mq");
	if (cfg->hw_queue_depth < 1 ||
	    cfg->hw_queue_depth > KLAB_CHARDEV_BLK_QUEUE_DEPTH_MAX)
		return KCDEV_BLK_REFUSE(err, HW_QUEUE_DEPTH,
					"hw-queue-depth out of range (1-4096)");
	if (cfg->irqmode > KLAB_CHARDEV_BLK_IRQ_TIMER)
		return KCDEV_BLK_REFUSE(err, IRQMODE,
					"irqmode out of range (0-2)");
	if (cfg->irqmode != KLAB_CHARDEV_BLK_IRQ_NONE && bio)
		return KCDEV_BLK_REFUSE(err, IRQMODE,
					"queue-mode bio completes in the submitter: irqmode must be none");
	if (cfg->completion_nsec > KLAB_CHARDEV_BLK_COMPLETION_NSEC_MAX)
		return KCDEV_BLK_REFUSE(err, COMPLETION_NSEC,
					"completion-nsec out of range (0-1000000000)");
	if (cfg->cache_size_mb > cfg->size_mb)
		return KCDEV_BLK_REFUSE(err, CACHE_SIZE_MB,
					"cache-size larger than the device");
	if (cfg->zoned && kcdev_blk_zoned_check(cfg, err))
		return -EINVAL;
	return kcdev_blk_fault_check(cfg, fault, err);
}

/**
 * kcdev_blk_fault_set - install fault injection settings
 * @dev: the device
 * @fault: checked settings
 *
 * The I/O path reads them without a lock: each field is written once,
 * and fault_on last, so that it never sees an injector on before its
 * setting.
 *
 * Context: kcdev_blk_lock held.
 */
void kcdev_blk_fault_set(struct kcdev_blk_dev *dev,
			 const struct kcdev_blk_fault *fault)
{
	struct kcdev_blk_fault *f = &dev->fault;

	lockdep_assert_held(&kcdev_blk_lock);
	WRITE_ONCE(f->ops, fault->ops);
	WRITE_ONCE(f->fail_nth, fault->fail_nth);
	WRITE_ONCE(f->fail_ppm, fault->fail_ppm);
	WRITE_ONCE(f->timeout_nth, fault->timeout_nth);
	WRITE_ONCE(f->timeout_action, fault->timeout_action);
	WRITE_ONCE(f->delay_nth, fault->delay_nth);
	WRITE_ONCE(f->delay_nsec, fault->delay_nsec);
	smp_wmb();	/* the settings before the switch; see kcdev_blk_io_run() */
	WRITE_ONCE(dev->fault_on, fault->fail_nth || fault->fail_ppm ||
		   fault->timeout_nth || (fault->delay_nth && fault->delay_nsec));
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
 * ERR_PTR(-ENOSPC) past max_devices, or -ENOMEM.
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
				   max_devices - 1,
				   GFP_KERNEL);
	if (dev->index < 0) {
		err = dev->index;
		goto err_free_dev;
	}

	dev->pcpu = alloc_percpu(struct kcdev_blk_pcpu);
	if (!dev->pcpu) {
		err = -ENOMEM;
		goto err_free_index;
	}

	err = badblocks_init(&dev->bb, 1);
	if (err)
		goto err_free_pcpu;

	strscpy(dev->name, name, sizeof(dev->name));
	kcdev_blk_cfg_default(&dev->cfg);
	dev->fault.ops = KLAB_CHARDEV_BLK_FAULT_READ |
			 KLAB_CHARDEV_BLK_FAULT_WRITE;
	kcdev_blk_store_init(dev);
	kcdev_blk_cache_init(dev);
	spin_lock_init(&dev->zones.lock);
	list_add_tail(&dev->node, &kcdev_blk_devices);
	return dev;

err_free_pcpu:
	free_percpu(dev->pcpu);
err_free_index:
	ida_free(&kcdev_blk_ida, dev->index);
err_free_dev:
	kfree(dev);
	return ERR_PTR(err);
}

/**
 * kcdev_blk_dev_free - power a device off, unlist and free it with its data
 * @dev: the device
 *
 * Context: kcdev_blk_lock held.
 */
void kcdev_blk_dev_free(struct kcdev_blk_dev *dev)
{
	lockdep_assert_held(&kcdev_blk_lock);
	kcdev_blk_power_off(dev);
	list_del(&dev->node);
	kcdev_blk_zones_free(dev);
	kcdev_blk_store_free(dev);
	badblocks_exit(&dev->bb);
	free_percpu(dev->pcpu);
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
	 * No per-I/O accounting by default (two clock reads and the
	 * part_stat updates per request), like brd; queue/iostats turns it
	 * on in mq mode.  The driver keeps its own counters.
	 */
	blk_queue_flag_clear(QUEUE_FLAG_IO_STAT, q);
	/* REQ_NOWAIT bios get BLK_STS_AGAIN rather than a sleep */
	blk_queue_flag_set(QUEUE_FLAG_NOWAIT, q);
	/*
	 * Only a device with a volatile cache needs flushes: without one the
	 * data is durable once written, and the block layer then drops
	 * REQ_PREFLUSH and REQ_FUA before they reach the driver.
	 */
	blk_queue_write_cache(q, dev->cfg.cache_size_mb != 0,
			      dev->cfg.cache_size_mb != 0);
	/* zones are reset, not discarded */
	if (dev->cfg.discard && !dev->cfg.zoned) {
		/* pages are freed whole: smaller discards only zero */
		q->limits.discard_granularity = PAGE_SIZE;
		blk_queue_max_discard_sectors(q, UINT_MAX >> SECTOR_SHIFT);
		blk_queue_max_write_zeroes_sectors(q,
						   UINT_MAX >> SECTOR_SHIFT);
	}
}

static sector_t kcdev_blk_capacity(const struct kcdev_blk_cfg *cfg)
{
	return cfg->size_mb << (20 - SECTOR_SHIFT);
}

/**
 * kcdev_blk_power_on - create the disk of @dev from its configuration
 * @dev: an unpowered device
 * @err: set to what is wrong when the configuration is refused
 *
 * The data and the zones' state are those the device had when it was
 * last powered off, less what lies past a smaller capacity.
 *
 * Context: kcdev_blk_lock held.
 * Return: 0, -EINVAL (see @err) or another negative errno.
 */
int kcdev_blk_power_on(struct kcdev_blk_dev *dev,
		       struct kcdev_blk_cfg_err *err)
{
	const struct kcdev_blk_mode *mode;
	struct gendisk *disk;
	int ret;

	lockdep_assert_held(&kcdev_blk_lock);
	if (dev->disk)
		return 0;
	ret = kcdev_blk_cfg_check(&dev->cfg, &dev->fault, err);
	if (ret)
		return ret;

	mode = dev->cfg.queue_mode == KLAB_CHARDEV_BLK_QUEUE_BIO ?
	       &kcdev_blk_bio_mode : &kcdev_blk_mq_mode;
	kcdev_blk_store_trim(dev, kcdev_blk_capacity(&dev->cfg));
	ret = kcdev_blk_zones_setup(dev);
	if (ret)
		return ret;
	dev->cache.max_pages = (unsigned long)dev->cfg.cache_size_mb <<
			       (20 - PAGE_SHIFT);

	ret = mode->alloc_disk(dev);
	if (ret)
		goto err_no_cache;
	disk = dev->disk;
	disk->major = kcdev_blk_major;
	disk->first_minor = dev->index;
	disk->minors = 1;
	disk->fops = mode->fops;
	if (mode->plain_fops && !dev->cfg.cache_size_mb && !dev->cfg.zoned)
		disk->fops = mode->plain_fops;
	disk->private_data = dev;
	disk->flags |= GENHD_FL_NO_PART;
	snprintf(disk->disk_name, DISK_NAME_LEN, "klab_blk%d", dev->index);
	set_capacity(disk, kcdev_blk_capacity(&dev->cfg));
	kcdev_blk_set_limits(dev, disk->queue);
	if (dev->cfg.zoned) {
		ret = kcdev_blk_zones_register(dev);
		if (ret)
			goto err_free_disk;
	}

	ret = add_disk(disk);
	if (ret)
		goto err_free_disk;

	dev->mode = mode;
	klab_dbg(1, "%s: %s powered on, %s mode, %llu MiB\n", dev->name,
		 disk->disk_name, mode->name, dev->cfg.size_mb);
	return 0;

err_free_disk:
	mode->free_disk(dev);
	dev->disk = NULL;
err_no_cache:
	dev->cache.max_pages = 0;
	return ret;
}

/**
 * kcdev_blk_power_off - cut the power: remove the disk of @dev
 * @dev: the device; nothing happens if it is not powered
 *
 * First the queue is frozen (every I/O started has ended), the device
 * made dead (every later I/O fails, including what del_gendisk() writes
 * back for a mounted filesystem) and the unflushed writes in the cache
 * dropped, as a power loss would; open zones close.  Then the disk goes.
 * The data written before stays for the next power on.
 *
 * Context: kcdev_blk_lock held.
 */
void kcdev_blk_power_off(struct kcdev_blk_dev *dev)
{
	struct request_queue *q;
	u64 dropped;

	lockdep_assert_held(&kcdev_blk_lock);
	if (!dev->disk)
		return;

	q = dev->disk->queue;
	blk_mq_freeze_queue(q);
	WRITE_ONCE(dev->dead, true);
	dropped = kcdev_blk_cache_drop(dev);
	kcdev_blk_zones_power_off(dev);
	blk_mq_unfreeze_queue(q);

	del_gendisk(dev->disk);
	dev->mode->free_disk(dev);
	dev->disk = NULL;
	dev->mode = NULL;
	dev->cache.max_pages = 0;
	kcdev_blk_store_reserve_free(dev);
	WRITE_ONCE(dev->dead, false);

	dev->power_cuts++;
	dev->dropped_bytes += dropped;
	dev->last_dropped_bytes = dropped;
	if (dropped)
		pr_info("%s: power cut: %llu bytes of unflushed writes lost\n",
			dev->name, dropped);
	klab_dbg(1, "%s: powered off\n", dev->name);
}

#define KCDEV_BLK_STAT(_name, _attr)					\
	{ #_name, KLAB_CHARDEV_A_BLK_##_attr,				\
	  offsetof(struct kcdev_blk_stats, _name) }

/* The u64 counters, in the order configfs and netlink give them */
const struct kcdev_blk_stat_desc kcdev_blk_stat_descs[] = {
	KCDEV_BLK_STAT(pages, PAGES),
	KCDEV_BLK_STAT(requests, REQUESTS),
	KCDEV_BLK_STAT(bytes_read, BYTES_READ),
	KCDEV_BLK_STAT(bytes_written, BYTES_WRITTEN),
	KCDEV_BLK_STAT(io_errors, IO_ERRORS),
	KCDEV_BLK_STAT(merges_read, MERGES_READ),
	KCDEV_BLK_STAT(merges_write, MERGES_WRITE),
	KCDEV_BLK_STAT(flushes, FLUSHES),
	KCDEV_BLK_STAT(fua, FUA),
	KCDEV_BLK_STAT(cache_pages, CACHE_PAGES),
	KCDEV_BLK_STAT(cache_dirty_bytes, CACHE_DIRTY_BYTES),
	KCDEV_BLK_STAT(cache_writebacks, CACHE_WRITEBACKS),
	KCDEV_BLK_STAT(power_cuts, POWER_CUTS),
	KCDEV_BLK_STAT(dropped_bytes, CACHE_DROPPED_BYTES),
	KCDEV_BLK_STAT(last_dropped_bytes, LAST_DROPPED_BYTES),
	KCDEV_BLK_STAT(fault_errors, FAULT_ERRORS),
	KCDEV_BLK_STAT(fault_timeouts, FAULT_TIMEOUTS),
	KCDEV_BLK_STAT(timeouts, TIMEOUTS),
	KCDEV_BLK_STAT(fault_delays, FAULT_DELAYS),
	KCDEV_BLK_STAT(polled, POLLED),
	KCDEV_BLK_STAT(zone_appends, ZONE_APPENDS),
	KCDEV_BLK_STAT(opens, OPENS),
	KCDEV_BLK_STAT(releases, RELEASES),
};

const unsigned int kcdev_blk_nr_stat_descs = ARRAY_SIZE(kcdev_blk_stat_descs);

/**
 * kcdev_blk_stats - sum the counters of @dev
 * @dev: the device
 * @st: where to put them
 *
 * Context: kcdev_blk_lock held.
 */
void kcdev_blk_stats(struct kcdev_blk_dev *dev, struct kcdev_blk_stats *st)
{
	unsigned long flags;
	long inflight = 0;
	int cpu;

	lockdep_assert_held(&kcdev_blk_lock);
	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct kcdev_blk_pcpu *c = per_cpu_ptr(dev->pcpu, cpu);

		st->requests += READ_ONCE(c->requests);
		st->bytes_read += READ_ONCE(c->bytes_read);
		st->bytes_written += READ_ONCE(c->bytes_written);
		st->io_errors += READ_ONCE(c->io_errors);
		st->merges_read += READ_ONCE(c->merges_read);
		st->merges_write += READ_ONCE(c->merges_write);
		st->flushes += READ_ONCE(c->flushes);
		st->fua += READ_ONCE(c->fua);
		st->fault_errors += READ_ONCE(c->fault_errors);
		st->fault_timeouts += READ_ONCE(c->fault_timeouts);
		st->fault_delays += READ_ONCE(c->fault_delays);
		st->timeouts += READ_ONCE(c->timeouts);
		st->polled += READ_ONCE(c->polled);
		st->zone_appends += READ_ONCE(c->zone_appends);
		inflight += READ_ONCE(c->inflight);
	}
	st->inflight = max(inflight, 0L);
	st->pages = atomic_long_read(&dev->nr_pages);
	spin_lock_irqsave(&dev->cache.lock, flags);
	st->cache_pages = dev->cache.nr_pages;
	st->cache_dirty_bytes = dev->cache.dirty_sectors << SECTOR_SHIFT;
	st->cache_writebacks = dev->cache.writebacks;
	spin_unlock_irqrestore(&dev->cache.lock, flags);
	st->power_cuts = dev->power_cuts;
	st->dropped_bytes = dev->dropped_bytes;
	st->last_dropped_bytes = dev->last_dropped_bytes;
	st->opens = atomic64_read(&dev->opens);
	st->releases = atomic64_read(&dev->releases);
	st->nr_zones = dev->cfg.zoned ? dev->zones.nr : 0;
}

/**
 * kcdev_blk_queue_requests - requests hardware queue @i has received
 * @dev: a powered device in mq mode
 * @i: the queue, below dev->nr_queues
 *
 * Context: kcdev_blk_lock held.
 * Return: the count since power on.
 */
u64 kcdev_blk_queue_requests(struct kcdev_blk_dev *dev, unsigned int i)
{
	u64 n = 0;
	int cpu;

	lockdep_assert_held(&kcdev_blk_lock);
	for_each_possible_cpu(cpu)
		n += READ_ONCE(*per_cpu_ptr(dev->queue_requests + i, cpu));
	return n;
}

/**
 * kcdev_blk_open - ->open of every mode's disk: count the open
 * @bdev: the block device being opened
 * @mode: how (unused: a RAM disk refuses no mode)
 *
 * The block layer (blkdev_get_whole()) calls it on every open of the
 * disk, the first and the later ones: mount, blkid, open(2) of the node.
 * Counted so that a test can see a mount reach the driver.
 *
 * Return: 0.
 */
int kcdev_blk_open(struct block_device *bdev, fmode_t mode)
{
	struct kcdev_blk_dev *dev = bdev->bd_disk->private_data;

	atomic64_inc(&dev->opens);
	return 0;
}

/**
 * kcdev_blk_release - ->release of every mode's disk: count the close
 * @disk: the disk being closed
 * @mode: how it was opened (unused)
 */
void kcdev_blk_release(struct gendisk *disk, fmode_t mode)
{
	struct kcdev_blk_dev *dev = disk->private_data;

	atomic64_inc(&dev->releases);
}

static int kcdev_blk_create_param_devices(void)
{
	char name[KLAB_CHARDEV_BLK_NAME_LEN];
	struct kcdev_blk_cfg_err why;
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
		err = kcdev_blk_power_on(dev, &why);
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
	struct kcdev_blk_fault fault = {};
	struct kcdev_blk_cfg_err why;
	struct kcdev_blk_cfg cfg;
	int err;

	if (nr_devices > KCDEV_BLK_NR_DEVICES_MAX) {
		pr_err("nr_devices=%u is out of range (0-%u)\n", nr_devices,
		       KCDEV_BLK_NR_DEVICES_MAX);
		return -EINVAL;
	}
	if (max_devices < max(nr_devices, 1U) ||
	    max_devices > KLAB_CHARDEV_BLK_MAX_DEVICES) {
		pr_err("max_devices=%u is out of range (%u-%u)\n", max_devices,
		       max(nr_devices, 1U), KLAB_CHARDEV_BLK_MAX_DEVICES);
		return -EINVAL;
	}
	kcdev_blk_cfg_default(&cfg);
	if (kcdev_blk_cfg_check(&cfg, &fault, &why)) {
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
