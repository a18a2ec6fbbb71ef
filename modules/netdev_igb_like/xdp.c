// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: XDP.  The program runs in kigb_clean_rx_irq() on each
 * frame's page before an skb exists (igb_run_xdp).  XDP_TX queues the
 * frame on the TX ring of the same queue pair, under that queue's lock
 * since the stack transmits there too (igb_xdp_xmit_back); XDP_REDIRECT
 * to another klab device arrives through ndo_xdp_xmit (igb_xdp_xmit),
 * which picks a TX ring by CPU.
 */
#include <linux/filter.h>
#include <linux/if_vlan.h>

#include "netdev_igb_like.h"

/**
 * kigb_xdp_fits - does a frame of @mtu fit one RX buffer, as XDP needs?
 * @adapter: the device
 * @mtu: the MTU to check
 *
 * Return: true when it does.
 */
bool kigb_xdp_fits(const struct kigb_adapter *adapter, unsigned int mtu)
{
	return mtu + VLAN_ETH_HLEN <= kigb_rx_bufsz(adapter);
}

static int kigb_xdp_setup(struct net_device *netdev, struct bpf_prog *prog,
			  struct netlink_ext_ack *extack)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	struct bpf_prog *old;

	if (prog && !kigb_xdp_fits(adapter, netdev->mtu)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "MTU too large for XDP: a frame must fit one RX buffer");
		return -EINVAL;
	}

	old = rtnl_dereference(adapter->xdp_prog);
	rcu_assign_pointer(adapter->xdp_prog, prog);
	if (old)
		bpf_prog_put(old);
	return 0;
}

/**
 * kigb_xdp - ndo_bpf
 * @netdev: the device
 * @bpf: the command
 *
 * Return: 0 or a negative errno.
 */
int kigb_xdp(struct net_device *netdev, struct netdev_bpf *bpf)
{
	switch (bpf->command) {
	case XDP_SETUP_PROG:
		return kigb_xdp_setup(netdev, bpf->prog, bpf->extack);
	default:
		return -EINVAL;
	}
}

/**
 * kigb_xmit_xdp_ring - igb_xmit_xdp_ring: queue an XDP frame, no tail write
 * @tx_ring: the ring; its queue's lock held
 * @xdpf: the frame
 *
 * Return: 0, or -EBUSY when the ring is full (the caller frees @xdpf).
 */
int kigb_xmit_xdp_ring(struct kigb_ring *tx_ring, struct xdp_frame *xdpf)
{
	struct kigb_tx_desc *desc = tx_ring->desc;
	u16 i = tx_ring->next_to_use;
	struct kigb_tx_buffer *tb;

	if (unlikely(!kigb_desc_unused(tx_ring))) {
		u64_stats_update_begin(&tx_ring->syncp);
		tx_ring->tx_stats.xdp_xmit_err++;
		u64_stats_update_end(&tx_ring->syncp);
		return -EBUSY;
	}

	tb = &tx_ring->tx_buffer_info[i];
	tb->type = KIGB_TYPE_XDP;
	tb->xdpf = xdpf;
	tb->bytecount = xdpf->len;
	tb->gso_segs = 1;

	desc[i].addr = xdpf->data;
	desc[i].len = xdpf->len;
	desc[i].cmd = KIGB_TXD_CMD_EOP;
	desc[i].status = 0;

	netdev_tx_sent_queue(kigb_txq(tx_ring), tb->bytecount);
	/* the descriptor is complete before the cleaner may watch it */
	smp_wmb();
	tb->next_to_watch = &desc[i];
	tx_ring->next_to_use = i + 1 == tx_ring->count ? 0 : i + 1;

	u64_stats_update_begin(&tx_ring->syncp);
	tx_ring->tx_stats.xdp_xmit++;
	u64_stats_update_end(&tx_ring->syncp);
	return 0;
}

/**
 * kigb_xdp_xmit - ndo_xdp_xmit: frames redirected to this device
 * @netdev: the device
 * @n: frames
 * @frames: the frames
 * @flags: XDP_XMIT_FLUSH to write the tail
 *
 * Return: frames queued, or a negative errno.
 */
int kigb_xdp_xmit(struct net_device *netdev, int n, struct xdp_frame **frames,
		  u32 flags)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	struct kigb_ring *tx_ring;
	struct netdev_queue *nq;
	int nxmit = 0, i;

	if (unlikely(flags & ~XDP_XMIT_FLAGS_MASK))
		return -EINVAL;
	/* pairs with kigb_open(): the rings exist while up is seen */
	if (unlikely(!smp_load_acquire(&adapter->up) ||
		     !netif_carrier_ok(netdev)))
		return -ENETDOWN;

	tx_ring = adapter->tx_ring[smp_processor_id() % adapter->num_queues];
	nq = kigb_txq(tx_ring);

	__netif_tx_lock(nq, smp_processor_id());
	/* avoid a transmit timeout: the stack does not see this traffic */
	txq_trans_cond_update(nq);
	for (i = 0; i < n; i++) {
		if (kigb_xmit_xdp_ring(tx_ring, frames[i]))
			break;
		nxmit++;
	}
	if (unlikely(flags & XDP_XMIT_FLUSH) || nxmit)
		kigb_tx_write_tail(tx_ring);
	__netif_tx_unlock(nq);
	return nxmit;
}
