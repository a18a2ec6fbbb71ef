// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: /dev/klab_pipe*, bounded FIFOs with blocking and non-blocking
 * I/O, poll, SIGIO, and an in-kernel producer (the interrupt source's
 * bottom halves, through kcdev_pipe_append()).
 *
 * The FIFO is a power-of-two byte ring (klab_ring.h) under a spinlock
 * taken with BHs off, since a tasklet may append to it.  User data is
 * copied straight between user memory and the ring, outside the spinlock
 * (a user copy may fault and sleep): as in fs/pipe.c a mutex serialises
 * the readers and another the writers.  A writer reserves room under the
 * spinlock, fills it unlocked and then publishes it; readers see only
 * published bytes.  An in-kernel append, which must not sleep, copies
 * under the spinlock: behind an unpublished reservation it is queued, to
 * become visible with it, so bytes come out in the order their room was
 * taken.  A reader copies out unlocked and then consumes; writers never
 * reserve bytes not yet consumed.  A write of up to KCDEV_PIPE_ATOMIC
 * bytes waits for room for all of itself and takes it in one
 * reservation, so it is never interleaved with another write.
 *
 * A fault in the middle of a write publishes the bytes copied before it
 * (all or none of an atomic write) and drops the rest of the
 * reservation, moving appends queued behind it down; the write returns
 * what went in, or EFAULT if nothing did.  A fault in a read leaves the
 * bytes not copied in the FIFO.
 *
 * Opening never blocks (unlike a FIFO's open, which waits for the other
 * side), so hang-ups follow what a FIFO opened with O_NONBLOCK does: a
 * reader sees POLLHUP only once a writer has come and the last writer has
 * gone, and a writer gets EPIPE and SIGPIPE only once a reader has come
 * and the last reader has gone.  Until then written bytes simply wait in
 * the FIFO.  read() returns 0 (end of file) whenever the FIFO is empty and
 * no writer has it open.  Like fs/pipe.c, each open file description
 * keeps in f_version the other side's open counter at the time it was
 * opened alone, which tells "never had a partner" from "lost it".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "chardev.h"

static unsigned int pipe_capacity = 65536;
module_param(pipe_capacity, uint, 0444);
MODULE_PARM_DESC(pipe_capacity,
		 "Capacity of each pipe in bytes, a power of two from 4096 to 16 MiB (default: 65536)");

/*
 * Most bytes one reservation or one read moves, at least
 * KCDEV_PIPE_ATOMIC: a reader drains the first part of a large write
 * while the writer copies the next.
 */
#define KCDEV_PIPE_CHUNK	(16 * 1024)

struct kcdev_pipe *kcdev_pipes;
static unsigned int kcdev_nr_pipe_live;

/**
 * kcdev_pipe_capacity - the capacity of every pipe
 *
 * Return: the pipe_capacity parameter.
 */
u32 kcdev_pipe_capacity(void)
{
	return pipe_capacity;
}

/**
 * kcdev_pipe_used - bytes queued in a pipe
 * @p: the pipe
 *
 * Return: the fill level.
 */
u32 kcdev_pipe_used(struct kcdev_pipe *p)
{
	u32 used;

	spin_lock_bh(&p->lock);
	used = klab_ring_used(&p->ring);
	spin_unlock_bh(&p->lock);
	return used;
}

/* Copy up to @len user bytes into the ring at @idx; returns bytes copied */
static u32 kcdev_pipe_copy_in(struct kcdev_pipe *p, u32 idx,
			      const char __user *ubuf, u32 len)
{
	u32 done = 0;

	while (done < len) {
		u32 n = klab_ring_contig(&p->ring, idx + done, len - done);
		u32 left = copy_from_user(p->buf + klab_ring_mask(&p->ring,
								  idx + done),
					  ubuf + done, n);

		done += n - left;
		if (left)
			break;
	}
	return done;
}

/* Copy up to @len bytes from the ring at @idx to user memory; the same */
static u32 kcdev_pipe_copy_out(struct kcdev_pipe *p, u32 idx,
			       char __user *ubuf, u32 len)
{
	u32 done = 0;

	while (done < len) {
		u32 n = klab_ring_contig(&p->ring, idx + done, len - done);
		u32 left = copy_to_user(ubuf + done,
					p->buf + klab_ring_mask(&p->ring,
								idx + done),
					n);

		done += n - left;
		if (left)
			break;
	}
	return done;
}

static void kcdev_pipe_wake_readers(struct kcdev_pipe *p)
{
	wake_up_interruptible_poll(&p->read_wait, EPOLLIN | EPOLLRDNORM);
	kill_fasync(&p->fasync, SIGIO, POLL_IN);
}

/**
 * kcdev_pipe_append - queue bytes from the kernel, without blocking
 * @p: the pipe
 * @data: the bytes
 * @len: how many; all or nothing
 *
 * Callable from process and softirq context.
 *
 * Return: @len, or 0 when the pipe has no room for all of it.
 */
size_t kcdev_pipe_append(struct kcdev_pipe *p, const void *data, size_t len)
{
	bool fits, visible = false;

	spin_lock_bh(&p->lock);
	fits = len <= klab_ring_space(&p->ring);
	if (fits) {
		/* behind a writer's reservation it waits to be published */
		visible = !klab_ring_reserved(&p->ring);
		klab_ring_write(&p->ring, p->buf,
				klab_ring_reserve(&p->ring, len), data, len);
		if (visible)
			klab_ring_publish(&p->ring);
	}
	spin_unlock_bh(&p->lock);
	if (!fits)
		return 0;
	atomic64_add(len, &p->bytes_written);
	if (visible)
		kcdev_pipe_wake_readers(p);
	return len;
}

static int kcdev_pipe_open(struct inode *inode, struct file *file)
{
	struct kcdev_pipe *p = container_of(inode->i_cdev, struct kcdev_pipe,
					    cdev);

	file->private_data = p;
	spin_lock_bh(&p->lock);
	if (file->f_mode & FMODE_READ) {
		p->readers++;
		p->r_counter++;
	}
	if (file->f_mode & FMODE_WRITE) {
		p->writers++;
		p->w_counter++;
	}
	/* no partner yet: remember how many came before, see above */
	if ((file->f_mode & FMODE_READ) && !p->writers)
		file->f_version = p->w_counter;
	else if ((file->f_mode & FMODE_WRITE) && !p->readers)
		file->f_version = p->r_counter;
	spin_unlock_bh(&p->lock);
	atomic_inc(&p->opens);
	return stream_open(inode, file);
}

static int kcdev_pipe_release(struct inode *inode, struct file *file)
{
	struct kcdev_pipe *p = file->private_data;
	bool hangup = false, broken = false;

	spin_lock_bh(&p->lock);
	if (file->f_mode & FMODE_READ) {
		p->readers--;
		broken = !p->readers;
	}
	if (file->f_mode & FMODE_WRITE) {
		p->writers--;
		hangup = !p->writers;
	}
	spin_unlock_bh(&p->lock);
	atomic_dec(&p->opens);

	if (hangup) {
		/* readers blocked on an empty pipe now see end of file */
		wake_up_interruptible_poll(&p->read_wait, EPOLLHUP);
		kill_fasync(&p->fasync, SIGIO, POLL_HUP);
	}
	if (broken)
		/* writers blocked on a full pipe now get EPIPE */
		wake_up_interruptible_poll(&p->write_wait, EPOLLERR);
	return 0;
}

static int kcdev_pipe_fasync(int fd, struct file *file, int on)
{
	struct kcdev_pipe *p = file->private_data;

	return fasync_helper(fd, file, on, &p->fasync);
}

/* Is there data, or no writer to wait for? */
static bool kcdev_pipe_readable(struct kcdev_pipe *p)
{
	bool ret;

	spin_lock_bh(&p->lock);
	ret = !klab_ring_empty(&p->ring) || !p->writers;
	spin_unlock_bh(&p->lock);
	return ret;
}

/* Has the last reader gone after @file's writer saw one?  Under p->lock */
static bool kcdev_pipe_broken(struct kcdev_pipe *p, struct file *file)
{
	return !p->readers && file->f_version != p->r_counter;
}

/* Has the last writer gone after @file's reader saw one?  Under p->lock */
static bool kcdev_pipe_hung_up(struct kcdev_pipe *p, struct file *file)
{
	return !p->writers && file->f_version != p->w_counter;
}

/* Is there room for @need bytes, or is the pipe broken? */
static bool kcdev_pipe_writable(struct kcdev_pipe *p, struct file *file,
				u32 need)
{
	bool ret;

	spin_lock_bh(&p->lock);
	ret = klab_ring_space(&p->ring) >= need ||
	      kcdev_pipe_broken(p, file);
	spin_unlock_bh(&p->lock);
	return ret;
}

static ssize_t kcdev_pipe_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct kcdev_pipe *p = file->private_data;
	u32 idx, avail, n;
	bool eof;

	if (!count)
		return 0;
	if (mutex_lock_interruptible(&p->read_mutex))
		return -ERESTARTSYS;
	for (;;) {
		spin_lock_bh(&p->lock);
		idx = p->ring.tail;
		avail = klab_ring_used(&p->ring);
		eof = !p->writers;
		spin_unlock_bh(&p->lock);
		if (avail || eof)
			break;

		mutex_unlock(&p->read_mutex);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(p->read_wait,
					     kcdev_pipe_readable(p)) ||
		    mutex_lock_interruptible(&p->read_mutex))
			return -ERESTARTSYS;
	}

	/* read_mutex keeps the bytes at idx ours until consumed */
	n = kcdev_pipe_copy_out(p, idx, ubuf,
				min_t(size_t, count,
				      min_t(u32, avail, KCDEV_PIPE_CHUNK)));
	if (n) {
		spin_lock_bh(&p->lock);
		klab_ring_consume(&p->ring, n);
		spin_unlock_bh(&p->lock);
	}
	mutex_unlock(&p->read_mutex);

	if (!n)
		return avail ? -EFAULT : 0;
	atomic64_add(n, &p->bytes_read);
	wake_up_interruptible_poll(&p->write_wait, EPOLLOUT | EPOLLWRNORM);
	return n;
}

/*
 * Reserve room for up to @len bytes if there is room for @need, at *@idx.
 * Return: bytes reserved, 0 if there is not room enough, -EPIPE.
 */
static ssize_t kcdev_pipe_reserve(struct kcdev_pipe *p, struct file *file,
				  size_t len, u32 need, u32 *idx)
{
	ssize_t ret = -EPIPE;
	u32 space;

	spin_lock_bh(&p->lock);
	if (!kcdev_pipe_broken(p, file)) {
		space = klab_ring_space(&p->ring);
		ret = 0;
		if (space >= need) {
			space = min_t(u32, space, KCDEV_PIPE_CHUNK);
			ret = min_t(size_t, len, space);
			*idx = klab_ring_reserve(&p->ring, ret);
		}
	}
	spin_unlock_bh(&p->lock);
	return ret;
}

/*
 * Publish the first @copied of the @n bytes reserved at @idx, and drop
 * the rest, with whatever was appended behind them.
 */
static void kcdev_pipe_commit(struct kcdev_pipe *p, u32 idx, u32 n,
			      u32 copied)
{
	bool visible;

	spin_lock_bh(&p->lock);
	klab_ring_remove(&p->ring, p->buf, idx + copied, n - copied);
	visible = klab_ring_reserved(&p->ring);
	klab_ring_publish(&p->ring);
	spin_unlock_bh(&p->lock);

	if (copied)
		atomic64_add(copied, &p->bytes_written);
	if (visible)
		kcdev_pipe_wake_readers(p);
	if (copied < n)
		/* room given back: writers waiting for it may go on */
		wake_up_interruptible_poll(&p->write_wait,
					   EPOLLOUT | EPOLLWRNORM);
}

static ssize_t kcdev_pipe_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct kcdev_pipe *p = file->private_data;
	bool atomic = count <= KCDEV_PIPE_ATOMIC;
	/* an atomic write waits for room for all of itself */
	u32 need = atomic ? count : 1;
	size_t done = 0;
	ssize_t ret = 0;

	if (!count)
		return 0;
	if (mutex_lock_interruptible(&p->write_mutex))
		return -ERESTARTSYS;
	while (done < count) {
		u32 idx, n, copied;

		ret = kcdev_pipe_reserve(p, file, count - done, need, &idx);
		if (ret == -EPIPE) {
			/* like pipe(7): the signal, and EPIPE if caught */
			send_sig(SIGPIPE, current, 0);
			break;
		}
		if (!ret) {
			ret = -EAGAIN;
			if (file->f_flags & O_NONBLOCK)
				break;
			/* other writers may go on while this one sleeps */
			mutex_unlock(&p->write_mutex);
			if (wait_event_interruptible(p->write_wait,
						     kcdev_pipe_writable(p, file,
									 need)) ||
			    mutex_lock_interruptible(&p->write_mutex))
				return done ? done : -ERESTARTSYS;
			continue;
		}

		n = ret;
		copied = kcdev_pipe_copy_in(p, idx, ubuf + done, n);
		if (atomic && copied < n)
			copied = 0;
		kcdev_pipe_commit(p, idx, n, copied);
		done += copied;
		if (copied < n) {
			ret = -EFAULT;
			break;
		}
	}
	mutex_unlock(&p->write_mutex);
	return done ? done : ret;
}

static __poll_t kcdev_pipe_poll(struct file *file, poll_table *wait)
{
	struct kcdev_pipe *p = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &p->read_wait, wait);
	poll_wait(file, &p->write_wait, wait);

	spin_lock_bh(&p->lock);
	if ((file->f_mode & FMODE_READ)) {
		if (!klab_ring_empty(&p->ring))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (kcdev_pipe_hung_up(p, file))
			mask |= EPOLLHUP;
	}
	if (file->f_mode & FMODE_WRITE) {
		if (klab_ring_space(&p->ring) >= KCDEV_PIPE_ATOMIC)
			mask |= EPOLLOUT | EPOLLWRNORM;
		if (kcdev_pipe_broken(p, file))
			mask |= EPOLLERR;
	}
	spin_unlock_bh(&p->lock);
	return mask;
}

static const struct file_operations kcdev_pipe_fops = {
	.owner = THIS_MODULE,
	.open = kcdev_pipe_open,
	.release = kcdev_pipe_release,
	.read = kcdev_pipe_read,
	.write = kcdev_pipe_write,
	.poll = kcdev_pipe_poll,
	.fasync = kcdev_pipe_fasync,
	.llseek = no_llseek,
};

/* sysfs: one value per file */
KCDEV_DEV_ATTR_RO(capacity, struct kcdev_pipe, "%u", pipe_capacity);
KCDEV_DEV_ATTR_RO(used, struct kcdev_pipe, "%u", kcdev_pipe_used(d));
KCDEV_DEV_ATTR_RO(readers, struct kcdev_pipe, "%u", READ_ONCE(d->readers));
KCDEV_DEV_ATTR_RO(writers, struct kcdev_pipe, "%u", READ_ONCE(d->writers));
KCDEV_DEV_ATTR_RO(opens, struct kcdev_pipe, "%d", atomic_read(&d->opens));
KCDEV_DEV_ATTR_RO(bytes_read, struct kcdev_pipe, "%lld",
		  atomic64_read(&d->bytes_read));
KCDEV_DEV_ATTR_RO(bytes_written, struct kcdev_pipe, "%lld",
		  atomic64_read(&d->bytes_written));

static struct attribute *kcdev_pipe_attrs[] = {
	&dev_attr_capacity.attr,
	&dev_attr_used.attr,
	&dev_attr_readers.attr,
	&dev_attr_writers.attr,
	&dev_attr_opens.attr,
	&dev_attr_bytes_read.attr,
	&dev_attr_bytes_written.attr,
	NULL,
};
ATTRIBUTE_GROUPS(kcdev_pipe);

static void kcdev_pipe_destroy(struct kcdev_pipe *p)
{
	device_destroy(kcdev_class, p->cdev.dev);
	cdev_del(&p->cdev);
	kvfree(p->buf);
}

static void kcdev_pipe_destroy_all(void)
{
	while (kcdev_nr_pipe_live)
		kcdev_pipe_destroy(&kcdev_pipes[--kcdev_nr_pipe_live]);
	kfree(kcdev_pipes);
	kcdev_pipes = NULL;
}

/* Set up @p and make its node; on failure nothing of it is left */
static int kcdev_pipe_create(struct kcdev_pipe *p, dev_t devt, unsigned int i)
{
	int err;

	spin_lock_init(&p->lock);
	mutex_init(&p->read_mutex);
	mutex_init(&p->write_mutex);
	init_waitqueue_head(&p->read_wait);
	init_waitqueue_head(&p->write_wait);
	err = klab_ring_init(&p->ring, pipe_capacity);
	if (err)
		return err;
	p->buf = kvmalloc(pipe_capacity, GFP_KERNEL);
	if (!p->buf)
		return -ENOMEM;
	cdev_init(&p->cdev, &kcdev_pipe_fops);
	p->cdev.owner = THIS_MODULE;
	err = cdev_add(&p->cdev, devt, 1);
	if (err)
		goto err_free_buf;
	p->dev = device_create_with_groups(kcdev_class, NULL, devt, p,
					   kcdev_pipe_groups, "klab_pipe%u", i);
	if (IS_ERR(p->dev)) {
		err = PTR_ERR(p->dev);
		goto err_cdev_del;
	}
	return 0;

err_cdev_del:
	cdev_del(&p->cdev);
err_free_buf:
	kvfree(p->buf);
	return err;
}

/**
 * kcdev_pipe_init - create /dev/klab_pipe0 and up
 * @base: the first device number to use
 *
 * Return: 0 or a negative errno.
 */
int kcdev_pipe_init(dev_t base)
{
	unsigned int i;
	int err;

	if (pipe_capacity < KCDEV_PIPE_ATOMIC || pipe_capacity > SZ_16M ||
	    !is_power_of_2(pipe_capacity)) {
		pr_err("pipe_capacity must be a power of two, %u-%u\n",
		       KCDEV_PIPE_ATOMIC, SZ_16M);
		return -EINVAL;
	}
	if (!kcdev_nr_pipe)
		return 0;

	kcdev_pipes = kcalloc(kcdev_nr_pipe, sizeof(*kcdev_pipes), GFP_KERNEL);
	if (!kcdev_pipes)
		return -ENOMEM;

	for (i = 0; i < kcdev_nr_pipe; i++) {
		err = kcdev_pipe_create(&kcdev_pipes[i],
					MKDEV(MAJOR(base), MINOR(base) + i), i);
		if (err)
			goto err_destroy_prev;
		kcdev_nr_pipe_live = i + 1;
	}
	return 0;

err_destroy_prev:
	kcdev_pipe_destroy_all();
	return err;
}

/**
 * kcdev_pipe_exit - remove the pipes
 */
void kcdev_pipe_exit(void)
{
	kcdev_pipe_destroy_all();
}
