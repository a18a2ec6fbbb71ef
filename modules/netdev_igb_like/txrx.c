// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: the data path, after igb_main.c.
 *
 * Transmit (igb_xmit_frame_ring): one descriptor per buffer of the skb,
 * the first remembering the skb and the last (EOP) watched by the
 * cleaner; stop the subqueue while fewer than KIGB_DESC_NEEDED
 * descriptors are free; BQL accounting; the tail written once per batch
 * (xmit_more), which sets the wire going.
 *
 * Poll (igb_poll): clean at most 128 completed TX frames, then receive up
 * to the budget (64): each DD descriptor's page becomes an skb (or goes
 * through XDP first), refilled KIGB_RX_BUFFER_WRITE at a time, handed to
 * napi_gro_receive().  A poll that used its budget returns it and stays
 * scheduled; one that did not completes and unmasks the vector.
 */
#include <linux/bpf_trace.h>
#include <linux/filter.h>
#include <linux/if_vlan.h>
#include <linux/tcp.h>

#include "netdev_igb_like.h"

/* igb_maybe_stop_tx: stop the subqueue unless @size descriptors are free */
static int kigb_maybe_stop_tx(struct kigb_ring *tx_ring, u16 size)
{
	if (likely(kigb_desc_unused(tx_ring) >= size))
		return 0;

	netif_stop_subqueue(tx_ring->netdev, tx_ring->queue_index);
	u64_stats_update_begin(&tx_ring->syncp);
	tx_ring->tx_stats.stops++;
	u64_stats_update_end(&tx_ring->syncp);

	/* the cleaner on another CPU may just have made room */
	smp_mb();
	if (kigb_desc_unused(tx_ring) < size)
		return -EBUSY;

	netif_wake_subqueue(tx_ring->netdev, tx_ring->queue_index);
	u64_stats_update_begin(&tx_ring->syncp);
	tx_ring->tx_stats.restart_queue++;
	u64_stats_update_end(&tx_ring->syncp);
	return 0;
}

/**
 * kigb_tx_write_tail - publish the ring's new descriptors to the wire
 * @tx_ring: the ring
 */
void kigb_tx_write_tail(struct kigb_ring *tx_ring)
{
	/* the descriptors are written before the wire reads the tail */
	smp_store_release(&tx_ring->tail, tx_ring->next_to_use);
	tx_ring->tail_writes++;
	kigb_wire_tx(tx_ring);
}

/* igb_tx_map: a descriptor per buffer, EOP on the last */
static void kigb_tx_map(struct kigb_ring *tx_ring,
			struct kigb_tx_buffer *first,
			const struct kigb_tx_desc *ctx)
{
	struct sk_buff *skb = first->skb;
	struct kigb_tx_desc *desc = tx_ring->desc, *eop;
	unsigned int nr_frags = skb_shinfo(skb)->nr_frags, f;
	u16 i = tx_ring->next_to_use;

	desc[i] = *ctx;
	desc[i].addr = skb->data;
	desc[i].len = skb_headlen(skb);
	desc[i].status = 0;

	for (f = 0; f < nr_frags; f++) {
		const skb_frag_t *frag = &skb_shinfo(skb)->frags[f];

		if (++i == tx_ring->count)
			i = 0;
		desc[i].addr = skb_frag_address(frag);
		desc[i].len = skb_frag_size(frag);
		desc[i].cmd = 0;
		desc[i].status = 0;
	}
	eop = &desc[i];
	eop->cmd |= KIGB_TXD_CMD_EOP;

	netdev_tx_sent_queue(kigb_txq(tx_ring), first->bytecount);
	skb_tx_timestamp(skb);

	/* the descriptors are complete before the cleaner may watch them */
	smp_wmb();
	first->next_to_watch = eop;

	if (++i == tx_ring->count)
		i = 0;
	tx_ring->next_to_use = i;

	kigb_maybe_stop_tx(tx_ring, KIGB_DESC_NEEDED);

	if (netif_xmit_stopped(kigb_txq(tx_ring)) || !netdev_xmit_more())
		kigb_tx_write_tail(tx_ring);
}

/*
 * igb_tso: a GSO skb goes out whole, its context telling the wire how to
 * cut it (the headers' lengths and the MSS).  The wire sends gso_segs
 * frames, each with a copy of the headers: BQL and the packet counters
 * see those (igb's bytecount and gso_segs).  The stack only hands over
 * TCP GSO skbs with CHECKSUM_PARTIAL (NETIF_F_TSO/TSO6 need checksum
 * offload), so the wire inserts each segment's checksum.
 */
static void kigb_tso(struct kigb_ring *tx_ring, struct kigb_tx_buffer *first,
		     struct kigb_tx_desc *ctx)
{
	struct sk_buff *skb = first->skb;

	ctx->cmd |= KIGB_TXD_CMD_TSO;
	ctx->mss = skb_shinfo(skb)->gso_size;
	ctx->hdr_len = skb_tcp_all_headers(skb);
	ctx->l3_start = skb_network_offset(skb);
	first->gso_segs = skb_shinfo(skb)->gso_segs;
	first->bytecount += (first->gso_segs - 1) * ctx->hdr_len;

	u64_stats_update_begin(&tx_ring->syncp);
	tx_ring->tx_stats.tso++;
	u64_stats_update_end(&tx_ring->syncp);
}

/**
 * kigb_xmit_frame_ring - igb_xmit_frame_ring: queue one skb on a TX ring
 * @skb: the frame
 * @tx_ring: the ring
 *
 * Return: NETDEV_TX_OK, or NETDEV_TX_BUSY when the ring is full.
 */
netdev_tx_t kigb_xmit_frame_ring(struct sk_buff *skb,
				 struct kigb_ring *tx_ring)
{
	u16 count = skb_shinfo(skb)->nr_frags + 1;
	struct kigb_tx_desc ctx = { };
	struct kigb_tx_buffer *first;

	/* a descriptor per buffer, plus igb's gap of 3 */
	if (kigb_maybe_stop_tx(tx_ring, count + 3)) {
		u64_stats_update_begin(&tx_ring->syncp);
		tx_ring->tx_stats.tx_busy++;
		u64_stats_update_end(&tx_ring->syncp);
		return NETDEV_TX_BUSY;
	}

	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		ctx.cmd |= KIGB_TXD_CMD_CSUM;
		ctx.csum_start = skb_checksum_start_offset(skb);
		ctx.csum_offset = skb->csum_offset;
	}

	first = &tx_ring->tx_buffer_info[tx_ring->next_to_use];
	first->type = KIGB_TYPE_SKB;
	first->skb = skb;
	first->bytecount = skb->len;
	first->gso_segs = 1;
	if (skb_is_gso(skb))
		kigb_tso(tx_ring, first, &ctx);
	kigb_tx_map(tx_ring, first, &ctx);
	return NETDEV_TX_OK;
}

/**
 * kigb_features_check - ndo_features_check, as igb_features_check
 * @skb: the frame
 * @netdev: the device
 * @features: what the device offers
 *
 * The wire rewrites a TSO segment's headers in its first RX buffer: a GSO
 * skb with longer headers than KIGB_RX_HDR_LEN is segmented by the stack.
 *
 * Return: the features usable for @skb.
 */
netdev_features_t kigb_features_check(struct sk_buff *skb,
				      struct net_device *netdev,
				      netdev_features_t features)
{
	if (skb_is_gso(skb) &&
	    (skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) &&
	    skb_tcp_all_headers(skb) > KIGB_RX_HDR_LEN)
		features &= ~NETIF_F_GSO_MASK;
	/* what the core checks for devices without this hook */
	return vlan_features_check(skb, features);
}

/**
 * kigb_xmit_frame - ndo_start_xmit
 * @skb: the frame
 * @netdev: the device
 *
 * Return: NETDEV_TX_OK or NETDEV_TX_BUSY.
 */
netdev_tx_t kigb_xmit_frame(struct sk_buff *skb, struct net_device *netdev)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	struct kigb_ring *tx_ring;

	tx_ring = adapter->tx_ring[skb->queue_mapping % adapter->num_queues];

	/* the wire carries frames of at least 60 bytes, as Ethernet pads */
	if (skb_put_padto(skb, ETH_ZLEN)) {
		u64_stats_update_begin(&tx_ring->syncp);
		tx_ring->tx_stats.dropped++;
		u64_stats_update_end(&tx_ring->syncp);
		return NETDEV_TX_OK;
	}
	return kigb_xmit_frame_ring(skb, tx_ring);
}

/*
 * Free a completed TX skb.  Out of the interrupt handler it may not be
 * freed there: dev_consume_skb_irq() puts it on this CPU's
 * softnet_data.completion_queue and raises NET_TX_SOFTIRQ, whose
 * net_tx_action() frees it.  In the poll napi_consume_skb() frees in bulk,
 * or with budget 0 (outside NAPI) through dev_consume_skb_any().
 */
static void kigb_tx_free_skb(struct sk_buff *skb, int napi_budget)
{
	if (napi_budget == KIGB_TX_CLEAN_HARDIRQ)
		dev_consume_skb_irq(skb);
	else
		napi_consume_skb(skb, napi_budget);
}

/**
 * kigb_clean_tx_irq - igb_clean_tx_irq: reclaim completed TX frames
 * @q_vector: the vector
 * @napi_budget: the poll's budget (0 from netpoll), or
 *	KIGB_TX_CLEAN_HARDIRQ from the interrupt handler
 *
 * Return: true when the ring was cleaned within the work limit.
 */
bool kigb_clean_tx_irq(struct kigb_q_vector *q_vector, int napi_budget)
{
	struct kigb_ring *tx_ring = q_vector->tx.ring;
	unsigned int total_bytes = 0, total_packets = 0;
	unsigned int budget = q_vector->tx.work_limit;
	u16 i = tx_ring->next_to_clean;
	struct kigb_tx_desc *desc = tx_ring->desc;

	do {
		struct kigb_tx_buffer *tb = &tx_ring->tx_buffer_info[i];
		struct kigb_tx_desc *eop = READ_ONCE(tb->next_to_watch);

		if (!eop)
			break;
		/* the descriptors are read only once their DD is seen */
		if (!(smp_load_acquire(&eop->status) & KIGB_TXD_STAT_DD))
			break;
		/*
		 * XDP frames go back to their page pool from the poll only
		 * (the pool's ring takes a BH lock): the poll cleans the rest
		 */
		if (napi_budget == KIGB_TX_CLEAN_HARDIRQ &&
		    tb->type == KIGB_TYPE_XDP)
			break;
		tb->next_to_watch = NULL;

		total_bytes += tb->bytecount;
		total_packets += tb->gso_segs;
		if (tb->type == KIGB_TYPE_XDP)
			xdp_return_frame(tb->xdpf);
		else
			kigb_tx_free_skb(tb->skb, napi_budget);

		/* step over the frame's descriptors to the one after EOP */
		while (&desc[i] != eop) {
			if (++i == tx_ring->count)
				i = 0;
		}
		desc[i].status = 0;
		if (++i == tx_ring->count)
			i = 0;
	} while (--budget);

	tx_ring->next_to_clean = i;
	u64_stats_update_begin(&tx_ring->syncp);
	tx_ring->stats.bytes += total_bytes;
	tx_ring->stats.packets += total_packets;
	u64_stats_update_end(&tx_ring->syncp);
	q_vector->tx.total_bytes += total_bytes;
	q_vector->tx.total_packets += total_packets;

	netdev_tx_completed_queue(kigb_txq(tx_ring), total_packets,
				  total_bytes);

	if (unlikely(total_packets && netif_carrier_ok(tx_ring->netdev) &&
		     kigb_desc_unused(tx_ring) >= KIGB_TX_WAKE_THRESHOLD)) {
		/* pairs with kigb_maybe_stop_tx() */
		smp_mb();
		if (__netif_subqueue_stopped(tx_ring->netdev,
					     tx_ring->queue_index)) {
			netif_wake_subqueue(tx_ring->netdev,
					    tx_ring->queue_index);
			u64_stats_update_begin(&tx_ring->syncp);
			tx_ring->tx_stats.restart_queue++;
			u64_stats_update_end(&tx_ring->syncp);
		}
	}
	return !!budget;
}

enum kigb_xdp_result {
	KIGB_XDP_PASS,
	KIGB_XDP_CONSUMED,	/* dropped, page back to the pool */
	KIGB_XDP_TX,
	KIGB_XDP_REDIR,
};

static void kigb_rx_count(struct kigb_ring *rx_ring, u64 *counter)
{
	u64_stats_update_begin(&rx_ring->syncp);
	(*counter)++;
	u64_stats_update_end(&rx_ring->syncp);
}

/* igb_run_xdp */
static enum kigb_xdp_result kigb_run_xdp(struct kigb_ring *rx_ring,
					 struct bpf_prog *prog,
					 struct xdp_buff *xdp)
{
	struct kigb_adapter *adapter = rx_ring->q_vector->adapter;
	struct kigb_rx_queue_stats *st = &rx_ring->rx_stats;
	struct xdp_frame *xdpf;
	u32 act;

	act = bpf_prog_run_xdp(prog, xdp);
	switch (act) {
	case XDP_PASS:
		kigb_rx_count(rx_ring, &st->xdp_pass);
		return KIGB_XDP_PASS;
	case XDP_TX:
		xdpf = xdp_convert_buff_to_frame(xdp);
		if (unlikely(!xdpf) ||
		    kigb_xmit_xdp_ring(adapter->tx_ring[rx_ring->queue_index],
				       xdpf)) {
			kigb_rx_count(rx_ring, &st->xdp_tx_err);
			goto out_failure;
		}
		kigb_rx_count(rx_ring, &st->xdp_tx);
		return KIGB_XDP_TX;
	case XDP_REDIRECT:
		if (xdp_do_redirect(rx_ring->netdev, xdp, prog)) {
			kigb_rx_count(rx_ring, &st->xdp_redirect_err);
			goto out_failure;
		}
		kigb_rx_count(rx_ring, &st->xdp_redirect);
		return KIGB_XDP_REDIR;
	default:
		bpf_warn_invalid_xdp_action(rx_ring->netdev, prog, act);
		fallthrough;
	case XDP_ABORTED:
		kigb_rx_count(rx_ring, &st->xdp_aborted);
out_failure:
		trace_xdp_exception(rx_ring->netdev, prog, act);
		return KIGB_XDP_CONSUMED;
	case XDP_DROP:
		kigb_rx_count(rx_ring, &st->xdp_drop);
		return KIGB_XDP_CONSUMED;
	}
}

/*
 * igb_rx_checksum and igb_rx_hash.  @status is the EOP descriptor's
 * status as read before the descriptor was handed back (its status word
 * is cleared by then); the hash fields stay until the next refill.
 */
static void kigb_process_skb_fields(struct kigb_ring *rx_ring,
				    const struct kigb_rx_desc *desc,
				    u32 status, struct sk_buff *skb)
{
	struct net_device *netdev = rx_ring->netdev;

	if ((netdev->features & NETIF_F_RXCSUM) &&
	    (status & KIGB_RXD_STAT_L4CS)) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
		u64_stats_update_begin(&rx_ring->syncp);
		rx_ring->rx_stats.csum_good++;
		u64_stats_update_end(&rx_ring->syncp);
	}
	if ((netdev->features & NETIF_F_RXHASH) &&
	    desc->hash_type != PKT_HASH_TYPE_NONE)
		skb_set_hash(skb, desc->rss_hash, desc->hash_type);

	skb_record_rx_queue(skb, rx_ring->queue_index);
	skb->protocol = eth_type_trans(skb, netdev);
}

/* The headroom of each skb handed up, as received: ethtool -S shows it */
static void kigb_rx_note_headroom(struct kigb_ring *rx_ring,
				  struct sk_buff *skb, bool allocated)
{
	struct kigb_rx_queue_stats *st = &rx_ring->rx_stats;
	unsigned int headroom = skb_headroom(skb);

	u64_stats_update_begin(&rx_ring->syncp);
	if (allocated)
		st->skb_alloc++;
	if (!st->headroom_min || headroom < st->headroom_min)
		st->headroom_min = headroom;
	if (headroom > st->headroom_max)
		st->headroom_max = headroom;
	u64_stats_update_end(&rx_ring->syncp);
}

/*
 * igb_construct_skb (legacy-rx): a small skb from napi_alloc_skb(), which
 * reserves NET_SKB_PAD + NET_IP_ALIGN itself, gets a copy of the headers;
 * the rest of the buffer stays in the page, attached as a fragment.
 */
static struct sk_buff *kigb_construct_skb(struct kigb_ring *rx_ring,
					  struct page *page,
					  unsigned int offset, unsigned int len)
{
	const u8 *va = page_address(page) + offset;
	unsigned int headlen = len;
	struct sk_buff *skb;

	skb = napi_alloc_skb(&rx_ring->q_vector->napi, KIGB_RX_HDR_LEN);
	if (unlikely(!skb))
		return NULL;
	/* before the driver moves anything: what the allocator reserved */
	kigb_rx_note_headroom(rx_ring, skb, true);

	if (headlen > KIGB_RX_HDR_LEN)
		headlen = eth_get_headlen(rx_ring->netdev, va, KIGB_RX_HDR_LEN);
	memcpy(__skb_put(skb, headlen), va, headlen);
	if (len > headlen) {
		skb_add_rx_frag(skb, 0, page, offset + headlen, len - headlen,
				PAGE_SIZE);
		skb_mark_for_recycle(skb);
	} else {
		page_pool_recycle_direct(rx_ring->page_pool, page);
	}
	return skb;
}

/*
 * The first buffer of a frame becomes the skb's head (build_skb) or is
 * copied (legacy-rx); later buffers are fragments
 */
static struct sk_buff *kigb_build_skb(struct kigb_ring *rx_ring,
				      struct sk_buff *skb, struct page *page,
				      unsigned int headroom, unsigned int len)
{
	if (skb) {
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page,
				KIGB_RX_HEADROOM, len, PAGE_SIZE);
		skb_mark_for_recycle(skb);
		return skb;
	}

	if (rx_ring->rx_buf_len == KIGB_RX_BUFSZ_LEGACY)
		return kigb_construct_skb(rx_ring, page, headroom, len);

	skb = napi_build_skb(page_address(page), PAGE_SIZE);
	if (unlikely(!skb))
		return NULL;
	skb_reserve(skb, headroom);
	__skb_put(skb, len);
	skb_mark_for_recycle(skb);
	kigb_rx_note_headroom(rx_ring, skb, false);
	return skb;
}

/**
 * kigb_clean_rx_irq - igb_clean_rx_irq: receive up to @budget frames
 * @q_vector: the vector
 * @budget: the most frames to pass up
 *
 * Return: frames received (passed, dropped by XDP or consumed by it).
 */
int kigb_clean_rx_irq(struct kigb_q_vector *q_vector, int budget)
{
	struct kigb_adapter *adapter = q_vector->adapter;
	struct kigb_ring *rx_ring = q_vector->rx.ring;
	unsigned int total_bytes = 0, total_packets = 0;
	u16 cleaned_count = kigb_desc_unused(rx_ring);
	struct sk_buff *skb = rx_ring->skb;
	struct kigb_rx_desc *desc = rx_ring->desc;
	bool xdp_redirected = false, xdp_tx = false;
	struct bpf_prog *prog;
	struct xdp_buff xdp;

	prog = rcu_dereference_bh(adapter->xdp_prog);
	xdp_init_buff(&xdp, PAGE_SIZE, &rx_ring->xdp_rxq);

	while (likely(total_packets < budget)) {
		u16 i = rx_ring->next_to_clean;
		struct kigb_rx_desc *rxd = &desc[i];
		struct kigb_rx_buffer *bi;
		unsigned int headroom = KIGB_RX_HEADROOM, len;
		enum kigb_xdp_result res = KIGB_XDP_PASS;
		struct page *page;
		u32 status;

		/* return some buffers to hardware, one at a time is too slow */
		if (cleaned_count >= KIGB_RX_BUFFER_WRITE) {
			kigb_alloc_rx_buffers(rx_ring, cleaned_count);
			cleaned_count = kigb_desc_unused(rx_ring);
		}

		/* DD first: the rest of the descriptor was written before */
		status = smp_load_acquire(&rxd->status);
		if (!(status & KIGB_RXD_STAT_DD))
			break;
		rxd->status = 0;
		len = rxd->length;

		bi = &rx_ring->rx_buffer_info[i];
		page = bi->page;
		bi->page = NULL;
		cleaned_count++;
		rx_ring->next_to_clean = i + 1 == rx_ring->count ? 0 : i + 1;

		/* the rest of a frame whose first buffer found no skb */
		if (unlikely(rx_ring->rx_discard)) {
			page_pool_recycle_direct(rx_ring->page_pool, page);
			if (status & KIGB_RXD_STAT_EOP)
				rx_ring->rx_discard = false;
			continue;
		}

		/* XDP sees whole frames in one buffer only (the MTU ensures it) */
		if (prog && !skb && (status & KIGB_RXD_STAT_EOP)) {
			xdp_prepare_buff(&xdp, page_address(page),
					 KIGB_RX_HEADROOM, len, true);
			res = kigb_run_xdp(rx_ring, prog, &xdp);
			if (res != KIGB_XDP_PASS) {
				if (res == KIGB_XDP_CONSUMED)
					page_pool_recycle_direct(rx_ring->page_pool,
								 page);
				xdp_tx |= res == KIGB_XDP_TX;
				xdp_redirected |= res == KIGB_XDP_REDIR;
				total_packets++;
				total_bytes += len;
				continue;
			}
			/* the program may have moved the frame's bounds */
			headroom = xdp.data - xdp.data_hard_start;
			len = xdp.data_end - xdp.data;
		}

		skb = kigb_build_skb(rx_ring, skb, page, headroom, len);
		if (unlikely(!skb)) {
			page_pool_recycle_direct(rx_ring->page_pool, page);
			kigb_rx_count(rx_ring, &rx_ring->rx_stats.alloc_failed);
			kigb_rx_count(rx_ring, &rx_ring->rx_stats.drops);
			/* drop the frame's later buffers too */
			rx_ring->rx_discard = !(status & KIGB_RXD_STAT_EOP);
			continue;
		}

		if (!(status & KIGB_RXD_STAT_EOP))
			continue;

		total_bytes += skb->len;
		kigb_process_skb_fields(rx_ring, rxd, status, skb);
		napi_gro_receive(&q_vector->napi, skb);
		skb = NULL;
		total_packets++;
	}

	/* a frame spanning descriptors waits for the next poll */
	rx_ring->skb = skb;

	if (xdp_tx) {
		struct kigb_ring *tx_ring = adapter->tx_ring[rx_ring->queue_index];
		struct netdev_queue *nq = kigb_txq(tx_ring);

		__netif_tx_lock(nq, smp_processor_id());
		kigb_tx_write_tail(tx_ring);
		__netif_tx_unlock(nq);
	}
	if (xdp_redirected)
		xdp_do_flush();

	u64_stats_update_begin(&rx_ring->syncp);
	rx_ring->stats.packets += total_packets;
	rx_ring->stats.bytes += total_bytes;
	u64_stats_update_end(&rx_ring->syncp);
	q_vector->rx.total_packets += total_packets;
	q_vector->rx.total_bytes += total_bytes;

	if (cleaned_count)
		kigb_alloc_rx_buffers(rx_ring, cleaned_count);

	return total_packets;
}

/**
 * kigb_poll - igb_poll: NAPI polling of one q_vector
 * @napi: the vector's NAPI instance
 * @budget: at most this many RX frames (NAPI_POLL_WEIGHT, 64)
 *
 * Return: the RX work done; @budget to stay on the poll list.
 */
int kigb_poll(struct napi_struct *napi, int budget)
{
	struct kigb_q_vector *q_vector =
		container_of(napi, struct kigb_q_vector, napi);
	unsigned long start = jiffies;
	bool clean_complete = true;
	int work_done = 0, cleaned, slow_waits = 0;

	clean_complete = kigb_clean_tx_irq(q_vector, budget);

	cleaned = kigb_clean_rx_irq(q_vector, budget);
	work_done += cleaned;
	/*
	 * rx-poll-slow: a poll that received frames lasts until
	 * KIGB_RX_SLOW_JIFFIES ticks after its start, so net_rx_action's
	 * check after it finds its run past time_limit whatever the
	 * machine's speed (a udelay's length under emulation is not)
	 */
	if (unlikely(READ_ONCE(q_vector->adapter->rx_poll_slow)) && cleaned) {
		while (time_before(jiffies, start + KIGB_RX_SLOW_JIFFIES))
			cpu_relax();
		slow_waits = 1;
	}
	if (cleaned >= budget)
		clean_complete = false;

	u64_stats_update_begin(&q_vector->syncp);
	q_vector->stats.polls++;
	q_vector->stats.hist[min(work_done, KLAB_IGB_POLL_HIST_LEN - 1)]++;
	if (work_done >= budget)
		q_vector->stats.polls_full++;
	q_vector->stats.slow_waits += slow_waits;
	u64_stats_update_end(&q_vector->syncp);

	/* if all work not completed, return budget and keep polling */
	if (!clean_complete)
		return budget;

	if (likely(napi_complete_done(napi, work_done))) {
		u64_stats_update_begin(&q_vector->syncp);
		q_vector->stats.completes++;
		u64_stats_update_end(&q_vector->syncp);
		kigb_ring_irq_enable(q_vector);
	}
	return work_done;
}
