// SPDX-License-Identifier: GPL-2.0
// klabctl rcu: the rcu_demo module (RCU and seqlock reimplementations).
#include "module.hpp"

#include <klab/rcu.h>

namespace klab {

static const Module rcu_module = {
    .name = "rcu",
    .kmod = "rcu_demo",
    .family = KLAB_RCU_FAMILY_NAME,
    .version = KLAB_RCU_FAMILY_VERSION,
    .description = "rcu_demo: RCU and seqlock reimplementations",
};

void add_rcu(CLI::App &app, Cli &cli)
{
    add_module(app, cli, rcu_module);
}

} // namespace klab
