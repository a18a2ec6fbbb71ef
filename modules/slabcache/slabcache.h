/* SPDX-License-Identifier: GPL-2.0 */
/* slabcache: a slab allocator */
#ifndef _SLABCACHE_H
#define _SLABCACHE_H

#include <klab/slab.h>

#include "../common/klab_nl.h"

int kslab_nl_init(unsigned int debug);
void kslab_nl_exit(void);

#endif /* _SLABCACHE_H */
