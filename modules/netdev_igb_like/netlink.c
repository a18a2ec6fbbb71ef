// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: the klab_igb generic netlink family: ADD, DEL and SHOW
 * of pairs, besides the common INFO and SET.
 */
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "netdev_igb_like.h"

static const struct nla_policy kigb_nl_add_policy[KLAB_IGB_A_MAX + 1] = {
	[KLAB_IGB_A_NAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[KLAB_IGB_A_PEER_NAME] = { .type = NLA_NUL_STRING,
				   .len = IFNAMSIZ - 1 },
	[KLAB_IGB_A_QUEUES] = NLA_POLICY_RANGE(NLA_U32, KLAB_IGB_QUEUES_MIN,
					       KLAB_IGB_QUEUES_MAX),
	[KLAB_IGB_A_RX_RING] = NLA_POLICY_RANGE(NLA_U32, KLAB_IGB_RING_MIN,
						KLAB_IGB_RING_MAX),
	[KLAB_IGB_A_TX_RING] = NLA_POLICY_RANGE(NLA_U32, KLAB_IGB_RING_MIN,
						KLAB_IGB_RING_MAX),
};

static const struct nla_policy kigb_nl_name_policy[KLAB_IGB_A_MAX + 1] = {
	[KLAB_IGB_A_NAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

static int kigb_nl_put_ring(struct sk_buff *msg, struct kigb_ring *ring,
			    u32 kind, bool up)
{
	struct nlattr *nest;
	u64 packets, bytes;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&ring->syncp);
		packets = ring->stats.packets;
		bytes = ring->stats.bytes;
	} while (u64_stats_fetch_retry(&ring->syncp, start));

	nest = nla_nest_start(msg, KLAB_IGB_A_RING);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, KLAB_IGB_A_RING_KIND, kind) ||
	    nla_put_u32(msg, KLAB_IGB_A_RING_INDEX, ring->queue_index) ||
	    nla_put_u32(msg, KLAB_IGB_A_RING_COUNT, ring->count) ||
	    nla_put_u64_64bit(msg, KLAB_IGB_A_RING_PACKETS, packets,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_IGB_A_RING_BYTES, bytes, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_IGB_A_RING_TAIL_WRITES,
			      READ_ONCE(ring->tail_writes), KLAB_A_PAD))
		goto err_cancel;
	/* the indices mean something only while the descriptors exist */
	if (up &&
	    (nla_put_u32(msg, KLAB_IGB_A_RING_NEXT_TO_USE,
			 READ_ONCE(ring->next_to_use)) ||
	     nla_put_u32(msg, KLAB_IGB_A_RING_NEXT_TO_CLEAN,
			 READ_ONCE(ring->next_to_clean)) ||
	     nla_put_u32(msg, KLAB_IGB_A_RING_HEAD, READ_ONCE(ring->head)) ||
	     nla_put_u32(msg, KLAB_IGB_A_RING_TAIL, READ_ONCE(ring->tail)) ||
	     nla_put_u32(msg, KLAB_IGB_A_RING_UNUSED, kigb_desc_unused(ring))))
		goto err_cancel;
	nla_nest_end(msg, nest);
	return 0;

err_cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static int kigb_nl_put_qv(struct sk_buff *msg, struct kigb_q_vector *qv,
			  bool up)
{
	struct kigb_qv_stats st;
	struct nlattr *nest;
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&qv->syncp);
		st = qv->stats;
	} while (u64_stats_fetch_retry(&qv->syncp, start));

	nest = nla_nest_start(msg, KLAB_IGB_A_QVECTOR);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, KLAB_IGB_A_QV_INDEX, qv->v_idx) ||
	    (up && nla_put_u32(msg, KLAB_IGB_A_QV_IRQ, qv->irq)) ||
	    nla_put_u32(msg, KLAB_IGB_A_QV_ITR_USECS, kigb_itr_usecs(qv)) ||
	    nla_put_u64_64bit(msg, KLAB_IGB_A_QV_INTERRUPTS, st.interrupts,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_IGB_A_QV_POLLS, st.polls, KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_IGB_A_QV_POLLS_FULL, st.polls_full,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_IGB_A_QV_COMPLETES, st.completes,
			      KLAB_A_PAD) ||
	    nla_put_u64_64bit(msg, KLAB_IGB_A_QV_ITR_CHANGES, st.itr_changes,
			      KLAB_A_PAD) ||
	    nla_put(msg, KLAB_IGB_A_QV_POLL_HIST, sizeof(st.hist), st.hist)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* One KLAB_IGB_A_DEVICE nest.  Context: RTNL held. */
static int kigb_nl_put_dev(struct sk_buff *msg, struct kigb_adapter *adapter)
{
	struct kigb_adapter *peer = rtnl_dereference(adapter->peer);
	struct net_device *netdev = adapter->netdev;
	struct nlattr *nest, *list;
	bool up = adapter->up;
	unsigned int i;

	nest = nla_nest_start(msg, KLAB_IGB_A_DEVICE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(msg, KLAB_IGB_A_NAME, netdev->name) ||
	    nla_put_u32(msg, KLAB_IGB_A_IFINDEX, netdev->ifindex) ||
	    (peer && nla_put_string(msg, KLAB_IGB_A_PEER_NAME,
				    peer->netdev->name)) ||
	    nla_put_u32(msg, KLAB_IGB_A_PEER_IFINDEX,
			peer ? peer->netdev->ifindex : 0) ||
	    nla_put_u32(msg, KLAB_IGB_A_QUEUES, adapter->num_queues) ||
	    nla_put_u32(msg, KLAB_IGB_A_RX_RING, adapter->rx_ring_count) ||
	    nla_put_u32(msg, KLAB_IGB_A_TX_RING, adapter->tx_ring_count) ||
	    nla_put_u8(msg, KLAB_IGB_A_UP, netif_running(netdev)) ||
	    nla_put_u8(msg, KLAB_IGB_A_CARRIER, netif_carrier_ok(netdev)) ||
	    nla_put_u32(msg, KLAB_IGB_A_MTU, netdev->mtu))
		goto err_cancel;

	list = nla_nest_start(msg, KLAB_IGB_A_RINGS);
	if (!list)
		goto err_cancel;
	for (i = 0; i < adapter->num_queues; i++)
		if (kigb_nl_put_ring(msg, adapter->tx_ring[i],
				     KLAB_IGB_RING_TX, up) ||
		    kigb_nl_put_ring(msg, adapter->rx_ring[i],
				     KLAB_IGB_RING_RX, up))
			goto err_cancel;
	nla_nest_end(msg, list);

	list = nla_nest_start(msg, KLAB_IGB_A_QVECTORS);
	if (!list)
		goto err_cancel;
	for (i = 0; i < adapter->num_queues; i++)
		if (kigb_nl_put_qv(msg, adapter->q_vector[i], up))
			goto err_cancel;
	nla_nest_end(msg, list);

	nla_nest_end(msg, nest);
	return 0;

err_cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

/* Room for one device: rings and q_vectors with their histograms */
#define KIGB_NL_DEV_SIZE	(1024 + KLAB_IGB_QUEUES_MAX * 1024)

static bool kigb_nl_match(struct kigb_adapter *adapter, struct net *net,
			  const char *name, const char *name2)
{
	const char *dev = adapter->netdev->name;

	if (!net_eq(dev_net(adapter->netdev), net))
		return false;
	if (!name)
		return true;
	return !strcmp(dev, name) || (name2 && !strcmp(dev, name2));
}

/*
 * Reply with the devices of the requester's namespace named @name or
 * @name2, or with all of them when @name is NULL.
 */
static int kigb_nl_reply_devs(struct genl_info *info, u8 cmd,
			      const char *name, const char *name2)
{
	struct net *net = genl_info_net(info);
	struct kigb_adapter *adapter;
	struct nlattr *devs;
	struct sk_buff *msg;
	unsigned int n = 0;
	void *hdr;

	rtnl_lock();
	list_for_each_entry(adapter, &kigb_devices, list)
		n += kigb_nl_match(adapter, net, name, name2);
	if (name && !n) {
		rtnl_unlock();
		GENL_SET_ERR_MSG(info, "no klab_igb device of that name");
		return -ENODEV;
	}

	msg = genlmsg_new(NLMSG_HDRLEN + GENL_HDRLEN + n * KIGB_NL_DEV_SIZE,
			  GFP_KERNEL);
	if (!msg) {
		rtnl_unlock();
		return -ENOMEM;
	}
	hdr = klab_nl_reply_put(msg, info, cmd);
	devs = hdr ? nla_nest_start(msg, KLAB_IGB_A_DEVICES) : NULL;
	if (!devs)
		goto err_free;
	list_for_each_entry(adapter, &kigb_devices, list)
		if (kigb_nl_match(adapter, net, name, name2) &&
		    kigb_nl_put_dev(msg, adapter))
			goto err_free;
	rtnl_unlock();

	nla_nest_end(msg, devs);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	rtnl_unlock();
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static u32 kigb_nl_u32(struct genl_info *info, int attr, u32 def)
{
	return info->attrs[attr] ? nla_get_u32(info->attrs[attr]) : def;
}

static int kigb_nl_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kigb_config cfg;
	const char *name, *peer;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, KLAB_IGB_A_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, KLAB_IGB_A_PEER_NAME))
		return -EINVAL;
	name = nla_data(info->attrs[KLAB_IGB_A_NAME]);
	peer = nla_data(info->attrs[KLAB_IGB_A_PEER_NAME]);

	cfg.queues = kigb_nl_u32(info, KLAB_IGB_A_QUEUES,
				 kigb_default_queues());
	cfg.rx_ring = kigb_nl_u32(info, KLAB_IGB_A_RX_RING,
				  KLAB_IGB_RING_DEFAULT);
	cfg.tx_ring = kigb_nl_u32(info, KLAB_IGB_A_TX_RING,
				  KLAB_IGB_RING_DEFAULT);

	err = kigb_pair_add(genl_info_net(info), name, peer, &cfg,
			    info->extack);
	if (err)
		return err;
	return kigb_nl_reply_devs(info, KLAB_IGB_CMD_ADD, name, peer);
}

static int kigb_nl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, KLAB_IGB_A_NAME))
		return -EINVAL;
	return kigb_pair_del(genl_info_net(info),
			     nla_data(info->attrs[KLAB_IGB_A_NAME]),
			     info->extack);
}

static int kigb_nl_show_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, KLAB_IGB_A_NAME))
		return -EINVAL;
	return kigb_nl_reply_devs(info, KLAB_IGB_CMD_SHOW,
				  nla_data(info->attrs[KLAB_IGB_A_NAME]), NULL);
}

static int kigb_nl_dump_dev(struct sk_buff *msg, void *adapter)
{
	return kigb_nl_put_dev(msg, adapter);
}

/* SHOW as a dump: every device of the namespace, one a message */
static int kigb_nl_show_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	struct kigb_adapter *adapter;
	long idx = 0;
	int err = 0;

	rtnl_lock();
	list_for_each_entry(adapter, &kigb_devices, list) {
		if (!kigb_nl_match(adapter, net, NULL, NULL))
			continue;
		err = klab_nl_dump_obj(skb, cb, &idx, KLAB_IGB_A_DEVICES,
				       kigb_nl_dump_dev, adapter);
		if (err)
			break;
	}
	rtnl_unlock();
	return klab_nl_dump_done(skb, cb, idx, err);
}

static const struct genl_ops kigb_nl_ops[] = {
	{
		.cmd = KLAB_IGB_CMD_ADD,
		.doit = kigb_nl_add_doit,
		.policy = kigb_nl_add_policy,
		.maxattr = KLAB_IGB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_IGB_CMD_DEL,
		.doit = kigb_nl_del_doit,
		.policy = kigb_nl_name_policy,
		.maxattr = KLAB_IGB_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_IGB_CMD_SHOW,
		.doit = kigb_nl_show_doit,
		.dumpit = kigb_nl_show_dumpit,
		.policy = kigb_nl_name_policy,
		.maxattr = KLAB_IGB_A_MAX,
	},
};

static const struct klab_nl_desc kigb_nl_desc = {
	.name = KLAB_IGB_FAMILY_NAME,
	.version = KLAB_IGB_FAMILY_VERSION,
	.maxattr = KLAB_IGB_A_MAX,
	.ops = kigb_nl_ops,
	.n_ops = ARRAY_SIZE(kigb_nl_ops),
};

int kigb_nl_init(void)
{
	return klab_nl_register(&kigb_nl_desc);
}

void kigb_nl_exit(void)
{
	klab_nl_unregister();
}
