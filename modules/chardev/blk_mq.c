// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the RAM disk's blk-mq mode (queue_mode 2), like null_blk's.
 * The block layer turns bios into requests (merging, plugging, tags, an
 * optional I/O scheduler) and queue_rq moves the data at once, then
 * completes the request in one of three ways (irqmode): in queue_rq
 * itself, through blk_mq_complete_request() (the block layer's softirq
 * or IPI), or from a per-request hrtimer after completion_nsec.
 *
 *   submit_bio -> blk_mq_submit_bio -> (plug) -> queue_rq
 *     -> kcdev_blk_io_run() (copy) -> blk_mq_end_request -> bio_endio
 *
 * Poll queues (poll_queues, hardware queues of type HCTX_TYPE_POLL) take
 * REQ_POLLED requests (io_uring with IORING_SETUP_IOPOLL, fio --hipri):
 * queue_rq moves the data and parks the request, and ->poll(), called by
 * the submitter as it waits, completes what is parked.
 *
 * Fault injection may leave a request started and never completed; the
 * block layer's timeout handler then ends it with BLK_STS_TIMEOUT or
 * requeues it (timeout_action).  Every other request the driver
 * completes itself, so its timeouts only re-arm the timer.
 */
#include <linux/blkdev.h>

#include "chardev.h"

static void kcdev_blk_mq_end(struct request *rq)
{
	struct kcdev_blk_dev *dev = rq->q->queuedata;
	struct kcdev_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	kcdev_blk_io_end(dev);
	blk_mq_end_request(rq, cmd->status);
}

static enum hrtimer_restart kcdev_blk_mq_timer_fn(struct hrtimer *timer)
{
	struct kcdev_blk_cmd *cmd = container_of(timer, struct kcdev_blk_cmd,
						 timer);

	kcdev_blk_mq_end(blk_mq_rq_from_pdu(cmd));
	return HRTIMER_NORESTART;
}

/* Start @rq and leave it for the timeout handler */
static void kcdev_blk_mq_hold(struct kcdev_blk_dev *dev,
			      struct kcdev_blk_queue *kq, struct request *rq)
{
	struct kcdev_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	cmd->held = true;
	blk_mq_start_request(rq);
	this_cpu_inc(*kq->requests);
	kcdev_blk_io_start(dev);
}

/* Move the data of @rq and complete it; RESOURCE leaves it unstarted */
static blk_status_t kcdev_blk_mq_issue(struct blk_mq_hw_ctx *hctx,
				       struct request *rq)
{
	struct kcdev_blk_queue *kq = hctx->driver_data;
	struct kcdev_blk_dev *dev = kq->dev;
	struct kcdev_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct kcdev_blk_io io = {
		.rq = rq,
		.op = req_op(rq),
		.opf = rq->cmd_flags,
		.sector = blk_rq_pos(rq),
		.bytes = blk_rq_bytes(rq),
	};
	blk_status_t status;
	u64 delay = 0;

	if (unlikely(READ_ONCE(dev->fault_on)) &&
	    kcdev_blk_fault_timeout(dev, io.op)) {
		kcdev_blk_mq_hold(dev, kq, rq);
		return BLK_STS_OK;
	}

	status = kcdev_blk_io_run(dev, &io);
	if (status == BLK_STS_RESOURCE)
		return status;	/* not started: the block layer retries */
	/* a zone append reports where its data went */
	if (io.op == REQ_OP_ZONE_APPEND && status == BLK_STS_OK)
		rq->__sector = io.sector;

	blk_mq_start_request(rq);
	this_cpu_inc(*kq->requests);
	kcdev_blk_io_start(dev);
	cmd->status = status;
	cmd->held = false;

	if (hctx->type == HCTX_TYPE_POLL) {
		spin_lock(&kq->poll_lock);
		list_add_tail(&rq->queuelist, &kq->poll_list);
		spin_unlock(&kq->poll_lock);
		return BLK_STS_OK;
	}

	if (unlikely(READ_ONCE(dev->fault_on)))
		delay = kcdev_blk_fault_delay(dev, io.op);
	if (delay) {
		hrtimer_start(&cmd->timer, ns_to_ktime(delay), HRTIMER_MODE_REL);
		return BLK_STS_OK;
	}

	switch (dev->cfg.irqmode) {
	case KLAB_CHARDEV_BLK_IRQ_SOFTIRQ:
		blk_mq_complete_request(rq);
		break;
	case KLAB_CHARDEV_BLK_IRQ_TIMER:
		hrtimer_start(&cmd->timer, ns_to_ktime(dev->cfg.completion_nsec),
			      HRTIMER_MODE_REL);
		break;
	default:
		kcdev_blk_mq_end(rq);
		break;
	}
	return BLK_STS_OK;
}

static blk_status_t kcdev_blk_mq_queue_rq(struct blk_mq_hw_ctx *hctx,
					  const struct blk_mq_queue_data *bd)
{
	return kcdev_blk_mq_issue(hctx, bd->rq);
}

/*
 * A plug's requests in one call when the task flushes it itself (the end
 * of io_submit() or of a write): no per-request trip through the block
 * layer's direct issue.  Requests handed back stay in @rqlist, and the
 * block layer issues them one by one.
 */
static void kcdev_blk_mq_queue_rqs(struct request **rqlist)
{
	struct request *requeue = NULL;
	struct request *rq;

	while ((rq = rq_list_pop(rqlist))) {
		if (kcdev_blk_mq_issue(rq->mq_hctx, rq) != BLK_STS_OK)
			rq_list_add(&requeue, rq);
	}
	*rqlist = requeue;
}

/* Complete the parked requests of a poll queue */
static int kcdev_blk_mq_poll(struct blk_mq_hw_ctx *hctx,
			     struct io_comp_batch *iob)
{
	struct kcdev_blk_queue *kq = hctx->driver_data;
	struct kcdev_blk_dev *dev = kq->dev;
	struct kcdev_blk_cmd *cmd;
	struct request *rq;
	LIST_HEAD(done);
	int nr = 0;

	spin_lock(&kq->poll_lock);
	list_splice_init(&kq->poll_list, &done);
	spin_unlock(&kq->poll_lock);

	while (!list_empty(&done)) {
		rq = list_first_entry(&done, struct request, queuelist);
		list_del_init(&rq->queuelist);
		cmd = blk_mq_rq_to_pdu(rq);
		kcdev_blk_io_end(dev);
		this_cpu_inc(dev->pcpu->polled);
		if (!blk_mq_add_to_batch(rq, iob, (__force int)cmd->status,
					 blk_mq_end_request_batch))
			blk_mq_end_request(rq, cmd->status);
		nr++;
	}
	return nr;
}

static enum blk_eh_timer_return kcdev_blk_mq_timeout(struct request *rq)
{
	struct kcdev_blk_dev *dev = rq->q->queuedata;
	struct kcdev_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	this_cpu_inc(dev->pcpu->timeouts);
	/* the driver completes it (a timer or a poller): wait for that */
	if (!cmd->held)
		return BLK_EH_RESET_TIMER;

	cmd->held = false;
	if (READ_ONCE(dev->fault.timeout_action) ==
	    KLAB_CHARDEV_BLK_TIMEOUT_REQUEUE) {
		/* it comes back to queue_rq and runs normally */
		kcdev_blk_io_end(dev);
		blk_mq_requeue_request(rq, true);
		return BLK_EH_DONE;
	}
	cmd->status = BLK_STS_TIMEOUT;
	blk_mq_complete_request(rq);
	return BLK_EH_DONE;
}

static void kcdev_blk_mq_complete(struct request *rq)
{
	kcdev_blk_mq_end(rq);
}

/* Submission queues first, then the poll queues; no read-only queues */
static void kcdev_blk_mq_map_queues(struct blk_mq_tag_set *set)
{
	struct kcdev_blk_dev *dev = set->driver_data;
	unsigned int i, offset = 0;

	for (i = 0; i < set->nr_maps; i++) {
		struct blk_mq_queue_map *map = &set->map[i];

		switch (i) {
		case HCTX_TYPE_DEFAULT:
			map->nr_queues = dev->cfg.submit_queues;
			break;
		case HCTX_TYPE_POLL:
			map->nr_queues = dev->cfg.poll_queues;
			break;
		default:
			map->nr_queues = 0;
			continue;
		}
		map->queue_offset = offset;
		offset += map->nr_queues;
		blk_mq_map_queues(map);
	}
}

static int kcdev_blk_mq_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
				  unsigned int hctx_idx)
{
	struct kcdev_blk_dev *dev = data;

	hctx->driver_data = &dev->queues[hctx_idx];
	return 0;
}

static int kcdev_blk_mq_init_request(struct blk_mq_tag_set *set,
				     struct request *rq, unsigned int hctx_idx,
				     unsigned int numa_node)
{
	struct kcdev_blk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	hrtimer_init(&cmd->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	cmd->timer.function = kcdev_blk_mq_timer_fn;
	cmd->held = false;
	return 0;
}

static const struct blk_mq_ops kcdev_blk_mq_ops = {
	.queue_rq = kcdev_blk_mq_queue_rq,
	.queue_rqs = kcdev_blk_mq_queue_rqs,
	.complete = kcdev_blk_mq_complete,
	.timeout = kcdev_blk_mq_timeout,
	.poll = kcdev_blk_mq_poll,
	.map_queues = kcdev_blk_mq_map_queues,
	.init_hctx = kcdev_blk_mq_init_hctx,
	.init_request = kcdev_blk_mq_init_request,
};

static const struct block_device_operations kcdev_blk_mq_fops = {
	.owner = THIS_MODULE,
	.open = kcdev_blk_open,
	.release = kcdev_blk_release,
	.report_zones = kcdev_blk_report_zones,
};

static int kcdev_blk_mq_alloc_disk(struct kcdev_blk_dev *dev)
{
	struct blk_mq_tag_set *set = &dev->tag_set;
	unsigned int i, nr = dev->cfg.submit_queues + dev->cfg.poll_queues;
	struct gendisk *disk;
	int err;

	dev->queues = kcalloc(nr, sizeof(*dev->queues), GFP_KERNEL);
	if (!dev->queues)
		return -ENOMEM;
	dev->queue_requests = __alloc_percpu(nr * sizeof(u64), sizeof(u64));
	if (!dev->queue_requests) {
		err = -ENOMEM;
		goto err_free_queues;
	}
	for (i = 0; i < nr; i++) {
		dev->queues[i].dev = dev;
		dev->queues[i].requests = dev->queue_requests + i;
		spin_lock_init(&dev->queues[i].poll_lock);
		INIT_LIST_HEAD(&dev->queues[i].poll_list);
	}
	dev->nr_queues = nr;

	memset(set, 0, sizeof(*set));
	set->ops = &kcdev_blk_mq_ops;
	set->nr_hw_queues = nr;
	set->nr_maps = dev->cfg.poll_queues ? HCTX_MAX_TYPES : 1;
	set->queue_depth = dev->cfg.hw_queue_depth;
	set->numa_node = NUMA_NO_NODE;
	set->cmd_size = sizeof(struct kcdev_blk_cmd);
	/* like brd: no I/O scheduler in front of a RAM disk by default */
	set->flags = BLK_MQ_F_SHOULD_MERGE | BLK_MQ_F_NO_SCHED_BY_DEFAULT;
	set->timeout = 5 * HZ;
	set->driver_data = dev;
	err = blk_mq_alloc_tag_set(set);
	if (err)
		goto err_free_counters;

	disk = blk_mq_alloc_disk(set, dev);
	if (IS_ERR(disk)) {
		err = PTR_ERR(disk);
		goto err_free_tag_set;
	}
	dev->disk = disk;
	return 0;

err_free_tag_set:
	blk_mq_free_tag_set(set);
err_free_counters:
	free_percpu(dev->queue_requests);
	dev->queue_requests = NULL;
err_free_queues:
	kfree(dev->queues);
	dev->queues = NULL;
	dev->nr_queues = 0;
	return err;
}

/* After del_gendisk(): every request has ended */
static void kcdev_blk_mq_free_disk(struct kcdev_blk_dev *dev)
{
	put_disk(dev->disk);
	blk_mq_free_tag_set(&dev->tag_set);
	free_percpu(dev->queue_requests);
	dev->queue_requests = NULL;
	kfree(dev->queues);
	dev->queues = NULL;
	dev->nr_queues = 0;
}

const struct kcdev_blk_mode kcdev_blk_mq_mode = {
	.name = "mq",
	.fops = &kcdev_blk_mq_fops,
	.alloc_disk = kcdev_blk_mq_alloc_disk,
	.free_disk = kcdev_blk_mq_free_disk,
};
