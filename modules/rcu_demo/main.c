// SPDX-License-Identifier: GPL-2.0
/*
 * rcu_demo: RCU and seqlock reimplementations with torture and scale harnesses.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "rcu_demo.h"

static int __init krcu_init(void)
{
	int err;

	err = krcu_domains_init();
	if (err)
		return err;
	err = krcu_nl_init();
	if (err)
		goto err_domains_exit;
	return 0;

err_domains_exit:
	krcu_domains_exit();
	return err;
}

/* No new run once the family is gone; then the active one stops */
static void __exit krcu_exit(void)
{
	krcu_nl_exit();
	krcu_run_exit();
	krcu_domains_exit();
}

module_init(krcu_init);
module_exit(krcu_exit);

MODULE_DESCRIPTION("klab rcu_demo: RCU and seqlock reimplementations with torture and scale harnesses");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(KLAB_RCU_FAMILY_NAME);
