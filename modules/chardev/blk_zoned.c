// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: a zoned RAM disk (zoned 1), host-managed like null_blk's
 * zoned mode and SMR or ZNS drives: the capacity is cut into zones of
 * zone_size MiB (a power of two), the first zone_nr_conv conventional
 * (written anywhere), the rest sequential-write-required: each has a
 * write pointer, a write must start at it (else BLK_STS_IOERR), a zone
 * append is placed at it and reports where, and the zone fills up to its
 * capacity (zone_capacity MiB, at most the zone size).  Zones go through
 * the conditions of ZBC/ZNS: empty, implicitly or explicitly open,
 * closed, full; at most zone_max_open open and zone_max_active active
 * (open or closed) at a time, an implicitly open zone being closed to
 * make room when needed.  REPORT ZONES and the zone management
 * operations (reset, reset all, open, close, finish) are what
 * `blkzone report|reset|open|close|finish` send.
 *
 * One spinlock guards every zone: a sequential write holds it from the
 * write pointer check to its move, so writes to a zone are applied in
 * the order they pass the check.  Reads do not take it.  The zones'
 * state, like the data, survives a power cycle (open zones close) as
 * long as the geometry does not change.
 */
#include <linux/blkdev.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "chardev.h"

static sector_t kcdev_blk_mb_to_sectors(u64 mb)
{
	return mb << (20 - SECTOR_SHIFT);
}

/**
 * kcdev_blk_zones_free - forget the zones of @dev
 * @dev: an unpowered device
 */
void kcdev_blk_zones_free(struct kcdev_blk_dev *dev)
{
	struct kcdev_blk_zones *z = &dev->zones;

	kvfree(z->zone);
	z->zone = NULL;
	z->nr = 0;
}

/* Lay out fresh zones for the configuration; sequential zones empty */
static int kcdev_blk_zones_layout(struct kcdev_blk_dev *dev)
{
	const struct kcdev_blk_cfg *cfg = &dev->cfg;
	struct kcdev_blk_zones *z = &dev->zones;
	sector_t zone_sectors = kcdev_blk_mb_to_sectors(cfg->zone_size_mb);
	sector_t capacity = kcdev_blk_mb_to_sectors(cfg->size_mb);
	sector_t zone_cap = cfg->zone_capacity_mb ?
			    kcdev_blk_mb_to_sectors(cfg->zone_capacity_mb) :
			    zone_sectors;
	unsigned int i, nr = DIV_ROUND_UP_SECTOR_T(capacity, zone_sectors);
	struct kcdev_blk_zone *zone;

	zone = kvcalloc(nr, sizeof(*zone), GFP_KERNEL);
	if (!zone)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct kcdev_blk_zone *zn = &zone[i];

		zn->start = (sector_t)i * zone_sectors;
		zn->len = min(zone_sectors, capacity - zn->start);
		if (i < cfg->zone_nr_conv) {
			zn->type = BLK_ZONE_TYPE_CONVENTIONAL;
			zn->cond = BLK_ZONE_COND_NOT_WP;
			zn->capacity = zn->len;
			zn->wp = zn->start + zn->len;
		} else {
			zn->type = BLK_ZONE_TYPE_SEQWRITE_REQ;
			zn->cond = BLK_ZONE_COND_EMPTY;
			zn->capacity = min(zone_cap, zn->len);
			zn->wp = zn->start;
			/* an empty zone holds no data */
			kcdev_blk_store_discard(dev, zn->start,
						(u64)zn->len << SECTOR_SHIFT);
		}
	}

	kcdev_blk_zones_free(dev);
	z->zone = zone;
	z->nr = nr;
	z->nr_conv = cfg->zone_nr_conv;
	z->shift = ilog2(zone_sectors);
	z->nr_imp_open = 0;
	z->nr_exp_open = 0;
	z->nr_closed = 0;
	z->imp_close_next = z->nr_conv;
	z->size_mb = cfg->size_mb;
	z->zone_size_mb = cfg->zone_size_mb;
	z->zone_capacity_mb = cfg->zone_capacity_mb;
	return 0;
}

/**
 * kcdev_blk_zones_setup - zones for a device about to be powered on
 * @dev: an unpowered device
 *
 * Keeps the zones of the last power cycle if the geometry is the same,
 * else lays out new ones (and drops the data of the sequential zones).
 * A limit of open or active zones at least the number of sequential
 * zones is no limit, as in null_blk.
 *
 * Context: kcdev_blk_lock held.
 * Return: 0 or -ENOMEM.
 */
int kcdev_blk_zones_setup(struct kcdev_blk_dev *dev)
{
	const struct kcdev_blk_cfg *cfg = &dev->cfg;
	struct kcdev_blk_zones *z = &dev->zones;
	unsigned int nr_seq;
	int err;

	if (!cfg->zoned) {
		kcdev_blk_zones_free(dev);
		return 0;
	}
	if (!z->zone || z->size_mb != cfg->size_mb ||
	    z->zone_size_mb != cfg->zone_size_mb ||
	    z->zone_capacity_mb != cfg->zone_capacity_mb ||
	    z->nr_conv != cfg->zone_nr_conv) {
		err = kcdev_blk_zones_layout(dev);
		if (err)
			return err;
	}
	nr_seq = z->nr - z->nr_conv;
	z->max_active = cfg->zone_max_active < nr_seq ? cfg->zone_max_active : 0;
	z->max_open = cfg->zone_max_open < nr_seq ? cfg->zone_max_open : 0;
	if (z->max_active && (!z->max_open || z->max_open > z->max_active))
		z->max_open = z->max_active;
	return 0;
}

/**
 * kcdev_blk_zones_register - tell the block layer the disk is zoned
 * @dev: a device being powered on, its disk not yet added
 *
 * Return: 0 or a negative errno.
 */
int kcdev_blk_zones_register(struct kcdev_blk_dev *dev)
{
	struct kcdev_blk_zones *z = &dev->zones;
	struct gendisk *disk = dev->disk;
	struct request_queue *q = disk->queue;
	sector_t zone_sectors = 1ULL << z->shift;
	int err;

	disk_set_zoned(disk, BLK_ZONED_HM);
	blk_queue_flag_set(QUEUE_FLAG_ZONE_RESETALL, q);
	/* blk-mq keeps sequential writes in order with mq-deadline */
	blk_queue_required_elevator_features(q, ELEVATOR_F_ZBD_SEQ_WRITE);
	blk_queue_chunk_sectors(q, zone_sectors);
	if (queue_is_mq(q)) {
		err = blk_revalidate_disk_zones(disk, NULL);
		if (err)
			return err;
	} else {
		disk->nr_zones = bdev_nr_zones(disk->part0);
	}
	blk_queue_max_zone_append_sectors(q, zone_sectors);
	disk_set_max_open_zones(disk, z->max_open);
	disk_set_max_active_zones(disk, z->max_active);
	return 0;
}

/* Close an open zone.  Context: zones->lock held. */
static void kcdev_blk_zone_close(struct kcdev_blk_zones *z,
				 struct kcdev_blk_zone *zone)
{
	if (zone->cond == BLK_ZONE_COND_IMP_OPEN)
		z->nr_imp_open--;
	else
		z->nr_exp_open--;
	if (zone->wp == zone->start) {
		zone->cond = BLK_ZONE_COND_EMPTY;
	} else {
		zone->cond = BLK_ZONE_COND_CLOSED;
		z->nr_closed++;
	}
}

/* Close the next implicitly open zone, round robin */
static void kcdev_blk_zone_close_implicit(struct kcdev_blk_zones *z)
{
	unsigned int i, n = z->imp_close_next;

	for (i = z->nr_conv; i < z->nr; i++) {
		struct kcdev_blk_zone *zone;

		if (n >= z->nr)
			n = z->nr_conv;
		zone = &z->zone[n++];
		if (zone->cond == BLK_ZONE_COND_IMP_OPEN) {
			kcdev_blk_zone_close(z, zone);
			break;
		}
	}
	z->imp_close_next = n;
}

/*
 * Is there room to open @zone (empty or closed)?  An empty zone becomes
 * active; an open one counts against max_open, for which an implicitly
 * open zone is closed if need be.  Context: zones->lock held.
 */
static blk_status_t kcdev_blk_zone_room(struct kcdev_blk_zones *z,
					struct kcdev_blk_zone *zone)
{
	if (zone->cond == BLK_ZONE_COND_EMPTY && z->max_active &&
	    z->nr_imp_open + z->nr_exp_open + z->nr_closed >= z->max_active)
		return BLK_STS_ZONE_ACTIVE_RESOURCE;
	if (!z->max_open || z->nr_imp_open + z->nr_exp_open < z->max_open)
		return BLK_STS_OK;
	if (!z->nr_imp_open)
		return BLK_STS_ZONE_OPEN_RESOURCE;
	kcdev_blk_zone_close_implicit(z);
	return BLK_STS_OK;
}

/* Make an empty or closed @zone open, as @cond.  Context: lock held. */
static blk_status_t kcdev_blk_zone_open(struct kcdev_blk_zones *z,
					struct kcdev_blk_zone *zone,
					enum blk_zone_cond cond)
{
	blk_status_t status = kcdev_blk_zone_room(z, zone);

	if (status)
		return status;
	if (zone->cond == BLK_ZONE_COND_CLOSED)
		z->nr_closed--;
	if (cond == BLK_ZONE_COND_IMP_OPEN)
		z->nr_imp_open++;
	else
		z->nr_exp_open++;
	zone->cond = cond;
	return BLK_STS_OK;
}

/* A write or zone append to a sequential zone */
static blk_status_t kcdev_blk_zone_write(struct kcdev_blk_dev *dev,
					 struct kcdev_blk_io *io,
					 struct kcdev_blk_zone *zone)
{
	struct kcdev_blk_zones *z = &dev->zones;
	sector_t nr_sectors = io->bytes >> SECTOR_SHIFT;
	blk_status_t status = BLK_STS_IOERR;
	unsigned long flags;

	spin_lock_irqsave(&z->lock, flags);
	switch (zone->cond) {
	case BLK_ZONE_COND_EMPTY:
	case BLK_ZONE_COND_IMP_OPEN:
	case BLK_ZONE_COND_EXP_OPEN:
	case BLK_ZONE_COND_CLOSED:
		break;
	default:
		goto out_unlock;	/* full, read-only, offline */
	}
	if (io->op == REQ_OP_ZONE_APPEND)
		io->sector = zone->wp;
	else if (io->sector != zone->wp)
		goto out_unlock;
	if (zone->wp + nr_sectors > zone->start + zone->capacity)
		goto out_unlock;
	if (zone->cond == BLK_ZONE_COND_EMPTY ||
	    zone->cond == BLK_ZONE_COND_CLOSED) {
		status = kcdev_blk_zone_open(z, zone, BLK_ZONE_COND_IMP_OPEN);
		if (status)
			goto out_unlock;
	}

	status = kcdev_blk_rw(dev, io);
	if (status)
		goto out_unlock;
	if (io->op == REQ_OP_ZONE_APPEND)
		this_cpu_inc(dev->pcpu->zone_appends);
	zone->wp += nr_sectors;
	if (zone->wp == zone->start + zone->capacity) {
		if (zone->cond == BLK_ZONE_COND_IMP_OPEN)
			z->nr_imp_open--;
		else
			z->nr_exp_open--;
		zone->cond = BLK_ZONE_COND_FULL;
	}
out_unlock:
	spin_unlock_irqrestore(&z->lock, flags);
	return status;
}

/*
 * Take @zone out of the open and closed accounting before a finish or a
 * reset moves it to FULL or EMPTY.  Returns false for a condition neither
 * may leave (offline, read-only).  Context: zones->lock held.
 */
static bool kcdev_blk_zone_deactivate(struct kcdev_blk_zones *z,
				      struct kcdev_blk_zone *zone)
{
	if (zone->cond == BLK_ZONE_COND_IMP_OPEN ||
	    zone->cond == BLK_ZONE_COND_EXP_OPEN)
		kcdev_blk_zone_close(z, zone);
	if (zone->cond == BLK_ZONE_COND_CLOSED) {
		z->nr_closed--;
		return true;
	}
	return zone->cond == BLK_ZONE_COND_EMPTY ||
	       zone->cond == BLK_ZONE_COND_FULL;
}

/* Reset, open, close or finish @zone.  Context: zones->lock held. */
static blk_status_t kcdev_blk_zone_mgmt(struct kcdev_blk_dev *dev,
					enum req_op op,
					struct kcdev_blk_zone *zone)
{
	struct kcdev_blk_zones *z = &dev->zones;
	enum blk_zone_cond cond = zone->cond;

	if (zone->type == BLK_ZONE_TYPE_CONVENTIONAL)
		return BLK_STS_IOERR;

	switch (op) {
	case REQ_OP_ZONE_OPEN:
		if (cond == BLK_ZONE_COND_EXP_OPEN)
			return BLK_STS_OK;
		if (cond == BLK_ZONE_COND_IMP_OPEN) {
			z->nr_imp_open--;
			z->nr_exp_open++;
			zone->cond = BLK_ZONE_COND_EXP_OPEN;
			return BLK_STS_OK;
		}
		if (cond != BLK_ZONE_COND_EMPTY && cond != BLK_ZONE_COND_CLOSED)
			return BLK_STS_IOERR;
		return kcdev_blk_zone_open(z, zone, BLK_ZONE_COND_EXP_OPEN);
	case REQ_OP_ZONE_CLOSE:
		if (cond == BLK_ZONE_COND_CLOSED)
			return BLK_STS_OK;
		if (cond != BLK_ZONE_COND_IMP_OPEN &&
		    cond != BLK_ZONE_COND_EXP_OPEN)
			return BLK_STS_IOERR;
		kcdev_blk_zone_close(z, zone);
		return BLK_STS_OK;
	case REQ_OP_ZONE_FINISH:
		if (!kcdev_blk_zone_deactivate(z, zone))
			return BLK_STS_IOERR;
		zone->cond = BLK_ZONE_COND_FULL;
		zone->wp = zone->start + zone->len;
		return BLK_STS_OK;
	case REQ_OP_ZONE_RESET:
		if (!kcdev_blk_zone_deactivate(z, zone))
			return BLK_STS_IOERR;
		zone->cond = BLK_ZONE_COND_EMPTY;
		zone->wp = zone->start;
		kcdev_blk_store_discard(dev, zone->start,
					(u64)zone->len << SECTOR_SHIFT);
		return BLK_STS_OK;
	default:
		return BLK_STS_NOTSUPP;
	}
}

/**
 * kcdev_blk_zoned_io - an I/O on a zoned device
 * @dev: the device
 * @io: a read, write, zone append or zone management operation
 *
 * Return: the I/O's status (BLK_STS_RESOURCE: run it again).
 */
blk_status_t kcdev_blk_zoned_io(struct kcdev_blk_dev *dev,
				struct kcdev_blk_io *io)
{
	struct kcdev_blk_zones *z = &dev->zones;
	unsigned int n = io->sector >> z->shift;
	blk_status_t status = BLK_STS_OK;
	struct kcdev_blk_zone *zone;
	unsigned long flags;

	if (io->op == REQ_OP_ZONE_RESET_ALL) {
		spin_lock_irqsave(&z->lock, flags);
		for (n = z->nr_conv; n < z->nr && !status; n++)
			if (z->zone[n].cond != BLK_ZONE_COND_EMPTY)
				status = kcdev_blk_zone_mgmt(dev,
							     REQ_OP_ZONE_RESET,
							     &z->zone[n]);
		spin_unlock_irqrestore(&z->lock, flags);
		return status;
	}
	if (n >= z->nr)
		return BLK_STS_IOERR;
	zone = &z->zone[n];

	switch (io->op) {
	case REQ_OP_READ:
		return kcdev_blk_rw(dev, io);
	case REQ_OP_WRITE:
	case REQ_OP_ZONE_APPEND:
		if (zone->type == BLK_ZONE_TYPE_SEQWRITE_REQ)
			return kcdev_blk_zone_write(dev, io, zone);
		if (io->op == REQ_OP_ZONE_APPEND)
			return BLK_STS_IOERR;
		return kcdev_blk_rw(dev, io);
	default:
		spin_lock_irqsave(&z->lock, flags);
		status = kcdev_blk_zone_mgmt(dev, io->op, zone);
		spin_unlock_irqrestore(&z->lock, flags);
		return status;
	}
}

/**
 * kcdev_blk_zones_power_off - what a power cycle does to zones
 * @dev: the device, its queue frozen
 *
 * Open zones close (or are empty again if nothing was written to them).
 */
void kcdev_blk_zones_power_off(struct kcdev_blk_dev *dev)
{
	struct kcdev_blk_zones *z = &dev->zones;
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&z->lock, flags);
	for (n = z->nr_conv; n < z->nr; n++)
		if (z->zone[n].cond == BLK_ZONE_COND_IMP_OPEN ||
		    z->zone[n].cond == BLK_ZONE_COND_EXP_OPEN)
			kcdev_blk_zone_close(z, &z->zone[n]);
	spin_unlock_irqrestore(&z->lock, flags);
}

/**
 * kcdev_blk_report_zones - the block device operation REPORT ZONES
 * @disk: the disk
 * @sector: a sector of the first zone to report
 * @nr_zones: most zones to report
 * @cb: called for each zone with a copy of it
 * @data: for @cb
 *
 * Return: the number of zones reported, or @cb's error.
 */
int kcdev_blk_report_zones(struct gendisk *disk, sector_t sector,
			   unsigned int nr_zones, report_zones_cb cb,
			   void *data)
{
	struct kcdev_blk_dev *dev = disk->private_data;
	struct kcdev_blk_zones *z = &dev->zones;
	unsigned int first, i;
	struct blk_zone blkz;
	unsigned long flags;
	int err;

	if (!z->nr)
		return 0;
	first = sector >> z->shift;
	if (first >= z->nr)
		return 0;
	nr_zones = min(nr_zones, z->nr - first);

	memset(&blkz, 0, sizeof(blkz));
	for (i = 0; i < nr_zones; i++) {
		const struct kcdev_blk_zone *zone = &z->zone[first + i];

		/* a copy: stacked drivers remap what they are given */
		spin_lock_irqsave(&z->lock, flags);
		blkz.start = zone->start;
		blkz.len = zone->len;
		blkz.capacity = zone->capacity;
		blkz.wp = zone->wp;
		blkz.type = zone->type;
		blkz.cond = zone->cond;
		spin_unlock_irqrestore(&z->lock, flags);

		err = cb(&blkz, i, data);
		if (err)
			return err;
	}
	return nr_zones;
}
