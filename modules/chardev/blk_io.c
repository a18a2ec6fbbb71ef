// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: what the RAM disk does with an I/O, whichever queue mode
 * brought it (a bio in blk_bio.c, a request in blk_mq.c): power and
 * fault checks, flush, discard, bad blocks, zones, and moving the data
 * through the volatile cache or straight to the store.
 *
 * Nothing here sleeps or takes a lock on the path of a plain read or
 * write: counters are per CPU and the store is read under RCU.  The
 * cache and the zones have spinlocks of their own.
 */
#include <linux/blkdev.h>
#include <linux/highmem.h>

#include "chardev.h"

/**
 * kcdev_blk_io_pages - how many store pages an I/O's range touches
 * @io: the I/O
 *
 * Return: the number of pages.
 */
unsigned int kcdev_blk_io_pages(const struct kcdev_blk_io *io)
{
	u64 pos = (u64)io->sector << SECTOR_SHIFT;

	return DIV_ROUND_UP((pos & ~PAGE_MASK) + io->bytes, PAGE_SIZE);
}

/*
 * Move one segment.  A write goes to the cache unless it is FUA; an FUA
 * write goes to the store and makes what the cache holds for its sectors
 * stale.  Context: rcu_read_lock(), and the cache's lock for a write
 * when there is a cache.
 */
static blk_status_t kcdev_blk_rw_seg(struct kcdev_blk_dev *dev, void *buf,
				     sector_t sector, unsigned int len,
				     bool write, bool fua)
{
	blk_status_t status;

	if (!write) {
		if (kcdev_blk_cache_on(dev))
			kcdev_blk_cache_read(dev, buf, sector, len);
		else
			kcdev_blk_store_read(dev, buf, sector, len);
		return BLK_STS_OK;
	}
	if (!kcdev_blk_cache_on(dev))
		return kcdev_blk_store_write(dev, buf, sector, len);
	if (!fua)
		return kcdev_blk_cache_write(dev, buf, sector, len);
	status = kcdev_blk_store_write(dev, buf, sector, len);
	if (status == BLK_STS_OK)
		kcdev_blk_cache_forget(dev, sector, len);
	return status;
}

/* The segments of one bio, from *@sector on */
static blk_status_t kcdev_blk_rw_bio(struct kcdev_blk_dev *dev,
				     struct bio *bio, sector_t *sector,
				     bool write, bool fua)
{
	blk_status_t status = BLK_STS_OK;
	struct bvec_iter iter;
	struct bio_vec bv;

	bio_for_each_segment(bv, bio, iter) {
		void *buf = bvec_kmap_local(&bv);

		status = kcdev_blk_rw_seg(dev, buf, *sector, bv.bv_len, write,
					  fua);
		kunmap_local(buf);
		if (status)
			break;
		*sector += bv.bv_len >> SECTOR_SHIFT;
	}
	return status;
}

/**
 * kcdev_blk_rw - move the data of a read, write or zone append
 * @dev: the device
 * @io: the I/O; its data goes to or comes from @io->sector on
 *
 * Return: BLK_STS_OK, or BLK_STS_RESOURCE when memory could not be had
 * without sleeping (the I/O may then run again whole).
 */
blk_status_t kcdev_blk_rw(struct kcdev_blk_dev *dev, struct kcdev_blk_io *io)
{
	bool write = op_is_write(io->op), fua = io->opf & REQ_FUA;
	bool locked = write && kcdev_blk_cache_on(dev);
	blk_status_t status = BLK_STS_OK;
	sector_t sector = io->sector;
	unsigned int bios = 0;
	unsigned long flags;
	struct bio *bio;

	if (locked)
		spin_lock_irqsave(&dev->cache.lock, flags);
	rcu_read_lock();
	if (io->rq) {
		__rq_for_each_bio(bio, io->rq) {
			status = kcdev_blk_rw_bio(dev, bio, &sector, write, fua);
			if (status)
				break;
			bios++;
		}
	} else {
		status = kcdev_blk_rw_bio(dev, io->bio, &sector, write, fua);
	}
	rcu_read_unlock();
	if (locked)
		spin_unlock_irqrestore(&dev->cache.lock, flags);

	/* bios the block layer merged into a request, every one after the first */
	if (bios > 1) {
		if (write)
			this_cpu_add(dev->pcpu->merges_write, bios - 1);
		else
			this_cpu_add(dev->pcpu->merges_read, bios - 1);
	}
	return status;
}

static void kcdev_blk_discard(struct kcdev_blk_dev *dev,
			      const struct kcdev_blk_io *io)
{
	unsigned long flags;

	if (kcdev_blk_cache_on(dev)) {
		spin_lock_irqsave(&dev->cache.lock, flags);
		kcdev_blk_cache_forget(dev, io->sector, io->bytes);
		spin_unlock_irqrestore(&dev->cache.lock, flags);
	}
	kcdev_blk_store_discard(dev, io->sector, io->bytes);
}

static blk_status_t kcdev_blk_flush(struct kcdev_blk_dev *dev)
{
	this_cpu_inc(dev->pcpu->flushes);
	if (!kcdev_blk_cache_on(dev))
		return BLK_STS_OK;
	return kcdev_blk_cache_flush(dev);
}

/* Does the I/O touch a bad block? */
static bool kcdev_blk_bad(struct kcdev_blk_dev *dev,
			  const struct kcdev_blk_io *io)
{
	sector_t first_bad;
	int bad_sectors;

	if (!READ_ONCE(dev->bb.count))
		return false;
	return badblocks_check(&dev->bb, io->sector, io->bytes >> SECTOR_SHIFT,
			       &first_bad, &bad_sectors) != 0;
}

/**
 * kcdev_blk_io_run - carry out an I/O
 * @dev: the device
 * @io: the I/O
 *
 * Return: the I/O's status; BLK_STS_RESOURCE means it could not get
 * memory without sleeping and may be run again.
 */
blk_status_t kcdev_blk_io_run(struct kcdev_blk_dev *dev,
			      struct kcdev_blk_io *io)
{
	blk_status_t status;

	if (unlikely(READ_ONCE(dev->dead)))
		return BLK_STS_IOERR;
	if (unlikely(READ_ONCE(dev->fault_on))) {
		smp_rmb();	/* the settings after the switch */
		if (kcdev_blk_fault_fail(dev, io->op))
			return BLK_STS_IOERR;
	}

	switch (io->op) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		break;
	case REQ_OP_ZONE_APPEND:
		if (!dev->cfg.zoned)
			return BLK_STS_NOTSUPP;
		break;
	case REQ_OP_FLUSH:
		return kcdev_blk_flush(dev);
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		kcdev_blk_discard(dev, io);
		return BLK_STS_OK;
	case REQ_OP_ZONE_RESET:
	case REQ_OP_ZONE_RESET_ALL:
	case REQ_OP_ZONE_OPEN:
	case REQ_OP_ZONE_CLOSE:
	case REQ_OP_ZONE_FINISH:
		if (!dev->cfg.zoned)
			return BLK_STS_NOTSUPP;
		return kcdev_blk_zoned_io(dev, io);
	default:
		return BLK_STS_NOTSUPP;
	}

	/* a bio-based driver sees REQ_PREFLUSH itself (blk-mq sends FLUSH) */
	if (io->opf & REQ_PREFLUSH) {
		status = kcdev_blk_flush(dev);
		if (status)
			return status;
	}
	if (!io->bytes)
		return BLK_STS_OK;
	if (kcdev_blk_bad(dev, io)) {
		this_cpu_inc(dev->pcpu->io_errors);
		return BLK_STS_IOERR;
	}

	if (dev->cfg.zoned)
		status = kcdev_blk_zoned_io(dev, io);
	else
		status = kcdev_blk_rw(dev, io);
	if (status)
		return status;

	if (io->op == REQ_OP_READ) {
		this_cpu_add(dev->pcpu->bytes_read, io->bytes);
	} else {
		this_cpu_add(dev->pcpu->bytes_written, io->bytes);
		if (io->opf & REQ_FUA)
			this_cpu_inc(dev->pcpu->fua);
	}
	return BLK_STS_OK;
}
