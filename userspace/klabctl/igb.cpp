// SPDX-License-Identifier: GPL-2.0
// klabctl igb: the netdev_igb_like module (igb-style virtual NIC with NAPI).
#include "module.hpp"

#include <klab/igb.h>

namespace klab {

static const Module igb_module = {
    .name = "igb",
    .kmod = "netdev_igb_like",
    .family = KLAB_IGB_FAMILY_NAME,
    .version = KLAB_IGB_FAMILY_VERSION,
    .description = "netdev_igb_like: igb-style virtual NIC with NAPI",
};

void add_igb(CLI::App &app, Cli &cli)
{
    add_module(app, cli, igb_module);
}

} // namespace klab
