// SPDX-License-Identifier: GPL-2.0
/* rcu_demo: the klab_rcu generic netlink family */
#include "rcu_demo.h"

static const struct klab_nl_desc krcu_nl_desc = {
	.name = KLAB_RCU_FAMILY_NAME,
	.version = KLAB_RCU_FAMILY_VERSION,
	.maxattr = KLAB_RCU_A_MAX,
};

int krcu_nl_init(unsigned int debug)
{
	return klab_nl_register(&krcu_nl_desc, debug);
}

void krcu_nl_exit(void)
{
	klab_nl_unregister();
}
