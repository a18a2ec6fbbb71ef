/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * chardev: character devices and a blk-mq RAM disk (generic netlink family
 * klab_chardev, ioctls of /dev/klab_scull*).
 */
#ifndef _UAPI_KLAB_CHARDEV_H
#define _UAPI_KLAB_CHARDEV_H

#include <klab/klab.h>

#define KLAB_CHARDEV_FAMILY_NAME	"klab_chardev"
#define KLAB_CHARDEV_FAMILY_VERSION	1

/*
 * Module-specific commands, after the common ones of <klab/klab.h>.
 * Character devices and the interrupt source use KLAB_CMD_MODULE_FIRST
 * and up; the block device uses KLAB_CHARDEV_CMD_BLK_FIRST and up.
 */
enum klab_chardev_cmd {
	__KLAB_CHARDEV_CMD_CHR_START = KLAB_CMD_MODULE_FIRST - 1,
	/* character devices and the interrupt source (chr) */

	__KLAB_CHARDEV_CMD_CHR_END,

	KLAB_CHARDEV_CMD_BLK_FIRST = KLAB_CMD_MODULE_FIRST + 32,
	__KLAB_CHARDEV_CMD_BLK_START = KLAB_CHARDEV_CMD_BLK_FIRST - 1,
	/* the block device (blk) */
	/*
	 * Create and power a RAM disk (needs CAP_NET_ADMIN).  Requires
	 * KLAB_CHARDEV_A_BLK_NAME; the other configuration attributes are
	 * optional.  Replies with the new device as in BLK_LIST.
	 */
	KLAB_CHARDEV_CMD_BLK_ADD,
	/* Remove a RAM disk by KLAB_CHARDEV_A_BLK_NAME (needs CAP_NET_ADMIN) */
	KLAB_CHARDEV_CMD_BLK_DEL,
	/*
	 * List the RAM disks: one KLAB_CHARDEV_A_BLK_DEVICES nest holding a
	 * KLAB_CHARDEV_A_BLK_DEVICE nest per device with its configuration.
	 * KLAB_CHARDEV_A_BLK_NAME selects one device.
	 */
	KLAB_CHARDEV_CMD_BLK_LIST,
	/* As BLK_LIST, with the counters of each device added */
	KLAB_CHARDEV_CMD_BLK_STATS,

	__KLAB_CHARDEV_CMD_BLK_END,
};

/*
 * Module-specific attributes, after the common ones of <klab/klab.h>;
 * the same split as the commands.
 */
enum klab_chardev_attr {
	__KLAB_CHARDEV_A_CHR_START = KLAB_A_MODULE_FIRST - 1,
	/* character devices and the interrupt source (chr) */

	__KLAB_CHARDEV_A_CHR_END,

	KLAB_CHARDEV_A_BLK_FIRST = KLAB_A_MODULE_FIRST + 64,
	__KLAB_CHARDEV_A_BLK_START = KLAB_CHARDEV_A_BLK_FIRST - 1,
	/* the block device (blk) */
	KLAB_CHARDEV_A_BLK_NAME,	/* string: device name, [A-Za-z0-9_-]{1,31} */
	KLAB_CHARDEV_A_BLK_SIZE_MB,	/* u64: capacity in MiB */
	KLAB_CHARDEV_A_BLK_BLOCKSIZE,	/* u32: 512 or 4096 */
	KLAB_CHARDEV_A_BLK_SUBMIT_QUEUES, /* u32: hardware queues */
	KLAB_CHARDEV_A_BLK_HW_QUEUE_DEPTH, /* u32: tags per hardware queue */
	KLAB_CHARDEV_A_BLK_IRQMODE,	/* u32: enum klab_chardev_blk_irqmode */
	KLAB_CHARDEV_A_BLK_COMPLETION_NSEC, /* u64: timer-mode delay */
	KLAB_CHARDEV_A_BLK_DISCARD,	/* u8: 1 to support discard */
	KLAB_CHARDEV_A_BLK_DEVICES,	/* nest of KLAB_CHARDEV_A_BLK_DEVICE */
	KLAB_CHARDEV_A_BLK_DEVICE,	/* nest: one device's attributes */
	KLAB_CHARDEV_A_BLK_DISK,	/* string: disk name, "klab_blkN" */
	KLAB_CHARDEV_A_BLK_INDEX,	/* u32: N of klab_blkN */
	KLAB_CHARDEV_A_BLK_POWERED,	/* u8: 1 when the disk exists */
	KLAB_CHARDEV_A_BLK_CONFIGFS,	/* u8: 1 when made through configfs */
	KLAB_CHARDEV_A_BLK_PAGES,	/* u64: pages of data held */
	KLAB_CHARDEV_A_BLK_BYTES_READ,	/* u64 */
	KLAB_CHARDEV_A_BLK_BYTES_WRITTEN, /* u64 */
	KLAB_CHARDEV_A_BLK_INFLIGHT,	/* u32: requests started, not ended */
	KLAB_CHARDEV_A_BLK_MERGES_READ,	/* u64: from the disk's I/O stats */
	KLAB_CHARDEV_A_BLK_MERGES_WRITE, /* u64: from the disk's I/O stats */
	KLAB_CHARDEV_A_BLK_QUEUES,	/* nest of KLAB_CHARDEV_A_BLK_QUEUE */
	KLAB_CHARDEV_A_BLK_QUEUE,	/* nest: INDEX and REQUESTS of a queue */
	KLAB_CHARDEV_A_BLK_REQUESTS,	/* u64: requests a queue received */
	KLAB_CHARDEV_A_BLK_IO_ERRORS,	/* u64: requests failed on bad blocks */

	__KLAB_CHARDEV_A_BLK_END,
};

#define KLAB_CHARDEV_A_MAX	(__KLAB_CHARDEV_A_BLK_END - 1)

/* ioctls of /dev/klab_scull* (chr) */

/* the block device (blk) */
enum klab_chardev_blk_irqmode {
	KLAB_CHARDEV_BLK_IRQ_NONE,	/* complete in queue_rq */
	KLAB_CHARDEV_BLK_IRQ_SOFTIRQ,	/* complete through blk_mq_complete_request */
	KLAB_CHARDEV_BLK_IRQ_TIMER,	/* complete from an hrtimer */
};

#define KLAB_CHARDEV_BLK_NAME_LEN	32	/* with the terminating NUL */
#define KLAB_CHARDEV_BLK_SIZE_MB_MAX	(1024 * 1024)	/* 1 TiB */
#define KLAB_CHARDEV_BLK_QUEUE_DEPTH_MAX 4096
#define KLAB_CHARDEV_BLK_COMPLETION_NSEC_MAX 1000000000ULL
#define KLAB_CHARDEV_BLK_MAX_DEVICES	256

#endif /* _UAPI_KLAB_CHARDEV_H */
