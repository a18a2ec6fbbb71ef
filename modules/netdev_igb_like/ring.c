// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: q_vectors and descriptor rings.  As in igb, each
 * q_vector embeds its TX and RX ring (igb_alloc_q_vector); the rings'
 * descriptors and buffer state are allocated when the device comes up
 * (igb_setup_all_tx_resources / igb_setup_all_rx_resources) and freed
 * when it goes down.  RX buffers are whole pages from a page_pool per
 * ring, posted in batches with one tail write per batch.
 */
#include <linux/vmalloc.h>

#include "netdev_igb_like.h"

static void kigb_ring_init(struct kigb_ring *ring, struct kigb_q_vector *q_vector,
			   unsigned int index, u16 count)
{
	ring->q_vector = q_vector;
	ring->netdev = q_vector->adapter->netdev;
	ring->queue_index = index;
	ring->count = count;
	spin_lock_init(&ring->wire_lock);
	u64_stats_init(&ring->syncp);
}

/**
 * kigb_alloc_q_vectors - igb_alloc_q_vectors: one vector per queue pair
 * @adapter: the device; num_queues set
 *
 * Return: 0 or -ENOMEM (nothing left allocated).
 */
int kigb_alloc_q_vectors(struct kigb_adapter *adapter)
{
	unsigned int i;

	for (i = 0; i < adapter->num_queues; i++) {
		struct kigb_q_vector *q_vector;

		q_vector = kzalloc(sizeof(*q_vector), GFP_KERNEL);
		if (!q_vector)
			goto err_free;
		q_vector->adapter = adapter;
		q_vector->v_idx = i;
		q_vector->tx.work_limit = KIGB_TX_WORK_LIMIT;
		q_vector->rx.itr = KIGB_LOW_LATENCY;
		q_vector->tx.itr = KIGB_LOW_LATENCY;
		u64_stats_init(&q_vector->syncp);

		kigb_ring_init(&q_vector->tx_ring, q_vector, i,
			       adapter->tx_ring_count);
		kigb_ring_init(&q_vector->rx_ring, q_vector, i,
			       adapter->rx_ring_count);
		q_vector->tx.ring = &q_vector->tx_ring;
		q_vector->rx.ring = &q_vector->rx_ring;
		adapter->tx_ring[i] = &q_vector->tx_ring;
		adapter->rx_ring[i] = &q_vector->rx_ring;

		netif_napi_add(adapter->netdev, &q_vector->napi, kigb_poll);
		spin_lock_bh(&adapter->stats_lock);
		adapter->q_vector[i] = q_vector;
		spin_unlock_bh(&adapter->stats_lock);
	}
	kigb_write_itr_setting(adapter);
	return 0;

err_free:
	kigb_free_q_vectors(adapter);
	return -ENOMEM;
}

/**
 * kigb_free_q_vectors - undo kigb_alloc_q_vectors()
 * @adapter: the device
 */
void kigb_free_q_vectors(struct kigb_adapter *adapter)
{
	unsigned int i;

	for (i = 0; i < KLAB_IGB_QUEUES_MAX; i++) {
		struct kigb_q_vector *q_vector = adapter->q_vector[i];

		if (!q_vector)
			continue;
		/* what it counted stays in the device's totals */
		spin_lock_bh(&adapter->stats_lock);
		kigb_add_q_vector_stats(q_vector, &adapter->stats_base);
		adapter->q_vector[i] = NULL;
		spin_unlock_bh(&adapter->stats_lock);
		adapter->tx_ring[i] = NULL;
		adapter->rx_ring[i] = NULL;
		netif_napi_del(&q_vector->napi);
		kfree(q_vector);
	}
}

static int kigb_setup_tx_resources(struct kigb_ring *tx_ring)
{
	tx_ring->tx_buffer_info = vcalloc(tx_ring->count,
					  sizeof(*tx_ring->tx_buffer_info));
	if (!tx_ring->tx_buffer_info)
		return -ENOMEM;
	tx_ring->desc = vcalloc(tx_ring->count, sizeof(struct kigb_tx_desc));
	if (!tx_ring->desc) {
		vfree(tx_ring->tx_buffer_info);
		tx_ring->tx_buffer_info = NULL;
		return -ENOMEM;
	}
	tx_ring->next_to_use = 0;
	tx_ring->next_to_clean = 0;
	tx_ring->tail = 0;
	tx_ring->head = 0;
	tx_ring->tso_seg = 0;
	return 0;
}

static void kigb_free_tx_resources(struct kigb_ring *tx_ring)
{
	kigb_clean_tx_ring(tx_ring);
	vfree(tx_ring->desc);
	tx_ring->desc = NULL;
	vfree(tx_ring->tx_buffer_info);
	tx_ring->tx_buffer_info = NULL;
}

static int kigb_setup_rx_resources(struct kigb_ring *rx_ring)
{
	/*
	 * The pool's ring keeps the pages the stack gives back for reuse.
	 * TCP holds far more of them than the RX ring has descriptors (a
	 * page per segment until the reader copies it out), and 6.1 returns
	 * them from process context through that ring only: at ring size a
	 * reader's burst of frees overflowed it to the page allocator, and
	 * the refill took fresh pages, each cleared (init_on_alloc).
	 */
	struct page_pool_params pp = {
		.order = 0,
		.pool_size = rx_ring->count * KIGB_RX_POOL_RINGS,
		.nid = NUMA_NO_NODE,
	};
	int err;

	rx_ring->rx_buffer_info = vcalloc(rx_ring->count,
					  sizeof(*rx_ring->rx_buffer_info));
	if (!rx_ring->rx_buffer_info)
		return -ENOMEM;
	rx_ring->desc = vcalloc(rx_ring->count, sizeof(struct kigb_rx_desc));
	if (!rx_ring->desc) {
		err = -ENOMEM;
		goto err_free_info;
	}

	rx_ring->page_pool = page_pool_create(&pp);
	if (IS_ERR(rx_ring->page_pool)) {
		err = PTR_ERR(rx_ring->page_pool);
		rx_ring->page_pool = NULL;
		goto err_free_desc;
	}

	err = xdp_rxq_info_reg(&rx_ring->xdp_rxq, rx_ring->netdev,
			       rx_ring->queue_index,
			       rx_ring->q_vector->napi.napi_id);
	if (err)
		goto err_destroy_pool;
	err = xdp_rxq_info_reg_mem_model(&rx_ring->xdp_rxq,
					 MEM_TYPE_PAGE_POOL,
					 rx_ring->page_pool);
	if (err)
		goto err_unreg_rxq;

	rx_ring->next_to_use = 0;
	rx_ring->next_to_clean = 0;
	rx_ring->tail = 0;
	rx_ring->head = 0;
	rx_ring->starved = false;
	rx_ring->rx_buf_len = kigb_rx_bufsz(rx_ring->q_vector->adapter);
	return 0;

err_unreg_rxq:
	xdp_rxq_info_unreg(&rx_ring->xdp_rxq);
err_destroy_pool:
	page_pool_destroy(rx_ring->page_pool);
	rx_ring->page_pool = NULL;
err_free_desc:
	vfree(rx_ring->desc);
	rx_ring->desc = NULL;
err_free_info:
	vfree(rx_ring->rx_buffer_info);
	rx_ring->rx_buffer_info = NULL;
	return err;
}

static void kigb_free_rx_resources(struct kigb_ring *rx_ring)
{
	kigb_clean_rx_ring(rx_ring);
	/* the pool lives on until the pages still in skbs come back */
	xdp_rxq_info_unreg(&rx_ring->xdp_rxq);
	page_pool_destroy(rx_ring->page_pool);
	rx_ring->page_pool = NULL;
	vfree(rx_ring->desc);
	rx_ring->desc = NULL;
	vfree(rx_ring->rx_buffer_info);
	rx_ring->rx_buffer_info = NULL;
}

/**
 * kigb_setup_rings - allocate every ring's descriptors and post RX buffers
 * @adapter: the device, q_vectors allocated
 *
 * Return: 0 or a negative errno (nothing left allocated).
 */
int kigb_setup_rings(struct kigb_adapter *adapter)
{
	unsigned int i;
	int err;

	for (i = 0; i < adapter->num_queues; i++) {
		err = kigb_setup_tx_resources(adapter->tx_ring[i]);
		if (err)
			goto err_free;
		err = kigb_setup_rx_resources(adapter->rx_ring[i]);
		if (err) {
			kigb_free_tx_resources(adapter->tx_ring[i]);
			goto err_free;
		}
		/* igb_configure: fill all but one descriptor */
		kigb_alloc_rx_buffers(adapter->rx_ring[i],
				      kigb_desc_unused(adapter->rx_ring[i]));
	}
	return 0;

err_free:
	while (i--) {
		kigb_free_rx_resources(adapter->rx_ring[i]);
		kigb_free_tx_resources(adapter->tx_ring[i]);
	}
	return err;
}

/**
 * kigb_free_rings - free every ring's descriptors and buffers
 * @adapter: the device; the peer's wire no longer uses its rings
 */
void kigb_free_rings(struct kigb_adapter *adapter)
{
	unsigned int i;

	for (i = 0; i < adapter->num_queues; i++) {
		kigb_free_rx_resources(adapter->rx_ring[i]);
		kigb_free_tx_resources(adapter->tx_ring[i]);
	}
}

/**
 * kigb_alloc_rx_buffers - igb_alloc_rx_buffers: post @cleaned_count buffers
 * @rx_ring: the ring
 * @cleaned_count: descriptors to refill
 *
 * Writes the tail register once for the batch; a transmitter paused on
 * this ring (flow control) is kicked to go on.
 *
 * Return: false when a page could not be allocated.
 */
bool kigb_alloc_rx_buffers(struct kigb_ring *rx_ring, u16 cleaned_count)
{
	struct kigb_rx_desc *desc = rx_ring->desc;
	u16 i = rx_ring->next_to_use;
	bool ok = true;

	while (cleaned_count--) {
		struct kigb_rx_buffer *bi = &rx_ring->rx_buffer_info[i];

		if (!bi->page) {
			bi->page = page_pool_dev_alloc_pages(rx_ring->page_pool);
			if (unlikely(!bi->page)) {
				u64_stats_update_begin(&rx_ring->syncp);
				rx_ring->rx_stats.alloc_failed++;
				u64_stats_update_end(&rx_ring->syncp);
				ok = false;
				break;
			}
		}
		desc[i].addr = page_address(bi->page);
		desc[i].status = 0;
		if (++i == rx_ring->count)
			i = 0;
	}

	if (rx_ring->next_to_use != i) {
		rx_ring->next_to_use = i;
		/* the tail write publishes the descriptors to the wire */
		smp_store_release(&rx_ring->tail, i);
		rx_ring->tail_writes++;
		/* pairs with kigb_wire_frame(): starved, then tail */
		smp_mb();
		if (READ_ONCE(rx_ring->starved)) {
			WRITE_ONCE(rx_ring->starved, false);
			kigb_wire_kick(rx_ring->q_vector->adapter);
		}
	}
	return ok;
}

/**
 * kigb_clean_tx_ring - igb_clean_tx_ring: drop what is still queued
 * @tx_ring: the ring, its wire and NAPI stopped
 */
void kigb_clean_tx_ring(struct kigb_ring *tx_ring)
{
	u16 i;

	if (!tx_ring->tx_buffer_info)
		return;
	for (i = 0; i < tx_ring->count; i++) {
		struct kigb_tx_buffer *tb = &tx_ring->tx_buffer_info[i];

		if (!tb->next_to_watch)
			continue;
		/* queued, but the wire never took it: a drop */
		if (!(tb->next_to_watch->status & KIGB_TXD_STAT_DD)) {
			u64_stats_update_begin(&tx_ring->syncp);
			tx_ring->tx_stats.dropped++;
			u64_stats_update_end(&tx_ring->syncp);
		}
		if (tb->type == KIGB_TYPE_XDP)
			xdp_return_frame(tb->xdpf);
		else
			dev_kfree_skb_any(tb->skb);
		tb->next_to_watch = NULL;
	}
	netdev_tx_reset_queue(kigb_txq(tx_ring));
	tx_ring->next_to_use = 0;
	tx_ring->next_to_clean = 0;
	tx_ring->tail = 0;
	tx_ring->head = 0;
	tx_ring->tso_seg = 0;
}

/**
 * kigb_clean_rx_ring - igb_clean_rx_ring: return every posted page
 * @rx_ring: the ring, its NAPI stopped and the peer's wire off it
 */
void kigb_clean_rx_ring(struct kigb_ring *rx_ring)
{
	unsigned int drops = 0;
	u16 i;

	if (!rx_ring->rx_buffer_info)
		return;
	if (rx_ring->skb)
		drops++;
	dev_kfree_skb(rx_ring->skb);
	rx_ring->skb = NULL;
	rx_ring->rx_discard = false;
	for (i = 0; i < rx_ring->count; i++) {
		struct kigb_rx_buffer *bi = &rx_ring->rx_buffer_info[i];
		struct kigb_rx_desc *rxd = (struct kigb_rx_desc *)rx_ring->desc + i;

		/* frames the wire delivered that the stack never saw */
		if ((rxd->status & KIGB_RXD_STAT_DD) &&
		    (rxd->status & KIGB_RXD_STAT_EOP))
			drops++;
		if (!bi->page)
			continue;
		page_pool_put_full_page(rx_ring->page_pool, bi->page, false);
		bi->page = NULL;
	}
	u64_stats_update_begin(&rx_ring->syncp);
	rx_ring->rx_stats.drops += drops;
	u64_stats_update_end(&rx_ring->syncp);
	rx_ring->next_to_use = 0;
	rx_ring->next_to_clean = 0;
	rx_ring->tail = 0;
	rx_ring->head = 0;
}
