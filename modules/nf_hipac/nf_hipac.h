/* SPDX-License-Identifier: GPL-2.0 */
/* nf_hipac: the HiPAC packet classifier on netfilter */
#ifndef _NF_HIPAC_H
#define _NF_HIPAC_H

#include <klab/hipac.h>

#include "../common/klab_nl.h"

int hipac_nl_init(unsigned int debug);
void hipac_nl_exit(void);

#endif /* _NF_HIPAC_H */
