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

// Add the subcommand of @m with the verbs common to every module.  Module
// files add their own verbs to the returned subcommand.
CLI::App &add_module(CLI::App &app, Cli &cli, const Module &m);

void add_sched(CLI::App &app, Cli &cli);
void add_rcu(CLI::App &app, Cli &cli);
void add_slab(CLI::App &app, Cli &cli);
void add_hipac(CLI::App &app, Cli &cli);
void add_chardev(CLI::App &app, Cli &cli);
void add_igb(CLI::App &app, Cli &cli);
// klabctl ct: the kernel's conntrack table (hipac_ct.cpp)
void add_ct(CLI::App &app, Cli &cli);

} // namespace klab
