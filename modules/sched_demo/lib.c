// SPDX-License-Identifier: GPL-2.0
/* klab's shared kernel helpers and freestanding core, built into sched_demo */
#include "../common/klab_nl.c"
#include "../core/ksched_rbtree.c"
#include "../core/ksched_core.c"
#include "../core/ksched_prog.c"
#include "../core/ksched_fair.c"
#include "../core/ksched_rt.c"
#include "../core/ksched_dl.c"
#include "../core/ksched_idle.c"
