// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: character devices and a blk-mq RAM disk.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "chardev.h"

static int __init kcdev_init(void)
{
	int err;

	err = kcdev_chr_init();
	if (err)
		return err;

	err = kcdev_blk_init();
	if (err)
		goto err_chr_exit;

	/* last: userspace may act on the devices as soon as it can ask */
	err = kcdev_nl_init();
	if (err)
		goto err_blk_exit;

	return 0;

err_blk_exit:
	kcdev_blk_exit();
err_chr_exit:
	kcdev_chr_exit();
	return err;
}

static void __exit kcdev_exit(void)
{
	kcdev_nl_exit();
	kcdev_blk_exit();
	kcdev_chr_exit();
}

module_init(kcdev_init);
module_exit(kcdev_exit);

MODULE_DESCRIPTION("klab chardev: character devices and a blk-mq RAM disk");
MODULE_AUTHOR("The klab developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KLAB_VERSION);
MODULE_ALIAS_GENL_FAMILY(KLAB_CHARDEV_FAMILY_NAME);
