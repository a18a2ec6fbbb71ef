// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the RAM disk's fault injection.  Per device, changeable at any
 * time (configfs or BLK_SET), and seen only by reads and writes (zone
 * appends count as writes) of the kinds selected by fault_ops:
 *
 * - fail_nth N: every Nth such request fails with BLK_STS_IOERR;
 * - fail_ppm P: each fails with probability P / 1000000;
 * - timeout_nth N (mq mode): every Nth is started and never completed,
 *   so that the block layer's timeout handler runs for it (blk_mq.c);
 * - delay_nth N, delay_nsec D: every Nth completes D ns late.
 *
 * Failed requests move no data.  The kernel's own fault-injection
 * framework (CONFIG_FAULT_INJECTION, which null_blk uses) is not built
 * in Debian's kernel, hence these counters.
 */
#include <linux/blkdev.h>
#include <linux/random.h>

#include "chardev.h"

static bool kcdev_blk_fault_sees(struct kcdev_blk_dev *dev, enum req_op op)
{
	u32 ops = READ_ONCE(dev->fault.ops);

	switch (op) {
	case REQ_OP_READ:
		return ops & KLAB_CHARDEV_BLK_FAULT_READ;
	case REQ_OP_WRITE:
	case REQ_OP_ZONE_APPEND:
		return ops & KLAB_CHARDEV_BLK_FAULT_WRITE;
	default:
		return false;
	}
}

/* Is this the Nth request @seq has counted? */
static bool kcdev_blk_fault_nth(atomic_t *seq, u32 nth)
{
	return nth && (u32)atomic_inc_return(seq) % nth == 0;
}

/**
 * kcdev_blk_fault_fail - should this request fail?
 * @dev: the device
 * @op: the request's operation
 *
 * Return: true (and counted) if it is to fail with BLK_STS_IOERR.
 */
bool kcdev_blk_fault_fail(struct kcdev_blk_dev *dev, enum req_op op)
{
	u32 ppm = READ_ONCE(dev->fault.fail_ppm);

	if (!kcdev_blk_fault_sees(dev, op))
		return false;
	if (!kcdev_blk_fault_nth(&dev->fail_seq, READ_ONCE(dev->fault.fail_nth)) &&
	    !(ppm && get_random_u32_below(KLAB_CHARDEV_BLK_FAIL_PPM_MAX) < ppm))
		return false;
	this_cpu_inc(dev->pcpu->fault_errors);
	return true;
}

/**
 * kcdev_blk_fault_timeout - should this request be left to time out?
 * @dev: the device
 * @op: the request's operation
 *
 * Return: true (and counted) if it is never to be completed by the
 * driver, only by its timeout handler.
 */
bool kcdev_blk_fault_timeout(struct kcdev_blk_dev *dev, enum req_op op)
{
	if (!kcdev_blk_fault_sees(dev, op) ||
	    !kcdev_blk_fault_nth(&dev->timeout_seq,
				 READ_ONCE(dev->fault.timeout_nth)))
		return false;
	this_cpu_inc(dev->pcpu->fault_timeouts);
	return true;
}

/**
 * kcdev_blk_fault_delay - how late should this request complete?
 * @dev: the device
 * @op: the request's operation
 *
 * Return: the delay in ns (counted), or 0.
 */
u64 kcdev_blk_fault_delay(struct kcdev_blk_dev *dev, enum req_op op)
{
	u64 ns = READ_ONCE(dev->fault.delay_nsec);

	if (!ns || !kcdev_blk_fault_sees(dev, op) ||
	    !kcdev_blk_fault_nth(&dev->delay_seq,
				 READ_ONCE(dev->fault.delay_nth)))
		return 0;
	this_cpu_inc(dev->pcpu->fault_delays);
	return ns;
}
