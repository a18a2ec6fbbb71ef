// SPDX-License-Identifier: GPL-2.0
// A klab kernel module as klabctl sees it, and how module files register
// their subcommands.
#pragma once

#include "genl.hpp"
#include "printer.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <ostream>
#include <span>

namespace klab {

struct Module {
    const char *name;        // klabctl subcommand
    const char *kmod;        // kernel module
    const char *family;      // generic netlink family
    uint8_t version;         // generic netlink family version
    const char *description; // one line for --help
};

// Parsed global options and the command the command line selected.  Verbs
// only record an action while parsing; it runs once parsing has succeeded.
struct Cli {
    std::ostream &out;
    Options opts;
    std::function<void()> action;
};

// Resolve the family of @m; throws Error naming the module when it is not
// loaded.
Family open_family(GenlSocket &sock, const Module &m);

// Send @cmd to @m's family with one u32 attribute and wait for the ack.
void request_u32(const Module &m, uint8_t cmd, int attr, uint32_t value);

// Add the verbs common to every module (info, set, monitor) to @cmd.
void add_common_verbs(CLI::App &cmd, Cli &cli, const Module &m);

// One klabctl subcommand.  Every subcommand is registered in the one table
// of registry.cpp, from which --help, the man page check and the bash
// completion all come.
struct Command {
    const char *name;
    const char *help;
    const Module *module; // nullptr: no kernel module behind it
    // Adds the subcommand's own verbs and options to @cmd
    void (*add_verbs)(CLI::App &cmd, Cli &cli);
};

// The table, in the order --help lists it
std::span<const Command> commands();

// Add every subcommand of the table to @app.
void add_commands(CLI::App &app, Cli &cli);

// The modules' own verbs, each in the module's file
void add_sched(CLI::App &mod, Cli &cli);
void add_rcu(CLI::App &mod, Cli &cli);
void add_slab(CLI::App &mod, Cli &cli);
void add_hipac(CLI::App &mod, Cli &cli);
void add_chardev(CLI::App &mod, Cli &cli);
void add_igb(CLI::App &mod, Cli &cli);
// klabctl ct: the kernel's conntrack table (hipac_ct.cpp)
void add_ct(CLI::App &cmd, Cli &cli);
// klabctl bench: the benchmark report (bench_report.cpp)
void add_bench(CLI::App &cmd, Cli &cli);
// klabctl status: which klab modules are loaded (status.cpp)
void add_status(CLI::App &cmd, Cli &cli);
// klabctl completion: the bash completion script (completion.cpp)
void add_completion(CLI::App &cmd, Cli &cli);

extern const Module chardev_module;
extern const Module igb_module;
extern const Module rcu_module;
extern const Module slab_module;

} // namespace klab
