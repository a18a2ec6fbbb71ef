/* SPDX-License-Identifier: GPL-2.0 */
/* sched_demo: a scheduling-class framework */
#ifndef _SCHED_DEMO_H
#define _SCHED_DEMO_H

#include <klab/sched.h>

#include "../common/klab_nl.h"

int ksched_nl_init(unsigned int debug);
void ksched_nl_exit(void);

#endif /* _SCHED_DEMO_H */
