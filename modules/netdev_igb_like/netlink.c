// SPDX-License-Identifier: GPL-2.0
/* netdev_igb_like: the klab_igb generic netlink family */
#include "netdev_igb_like.h"

static const struct klab_nl_desc kigb_nl_desc = {
	.name = KLAB_IGB_FAMILY_NAME,
	.version = KLAB_IGB_FAMILY_VERSION,
	.maxattr = KLAB_IGB_A_MAX,
};

int kigb_nl_init(unsigned int debug)
{
	return klab_nl_register(&kigb_nl_desc, debug);
}

void kigb_nl_exit(void)
{
	klab_nl_unregister();
}
