// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the RAM disk's page store.  Data lives in pages indexed by
 * sector / PAGE_SECTORS in an xarray, allocated on the first write to
 * them; a sector with no page reads as zeros.  Discard and write-zeroes
 * free the pages they cover whole and zero the rest.
 *
 * Readers look pages up and copy under rcu_read_lock(); pages are freed
 * after a grace period, so a discard racing with a read of the same
 * sectors cannot free a page under the copy.
 */
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/rcupdate.h>

#include "chardev.h"

#define KCDEV_BLK_PAGE_SECTORS_SHIFT (PAGE_SHIFT - SECTOR_SHIFT)

/**
 * kcdev_blk_store_init - initialise the (empty) page store of @dev
 * @dev: the device
 */
void kcdev_blk_store_init(struct kcdev_blk_dev *dev)
{
	xa_init(&dev->pages);
	atomic_long_set(&dev->nr_pages, 0);
}

/**
 * kcdev_blk_store_free - free every page of @dev
 * @dev: the device, with no request in flight
 */
void kcdev_blk_store_free(struct kcdev_blk_dev *dev)
{
	struct page *page;
	unsigned long idx;

	xa_for_each(&dev->pages, idx, page) {
		xa_erase(&dev->pages, idx);
		__free_page(page);
	}
	xa_destroy(&dev->pages);
	atomic_long_set(&dev->nr_pages, 0);
}

static void kcdev_blk_free_page_rcu(struct rcu_head *head)
{
	__free_page(container_of(head, struct page, rcu_head));
}

/* The page for @idx, allocated if absent; NULL when memory is short. */
static struct page *kcdev_blk_page_get(struct kcdev_blk_dev *dev,
				       unsigned long idx)
{
	struct page *page, *old;

	page = xa_load(&dev->pages, idx);
	if (page)
		return page;

	/* queue_rq may not sleep: the block layer retries on RESOURCE */
	page = alloc_page(GFP_NOWAIT | __GFP_NOWARN | __GFP_ZERO);
	if (!page)
		return NULL;
	old = xa_cmpxchg(&dev->pages, idx, NULL, page,
			 GFP_NOWAIT | __GFP_NOWARN);
	if (xa_is_err(old)) {
		__free_page(page);
		return NULL;
	}
	if (old) {
		/* another queue inserted it first */
		__free_page(page);
		return old;
	}
	atomic_long_inc(&dev->nr_pages);
	return page;
}

/*
 * Copy @len bytes between @buf and the store at @sector; @len may cross
 * store pages.  Context: rcu_read_lock() held.
 */
static blk_status_t kcdev_blk_copy(struct kcdev_blk_dev *dev, void *buf,
				   sector_t sector, unsigned int len,
				   bool write)
{
	while (len) {
		unsigned long idx = sector >> KCDEV_BLK_PAGE_SECTORS_SHIFT;
		unsigned int off = (sector << SECTOR_SHIFT) & ~PAGE_MASK;
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		struct page *page;

		if (write) {
			page = kcdev_blk_page_get(dev, idx);
			if (!page)
				return BLK_STS_RESOURCE;
			memcpy_to_page(page, off, buf, n);
		} else {
			page = xa_load(&dev->pages, idx);
			if (page)
				memcpy_from_page(buf, page, off, n);
			else
				memset(buf, 0, n);
		}
		buf += n;
		sector += n >> SECTOR_SHIFT;
		len -= n;
	}
	return BLK_STS_OK;
}

/**
 * kcdev_blk_store_rw - move the data of a read or write request
 * @dev: the device
 * @rq: a REQ_OP_READ or REQ_OP_WRITE request
 *
 * Return: BLK_STS_OK, or BLK_STS_RESOURCE when a page could not be
 * allocated without sleeping (the request may then be retried whole:
 * writing the same data again is harmless).
 */
blk_status_t kcdev_blk_store_rw(struct kcdev_blk_dev *dev, struct request *rq)
{
	bool write = req_op(rq) == REQ_OP_WRITE;
	sector_t sector = blk_rq_pos(rq);
	struct req_iterator iter;
	blk_status_t status = BLK_STS_OK;
	struct bio_vec bv;

	rcu_read_lock();
	rq_for_each_segment(bv, rq, iter) {
		void *buf = bvec_kmap_local(&bv);

		status = kcdev_blk_copy(dev, buf, sector, bv.bv_len, write);
		kunmap_local(buf);
		if (status)
			break;
		sector += bv.bv_len >> SECTOR_SHIFT;
	}
	rcu_read_unlock();
	return status;
}

/* Zero @n bytes at @off in the page of @idx, if it has one. */
static void kcdev_blk_zero(struct kcdev_blk_dev *dev, unsigned long idx,
			   unsigned int off, unsigned int n)
{
	struct page *page;

	rcu_read_lock();
	page = xa_load(&dev->pages, idx);
	if (page)
		memzero_page(page, off, n);
	rcu_read_unlock();
}

/**
 * kcdev_blk_store_discard - drop the data of a range
 * @dev: the device
 * @sector: first sector
 * @bytes: length of the range
 *
 * Whole pages are freed (after an RCU grace period); the partial pages
 * at either end are zeroed where the range covers them.  Only pages that
 * exist are visited, so discarding a large empty range is cheap.
 */
void kcdev_blk_store_discard(struct kcdev_blk_dev *dev, sector_t sector,
			     u64 bytes)
{
	u64 pos = (u64)sector << SECTOR_SHIFT, end = pos + bytes;
	struct page *page;
	unsigned long idx;
	u64 n;

	/* the head, up to the first page boundary */
	if (pos & ~PAGE_MASK) {
		n = min(round_up(pos, PAGE_SIZE), end) - pos;
		kcdev_blk_zero(dev, pos >> PAGE_SHIFT, pos & ~PAGE_MASK, n);
		pos += n;
	}
	/* whole pages; pos is page-aligned or at the end here */
	if (round_down(end, PAGE_SIZE) > pos) {
		xa_for_each_range(&dev->pages, idx, page, pos >> PAGE_SHIFT,
				  (round_down(end, PAGE_SIZE) >> PAGE_SHIFT) - 1) {
			page = xa_erase(&dev->pages, idx);
			if (!page)
				continue;
			atomic_long_dec(&dev->nr_pages);
			call_rcu(&page->rcu_head, kcdev_blk_free_page_rcu);
		}
		pos = round_down(end, PAGE_SIZE);
	}
	/* the tail */
	if (end > pos)
		kcdev_blk_zero(dev, pos >> PAGE_SHIFT, 0, end - pos);
}
