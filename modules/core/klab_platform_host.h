/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host half of klab_platform.h: the core library's types, allocation,
 * assertions and locking mapped onto libc and pthreads, for the host builds
 * (C and C++) of the core.  Host code, not kernel code: scripts/lint leaves
 * it out of checkpatch, which would ask for the kernel's own spellings.
 */
#ifndef _KLAB_PLATFORM_HOST_H
#define _KLAB_PLATFORM_HOST_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <assert.h>
#include <pthread.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define klab_alloc(sz)		malloc(sz)
#define klab_zalloc(sz)		calloc(1, (sz))
#define klab_free(p)		free(p)
#define klab_bigalloc(sz)	malloc(sz)
#define klab_bigzalloc(sz)	calloc(1, (sz))
#define klab_bigfree(p)		free(p)

#define klab_cond_resched()	do { } while (0)

#define KLAB_ASSERT(c)		assert(c)

/* The kernel's spellings the shared code uses (linux/bits.h, compiler_attributes.h) */
#ifndef BIT_ULL
#define BIT_ULL(nr)		(1ULL << (nr))
#endif
#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif

/*
 * A mutex rather than a spinlock: userspace threads can be preempted while
 * holding the lock, and spinning on a descheduled holder wastes the CPU.
 */
struct klab_lock {
	pthread_mutex_t lock;
};

static inline void klab_lock_init(struct klab_lock *l)
{
	pthread_mutex_init(&l->lock, NULL);
}

static inline void klab_lock_destroy(struct klab_lock *l)
{
	pthread_mutex_destroy(&l->lock);
}

static inline void klab_lock(struct klab_lock *l)
{
	pthread_mutex_lock(&l->lock);
}

static inline void klab_unlock(struct klab_lock *l)
{
	pthread_mutex_unlock(&l->lock);
}

#endif /* _KLAB_PLATFORM_HOST_H */
