// SPDX-License-Identifier: GPL-2.0
/*
 * netdev_igb_like: an igb-style virtual NIC with NAPI.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "netdev_igb_like.h"

static unsigned int debug;
module_param(debug, uint, 0444);
MODULE_PARM_DESC(debug, "Initial debug level, 0-7 (default: 0)");

static int __init kigb_init(void)
{
	return kigb_nl_init(debug);
}

static void __exit kigb_exit(void)
{
	kigb_nl_exit();
}

module_init(kigb_init);
module_exit(kigb_exit);

MODULE_DESCRIPTION("klab netdev_igb_like: an igb-style virtual NIC with NAPI");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(KLAB_IGB_FAMILY_NAME);
