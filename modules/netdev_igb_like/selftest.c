// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: ethtool -t, after igb_diag_test().  Offline, the device
 * is closed for the register, interrupt and loopback tests and reopened
 * after; the link test runs either way.  A result of 0 passes.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "netdev_igb_like.h"

enum {
	KIGB_TEST_REG,
	KIGB_TEST_INTR,
	KIGB_TEST_LOOPBACK,
	KIGB_TEST_LINK,
};

#define KIGB_LB_FRAME_SIZE	1024
#define KIGB_LB_FRAMES		64
#define KIGB_LB_BURST		16

/* igb_reg_test: the "registers" read back what was written */
static u64 kigb_reg_test(struct kigb_adapter *adapter)
{
	static const u16 patterns[] = { 0x5a5a, 0xa5a5, 0x0000, 0xffff };
	unsigned int i, p;

	for (i = 0; i < adapter->num_queues; i++) {
		struct kigb_q_vector *qv = adapter->q_vector[i];
		struct kigb_ring *rings[] = { &qv->tx_ring, &qv->rx_ring };
		unsigned int r;

		for (r = 0; r < ARRAY_SIZE(rings); r++) {
			for (p = 0; p < ARRAY_SIZE(patterns); p++) {
				u16 want = patterns[p] % rings[r]->count;

				WRITE_ONCE(rings[r]->tail, want);
				if (READ_ONCE(rings[r]->tail) != want)
					return 1 + r;
			}
			WRITE_ONCE(rings[r]->tail, 0);
		}
	}
	return 0;
}

/* igb_create_lbtest_frame: 0xff (broadcast), 0xaa over the second half */
static void kigb_create_lbtest_frame(struct sk_buff *skb)
{
	u8 *data = skb_put(skb, KIGB_LB_FRAME_SIZE);

	memset(data, 0xff, KIGB_LB_FRAME_SIZE);
	memset(&data[KIGB_LB_FRAME_SIZE / 2], 0xaa, KIGB_LB_FRAME_SIZE / 2 - 1);
	data[KIGB_LB_FRAME_SIZE / 2 + 10] = 0xbe;
	data[KIGB_LB_FRAME_SIZE / 2 + 12] = 0xaf;
}

static bool kigb_check_lbtest_frame(const u8 *data, unsigned int len)
{
	return len == KIGB_LB_FRAME_SIZE && data[3] == 0xff &&
	       data[KIGB_LB_FRAME_SIZE / 2 + 10] == 0xbe &&
	       data[KIGB_LB_FRAME_SIZE / 2 + 12] == 0xaf;
}

/* igb_clean_test_rings: count good frames on the RX ring, reclaim TX */
static unsigned int kigb_clean_test_rings(struct kigb_ring *rx_ring)
{
	struct kigb_rx_desc *desc = rx_ring->desc;
	unsigned int good = 0, cleaned = 0;

	for (;;) {
		u16 i = rx_ring->next_to_clean;
		struct kigb_rx_buffer *bi = &rx_ring->rx_buffer_info[i];
		/* DD first, then the data the wire wrote before it */
		u32 status = smp_load_acquire(&desc[i].status);

		if (!(status & KIGB_RXD_STAT_DD))
			break;
		if ((status & KIGB_RXD_STAT_EOP) &&
		    kigb_check_lbtest_frame(page_address(bi->page) +
					    KIGB_RX_HEADROOM,
					    desc[i].length))
			good++;
		desc[i].status = 0;
		/* the page stays posted: refill only rewrites the descriptor */
		cleaned++;
		rx_ring->next_to_clean = i + 1 == rx_ring->count ? 0 : i + 1;
	}
	kigb_alloc_rx_buffers(rx_ring, cleaned);
	kigb_clean_tx_irq(rx_ring->q_vector, 0);
	return good;
}

/* igb_run_loopback_test: frames out of each TX ring come back on RX */
static u64 kigb_loopback_test(struct kigb_adapter *adapter)
{
	unsigned int q, sent, good = 0;
	u64 ret = 0;

	adapter->loopback = true;
	if (kigb_setup_rings(adapter)) {
		adapter->loopback = false;
		return 1;
	}
	/* vectors stay masked: no interrupt, the test cleans the rings */
	for (q = 0; q < adapter->num_queues; q++)
		set_bit(KIGB_QV_MASKED, &adapter->q_vector[q]->state);
	/* the rings are complete before the wire may use them */
	smp_store_release(&adapter->up, true);

	for (q = 0; q < adapter->num_queues && !ret; q++) {
		struct kigb_ring *tx_ring = adapter->tx_ring[q];
		struct netdev_queue *txq = kigb_txq(tx_ring);

		/* every queue sends: RSS spreads nothing for these frames */
		for (sent = 0, good = 0; sent < KIGB_LB_FRAMES; ) {
			unsigned int b;

			for (b = 0; b < KIGB_LB_BURST; b++, sent++) {
				struct sk_buff *skb;

				skb = alloc_skb(KIGB_LB_FRAME_SIZE, GFP_KERNEL);
				if (!skb) {
					ret = 2;
					break;
				}
				kigb_create_lbtest_frame(skb);
				local_bh_disable();
				__netif_tx_lock(txq, smp_processor_id());
				if (kigb_xmit_frame_ring(skb, tx_ring) !=
				    NETDEV_TX_OK) {
					kfree_skb(skb);
					ret = 3;
				}
				__netif_tx_unlock(txq);
				local_bh_enable();
				if (ret)
					break;
			}
			/* untagged, non-IP frames all land on RX queue 0 */
			local_bh_disable();
			good += kigb_clean_test_rings(adapter->rx_ring[0]);
			kigb_clean_tx_irq(tx_ring->q_vector, 0);
			local_bh_enable();
			if (ret)
				break;
		}
		if (!ret && good != KIGB_LB_FRAMES)
			ret = 4;
		netif_tx_wake_queue(txq);
	}

	/* the wire stops using the rings (synchronize_net below) */
	smp_store_release(&adapter->up, false);
	synchronize_net();
	kigb_free_rings(adapter);
	for (q = 0; q < adapter->num_queues; q++)
		adapter->q_vector[q]->state = 0;
	adapter->loopback = false;
	return ret;
}

/* igb_link_test: the wire has a peer that is up */
static u64 kigb_link_test(struct kigb_adapter *adapter)
{
	struct kigb_adapter *peer = rtnl_dereference(adapter->peer);

	return !(peer && netif_running(peer->netdev));
}

/**
 * kigb_diag_test - ethtool self_test
 * @netdev: the device
 * @eth_test: flags in and out
 * @data: KIGB_TEST_LEN results, 0 = pass
 */
void kigb_diag_test(struct net_device *netdev, struct ethtool_test *eth_test,
		    u64 *data)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	bool running = netif_running(netdev);
	unsigned int i;

	memset(data, 0, KIGB_TEST_LEN * sizeof(*data));
	data[KIGB_TEST_LINK] = kigb_link_test(adapter);

	if (eth_test->flags & ETH_TEST_FL_OFFLINE) {
		netdev_info(netdev, "offline testing starting\n");
		if (running)
			kigb_close(netdev);

		data[KIGB_TEST_REG] = kigb_reg_test(adapter);
		data[KIGB_TEST_INTR] = kigb_irq_test(adapter);
		data[KIGB_TEST_LOOPBACK] = kigb_loopback_test(adapter);

		if (running && kigb_open(netdev))
			data[KIGB_TEST_LOOPBACK] = 5;
		netdev_info(netdev, "offline testing done\n");
	}

	for (i = 0; i < KIGB_TEST_LEN; i++)
		if (data[i])
			eth_test->flags |= ETH_TEST_FL_FAILED;
}
