// SPDX-License-Identifier: GPL-2.0
// klabctl sched: the sched_demo module (scheduling-class framework).
#include "module.hpp"

#include <klab/sched.h>

namespace klab {

static const Module sched_module = {
    .name = "sched",
    .kmod = "sched_demo",
    .family = KLAB_SCHED_FAMILY_NAME,
    .version = KLAB_SCHED_FAMILY_VERSION,
    .description = "sched_demo: scheduling-class framework",
};

void add_sched(CLI::App &app, Cli &cli)
{
    add_module(app, cli, sched_module);
}

} // namespace klab
