// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the RAM disk's page store, the durable medium.  Data lives in
 * pages indexed by sector / PAGE_SECTORS in an xarray, allocated on the
 * first write to them; a sector with no page reads as zeros.  Discard
 * and write-zeroes free the pages they cover whole and zero the rest.
 *
 * Readers look pages up and copy under rcu_read_lock(); pages are freed
 * after a grace period, so a discard racing with a read of the same
 * sectors cannot free a page under the copy.
 *
 * Nothing here sleeps: both queue modes move data in atomic context
 * (queue_rq, or under the cache's and the zones' spinlocks), so pages
 * come from GFP_NOWAIT and, when that fails, from a small reserve.  The
 * bio mode, whose submitter may sleep, refills the reserve and allocates
 * the pages of a write with GFP_NOIO when an I/O could not get memory
 * (kcdev_blk_store_prepare()), then runs it again; blk-mq retries a
 * request handed back with BLK_STS_RESOURCE by itself.
 */
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/rcupdate.h>

#include "chardev.h"

#define KCDEV_BLK_PAGE_SECTORS_SHIFT (PAGE_SHIFT - SECTOR_SHIFT)

/* Most pages kept in the reserve: two per page of the largest I/O */
#define KCDEV_BLK_RESERVE_MAX						\
	(2 * ((BLK_DEF_MAX_SECTORS >> KCDEV_BLK_PAGE_SECTORS_SHIFT) + 2))

/**
 * kcdev_blk_store_init - initialise the (empty) page store of @dev
 * @dev: the device
 */
void kcdev_blk_store_init(struct kcdev_blk_dev *dev)
{
	xa_init(&dev->pages);
	atomic_long_set(&dev->nr_pages, 0);
	spin_lock_init(&dev->reserve_lock);
	INIT_LIST_HEAD(&dev->reserve);
}

/**
 * kcdev_blk_store_free - free every page of @dev
 * @dev: the device, with no I/O in flight
 */
void kcdev_blk_store_free(struct kcdev_blk_dev *dev)
{
	struct page *page;
	unsigned long idx;

	xa_for_each(&dev->pages, idx, page) {
		xa_erase(&dev->pages, idx);
		__free_page(page);
		cond_resched();
	}
	xa_destroy(&dev->pages);
	atomic_long_set(&dev->nr_pages, 0);
	kcdev_blk_store_reserve_free(dev);
}

/* Top the reserve up to @nr zeroed pages (at most KCDEV_BLK_RESERVE_MAX) */
static int kcdev_blk_store_reserve(struct kcdev_blk_dev *dev, unsigned int nr,
				   gfp_t gfp)
{
	unsigned long flags;
	struct page *page;

	nr = min_t(unsigned int, nr, KCDEV_BLK_RESERVE_MAX);
	while (READ_ONCE(dev->nr_reserve) < nr) {
		page = alloc_page(gfp | __GFP_ZERO);
		if (!page)
			return -ENOMEM;
		spin_lock_irqsave(&dev->reserve_lock, flags);
		list_add(&page->lru, &dev->reserve);
		dev->nr_reserve++;
		spin_unlock_irqrestore(&dev->reserve_lock, flags);
	}
	return 0;
}

/**
 * kcdev_blk_store_reserve_free - free the reserve of @dev
 * @dev: the device, with no I/O in flight
 */
void kcdev_blk_store_reserve_free(struct kcdev_blk_dev *dev)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &dev->reserve, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	dev->nr_reserve = 0;
}

/**
 * kcdev_blk_page_alloc - a zeroed page, without sleeping
 * @dev: the device whose reserve may be used
 *
 * Return: the page, or NULL when neither the allocator nor the reserve
 * has one.
 */
struct page *kcdev_blk_page_alloc(struct kcdev_blk_dev *dev)
{
	struct page *page;
	unsigned long flags;

	page = alloc_page(GFP_NOWAIT | __GFP_NOWARN | __GFP_ZERO);
	if (page || !READ_ONCE(dev->nr_reserve))
		return page;

	spin_lock_irqsave(&dev->reserve_lock, flags);
	page = list_first_entry_or_null(&dev->reserve, struct page, lru);
	if (page) {
		list_del(&page->lru);
		dev->nr_reserve--;
	}
	spin_unlock_irqrestore(&dev->reserve_lock, flags);
	return page;
}

static void kcdev_blk_free_page_rcu(struct rcu_head *head)
{
	struct page *page = container_of(head, struct page, rcu_head);

	set_page_private(page, 0);
	__free_page(page);
}

/**
 * kcdev_blk_page_free_rcu - free a page once RCU readers are done with it
 * @page: a page just removed from the store or the cache
 */
void kcdev_blk_page_free_rcu(struct page *page)
{
	call_rcu(&page->rcu_head, kcdev_blk_free_page_rcu);
}

/* Insert @page at @idx unless one is there; return the one that is */
static struct page *kcdev_blk_page_insert(struct kcdev_blk_dev *dev,
					  unsigned long idx, struct page *page,
					  gfp_t gfp)
{
	struct page *old;

	old = xa_cmpxchg(&dev->pages, idx, NULL, page, gfp);
	if (xa_is_err(old)) {
		__free_page(page);
		return NULL;
	}
	if (old) {
		/* another writer inserted it first */
		__free_page(page);
		return old;
	}
	atomic_long_inc(&dev->nr_pages);
	return page;
}

/*
 * The page of @idx, or NULL.  Context: rcu_read_lock() held, which is
 * why this is not xa_load(): that takes it again, two calls more per
 * page on the path of every read and write.
 */
static struct page *kcdev_blk_page_find(struct kcdev_blk_dev *dev,
					unsigned long idx)
{
	XA_STATE(xas, &dev->pages, idx);
	struct page *page;

	do {
		page = xas_load(&xas);
	} while (xas_retry(&xas, page));
	return page;
}

/*
 * The page for @idx, allocated if absent; NULL when memory is short.
 * Context: rcu_read_lock() held.
 */
static struct page *kcdev_blk_page_get(struct kcdev_blk_dev *dev,
				       unsigned long idx)
{
	struct page *page;

	page = kcdev_blk_page_find(dev, idx);
	if (page)
		return page;
	page = kcdev_blk_page_alloc(dev);
	if (!page)
		return NULL;
	return kcdev_blk_page_insert(dev, idx, page,
				     GFP_NOWAIT | __GFP_NOWARN);
}

/**
 * kcdev_blk_store_write - write to the store
 * @dev: the device
 * @buf: the data
 * @sector: where it goes
 * @len: bytes, whole sectors; may cross store pages
 *
 * Context: rcu_read_lock() held; does not sleep.
 * Return: BLK_STS_OK, or BLK_STS_RESOURCE when a page could not be had
 * (what was copied before may stay: writing the same data again is
 * harmless).
 */
blk_status_t kcdev_blk_store_write(struct kcdev_blk_dev *dev,
				   const void *buf, sector_t sector,
				   unsigned int len)
{
	while (len) {
		unsigned long idx = sector >> KCDEV_BLK_PAGE_SECTORS_SHIFT;
		unsigned int off = (sector << SECTOR_SHIFT) & ~PAGE_MASK;
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		struct page *page = kcdev_blk_page_get(dev, idx);

		if (!page)
			return BLK_STS_RESOURCE;
		memcpy_to_page(page, off, buf, n);
		buf += n;
		sector += n >> SECTOR_SHIFT;
		len -= n;
	}
	return BLK_STS_OK;
}

/**
 * kcdev_blk_store_read - read from the store; sectors with no page are 0
 * @dev: the device
 * @buf: where the data goes
 * @sector: where it comes from
 * @len: bytes, whole sectors; may cross store pages
 *
 * Context: rcu_read_lock() held.
 */
void kcdev_blk_store_read(struct kcdev_blk_dev *dev, void *buf,
			  sector_t sector, unsigned int len)
{
	while (len) {
		unsigned long idx = sector >> KCDEV_BLK_PAGE_SECTORS_SHIFT;
		unsigned int off = (sector << SECTOR_SHIFT) & ~PAGE_MASK;
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		struct page *page = kcdev_blk_page_find(dev, idx);

		if (page)
			memcpy_from_page(buf, page, off, n);
		else
			memset(buf, 0, n);
		buf += n;
		sector += n >> SECTOR_SHIFT;
		len -= n;
	}
}

/**
 * kcdev_blk_store_prepare - get what a failed I/O needs, sleeping
 * @dev: the device
 * @io: an I/O that returned BLK_STS_RESOURCE
 * @gfp: how to allocate (the bio mode's GFP_NOIO)
 *
 * Allocates the store pages a write covers (and the xarray nodes that
 * hold them) and tops the reserve up for the cache and the rest.
 *
 * Context: may sleep; no lock held.
 * Return: 0 or -ENOMEM.
 */
int kcdev_blk_store_prepare(struct kcdev_blk_dev *dev,
			    const struct kcdev_blk_io *io, gfp_t gfp)
{
	unsigned int nr = kcdev_blk_io_pages(io);
	unsigned long idx;
	struct page *page;
	unsigned int i;

	if (op_is_write(io->op) && io->op != REQ_OP_DISCARD &&
	    io->op != REQ_OP_WRITE_ZEROES) {
		idx = io->sector >> KCDEV_BLK_PAGE_SECTORS_SHIFT;
		for (i = 0; i < nr; i++, idx++) {
			if (xa_load(&dev->pages, idx))
				continue;
			page = alloc_page(gfp | __GFP_ZERO);
			if (!page)
				return -ENOMEM;
			if (!kcdev_blk_page_insert(dev, idx, page, gfp))
				return -ENOMEM;
		}
	}
	return kcdev_blk_store_reserve(dev, 2 * nr + 2, gfp);
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

/* Free the store pages from @first to @last (page indices, inclusive) */
static void kcdev_blk_store_free_range(struct kcdev_blk_dev *dev,
				       unsigned long first, unsigned long last)
{
	struct page *page;
	unsigned long idx;

	xa_for_each_range(&dev->pages, idx, page, first, last) {
		page = xa_erase(&dev->pages, idx);
		if (!page)
			continue;
		atomic_long_dec(&dev->nr_pages);
		kcdev_blk_page_free_rcu(page);
	}
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
 *
 * Context: does not sleep.
 */
void kcdev_blk_store_discard(struct kcdev_blk_dev *dev, sector_t sector,
			     u64 bytes)
{
	u64 pos = (u64)sector << SECTOR_SHIFT, end = pos + bytes;
	u64 n;

	/* the head, up to the first page boundary */
	if (pos & ~PAGE_MASK) {
		n = min(round_up(pos, PAGE_SIZE), end) - pos;
		kcdev_blk_zero(dev, pos >> PAGE_SHIFT, pos & ~PAGE_MASK, n);
		pos += n;
	}
	/* whole pages; pos is page-aligned or at the end here */
	if (round_down(end, PAGE_SIZE) > pos) {
		kcdev_blk_store_free_range(dev, pos >> PAGE_SHIFT,
					   (round_down(end, PAGE_SIZE) >>
					    PAGE_SHIFT) - 1);
		pos = round_down(end, PAGE_SIZE);
	}
	/* the tail */
	if (end > pos)
		kcdev_blk_zero(dev, pos >> PAGE_SHIFT, 0, end - pos);
}

/**
 * kcdev_blk_store_trim - drop the data at and past @capacity
 * @dev: an unpowered device
 * @capacity: the first sector to drop, page-aligned
 */
void kcdev_blk_store_trim(struct kcdev_blk_dev *dev, sector_t capacity)
{
	kcdev_blk_store_free_range(dev,
				   capacity >> KCDEV_BLK_PAGE_SECTORS_SHIFT,
				   ULONG_MAX);
}
