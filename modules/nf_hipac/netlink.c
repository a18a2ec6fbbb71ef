// SPDX-License-Identifier: GPL-2.0
/* nf_hipac: the nf_hipac generic netlink family */
#include "nf_hipac.h"

static const struct klab_nl_desc hipac_nl_desc = {
	.name = NF_HIPAC_FAMILY_NAME,
	.version = NF_HIPAC_FAMILY_VERSION,
	.maxattr = NF_HIPAC_A_MAX,
};

int hipac_nl_init(unsigned int debug)
{
	return klab_nl_register(&hipac_nl_desc, debug);
}

void hipac_nl_exit(void)
{
	klab_nl_unregister();
}
