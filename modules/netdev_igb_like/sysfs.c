// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: the bus klab_igb, whose files create and delete pairs
 * for scripts, like netdevsim's /sys/bus/netdevsim/new_device:
 *
 *	echo "NAME PEER [QUEUES [RX_RING [TX_RING]]]" > /sys/bus/klab_igb/new_device
 *	echo "NAME" > /sys/bus/klab_igb/del_device
 *
 * Pairs are created in the writer's network namespace.  Errors are the
 * write's errno (the reason goes to the kernel log).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/nsproxy.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

#include "netdev_igb_like.h"

static ssize_t new_device_store(struct bus_type *bus, const char *buf,
				size_t count)
{
	struct netlink_ext_ack extack = {};
	char name[IFNAMSIZ], peer[IFNAMSIZ];
	struct kigb_config cfg = {
		.queues = kigb_default_queues(),
		.rx_ring = KLAB_IGB_RING_DEFAULT,
		.tx_ring = KLAB_IGB_RING_DEFAULT,
	};
	int n, err;

	/* %15s: IFNAMSIZ - 1, a longer name is cut and then fails to match */
	n = sscanf(buf, "%15s %15s %u %u %u", name, peer, &cfg.queues,
		   &cfg.rx_ring, &cfg.tx_ring);
	if (n < 2) {
		pr_err("new_device: format is \"NAME PEER [QUEUES [RX_RING [TX_RING]]]\"\n");
		return -EINVAL;
	}

	err = kigb_pair_add(current->nsproxy->net_ns, name, peer, &cfg,
			    &extack);
	if (err) {
		if (extack._msg)
			pr_err("new_device: %s\n", extack._msg);
		return err;
	}
	return count;
}

static ssize_t del_device_store(struct bus_type *bus, const char *buf,
				size_t count)
{
	struct netlink_ext_ack extack = {};
	char name[IFNAMSIZ];
	int err;

	if (sscanf(buf, "%15s", name) != 1)
		return -EINVAL;
	err = kigb_pair_del(current->nsproxy->net_ns, name, &extack);
	if (err)
		return err;
	return count;
}

static BUS_ATTR_WO(new_device);
static BUS_ATTR_WO(del_device);

static struct attribute *kigb_bus_attrs[] = {
	&bus_attr_new_device.attr,
	&bus_attr_del_device.attr,
	NULL,
};
ATTRIBUTE_GROUPS(kigb_bus);

static struct bus_type kigb_bus = {
	.name = KLAB_IGB_DRV_NAME,
	.bus_groups = kigb_bus_groups,
};

int kigb_bus_init(void)
{
	return bus_register(&kigb_bus);
}

void kigb_bus_exit(void)
{
	bus_unregister(&kigb_bus);
}
