/* SPDX-License-Identifier: GPL-2.0 */
/* chardev: character devices and a blk-mq RAM disk */
#ifndef _CHARDEV_H
#define _CHARDEV_H

#include <klab/chardev.h>

#include "../common/klab_nl.h"

/* netlink.c */
int kcdev_nl_init(void);
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
 * @faults: calls of the mappings' fault handler (one per page touched)
 * @vma_opens: calls of vm_ops->open: a mapping duplicated by fork() or
 *	split by a partial munmap() or mprotect(); not mmap() itself
 * @vma_closes: calls of vm_ops->close: a mapping (or a piece) removed
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
	atomic64_t faults;
	atomic64_t vma_opens;
	atomic64_t vma_closes;
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
	u64 merged;
	u64 bh_overlaps;
	u64 bh_in_task;
	u64 bh_slept;
	unsigned int shared_irq;
	u32 shared;
	u64 shared_calls;
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
int kcdev_irq_set(int mode, int rate_hz, int shared);
int kcdev_irq_fire(u32 count, bool all_cpus);

/* the block device (blk) */
#include <linux/blk-mq.h>
#include <linux/badblocks.h>
#include <linux/configfs.h>
#include <linux/hrtimer.h>
#include <linux/percpu.h>
#include <linux/xarray.h>

/* Configuration of a RAM disk; frozen while the disk is powered. */
struct kcdev_blk_cfg {
	u64 size_mb;
	u32 blocksize;
	u32 queue_mode;		/* enum klab_chardev_blk_queue_mode */
	u32 submit_queues;
	u32 poll_queues;
	u32 hw_queue_depth;
	u32 irqmode;		/* enum klab_chardev_blk_irqmode */
	u64 completion_nsec;
	bool discard;
	u32 cache_size_mb;	/* volatile write cache, 0 = none */
	bool zoned;
	u32 zone_size_mb;
	u32 zone_capacity_mb;	/* 0 = zone_size_mb */
	u32 zone_nr_conv;
	u32 zone_max_open;
	u32 zone_max_active;
};

/* Fault injection; changeable at any time, read locklessly on the I/O path */
struct kcdev_blk_fault {
	u32 ops;		/* KLAB_CHARDEV_BLK_FAULT_READ | _WRITE */
	u32 fail_nth;
	u32 fail_ppm;
	u32 timeout_nth;
	u32 timeout_action;	/* enum klab_chardev_blk_timeout_action */
	u32 delay_nth;
	u64 delay_nsec;
};

/* Why a configuration was refused */
struct kcdev_blk_cfg_err {
	int attr;		/* the KLAB_CHARDEV_A_BLK_* at fault */
	const char *msg;	/* static: an extack keeps the pointer */
};

/* Counters of a device, per CPU; summed by kcdev_blk_stats() */
struct kcdev_blk_pcpu {
	u64 requests;		/* bios (bio mode) or requests (mq) */
	u64 bytes_read;
	u64 bytes_written;
	u64 io_errors;		/* failed on bad blocks */
	u64 merges_read;
	u64 merges_write;
	u64 flushes;
	u64 fua;
	u64 fault_errors;
	u64 fault_timeouts;
	u64 fault_delays;
	u64 timeouts;		/* runs of the timeout handler */
	u64 polled;
	u64 zone_appends;
	long inflight;		/* +1 on the submitting CPU, -1 on the ending one */
};

/* A hardware queue (mq mode; hctx->driver_data) */
struct kcdev_blk_queue {
	struct kcdev_blk_dev *dev;
	u64 __percpu *requests;	/* this queue's slot of dev->queue_requests */
	/* requests of a poll queue waiting for ->poll() */
	spinlock_t poll_lock;
	struct list_head poll_list;
} ____cacheline_aligned_in_smp;

/* Per-request driver data (the blk-mq PDU) */
struct kcdev_blk_cmd {
	struct hrtimer timer;
	blk_status_t status;
	bool held;		/* left for the timeout handler */
};

/*
 * One I/O as the shared code sees it, whichever mode it came from: a
 * request (mq) or a bio (bio mode).
 */
struct kcdev_blk_io {
	struct request *rq;
	struct bio *bio;	/* bio mode only */
	enum req_op op;
	blk_opf_t opf;
	sector_t sector;	/* where the data goes (zone append: moved) */
	u32 bytes;
};

/* The volatile write cache, under @lock; see blk_cache.c */
struct kcdev_blk_cache {
	spinlock_t lock;	/* writers, write-back, flush, drop */
	struct xarray pages;	/* page index -> page, dirty sectors in ->private */
	unsigned long nr_pages;
	unsigned long max_pages;
	unsigned long cursor;	/* where the next writeback victim is sought */
	u64 dirty_sectors;
	u64 writebacks;
};

struct kcdev_blk_zone {
	enum blk_zone_type type;
	enum blk_zone_cond cond;
	sector_t start;
	sector_t len;
	sector_t capacity;
	sector_t wp;
};

/* Zones of a zoned device, under @lock; see blk_zoned.c */
struct kcdev_blk_zones {
	spinlock_t lock;	/* every zone's condition and write pointer */
	struct kcdev_blk_zone *zone;
	unsigned int nr;
	unsigned int nr_conv;
	unsigned int shift;	/* ilog2 of the zone size in sectors */
	unsigned int max_open;
	unsigned int max_active;
	unsigned int nr_imp_open;
	unsigned int nr_exp_open;
	unsigned int nr_closed;
	unsigned int imp_close_next;
	/* the configuration they were laid out for */
	u64 size_mb;
	u32 zone_size_mb;
	u32 zone_capacity_mb;
};

struct kcdev_blk_dev;

/**
 * struct kcdev_blk_mode - a queue mode: how I/O reaches the driver
 * @name: "bio" or "mq"
 * @fops: the disk's operations
 * @plain_fops: the disk's operations when it has neither a cache nor
 *	zones, if the mode has a leaner path for such a disk (else NULL)
 * @alloc_disk: allocate dev->disk (and what the mode needs), not added
 * @free_disk: after del_gendisk() or a failed add_disk(): put the disk
 *	and free what @alloc_disk made
 */
struct kcdev_blk_mode {
	const char *name;
	const struct block_device_operations *fops;
	const struct block_device_operations *plain_fops;
	int (*alloc_disk)(struct kcdev_blk_dev *dev);
	void (*free_disk)(struct kcdev_blk_dev *dev);
};

/**
 * struct kcdev_blk_dev - a RAM disk
 * @node: in the device list, under kcdev_blk_lock
 * @name: configfs directory name, or the name given to BLK_ADD
 * @index: N of /dev/klab_blkN, fixed for the device's life
 * @cfg: configuration, changed only while not powered
 * @fault: fault injection settings
 * @fault_on: any fault injector is set (one test on the fast path)
 * @configfs: created by mkdir in configfs (removed only by rmdir)
 * @group: the configfs directory (when @configfs)
 * @mode: the queue mode while powered
 * @disk: the gendisk while powered, else NULL
 * @dead: the power is being cut: every I/O fails
 * @tag_set: blk-mq tag set (mq mode, while powered)
 * @queues: hardware queues (mq mode, while powered)
 * @nr_queues: entries in @queues
 * @queue_requests: per-CPU request counts, one slot per hardware queue
 * @pcpu: the counters
 * @fail_seq, @timeout_seq, @delay_seq: requests seen by each injector
 * @pages: sector-page index -> struct page, allocated on first write; the
 *	data stays across power cycles and goes with the device
 * @nr_pages: pages in @pages
 * @reserve_lock: guards @reserve and @nr_reserve
 * @reserve: zeroed pages for when an atomic allocation fails (bio mode
 *	fills it, sleeping, and retries)
 * @nr_reserve: pages in @reserve
 * @cache: the volatile write cache
 * @zones: the zones of a zoned device
 * @bb: bad blocks (in 512-byte sectors), changeable at any time
 * @power_cuts: power-offs, under kcdev_blk_lock
 * @dropped_bytes: unflushed bytes lost at power-offs, all of them
 * @last_dropped_bytes: ... at the last one
 * @opens: calls of the disk's ->open (every open of the block device:
 *	a mount, a blkid, an open(2) of the node)
 * @releases: calls of its ->release, one per close
 */
struct kcdev_blk_dev {
	struct list_head node;
	char name[KLAB_CHARDEV_BLK_NAME_LEN];
	int index;
	struct kcdev_blk_cfg cfg;
	struct kcdev_blk_fault fault;
	bool fault_on;
	bool configfs;
	struct config_group group;
	const struct kcdev_blk_mode *mode;
	struct gendisk *disk;
	bool dead;
	struct blk_mq_tag_set tag_set;
	struct kcdev_blk_queue *queues;
	unsigned int nr_queues;
	u64 __percpu *queue_requests;
	struct kcdev_blk_pcpu __percpu *pcpu;
	atomic_t fail_seq;
	atomic_t timeout_seq;
	atomic_t delay_seq;
	struct xarray pages;
	atomic_long_t nr_pages;
	spinlock_t reserve_lock;	/* @reserve and @nr_reserve */
	struct list_head reserve;
	unsigned int nr_reserve;
	struct kcdev_blk_cache cache;
	struct kcdev_blk_zones zones;
	struct badblocks bb;
	u64 power_cuts;
	u64 dropped_bytes;
	u64 last_dropped_bytes;
	atomic64_t opens;
	atomic64_t releases;
};

/* Summed counters and state of a device (kcdev_blk_stats()) */
struct kcdev_blk_stats {
	u64 pages;
	u64 requests;
	u64 bytes_read;
	u64 bytes_written;
	u64 io_errors;
	u64 merges_read;
	u64 merges_write;
	u64 flushes;
	u64 fua;
	u64 cache_pages;
	u64 cache_dirty_bytes;
	u64 cache_writebacks;
	u64 power_cuts;
	u64 dropped_bytes;
	u64 last_dropped_bytes;
	u64 fault_errors;
	u64 fault_timeouts;
	u64 timeouts;
	u64 fault_delays;
	u64 polled;
	u64 zone_appends;
	u64 opens;
	u64 releases;
	u32 inflight;
	u32 nr_zones;
};

/* A u64 counter of struct kcdev_blk_stats: its name and attribute */
struct kcdev_blk_stat_desc {
	const char *name;	/* as in configfs "stats" and klabctl -j */
	int attr;		/* KLAB_CHARDEV_A_BLK_* */
	size_t offset;
};

extern const struct kcdev_blk_stat_desc kcdev_blk_stat_descs[];
extern const unsigned int kcdev_blk_nr_stat_descs;

static inline u64 kcdev_blk_stat(const struct kcdev_blk_stats *st,
				 const struct kcdev_blk_stat_desc *d)
{
	return *(const u64 *)((const char *)st + d->offset);
}

/* blk.c: device list and lifecycle; kcdev_blk_lock guards both */
extern struct mutex kcdev_blk_lock;
extern struct list_head kcdev_blk_devices;
int kcdev_blk_init(void);
void kcdev_blk_exit(void);
void kcdev_blk_cfg_default(struct kcdev_blk_cfg *cfg);
int kcdev_blk_cfg_check(const struct kcdev_blk_cfg *cfg,
			const struct kcdev_blk_fault *fault,
			struct kcdev_blk_cfg_err *err);
int kcdev_blk_fault_check(const struct kcdev_blk_cfg *cfg,
			  const struct kcdev_blk_fault *fault,
			  struct kcdev_blk_cfg_err *err);
void kcdev_blk_fault_set(struct kcdev_blk_dev *dev,
			 const struct kcdev_blk_fault *fault);
int kcdev_blk_name_check(const char *name);
struct kcdev_blk_dev *kcdev_blk_find(const char *name);
struct kcdev_blk_dev *kcdev_blk_dev_alloc(const char *name);
void kcdev_blk_dev_free(struct kcdev_blk_dev *dev);
int kcdev_blk_power_on(struct kcdev_blk_dev *dev,
		       struct kcdev_blk_cfg_err *err);
void kcdev_blk_power_off(struct kcdev_blk_dev *dev);
void kcdev_blk_stats(struct kcdev_blk_dev *dev, struct kcdev_blk_stats *st);
u64 kcdev_blk_queue_requests(struct kcdev_blk_dev *dev, unsigned int i);
int kcdev_blk_open(struct block_device *bdev, fmode_t mode);
void kcdev_blk_release(struct gendisk *disk, fmode_t mode);

/* blk_io.c: what both modes do with an I/O */
blk_status_t kcdev_blk_io_run(struct kcdev_blk_dev *dev,
			      struct kcdev_blk_io *io);
unsigned int kcdev_blk_io_pages(const struct kcdev_blk_io *io);

/* Count an I/O as started */
static inline void kcdev_blk_io_start(struct kcdev_blk_dev *dev)
{
	this_cpu_inc(dev->pcpu->requests);
	this_cpu_inc(dev->pcpu->inflight);
}

/* Count an I/O as ended */
static inline void kcdev_blk_io_end(struct kcdev_blk_dev *dev)
{
	this_cpu_dec(dev->pcpu->inflight);
}

/*
 * Does an I/O need more than a copy: is the device powered off, or are
 * fault injection or bad blocks on?  The bio mode's plain path takes
 * such I/O through kcdev_blk_io_run(), which looks at each.
 */
static inline bool kcdev_blk_io_special(struct kcdev_blk_dev *dev)
{
	return READ_ONCE(dev->dead) || READ_ONCE(dev->fault_on) ||
	       READ_ONCE(dev->bb.count);
}

/* blk_fault.c: fault injection */
bool kcdev_blk_fault_fail(struct kcdev_blk_dev *dev, enum req_op op);
bool kcdev_blk_fault_timeout(struct kcdev_blk_dev *dev, enum req_op op);
u64 kcdev_blk_fault_delay(struct kcdev_blk_dev *dev, enum req_op op);

/* blk_bio.c and blk_mq.c: the queue modes */
extern const struct kcdev_blk_mode kcdev_blk_bio_mode;
extern const struct kcdev_blk_mode kcdev_blk_mq_mode;

/* blk_store.c: the page store */
void kcdev_blk_store_init(struct kcdev_blk_dev *dev);
void kcdev_blk_store_free(struct kcdev_blk_dev *dev);
void kcdev_blk_store_reserve_free(struct kcdev_blk_dev *dev);
struct page *kcdev_blk_page_alloc(struct kcdev_blk_dev *dev);
void kcdev_blk_page_free_rcu(struct page *page);
blk_status_t kcdev_blk_store_write(struct kcdev_blk_dev *dev,
				   const void *buf, sector_t sector,
				   unsigned int len);
void kcdev_blk_store_read(struct kcdev_blk_dev *dev, void *buf,
			  sector_t sector, unsigned int len);
void kcdev_blk_store_discard(struct kcdev_blk_dev *dev, sector_t sector,
			     u64 bytes);
void kcdev_blk_store_trim(struct kcdev_blk_dev *dev, sector_t capacity);
int kcdev_blk_store_prepare(struct kcdev_blk_dev *dev,
			    const struct kcdev_blk_io *io, gfp_t gfp);
blk_status_t kcdev_blk_rw(struct kcdev_blk_dev *dev, struct kcdev_blk_io *io);

/* blk_cache.c: the volatile write cache */
void kcdev_blk_cache_init(struct kcdev_blk_dev *dev);
static inline bool kcdev_blk_cache_on(struct kcdev_blk_dev *dev)
{
	return dev->cache.max_pages != 0;
}

blk_status_t kcdev_blk_cache_write(struct kcdev_blk_dev *dev,
				   const void *buf, sector_t sector,
				   unsigned int len);
void kcdev_blk_cache_read(struct kcdev_blk_dev *dev, void *buf,
			  sector_t sector, unsigned int len);
void kcdev_blk_cache_forget(struct kcdev_blk_dev *dev, sector_t sector,
			    u64 bytes);
blk_status_t kcdev_blk_cache_flush(struct kcdev_blk_dev *dev);
u64 kcdev_blk_cache_drop(struct kcdev_blk_dev *dev);

/* blk_zoned.c: zoned devices */
int kcdev_blk_zones_setup(struct kcdev_blk_dev *dev);
int kcdev_blk_zones_register(struct kcdev_blk_dev *dev);
void kcdev_blk_zones_power_off(struct kcdev_blk_dev *dev);
void kcdev_blk_zones_free(struct kcdev_blk_dev *dev);
blk_status_t kcdev_blk_zoned_io(struct kcdev_blk_dev *dev,
				struct kcdev_blk_io *io);
int kcdev_blk_report_zones(struct gendisk *disk, sector_t sector,
			   unsigned int nr_zones, report_zones_cb cb,
			   void *data);

/* blk_configfs.c */
int kcdev_blk_configfs_init(void);
void kcdev_blk_configfs_exit(void);

/* blk_nl.c: generic netlink handlers, in kcdev_nl_ops[] */
extern const struct nla_policy kcdev_blk_nl_add_policy[KLAB_CHARDEV_A_MAX + 1];
extern const struct nla_policy kcdev_blk_nl_name_policy[KLAB_CHARDEV_A_MAX + 1];
int kcdev_blk_nl_add(struct sk_buff *skb, struct genl_info *info);
int kcdev_blk_nl_del(struct sk_buff *skb, struct genl_info *info);
int kcdev_blk_nl_set(struct sk_buff *skb, struct genl_info *info);
int kcdev_blk_nl_list(struct sk_buff *skb, struct genl_info *info);
int kcdev_blk_nl_stats(struct sk_buff *skb, struct genl_info *info);
int kcdev_blk_nl_dump(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _CHARDEV_H */
