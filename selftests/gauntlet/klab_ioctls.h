/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctls of the headers in include/uapi/klab/, for the fuzzer and the privilege
 * test.  fops_fuzz.sh fails when a header defines an ioctl missing here.
 */
#ifndef _KLAB_IOCTLS_H
#define _KLAB_IOCTLS_H

#include <stdbool.h>
#include <stddef.h>

#include <klab/chardev.h>

struct klab_ioctl {
	const char *name;
	unsigned long cmd;
	/* changes the device's state: needs a capability */
	bool changes_state;
};

#define KLAB_IOCTL(_cmd, _changes) { #_cmd, _cmd, _changes }

static const struct klab_ioctl klab_ioctls[] = {
	KLAB_IOCTL(KLAB_SCULL_IOC_RESET, true),
	KLAB_IOCTL(KLAB_SCULL_IOC_GET_QUANTUM, false),
	KLAB_IOCTL(KLAB_SCULL_IOC_SET_QUANTUM, true),
	KLAB_IOCTL(KLAB_SCULL_IOC_XCHG_QUANTUM, true),
	KLAB_IOCTL(KLAB_SCULL_IOC_GET_SIZE, false),
};

#define KLAB_NR_IOCTLS	(sizeof(klab_ioctls) / sizeof(klab_ioctls[0]))

#endif /* _KLAB_IOCTLS_H */
