// SPDX-License-Identifier: GPL-2.0
#include "cli.hpp"

#include "error.hpp"
#include "hipac.hpp"
#include "module.hpp"

#include <klab/klab.h>

#include <ostream>
#include <string>
#include <vector>

namespace klab {

namespace {

// The kernel release the modules were built against (the build's KDIR)
#ifndef KLAB_KERNEL_RELEASE
#define KLAB_KERNEL_RELEASE "unknown"
#endif

std::string version_text()
{
    return "klabctl " KLAB_VERSION " (modules built against Linux " KLAB_KERNEL_RELEASE ")";
}

// "klabctl sched set": the chain of commands the parser got into.
std::vector<const CLI::App *> command_path(const CLI::App &app)
{
    std::vector<const CLI::App *> path{&app};

    while (!path.back()->get_subcommands().empty())
        path.push_back(path.back()->get_subcommands().front());
    return path;
}

void report_usage_error(const CLI::App &app, const CLI::ParseError &e, std::ostream &err)
{
    std::vector<const CLI::App *> path = command_path(app);
    std::vector<std::string> rest = app.remaining(true);
    std::string command;

    for (const CLI::App *cmd : path)
        command += (command.empty() ? "" : " ") + cmd->get_name();

    // CLI11 reports an unknown subcommand as a missing one.
    if (dynamic_cast<const CLI::RequiredError *>(&e) && !rest.empty())
        err << "Error: unknown " << (rest.front().starts_with('-') ? "option" : "command") << " \""
            << rest.front() << "\"";
    else
        err << "Error: " << e.what();
    err << " (see " << command << " --help)\n";
}

} // namespace

int run(int argc, const char *const *argv, std::ostream &out, std::ostream &err)
{
    if (std::optional<int> code = hipac::run_from_argv(argc, argv, out, err))
        return *code;

    Cli cli{out, {}, {}};
    CLI::App app("Control the klab kernel modules over generic netlink.", "klabctl");

    app.set_version_flag("--version", version_text());
    app.add_flag("-j,--json", cli.opts.json, "print JSON");
    app.add_flag("-p,--pretty", cli.opts.pretty, "indent JSON output");
    app.require_subcommand(1);
    app.fallthrough();

    add_commands(app, cli);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        // --help and --version are "errors" with exit code 0.
        if (e.get_exit_code() == 0)
            return app.exit(e, out, err);
        report_usage_error(app, e, err);
        return kExitUsage;
    }

    try {
        cli.action();
    } catch (const UsageError &e) {
        err << "Error: " << e.what() << '\n';
        return kExitUsage;
    } catch (const Error &e) {
        err << "Error: " << e.what() << '\n';
        return kExitError;
    }
    return kExitOk;
}

} // namespace klab
