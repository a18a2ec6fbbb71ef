// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: /dev/klab_scull*, memory-backed byte stores in the manner of
 * LDD3's scull, kept in pages so that they can be mapped.
 *
 * Locking: dev->lock serialises read, write, llseek, ioctls and
 * truncation.  Page faults must not take it - read() and write() copy to
 * and from user memory under it, and that memory may be a mapping of the
 * same device - so they take dev->map_lock for reading and only ever add
 * pages.  Truncation takes dev->lock, then map_lock for writing, zaps
 * every mapping of the pages it drops and frees them.
 *
 * Every device has an inode of its own on a private pseudo filesystem
 * (as /dev/mem and DRM do), and every open file of the device maps
 * through that inode's address space, whichever node it was opened by:
 * truncation then reaches all mappings, and no node's inode (which may
 * live on any filesystem, even one unmounted later) is pinned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "chardev.h"

static unsigned long scull_max_bytes = 1 << 20;
module_param(scull_max_bytes, ulong, 0444);
MODULE_PARM_DESC(scull_max_bytes,
		 "Capacity of each scull device in bytes, a page to 1 GiB (default: 1048576)");

static unsigned int scull_quantum = PAGE_SIZE;
module_param(scull_quantum, uint, 0444);
MODULE_PARM_DESC(scull_quantum,
		 "Initial allocation granularity in bytes, a power of two from the page size to 262144 (default: 4096)");

static unsigned int kcdev_nr_scull_live;
struct kcdev_scull *kcdev_sculls;

/* the pseudo filesystem holding the devices' inodes */
#define KCDEV_SCULL_FS_MAGIC 0x6b736375	/* "kscu" */

static struct vfsmount *kcdev_scull_mnt;
static int kcdev_scull_mnt_count;

static int kcdev_scull_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, KCDEV_SCULL_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: a mount would then hold a reference on this module, and the
 * module holds its mount from load to unload, so rmmod could never
 * succeed.  None of this module's code runs once the mount is released.
 */
static struct file_system_type kcdev_scull_fs_type = {
	.name = "klab_scull",
	.init_fs_context = kcdev_scull_init_fs_context,
	.kill_sb = kill_anon_super,
};

static bool kcdev_scull_quantum_ok(u32 q)
{
	return q >= PAGE_SIZE && q <= KLAB_SCULL_QUANTUM_MAX &&
	       is_power_of_2(q);
}

/**
 * kcdev_scull_capacity - the most bytes a scull device holds
 *
 * Return: the scull_max_bytes parameter.
 */
u64 kcdev_scull_capacity(void)
{
	return scull_max_bytes;
}

/**
 * kcdev_scull_size - bytes stored in a scull device
 * @s: the device
 *
 * Return: the size; a snapshot, taken without the device lock.
 */
loff_t kcdev_scull_size(struct kcdev_scull *s)
{
	return READ_ONCE(s->size);
}

/* The page at @idx, allocated (zeroed) if missing and @alloc is set. */
static struct page *kcdev_scull_page(struct kcdev_scull *s, pgoff_t idx,
				     bool alloc)
{
	struct page *page, *old;

	page = xa_load(&s->pages, idx);
	if (page || !alloc)
		return page;

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
	if (!page)
		return ERR_PTR(-ENOMEM);
	old = xa_cmpxchg(&s->pages, idx, NULL, page, GFP_KERNEL_ACCOUNT);
	if (xa_is_err(old)) {
		__free_page(page);
		return ERR_PTR(xa_err(old));
	}
	if (old) {
		/* a racing fault got there first */
		__free_page(page);
		return old;
	}
	WRITE_ONCE(s->nr_pages, s->nr_pages + 1);
	return page;
}

/* Back every page of the quantum holding byte @pos; under s->lock */
static int kcdev_scull_fill_quantum(struct kcdev_scull *s, loff_t pos)
{
	pgoff_t first = (pos & ~((loff_t)s->quantum - 1)) >> PAGE_SHIFT;
	pgoff_t last = min_t(pgoff_t, first + (s->quantum >> PAGE_SHIFT),
			     DIV_ROUND_UP(scull_max_bytes, PAGE_SIZE));
	struct page *page;
	pgoff_t idx;

	for (idx = first; idx < last; idx++) {
		page = kcdev_scull_page(s, idx, true);
		if (IS_ERR(page))
			return PTR_ERR(page);
	}
	return 0;
}

/* Cut the store to @size bytes; under s->lock */
static void kcdev_scull_truncate(struct kcdev_scull *s, loff_t size)
{
	pgoff_t first = DIV_ROUND_UP(size, PAGE_SIZE);
	struct page *page;
	unsigned long idx;

	down_write(&s->map_lock);
	WRITE_ONCE(s->size, size);
	/* no fault can map a dropped page again once map_lock is ours */
	unmap_mapping_range(s->inode->i_mapping, (loff_t)first << PAGE_SHIFT,
			    0, 1);
	xa_for_each_start(&s->pages, idx, page, first) {
		xa_erase(&s->pages, idx);
		put_page(page);
		WRITE_ONCE(s->nr_pages, s->nr_pages - 1);
	}
	/* the tail of the last kept page reads as zeroes after regrowth */
	if (size & ~PAGE_MASK) {
		page = xa_load(&s->pages, size >> PAGE_SHIFT);
		if (page)
			memset(page_address(page) + (size & ~PAGE_MASK), 0,
			       PAGE_SIZE - (size & ~PAGE_MASK));
	}
	up_write(&s->map_lock);
}

static int kcdev_scull_open(struct inode *inode, struct file *file)
{
	struct kcdev_scull *s = container_of(inode->i_cdev, struct kcdev_scull,
					     cdev);

	if (mutex_lock_interruptible(&s->lock))
		return -ERESTARTSYS;
	file->private_data = s;
	file->f_mapping = s->inode->i_mapping;
	if ((file->f_flags & O_TRUNC) && (file->f_mode & FMODE_WRITE))
		kcdev_scull_truncate(s, 0);
	atomic_inc(&s->opens);
	mutex_unlock(&s->lock);
	return 0;
}

static int kcdev_scull_release(struct inode *inode, struct file *file)
{
	struct kcdev_scull *s = file->private_data;

	atomic_dec(&s->opens);
	return 0;
}

static ssize_t kcdev_scull_read(struct file *file, char __user *buf,
				size_t count, loff_t *ppos)
{
	struct kcdev_scull *s = file->private_data;
	loff_t pos = *ppos;
	size_t done = 0;
	ssize_t ret;

	if (pos < 0)
		return -EINVAL;
	if (mutex_lock_interruptible(&s->lock))
		return -ERESTARTSYS;

	if (pos >= s->size) {
		ret = 0;
		goto out_unlock;
	}
	count = min_t(loff_t, count, s->size - pos);

	while (done < count) {
		size_t off = pos & ~PAGE_MASK;
		size_t n = min_t(size_t, count - done, PAGE_SIZE - off);
		struct page *page = kcdev_scull_page(s, pos >> PAGE_SHIFT,
						     false);
		unsigned long left;

		if (page)
			left = copy_to_user(buf + done, page_address(page) + off,
					    n);
		else
			left = clear_user(buf + done, n);
		done += n - left;
		pos += n - left;
		if (left)
			break;
	}

	ret = done ? done : -EFAULT;
	*ppos = pos;
	atomic64_add(done, &s->bytes_read);
out_unlock:
	mutex_unlock(&s->lock);
	return ret;
}

static ssize_t kcdev_scull_write(struct file *file, const char __user *buf,
				 size_t count, loff_t *ppos)
{
	struct kcdev_scull *s = file->private_data;
	loff_t pos = *ppos;
	size_t done = 0;
	ssize_t ret;
	int err = 0;

	if (pos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	if (mutex_lock_interruptible(&s->lock))
		return -ERESTARTSYS;

	if (file->f_flags & O_APPEND)
		pos = s->size;
	if (pos >= scull_max_bytes) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	count = min_t(loff_t, count, scull_max_bytes - pos);

	while (done < count) {
		size_t off = pos & ~PAGE_MASK;
		size_t n = min_t(size_t, count - done, PAGE_SIZE - off);
		struct page *page = kcdev_scull_page(s, pos >> PAGE_SHIFT,
						     false);
		unsigned long left;

		if (!page) {
			err = kcdev_scull_fill_quantum(s, pos);
			if (err)
				break;
			page = kcdev_scull_page(s, pos >> PAGE_SHIFT, false);
		}
		left = copy_from_user(page_address(page) + off, buf + done, n);
		done += n - left;
		pos += n - left;
		if (left) {
			err = -EFAULT;
			break;
		}
	}

	if (pos > s->size)
		WRITE_ONCE(s->size, pos);
	ret = done ? done : err;
	*ppos = pos;
	atomic64_add(done, &s->bytes_written);
out_unlock:
	mutex_unlock(&s->lock);
	return ret;
}

static loff_t kcdev_scull_llseek(struct file *file, loff_t off, int whence)
{
	struct kcdev_scull *s = file->private_data;
	loff_t pos;

	if (mutex_lock_interruptible(&s->lock))
		return -ERESTARTSYS;
	switch (whence) {
	case SEEK_SET:
		pos = off;
		break;
	case SEEK_CUR:
		pos = file->f_pos + off;
		break;
	case SEEK_END:
		pos = s->size + off;
		break;
	default:
		pos = -EINVAL;
		goto out_unlock;
	}
	if (pos < 0) {
		pos = -EINVAL;
		goto out_unlock;
	}
	file->f_pos = pos;
out_unlock:
	mutex_unlock(&s->lock);
	return pos;
}

static long kcdev_scull_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct kcdev_scull *s = file->private_data;
	void __user *argp = (void __user *)arg;
	u32 q, old;
	u64 size;
	long ret = 0;

	switch (cmd) {
	case KLAB_SCULL_IOC_RESET:
	case KLAB_SCULL_IOC_SET_QUANTUM:
	case KLAB_SCULL_IOC_XCHG_QUANTUM:
		if (!capable(CAP_SYS_ADMIN))
			return -EPERM;
		break;
	case KLAB_SCULL_IOC_GET_QUANTUM:
	case KLAB_SCULL_IOC_GET_SIZE:
		break;
	default:
		return -ENOTTY;
	}

	if (cmd == KLAB_SCULL_IOC_SET_QUANTUM ||
	    cmd == KLAB_SCULL_IOC_XCHG_QUANTUM) {
		if (get_user(q, (u32 __user *)argp))
			return -EFAULT;
		if (!kcdev_scull_quantum_ok(q))
			return -EINVAL;
	}

	if (mutex_lock_interruptible(&s->lock))
		return -ERESTARTSYS;
	switch (cmd) {
	case KLAB_SCULL_IOC_RESET:
		kcdev_scull_truncate(s, 0);
		break;
	case KLAB_SCULL_IOC_GET_QUANTUM:
		q = s->quantum;
		break;
	case KLAB_SCULL_IOC_SET_QUANTUM:
		s->quantum = q;
		break;
	case KLAB_SCULL_IOC_XCHG_QUANTUM:
		old = s->quantum;
		s->quantum = q;
		q = old;
		break;
	case KLAB_SCULL_IOC_GET_SIZE:
		size = s->size;
		break;
	}
	mutex_unlock(&s->lock);

	/* copy out without the lock: the buffer may be our own mapping */
	if (cmd == KLAB_SCULL_IOC_GET_QUANTUM ||
	    cmd == KLAB_SCULL_IOC_XCHG_QUANTUM) {
		if (put_user(q, (u32 __user *)argp))
			ret = -EFAULT;
	} else if (cmd == KLAB_SCULL_IOC_GET_SIZE) {
		if (put_user(size, (u64 __user *)argp))
			ret = -EFAULT;
	}
	return ret;
}

static vm_fault_t kcdev_scull_fault(struct vm_fault *vmf)
{
	struct kcdev_scull *s = vmf->vma->vm_file->private_data;
	vm_fault_t ret = 0;
	struct page *page;

	/* demand paging: mmap() maps nothing, each first touch lands here */
	atomic64_inc(&s->faults);
	down_read(&s->map_lock);
	/* beyond the last byte stored, as beyond the end of a file */
	if (vmf->pgoff >= DIV_ROUND_UP(READ_ONCE(s->size), PAGE_SIZE)) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	page = kcdev_scull_page(s, vmf->pgoff, true);
	if (IS_ERR(page)) {
		ret = vmf_error(PTR_ERR(page));
		goto out_unlock;
	}
	get_page(page);
	vmf->page = page;
out_unlock:
	up_read(&s->map_lock);
	return ret;
}

/*
 * The core calls ->open for a VMA it creates as a copy of one of ours
 * (fork() duplicating the address space, a partial munmap() or mprotect()
 * splitting it), and ->close for every VMA it removes; mmap() itself
 * calls the driver's ->mmap instead of ->open.
 */
static void kcdev_scull_vm_open(struct vm_area_struct *vma)
{
	struct kcdev_scull *s = vma->vm_file->private_data;

	atomic64_inc(&s->vma_opens);
}

static void kcdev_scull_vm_close(struct vm_area_struct *vma)
{
	struct kcdev_scull *s = vma->vm_file->private_data;

	atomic64_inc(&s->vma_closes);
}

static const struct vm_operations_struct kcdev_scull_vm_ops = {
	.open = kcdev_scull_vm_open,
	.close = kcdev_scull_vm_close,
	.fault = kcdev_scull_fault,
};

static int kcdev_scull_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long max_pages = DIV_ROUND_UP(scull_max_bytes, PAGE_SIZE);

	if (vma->vm_pgoff >= max_pages ||
	    vma_pages(vma) > max_pages - vma->vm_pgoff)
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &kcdev_scull_vm_ops;
	return 0;
}

static const struct file_operations kcdev_scull_fops = {
	.owner = THIS_MODULE,
	.open = kcdev_scull_open,
	.release = kcdev_scull_release,
	.read = kcdev_scull_read,
	.write = kcdev_scull_write,
	.llseek = kcdev_scull_llseek,
	.unlocked_ioctl = kcdev_scull_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = kcdev_scull_mmap,
};

/* sysfs: one value per file */
KCDEV_DEV_ATTR_RO(size, struct kcdev_scull, "%lld", kcdev_scull_size(d));
KCDEV_DEV_ATTR_RO(capacity, struct kcdev_scull, "%lu", scull_max_bytes);
KCDEV_DEV_ATTR_RO(allocated, struct kcdev_scull, "%lu",
		  READ_ONCE(d->nr_pages) << PAGE_SHIFT);
KCDEV_DEV_ATTR_RO(quantum, struct kcdev_scull, "%u", READ_ONCE(d->quantum));
KCDEV_DEV_ATTR_RO(opens, struct kcdev_scull, "%d", atomic_read(&d->opens));
KCDEV_DEV_ATTR_RO(bytes_read, struct kcdev_scull, "%lld",
		  atomic64_read(&d->bytes_read));
KCDEV_DEV_ATTR_RO(bytes_written, struct kcdev_scull, "%lld",
		  atomic64_read(&d->bytes_written));
KCDEV_DEV_ATTR_RO(faults, struct kcdev_scull, "%lld",
		  atomic64_read(&d->faults));
KCDEV_DEV_ATTR_RO(vma_opens, struct kcdev_scull, "%lld",
		  atomic64_read(&d->vma_opens));
KCDEV_DEV_ATTR_RO(vma_closes, struct kcdev_scull, "%lld",
		  atomic64_read(&d->vma_closes));

static struct attribute *kcdev_scull_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_capacity.attr,
	&dev_attr_allocated.attr,
	&dev_attr_quantum.attr,
	&dev_attr_opens.attr,
	&dev_attr_bytes_read.attr,
	&dev_attr_bytes_written.attr,
	&dev_attr_faults.attr,
	&dev_attr_vma_opens.attr,
	&dev_attr_vma_closes.attr,
	NULL,
};
ATTRIBUTE_GROUPS(kcdev_scull);

static void kcdev_scull_destroy(struct kcdev_scull *s)
{
	device_destroy(kcdev_class, s->cdev.dev);
	cdev_del(&s->cdev);
	kcdev_scull_truncate(s, 0);
	xa_destroy(&s->pages);
	iput(s->inode);
}

static void kcdev_scull_destroy_all(void)
{
	while (kcdev_nr_scull_live)
		kcdev_scull_destroy(&kcdev_sculls[--kcdev_nr_scull_live]);
	kfree(kcdev_sculls);
	kcdev_sculls = NULL;
}

/* Set up @s and make its node; on failure nothing of it is left */
static int kcdev_scull_create(struct kcdev_scull *s, dev_t devt,
			      unsigned int i)
{
	int err;

	mutex_init(&s->lock);
	init_rwsem(&s->map_lock);
	xa_init(&s->pages);
	s->quantum = scull_quantum;
	s->inode = alloc_anon_inode(kcdev_scull_mnt->mnt_sb);
	if (IS_ERR(s->inode))
		return PTR_ERR(s->inode);
	cdev_init(&s->cdev, &kcdev_scull_fops);
	s->cdev.owner = THIS_MODULE;
	err = cdev_add(&s->cdev, devt, 1);
	if (err)
		goto err_put_inode;
	s->dev = device_create_with_groups(kcdev_class, NULL, devt, s,
					   kcdev_scull_groups, "klab_scull%u",
					   i);
	if (IS_ERR(s->dev)) {
		err = PTR_ERR(s->dev);
		goto err_cdev_del;
	}
	return 0;

err_cdev_del:
	cdev_del(&s->cdev);
err_put_inode:
	iput(s->inode);
	return err;
}

/**
 * kcdev_scull_init - create /dev/klab_scull0 and up
 * @base: the first device number to use
 *
 * Return: 0 or a negative errno.
 */
int kcdev_scull_init(dev_t base)
{
	unsigned int i;
	int err;

	if (scull_max_bytes < PAGE_SIZE || scull_max_bytes > SZ_1G) {
		pr_err("scull_max_bytes must be %lu-%u\n", PAGE_SIZE, SZ_1G);
		return -EINVAL;
	}
	if (!kcdev_scull_quantum_ok(scull_quantum)) {
		pr_err("scull_quantum must be a power of two, %lu-%u\n",
		       PAGE_SIZE, KLAB_SCULL_QUANTUM_MAX);
		return -EINVAL;
	}
	if (!kcdev_nr_scull)
		return 0;

	err = simple_pin_fs(&kcdev_scull_fs_type, &kcdev_scull_mnt,
			    &kcdev_scull_mnt_count);
	if (err)
		return err;
	kcdev_sculls = kcalloc(kcdev_nr_scull, sizeof(*kcdev_sculls),
			       GFP_KERNEL);
	if (!kcdev_sculls) {
		err = -ENOMEM;
		goto err_release_fs;
	}

	for (i = 0; i < kcdev_nr_scull; i++) {
		err = kcdev_scull_create(&kcdev_sculls[i],
					 MKDEV(MAJOR(base), MINOR(base) + i), i);
		if (err)
			goto err_destroy_prev;
		kcdev_nr_scull_live = i + 1;
	}
	return 0;

err_destroy_prev:
	kcdev_scull_destroy_all();
err_release_fs:
	simple_release_fs(&kcdev_scull_mnt, &kcdev_scull_mnt_count);
	return err;
}

/**
 * kcdev_scull_exit - remove the scull devices and free their pages
 */
void kcdev_scull_exit(void)
{
	if (!kcdev_sculls)
		return;
	kcdev_scull_destroy_all();
	simple_release_fs(&kcdev_scull_mnt, &kcdev_scull_mnt_count);
}
