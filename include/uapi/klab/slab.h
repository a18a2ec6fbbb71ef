/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* slabcache: a slab allocator (generic netlink family klab_slab) */
#ifndef _UAPI_KLAB_SLAB_H
#define _UAPI_KLAB_SLAB_H

#include <klab/klab.h>

#define KLAB_SLAB_FAMILY_NAME	"klab_slab"
#define KLAB_SLAB_FAMILY_VERSION	1

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum klab_slab_cmd {
	__KLAB_SLAB_CMD_END = KLAB_CMD_MODULE_FIRST,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum klab_slab_attr {
	__KLAB_SLAB_A_END = KLAB_A_MODULE_FIRST,
};

#define KLAB_SLAB_A_MAX	(__KLAB_SLAB_A_END - 1)

#endif /* _UAPI_KLAB_SLAB_H */
