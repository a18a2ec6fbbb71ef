// SPDX-License-Identifier: GPL-2.0
/* chardev: the klab_chardev generic netlink family */
#include "chardev.h"

static const struct genl_ops kcdev_nl_ops[] = {
	/* character devices and the interrupt source (chr) */



	/* the block device (blk) */



};

static const struct klab_nl_desc kcdev_nl_desc = {
	.name = KLAB_CHARDEV_FAMILY_NAME,
	.version = KLAB_CHARDEV_FAMILY_VERSION,
	.maxattr = KLAB_CHARDEV_A_MAX,
	.ops = kcdev_nl_ops,
	.n_ops = ARRAY_SIZE(kcdev_nl_ops),
};

int kcdev_nl_init(unsigned int debug)
{
	return klab_nl_register(&kcdev_nl_desc, debug);
}

void kcdev_nl_exit(void)
{
	klab_nl_unregister();
}
