// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: ethtool operations, after igb_ethtool.c: driver info,
 * rings (-g/-G), channels (-l/-L), coalescing (-c/-C), pause (-a/-A),
 * RSS (-x/-X, -n), statistics (-S) and the self-test (-t).  Offloads
 * (-k/-K) are the net_device's features.
 */
#include <linux/ethtool.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "netdev_igb_like.h"

static void kigb_get_drvinfo(struct net_device *netdev,
			     struct ethtool_drvinfo *drvinfo)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	strscpy(drvinfo->driver, KLAB_IGB_DRV_NAME, sizeof(drvinfo->driver));
	strscpy(drvinfo->version, KLAB_VERSION, sizeof(drvinfo->version));
	snprintf(drvinfo->bus_info, sizeof(drvinfo->bus_info), "klab_igb:%u",
		 adapter->bus_index);
}

static int kigb_get_link_ksettings(struct net_device *netdev,
				   struct ethtool_link_ksettings *cmd)
{
	cmd->base.speed = SPEED_10000;
	cmd->base.duplex = DUPLEX_FULL;
	cmd->base.port = PORT_OTHER;
	cmd->base.autoneg = AUTONEG_DISABLE;
	return 0;
}

static void kigb_get_ringparam(struct net_device *netdev,
			       struct ethtool_ringparam *ring,
			       struct kernel_ethtool_ringparam *kring,
			       struct netlink_ext_ack *extack)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	ring->rx_max_pending = KLAB_IGB_RING_MAX;
	ring->tx_max_pending = KLAB_IGB_RING_MAX;
	ring->rx_pending = adapter->rx_ring_count;
	ring->tx_pending = adapter->tx_ring_count;
	/* read only (no ETHTOOL_RING_USE_RX_BUF_LEN): legacy-rx sets it */
	kring->rx_buf_len = kigb_rx_bufsz(adapter);
}

static int kigb_set_ringparam(struct net_device *netdev,
			      struct ethtool_ringparam *ring,
			      struct kernel_ethtool_ringparam *kring,
			      struct netlink_ext_ack *extack)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	if (ring->rx_pending < KLAB_IGB_RING_MIN ||
	    ring->tx_pending < KLAB_IGB_RING_MIN) {
		NL_SET_ERR_MSG_MOD(extack, "ring size below the minimum of 64");
		return -EINVAL;
	}
	if (ring->rx_pending == adapter->rx_ring_count &&
	    ring->tx_pending == adapter->tx_ring_count)
		return 0;
	return kigb_reinit(adapter, adapter->num_queues, ring->rx_pending,
			   ring->tx_pending);
}

static void kigb_get_channels(struct net_device *netdev,
			      struct ethtool_channels *ch)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	ch->max_combined = KLAB_IGB_QUEUES_MAX;
	ch->combined_count = adapter->num_queues;
}

static int kigb_set_channels(struct net_device *netdev,
			     struct ethtool_channels *ch)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	if (!ch->combined_count || ch->rx_count || ch->tx_count ||
	    ch->other_count)
		return -EINVAL;
	if (ch->combined_count == adapter->num_queues)
		return 0;
	return kigb_reinit(adapter, ch->combined_count, adapter->rx_ring_count,
			   adapter->tx_ring_count);
}

/* igb's rule: 0 (off), 1 or 3 (adaptive), 10-10000 microseconds */
static bool kigb_itr_valid(u32 usecs, bool adaptive_ok)
{
	if (usecs == 1 || usecs == KIGB_ITR_ADAPTIVE)
		return adaptive_ok;
	return !usecs || (usecs >= 10 && usecs <= KIGB_ITR_USECS_MAX);
}

static int kigb_get_coalesce(struct net_device *netdev,
			     struct ethtool_coalesce *ec,
			     struct kernel_ethtool_coalesce *kec,
			     struct netlink_ext_ack *extack)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	ec->use_adaptive_rx_coalesce = adapter->adaptive_rx;
	ec->rx_coalesce_usecs = adapter->rx_itr_setting;
	ec->tx_coalesce_usecs = adapter->tx_itr_setting;
	return 0;
}

static int kigb_set_coalesce(struct net_device *netdev,
			     struct ethtool_coalesce *ec,
			     struct kernel_ethtool_coalesce *kec,
			     struct netlink_ext_ack *extack)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	u32 rx = ec->rx_coalesce_usecs;
	bool adaptive;

	if (!kigb_itr_valid(rx, true)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "rx-usecs must be 0, 1 or 3 (adaptive), or 10-10000");
		return -EINVAL;
	}
	if (!kigb_itr_valid(ec->tx_coalesce_usecs, false)) {
		NL_SET_ERR_MSG_MOD(extack, "tx-usecs must be 0 or 10-10000");
		return -EINVAL;
	}

	if (ec->use_adaptive_rx_coalesce != adapter->adaptive_rx) {
		/* adaptive-rx changed: it decides */
		adaptive = ec->use_adaptive_rx_coalesce;
		if (adaptive)
			rx = KIGB_ITR_ADAPTIVE;
		else if (rx == 1 || rx == KIGB_ITR_ADAPTIVE)
			rx = 0;
	} else {
		/* rx-usecs decides, as igb's 1 and 3 select adaptive */
		adaptive = rx == 1 || rx == KIGB_ITR_ADAPTIVE;
	}

	adapter->adaptive_rx = adaptive;
	adapter->rx_itr_setting = rx;
	WRITE_ONCE(adapter->tx_itr_setting, ec->tx_coalesce_usecs);
	kigb_write_itr_setting(adapter);
	return 0;
}

static void kigb_get_pauseparam(struct net_device *netdev,
				struct ethtool_pauseparam *pause)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	pause->autoneg = AUTONEG_DISABLE;
	pause->rx_pause = adapter->fc_rx_pause;
	pause->tx_pause = adapter->fc_tx_pause;
}

static int kigb_set_pauseparam(struct net_device *netdev,
			       struct ethtool_pauseparam *pause)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	if (pause->autoneg)
		return -EINVAL;
	WRITE_ONCE(adapter->fc_rx_pause, !!pause->rx_pause);
	WRITE_ONCE(adapter->fc_tx_pause, !!pause->tx_pause);
	/* a transmitter waiting on us may now drop instead */
	if (!pause->tx_pause && netif_running(netdev)) {
		unsigned int i;

		for (i = 0; i < adapter->num_queues; i++)
			WRITE_ONCE(adapter->rx_ring[i]->starved, false);
		kigb_wire_kick(adapter);
	}
	return 0;
}

static int kigb_get_rxnfc(struct net_device *netdev, struct ethtool_rxnfc *cmd,
			  u32 *rule_locs)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	switch (cmd->cmd) {
	case ETHTOOL_GRXRINGS:
		cmd->data = adapter->num_queues;
		return 0;
	case ETHTOOL_GRXFH:
		cmd->data = 0;
		/* igb's MRQC: addresses always, ports for TCP and UDP */
		switch (cmd->flow_type) {
		case TCP_V4_FLOW:
		case UDP_V4_FLOW:
		case TCP_V6_FLOW:
		case UDP_V6_FLOW:
			cmd->data = RXH_L4_B_0_1 | RXH_L4_B_2_3;
			fallthrough;
		case IPV4_FLOW:
		case IPV6_FLOW:
		case SCTP_V4_FLOW:
		case SCTP_V6_FLOW:
		case AH_ESP_V4_FLOW:
		case AH_ESP_V6_FLOW:
			cmd->data |= RXH_IP_SRC | RXH_IP_DST;
			return 0;
		default:
			cmd->data = 0;
			return 0;
		}
	default:
		return -EOPNOTSUPP;
	}
}

static u32 kigb_get_rxfh_indir_size(struct net_device *netdev)
{
	return KIGB_RETA_SIZE;
}

static u32 kigb_get_rxfh_key_size(struct net_device *netdev)
{
	return KLAB_TOEPLITZ_KEY_LEN;
}

static int kigb_get_rxfh(struct net_device *netdev, u32 *indir, u8 *key,
			 u8 *hfunc)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	unsigned int i;

	if (hfunc)
		*hfunc = ETH_RSS_HASH_TOP;
	if (indir)
		for (i = 0; i < KIGB_RETA_SIZE; i++)
			indir[i] = adapter->reta[i];
	if (key)
		memcpy(key, adapter->rss_key, KLAB_TOEPLITZ_KEY_LEN);
	return 0;
}

static int kigb_set_rxfh(struct net_device *netdev, const u32 *indir,
			 const u8 *key, const u8 hfunc)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	unsigned int i;

	if (hfunc != ETH_RSS_HASH_NO_CHANGE && hfunc != ETH_RSS_HASH_TOP)
		return -EOPNOTSUPP;
	if (indir) {
		for (i = 0; i < KIGB_RETA_SIZE; i++)
			if (indir[i] >= adapter->num_queues)
				return -EINVAL;
		for (i = 0; i < KIGB_RETA_SIZE; i++)
			WRITE_ONCE(adapter->reta[i], indir[i]);
	}
	if (key) {
		memcpy(adapter->rss_key, key, KLAB_TOEPLITZ_KEY_LEN);
		/* the wire may hash with a half-written table: a few frames
		 * on another queue, as on hardware being reprogrammed
		 */
		klab_toeplitz_prepare(adapter->rss_table, adapter->rss_key);
	}
	return 0;
}

/* ethtool -S: device totals, then per queue, then per q_vector */
static const char kigb_gstrings_global[][ETH_GSTRING_LEN] = {
	"rx_packets", "tx_packets", "rx_bytes", "tx_bytes",
	"rx_dropped", "tx_dropped", "rx_missed_errors", "rx_length_errors",
	"tx_carrier_errors",
};

static const char *const kigb_gstrings_txq[] = {
	"packets", "bytes", "restart_queue", "stops", "busy", "dropped",
	"xdp_xmit", "xdp_xmit_err", "carrier_lost", "bql_limit", "tail_writes",
	"tso", "tso_segs",
};

static const char *const kigb_gstrings_rxq[] = {
	"packets", "bytes", "drops", "alloc_failed", "csum_good", "missed",
	"length_errors", "pauses", "xdp_pass", "xdp_drop", "xdp_tx",
	"xdp_tx_err", "xdp_redirect", "xdp_redirect_err", "xdp_aborted",
	"tail_writes", "skb_alloc", "headroom_min", "headroom_max",
};

static const char *const kigb_gstrings_qv[] = {
	"interrupts", "polls", "polls_full", "napi_complete", "itr_changes",
	"itr_usecs", "rx_poll_slow_waits", "repolls",
};

#define KIGB_GLOBAL_STATS	ARRAY_SIZE(kigb_gstrings_global)
#define KIGB_QUEUE_STATS	(ARRAY_SIZE(kigb_gstrings_txq) + \
				 ARRAY_SIZE(kigb_gstrings_rxq) + \
				 ARRAY_SIZE(kigb_gstrings_qv))

const char kigb_gstrings_test[KIGB_TEST_LEN][ETH_GSTRING_LEN] = {
	"Register test  (offline)", "Interrupt test (offline)",
	"Loopback test  (offline)", "Link test   (on/offline)",
};

/*
 * igb's private flags: legacy-rx (IGB_PRIV_FLAGS_LEGACY_RX), and this
 * driver's tx-clean-irq (TX completions freed from the interrupt handler
 * through the completion queue; not igb's) and rx-poll-slow (a debug knob,
 * off by default: a NAPI poll that receives frames busy-waits until
 * KIGB_RX_SLOW_JIFFIES after its start, so that net_rx_action's time
 * limit is reached on purpose; ethtool -S counts the waits,
 * q_vector_N_rx_poll_slow_waits)
 */
#define KIGB_PRIV_FLAGS_LEGACY_RX	BIT(0)
#define KIGB_PRIV_FLAGS_TX_CLEAN_IRQ	BIT(1)
#define KIGB_PRIV_FLAGS_RX_POLL_SLOW	BIT(2)
static const char kigb_priv_flags_strings[][ETH_GSTRING_LEN] = {
	"legacy-rx", "tx-clean-irq", "rx-poll-slow",
};

static u32 kigb_get_priv_flags(struct net_device *netdev)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	u32 flags = 0;

	if (adapter->legacy_rx)
		flags |= KIGB_PRIV_FLAGS_LEGACY_RX;
	if (READ_ONCE(adapter->tx_clean_irq))
		flags |= KIGB_PRIV_FLAGS_TX_CLEAN_IRQ;
	if (READ_ONCE(adapter->rx_poll_slow))
		flags |= KIGB_PRIV_FLAGS_RX_POLL_SLOW;
	return flags;
}

/* igb_set_priv_flags: the RX rings are set up again with the new buffers */
static int kigb_set_priv_flags(struct net_device *netdev, u32 flags)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	bool legacy = flags & KIGB_PRIV_FLAGS_LEGACY_RX;
	bool was = adapter->legacy_rx;
	int err;

	if (legacy == was)
		goto set_other_flags;
	adapter->legacy_rx = legacy;
	/* an XDP program needs a whole frame in one (now smaller) buffer */
	if (rtnl_dereference(adapter->xdp_prog) &&
	    !kigb_xdp_fits(adapter, netdev->mtu)) {
		adapter->legacy_rx = was;
		netdev_warn(netdev, "MTU %u too large for XDP with legacy-rx\n",
			    netdev->mtu);
		return -EINVAL;
	}
	if (!netif_running(netdev))
		goto set_other_flags;
	err = kigb_reinit(adapter, adapter->num_queues, adapter->rx_ring_count,
			  adapter->tx_ring_count);
	if (err) {
		adapter->legacy_rx = was;
		return err;
	}
set_other_flags:
	/* read by the interrupt handler at each interrupt: no reinit */
	WRITE_ONCE(adapter->tx_clean_irq,
		   !!(flags & KIGB_PRIV_FLAGS_TX_CLEAN_IRQ));
	/* read by each poll */
	WRITE_ONCE(adapter->rx_poll_slow,
		   !!(flags & KIGB_PRIV_FLAGS_RX_POLL_SLOW));
	return 0;
}

static int kigb_get_sset_count(struct net_device *netdev, int sset)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	switch (sset) {
	case ETH_SS_STATS:
		return KIGB_GLOBAL_STATS +
		       adapter->num_queues * KIGB_QUEUE_STATS;
	case ETH_SS_TEST:
		return KIGB_TEST_LEN;
	case ETH_SS_PRIV_FLAGS:
		return ARRAY_SIZE(kigb_priv_flags_strings);
	default:
		return -EOPNOTSUPP;
	}
}

static void kigb_get_strings(struct net_device *netdev, u32 sset, u8 *data)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	unsigned int q, i;

	switch (sset) {
	case ETH_SS_TEST:
		memcpy(data, kigb_gstrings_test, sizeof(kigb_gstrings_test));
		break;
	case ETH_SS_PRIV_FLAGS:
		memcpy(data, kigb_priv_flags_strings,
		       sizeof(kigb_priv_flags_strings));
		break;
	case ETH_SS_STATS:
		memcpy(data, kigb_gstrings_global, sizeof(kigb_gstrings_global));
		data += sizeof(kigb_gstrings_global);
		for (q = 0; q < adapter->num_queues; q++) {
			for (i = 0; i < ARRAY_SIZE(kigb_gstrings_txq); i++)
				ethtool_sprintf(&data, "tx_queue_%u_%s", q,
						kigb_gstrings_txq[i]);
			for (i = 0; i < ARRAY_SIZE(kigb_gstrings_rxq); i++)
				ethtool_sprintf(&data, "rx_queue_%u_%s", q,
						kigb_gstrings_rxq[i]);
			for (i = 0; i < ARRAY_SIZE(kigb_gstrings_qv); i++)
				ethtool_sprintf(&data, "q_vector_%u_%s", q,
						kigb_gstrings_qv[i]);
		}
		break;
	}
}

static u64 *kigb_fill_txq(struct kigb_ring *r, u64 *d)
{
	struct dql *dql = &kigb_txq(r)->dql;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&r->syncp);
		d[0] = r->stats.packets;
		d[1] = r->stats.bytes;
		d[2] = r->tx_stats.restart_queue;
		d[3] = r->tx_stats.stops;
		d[4] = r->tx_stats.tx_busy;
		d[5] = r->tx_stats.dropped;
		d[6] = r->tx_stats.xdp_xmit;
		d[7] = r->tx_stats.xdp_xmit_err;
		d[8] = r->wire_stats.missed;
		d[11] = r->tx_stats.tso;
		d[12] = r->wire_stats.tso_segs;
	} while (u64_stats_fetch_retry(&r->syncp, start));
	d[9] = READ_ONCE(dql->limit);
	d[10] = READ_ONCE(r->tail_writes);
	return d + ARRAY_SIZE(kigb_gstrings_txq);
}

static u64 *kigb_fill_rxq(struct kigb_ring *r, u64 *d)
{
	const struct kigb_rx_queue_stats *s = &r->rx_stats;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&r->syncp);
		d[0] = r->stats.packets;
		d[1] = r->stats.bytes;
		d[2] = s->drops;
		d[3] = s->alloc_failed;
		d[4] = s->csum_good;
		d[5] = r->wire_stats.missed;
		d[6] = r->wire_stats.length_errors;
		d[7] = r->wire_stats.pauses;
		d[8] = s->xdp_pass;
		d[9] = s->xdp_drop;
		d[10] = s->xdp_tx;
		d[11] = s->xdp_tx_err;
		d[12] = s->xdp_redirect;
		d[13] = s->xdp_redirect_err;
		d[14] = s->xdp_aborted;
		d[16] = s->skb_alloc;
		d[17] = s->headroom_min;
		d[18] = s->headroom_max;
	} while (u64_stats_fetch_retry(&r->syncp, start));
	d[15] = READ_ONCE(r->tail_writes);
	return d + ARRAY_SIZE(kigb_gstrings_rxq);
}

static u64 *kigb_fill_qv(struct kigb_q_vector *qv, u64 *d)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&qv->syncp);
		d[0] = qv->stats.interrupts;
		d[1] = qv->stats.polls;
		d[2] = qv->stats.polls_full;
		d[3] = qv->stats.completes;
		d[4] = qv->stats.itr_changes;
		d[6] = qv->stats.slow_waits;
		d[7] = qv->stats.repolls;
	} while (u64_stats_fetch_retry(&qv->syncp, start));
	d[5] = kigb_itr_usecs(qv);
	return d + ARRAY_SIZE(kigb_gstrings_qv);
}

static void kigb_get_ethtool_stats(struct net_device *netdev,
				   struct ethtool_stats *stats, u64 *data)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	struct rtnl_link_stats64 s;
	unsigned int q;

	kigb_get_stats64(netdev, &s);
	*data++ = s.rx_packets;
	*data++ = s.tx_packets;
	*data++ = s.rx_bytes;
	*data++ = s.tx_bytes;
	*data++ = s.rx_dropped;
	*data++ = s.tx_dropped;
	*data++ = s.rx_missed_errors;
	*data++ = s.rx_length_errors;
	*data++ = s.tx_carrier_errors;

	for (q = 0; q < adapter->num_queues; q++) {
		struct kigb_q_vector *qv = adapter->q_vector[q];

		data = kigb_fill_txq(&qv->tx_ring, data);
		data = kigb_fill_rxq(&qv->rx_ring, data);
		data = kigb_fill_qv(qv, data);
	}
}

const struct ethtool_ops kigb_ethtool_ops = {
	.supported_coalesce_params = ETHTOOL_COALESCE_USECS |
				     ETHTOOL_COALESCE_USE_ADAPTIVE_RX,
	.get_drvinfo = kigb_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_link_ksettings = kigb_get_link_ksettings,
	.get_ringparam = kigb_get_ringparam,
	.set_ringparam = kigb_set_ringparam,
	.get_channels = kigb_get_channels,
	.set_channels = kigb_set_channels,
	.get_coalesce = kigb_get_coalesce,
	.set_coalesce = kigb_set_coalesce,
	.get_pauseparam = kigb_get_pauseparam,
	.set_pauseparam = kigb_set_pauseparam,
	.get_rxnfc = kigb_get_rxnfc,
	.get_rxfh_indir_size = kigb_get_rxfh_indir_size,
	.get_rxfh_key_size = kigb_get_rxfh_key_size,
	.get_rxfh = kigb_get_rxfh,
	.set_rxfh = kigb_set_rxfh,
	.get_sset_count = kigb_get_sset_count,
	.get_priv_flags = kigb_get_priv_flags,
	.set_priv_flags = kigb_set_priv_flags,
	.get_strings = kigb_get_strings,
	.get_ethtool_stats = kigb_get_ethtool_stats,
	.self_test = kigb_diag_test,
	.get_ts_info = ethtool_op_get_ts_info,
};
