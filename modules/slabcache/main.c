// SPDX-License-Identifier: GPL-2.0
/*
 * slabcache: a slab allocator after Bonwick (USENIX 1994) with the
 * per-CPU magazines and depot of Bonwick and Adams (USENIX 2001), on top
 * of the page allocator, for other modules (include/klab/slabcache.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "slabcache.h"

static int __init kslab_init(void)
{
	int err;

	err = kslab_sysfs_init();
	if (err)
		return err;

	err = kslab_caches_init();
	if (err)
		goto err_sysfs_exit;

	err = kslab_proc_init();
	if (err)
		goto err_caches_exit;

	err = kslab_reclaim_init();
	if (err)
		goto err_proc_exit;

	/* last: userspace may act on the caches as soon as it can ask */
	err = kslab_nl_init();
	if (err)
		goto err_reclaim_exit;

	return 0;

err_reclaim_exit:
	kslab_reclaim_exit();
err_proc_exit:
	kslab_proc_exit();
err_caches_exit:
	kslab_caches_exit();
err_sysfs_exit:
	kslab_sysfs_exit();
	return err;
}

static void __exit kslab_exit(void)
{
	kslab_nl_exit();
	kslab_run_exit();
	kslab_bench_exit();
	kslab_test_exit();
	kslab_reclaim_exit();
	kslab_proc_exit();
	kslab_caches_exit();
	kslab_sysfs_exit();
}

module_init(kslab_init);
module_exit(kslab_exit);

MODULE_DESCRIPTION("klab slabcache: a slab allocator with magazines and a depot");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(KLAB_SLAB_FAMILY_NAME);
