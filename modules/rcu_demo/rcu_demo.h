/* SPDX-License-Identifier: GPL-2.0 */
/* rcu_demo: RCU and seqlock reimplementations with torture and scale harnesses */
#ifndef _RCU_DEMO_H
#define _RCU_DEMO_H

#include <klab/rcu.h>

#include "../common/klab_nl.h"

int krcu_nl_init(unsigned int debug);
void krcu_nl_exit(void);

#endif /* _RCU_DEMO_H */
