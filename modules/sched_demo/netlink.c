// SPDX-License-Identifier: GPL-2.0
/* sched_demo: the klab_sched generic netlink family */
#include "sched_demo.h"

static const struct klab_nl_desc ksched_nl_desc = {
	.name = KLAB_SCHED_FAMILY_NAME,
	.version = KLAB_SCHED_FAMILY_VERSION,
	.maxattr = KLAB_SCHED_A_MAX,
};

int ksched_nl_init(unsigned int debug)
{
	return klab_nl_register(&ksched_nl_desc, debug);
}

void ksched_nl_exit(void)
{
	klab_nl_unregister();
}
