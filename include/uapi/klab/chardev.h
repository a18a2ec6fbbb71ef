/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * chardev: character devices and a blk-mq RAM disk (generic netlink family
 * klab_chardev, ioctls of /dev/klab_scull*).
 */
#ifndef _UAPI_KLAB_CHARDEV_H
#define _UAPI_KLAB_CHARDEV_H

#include <klab/klab.h>

#define KLAB_CHARDEV_FAMILY_NAME	"klab_chardev"
#define KLAB_CHARDEV_FAMILY_VERSION	1

/*
 * Module-specific commands, after the common ones of <klab/klab.h>.
 * Character devices and the interrupt source use KLAB_CMD_MODULE_FIRST
 * and up; the block device uses KLAB_CHARDEV_CMD_BLK_FIRST and up.
 */
enum klab_chardev_cmd {
	__KLAB_CHARDEV_CMD_CHR_START = KLAB_CMD_MODULE_FIRST - 1,
	/* character devices and the interrupt source (chr) */

	__KLAB_CHARDEV_CMD_CHR_END,

	KLAB_CHARDEV_CMD_BLK_FIRST = KLAB_CMD_MODULE_FIRST + 32,
	__KLAB_CHARDEV_CMD_BLK_START = KLAB_CHARDEV_CMD_BLK_FIRST - 1,
	/* the block device (blk) */

	__KLAB_CHARDEV_CMD_BLK_END,
};

/*
 * Module-specific attributes, after the common ones of <klab/klab.h>;
 * the same split as the commands.
 */
enum klab_chardev_attr {
	__KLAB_CHARDEV_A_CHR_START = KLAB_A_MODULE_FIRST - 1,
	/* character devices and the interrupt source (chr) */

	__KLAB_CHARDEV_A_CHR_END,

	KLAB_CHARDEV_A_BLK_FIRST = KLAB_A_MODULE_FIRST + 64,
	__KLAB_CHARDEV_A_BLK_START = KLAB_CHARDEV_A_BLK_FIRST - 1,
	/* the block device (blk) */

	__KLAB_CHARDEV_A_BLK_END,
};

#define KLAB_CHARDEV_A_MAX	(__KLAB_CHARDEV_A_BLK_END - 1)

/* ioctls of /dev/klab_scull* (chr) */

#endif /* _UAPI_KLAB_CHARDEV_H */
