/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the chardev character-device selftests. */
#ifndef _KLAB_CHR_H
#define _KLAB_CHR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klab_file.h"

static inline int chr_modules(const char *verb, const char *args)
{
	char cmd[512];

	if (args)
		snprintf(cmd, sizeof(cmd), "insmod %s/modules/chardev/chardev.ko %s",
			 getenv("KLAB_ROOT") ?: ".", args);
	else
		snprintf(cmd, sizeof(cmd), "%s/scripts/modules %s chardev",
			 getenv("KLAB_ROOT") ?: ".", verb);
	return system(cmd);
}

/* A number from /sys/class/klab/@dev/@attr, or -1 */
static inline long long chr_sysfs(const char *dev, const char *attr)
{
	return klab_file_ll("/sys/class/klab/%s/%s", dev, attr);
}

#endif /* _KLAB_CHR_H */
