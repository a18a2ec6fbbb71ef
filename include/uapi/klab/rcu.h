/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* rcu_demo: RCU and seqlock reimplementations (generic netlink family klab_rcu) */
#ifndef _UAPI_KLAB_RCU_H
#define _UAPI_KLAB_RCU_H

#include <klab/klab.h>

#define KLAB_RCU_FAMILY_NAME	"klab_rcu"
#define KLAB_RCU_FAMILY_VERSION	1

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum klab_rcu_cmd {
	__KLAB_RCU_CMD_END = KLAB_CMD_MODULE_FIRST,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum klab_rcu_attr {
	__KLAB_RCU_A_END = KLAB_A_MODULE_FIRST,
};

#define KLAB_RCU_A_MAX	(__KLAB_RCU_A_END - 1)

#endif /* _UAPI_KLAB_RCU_H */
