// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the RAM disk's volatile write cache (cache_size MiB), like a
 * disk's DRAM cache or null_blk's cache_size.  Writes land in cache pages
 * and are durable only once written back to the store: a flush
 * (REQ_OP_FLUSH, or REQ_PREFLUSH on a bio) writes back everything, an
 * FUA write goes to the store itself, and a full cache writes back one
 * page to make room.  A power cut (power 0) drops whatever is still
 * here, and counts it.
 *
 * Cache pages are indexed like store pages; page->private holds the
 * mask of the page's sectors that are dirty here (newer than the store).
 * Readers take each sector from the cache if its bit is set, else from
 * the store, under RCU and without the lock: the data is copied before
 * its bit is published (release/acquire), a page is written back before
 * it leaves the cache, and it is freed after a grace period.  Writers,
 * write-back, flush and drop hold cache->lock.
 */
#include <linux/blkdev.h>
#include <linux/highmem.h>

#include "chardev.h"

#define KCDEV_BLK_PAGE_SECTORS	(PAGE_SIZE >> SECTOR_SHIFT)

/**
 * kcdev_blk_cache_init - initialise the (empty, off) cache of @dev
 * @dev: the device
 */
void kcdev_blk_cache_init(struct kcdev_blk_dev *dev)
{
	spin_lock_init(&dev->cache.lock);
	xa_init(&dev->cache.pages);
}

/* The sector bits of [@off, @off + @len) within a page */
static unsigned long kcdev_blk_cache_bits(unsigned int off, unsigned int len)
{
	return GENMASK((off + len) / SECTOR_SIZE - 1, off / SECTOR_SIZE);
}

/* Take @cpage (index @idx) out of the cache.  Context: cache->lock held. */
static void kcdev_blk_cache_remove(struct kcdev_blk_dev *dev,
				   unsigned long idx, struct page *cpage)
{
	struct kcdev_blk_cache *cache = &dev->cache;

	cache->dirty_sectors -= hweight_long(page_private(cpage));
	xa_erase(&cache->pages, idx);
	cache->nr_pages--;
	kcdev_blk_page_free_rcu(cpage);
}

/*
 * Write the dirty sectors of @cpage back to the store and take it out.
 * Context: cache->lock held.
 */
static blk_status_t kcdev_blk_cache_writeback(struct kcdev_blk_dev *dev,
					      unsigned long idx,
					      struct page *cpage)
{
	unsigned long mask = page_private(cpage);
	sector_t sector = (sector_t)idx * KCDEV_BLK_PAGE_SECTORS;
	blk_status_t status = BLK_STS_OK;
	unsigned int s, end;
	void *buf;

	buf = kmap_local_page(cpage);
	rcu_read_lock();
	/* runs of dirty sectors, each in one copy */
	for_each_set_bitrange(s, end, &mask, KCDEV_BLK_PAGE_SECTORS) {
		status = kcdev_blk_store_write(dev, buf + s * SECTOR_SIZE,
					       sector + s,
					       (end - s) * SECTOR_SIZE);
		if (status)
			break;
	}
	rcu_read_unlock();
	kunmap_local(buf);
	if (status)
		return status;
	kcdev_blk_cache_remove(dev, idx, cpage);
	dev->cache.writebacks++;
	return BLK_STS_OK;
}

/* Make room for one page: write back the next page after the cursor */
static blk_status_t kcdev_blk_cache_evict(struct kcdev_blk_dev *dev)
{
	struct kcdev_blk_cache *cache = &dev->cache;
	unsigned long idx = cache->cursor;
	struct page *cpage;

	cpage = xa_find(&cache->pages, &idx, ULONG_MAX, XA_PRESENT);
	if (!cpage) {
		idx = 0;
		cpage = xa_find(&cache->pages, &idx, ULONG_MAX, XA_PRESENT);
		if (!cpage)
			return BLK_STS_OK;
	}
	cache->cursor = idx + 1;
	return kcdev_blk_cache_writeback(dev, idx, cpage);
}

/**
 * kcdev_blk_cache_write - write into the cache
 * @dev: the device
 * @buf: the data
 * @sector: where it goes
 * @len: bytes, whole sectors; may cross pages
 *
 * Context: cache->lock and rcu_read_lock() held.
 * Return: BLK_STS_OK or BLK_STS_RESOURCE (no memory without sleeping).
 */
blk_status_t kcdev_blk_cache_write(struct kcdev_blk_dev *dev,
				   const void *buf, sector_t sector,
				   unsigned int len)
{
	struct kcdev_blk_cache *cache = &dev->cache;
	blk_status_t status;

	lockdep_assert_held(&cache->lock);
	while (len) {
		unsigned long idx = sector / KCDEV_BLK_PAGE_SECTORS;
		unsigned int off = (sector << SECTOR_SHIFT) & ~PAGE_MASK;
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		unsigned long mask, bits = kcdev_blk_cache_bits(off, n);
		struct page *cpage = xa_load(&cache->pages, idx);

		if (!cpage) {
			if (cache->nr_pages >= cache->max_pages) {
				status = kcdev_blk_cache_evict(dev);
				if (status)
					return status;
			}
			cpage = kcdev_blk_page_alloc(dev);
			if (!cpage)
				return BLK_STS_RESOURCE;
			set_page_private(cpage, 0);
			if (xa_is_err(xa_store(&cache->pages, idx, cpage,
					       GFP_NOWAIT | __GFP_NOWARN))) {
				__free_page(cpage);
				return BLK_STS_RESOURCE;
			}
			cache->nr_pages++;
		}
		memcpy_to_page(cpage, off, buf, n);
		mask = page_private(cpage);
		cache->dirty_sectors += hweight_long(bits & ~mask);
		/* the data before the bits that send readers to it */
		smp_store_release(&cpage->private, mask | bits); /* pairs with read */

		buf += n;
		sector += n >> SECTOR_SHIFT;
		len -= n;
	}
	return BLK_STS_OK;
}

/**
 * kcdev_blk_cache_read - read through the cache
 * @dev: the device
 * @buf: where the data goes
 * @sector: where it comes from
 * @len: bytes, whole sectors; may cross pages
 *
 * Context: rcu_read_lock() held.
 */
void kcdev_blk_cache_read(struct kcdev_blk_dev *dev, void *buf,
			  sector_t sector, unsigned int len)
{
	while (len) {
		unsigned long idx = sector / KCDEV_BLK_PAGE_SECTORS;
		unsigned int off = (sector << SECTOR_SHIFT) & ~PAGE_MASK;
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - off);
		struct page *cpage = xa_load(&dev->cache.pages, idx);
		unsigned long mask = 0;
		unsigned int done;

		if (cpage)	/* pairs with kcdev_blk_cache_write() */
			mask = smp_load_acquire(&cpage->private) &
			       kcdev_blk_cache_bits(off, n);
		if (!mask) {
			kcdev_blk_store_read(dev, buf, sector, n);
		} else {
			for (done = 0; done < n; done += SECTOR_SIZE) {
				unsigned int s = (off + done) / SECTOR_SIZE;

				if (mask & BIT(s))
					memcpy_from_page(buf + done, cpage,
							 off + done,
							 SECTOR_SIZE);
				else
					kcdev_blk_store_read(dev, buf + done,
							     sector + done / SECTOR_SIZE,
							     SECTOR_SIZE);
			}
		}
		buf += n;
		sector += n >> SECTOR_SHIFT;
		len -= n;
	}
}

/**
 * kcdev_blk_cache_forget - what the cache holds for a range is stale
 * @dev: the device
 * @sector: first sector
 * @bytes: length of the range
 *
 * After an FUA write (the store has newer data) or a discard (there is
 * no data): the range's dirty bits are cleared, and pages left with none
 * leave the cache.
 *
 * Context: cache->lock held.
 */
void kcdev_blk_cache_forget(struct kcdev_blk_dev *dev, sector_t sector,
			    u64 bytes)
{
	struct kcdev_blk_cache *cache = &dev->cache;
	sector_t end = sector + (bytes >> SECTOR_SHIFT);
	struct page *cpage;
	unsigned long idx;

	lockdep_assert_held(&cache->lock);
	if (!cache->nr_pages || end <= sector)
		return;
	xa_for_each_range(&cache->pages, idx, cpage,
			  sector / KCDEV_BLK_PAGE_SECTORS,
			  (end - 1) / KCDEV_BLK_PAGE_SECTORS) {
		sector_t first = max_t(sector_t, sector,
				       (sector_t)idx * KCDEV_BLK_PAGE_SECTORS);
		sector_t last = min_t(sector_t, end,
				      (sector_t)(idx + 1) * KCDEV_BLK_PAGE_SECTORS);
		unsigned long mask = page_private(cpage);
		unsigned long bits =
			kcdev_blk_cache_bits((first % KCDEV_BLK_PAGE_SECTORS) *
					     SECTOR_SIZE,
					     (last - first) * SECTOR_SIZE);

		if (!(mask & ~bits)) {
			kcdev_blk_cache_remove(dev, idx, cpage);
			continue;
		}
		cache->dirty_sectors -= hweight_long(mask & bits);
		/* readers of these sectors go to the store, written first */
		smp_store_release(&cpage->private, mask & ~bits);
	}
}

/**
 * kcdev_blk_cache_flush - make every write so far durable
 * @dev: the device
 *
 * Return: BLK_STS_OK, or BLK_STS_RESOURCE with the pages not yet written
 * back still cached.
 */
blk_status_t kcdev_blk_cache_flush(struct kcdev_blk_dev *dev)
{
	struct kcdev_blk_cache *cache = &dev->cache;
	blk_status_t status = BLK_STS_OK;
	unsigned long flags, idx;
	struct page *cpage;

	spin_lock_irqsave(&cache->lock, flags);
	xa_for_each(&cache->pages, idx, cpage) {
		status = kcdev_blk_cache_writeback(dev, idx, cpage);
		if (status)
			break;
	}
	spin_unlock_irqrestore(&cache->lock, flags);
	return status;
}

/**
 * kcdev_blk_cache_drop - a power cut: lose what was not flushed
 * @dev: the device, with its queue frozen
 *
 * Return: the bytes lost.
 */
u64 kcdev_blk_cache_drop(struct kcdev_blk_dev *dev)
{
	struct kcdev_blk_cache *cache = &dev->cache;
	unsigned long flags, idx;
	struct page *cpage;
	u64 lost;

	spin_lock_irqsave(&cache->lock, flags);
	lost = cache->dirty_sectors << SECTOR_SHIFT;
	xa_for_each(&cache->pages, idx, cpage)
		kcdev_blk_cache_remove(dev, idx, cpage);
	WARN_ON_ONCE(cache->nr_pages || cache->dirty_sectors);
	cache->cursor = 0;
	spin_unlock_irqrestore(&cache->lock, flags);
	return lost;
}
