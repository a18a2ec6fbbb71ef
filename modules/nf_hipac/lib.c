// SPDX-License-Identifier: GPL-2.0
/* klab's shared kernel helpers and freestanding core, built into nf_hipac */
#include "../common/klab_nl.c"
#include "../core/hipac_tree.c"
#include "../core/hipac_count.c"
#include "../core/hipac_linear.c"
#include "../core/hipac_chain.c"
#include "../core/hipac_walk.c"
#include "../core/hipac_scratch.c"
#include "../core/hipac_part.c"
