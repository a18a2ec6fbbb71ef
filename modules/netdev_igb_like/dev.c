// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: pairs of devices and their net_device side: open and
 * close (igb_open / igb_close), carrier that follows the peer, MTU,
 * statistics, and reconfiguration of queues and rings (igb_reinit_queues).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <linux/vmalloc.h>

#include "netdev_igb_like.h"

/* Every device of the module, in every namespace; under RTNL */
LIST_HEAD(kigb_devices);
static unsigned int kigb_next_index;

static unsigned int kigb_max_devices = 128;
module_param_named(max_devices, kigb_max_devices, uint, 0644);
MODULE_PARM_DESC(max_devices,
		 "Most devices of the module, in all namespaces (a pair is two); adding a pair past it fails with ENOSPC (default: 128)");

static struct kigb_adapter *kigb_peer(struct kigb_adapter *adapter)
{
	return rtnl_dereference(adapter->peer);
}

/* Carrier is on at both ends while both are administratively up */
static void kigb_update_carrier(struct kigb_adapter *adapter)
{
	struct kigb_adapter *peer = kigb_peer(adapter);

	if (peer && netif_running(adapter->netdev) &&
	    netif_running(peer->netdev)) {
		netif_carrier_on(adapter->netdev);
		netif_carrier_on(peer->netdev);
	} else {
		netif_carrier_off(adapter->netdev);
		if (peer)
			netif_carrier_off(peer->netdev);
	}
}

/**
 * kigb_open - ndo_open, igb_open: rings, IRQs, NAPI, then traffic
 * @netdev: the device
 *
 * Return: 0 or a negative errno.
 */
int kigb_open(struct net_device *netdev)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	unsigned int i;
	int err;

	netif_carrier_off(netdev);

	err = kigb_setup_rings(adapter);
	if (err)
		return err;

	err = kigb_request_irqs(adapter);
	if (err)
		goto err_free_rings;

	for (i = 0; i < adapter->num_queues; i++)
		napi_enable(&adapter->q_vector[i]->napi);

	/* the peer's wire may deliver from now on */
	smp_store_release(&adapter->up, true);
	/* the re-check may schedule a NAPI: its softirq runs at the end */
	local_bh_disable();
	for (i = 0; i < adapter->num_queues; i++)
		kigb_ring_irq_enable(adapter->q_vector[i]);
	local_bh_enable();

	netif_tx_start_all_queues(netdev);
	kigb_update_carrier(adapter);
	return 0;

err_free_rings:
	kigb_free_rings(adapter);
	return err;
}

/**
 * kigb_close - ndo_stop, igb_close: quiesce, then free what open made
 * @netdev: the device
 *
 * Return: 0.
 */
int kigb_close(struct net_device *netdev)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	unsigned int i;

	netif_tx_disable(netdev);
	kigb_update_carrier(adapter);

	/* no wire, ours or the peer's, touches the rings after this */
	smp_store_release(&adapter->up, false);
	synchronize_net();

	for (i = 0; i < adapter->num_queues; i++)
		napi_disable(&adapter->q_vector[i]->napi);
	kigb_free_irqs(adapter);

	/* frames the peer holds for us (flow control) are dropped now */
	kigb_wire_kick(adapter);

	kigb_free_rings(adapter);
	for (i = 0; i < adapter->num_queues; i++)
		adapter->q_vector[i]->state = 0;
	return 0;
}

static int kigb_change_mtu(struct net_device *netdev, int new_mtu)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);

	if (rtnl_dereference(adapter->xdp_prog) &&
	    !kigb_xdp_fits(adapter, new_mtu)) {
		netdev_warn(netdev, "MTU %d too large for XDP\n", new_mtu);
		return -EINVAL;
	}
	netdev->mtu = new_mtu;
	return 0;
}

static void kigb_add_ring_stats(struct kigb_ring *ring, bool tx,
				struct rtnl_link_stats64 *s)
{
	u64 packets, bytes, drops, missed, length;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&ring->syncp);
		packets = ring->stats.packets;
		bytes = ring->stats.bytes;
		drops = tx ? ring->tx_stats.xdp_xmit_err +
			     ring->tx_stats.dropped :
			     ring->rx_stats.drops + ring->rx_stats.xdp_drop +
			     ring->rx_stats.xdp_aborted +
			     ring->rx_stats.xdp_tx_err +
			     ring->rx_stats.xdp_redirect_err;
		missed = ring->wire_stats.missed;
		length = ring->wire_stats.length_errors;
	} while (u64_stats_fetch_retry(&ring->syncp, start));

	if (tx) {
		s->tx_packets += packets;
		s->tx_bytes += bytes;
		s->tx_dropped += drops;
		s->tx_carrier_errors += missed;
	} else {
		s->rx_packets += packets;
		s->rx_bytes += bytes;
		s->rx_dropped += drops;
		s->rx_missed_errors += missed;
		s->rx_length_errors += length;
		s->rx_errors += length;
	}
}

/**
 * kigb_add_q_vector_stats - add a q_vector's ring counters to @stats
 * @q_vector: the vector
 * @stats: the sums
 */
void kigb_add_q_vector_stats(struct kigb_q_vector *q_vector,
			     struct rtnl_link_stats64 *stats)
{
	kigb_add_ring_stats(&q_vector->tx_ring, true, stats);
	kigb_add_ring_stats(&q_vector->rx_ring, false, stats);
}

/**
 * kigb_get_stats64 - ndo_get_stats64: the rings' counters, summed
 * @netdev: the device
 * @stats: filled in
 */
void kigb_get_stats64(struct net_device *netdev,
		      struct rtnl_link_stats64 *stats)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	unsigned int i;

	spin_lock_bh(&adapter->stats_lock);
	*stats = adapter->stats_base;
	for (i = 0; i < KLAB_IGB_QUEUES_MAX; i++)
		if (adapter->q_vector[i])
			kigb_add_q_vector_stats(adapter->q_vector[i], stats);
	spin_unlock_bh(&adapter->stats_lock);
}

/* Free what kigb_create() allocated; also ndo_uninit */
static void kigb_uninit(struct net_device *netdev)
{
	struct kigb_adapter *adapter = netdev_priv(netdev);
	struct kigb_adapter *peer = kigb_peer(adapter);

	if (peer) {
		RCU_INIT_POINTER(peer->peer, NULL);
		RCU_INIT_POINTER(adapter->peer, NULL);
	}
	if (!list_empty(&adapter->list))
		list_del_init(&adapter->list);
	kigb_free_q_vectors(adapter);
	kvfree(adapter->rss_table);
	adapter->rss_table = NULL;
}

const struct net_device_ops kigb_netdev_ops = {
	.ndo_open = kigb_open,
	.ndo_stop = kigb_close,
	.ndo_uninit = kigb_uninit,
	.ndo_start_xmit = kigb_xmit_frame,
	.ndo_features_check = kigb_features_check,
	.ndo_get_stats64 = kigb_get_stats64,
	.ndo_change_mtu = kigb_change_mtu,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
	.ndo_bpf = kigb_xdp,
	.ndo_xdp_xmit = kigb_xdp_xmit,
};

/* The default indirection table spreads the queues evenly (igb's) */
static void kigb_reta_default(struct kigb_adapter *adapter)
{
	unsigned int i;

	for (i = 0; i < KIGB_RETA_SIZE; i++)
		adapter->reta[i] = ethtool_rxfh_indir_default(i,
							      adapter->num_queues);
}

/*
 * After a queue count change: a table the user set (ethtool -X) is kept
 * while it names existing queues only, as fm10k and ice do; the ethtool
 * core refuses to shrink below it.  Any other table is the default
 * spread over the new count, so a shrink never leaves entries on queues
 * that are gone and a grow uses the new ones.
 */
static void kigb_reta_update(struct kigb_adapter *adapter)
{
	unsigned int i;

	if (netif_is_rxfh_configured(adapter->netdev)) {
		for (i = 0; i < KIGB_RETA_SIZE; i++)
			if (adapter->reta[i] >= adapter->num_queues)
				break;
		if (i == KIGB_RETA_SIZE)
			return;
		netdev_warn(adapter->netdev,
			    "RSS table names a queue that is gone, reset\n");
	}
	kigb_reta_default(adapter);
}

/**
 * kigb_check_config - validate a creation's queues and ring sizes
 * @cfg: the configuration
 * @extack: for the reason
 *
 * Return: 0 or -EINVAL.
 */
int kigb_check_config(const struct kigb_config *cfg,
		      struct netlink_ext_ack *extack)
{
	if (cfg->queues < KLAB_IGB_QUEUES_MIN ||
	    cfg->queues > KLAB_IGB_QUEUES_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "queues out of range (1-8)");
		return -EINVAL;
	}
	if (cfg->rx_ring < KLAB_IGB_RING_MIN ||
	    cfg->rx_ring > KLAB_IGB_RING_MAX ||
	    cfg->tx_ring < KLAB_IGB_RING_MIN ||
	    cfg->tx_ring > KLAB_IGB_RING_MAX) {
		NL_SET_ERR_MSG_MOD(extack, "ring size out of range (64-4096)");
		return -EINVAL;
	}
	return 0;
}

static void kigb_setup(struct net_device *netdev)
{
	ether_setup(netdev);
	netdev->netdev_ops = &kigb_netdev_ops;
	netdev->ethtool_ops = &kigb_ethtool_ops;
	netdev->needs_free_netdev = true;
	netdev->min_mtu = KLAB_IGB_MTU_MIN;
	netdev->max_mtu = KLAB_IGB_MTU_MAX;
	netdev->hw_features = NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM |
			      NETIF_F_RXHASH | NETIF_F_HIGHDMA |
			      NETIF_F_TSO | NETIF_F_TSO6;
	netdev->features = netdev->hw_features;
	netdev->vlan_features = NETIF_F_SG | NETIF_F_HW_CSUM;
	netdev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
}

/* A device, not registered yet */
static struct net_device *kigb_create(struct net *net, const char *name,
				      const struct kigb_config *cfg)
{
	struct kigb_adapter *adapter;
	struct net_device *netdev;
	int err;

	netdev = alloc_netdev_mqs(sizeof(*adapter), name, NET_NAME_USER,
				  kigb_setup, KLAB_IGB_QUEUES_MAX,
				  KLAB_IGB_QUEUES_MAX);
	if (!netdev)
		return ERR_PTR(-ENOMEM);
	dev_net_set(netdev, net);
	eth_hw_addr_random(netdev);

	adapter = netdev_priv(netdev);
	adapter->netdev = netdev;
	INIT_LIST_HEAD(&adapter->list);
	spin_lock_init(&adapter->stats_lock);
	adapter->num_queues = cfg->queues;
	adapter->rx_ring_count = cfg->rx_ring;
	adapter->tx_ring_count = cfg->tx_ring;
	adapter->rx_itr_setting = KIGB_ITR_ADAPTIVE;
	adapter->adaptive_rx = true;
	adapter->fc_rx_pause = true;
	adapter->fc_tx_pause = true;
	adapter->bus_index = kigb_next_index++;

	memcpy(adapter->rss_key, klab_toeplitz_default_key,
	       sizeof(adapter->rss_key));
	adapter->rss_table = kvmalloc(sizeof(*adapter->rss_table), GFP_KERNEL);
	if (!adapter->rss_table) {
		err = -ENOMEM;
		goto err_free_netdev;
	}
	klab_toeplitz_prepare(adapter->rss_table, adapter->rss_key);
	kigb_reta_default(adapter);

	err = netif_set_real_num_tx_queues(netdev, cfg->queues);
	if (!err)
		err = netif_set_real_num_rx_queues(netdev, cfg->queues);
	if (err)
		goto err_free_table;

	err = kigb_alloc_q_vectors(adapter);
	if (err)
		goto err_free_table;
	return netdev;

err_free_table:
	kvfree(adapter->rss_table);
err_free_netdev:
	free_netdev(netdev);
	return ERR_PTR(err);
}

/* Undo kigb_create() for a device never registered */
static void kigb_destroy(struct net_device *netdev)
{
	kigb_uninit(netdev);
	free_netdev(netdev);
}

static int kigb_check_name(struct net *net, const char *name,
			   struct netlink_ext_ack *extack)
{
	if (!dev_valid_name(name) || strchr(name, '%')) {
		NL_SET_ERR_MSG_MOD(extack, "invalid interface name");
		return -EINVAL;
	}
	if (__dev_get_by_name(net, name)) {
		NL_SET_ERR_MSG_MOD(extack, "a device of that name exists");
		return -EEXIST;
	}
	return 0;
}

/* Room for two more devices under max_devices?  Context: RTNL held. */
static int kigb_check_room(struct netlink_ext_ack *extack)
{
	unsigned int n = 0, max = READ_ONCE(kigb_max_devices);
	struct kigb_adapter *adapter;

	list_for_each_entry(adapter, &kigb_devices, list)
		n++;
	if (n + 2 > max) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many devices (see parameter max_devices)");
		return -ENOSPC;
	}
	return 0;
}

/**
 * kigb_pair_add - create and register a connected pair
 * @net: the namespace of both devices
 * @name: the first device's name
 * @peer: the second device's name
 * @cfg: queues and ring sizes of both
 * @extack: for the reason of a failure
 *
 * Return: 0, -EINVAL (a bad name or size), -EEXIST (a name is taken),
 * -ENOSPC (max_devices reached) or another negative errno; nothing is
 * left created on failure.
 */
int kigb_pair_add(struct net *net, const char *name, const char *peer,
		  const struct kigb_config *cfg, struct netlink_ext_ack *extack)
{
	struct net_device *a, *b;
	struct kigb_adapter *aa, *ba;
	int err;

	err = kigb_check_config(cfg, extack);
	if (err)
		return err;

	rtnl_lock();
	err = kigb_check_name(net, name, extack);
	if (!err)
		err = kigb_check_name(net, peer, extack);
	if (!err && !strcmp(name, peer)) {
		NL_SET_ERR_MSG_MOD(extack, "a device cannot be its own peer");
		err = -EINVAL;
	}
	if (!err)
		err = kigb_check_room(extack);
	if (err)
		goto err_unlock;

	a = kigb_create(net, name, cfg);
	if (IS_ERR(a)) {
		err = PTR_ERR(a);
		goto err_unlock;
	}
	b = kigb_create(net, peer, cfg);
	if (IS_ERR(b)) {
		err = PTR_ERR(b);
		goto err_destroy_a;
	}
	aa = netdev_priv(a);
	ba = netdev_priv(b);
	rcu_assign_pointer(aa->peer, ba);
	rcu_assign_pointer(ba->peer, aa);

	err = register_netdevice(a);
	if (err)
		goto err_destroy_b;
	netif_carrier_off(a);
	err = register_netdevice(b);
	if (err)
		goto err_unregister_a;
	netif_carrier_off(b);

	list_add_tail(&aa->list, &kigb_devices);
	list_add_tail(&ba->list, &kigb_devices);
	rtnl_unlock();
	return 0;

err_unregister_a:
	/* ndo_uninit unlinks b from a, and a is freed at rtnl_unlock() */
	unregister_netdevice(a);
	kigb_destroy(b);
	goto err_unlock;
err_destroy_b:
	kigb_destroy(b);
err_destroy_a:
	kigb_destroy(a);
err_unlock:
	rtnl_unlock();
	return err;
}

/**
 * kigb_find - a klab_igb device by name
 * @net: the namespace to look in
 * @name: its name
 *
 * Context: RTNL held.
 * Return: the device or NULL.
 */
struct kigb_adapter *kigb_find(struct net *net, const char *name)
{
	struct net_device *netdev = __dev_get_by_name(net, name);

	if (!netdev || netdev->netdev_ops != &kigb_netdev_ops)
		return NULL;
	return netdev_priv(netdev);
}

/**
 * kigb_pair_del - unregister a device and its peer
 * @net: the namespace of the device named
 * @name: its name
 * @extack: for the reason of a failure
 *
 * Return: 0 or -ENODEV.
 */
int kigb_pair_del(struct net *net, const char *name,
		  struct netlink_ext_ack *extack)
{
	struct kigb_adapter *adapter, *peer;
	LIST_HEAD(kill);

	rtnl_lock();
	adapter = kigb_find(net, name);
	if (!adapter) {
		rtnl_unlock();
		NL_SET_ERR_MSG_MOD(extack, "no klab_igb device of that name");
		return -ENODEV;
	}
	peer = kigb_peer(adapter);
	unregister_netdevice_queue(adapter->netdev, &kill);
	if (peer)
		unregister_netdevice_queue(peer->netdev, &kill);
	unregister_netdevice_many(&kill);
	rtnl_unlock();
	return 0;
}

/**
 * kigb_pair_del_all - unregister every device (module unload)
 */
void kigb_pair_del_all(void)
{
	struct kigb_adapter *adapter;
	LIST_HEAD(kill);

	rtnl_lock();
	list_for_each_entry(adapter, &kigb_devices, list)
		unregister_netdevice_queue(adapter->netdev, &kill);
	unregister_netdevice_many(&kill);
	rtnl_unlock();
}

/**
 * kigb_reinit - igb_reinit_queues: new queue count or ring sizes
 * @adapter: the device
 * @queues: queue pairs
 * @rx_count: RX descriptors per ring
 * @tx_count: TX descriptors per ring
 *
 * Context: RTNL held.
 * Return: 0 or a negative errno.
 */
int kigb_reinit(struct kigb_adapter *adapter, u32 queues, u32 rx_count,
		u32 tx_count)
{
	struct net_device *netdev = adapter->netdev;
	bool running = netif_running(netdev);
	int err;

	if (running)
		kigb_close(netdev);

	kigb_free_q_vectors(adapter);
	if (queues != adapter->num_queues) {
		adapter->num_queues = queues;
		kigb_reta_update(adapter);
	}
	adapter->rx_ring_count = rx_count;
	adapter->tx_ring_count = tx_count;

	err = netif_set_real_num_tx_queues(netdev, queues);
	if (!err)
		err = netif_set_real_num_rx_queues(netdev, queues);
	if (err)
		return err;
	err = kigb_alloc_q_vectors(adapter);
	if (err)
		return err;
	if (running)
		err = kigb_open(netdev);
	return err;
}
