// SPDX-License-Identifier: GPL-2.0
#include "status.hpp"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace klab {

namespace {

// The first line of a sysfs attribute; nothing if it cannot be read.
std::optional<std::string> read_attr(const std::filesystem::path &file)
{
    std::ifstream in(file);
    std::string line;

    if (!in || !std::getline(in, line))
        return std::nullopt;
    return line;
}

void show_status(Cli &cli)
{
    Printer printer(cli.out, cli.opts);

    for (const Command &c : commands())
        if (c.module)
            printer.print(module_status("/sys/module", *c.module));
}

} // namespace

Json module_status(const std::filesystem::path &sys_module, const Module &m)
{
    const std::filesystem::path dir = sys_module / m.kmod;
    Json status{{"module", m.kmod}};

    // initstate exists only for loadable modules, not for built-in ones
    std::optional<std::string> state = read_attr(dir / "initstate");
    if (!state) {
        status["state"] = "not loaded";
        return status;
    }
    status["state"] = *state;
    if (std::optional<std::string> version = read_attr(dir / "version"))
        status["version"] = *version;
    // An empty taint file means the module did not taint the kernel.
    status["taint"] = read_attr(dir / "taint").value_or("");
    if (std::optional<std::string> refcnt = read_attr(dir / "refcnt"))
        status["refcnt"] = std::strtoul(refcnt->c_str(), nullptr, 10);
    return status;
}

void add_status(CLI::App &cmd, Cli &cli)
{
    cmd.callback([&cli] { cli.action = [&cli] { show_status(cli); }; });
}

} // namespace klab
