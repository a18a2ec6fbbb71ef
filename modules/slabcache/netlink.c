// SPDX-License-Identifier: GPL-2.0
/* slabcache: the klab_slab generic netlink family */
#include "slabcache.h"

static const struct klab_nl_desc kslab_nl_desc = {
	.name = KLAB_SLAB_FAMILY_NAME,
	.version = KLAB_SLAB_FAMILY_VERSION,
	.maxattr = KLAB_SLAB_A_MAX,
};

int kslab_nl_init(unsigned int debug)
{
	return klab_nl_register(&kslab_nl_desc, debug);
}

void kslab_nl_exit(void)
{
	klab_nl_unregister();
}
