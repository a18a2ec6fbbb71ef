// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: a slab allocator.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "slabcache.h"

static unsigned int debug;
module_param(debug, uint, 0444);
MODULE_PARM_DESC(debug, "Initial debug level, 0-7 (default: 0)");

static int __init kslab_init(void)
{
	return kslab_nl_init(debug);
}

static void __exit kslab_exit(void)
{
	kslab_nl_exit();
}

module_init(kslab_init);
module_exit(kslab_exit);

MODULE_DESCRIPTION("klab slabcache: a slab allocator");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(KLAB_SLAB_FAMILY_NAME);
