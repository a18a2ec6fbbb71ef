// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: an igb-style virtual NIC with NAPI, created in connected
 * pairs (see netdev_igb_like.h and README.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/module.h>

#include "netdev_igb_like.h"

/**
 * kigb_default_queues - queue pairs of a new device: one per CPU, as igb
 *
 * Return: online CPUs, at most KLAB_IGB_QUEUES_MAX.
 */
unsigned int kigb_default_queues(void)
{
	return clamp_t(unsigned int, num_online_cpus(), KLAB_IGB_QUEUES_MIN,
		       KLAB_IGB_QUEUES_MAX);
}

static int __init kigb_init(void)
{
	int err;

	err = kigb_irq_domain_init();
	if (err)
		return err;

	err = kigb_bus_init();
	if (err)
		goto err_irq_domain_exit;

	/* last: userspace may create devices as soon as it can ask */
	err = kigb_nl_init();
	if (err)
		goto err_bus_exit;
	return 0;

err_bus_exit:
	kigb_bus_exit();
err_irq_domain_exit:
	kigb_irq_domain_exit();
	return err;
}

static void __exit kigb_exit(void)
{
	kigb_nl_exit();
	kigb_bus_exit();
	kigb_pair_del_all();
	kigb_irq_domain_exit();
}

module_init(kigb_init);
module_exit(kigb_exit);

MODULE_DESCRIPTION("klab netdev_igb_like: an igb-style virtual NIC with NAPI");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(KLAB_IGB_FAMILY_NAME);
