// SPDX-License-Identifier: GPL-2.0
// klabctl chardev: the chardev module (character devices and a blk-mq RAM disk).
#include "module.hpp"

#include <klab/chardev.h>

namespace klab {

static const Module chardev_module = {
    .name = "chardev",
    .kmod = "chardev",
    .family = KLAB_CHARDEV_FAMILY_NAME,
    .version = KLAB_CHARDEV_FAMILY_VERSION,
    .description = "chardev: character devices and a blk-mq RAM disk",
};

void add_chardev(CLI::App &app, Cli &cli)
{
    add_module(app, cli, chardev_module);
}

} // namespace klab
