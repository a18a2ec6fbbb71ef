// SPDX-License-Identifier: GPL-2.0
/* PLACEHOLDER until the blk half lands: replace this file entirely. */
#include "chardev.h"

int kcdev_blk_init(void)
{
	return 0;
}

void kcdev_blk_exit(void)
{
}
