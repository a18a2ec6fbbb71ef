/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * chardev: character devices and a blk-mq RAM disk (generic netlink family
 * klab_chardev, ioctls of /dev/klab_scull*).
 */
#ifndef _UAPI_KLAB_CHARDEV_H
#define _UAPI_KLAB_CHARDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

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
	/*
	 * List the character devices: one KLAB_CHARDEV_A_DEVS nest holding
	 * a KLAB_CHARDEV_A_DEV nest per device.  Takes no attributes.
	 */
	KLAB_CHARDEV_CMD_LIST,
	/* Interrupt source counters and settings (KLAB_CHARDEV_A_IRQ_*) */
	KLAB_CHARDEV_CMD_IRQ_GET,
	/*
	 * Change the interrupt source (needs CAP_NET_ADMIN): accepts
	 * KLAB_CHARDEV_A_IRQ_MODE, KLAB_CHARDEV_A_IRQ_RATE_HZ and
	 * KLAB_CHARDEV_A_IRQ_SHARED (then raises the shared line once).
	 */
	KLAB_CHARDEV_CMD_IRQ_SET,
	/*
	 * Raise the interrupt KLAB_CHARDEV_A_IRQ_COUNT times (needs
	 * CAP_NET_ADMIN) and wait until every bottom half has run.  With
	 * KLAB_CHARDEV_A_IRQ_ALL_CPUS each time raises it on every online
	 * CPU at once.
	 */
	KLAB_CHARDEV_CMD_IRQ_FIRE,

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
	 * Describe the RAM disk KLAB_CHARDEV_A_BLK_NAME: a
	 * KLAB_CHARDEV_A_BLK_DEVICES nest holding its
	 * KLAB_CHARDEV_A_BLK_DEVICE nest with its configuration.  As a dump
	 * (NLM_F_DUMP, no attribute), every RAM disk, one a message.
	 */
	KLAB_CHARDEV_CMD_BLK_LIST,
	/* As BLK_LIST, with the counters of each device added */
	KLAB_CHARDEV_CMD_BLK_STATS,
	/*
	 * Change a RAM disk named by KLAB_CHARDEV_A_BLK_NAME (needs
	 * CAP_NET_ADMIN): the fault injection attributes (any time) and
	 * KLAB_CHARDEV_A_BLK_POWERED (0 cuts the power: unflushed writes in
	 * the cache are lost; 1 powers the device on again with its data).
	 * Replies as BLK_LIST.
	 */
	KLAB_CHARDEV_CMD_BLK_SET,

	__KLAB_CHARDEV_CMD_BLK_END,
};

/*
 * Module-specific attributes, after the common ones of <klab/klab.h>;
 * the same split as the commands.
 */
enum klab_chardev_attr {
	__KLAB_CHARDEV_A_CHR_START = KLAB_A_MODULE_FIRST - 1,
	/* character devices and the interrupt source (chr) */
	KLAB_CHARDEV_A_DEVS,		/* nest of KLAB_CHARDEV_A_DEV */
	KLAB_CHARDEV_A_DEV,		/* nest: one device, DEV_* inside */
	KLAB_CHARDEV_A_DEV_NAME,	/* string: e.g. "klab_scull0" */
	KLAB_CHARDEV_A_DEV_KIND,	/* u32: enum klab_chardev_kind */
	KLAB_CHARDEV_A_DEV_MAJOR,	/* u32 */
	KLAB_CHARDEV_A_DEV_MINOR,	/* u32 */
	KLAB_CHARDEV_A_DEV_SIZE,	/* u64: bytes stored (scull) or queued (pipe) */
	KLAB_CHARDEV_A_DEV_CAPACITY,	/* u64: limit of DEV_SIZE */
	KLAB_CHARDEV_A_DEV_OPENS,	/* u32: open file descriptions now */
	KLAB_CHARDEV_A_DEV_BYTES_READ,	/* u64 */
	KLAB_CHARDEV_A_DEV_BYTES_WRITTEN, /* u64 */
	KLAB_CHARDEV_A_IRQ_NUM,		/* u32: Linux IRQ number */
	KLAB_CHARDEV_A_IRQ_MODE,	/* u32: enum klab_chardev_irq_mode */
	KLAB_CHARDEV_A_IRQ_RATE_HZ,	/* u32: timer rate, 0 = off */
	KLAB_CHARDEV_A_IRQ_COUNT,	/* u32: interrupts to fire (IRQ_FIRE) */
	KLAB_CHARDEV_A_IRQ_TOP,		/* u64: top halves run */
	KLAB_CHARDEV_A_IRQ_BOTTOM,	/* u64: events handled by bottom halves */
	KLAB_CHARDEV_A_IRQ_BH_RUNS,	/* u64: bottom-half invocations */
	KLAB_CHARDEV_A_IRQ_OVERRUNS,	/* u64: events lost, queue full */
	KLAB_CHARDEV_A_IRQ_RECORDS_DROPPED, /* u64: records the pipe had no room for */
	KLAB_CHARDEV_A_IRQ_LAT_LAST_NS,	/* u64: top-to-bottom latency */
	KLAB_CHARDEV_A_IRQ_LAT_MAX_NS,	/* u64 */
	KLAB_CHARDEV_A_IRQ_LAT_AVG_NS,	/* u64 */
	KLAB_CHARDEV_A_IRQ_ALL_CPUS,	/* flag: IRQ_FIRE on every online CPU */
	KLAB_CHARDEV_A_IRQ_MERGED,	/* u64: raises finding the BH still pending */
	KLAB_CHARDEV_A_IRQ_BH_OVERLAPS,	/* u64: BH runs begun while one ran */
	KLAB_CHARDEV_A_IRQ_BH_IN_TASK,	/* u64: BH runs in task context */
	KLAB_CHARDEV_A_IRQ_BH_SLEPT,	/* u64: BH runs that slept (workqueue) */
	KLAB_CHARDEV_A_IRQ_SHARED,	/* u32: handlers on the shared line, 0-2 */
	KLAB_CHARDEV_A_IRQ_SHARED_NUM,	/* u32: the shared line's Linux IRQ */
	KLAB_CHARDEV_A_IRQ_SHARED_CALLS, /* u64: calls of its handlers */

	__KLAB_CHARDEV_A_CHR_END,
	KLAB_CHARDEV_A_CHR_MAX = __KLAB_CHARDEV_A_CHR_END - 1,

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
	/* configuration, frozen while powered */
	KLAB_CHARDEV_A_BLK_QUEUE_MODE,	/* u32: enum klab_chardev_blk_queue_mode */
	KLAB_CHARDEV_A_BLK_POLL_QUEUES,	/* u32: polled hardware queues (mq) */
	KLAB_CHARDEV_A_BLK_CACHE_SIZE_MB, /* u32: volatile write cache, 0 = none */
	KLAB_CHARDEV_A_BLK_ZONED,	/* u8: 1 for a host-managed zoned device */
	KLAB_CHARDEV_A_BLK_ZONE_SIZE_MB, /* u32: a power of two */
	KLAB_CHARDEV_A_BLK_ZONE_CAPACITY_MB, /* u32: 0 = the zone size */
	KLAB_CHARDEV_A_BLK_ZONE_NR_CONV, /* u32: conventional zones first */
	KLAB_CHARDEV_A_BLK_ZONE_MAX_OPEN, /* u32: 0 = no limit */
	KLAB_CHARDEV_A_BLK_ZONE_MAX_ACTIVE, /* u32: 0 = no limit */
	/* fault injection, changeable at any time (BLK_SET) */
	KLAB_CHARDEV_A_BLK_FAULT_OPS,	/* u32: KLAB_CHARDEV_BLK_FAULT_* bits */
	KLAB_CHARDEV_A_BLK_FAIL_NTH,	/* u32: fail every Nth request, 0 = off */
	KLAB_CHARDEV_A_BLK_FAIL_PPM,	/* u32: fail a request with P/1000000 */
	KLAB_CHARDEV_A_BLK_TIMEOUT_NTH,	/* u32: never complete every Nth (mq) */
	KLAB_CHARDEV_A_BLK_TIMEOUT_ACTION, /* u32: enum klab_chardev_blk_timeout_action */
	KLAB_CHARDEV_A_BLK_DELAY_NTH,	/* u32: delay every Nth completion */
	KLAB_CHARDEV_A_BLK_DELAY_NSEC,	/* u64: by this long */
	/* counters (BLK_STATS) */
	KLAB_CHARDEV_A_BLK_FLUSHES,	/* u64: flush requests */
	KLAB_CHARDEV_A_BLK_FUA,		/* u64: FUA writes */
	KLAB_CHARDEV_A_BLK_CACHE_PAGES,	/* u64: pages holding unflushed writes */
	KLAB_CHARDEV_A_BLK_CACHE_DIRTY_BYTES, /* u64: unflushed bytes now */
	KLAB_CHARDEV_A_BLK_CACHE_WRITEBACKS, /* u64: pages written back (full cache) */
	KLAB_CHARDEV_A_BLK_POWER_CUTS,	/* u64: power-offs */
	KLAB_CHARDEV_A_BLK_CACHE_DROPPED_BYTES, /* u64: unflushed bytes lost, all cuts */
	KLAB_CHARDEV_A_BLK_LAST_DROPPED_BYTES, /* u64: lost by the last cut */
	KLAB_CHARDEV_A_BLK_FAULT_ERRORS, /* u64: requests failed on purpose */
	KLAB_CHARDEV_A_BLK_FAULT_TIMEOUTS, /* u64: requests left to time out */
	KLAB_CHARDEV_A_BLK_TIMEOUTS,	/* u64: runs of the timeout handler */
	KLAB_CHARDEV_A_BLK_FAULT_DELAYS, /* u64: completions delayed */
	KLAB_CHARDEV_A_BLK_POLLED,	/* u64: requests completed by polling */
	KLAB_CHARDEV_A_BLK_NR_ZONES,	/* u32: zones of a zoned device */
	KLAB_CHARDEV_A_BLK_ZONE_APPENDS, /* u64: zone appends done */
	KLAB_CHARDEV_A_BLK_OPENS,	/* u64: opens of the disk (->open) */
	KLAB_CHARDEV_A_BLK_RELEASES,	/* u64: closes of the disk (->release) */

	__KLAB_CHARDEV_A_BLK_END,
};

#define KLAB_CHARDEV_A_MAX	(__KLAB_CHARDEV_A_BLK_END - 1)

/* ioctls of /dev/klab_scull* (chr) */
enum klab_chardev_kind {
	KLAB_CHARDEV_KIND_SCULL,
	KLAB_CHARDEV_KIND_PIPE,
};

enum klab_chardev_irq_mode {
	KLAB_CHARDEV_IRQ_TASKLET,
	KLAB_CHARDEV_IRQ_WORKQUEUE,
	__KLAB_CHARDEV_IRQ_MODE_END,
};

/* Highest rate and count accepted by IRQ_SET and IRQ_FIRE */
#define KLAB_CHARDEV_IRQ_RATE_MAX	100000
#define KLAB_CHARDEV_IRQ_FIRE_MAX	100000
/* Most handlers IRQ_SET puts on the shared line */
#define KLAB_CHARDEV_IRQ_SHARED_MAX	2

#define KLAB_SCULL_IOC_MAGIC		0xb7
/* Empty the store (needs CAP_SYS_ADMIN) */
#define KLAB_SCULL_IOC_RESET		_IO(KLAB_SCULL_IOC_MAGIC, 0)
/*
 * The quantum: bytes allocated at once when a write reaches unbacked
 * space; a power of two from the page size to KLAB_SCULL_QUANTUM_MAX.
 * Setting it needs CAP_SYS_ADMIN; XCHG sets it and returns the old one.
 */
#define KLAB_SCULL_IOC_GET_QUANTUM	_IOR(KLAB_SCULL_IOC_MAGIC, 1, __u32)
#define KLAB_SCULL_IOC_SET_QUANTUM	_IOW(KLAB_SCULL_IOC_MAGIC, 2, __u32)
#define KLAB_SCULL_IOC_XCHG_QUANTUM	_IOWR(KLAB_SCULL_IOC_MAGIC, 3, __u32)
/* Bytes stored */
#define KLAB_SCULL_IOC_GET_SIZE		_IOR(KLAB_SCULL_IOC_MAGIC, 4, __u64)

#define KLAB_SCULL_QUANTUM_MAX		(256 * 1024)

/* the block device (blk) */
enum klab_chardev_blk_irqmode {
	KLAB_CHARDEV_BLK_IRQ_NONE,	/* complete in queue_rq */
	KLAB_CHARDEV_BLK_IRQ_SOFTIRQ,	/* complete through blk_mq_complete_request */
	KLAB_CHARDEV_BLK_IRQ_TIMER,	/* complete from an hrtimer */
};

/* queue_mode: null_blk's numbers (1, its legacy request mode, is gone) */
enum klab_chardev_blk_queue_mode {
	KLAB_CHARDEV_BLK_QUEUE_BIO = 0,	/* submit_bio, in the submitter */
	KLAB_CHARDEV_BLK_QUEUE_MQ = 2,	/* blk-mq: queue_rq */
};

/* KLAB_CHARDEV_A_BLK_FAULT_OPS: which requests the fault injectors see */
#define KLAB_CHARDEV_BLK_FAULT_READ	(1U << 0)
#define KLAB_CHARDEV_BLK_FAULT_WRITE	(1U << 1)	/* and zone append */

/* What the timeout handler does with a request left to time out */
enum klab_chardev_blk_timeout_action {
	KLAB_CHARDEV_BLK_TIMEOUT_ERROR,	/* complete it with BLK_STS_TIMEOUT */
	KLAB_CHARDEV_BLK_TIMEOUT_REQUEUE, /* requeue it; it then runs normally */
};

#define KLAB_CHARDEV_BLK_NAME_LEN	32	/* with the terminating NUL */
#define KLAB_CHARDEV_BLK_SIZE_MB_MAX	(1024 * 1024)	/* 1 TiB */
#define KLAB_CHARDEV_BLK_QUEUE_DEPTH_MAX 4096
#define KLAB_CHARDEV_BLK_COMPLETION_NSEC_MAX 1000000000ULL
#define KLAB_CHARDEV_BLK_MAX_DEVICES	256
#define KLAB_CHARDEV_BLK_POLL_QUEUES_MAX 16
#define KLAB_CHARDEV_BLK_FAIL_PPM_MAX	1000000
#define KLAB_CHARDEV_BLK_DELAY_NSEC_MAX	10000000000ULL	/* 10 s */

#endif /* _UAPI_KLAB_CHARDEV_H */
