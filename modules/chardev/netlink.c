// SPDX-License-Identifier: GPL-2.0
/* chardev: the klab_chardev generic netlink family */
#include "chardev.h"

static const struct genl_ops kcdev_nl_ops[] = {
	/* character devices and the interrupt source (chr) */

	/* the block device (blk) */
	{
		.cmd = KLAB_CHARDEV_CMD_BLK_ADD,
		.doit = kcdev_blk_nl_add,
		.policy = kcdev_blk_nl_add_policy,
		.maxattr = KLAB_CHARDEV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_BLK_DEL,
		.doit = kcdev_blk_nl_del,
		.policy = kcdev_blk_nl_name_policy,
		.maxattr = KLAB_CHARDEV_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_BLK_LIST,
		.doit = kcdev_blk_nl_list,
		.policy = kcdev_blk_nl_name_policy,
		.maxattr = KLAB_CHARDEV_A_MAX,
	},
	{
		.cmd = KLAB_CHARDEV_CMD_BLK_STATS,
		.doit = kcdev_blk_nl_stats,
		.policy = kcdev_blk_nl_name_policy,
		.maxattr = KLAB_CHARDEV_A_MAX,
	},
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
