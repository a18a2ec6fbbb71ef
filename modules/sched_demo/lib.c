// SPDX-License-Identifier: GPL-2.0
/* klab's shared kernel helpers, built into sched_demo */
#include "../common/klab_nl.c"
