// SPDX-License-Identifier: GPL-2.0
/*
 * nf_hipac: the HiPAC packet classifier on netfilter.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "nf_hipac.h"

static unsigned int debug;
module_param(debug, uint, 0444);
MODULE_PARM_DESC(debug, "Initial debug level, 0-7 (default: 0)");

static int __init hipac_init(void)
{
	return hipac_nl_init(debug);
}

static void __exit hipac_exit(void)
{
	hipac_nl_exit();
}

module_init(hipac_init);
module_exit(hipac_exit);

MODULE_DESCRIPTION("klab nf_hipac: the HiPAC packet classifier on netfilter");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(NF_HIPAC_FAMILY_NAME);
