// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: the wire, playing the hardware of both ends.
 *
 * A write of a TX ring's tail register runs kigb_wire_tx() on that ring,
 * the DMA engine of igb's transmit unit: for each frame between the
 * ring's head and its tail it parses the headers for RSS, picks the
 * receiver's RX ring through its indirection table, copies the frame
 * into the buffers posted there (inserting the L4 checksum when the
 * descriptor asks), writes the RX descriptors back with DD and EOP, and
 * sets DD on the frame's last TX descriptor.  Then it raises the RX cause
 * of the receiving vectors and the TX cause of its own.  A TSO frame is
 * cut into MSS-sized TCP segments on the way, each delivered as a frame.
 *
 * A receiver without posted buffers either drops the frame (missed, as
 * igb's MPC counts) or, with flow control on both ends, pauses the
 * transmitter: the frame stays on the TX ring until the receiver posts
 * buffers and kigb_alloc_rx_buffers() kicks the wire again.
 */
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/checksum.h>

#include "netdev_igb_like.h"

/**
 * kigb_rss_hash - the receiver's RSS hash of a frame
 * @adapter: the receiver (its key)
 * @frame: the frame's first bytes
 * @len: bytes at @frame
 * @type: PKT_HASH_TYPE_L4, _L3 or _NONE
 *
 * IPv4 and IPv6 hash their addresses, and TCP and UDP add their ports
 * (igb's MRQC: IPV4, IPV4_TCP, IPV4_UDP, IPV6, IPV6_TCP, IPV6_UDP);
 * fragments other than the first and other protocols hash addresses only.
 *
 * Return: the Toeplitz hash, 0 with PKT_HASH_TYPE_NONE for other frames.
 */
u32 kigb_rss_hash(const struct kigb_adapter *adapter, const u8 *frame,
		  unsigned int len, enum pkt_hash_types *type)
{
	u8 tuple[KLAB_TOEPLITZ_MAX_INPUT];
	unsigned int off = ETH_HLEN, alen, l4 = 0;
	__be16 proto;
	u8 nexthdr;

	*type = PKT_HASH_TYPE_NONE;
	if (len < ETH_HLEN)
		return 0;
	proto = ((const struct ethhdr *)frame)->h_proto;
	if (proto == htons(ETH_P_8021Q) && len >= VLAN_ETH_HLEN) {
		proto = ((const struct vlan_ethhdr *)frame)->h_vlan_encapsulated_proto;
		off = VLAN_ETH_HLEN;
	}

	if (proto == htons(ETH_P_IP)) {
		const struct iphdr *iph = (const void *)(frame + off);

		if (len < off + sizeof(*iph) || iph->ihl < 5)
			return 0;
		alen = 4;
		memcpy(tuple, &iph->addrs, sizeof(iph->addrs));
		nexthdr = iph->protocol;
		if (!(iph->frag_off & htons(IP_OFFSET)))
			l4 = off + iph->ihl * 4;
	} else if (proto == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = (const void *)(frame + off);

		if (len < off + sizeof(*ip6h))
			return 0;
		alen = 16;
		memcpy(tuple, &ip6h->addrs, sizeof(ip6h->addrs));
		nexthdr = ip6h->nexthdr;
		l4 = off + sizeof(*ip6h);
	} else {
		return 0;
	}

	*type = PKT_HASH_TYPE_L3;
	if (l4 && (nexthdr == IPPROTO_TCP || nexthdr == IPPROTO_UDP) &&
	    len >= l4 + 4) {
		memcpy(tuple + 2 * alen, frame + l4, 4);
		*type = PKT_HASH_TYPE_L4;
		return klab_toeplitz_hash_table(adapter->rss_table, tuple,
						2 * alen + 4);
	}
	return klab_toeplitz_hash_table(adapter->rss_table, tuple, 2 * alen);
}

/* The end of the wire a TX ring sends to, up and running, or NULL */
static struct kigb_adapter *kigb_wire_receiver(struct kigb_adapter *adapter)
{
	struct kigb_adapter *rx;

	if (adapter->loopback)
		return adapter;
	rx = rcu_dereference_bh(adapter->peer);
	/* a peer in its self-test's loopback hears nothing from us */
	if (!rx || !smp_load_acquire(&rx->up) || READ_ONCE(rx->loopback))
		return NULL;
	return rx;
}

/* Descriptors the receiver posted that the wire has not written */
static u16 kigb_rx_posted(struct kigb_ring *rx_ring)
{
	/* pairs with the refill's release: the posted buffers are set */
	u16 tail = smp_load_acquire(&rx_ring->tail);

	if (tail >= rx_ring->head)
		return tail - rx_ring->head;
	return rx_ring->count + tail - rx_ring->head;
}

/*
 * Store the folded @csum in the copied frame's checksum field, @field
 * bytes into the frame that starts at buffer @first: in a jumbo frame its
 * two bytes may straddle two buffers
 */
static void kigb_wire_csum_store(struct kigb_ring *rx_ring, u16 first,
				 unsigned int field, __wsum csum)
{
	struct kigb_rx_desc *desc = rx_ring->desc;
	unsigned int bufsz = rx_ring->rx_buf_len, i;
	__sum16 sum = csum_fold(csum) ?: CSUM_MANGLED_0;

	for (i = 0; i < 2; i++) {
		unsigned int at = field + i;
		u16 bd = (first + at / bufsz) % rx_ring->count;

		*((u8 *)desc[bd].addr + KIGB_RX_HEADROOM + at % bufsz) =
			((u8 *)&sum)[i];
	}
}

/*
 * What the wire sends of the frame at a TX ring's head: @hdr bytes from
 * the frame's start, then @len bytes from @off.  A plain frame is all
 * payload (@hdr 0); a TSO frame is cut into segments, each the headers
 * and the @index-th MSS of the payload.
 */
struct kigb_wire_seg {
	unsigned int hdr;
	unsigned int off;
	unsigned int len;
	unsigned int index;
	bool last;
};

/*
 * Where the wire writes in an RX ring: buffer @d, @doff bytes into it,
 * @pos bytes into the frame.  The bytes from @sum_from on are summed
 * into @csum as they are copied (the checksum engine works on the data
 * in flight: one pass over it, not two).
 */
struct kigb_wire_dst {
	struct kigb_ring *ring;
	u16 d;
	unsigned int doff;
	unsigned int pos;
	unsigned int sum_from;
	__wsum csum;
};

/* Copy @k bytes, summing those from dst->sum_from on */
static void kigb_wire_move(struct kigb_wire_dst *dst, u8 *to, const u8 *from,
			   unsigned int k)
{
	unsigned int plain = 0;

	if (dst->pos < dst->sum_from)
		plain = min(k, dst->sum_from - dst->pos);
	memcpy(to, from, plain);
	if (plain < k)
		dst->csum = csum_block_add(dst->csum,
					   csum_partial_copy_nocheck(from + plain,
								     to + plain,
								     k - plain),
					   dst->pos + plain - dst->sum_from);
	dst->pos += k;
}

/*
 * DMA @n bytes of the frame starting at TX descriptor @s, from its
 * offset @off, to @dst, moving to the next posted buffer when one is full
 */
static void kigb_wire_gather(const struct kigb_ring *tx_ring, u16 s,
			     unsigned int off, unsigned int n,
			     struct kigb_wire_dst *dst)
{
	const struct kigb_tx_desc *txd = tx_ring->desc;
	struct kigb_rx_desc *rxd = dst->ring->desc;
	unsigned int bufsz = dst->ring->rx_buf_len, k;

	while (off >= txd[s].len) {
		off -= txd[s].len;
		if (++s == tx_ring->count)
			s = 0;
	}
	while (n) {
		if (dst->doff == bufsz) {
			rxd[dst->d].length = bufsz;
			dst->doff = 0;
			if (++dst->d == dst->ring->count)
				dst->d = 0;
		}
		k = min3(n, txd[s].len - off, bufsz - dst->doff);
		kigb_wire_move(dst, (u8 *)rxd[dst->d].addr + KIGB_RX_HEADROOM +
			       dst->doff, (const u8 *)txd[s].addr + off, k);
		dst->doff += k;
		off += k;
		n -= k;
		if (off == txd[s].len && n) {
			off = 0;
			if (++s == tx_ring->count)
				s = 0;
		}
	}
}

/*
 * The headers of a TSO segment, as the 82576 rewrites them: the IP total
 * length (IPv4: the id advanced by the segment's number, the header
 * checksum) or payload length, the TCP sequence number advanced by the
 * payload before it, FIN and PSH on the last segment only, CWR on the
 * first only, and the pseudo-header sum of the segment's length in the
 * checksum field for the L4 checksum insertion to complete.  The headers
 * are in the segment's first buffer (a buffer holds at least 2048 bytes).
 */
static void kigb_wire_tso_headers(u8 *frame, const struct kigb_tx_desc *ctx,
				  const struct kigb_wire_seg *seg)
{
	unsigned int l4len = seg->hdr + seg->len - ctx->csum_start;
	struct tcphdr *th = (struct tcphdr *)(frame + ctx->csum_start);
	struct iphdr *iph = (struct iphdr *)(frame + ctx->l3_start);

	if (iph->version == 4) {
		iph->tot_len = htons(seg->hdr + seg->len - ctx->l3_start);
		iph->id = htons(ntohs(iph->id) + seg->index);
		iph->check = 0;
		iph->check = ip_fast_csum(iph, iph->ihl);
		th->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr, l4len,
					       IPPROTO_TCP, 0);
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)iph;

		ip6h->payload_len = htons(seg->hdr + seg->len -
					  ctx->l3_start - sizeof(*ip6h));
		th->check = ~csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, l4len,
					     IPPROTO_TCP, 0);
	}
	th->seq = htonl(ntohl(th->seq) + seg->off - seg->hdr);
	if (!seg->last) {
		th->fin = 0;
		th->psh = 0;
	}
	if (seg->index)
		th->cwr = 0;
}

/*
 * Copy @seg of the frame at TX descriptor @first into @rx_ring's posted
 * buffers from its head and write the RX descriptors back.  The caller
 * checked that @need buffers are posted.  Under rx_ring->wire_lock.
 */
static void kigb_wire_copy(struct kigb_ring *tx_ring, u16 first,
			   const struct kigb_wire_seg *seg,
			   struct kigb_ring *rx_ring, unsigned int need,
			   u32 hash, enum pkt_hash_types hash_type)
{
	const struct kigb_tx_desc *txd = tx_ring->desc, *ctx = &txd[first];
	struct kigb_wire_dst dst = {
		.ring = rx_ring, .d = rx_ring->head, .sum_from = UINT_MAX,
	};
	struct kigb_rx_desc *rxd = rx_ring->desc;
	u8 *data = (u8 *)rxd[rx_ring->head].addr + KIGB_RX_HEADROOM;
	u16 d, start = rx_ring->head;
	u32 status = KIGB_RXD_STAT_DD;

	/* a TSO segment's headers are summed once they are rewritten */
	if (ctx->cmd & KIGB_TXD_CMD_CSUM)
		dst.sum_from = seg->hdr ?: ctx->csum_start;
	if (seg->hdr)
		kigb_wire_gather(tx_ring, first, 0, seg->hdr, &dst);
	kigb_wire_gather(tx_ring, first, seg->off, seg->len, &dst);
	/* a short last segment is padded as the driver pads short frames */
	if (dst.doff < ETH_ZLEN && dst.d == start) {
		memset(data + dst.doff, 0, ETH_ZLEN - dst.doff);
		dst.doff = ETH_ZLEN;
	}
	rxd[dst.d].length = dst.doff;

	if (ctx->cmd & KIGB_TXD_CMD_TSO) {
		kigb_wire_tso_headers(data, ctx, seg);
		dst.csum = csum_block_add(csum_partial(data + ctx->csum_start,
						       seg->hdr - ctx->csum_start,
						       0),
					  dst.csum, seg->hdr - ctx->csum_start);
	}
	if (ctx->cmd & KIGB_TXD_CMD_CSUM) {
		kigb_wire_csum_store(rx_ring, start,
				     ctx->csum_start + ctx->csum_offset,
				     dst.csum);
		status |= KIGB_RXD_STAT_L4CS;
	}

	/* write back: DD last, so the driver sees a whole descriptor */
	for (d = start; need--; ) {
		rxd[d].rss_hash = hash;
		rxd[d].hash_type = hash_type;
		/* the data and the fields above are visible before DD */
		smp_store_release(&rxd[d].status,
				  need ? status : status | KIGB_RXD_STAT_EOP);
		if (++d == rx_ring->count)
			d = 0;
	}
	rx_ring->head = d;
}

static void kigb_wire_count(struct kigb_ring *ring, u64 *counter)
{
	u64_stats_update_begin(&ring->syncp);
	(*counter)++;
	u64_stats_update_end(&ring->syncp);
}

/* Flow control: the transmitter waits when both ends agree on pause */
static bool kigb_wire_pause(struct kigb_adapter *tx, struct kigb_adapter *rx)
{
	return READ_ONCE(tx->fc_rx_pause) && READ_ONCE(rx->fc_tx_pause);
}

/*
 * The receiver's RSS verdict on a frame: its hash and the RX ring the
 * indirection table picks.  The segments of a TSO frame share the frame's
 * tuple, so one verdict serves them all.
 */
struct kigb_wire_rss {
	struct kigb_ring *ring;
	u32 hash;
	enum pkt_hash_types type;
};

static void kigb_wire_classify(const struct kigb_ring *tx_ring, u16 first,
			       struct kigb_adapter *rx,
			       struct kigb_wire_rss *rss)
{
	const struct kigb_tx_desc *txd = tx_ring->desc;

	rss->hash = kigb_rss_hash(rx, txd[first].addr, txd[first].len,
				  &rss->type);
	rss->ring = rx->rx_ring[rss->type == PKT_HASH_TYPE_NONE ? 0 :
				READ_ONCE(rx->reta[rss->hash % KIGB_RETA_SIZE]) %
				rx->num_queues];
}

/*
 * Deliver @seg of the frame at TX descriptor @first to @rx's ring chosen
 * by @rss, marking the ring's vector in @rx_vectors, or drop it (counted);
 * under tx_ring->wire_lock.  Return: true if it must wait for buffers.
 */
static bool
kigb_wire_frame(struct kigb_ring *tx_ring, u16 first,
		const struct kigb_wire_seg *seg, struct kigb_adapter *rx,
		const struct kigb_wire_rss *rss, unsigned long *rx_vectors)
{
	struct kigb_adapter *tx = tx_ring->q_vector->adapter;
	struct kigb_ring *rx_ring = rss->ring;
	unsigned int len = seg->hdr + seg->len, need;

	need = DIV_ROUND_UP(len, rx_ring->rx_buf_len);

	spin_lock(&rx_ring->wire_lock);
	if (len > READ_ONCE(rx->netdev->mtu) + VLAN_ETH_HLEN) {
		kigb_wire_count(rx_ring, &rx_ring->wire_stats.length_errors);
		spin_unlock(&rx_ring->wire_lock);
		return false;
	}
	if (kigb_rx_posted(rx_ring) < need) {
		if (!kigb_wire_pause(tx, rx)) {
			kigb_wire_count(rx_ring, &rx_ring->wire_stats.missed);
			spin_unlock(&rx_ring->wire_lock);
			return false;
		}
		/* flow control: wait for the receiver's next refill */
		WRITE_ONCE(rx_ring->starved, true);
		/* pairs with kigb_alloc_rx_buffers(): tail, then starved */
		smp_mb();
		if (kigb_rx_posted(rx_ring) < need) {
			kigb_wire_count(rx_ring, &rx_ring->wire_stats.pauses);
			spin_unlock(&rx_ring->wire_lock);
			return true;
		}
	}
	kigb_wire_copy(tx_ring, first, seg, rx_ring, need, rss->hash,
		       rss->type);
	spin_unlock(&rx_ring->wire_lock);
	__set_bit(rx_ring->queue_index, rx_vectors);
	return false;
}

/*
 * Send the frame of @len bytes at TX descriptor @first: whole, or with
 * CMD_TSO as segments from tx_ring->tso_seg on, each delivered (or
 * dropped) on its own; flow control may stop the wire between two.
 * The frame is hashed once: its segments go to the same RX ring.
 * Return: true if a segment must wait for buffers.
 */
static bool
kigb_wire_send(struct kigb_ring *tx_ring, u16 first, unsigned int len,
	       struct kigb_adapter *rx, unsigned long *rx_vectors)
{
	const struct kigb_tx_desc *txd = tx_ring->desc, *ctx = &txd[first];
	struct kigb_wire_seg seg = { .len = len, .last = true };
	struct kigb_wire_rss rss;
	unsigned int segs;

	kigb_wire_classify(tx_ring, first, rx, &rss);
	if (!(ctx->cmd & KIGB_TXD_CMD_TSO))
		return kigb_wire_frame(tx_ring, first, &seg, rx, &rss,
				       rx_vectors);

	seg.hdr = ctx->hdr_len;
	segs = DIV_ROUND_UP(len - seg.hdr, ctx->mss);
	for (seg.index = tx_ring->tso_seg; seg.index < segs; seg.index++) {
		seg.off = seg.hdr + seg.index * ctx->mss;
		seg.len = min_t(unsigned int, ctx->mss, len - seg.off);
		seg.last = seg.index + 1 == segs;
		if (kigb_wire_frame(tx_ring, first, &seg, rx, &rss,
				    rx_vectors)) {
			tx_ring->tso_seg = seg.index;
			return true;
		}
		kigb_wire_count(tx_ring, &tx_ring->wire_stats.tso_segs);
	}
	return false;
}

/**
 * kigb_wire_tx - the transmit unit: send what the TX ring's tail exposes
 * @tx_ring: the ring whose tail was written
 *
 * Context: BHs off (the xmit path, NAPI, or kigb_wire_kick()).
 */
void kigb_wire_tx(struct kigb_ring *tx_ring)
{
	struct kigb_adapter *adapter = tx_ring->q_vector->adapter;
	struct kigb_tx_desc *txd = tx_ring->desc;
	unsigned long rx_vectors = 0;
	struct kigb_adapter *rx;
	bool completed = false;
	u16 tail;

	spin_lock(&tx_ring->wire_lock);
	rx = kigb_wire_receiver(adapter);
	/* pairs with kigb_tx_write_tail(): the descriptors are set */
	tail = smp_load_acquire(&tx_ring->tail);
	while (tx_ring->head != tail) {
		u16 first = tx_ring->head, eop = first;
		unsigned int len = 0;

		for (;;) {
			len += txd[eop].len;
			if (txd[eop].cmd & KIGB_TXD_CMD_EOP)
				break;
			if (++eop == tx_ring->count)
				eop = 0;
		}

		if (!rx)
			kigb_wire_count(tx_ring, &tx_ring->wire_stats.missed);
		else if (kigb_wire_send(tx_ring, first, len, rx, &rx_vectors))
			break;
		tx_ring->tso_seg = 0;

		/* the frame is copied before the cleaner frees its buffers */
		smp_store_release(&txd[eop].status, KIGB_TXD_STAT_DD);
		tx_ring->head = eop + 1 == tx_ring->count ? 0 : eop + 1;
		completed = true;
	}
	spin_unlock(&tx_ring->wire_lock);

	if (rx_vectors) {
		unsigned int q;

		for_each_set_bit(q, &rx_vectors, KLAB_IGB_QUEUES_MAX)
			kigb_qv_signal(rx->q_vector[q], KIGB_QV_CAUSE_RX);
	}
	if (completed)
		kigb_qv_signal(tx_ring->q_vector, KIGB_QV_CAUSE_TX);
}

/**
 * kigb_wire_kick - a receiver posted buffers: resume its transmitter
 * @rx: the receiver
 *
 * Runs the wire of every TX ring of the transmitter (the peer, or @rx
 * itself in loopback) that has frames waiting.
 */
void kigb_wire_kick(struct kigb_adapter *rx)
{
	struct kigb_adapter *tx;
	unsigned int i;

	local_bh_disable();
	rcu_read_lock();
	tx = rx->loopback ? rx : rcu_dereference(rx->peer);
	/* pairs with kigb_open(): the rings exist while up is seen */
	if (tx && smp_load_acquire(&tx->up)) {
		for (i = 0; i < tx->num_queues; i++) {
			struct kigb_ring *tx_ring = tx->tx_ring[i];

			if (READ_ONCE(tx_ring->head) !=
			/* frames waiting: the tail is past the wire's head */
			    smp_load_acquire(&tx_ring->tail))
				kigb_wire_tx(tx_ring);
		}
	}
	rcu_read_unlock();
	local_bh_enable();
}
