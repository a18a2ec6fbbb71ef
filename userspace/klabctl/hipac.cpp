// SPDX-License-Identifier: GPL-2.0
// klabctl hipac: the nf_hipac module (HiPAC packet classifier on netfilter).
#include "module.hpp"

#include <klab/hipac.h>

namespace klab {

static const Module hipac_module = {
    .name = "hipac",
    .kmod = "nf_hipac",
    .family = NF_HIPAC_FAMILY_NAME,
    .version = NF_HIPAC_FAMILY_VERSION,
    .description = "nf_hipac: HiPAC packet classifier on netfilter",
};

void add_hipac(CLI::App &app, Cli &cli)
{
    add_module(app, cli, hipac_module);
}

} // namespace klab
