// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the RAM disk's request path.  queue_rq moves the data at once
 * and then completes the request in one of three ways (irqmode): in
 * queue_rq itself, through blk_mq_complete_request() (the block layer's
 * softirq or IPI), or from a per-request hrtimer after completion_nsec.
 *
 * Nothing on this path takes a lock: counters are per hardware queue
 * atomics and the page store is read under RCU.
 */
#include <linux/blkdev.h>

#include "chardev.h"

static void kcdev_blk_end(struct request *rq)
{
	struct kcdev_blk_dev *dev = rq->q->queuedata;
	struct kcdev_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	atomic_dec(&dev->inflight);
	blk_mq_end_request(rq, cmd->status);
}

static enum hrtimer_restart kcdev_blk_timer_fn(struct hrtimer *timer)
{
	struct kcdev_blk_cmd *cmd = container_of(timer, struct kcdev_blk_cmd,
						 timer);

	kcdev_blk_end(blk_mq_rq_from_pdu(cmd));
	return HRTIMER_NORESTART;
}

/* Does the request touch a bad block? */
static bool kcdev_blk_bad(struct kcdev_blk_dev *dev, struct request *rq)
{
	sector_t first_bad;
	int bad_sectors;

	if (!READ_ONCE(dev->bb.count))
		return false;
	return badblocks_check(&dev->bb, blk_rq_pos(rq), blk_rq_sectors(rq),
			       &first_bad, &bad_sectors) != 0;
}

/*
 * Bios the block layer merged into @rq: every bio after the first.  The
 * driver counts these itself since the disk's own I/O statistics (which
 * count merges too) are off by default, see kcdev_blk_set_limits().
 */
static unsigned int kcdev_blk_merges(struct request *rq)
{
	unsigned int n = 0;
	struct bio *bio;

	__rq_for_each_bio(bio, rq)
		n++;
	return n - 1;
}

static blk_status_t kcdev_blk_do_rq(struct kcdev_blk_dev *dev,
				    struct kcdev_blk_queue *kq,
				    struct request *rq)
{
	unsigned int merges;
	blk_status_t status;

	switch (req_op(rq)) {
	case REQ_OP_FLUSH:
		/* the data is already where it will stay */
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		kcdev_blk_store_discard(dev, blk_rq_pos(rq),
					blk_rq_bytes(rq));
		return BLK_STS_OK;
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		break;
	default:
		return BLK_STS_NOTSUPP;
	}

	if (kcdev_blk_bad(dev, rq)) {
		atomic64_inc(&kq->io_errors);
		return BLK_STS_IOERR;
	}
	status = kcdev_blk_store_rw(dev, rq);
	if (status)
		return status;
	merges = kcdev_blk_merges(rq);
	if (req_op(rq) == REQ_OP_WRITE) {
		atomic64_add(blk_rq_bytes(rq), &kq->bytes_written);
		if (merges)
			atomic64_add(merges, &kq->merges_write);
	} else {
		atomic64_add(blk_rq_bytes(rq), &kq->bytes_read);
		if (merges)
			atomic64_add(merges, &kq->merges_read);
	}
	return BLK_STS_OK;
}

/* Move the data of @rq and complete it; RESOURCE leaves it unstarted */
static blk_status_t kcdev_blk_issue(struct blk_mq_hw_ctx *hctx,
				    struct request *rq)
{
	struct kcdev_blk_queue *kq = hctx->driver_data;
	struct kcdev_blk_dev *dev = hctx->queue->queuedata;
	struct kcdev_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	blk_status_t status;

	status = kcdev_blk_do_rq(dev, kq, rq);
	if (status == BLK_STS_RESOURCE)
		return status;	/* not started: the block layer retries */

	blk_mq_start_request(rq);
	atomic64_inc(&kq->requests);
	atomic_inc(&dev->inflight);
	cmd->status = status;

	switch (dev->cfg.irqmode) {
	case KLAB_CHARDEV_BLK_IRQ_SOFTIRQ:
		blk_mq_complete_request(rq);
		break;
	case KLAB_CHARDEV_BLK_IRQ_TIMER:
		hrtimer_start(&cmd->timer, ns_to_ktime(dev->cfg.completion_nsec),
			      HRTIMER_MODE_REL);
		break;
	default:
		kcdev_blk_end(rq);
		break;
	}
	return BLK_STS_OK;
}

static blk_status_t kcdev_blk_queue_rq(struct blk_mq_hw_ctx *hctx,
				       const struct blk_mq_queue_data *bd)
{
	return kcdev_blk_issue(hctx, bd->rq);
}

/*
 * A plug's requests in one call when the task flushes it itself (the end
 * of io_submit() or of a write): no per-request trip through the block
 * layer's direct issue.  Requests handed back stay in @rqlist, and the
 * block layer issues them one by one.
 */
static void kcdev_blk_queue_rqs(struct request **rqlist)
{
	struct request *requeue = NULL;
	struct request *rq;

	while ((rq = rq_list_pop(rqlist))) {
		if (kcdev_blk_issue(rq->mq_hctx, rq) != BLK_STS_OK)
			rq_list_add(&requeue, rq);
	}
	*rqlist = requeue;
}

static void kcdev_blk_complete(struct request *rq)
{
	kcdev_blk_end(rq);
}

static int kcdev_blk_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			       unsigned int hctx_idx)
{
	struct kcdev_blk_dev *dev = data;

	hctx->driver_data = &dev->queues[hctx_idx];
	return 0;
}

static int kcdev_blk_init_request(struct blk_mq_tag_set *set,
				  struct request *rq, unsigned int hctx_idx,
				  unsigned int numa_node)
{
	struct kcdev_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	hrtimer_init(&cmd->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	cmd->timer.function = kcdev_blk_timer_fn;
	return 0;
}

const struct blk_mq_ops kcdev_blk_mq_ops = {
	.queue_rq = kcdev_blk_queue_rq,
	.queue_rqs = kcdev_blk_queue_rqs,
	.complete = kcdev_blk_complete,
	.init_hctx = kcdev_blk_init_hctx,
	.init_request = kcdev_blk_init_request,
};
