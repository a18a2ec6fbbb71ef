// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the RAM disk's bio mode (queue_mode 0), as brd and null_blk's
 * queue_mode=0 work: the disk has no blk-mq queue, the block layer hands
 * every bio to ->submit_bio in the submitter's context, and the driver
 * moves the data and ends the bio there.  No request, no tag, no plug,
 * no I/O scheduler, no completion interrupt: that is why it is faster
 * than blk-mq for a RAM disk, and why there are no poll queues, no
 * irqmode and no timeouts in this mode.
 *
 *   submit_bio -> submit_bio_noacct -> bio_queue_enter -> ->submit_bio
 *     -> kcdev_blk_io_run() (copy) -> bio_endio
 *
 * A disk with neither a cache nor zones gets ->submit_bio of its own,
 * which copies a plain read or write without the I/O core's checks.
 */
#include <linux/blkdev.h>
#include <linux/delay.h>

#include "chardev.h"

/* Runs of an I/O that could not get memory before it fails */
#define KCDEV_BLK_BIO_TRIES	64

/*
 * kcdev_blk_io_run() never sleeps; when it ran out of memory, get what
 * the bio needs with sleeping allocations (the submitter may sleep,
 * unless it asked for REQ_NOWAIT) and run it again.
 */
static blk_status_t kcdev_blk_bio_retry(struct kcdev_blk_dev *dev,
					struct kcdev_blk_io *io)
{
	blk_status_t status = BLK_STS_RESOURCE;
	unsigned int tries;

	if (io->opf & REQ_NOWAIT)
		return BLK_STS_AGAIN;
	for (tries = 0; tries < KCDEV_BLK_BIO_TRIES; tries++) {
		if (kcdev_blk_store_prepare(dev, io, GFP_NOIO))
			return BLK_STS_RESOURCE;
		status = kcdev_blk_io_run(dev, io);
		if (status != BLK_STS_RESOURCE)
			return status;
		cond_resched();
	}
	return status;
}

/* Run a bio through the I/O core, where every feature has its say */
static blk_status_t kcdev_blk_bio_run(struct kcdev_blk_dev *dev,
				      struct bio *bio)
{
	struct kcdev_blk_io io = {
		.bio = bio,
		.op = bio_op(bio),
		.opf = bio->bi_opf,
		.sector = bio->bi_iter.bi_sector,
		.bytes = bio->bi_iter.bi_size,
	};
	blk_status_t status;
	u64 delay;

	status = kcdev_blk_io_run(dev, &io);
	if (unlikely(status == BLK_STS_RESOURCE))
		status = kcdev_blk_bio_retry(dev, &io);
	/* a zone append reports where its data went */
	if (io.op == REQ_OP_ZONE_APPEND && status == BLK_STS_OK)
		bio->bi_iter.bi_sector = io.sector;

	if (unlikely(READ_ONCE(dev->fault_on)) &&
	    !(bio->bi_opf & REQ_NOWAIT)) {
		delay = kcdev_blk_fault_delay(dev, io.op);
		if (delay)
			fsleep(DIV_ROUND_UP_ULL(delay, NSEC_PER_USEC));
	}
	return status;
}

static void kcdev_blk_submit_bio(struct bio *bio)
{
	struct kcdev_blk_dev *dev = bio->bi_bdev->bd_disk->private_data;

	kcdev_blk_io_start(dev);
	bio->bi_status = kcdev_blk_bio_run(dev, bio);
	kcdev_blk_io_end(dev);
	bio_endio(bio);
}

/*
 * A disk with neither a cache nor zones (the default) does per bio what
 * brd does: a read or write is copied straight to or from the store,
 * and no flush or FUA reaches it (the queue advertises no write cache).
 * Fault injection and bad blocks can be turned on while it runs, so a
 * bio finding either on, and any other operation, takes the full path.
 */
static void kcdev_blk_submit_bio_plain(struct bio *bio)
{
	struct kcdev_blk_dev *dev = bio->bi_bdev->bd_disk->private_data;
	enum req_op op = bio_op(bio);
	struct kcdev_blk_io io;

	kcdev_blk_io_start(dev);
	if (unlikely((op != REQ_OP_READ && op != REQ_OP_WRITE) ||
		     kcdev_blk_io_special(dev)))
		goto full;
	io = (struct kcdev_blk_io) {
		.bio = bio,
		.op = op,
		.sector = bio->bi_iter.bi_sector,
	};
	/* out of memory: the full path gets it sleeping and runs it again */
	if (unlikely(kcdev_blk_rw(dev, &io)))
		goto full;
	if (op == REQ_OP_READ)
		this_cpu_add(dev->pcpu->bytes_read, bio->bi_iter.bi_size);
	else
		this_cpu_add(dev->pcpu->bytes_written, bio->bi_iter.bi_size);
	kcdev_blk_io_end(dev);
	bio_endio(bio);
	return;

full:
	bio->bi_status = kcdev_blk_bio_run(dev, bio);
	kcdev_blk_io_end(dev);
	bio_endio(bio);
}

static const struct block_device_operations kcdev_blk_bio_fops = {
	.owner = THIS_MODULE,
	.open = kcdev_blk_open,
	.release = kcdev_blk_release,
	.submit_bio = kcdev_blk_submit_bio,
	.report_zones = kcdev_blk_report_zones,
};

static const struct block_device_operations kcdev_blk_bio_plain_fops = {
	.owner = THIS_MODULE,
	.open = kcdev_blk_open,
	.release = kcdev_blk_release,
	.submit_bio = kcdev_blk_submit_bio_plain,
};

static int kcdev_blk_bio_alloc_disk(struct kcdev_blk_dev *dev)
{
	dev->disk = blk_alloc_disk(NUMA_NO_NODE);
	return dev->disk ? 0 : -ENOMEM;
}

static void kcdev_blk_bio_free_disk(struct kcdev_blk_dev *dev)
{
	put_disk(dev->disk);
}

const struct kcdev_blk_mode kcdev_blk_bio_mode = {
	.name = "bio",
	.fops = &kcdev_blk_bio_fops,
	.plain_fops = &kcdev_blk_bio_plain_fops,
	.alloc_disk = kcdev_blk_bio_alloc_disk,
	.free_disk = kcdev_blk_bio_free_disk,
};
