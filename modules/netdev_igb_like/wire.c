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
 * of the receiving vectors and the TX cause of its own.
 *
 * A receiver without posted buffers either drops the frame (missed, as
 * igb's MPC counts) or, with flow control on both ends, pauses the
 * transmitter: the frame stays on the TX ring until the receiver posts
 * buffers and kigb_alloc_rx_buffers() kicks the wire again.
 */
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
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

/* Insert a checksum into the copied frame: over its buffers, from @start */
static void kigb_wire_csum(struct kigb_ring *rx_ring, u16 first,
			   unsigned int len, unsigned int start,
			   unsigned int offset)
{
	struct kigb_rx_desc *desc = rx_ring->desc;
	unsigned int pos = 0, field = start + offset, i;
	unsigned int bufsz = rx_ring->rx_buf_len;
	__wsum csum = 0;
	__sum16 sum;
	u16 d = first;
	u8 *b[2];

	if (len <= bufsz) {
		u8 *data = (u8 *)desc[d].addr + KIGB_RX_HEADROOM;

		sum = csum_fold(csum_partial(data + start, len - start, 0));
		*(__sum16 *)(data + field) = sum ?: CSUM_MANGLED_0;
		return;
	}

	/* a jumbo frame: sum buffer by buffer, odd offsets byte-swapped */
	while (pos < len) {
		unsigned int n = min_t(unsigned int, len - pos, bufsz);
		u8 *data = (u8 *)desc[d].addr + KIGB_RX_HEADROOM;

		if (pos + n > start) {
			unsigned int from = start > pos ? start - pos : 0;

			csum = csum_block_add(csum,
					      csum_partial(data + from, n - from, 0),
					      pos + from - start);
		}
		pos += n;
		if (++d == rx_ring->count)
			d = 0;
	}
	sum = csum_fold(csum) ?: CSUM_MANGLED_0;

	/* the field's two bytes may straddle two buffers */
	for (i = 0; i < 2; i++) {
		unsigned int at = field + i;
		u16 bd = (first + at / bufsz) % rx_ring->count;

		b[i] = (u8 *)desc[bd].addr + KIGB_RX_HEADROOM +
		       at % bufsz;
	}
	*b[0] = ((u8 *)&sum)[0];
	*b[1] = ((u8 *)&sum)[1];
}

/*
 * Copy the frame of TX descriptors @first..@eop into @rx_ring's posted
 * buffers from its head and write the RX descriptors back.  The caller
 * checked that @need buffers are posted.  Under rx_ring->wire_lock.
 */
static void kigb_wire_copy(struct kigb_ring *tx_ring, u16 first, u16 eop,
			   struct kigb_ring *rx_ring, unsigned int len,
			   unsigned int need, u32 hash,
			   enum pkt_hash_types hash_type)
{
	struct kigb_tx_desc *txd = tx_ring->desc;
	struct kigb_rx_desc *rxd = rx_ring->desc;
	u16 s = first, d = rx_ring->head, start = rx_ring->head;
	unsigned int soff = 0, doff = 0, left = len, n;
	unsigned int bufsz = rx_ring->rx_buf_len;
	u32 status = KIGB_RXD_STAT_DD;

	while (left) {
		u8 *dst = (u8 *)rxd[d].addr + KIGB_RX_HEADROOM;

		n = min_t(unsigned int, txd[s].len - soff, bufsz - doff);
		memcpy(dst + doff, (const u8 *)txd[s].addr + soff, n);
		soff += n;
		doff += n;
		left -= n;
		if (soff == txd[s].len && left) {
			soff = 0;
			if (++s == tx_ring->count)
				s = 0;
		}
		if (doff == bufsz && left) {
			rxd[d].length = doff;
			doff = 0;
			if (++d == rx_ring->count)
				d = 0;
		}
	}
	rxd[d].length = doff;

	if (txd[first].cmd & KIGB_TXD_CMD_CSUM) {
		kigb_wire_csum(rx_ring, start, len, txd[first].csum_start,
			       txd[first].csum_offset);
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

enum kigb_wire_verdict {
	KIGB_WIRE_DELIVERED,
	KIGB_WIRE_DROPPED,
	KIGB_WIRE_WAIT,
};

/* Deliver one frame to @rx; under tx_ring->wire_lock */
static enum kigb_wire_verdict
kigb_wire_frame(struct kigb_ring *tx_ring, u16 first, u16 eop,
		unsigned int len, struct kigb_adapter *rx,
		struct kigb_ring **to)
{
	struct kigb_adapter *tx = tx_ring->q_vector->adapter;
	const struct kigb_tx_desc *txd = tx_ring->desc;
	enum pkt_hash_types hash_type;
	struct kigb_ring *rx_ring;
	unsigned int need;
	u32 hash;

	hash = kigb_rss_hash(rx, txd[first].addr, txd[first].len, &hash_type);
	rx_ring = rx->rx_ring[hash_type == PKT_HASH_TYPE_NONE ? 0 :
			      READ_ONCE(rx->reta[hash % KIGB_RETA_SIZE]) %
			      rx->num_queues];
	*to = rx_ring;
	need = DIV_ROUND_UP(len, rx_ring->rx_buf_len);

	spin_lock(&rx_ring->wire_lock);
	if (len > READ_ONCE(rx->netdev->mtu) + VLAN_ETH_HLEN) {
		kigb_wire_count(rx_ring, &rx_ring->wire_stats.length_errors);
		spin_unlock(&rx_ring->wire_lock);
		return KIGB_WIRE_DROPPED;
	}
	if (kigb_rx_posted(rx_ring) < need) {
		if (!kigb_wire_pause(tx, rx)) {
			kigb_wire_count(rx_ring, &rx_ring->wire_stats.missed);
			spin_unlock(&rx_ring->wire_lock);
			return KIGB_WIRE_DROPPED;
		}
		/* flow control: wait for the receiver's next refill */
		WRITE_ONCE(rx_ring->starved, true);
		/* pairs with kigb_alloc_rx_buffers(): tail, then starved */
		smp_mb();
		if (kigb_rx_posted(rx_ring) < need) {
			kigb_wire_count(rx_ring, &rx_ring->wire_stats.pauses);
			spin_unlock(&rx_ring->wire_lock);
			return KIGB_WIRE_WAIT;
		}
	}
	kigb_wire_copy(tx_ring, first, eop, rx_ring, len, need, hash,
		       hash_type);
	spin_unlock(&rx_ring->wire_lock);
	return KIGB_WIRE_DELIVERED;
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
		enum kigb_wire_verdict verdict = KIGB_WIRE_DROPPED;
		u16 first = tx_ring->head, eop = first;
		struct kigb_ring *to = NULL;
		unsigned int len = 0;

		for (;;) {
			len += txd[eop].len;
			if (txd[eop].cmd & KIGB_TXD_CMD_EOP)
				break;
			if (++eop == tx_ring->count)
				eop = 0;
		}

		if (rx)
			verdict = kigb_wire_frame(tx_ring, first, eop, len, rx,
						  &to);
		else
			kigb_wire_count(tx_ring, &tx_ring->wire_stats.missed);
		if (verdict == KIGB_WIRE_WAIT)
			break;
		if (verdict == KIGB_WIRE_DELIVERED)
			__set_bit(to->queue_index, &rx_vectors);

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
