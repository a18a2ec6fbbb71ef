// SPDX-License-Identifier: GPL-2.0
/*
 * sched_demo: a scheduling-class framework over the module's own kernel
 * threads (deadline, rt, fair and idle classes, per-CPU queues with
 * balancing), and an observer of the kernel's scheduler.  See README.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "sched_demo.h"

static int __init ksched_init(void)
{
	int err;

	err = ksched_obs_init();
	if (err)
		return err;
	err = ksched_proc_init();
	if (err)
		goto err_obs;
	err = ksched_nl_init();
	if (err)
		goto err_proc;
	return 0;

err_proc:
	ksched_proc_exit();
err_obs:
	ksched_obs_exit();
	return err;
}

/* No request can start anything once the family is gone; then stop all */
static void __exit ksched_exit(void)
{
	ksched_nl_exit();
	ksched_proc_exit();
	ksched_obs_exit();
	ksched_runs_exit();
}

module_init(ksched_init);
module_exit(ksched_exit);

MODULE_DESCRIPTION("klab sched_demo: a scheduling-class framework");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(KLAB_SCHED_FAMILY_NAME);
