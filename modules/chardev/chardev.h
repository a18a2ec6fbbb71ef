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
 * @inode: the inode whose address space every open file maps through;
 *	the first one opened, pinned until the device goes
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
 * @lock: protects @ring, @readers and @writers; taken with BHs off
 * @ring: index arithmetic over @buf
 * @buf: the FIFO's bytes
 * @read_wait: readers waiting for data
 * @write_wait: writers waiting for room
 * @fasync: SIGIO subscribers
 * @readers: open file descriptions with read access
 * @writers: open file descriptions with write access
 * @opens: open file descriptions
 * @bytes_read: bytes returned by read()
 * @bytes_written: bytes accepted by write() and kcdev_pipe_append()
 */
struct kcdev_pipe {
	struct cdev cdev;
	struct device *dev;
	/* protects ring, readers and writers; taken with BHs off */
	spinlock_t lock;
	struct klab_ring ring;
	u8 *buf;
	wait_queue_head_t read_wait;
	wait_queue_head_t write_wait;
	struct fasync_struct *fasync;
	unsigned int readers;
	unsigned int writers;
	atomic_t opens;
	atomic64_t bytes_read;
	atomic64_t bytes_written;
};

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
int kcdev_blk_init(void);
void kcdev_blk_exit(void);

#endif /* _CHARDEV_H */
