/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* chardev: character devices and a blk-mq RAM disk (generic netlink family klab_chardev) */
#ifndef _UAPI_KLAB_CHARDEV_H
#define _UAPI_KLAB_CHARDEV_H

#include <klab/klab.h>

#define KLAB_CHARDEV_FAMILY_NAME	"klab_chardev"
#define KLAB_CHARDEV_FAMILY_VERSION	1

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum klab_chardev_cmd {
	__KLAB_CHARDEV_CMD_END = KLAB_CMD_MODULE_FIRST,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum klab_chardev_attr {
	__KLAB_CHARDEV_A_END = KLAB_A_MODULE_FIRST,
};

#define KLAB_CHARDEV_A_MAX	(__KLAB_CHARDEV_A_END - 1)

#endif /* _UAPI_KLAB_CHARDEV_H */
