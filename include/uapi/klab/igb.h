/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* netdev_igb_like: an igb-style virtual NIC with NAPI (generic netlink family klab_igb) */
#ifndef _UAPI_KLAB_IGB_H
#define _UAPI_KLAB_IGB_H

#include <klab/klab.h>

#define KLAB_IGB_FAMILY_NAME	"klab_igb"
#define KLAB_IGB_FAMILY_VERSION	1

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum klab_igb_cmd {
	__KLAB_IGB_CMD_END = KLAB_CMD_MODULE_FIRST,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum klab_igb_attr {
	__KLAB_IGB_A_END = KLAB_A_MODULE_FIRST,
};

#define KLAB_IGB_A_MAX	(__KLAB_IGB_A_END - 1)

#endif /* _UAPI_KLAB_IGB_H */
