// SPDX-License-Identifier: GPL-2.0
/* klab's shared kernel helpers, built into slabcache */
#include "../common/klab_nl.c"
