// SPDX-License-Identifier: GPL-2.0
// klabctl slab: the slabcache module (slab allocator).
#include "module.hpp"

#include <klab/slab.h>

namespace klab {

static const Module slab_module = {
    .name = "slab",
    .kmod = "slabcache",
    .family = KLAB_SLAB_FAMILY_NAME,
    .version = KLAB_SLAB_FAMILY_VERSION,
    .description = "slabcache: slab allocator",
};

void add_slab(CLI::App &app, Cli &cli)
{
    add_module(app, cli, slab_module);
}

} // namespace klab
