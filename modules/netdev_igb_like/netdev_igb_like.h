/* SPDX-License-Identifier: GPL-2.0 */
/* netdev_igb_like: an igb-style virtual NIC with NAPI */
#ifndef _NETDEV_IGB_LIKE_H
#define _NETDEV_IGB_LIKE_H

#include <klab/igb.h>

#include "../common/klab_nl.h"

int kigb_nl_init(unsigned int debug);
void kigb_nl_exit(void);

#endif /* _NETDEV_IGB_LIKE_H */
