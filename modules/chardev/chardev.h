/* SPDX-License-Identifier: GPL-2.0 */
/* chardev: character devices and a blk-mq RAM disk */
#ifndef _CHARDEV_H
#define _CHARDEV_H

#include <klab/chardev.h>

#include "../common/klab_nl.h"

/* netlink.c */
int kcdev_nl_init(unsigned int debug);
void kcdev_nl_exit(void);

/* character devices and the interrupt source (chr) */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "../core/klab_ring.h"

/**
 * struct kcdev_scull - a memory-backed byte store, /dev/klab_sculln
 * @cdev: the character device
 * @dev: its device in class klab
 * @lock: serialises read, write, llseek, ioctl and truncation
 * @map_lock: held for reading by page faults, for writing while pages go
 * @inode: the device's own inode on a pseudo filesystem, whose address
 *	space every open file of the device maps through
 * @pages: the pages of the store, by page index
 * @size: bytes stored
 * @quantum: allocation granularity in bytes
 * @nr_pages: pages in @pages
 * @opens: open file descriptions
 * @bytes_read: bytes returned by read()
 * @bytes_written: bytes accepted by write()
 */
struct kcdev_scull {
	struct cdev cdev;
	struct device *dev;
	/* serialises read, write, llseek, ioctl and truncation */
	struct mutex lock;
	struct rw_semaphore map_lock;
	struct inode *inode;
	struct xarray pages;
	loff_t size;
	u32 quantum;
	unsigned long nr_pages;
	atomic_t opens;
	atomic64_t bytes_read;
	atomic64_t bytes_written;
};

/**
 * struct kcdev_pipe - a bounded FIFO, /dev/klab_pipen
 * @cdev: the character device
 * @dev: its device in class klab
 * @lock: protects @ring and the reader and writer counts; BHs off
 * @ring: index arithmetic over @buf
 * @buf: the FIFO's bytes
 * @read_mutex: serialises readers, who copy out of @buf unlocked
 * @write_mutex: serialises writers, who copy into @buf unlocked
 * @read_wait: readers waiting for data
 * @write_wait: writers waiting for room
 * @fasync: SIGIO subscribers
 * @readers: open file descriptions with read access
 * @writers: open file descriptions with write access
 * @r_counter: opens with read access ever made
 * @w_counter: opens with write access ever made
 * @opens: open file descriptions
 * @bytes_read: bytes returned by read()
 * @bytes_written: bytes accepted by write() and kcdev_pipe_append()
 */
struct kcdev_pipe {
	struct cdev cdev;
	struct device *dev;
	/* protects ring and the reader and writer counts; BHs off */
	spinlock_t lock;
	struct klab_ring ring;
	u8 *buf;
	/* serialises readers, who copy out of buf without the lock */
	struct mutex read_mutex;
	/* serialises writers, who copy into buf without the lock */
	struct mutex write_mutex;
	wait_queue_head_t read_wait;
	wait_queue_head_t write_wait;
	struct fasync_struct *fasync;
	unsigned int readers;
	unsigned int writers;
	u64 r_counter;
	u64 w_counter;
	atomic_t opens;
	atomic64_t bytes_read;
	atomic64_t bytes_written;
};

/*
 * KCDEV_DEV_ATTR_RO - a read-only sysfs attribute of a character device:
 * _name_show() prints @_expr with @_fmt, where @_expr may use `d`, the
 * device's drvdata as a @_type pointer.
 */
#define KCDEV_DEV_ATTR_RO(_name, _type, _fmt, _expr)			\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	typeof(_type) *d __maybe_unused = dev_get_drvdata(dev);		\
									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static DEVICE_ATTR_RO(_name)

/* Writes up to this many bytes to a pipe are never interleaved */
#define KCDEV_PIPE_ATOMIC	4096

/**
 * struct kcdev_irq_stats - a snapshot of the interrupt source
 */
struct kcdev_irq_stats {
	unsigned int irq;
	u32 mode;
	u32 rate_hz;
	u64 top;
	u64 bottom;
	u64 bh_runs;
	u64 overruns;
	u64 records_dropped;
	u64 lat_last_ns;
	u64 lat_max_ns;
	u64 lat_avg_ns;
};

extern struct class *kcdev_class;
extern unsigned int kcdev_nr_scull;
extern unsigned int kcdev_nr_pipe;
extern struct kcdev_scull *kcdev_sculls;
extern struct kcdev_pipe *kcdev_pipes;

/* chr.c */
int kcdev_chr_init(void);
void kcdev_chr_exit(void);

/* scull.c */
int kcdev_scull_init(dev_t base);
void kcdev_scull_exit(void);
loff_t kcdev_scull_size(struct kcdev_scull *s);
u64 kcdev_scull_capacity(void);

/* pipe.c */
int kcdev_pipe_init(dev_t base);
void kcdev_pipe_exit(void);
size_t kcdev_pipe_append(struct kcdev_pipe *p, const void *data, size_t len);
u32 kcdev_pipe_used(struct kcdev_pipe *p);
u32 kcdev_pipe_capacity(void);

/* irq.c */
int kcdev_irq_init(void);
void kcdev_irq_exit(void);
void kcdev_irq_get_stats(struct kcdev_irq_stats *st);
int kcdev_irq_set(int mode, int rate_hz);
int kcdev_irq_fire(u32 count);

/* the block device (blk) */
#include <linux/blk-mq.h>
#include <linux/badblocks.h>
#include <linux/configfs.h>
#include <linux/hrtimer.h>
#include <linux/xarray.h>

/* Configuration of a RAM disk; frozen while the disk is powered. */
struct kcdev_blk_cfg {
	u64 size_mb;
	u32 blocksize;
	u32 submit_queues;
	u32 hw_queue_depth;
	u32 irqmode;		/* enum klab_chardev_blk_irqmode */
	u64 completion_nsec;
	bool discard;
};

/* Counters of one hardware queue (hctx->driver_data) */
struct kcdev_blk_queue {
	atomic64_t requests;
	atomic64_t bytes_read;
	atomic64_t bytes_written;
	atomic64_t io_errors;
	atomic64_t merges_read;
	atomic64_t merges_write;
} ____cacheline_aligned_in_smp;

/* Per-request driver data (the blk-mq PDU) */
struct kcdev_blk_cmd {
	struct hrtimer timer;
	blk_status_t status;
};

/**
 * struct kcdev_blk_dev - a RAM disk
 * @node: in the device list, under kcdev_blk_lock
 * @name: configfs directory name, or the name given to BLK_ADD
 * @index: N of /dev/klab_blkN, fixed for the device's life
 * @cfg: configuration, changed only while not powered
 * @configfs: created by mkdir in configfs (removed only by rmdir)
 * @group: the configfs directory (when @configfs)
 * @disk: the gendisk while powered, else NULL
 * @tag_set: blk-mq tag set, valid while powered
 * @queues: counters, one per hardware queue, while powered
 * @nr_queues: entries in @queues
 * @pages: sector-page index -> struct page, allocated on first write
 * @nr_pages: pages in @pages
 * @inflight: requests started and not yet ended
 * @bb: bad blocks (in 512-byte sectors), changeable at any time
 */
struct kcdev_blk_dev {
	struct list_head node;
	char name[KLAB_CHARDEV_BLK_NAME_LEN];
	int index;
	struct kcdev_blk_cfg cfg;
	bool configfs;
	struct config_group group;
	struct gendisk *disk;
	struct blk_mq_tag_set tag_set;
	struct kcdev_blk_queue *queues;
	unsigned int nr_queues;
	struct xarray pages;
	atomic_long_t nr_pages;
	atomic_t inflight;
	struct badblocks bb;
};

/* Summed counters of a device (kcdev_blk_stats()) */
struct kcdev_blk_stats {
	u64 bytes_read;
	u64 bytes_written;
	u64 io_errors;
	u64 merges_read;
	u64 merges_write;
	u64 pages;
	u32 inflight;
};

/* blk.c: device list and lifecycle; kcdev_blk_lock guards both */
extern struct mutex kcdev_blk_lock;
extern struct list_head kcdev_blk_devices;
int kcdev_blk_init(void);
void kcdev_blk_exit(void);
void kcdev_blk_cfg_default(struct kcdev_blk_cfg *cfg);
int kcdev_blk_cfg_check(const struct kcdev_blk_cfg *cfg, const char **why);
int kcdev_blk_name_check(const char *name);
struct kcdev_blk_dev *kcdev_blk_find(const char *name);
struct kcdev_blk_dev *kcdev_blk_dev_alloc(const char *name);
void kcdev_blk_dev_free(struct kcdev_blk_dev *dev);
int kcdev_blk_power_on(struct kcdev_blk_dev *dev);
void kcdev_blk_power_off(struct kcdev_blk_dev *dev);
void kcdev_blk_stats(struct kcdev_blk_dev *dev, struct kcdev_blk_stats *st);

/* blk_mq.c: the request path */
extern const struct blk_mq_ops kcdev_blk_mq_ops;

/* blk_store.c: the page store */
void kcdev_blk_store_init(struct kcdev_blk_dev *dev);
void kcdev_blk_store_free(struct kcdev_blk_dev *dev);
blk_status_t kcdev_blk_store_rw(struct kcdev_blk_dev *dev, struct request *rq);
void kcdev_blk_store_discard(struct kcdev_blk_dev *dev, sector_t sector,
			     u64 bytes);

/* blk_configfs.c */
int kcdev_blk_configfs_init(void);
void kcdev_blk_configfs_exit(void);

/* blk_nl.c: generic netlink handlers, in kcdev_nl_ops[] */
extern const struct nla_policy kcdev_blk_nl_add_policy[KLAB_CHARDEV_A_MAX + 1];
extern const struct nla_policy kcdev_blk_nl_name_policy[KLAB_CHARDEV_A_MAX + 1];
int kcdev_blk_nl_add(struct sk_buff *skb, struct genl_info *info);
int kcdev_blk_nl_del(struct sk_buff *skb, struct genl_info *info);
int kcdev_blk_nl_list(struct sk_buff *skb, struct genl_info *info);
int kcdev_blk_nl_stats(struct sk_buff *skb, struct genl_info *info);

#endif /* _CHARDEV_H */
