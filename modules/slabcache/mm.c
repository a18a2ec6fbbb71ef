// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: an observer of the kernel's own memory management (klabctl
 * slab mm), so that the tests can show the zones' watermarks, the buddy
 * allocator's orders and splits, and a page-table walk on the running
 * kernel.  It reads struct zone and the page tables; it changes nothing
 * but the blocks it allocates and frees again.
 */
#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "slabcache.h"

/* The orders the split takes: 128 + 128 + 256 pages out of 512 */
#define KSLAB_MM_SMALL		7
#define KSLAB_MM_LARGE		8
/* Free 128- and 256-page blocks held at most while draining */
#define KSLAB_MM_DRAIN_MAX	512
#define KSLAB_MM_GFP		(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY)

const struct nla_policy kslab_mm_walk_policy[KLAB_SLAB_A_MAX + 1] = {
	[KLAB_SLAB_A_MM_ADDR] = { .type = NLA_U64 },
};

static int kslab_mm_put_u64(struct sk_buff *msg, int attr, u64 v)
{
	return nla_put_u64_64bit(msg, attr, v, KLAB_A_PAD);
}

/* Free blocks per order, the counts /proc/buddyinfo prints; zone->lock */
static void kslab_mm_nr_free(struct zone *zone, u64 *nr)
{
	unsigned int o;

	for (o = 0; o < MAX_ORDER; o++)
		nr[o] = zone->free_area[o].nr_free;
}

static int kslab_mm_fill_zone(struct sk_buff *msg, int nid, struct zone *zone)
{
	u64 nr[MAX_ORDER];
	struct nlattr *nest;
	unsigned long flags;

	spin_lock_irqsave(&zone->lock, flags);
	kslab_mm_nr_free(zone, nr);
	spin_unlock_irqrestore(&zone->lock, flags);

	nest = nla_nest_start(msg, KLAB_SLAB_A_MM_ZONE);
	if (!nest)
		return -EMSGSIZE;
	/* min_wmark_pages() and the others include the boost, as zoneinfo */
	if (nla_put_u32(msg, KLAB_SLAB_A_MM_NODE, nid) ||
	    nla_put_string(msg, KLAB_SLAB_A_MM_ZONE_NAME, zone->name) ||
	    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_WMARK_MIN,
			     min_wmark_pages(zone)) ||
	    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_WMARK_LOW,
			     low_wmark_pages(zone)) ||
	    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_WMARK_HIGH,
			     high_wmark_pages(zone)) ||
	    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_WMARK_BOOST,
			     READ_ONCE(zone->watermark_boost)) ||
	    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_SPANNED, zone->spanned_pages) ||
	    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_PRESENT, zone->present_pages) ||
	    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_MANAGED,
			     zone_managed_pages(zone)) ||
	    nla_put(msg, KLAB_SLAB_A_MM_NR_FREE, sizeof(nr), nr)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

int kslab_mm_zones_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int nid, i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, KLAB_SLAB_CMD_MM_ZONES);
	if (!hdr)
		goto err_free;
	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];

			if (populated_zone(zone) &&
			    kslab_mm_fill_zone(msg, nid, zone))
				goto err_free;
		}
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

struct kslab_mm_block {
	struct page *page;
	unsigned int order;
};

/**
 * struct kslab_mm_split - one 512-page block split and coalesced
 * @held: the free 128- and 256-page blocks taken so that the next
 *	128-page allocation has to split a larger block
 * @nr_held: how many
 * @drained: how many there were, for the reply once they are back
 * @pfn: the 128-, 128- and 256-page blocks, in allocation order
 * @before: free blocks per order of their zone before the first
 * @after: ... right after the first (the split)
 * @merged: ... once the three are freed again
 * @merged_order: order of the free block holding @pfn[0] then
 */
struct kslab_mm_split {
	struct kslab_mm_block held[KSLAB_MM_DRAIN_MAX];
	unsigned int nr_held;
	unsigned int drained;
	u64 pfn[3];
	u64 before[MAX_ORDER];
	u64 after[MAX_ORDER];
	u64 merged[MAX_ORDER];
	unsigned int merged_order;
};

/*
 * The order (7 or 8) of which @zone has a free block of the migratetype
 * GFP_KERNEL allocates, or 0 when it has neither; zone->lock held.
 */
static unsigned int kslab_mm_small_free(struct zone *zone)
{
	unsigned int o;

	for (o = KSLAB_MM_SMALL; o <= KSLAB_MM_LARGE; o++)
		if (!list_empty(&zone->free_area[o].free_list[MIGRATE_UNMOVABLE]))
			return o;
	return 0;
}

/* Order of the free block that holds @pfn, or MAX_ORDER; zone->lock held */
static unsigned int kslab_mm_free_order(unsigned long pfn)
{
	unsigned int o;

	/* only the first page of a free block is marked PageBuddy */
	for (o = 0; o < MAX_ORDER; o++) {
		struct page *head = pfn_to_page(pfn & ~((1UL << o) - 1));

		if (PageBuddy(head) && page_private(head) == o)
			return o;
	}
	return MAX_ORDER;
}

static int kslab_mm_hold(struct kslab_mm_split *r, unsigned int order)
{
	struct page *page;

	if (r->nr_held == KSLAB_MM_DRAIN_MAX)
		return -EAGAIN;
	page = alloc_pages(KSLAB_MM_GFP, order);
	if (!page)
		return -ENOMEM;
	r->held[r->nr_held].page = page;
	r->held[r->nr_held].order = order;
	r->nr_held++;
	return 0;
}

/*
 * Take every free 128- and 256-page block of the zone GFP_KERNEL uses, so
 * that the next 128-page allocation splits a 512-page (or larger) block:
 * the allocator keeps the low half and frees the high one at each step.
 * Allocate 128 + 128 + 256 pages, which should be that block's quarters
 * and half, then free them and see the block whole again.
 */
static int kslab_mm_split(struct kslab_mm_split *r)
{
	struct page *blk[3];
	static const unsigned int orders[3] = {
		KSLAB_MM_SMALL, KSLAB_MM_SMALL, KSLAB_MM_LARGE
	};
	unsigned long flags;
	struct zone *zone;
	unsigned int o;
	int err, i;

	err = kslab_mm_hold(r, KSLAB_MM_SMALL);
	if (err)
		return err;
	zone = page_zone(r->held[0].page);
	for (;;) {
		spin_lock_irqsave(&zone->lock, flags);
		o = kslab_mm_small_free(zone);
		if (!o)
			kslab_mm_nr_free(zone, r->before);
		spin_unlock_irqrestore(&zone->lock, flags);
		if (!o)
			break;
		err = kslab_mm_hold(r, o);
		if (err)
			return err;
	}

	for (i = 0; i < 3; i++) {
		blk[i] = alloc_pages(KSLAB_MM_GFP, orders[i]);
		if (!blk[i]) {
			err = -ENOMEM;
			goto err_free_blocks;
		}
		r->pfn[i] = page_to_pfn(blk[i]);
		if (i)
			continue;
		spin_lock_irqsave(&zone->lock, flags);
		kslab_mm_nr_free(zone, r->after);
		spin_unlock_irqrestore(&zone->lock, flags);
	}
	for (i = 0; i < 3; i++)
		__free_pages(blk[i], orders[i]);
	spin_lock_irqsave(&zone->lock, flags);
	kslab_mm_nr_free(zone, r->merged);
	r->merged_order = kslab_mm_free_order(r->pfn[0]);
	spin_unlock_irqrestore(&zone->lock, flags);
	return 0;

err_free_blocks:
	while (i--)
		__free_pages(blk[i], orders[i]);
	return err;
}

static void kslab_mm_release(struct kslab_mm_split *r)
{
	r->drained = r->nr_held;
	while (r->nr_held) {
		r->nr_held--;
		__free_pages(r->held[r->nr_held].page,
			     r->held[r->nr_held].order);
	}
}

/* A block of every order, each freed at once: its pfn shows its alignment */
static int kslab_mm_put_blocks(struct sk_buff *msg)
{
	struct nlattr *nest;
	struct page *page;
	unsigned int o;
	u64 pfn;

	for (o = 0; o < MAX_ORDER; o++) {
		page = alloc_pages(KSLAB_MM_GFP, o);
		if (!page)
			return -ENOMEM;
		pfn = page_to_pfn(page);
		__free_pages(page, o);
		nest = nla_nest_start(msg, KLAB_SLAB_A_MM_BLOCK);
		if (!nest || nla_put_u32(msg, KLAB_SLAB_A_ORDER, o) ||
		    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_PFN, pfn))
			return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	return 0;
}

static int kslab_mm_put_split(struct sk_buff *msg,
			      const struct kslab_mm_split *r)
{
	if (nla_put_u32(msg, KLAB_SLAB_A_MM_DRAINED, r->drained) ||
	    nla_put(msg, KLAB_SLAB_A_MM_SPLIT_PFNS, sizeof(r->pfn), r->pfn) ||
	    nla_put(msg, KLAB_SLAB_A_MM_SPLIT_BEFORE, sizeof(r->before),
		    r->before) ||
	    nla_put(msg, KLAB_SLAB_A_MM_SPLIT_AFTER, sizeof(r->after),
		    r->after) ||
	    nla_put(msg, KLAB_SLAB_A_MM_MERGED, sizeof(r->merged), r->merged) ||
	    nla_put_u32(msg, KLAB_SLAB_A_MM_MERGED_ORDER, r->merged_order))
		return -EMSGSIZE;
	return 0;
}

int kslab_mm_buddy_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kslab_mm_split *r;
	struct sk_buff *msg;
	void *hdr;
	int err;

	r = kvzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_free_split;
	}
	hdr = klab_nl_reply_put(msg, info, KLAB_SLAB_CMD_MM_BUDDY);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free_msg;
	}
	err = kslab_mm_put_blocks(msg);
	if (err == -ENOMEM)
		GENL_SET_ERR_MSG(info, "no free block of some order");
	if (err)
		goto err_free_msg;
	err = kslab_mm_split(r);
	/* the drained blocks go back last: they would change the counts */
	kslab_mm_release(r);
	if (err == -EAGAIN)
		GENL_SET_ERR_MSG(info, "too many free 128- and 256-page blocks to drain");
	else if (err == -ENOMEM)
		GENL_SET_ERR_MSG(info, "no memory for the split");
	if (err)
		goto err_free_msg;
	if (nla_put_u32(msg, KLAB_SLAB_A_MM_MAX_ORDER, MAX_ORDER) ||
	    kslab_mm_put_split(msg, r)) {
		err = -EMSGSIZE;
		goto err_free_msg;
	}
	kvfree(r);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
err_free_split:
	kvfree(r);
	return err;
}

struct kslab_mm_walk {
	u32 idx[5];	/* PGD, P4D, PUD, PMD, PTE */
	u64 pfn;
};

/*
 * Walk @mm's tables for @addr down to a 4 KiB page; mmap_lock held.
 * Returns 0, or -EFAULT with the level where the walk ends in @extack.
 */
static int kslab_mm_walk(struct mm_struct *mm, unsigned long addr,
			 struct kslab_mm_walk *w, struct netlink_ext_ack *extack,
			 const struct nlattr *attr)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *ptep, pte;

	w->idx[0] = pgd_index(addr);
	w->idx[1] = p4d_index(addr);
	w->idx[2] = pud_index(addr);
	w->idx[3] = pmd_index(addr);
	w->idx[4] = pte_index(addr);

	pgd = pgd_offset(mm, addr);
	p4d = p4d_offset(pgd, addr);
	if (pgd_none(*pgd) || pgd_bad(*pgd) || p4d_none(*p4d) || p4d_bad(*p4d)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no page upper directory");
		return -EFAULT;
	}
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_leaf(*pud)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "no page middle directory (or a 1 GiB page)");
		return -EFAULT;
	}
	pmd = pmd_offset(pud, addr);
	if (pmd_none(*pmd) || pmd_leaf(*pmd)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "no page table (or a 2 MiB page)");
		return -EFAULT;
	}
	ptep = pte_offset_map(pmd, addr);
	pte = ptep_get(ptep);
	pte_unmap(ptep);
	if (!pte_present(pte)) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "page not present");
		return -EFAULT;
	}
	w->pfn = pte_pfn(pte);
	return 0;
}

int kslab_mm_walk_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *addr_attr = info->attrs[KLAB_SLAB_A_MM_ADDR];
	struct mm_struct *mm = current->mm;
	struct kslab_mm_walk w = {};
	struct vm_area_struct *vma;
	struct sk_buff *msg;
	u64 addr;
	int err;
	void *hdr;

	if (!addr_attr) {
		GENL_SET_ERR_MSG(info, "address missing");
		return -EINVAL;
	}
	if (!mm) {
		GENL_SET_ERR_MSG(info, "the caller has no address space");
		return -EINVAL;
	}
	addr = nla_get_u64(addr_attr);
	mmap_read_lock(mm);
	vma = find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		NL_SET_ERR_MSG_ATTR(info->extack, addr_attr,
				    "no mapping at that address");
		err = -EFAULT;
	} else {
		err = kslab_mm_walk(mm, addr, &w, info->extack, addr_attr);
	}
	mmap_read_unlock(mm);
	if (err)
		return err;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = klab_nl_reply_put(msg, info, KLAB_SLAB_CMD_MM_WALK);
	if (!hdr ||
	    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_ADDR, addr) ||
	    nla_put_u32(msg, KLAB_SLAB_A_MM_LEVELS,
			pgtable_l5_enabled() ? 5 : 4) ||
	    nla_put_u32(msg, KLAB_SLAB_A_MM_PGD, w.idx[0]) ||
	    nla_put_u32(msg, KLAB_SLAB_A_MM_P4D, w.idx[1]) ||
	    nla_put_u32(msg, KLAB_SLAB_A_MM_PUD, w.idx[2]) ||
	    nla_put_u32(msg, KLAB_SLAB_A_MM_PMD, w.idx[3]) ||
	    nla_put_u32(msg, KLAB_SLAB_A_MM_PTE, w.idx[4]) ||
	    nla_put_u32(msg, KLAB_SLAB_A_MM_PAGE_SHIFT, PAGE_SHIFT) ||
	    kslab_mm_put_u64(msg, KLAB_SLAB_A_MM_PFN, w.pfn)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}
