/* SPDX-License-Identifier: GPL-2.0 */
/* chardev: character devices and a blk-mq RAM disk */
#ifndef _CHARDEV_H
#define _CHARDEV_H

#include <klab/chardev.h>

#include "../common/klab_nl.h"

/* netlink.c */
int kcdev_nl_init(unsigned int debug);
void kcdev_nl_exit(void);

/* character devices and the interrupt source (chr) */
int kcdev_chr_init(void);
void kcdev_chr_exit(void);

/* the block device (blk) */
int kcdev_blk_init(void);
void kcdev_blk_exit(void);

#endif /* _CHARDEV_H */
