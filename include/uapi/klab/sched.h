/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* sched_demo: a scheduling-class framework (generic netlink family klab_sched) */
#ifndef _UAPI_KLAB_SCHED_H
#define _UAPI_KLAB_SCHED_H

#include <klab/klab.h>

#define KLAB_SCHED_FAMILY_NAME	"klab_sched"
#define KLAB_SCHED_FAMILY_VERSION	1

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum klab_sched_cmd {
	__KLAB_SCHED_CMD_END = KLAB_CMD_MODULE_FIRST,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum klab_sched_attr {
	__KLAB_SCHED_A_END = KLAB_A_MODULE_FIRST,
};

#define KLAB_SCHED_A_MAX	(__KLAB_SCHED_A_END - 1)

#endif /* _UAPI_KLAB_SCHED_H */
