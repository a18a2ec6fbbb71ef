// SPDX-License-Identifier: GPL-2.0
/* klab's shared kernel helpers and slabcache's core library */
#include "../common/klab_nl.c"
#include "../core/kslab_layout.c"
#include "../core/kslab_mag.c"
