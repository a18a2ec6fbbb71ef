// SPDX-License-Identifier: GPL-2.0
/* klab's shared kernel helpers and freestanding core, built into netdev_igb_like */
#include "../common/klab_nl.c"
#include "../core/klab_ring.c"
#include "../core/klab_toeplitz.c"
