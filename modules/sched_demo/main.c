// SPDX-License-Identifier: GPL-2.0
/*
 * sched_demo: a scheduling-class framework.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "sched_demo.h"

static unsigned int debug;
module_param(debug, uint, 0444);
MODULE_PARM_DESC(debug, "Initial debug level, 0-7 (default: 0)");

static int __init ksched_init(void)
{
	return ksched_nl_init(debug);
}

static void __exit ksched_exit(void)
{
	ksched_nl_exit();
}

module_init(ksched_init);
module_exit(ksched_exit);

MODULE_DESCRIPTION("klab sched_demo: a scheduling-class framework");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(KLAB_SCHED_FAMILY_NAME);
