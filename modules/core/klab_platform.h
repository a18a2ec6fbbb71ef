/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Platform layer for the klab core library.
 *
 * The core library is freestanding C shared by the kernel modules and the
 * userspace tools.  Core sources include only this header; it maps types,
 * allocation, assertions, error numbers and locking onto the kernel when
 * built with __KERNEL__ and onto libc and pthreads otherwise.  Everything
 * here must compile as kernel C, host C and C++.  The host half lives in
 * klab_platform_host.h beside this header.
 */
#ifndef _KLAB_PLATFORM_H
#define _KLAB_PLATFORM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/bug.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/sched.h>

#define klab_alloc(sz)		kmalloc((sz), GFP_KERNEL)
#define klab_zalloc(sz)		kzalloc((sz), GFP_KERNEL)
#define klab_free(p)		kfree(p)

/* Arrays that may be large: vmalloc when the slab cannot serve them */
#define klab_bigalloc(sz)	kvmalloc((sz), GFP_KERNEL)
#define klab_bigzalloc(sz)	kvzalloc((sz), GFP_KERNEL)
#define klab_bigfree(p)		kvfree(p)

/* Long loops (building a big classifier) let others run now and then */
#define klab_cond_resched()	cond_resched()

/* Warn once and carry on, as the kernel prefers to crashing. */
#define KLAB_ASSERT(c)		((void)WARN_ON_ONCE(!(c)))

struct klab_lock {
	spinlock_t lock;	/* core code may run in atomic context */
};

static inline void klab_lock_init(struct klab_lock *l)
{
	spin_lock_init(&l->lock);
}

static inline void klab_lock_destroy(struct klab_lock *l)
{
	(void)l;
}

static inline void klab_lock(struct klab_lock *l)
{
	spin_lock(&l->lock);
}

static inline void klab_unlock(struct klab_lock *l)
{
	spin_unlock(&l->lock);
}

#else /* !__KERNEL__ */

/* Userspace builds (tests, fuzzers, benchmarks): libc and pthreads */
#include "klab_platform_host.h"

#endif /* __KERNEL__ */

#endif /* _KLAB_PLATFORM_H */
