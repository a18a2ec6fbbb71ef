// SPDX-License-Identifier: GPL-2.0
// The one table of klabctl's subcommands.  --help, the man page's check
// (tests/klabctl/manpage_test.cpp) and the bash completion all walk the
// command tree built from it, so none of them can fall behind.
#include "hipac_nl.hpp"
#include "module.hpp"
#include "sched_nl.hpp"

namespace klab {

namespace {

Command module_command(const Module &m, void (*add_verbs)(CLI::App &, Cli &))
{
    return Command{m.name, m.description, &m, add_verbs};
}

} // namespace

std::span<const Command> commands()
{
    // Built on first use: the modules' descriptions live in their own files.
    static const Command table[] = {
        module_command(sched::kSchedModule, add_sched),
        module_command(rcu_module, add_rcu),
        module_command(slab_module, add_slab),
        module_command(hipac::hipac_module(), add_hipac),
        module_command(chardev_module, add_chardev),
        module_command(igb_module, add_igb),
        {"ct", "the kernel's connection tracking table (conntrack -L, -G, -C, -F, -E)", nullptr,
         add_ct},
        {"bench", "draw the results of make bench as an HTML report with SVG pictures", nullptr,
         add_bench},
        {"status", "which klab modules are loaded, with their versions and taints", nullptr,
         add_status},
        {"completion", "print the bash completion script", nullptr, add_completion},
    };
    return table;
}

void add_commands(CLI::App &app, Cli &cli)
{
    for (const Command &c : commands()) {
        CLI::App *cmd = app.add_subcommand(c.name, c.help);

        if (c.module)
            add_common_verbs(*cmd, cli, *c.module);
        c.add_verbs(*cmd, cli);
    }
}

} // namespace klab
