// SPDX-License-Identifier: GPL-2.0
// klabctl completion: a bash completion script drawn from the command
// tree CLI11 holds, so it cannot fall behind the commands.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace klab {

// One command of the tree below the root: its path ("chardev blk add"),
// its subcommands, options and positional arguments.
struct CommandNode {
    std::string path;
    const CLI::App *app;
};

// Every command below @root, parents before their children; the root
// itself first, with the empty path.
std::vector<CommandNode> command_tree(const CLI::App &root);

// The bash completion script for klabctl and nf-hipac.
std::string bash_completion(const CLI::App &root);

} // namespace klab
