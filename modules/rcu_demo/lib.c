// SPDX-License-Identifier: GPL-2.0
/* klab's shared kernel helpers and freestanding core, built into rcu_demo */
#include "../common/klab_nl.c"
#include "../core/krcu_stats.c"
